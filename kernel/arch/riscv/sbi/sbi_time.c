/* SBI TIME: set_timer lands in the vCPU's vstimecmp (Sstc). */
#include <arch/sbi.h>

#include "vcpu.h"

#define TIME_SET_TIMER 0

static struct sbi_ret time_handle(struct vcpu *v, unsigned long fid)
{
	struct sbi_ret ret = {SBI_ERR_NOT_SUPPORTED, 0};
	if (fid != TIME_SET_TIMER) {
		ret.error = SBI_ERR_NOT_SUPPORTED;
		return ret;
	}
	vcpu_pmu_fw_event(v, PMU_FW_SET_TIMER);
	vcpu_set_timer(v, SBI_ARG(v, 0));
	ret.error = SBI_SUCCESS;
	return ret;
}

const struct sbi_ext sbi_ext_time = {
	.name = "TIME",
	.eid_start = SBI_EXT_TIME,
	.eid_end = SBI_EXT_TIME,
	.handle = time_handle,
};
