/* SBI dispatch: find the extension by a7, call it with the function in a6. */
#include <arch/sbi.h>

#include "domain.h"

const struct sbi_ext *const sbi_exts[] = {
	&sbi_ext_base,	&sbi_ext_time, &sbi_ext_ipi,  &sbi_ext_rfence,
	&sbi_ext_hsm,	&sbi_ext_srst, &sbi_ext_dbcn, &sbi_ext_susp,
	&sbi_ext_sta,	&sbi_ext_pmu, &sbi_ext_legacy, &sbi_ext_vireo, NULL,
};

const struct sbi_ext *sbi_find_ext(unsigned long eid)
{
	for (unsigned i = 0; sbi_exts[i]; i++)
		if (eid >= sbi_exts[i]->eid_start && eid <= sbi_exts[i]->eid_end)
			return sbi_exts[i];
	return NULL;
}

bool sbi_ext_offered(const struct sbi_ext *ext, const struct vcpu *v)
{
	/* Dom0 suspending would be the host's suspend; Dom0's counters are
	 * the hart's own, not a vCPU's (vcpu_arch_reset): neither offered. */
	return ext && !((ext == &sbi_ext_susp || ext == &sbi_ext_pmu) &&
			v->dom->is_dom0);
}

void sbi_ecall(struct vcpu *v)
{
	const struct sbi_ext *ext = sbi_find_ext(v->regs.x[REG_A7]);
	struct sbi_ret ret = {SBI_ERR_NOT_SUPPORTED, 0};

	if (sbi_ext_offered(ext, v))
		ret = ext->handle(v, v->regs.x[REG_A6]);
	v->regs.x[REG_A0] = (unsigned long)ret.error;
	if (!ext || !ext->legacy)
		v->regs.x[REG_A1] = (unsigned long)ret.value;
}

long sbi_hart_mask(unsigned long mask, unsigned long base, unsigned nr_vcpus,
		   unsigned long *out)
{
	unsigned long all = nr_vcpus >= 64 ? ~0UL : (1UL << nr_vcpus) - 1;

	if (base == ~0UL) {
		*out = all;
		return SBI_SUCCESS;
	}
	if (base >= nr_vcpus)
		return SBI_ERR_INVALID_PARAM;
	if (mask & ~(all >> base))
		return SBI_ERR_INVALID_PARAM;
	*out = mask << base;
	return SBI_SUCCESS;
}
