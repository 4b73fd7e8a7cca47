/*
 * SBI PMU for guests: cycle and instret counted per vCPU (its own time
 * in the guest, not the host's raw counters; see pmu.h) and firmware
 * counters of SBI events. No overflow interrupt (no Sscofpmf), no
 * snapshot, no mode filters: the *INH flags are accepted and a counter
 * counts in every guest mode.
 */
#include <arch/sbi.h>

#include "domain.h"
#include "pmu.h"

#define PMU_NUM_COUNTERS 0
#define PMU_GET_INFO 1
#define PMU_CFG_MATCH 2
#define PMU_START 3
#define PMU_STOP 4
#define PMU_FW_READ 5
#define PMU_FW_READ_HI 6

#define CFG_SKIP_MATCH (1UL << 0)
#define CFG_CLEAR_VALUE (1UL << 1)
#define CFG_AUTO_START (1UL << 2)
#define START_SET_INIT (1UL << 0)
#define STOP_RESET (1UL << 0)

#define EV_TYPE(e) (((e) >> 16) & 0xf)
#define EV_CODE(e) ((e) & 0xffff)
#define EV_TYPE_HW 0
#define EV_TYPE_FW 0xf
#define EV_HW_CYCLES 1
#define EV_HW_INSTRUCTIONS 2

#define HW_MASK ((1U << PMU_CYCLE) | (1U << PMU_INSTRET))
#define ALL_MASK (HW_MASK | (((1U << PMU_NR_FW) - 1) << PMU_FW_FIRST))

static unsigned hw_slot(unsigned idx)
{
	return idx == PMU_CYCLE ? 0 : 1;
}

static bool fw_event_known(uint32_t code)
{
	return code == PMU_FW_ILLEGAL_INSN || code == PMU_FW_SET_TIMER ||
	       code == PMU_FW_IPI_SENT || code == PMU_FW_FENCE_I_SENT ||
	       code == PMU_FW_SFENCE_VMA_SENT ||
	       code == PMU_FW_SFENCE_VMA_ASID_SENT;
}

static uint64_t hw_value(const struct vcpu_pmu *p, unsigned idx)
{
	unsigned s = hw_slot(idx);

	return (p->running & (1U << idx)) ? p->hw_acc[s] + p->hw_offset[s]
					   : p->hw_frozen[s];
}

bool vcpu_pmu_read_csr(struct vcpu *v, unsigned csr, uint64_t *val)
{
	if (csr != 0xc00 + PMU_CYCLE && csr != 0xc00 + PMU_INSTRET)
		return false;
	*val = hw_value(&v->pmu, csr - 0xc00);
	return true;
}

void vcpu_pmu_fw_event(struct vcpu *v, uint32_t event)
{
	struct vcpu_pmu *p = &v->pmu;
	uint32_t on = p->running >> PMU_FW_FIRST;

	for (unsigned i = 0; on; i++, on >>= 1)
		if ((on & 1) && p->fw_event[i] == event)
			p->fw_value[i]++;
}

/* The counters named by (base, mask), or 0 if any is not one of ours. */
static uint32_t counter_set(unsigned long base, unsigned long mask)
{
	if (base >= PMU_NR_COUNTERS || (mask & ~((unsigned long)ALL_MASK >> base)))
		return 0;
	return (uint32_t)(mask << base);
}

static void set_value(struct vcpu_pmu *p, unsigned idx, uint64_t val)
{
	if (idx >= PMU_FW_FIRST) {
		p->fw_value[idx - PMU_FW_FIRST] = val;
	} else {
		p->hw_offset[hw_slot(idx)] = val - p->hw_acc[hw_slot(idx)];
		p->hw_frozen[hw_slot(idx)] = val;
	}
}

static void start_one(struct vcpu_pmu *p, unsigned idx)
{
	if (idx < PMU_FW_FIRST) /* go on from the frozen value */
		set_value(p, idx, p->hw_frozen[hw_slot(idx)]);
	p->running |= 1U << idx;
}

/* The counter a (base, mask) set offers for event_idx, or -1. */
static long match(struct vcpu_pmu *p, uint32_t set, unsigned long flags,
		  unsigned long ev)
{
	uint32_t want;

	if (EV_TYPE(ev) == EV_TYPE_HW && EV_CODE(ev) == EV_HW_CYCLES)
		want = 1U << PMU_CYCLE;
	else if (EV_TYPE(ev) == EV_TYPE_HW && EV_CODE(ev) == EV_HW_INSTRUCTIONS)
		want = 1U << PMU_INSTRET;
	else if (EV_TYPE(ev) == EV_TYPE_FW && fw_event_known(EV_CODE(ev)))
		want = ALL_MASK & ~HW_MASK;
	else
		return -1;
	/* SKIP_MATCH: the first counter of the set, as it is. */
	if (flags & CFG_SKIP_MATCH)
		set &= ~(set - 1);
	else
		set &= ~p->configured;
	set &= want;
	for (long i = 0; i < PMU_NR_COUNTERS; i++)
		if (set & (1U << i))
			return i;
	return -1;
}

