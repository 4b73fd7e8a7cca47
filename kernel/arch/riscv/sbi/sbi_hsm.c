/* SBI HSM: start, stop and query the domain's vCPUs (its "harts"). */
#include <arch/arch.h>
#include <arch/sbi.h>

#include "domain.h"

#define HSM_HART_START 0
#define HSM_HART_STOP 1
#define HSM_HART_GET_STATUS 2
#define HSM_HART_SUSPEND 3

#define HSM_STATE_STARTED 0
#define HSM_STATE_STOPPED 1
#define HSM_STATE_SUSPENDED 4

#define HSM_SUSPEND_RETENTIVE 0x00000000U
#define HSM_SUSPEND_NON_RETENTIVE 0x80000000U

bool sbi_entry_ok(struct domain *d, unsigned long pc)
{
	unsigned long prot;

	return !(pc & 1) && p2m_lookup(&d->p2m, pc, NULL, &prot) &&
	       (prot & P2M_PROT_X);
}

static long hart_start(struct vcpu *v)
{
	struct vcpu *t = domain_vcpu(v->dom, SBI_ARG(v, 0));
	unsigned long pc = SBI_ARG(v, 1);

	if (!t)
		return SBI_ERR_INVALID_PARAM;
	if (!sbi_entry_ok(v->dom, pc))
		return SBI_ERR_INVALID_ADDRESS;
	if (!vcpu_start(t, pc, t->id, SBI_ARG(v, 2)))
		return SBI_ERR_ALREADY_AVAILABLE;
	return SBI_SUCCESS;
}

static unsigned long hart_status(const struct vcpu *t)
{
	if (t->state == VCPU_STOPPED)
		return HSM_STATE_STOPPED;
	if (t->hsm_suspended && t->state == VCPU_BLOCKED)
		return HSM_STATE_SUSPENDED;
	return HSM_STATE_STARTED;
}

/*
 * hart_suspend. Both kinds wait as WFI does, for an interrupt pending and
 * enabled in the guest's sie (the scheduler wakes a blocked vCPU on just
 * that), and read as SUSPENDED meanwhile. Retentive returns from the call;
 * non-retentive resumes at resume_addr with a0 = hart id, a1 = opaque,
 * satp = 0 and sstatus.SIE = 0, in S-mode (where the call came from).
 * suspend_type is 32 bits: on RV64 the upper half of a0 is not looked at.
 * Anything but the two default types is reserved, or platform-specific
 * and Vireo has none: INVALID_PARAM.
 */
static struct sbi_ret hart_suspend(struct vcpu *v)
{
	uint32_t type = (uint32_t)SBI_ARG(v, 0);
	unsigned long resume = SBI_ARG(v, 1);
	struct sbi_ret ret = {SBI_SUCCESS, 0};

	if (type != HSM_SUSPEND_RETENTIVE && type != HSM_SUSPEND_NON_RETENTIVE) {
		ret.error = SBI_ERR_INVALID_PARAM;
		return ret;
	}
	if (type == HSM_SUSPEND_NON_RETENTIVE) {
		if (!sbi_entry_ok(v->dom, resume)) {
			ret.error = SBI_ERR_INVALID_ADDRESS;
			return ret;
		}
		vcpu_arch_resume_state(v);
		/* The trap adds 4 to sepc after every SBI call. */
		v->regs.sepc = resume - 4;
		/* sbi_ecall puts error and value in a0 and a1. */
		ret.error = (long)v->id;
		ret.value = (long)SBI_ARG(v, 2);
	}
	v->hsm_suspended = true;
	v->state = VCPU_BLOCKED;
	return ret;
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
		v->sta_on = false; /* a restarted hart gives its record anew */
		v->state = VCPU_STOPPED;
		return ret;
	case HSM_HART_GET_STATUS:
		t = domain_vcpu(v->dom, SBI_ARG(v, 0));
		if (!t)
			ret.error = SBI_ERR_INVALID_PARAM;
		else
			ret.value = (long)hart_status(t);
		return ret;
	case HSM_HART_SUSPEND:
		return hart_suspend(v);
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
