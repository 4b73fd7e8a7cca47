/* The host PLIC, driven from the boot hart's S-mode context. */
#ifndef VIREO_PLIC_H
#define VIREO_PLIC_H

#include "types.h"

int plic_init(const void *fdt, paddr_t base, unsigned long hartid);
void plic_enable(unsigned src);
unsigned plic_claim(void);
void plic_complete(unsigned src);

#endif
