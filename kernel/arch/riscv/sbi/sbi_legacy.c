/*
 * SBI v0.1 legacy calls, kept for earlycon=sbi (putchar) and old guests.
 * Each legacy extension is its own EID and returns one value in a0. The
 * legacy IPI and fence calls, which pass guest-virtual mask pointers, are
 * not offered: Linux 6.1 uses them only with SBI < 0.2.
 */
#include <arch/sbi.h>

#include "domain.h"
#include "vireo_abi.h"

static struct sbi_ret legacy_handle(struct vcpu *v, unsigned long fid)
{
	struct sbi_ret ret = {SBI_ERR_NOT_SUPPORTED, 0};
	char c;

	ret.error = SBI_SUCCESS;
	switch (v->regs.x[REG_A7]) {
	case SBI_EXT_LEGACY_SET_TIMER:
		vcpu_pmu_fw_event(v, PMU_FW_SET_TIMER);
		vcpu_set_timer(v, SBI_ARG(v, 0));
		break;
	case SBI_EXT_LEGACY_PUTCHAR:
		c = (char)SBI_ARG(v, 0);
		domain_console_write(v->dom, &c, 1);
		break;
	case SBI_EXT_LEGACY_GETCHAR:
		ret.error = -1; /* no input: it belongs to the vUART */
		break;
	case SBI_EXT_LEGACY_SHUTDOWN:
		if (v->dom->is_dom0)
			host_system_reset(0, 0);
		domain_shutdown(v->dom, VIREO_SHUTDOWN_POWEROFF);
		break;
	default:
		ret.error = SBI_ERR_NOT_SUPPORTED;
	}
	return ret;
}

const struct sbi_ext sbi_ext_legacy = {
	.name = "LEGACY",
	.eid_start = SBI_EXT_LEGACY_SET_TIMER,
	.eid_end = 0x0f,
	.legacy = true,
	.handle = legacy_handle,
};
