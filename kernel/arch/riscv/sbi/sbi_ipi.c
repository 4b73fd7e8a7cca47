/* SBI IPI: a supervisor software interrupt (VSSIP) on each named vCPU. */
#include <arch/sbi.h>

#include "domain.h"

#define IPI_SEND_IPI 0

static struct sbi_ret ipi_handle(struct vcpu *v, unsigned long fid)
{
	struct sbi_ret ret = {SBI_ERR_NOT_SUPPORTED, 0};
	struct domain *d = v->dom;
	unsigned long mask;

	if (fid != IPI_SEND_IPI) {
		ret.error = SBI_ERR_NOT_SUPPORTED;
		return ret;
	}
	ret.error = sbi_hart_mask(SBI_ARG(v, 0), SBI_ARG(v, 1), d->nr_vcpus,
				   &mask);
	if (ret.error)
		return ret;
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		if (mask & (1UL << i)) {
			vcpu_pmu_fw_event(v, PMU_FW_IPI_SENT);
			vcpu_set_irq(d->vcpus[i], HVIP_VSSIP, true);
		}
	return ret;
}

const struct sbi_ext sbi_ext_ipi = {
	.name = "IPI",
	.eid_start = SBI_EXT_IPI,
	.eid_end = SBI_EXT_IPI,
	.handle = ipi_handle,
};
