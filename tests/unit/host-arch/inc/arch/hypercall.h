/* Host model: a hypercall's arguments sit in vcpu_regs.arg[]. */
#ifndef VIREO_HOST_ARCH_HYPERCALL_H
#define VIREO_HOST_ARCH_HYPERCALL_H

#include "vcpu.h"

static inline unsigned long hc_arg_arch(const struct vcpu *v, unsigned n)
{
	return v->regs.arg[n];
}

#endif
