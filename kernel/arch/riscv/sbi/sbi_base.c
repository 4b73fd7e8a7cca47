/* SBI BASE extension: versions, implementation ID and probing. */
#include <arch/sbi.h>

#include "domain.h"
#include "vcpu.h"

#define BASE_GET_SPEC_VERSION 0
#define BASE_GET_IMPL_ID 1
#define BASE_GET_IMPL_VERSION 2
#define BASE_PROBE_EXT 3
#define BASE_GET_MVENDORID 4
#define BASE_GET_MARCHID 5
#define BASE_GET_MIMPID 6

/*
 * mvendorid, marchid and mimpid of the host's harts, as OpenSBI reports
 * them to the hypervisor at boot: guests see the machine they run on, as
 * under KVM. Linux keys its errata (SiFive, T-Head, Andes) on them, and
 * /proc/cpuinfo shows them.
 */
static unsigned long machine_ids[3];

void sbi_base_set_machine_ids(unsigned long mvendorid, unsigned long marchid,
			      unsigned long mimpid)
{
	machine_ids[0] = mvendorid;
	machine_ids[1] = marchid;
	machine_ids[2] = mimpid;
}

/* The legacy entry spans EIDs 0x00-0x0F but offers only some of them. */
static bool probe_ext(const struct vcpu *v, unsigned long eid)
{
	const struct sbi_ext *ext = sbi_find_ext(eid);

	if (ext != &sbi_ext_legacy)
		return sbi_ext_offered(ext, v);
	return eid == SBI_EXT_LEGACY_SET_TIMER ||
	       eid == SBI_EXT_LEGACY_PUTCHAR || eid == SBI_EXT_LEGACY_GETCHAR ||
	       eid == SBI_EXT_LEGACY_SHUTDOWN;
}

static struct sbi_ret base_handle(struct vcpu *v, unsigned long fid)
{
	struct sbi_ret ret = {SBI_ERR_NOT_SUPPORTED, 0};
	unsigned long i;

	ret.error = SBI_SUCCESS;
	switch (fid) {
	case BASE_GET_SPEC_VERSION:
		ret.value = SBI_SPEC_VERSION;
		break;
	case BASE_GET_IMPL_ID:
		ret.value = SBI_IMPL_ID_VIREO;
		break;
	case BASE_GET_IMPL_VERSION:
		ret.value = SBI_IMPL_VERSION;
		break;
	case BASE_PROBE_EXT:
		ret.value = probe_ext(v, SBI_ARG(v, 0));
		break;
	case BASE_GET_MVENDORID:
	case BASE_GET_MARCHID:
	case BASE_GET_MIMPID:
		/* xl.cfg may give a DomU its own (mvendorid = ...). */
		i = fid - BASE_GET_MVENDORID;
		ret.value = (long)((v->dom->own_machine_ids & (1U << i))
					   ? v->dom->machine_ids[i]
					   : machine_ids[i]);
		break;
	default:
		ret.error = SBI_ERR_NOT_SUPPORTED;
	}
	return ret;
}

const struct sbi_ext sbi_ext_base = {
	.name = "BASE",
	.eid_start = SBI_EXT_BASE,
	.eid_end = SBI_EXT_BASE,
	.handle = base_handle,
};
