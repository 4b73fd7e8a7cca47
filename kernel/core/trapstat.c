/* Names and totals of the per-hart trap counters. */
#include "pcpu.h"
#include "trapstat.h"

static const char *const names[TRAPSTAT_SLOTS] = {
	[1] = "instruction access fault",
	[2] = "illegal instruction",
	[5] = "load access fault",
	[7] = "store access fault",
	[10] = "VS ecall (SBI)",
	[20] = "instruction guest-page fault",
	[21] = "load guest-page fault (MMIO)",
	[22] = "virtual instruction (WFI)",
	[23] = "store guest-page fault (MMIO)",
	[TRAPSTAT_EXC + 1] = "S software interrupt (IPI)",
	[TRAPSTAT_EXC + 5] = "S timer interrupt",
	[TRAPSTAT_EXC + 9] = "S external interrupt",
};

const char *trapstat_name(unsigned slot)
{
	return slot < TRAPSTAT_SLOTS ? names[slot] : NULL;
}

uint64_t trapstat_total(unsigned slot)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < nr_pcpus; i++)
		n += pcpus[i].stats.count[slot];
	return n;
}
