/* RISC-V: a hypercall's arguments are the SBI call's a0..a5. */
#ifndef VIREO_ARCH_HYPERCALL_H
#define VIREO_ARCH_HYPERCALL_H

#include "vcpu.h"

static inline unsigned long hc_arg_arch(const struct vcpu *v, unsigned n)
{
	return v->regs.x[10 + n];
}

#endif
