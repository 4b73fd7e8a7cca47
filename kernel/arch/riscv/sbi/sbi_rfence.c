/*
 * SBI RFENCE: remote FENCE.I and SFENCE.VMA for the guest's own harts. Each
 * target vCPU flushes (hfence.vvma under its VMID, or fence.i) before it next
 * runs guest code; vcpu_request_fence waits until running targets have.
 * The HFENCE functions are for guests with the H extension, which ours lack.
 */
#include <arch/sbi.h>

#include "domain.h"

#define RFENCE_FENCE_I 0
#define RFENCE_SFENCE_VMA 1
#define RFENCE_SFENCE_VMA_ASID 2

static struct sbi_ret rfence_handle(struct vcpu *v, unsigned long fid)
{
	struct sbi_ret ret = {SBI_ERR_NOT_SUPPORTED, 0};
	struct domain *d = v->dom;
	unsigned long mask;
	uint32_t req;

	switch (fid) {
	case RFENCE_FENCE_I:
		req = VCPU_REQ_FENCE_I;
		break;
	case RFENCE_SFENCE_VMA:
	case RFENCE_SFENCE_VMA_ASID:
		/* A full flush of the VMID covers any range or ASID. */
		req = VCPU_REQ_HFENCE_VVMA;
		break;
	default:
		ret.error = SBI_ERR_NOT_SUPPORTED;
		return ret;
	}
	ret.error = sbi_hart_mask(SBI_ARG(v, 0), SBI_ARG(v, 1), d->nr_vcpus,
				   &mask);
	if (ret.error)
		return ret;
	vcpu_pmu_fw_event(v, fid == RFENCE_FENCE_I ? PMU_FW_FENCE_I_SENT
				   : fid == RFENCE_SFENCE_VMA
				   ? PMU_FW_SFENCE_VMA_SENT
				   : PMU_FW_SFENCE_VMA_ASID_SENT);
	vcpu_request_fence(d, mask, req);
	return ret;
}

const struct sbi_ext sbi_ext_rfence = {
	.name = "RFENCE",
	.eid_start = SBI_EXT_RFENCE,
	.eid_end = SBI_EXT_RFENCE,
	.handle = rfence_handle,
};
