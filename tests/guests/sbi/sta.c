/*
 * SBI STA (steal time, SBI 2.0), when offered: set_shmem's checks, then a
 * record that the hypervisor keeps. The boot vCPU registers it before the
 * TIME checks, in which all 4 vCPUs spin at once on 2 harts, and reads
 * it after: it must have been preempted, so its steal has grown, and the
 * sequence must be even (no update half done).
 */
#include "sbi_checks.h"

#define SBI_EXT_STA 0x535441UL

struct sta_record {
	volatile uint32_t sequence, flags;
	volatile uint64_t steal;
	volatile uint8_t preempted, pad[47];
};

static struct sta_record rec __attribute__((aligned(64)));
static bool sta_on;

static long set_shmem(unsigned long lo, unsigned long hi, unsigned long flags)
{
	return sbi_call(SBI_EXT_STA, 0, lo, hi, flags, 0, 0, 0).error;
}

void sta_begin(void)
{
	unsigned long a = (unsigned long)&rec;

	if (!sbi_has(SBI_EXT_STA)) {
		guest_printf("SBI-INFO sta absent\n");
		return;
	}
	check(set_shmem(a + 8, 0, 0) == SBI_ERR_INVALID_PARAM,
	      "sta.misaligned_invalid", 0);
	check(set_shmem(a, 0, 1) == SBI_ERR_INVALID_PARAM, "sta.flags_invalid", 0);
	check(set_shmem(0x1000, 0, 0) == SBI_ERR_INVALID_ADDRESS,
	      "sta.outside_ram_invalid", 0);
	check(set_shmem(a, 1, 0) == SBI_ERR_INVALID_ADDRESS,
	      "sta.high_bits_invalid", 0);
	rec.sequence = 1; /* the call must write a whole record */
	check(set_shmem(a, 0, 0) == 0 && !(rec.sequence & 1), "sta.set_shmem",
	      (long)rec.sequence);
	sta_on = true;
}

void sta_end(void)
{
	uint32_t seq;
	uint64_t steal;

	if (!sta_on)
		return;
	do {
		seq = rec.sequence;
		__asm__ volatile("fence r, r" ::: "memory");
		steal = rec.steal;
		__asm__ volatile("fence r, r" ::: "memory");
	} while ((seq & 1) || seq != rec.sequence);
	guest_printf("SBI-INFO steal %lu ns\n", (unsigned long)steal);
	check(steal > 0, "sta.steal_counted", (long)steal);
	check(set_shmem(~0UL, ~0UL, 0) == 0, "sta.off", 0);
}
