/* Names and totals of the per-hart trap counters. */
#include "pcpu.h"
#include "trapstat.h"
#include "vireo_abi.h"

_Static_assert(VIREO_HC_MAX < TRAPSTAT_HCALLS, "trapstat: hcall slots");

static const char *const names[TRAPSTAT_SLOTS] = {
	[1] = "instruction access fault",
	[2] = "illegal instruction",
	[5] = "load access fault",
	[7] = "store access fault",
	[10] = "VS ecall (SBI)",
	[20] = "instruction guest-page fault",
	[21] = "load guest-page fault (MMIO)",
	[22] = "virtual instruction (WFI)",
	[23] = "store guest-page fault (MMIO)",
	[TRAPSTAT_EXC + 1] = "S software interrupt (IPI)",
	[TRAPSTAT_EXC + 5] = "S timer interrupt",
	[TRAPSTAT_EXC + 9] = "S external interrupt",
};

/* abi/vireo_abi.h's VIREO_HC_* in lower case, for the monitor. */
static const char *const hcall_names[TRAPSTAT_HCALLS] = {
	[VIREO_HC_VERSION] = "version",
	[VIREO_HC_PHYSINFO] = "physinfo",
	[VIREO_HC_DOMAIN_CREATE] = "domain_create",
	[VIREO_HC_DOMAIN_DESTROY] = "domain_destroy",
	[VIREO_HC_DOMAIN_PAUSE] = "domain_pause",
	[VIREO_HC_DOMAIN_UNPAUSE] = "domain_unpause",
	[VIREO_HC_DOMAIN_GETINFO] = "domain_getinfo",
	[VIREO_HC_DOMAIN_LIST] = "domain_list",
	[VIREO_HC_MEMORY_POPULATE] = "memory_populate",
	[VIREO_HC_VCPU_SET_ENTRY] = "vcpu_set_entry",
	[VIREO_HC_FOREIGN_MAP] = "foreign_map",
	[VIREO_HC_FOREIGN_UNMAP] = "foreign_unmap",
	[VIREO_HC_CONSOLE_READ] = "console_read",
	[VIREO_HC_CONSOLE_WRITE] = "console_write",
	[VIREO_HC_LOG_READ] = "log_read",
	[VIREO_HC_DOMAIN_CONTROL] = "domain_control",
	[VIREO_HC_EVTCHN_INIT] = "evtchn_init",
	[VIREO_HC_EVTCHN_ALLOC_UNBOUND] = "evtchn_alloc_unbound",
	[VIREO_HC_EVTCHN_BIND_INTERDOMAIN] = "evtchn_bind_interdomain",
	[VIREO_HC_EVTCHN_BIND_VIRQ] = "evtchn_bind_virq",
	[VIREO_HC_EVTCHN_SEND] = "evtchn_send",
	[VIREO_HC_EVTCHN_UNMASK] = "evtchn_unmask",
	[VIREO_HC_EVTCHN_CLOSE] = "evtchn_close",
	[VIREO_HC_DOMAIN_TRIGGER] = "domain_trigger",
	[VIREO_HC_FOREIGN_MAP_DIRECT] = "foreign_map_direct",
	[VIREO_HC_FOREIGN_RELEASE] = "foreign_release",
	[VIREO_HC_IOREQ_CREATE] = "ioreq_create",
	[VIREO_HC_IOREQ_MAP_RANGE] = "ioreq_map_range",
	[VIREO_HC_IOREQ_UNMAP_RANGE] = "ioreq_unmap_range",
	[VIREO_HC_IOREQ_LATCH] = "ioreq_latch",
	[VIREO_HC_IOREQ_COMPLETE] = "ioreq_complete",
	[VIREO_HC_IOREQ_DESTROY] = "ioreq_destroy",
};

const char *trapstat_name(unsigned slot)
{
	return slot < TRAPSTAT_SLOTS ? names[slot] : NULL;
}

uint64_t trapstat_total(unsigned slot, int side)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < nr_pcpus; i++)
		for (int s = 0; s < 2; s++)
			if (side < 0 || side == s)
				n += pcpus[i].stats.count[s][slot];
	return n;
}

uint64_t trapstat_hcalls(unsigned fid)
{
	uint64_t n = 0;

	if (fid >= TRAPSTAT_HCALLS)
		return 0;
	for (unsigned i = 0; i < nr_pcpus; i++)
		n += pcpus[i].stats.hcall[fid];
	return n;
}

const char *trapstat_hcall_name(unsigned fid)
{
	return fid < TRAPSTAT_HCALLS ? hcall_names[fid] : NULL;
}
