/* Host model of a domain's interrupt controller: opaque to the core. */
#ifndef VIREO_HOST_ARCH_VIRQC_H
#define VIREO_HOST_ARCH_VIRQC_H

#include "types.h"

#define VIRQC_MAX_LINES 32

struct virqc {
	uint64_t opaque[8];
};

#endif
