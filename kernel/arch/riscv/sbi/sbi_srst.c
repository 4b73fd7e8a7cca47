/*
 * SBI SRST. Dom0 owns the machine: its shutdown or reboot is the host's. A
 * DomU's would end only that domain (the lifecycle issue wires it up).
 */
#include <arch/sbi.h>

#include "domain.h"
#include "vireo_abi.h"

#define SRST_SYSTEM_RESET 0
#define SRST_TYPE_SHUTDOWN 0
#define SRST_TYPE_COLD_REBOOT 1
#define SRST_TYPE_WARM_REBOOT 2
#define SRST_REASON_NONE 0
#define SRST_REASON_FAILURE 1

/*
 * SBI 2.0 clarifies 1.0: a reserved type or reason, or a vendor-specific one
 * the platform does not implement (Vireo implements none), is INVALID_PARAM.
 */
static long srst_check(unsigned long type, unsigned long reason)
{
	if (type > SRST_TYPE_WARM_REBOOT || reason > SRST_REASON_FAILURE)
		return SBI_ERR_INVALID_PARAM;
	return SBI_SUCCESS;
}

static struct sbi_ret srst_handle(struct vcpu *v, unsigned long fid)
{
	struct sbi_ret ret = {SBI_ERR_NOT_SUPPORTED, 0};
	unsigned long type = SBI_ARG(v, 0), reason = SBI_ARG(v, 1);

	if (fid != SRST_SYSTEM_RESET) {
		ret.error = SBI_ERR_NOT_SUPPORTED;
		return ret;
	}
	ret.error = srst_check(type, reason);
	if (ret.error)
		return ret;
	if (v->dom->is_dom0)
		host_system_reset(type, reason);
	/* A DomU's reset ends that domain; vireod applies on_poweroff/reboot. */
	domain_shutdown(v->dom, type == SRST_TYPE_SHUTDOWN ? VIREO_SHUTDOWN_POWEROFF
							   : VIREO_SHUTDOWN_REBOOT);
	return ret;
}

const struct sbi_ext sbi_ext_srst = {
	.name = "SRST",
	.eid_start = SBI_EXT_SRST,
	.eid_end = SBI_EXT_SRST,
	.handle = srst_handle,
};
