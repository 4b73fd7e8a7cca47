/* SBI HSM: start, stop and query the domain's vCPUs (its "harts"). */
#include "domain.h"
#include "sbi.h"

#define HSM_HART_START 0
#define HSM_HART_STOP 1
#define HSM_HART_GET_STATUS 2
#define HSM_HART_SUSPEND 3

#define HSM_STATE_STARTED 0
#define HSM_STATE_STOPPED 1

#define HSM_SUSPEND_RETENTIVE 0x00000000UL
#define HSM_SUSPEND_NON_RETENTIVE 0x80000000UL

/* A start address must be executable guest memory. */
static bool start_addr_ok(struct domain *d, unsigned long pc)
{
	unsigned long prot;

	return !(pc & 1) && gstage_lookup(&d->gs, pc, NULL, &prot) &&
	       (prot & GSTAGE_PROT_X);
}

static long hart_start(struct vcpu *v)
{
	struct vcpu *t = domain_vcpu(v->dom, SBI_ARG(v, 0));
	unsigned long pc = SBI_ARG(v, 1);

	if (!t)
		return SBI_ERR_INVALID_PARAM;
	if (!start_addr_ok(v->dom, pc))
		return SBI_ERR_INVALID_ADDRESS;
	if (!vcpu_start(t, pc, t->id, SBI_ARG(v, 2)))
		return SBI_ERR_ALREADY_AVAILABLE;
	return SBI_SUCCESS;
}

static struct sbi_ret hsm_handle(struct vcpu *v, unsigned long fid)
{
	struct sbi_ret ret = {SBI_ERR_NOT_SUPPORTED, 0};
	struct vcpu *t;

	ret.error = SBI_SUCCESS;
	switch (fid) {
	case HSM_HART_START:
		ret.error = hart_start(v);
		return ret;
	case HSM_HART_STOP:
		v->state = VCPU_STOPPED;
		return ret;
	case HSM_HART_GET_STATUS:
		t = domain_vcpu(v->dom, SBI_ARG(v, 0));
		if (!t)
			ret.error = SBI_ERR_INVALID_PARAM;
		else
			ret.value = t->state == VCPU_STOPPED ? HSM_STATE_STOPPED
							      : HSM_STATE_STARTED;
		return ret;
	case HSM_HART_SUSPEND:
		if (SBI_ARG(v, 0) == HSM_SUSPEND_RETENTIVE) {
			/* Retentive suspend behaves as WFI. */
			v->state = VCPU_BLOCKED;
			return ret;
		}
		/*
		 * Any other type is reserved, or platform-specific and not
		 * implemented (Vireo has none): INVALID_PARAM, as for SRST.
		 */
		ret.error = SBI_ARG(v, 0) == HSM_SUSPEND_NON_RETENTIVE
				 ? SBI_ERR_NOT_SUPPORTED
				 : SBI_ERR_INVALID_PARAM;
		return ret;
	default:
		ret.error = SBI_ERR_NOT_SUPPORTED;
		return ret;
	}
}

const struct sbi_ext sbi_ext_hsm = {
	.name = "HSM",
	.eid_start = SBI_EXT_HSM,
	.eid_end = SBI_EXT_HSM,
	.handle = hsm_handle,
};
