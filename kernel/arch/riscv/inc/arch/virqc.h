/* RISC-V: a domain's interrupt controller is a vPLIC (vplic.h). */
#ifndef VIREO_ARCH_VIRQC_H
#define VIREO_ARCH_VIRQC_H

#include <arch/vplic.h>

#define VIRQC_MAX_LINES VPLIC_MAX_SRC

struct virqc {
	struct vplic plic;
};

#endif
