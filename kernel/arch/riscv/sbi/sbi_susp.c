/*
 * SBI SUSP (system suspend, SBI 2.0) for DomUs, and its other half, the
 * s3resume trigger (`vl trigger NAME s3resume`, as xl's).
 *
 * Suspend to RAM stops the domain with shutdown reason SUSPEND: its RAM
 * and devices stay, vireod takes no on_* action, `vl list` shows it as
 * shut down (---s--), `vl destroy` still works. The trigger resumes the
 * vCPU that suspended at its resume address with a0 = hart id, a1 =
 * opaque, satp = 0 and interrupts off, as the spec's non-retentive resume.
 */
#include <arch/sbi.h>

#include "domain.h"
#include "vireo_abi.h"

#define SUSP_SYSTEM_SUSPEND 0
#define SUSP_TO_RAM 0x00000000U

/*
 * The spec's entry criteria: every other hart STOPPED, else DENIED; the
 * type is 32 bits, and anything but suspend-to-RAM is reserved or
 * platform-specific (Vireo has none): INVALID_PARAM.
 */
static struct sbi_ret susp_handle(struct vcpu *v, unsigned long fid)
{
	struct sbi_ret ret = {SBI_SUCCESS, 0};
	struct domain *d = v->dom;

	if (fid != SUSP_SYSTEM_SUSPEND) {
		ret.error = SBI_ERR_NOT_SUPPORTED;
		return ret;
	}
	if ((uint32_t)SBI_ARG(v, 0) != SUSP_TO_RAM) {
		ret.error = SBI_ERR_INVALID_PARAM;
		return ret;
	}
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i] != v && d->vcpus[i]->state != VCPU_STOPPED) {
			ret.error = SBI_ERR_DENIED;
			return ret;
		}
	if (!sbi_entry_ok(d, SBI_ARG(v, 1))) {
		ret.error = SBI_ERR_INVALID_ADDRESS;
		return ret;
	}
	d->suspend_vcpu = v->id;
	d->suspend_pc = SBI_ARG(v, 1);
	d->suspend_opaque = SBI_ARG(v, 2);
	v->state = VCPU_STOPPED;
	domain_shutdown(d, VIREO_SHUTDOWN_SUSPEND);
	return ret;
}

long domain_trigger(struct domain *d, unsigned long trigger)
{
	struct vcpu *v;

	if (trigger != VIREO_TRIGGER_S3RESUME)
		return SBI_ERR_NOT_SUPPORTED;
	if (d->shutdown_reason != VIREO_SHUTDOWN_SUSPEND)
		return SBI_ERR_INVALID_PARAM;
	v = domain_vcpu(d, d->suspend_vcpu);
	if (!v)
		return SBI_ERR_FAILED;
	/* Runnable again first, so that vcpu_start's kick lets it run. */
	d->shutdown_reason = VIREO_SHUTDOWN_NONE;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vcpu_start(v, d->suspend_pc, v->id, d->suspend_opaque)) {
		d->shutdown_reason = VIREO_SHUTDOWN_SUSPEND;
		return SBI_ERR_FAILED;
	}
	return SBI_SUCCESS;
}

const struct sbi_ext sbi_ext_susp = {
	.name = "SUSP",
	.eid_start = SBI_EXT_SUSP,
	.eid_end = SBI_EXT_SUSP,
	.handle = susp_handle,
};
