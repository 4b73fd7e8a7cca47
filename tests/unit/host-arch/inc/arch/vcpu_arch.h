/* Host model of an architecture's part of a vCPU: opaque to the core. */
#ifndef VIREO_HOST_ARCH_VCPU_ARCH_H
#define VIREO_HOST_ARCH_VCPU_ARCH_H

#include "types.h"

struct vcpu_regs {
	unsigned long arg[6]; /* hypercall arguments */
	unsigned long pc;
};

struct vcpu_arch {
	uint64_t opaque[4];
};

#endif