static struct sbi_ret cfg_match(struct vcpu *v)
{
	struct vcpu_pmu *p = &v->pmu;
	uint32_t set = counter_set(SBI_ARG(v, 0), SBI_ARG(v, 1));
	unsigned long flags = SBI_ARG(v, 2), ev = SBI_ARG(v, 3);
	long idx;

	if (!set)
		return (struct sbi_ret){SBI_ERR_INVALID_PARAM, 0};
	idx = match(p, set, flags, ev);
	if (idx < 0)
		return (struct sbi_ret){SBI_ERR_NOT_SUPPORTED, 0};
	p->configured |= 1U << idx;
	if (idx >= PMU_FW_FIRST)
		p->fw_event[idx - PMU_FW_FIRST] = EV_CODE(ev);
	if (flags & CFG_CLEAR_VALUE)
		set_value(p, (unsigned)idx, 0);
	if ((flags & CFG_AUTO_START) && !(p->running & (1U << idx)))
		start_one(p, (unsigned)idx);
	return (struct sbi_ret){SBI_SUCCESS, idx};
}

/*
 * start and stop, counter by counter as OpenSBI does: a firmware counter
 * must have an event (else INVALID_PARAM, nothing changed); cycle and
 * instret always have theirs. One already in the asked state is left so
 * and the call says ALREADY_STARTED / ALREADY_STOPPED; RESET releases
 * the counter for cfg_match either way.
 */
static long start_stop(struct vcpu *v, bool start)
{
	struct vcpu_pmu *p = &v->pmu;
	uint32_t set = counter_set(SBI_ARG(v, 0), SBI_ARG(v, 1));
	unsigned long flags = SBI_ARG(v, 2);
	long err = SBI_SUCCESS;

	if (!set || (set & ~HW_MASK & ~p->configured))
		return SBI_ERR_INVALID_PARAM;
	for (unsigned i = 0; i < PMU_NR_COUNTERS; i++) {
		bool on = p->running & (1U << i);

		if (!(set & (1U << i)))
			continue;
		if (start && on) {
			err = SBI_ERR_ALREADY_STARTED;
		} else if (start) {
			if (flags & START_SET_INIT)
				set_value(p, i, SBI_ARG(v, 3));
			start_one(p, i);
		} else if (!on) {
			err = SBI_ERR_ALREADY_STOPPED;
		} else {
			if (i < PMU_FW_FIRST)
				p->hw_frozen[hw_slot(i)] = hw_value(p, i);
			p->running &= ~(1U << i);
		}
		if (!start && (flags & STOP_RESET))
			p->configured &= ~(1U << i);
	}
	return err;
}

static struct sbi_ret pmu_handle(struct vcpu *v, unsigned long fid)
{
	unsigned long idx = SBI_ARG(v, 0);
	bool fw = idx >= PMU_FW_FIRST && idx < PMU_NR_COUNTERS;

	switch (fid) {
	case PMU_NUM_COUNTERS:
		return (struct sbi_ret){SBI_SUCCESS, PMU_NR_COUNTERS};
	case PMU_GET_INFO:
		/* csr[11:0], width - 1 [17:12], type [XLEN-1]: 1 = firmware */
		if (idx == PMU_CYCLE || idx == PMU_INSTRET)
			return (struct sbi_ret){SBI_SUCCESS,
						(long)((0xc00 + idx) | 63UL << 12)};
		if (fw)
			return (struct sbi_ret){SBI_SUCCESS,
						(long)(1UL << 63 | 63UL << 12)};
		return (struct sbi_ret){SBI_ERR_INVALID_PARAM, 0};
	case PMU_CFG_MATCH:
		return cfg_match(v);
	case PMU_START:
		return (struct sbi_ret){start_stop(v, true), 0};
	case PMU_STOP:
		return (struct sbi_ret){start_stop(v, false), 0};
	case PMU_FW_READ:
	case PMU_FW_READ_HI: /* RV64: the upper half is in fw_read */
		if (!fw || !(v->pmu.configured & (1U << idx)))
			return (struct sbi_ret){SBI_ERR_INVALID_PARAM, 0};
		return (struct sbi_ret){
			SBI_SUCCESS, fid == PMU_FW_READ
					     ? (long)v->pmu.fw_value[idx - PMU_FW_FIRST]
					     : 0};
	default: /* snapshot_set_shmem, event_get_info: none */
		return (struct sbi_ret){SBI_ERR_NOT_SUPPORTED, 0};
	}
}

const struct sbi_ext sbi_ext_pmu = {
	.name = "PMU",
	.eid_start = SBI_EXT_PMU,
	.eid_end = SBI_EXT_PMU,
	.handle = pmu_handle,
};
