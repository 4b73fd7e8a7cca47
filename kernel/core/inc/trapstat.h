/*
 * Per-hart trap counters, one per exception cause and per interrupt, read by
 * the monitor (`traps`) and the benchmarks.
 */
#ifndef VIREO_TRAPSTAT_H
#define VIREO_TRAPSTAT_H

#include "types.h"

#define TRAPSTAT_EXC 24 /* exception causes 0..23 */
#define TRAPSTAT_IRQ 16 /* interrupt causes 0..15 */
#define TRAPSTAT_SLOTS (TRAPSTAT_EXC + TRAPSTAT_IRQ)

struct trapstat {
	uint64_t count[TRAPSTAT_SLOTS];
};

static inline unsigned trapstat_slot(unsigned long scause)
{
	unsigned long code = scause & ~(1UL << 63);
	if (scause >> 63)
		return code < TRAPSTAT_IRQ ? TRAPSTAT_EXC + code : 0;
	return code < TRAPSTAT_EXC ? code : 0;
}

/* Name of a counter slot, NULL for causes that cannot reach the hypervisor. */
const char *trapstat_name(unsigned slot);
/* Sum of one slot over all harts. */
uint64_t trapstat_total(unsigned slot);

#endif
