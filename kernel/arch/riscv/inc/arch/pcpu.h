/* RISC-V: the running hart's pcpu and the time, as inlines. */
#ifndef VIREO_ARCH_PCPU_H
#define VIREO_ARCH_PCPU_H

#include <arch/csr.h>

/* In HS-mode tp holds the running hart's struct pcpu. */
static inline struct pcpu *this_pcpu(void)
{
	struct pcpu *p;
	__asm__("mv %0, tp" : "=r"(p));
	return p;
}

#endif
