/* Host model: the running CPU and the time come from plain variables. */
#ifndef VIREO_HOST_ARCH_PCPU_H
#define VIREO_HOST_ARCH_PCPU_H

#include "types.h"

struct pcpu;
extern struct pcpu *host_arch_self;
extern uint64_t host_arch_now;

static inline struct pcpu *this_pcpu(void)
{
	return host_arch_self;
}

static inline unsigned long time_now(void)
{
	return host_arch_now;
}

#endif
