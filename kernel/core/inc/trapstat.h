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

/* Which side a trap came from: the benchmarks report them apart. */
#define TRAPSTAT_DOM0 0
#define TRAPSTAT_DOMU 1
#define TRAPSTAT_HCALLS 48 /* Vireo hypercall numbers 0..47 */

struct trapstat {
	uint64_t count[2][TRAPSTAT_SLOTS];
	uint64_t hcall[TRAPSTAT_HCALLS]; /* VIREO_SBI_EXT calls by number */
	uint64_t switches; /* times the hart loaded another vCPU */
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
/* Sum of one slot over all harts, of one side or (side < 0) both. */
uint64_t trapstat_total(unsigned slot, int side);
/* Hypercalls numbered fid made on all harts; the name of fid (or NULL). */
uint64_t trapstat_hcalls(unsigned fid);
const char *trapstat_hcall_name(unsigned fid);

#endif
