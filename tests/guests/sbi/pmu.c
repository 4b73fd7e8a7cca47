/*
 * SBI PMU, when offered: counter 0 is cycle (CSR 0xC00), a cycle read
 * moves forward, and a firmware counter matched to set_timer calls and
 * auto-started counts exactly the calls made.
 */
#include "sbi_checks.h"

#define SBI_EXT_PMU 0x504D55UL
#define FW_SET_TIMER 5
#define CFG_AUTO_START (1UL << 2)
#define CFG_CLEAR_VALUE (1UL << 1)

static struct sbiret pmu(unsigned long fid, unsigned long a0,
			 unsigned long a1, unsigned long a2, unsigned long a3)
{
	return sbi_call(SBI_EXT_PMU, fid, a0, a1, a2, a3, 0, 0);
}

void pmu_checks(void)
{
	struct sbiret r;
	unsigned long n, fw_mask = 0, c0, c1;

	if (!sbi_has(SBI_EXT_PMU)) {
		guest_printf("SBI-INFO pmu absent\n");
		return;
	}
	n = (unsigned long)pmu(0, 0, 0, 0, 0).value;
	check(n > 0 && n <= 64, "pmu.num_counters", (long)n);
	r = pmu(1, 0, 0, 0, 0);
	check(r.error == 0 && (r.value & 0xfff) == 0xc00 && r.value >= 0,
	      "pmu.counter0_is_cycle", r.value);
	for (unsigned long i = 0; i < n && i < 64; i++) {
		r = pmu(1, i, 0, 0, 0);
		if (r.error == 0 && r.value < 0) /* type bit: firmware */
			fw_mask |= 1UL << i;
	}
	c0 = csr_read(cycle);
	for (volatile int i = 0; i < 1000; i++)
		;
	c1 = csr_read(cycle);
	check(c1 > c0, "pmu.cycle_counts", (long)(c1 - c0));
	if (!fw_mask) {
		guest_printf("SBI-INFO pmu: no firmware counters\n");
		return;
	}
	r = pmu(2, 0, fw_mask, CFG_AUTO_START | CFG_CLEAR_VALUE,
		0xf0000 | FW_SET_TIMER);
	check(r.error == 0 && ((fw_mask >> r.value) & 1), "pmu.fw_match",
	      r.error);
	if (r.error)
		return;
	unsigned long idx = (unsigned long)r.value;
	for (int i = 0; i < 3; i++)
		sbi_call(SBI_EXT_TIME, 0, ~0UL, 0, 0, 0, 0, 0);
	r = pmu(5, idx, 0, 0, 0);
	check(r.error == 0 && r.value == 3, "pmu.fw_counts_set_timer", r.value);
	r = pmu(4, idx, 1, 1 /* reset */, 0);
	check(r.error == 0, "pmu.fw_stop_reset", r.error);
}
