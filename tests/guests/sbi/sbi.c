/*
 * SBI conformance checks (issue 9), run as a DomU with more vCPUs than
 * harts, and natively on QEMU with OpenSBI as the reference: the same
 * Image must pass on both, except where an extension is absent (probed)
 * or the spec lets the two differ (the versions and ids, printed).
 *
 *   SBI-CHECK <hart> <name> ok|FAIL [detail]
 *   SBI-INFO <key> <value>
 *   SBI-RESULT checks=N failed=F
 *
 * BASE, DBCN, PMU and STA run on the boot vCPU; TIME on every vCPU at once, so
 * that vCPUs sharing a hart are descheduled in the middle of each check;
 * HSM suspend, resume and stop on one secondary vCPU driven by the boot
 * vCPU, which watches its status from outside.
 */
#include "sbi_checks.h"

static volatile unsigned long nchecks, nfailed;

void check(bool ok, const char *name, long got)
{
	__atomic_add_fetch(&nchecks, 1, __ATOMIC_RELAXED);
	if (!ok)
		__atomic_add_fetch(&nfailed, 1, __ATOMIC_RELAXED);
	if (ok)
		guest_printf("SBI-CHECK %lu %s ok\n", guest_hartid(), name);
	else
		guest_printf("SBI-CHECK %lu %s FAIL got %ld (%lx)\n",
			     guest_hartid(), name, got, (unsigned long)got);
}

bool sbi_has(unsigned long ext)
{
	return sbi_call(SBI_EXT_BASE, 3, ext, 0, 0, 0, 0, 0).value != 0;
}

/* Busy-wait up to us microseconds for *flag to become nonzero. */
bool wait_flag(volatile unsigned long *flag, uint64_t us)
{
	uint64_t end = rdtime() + us * (TB_HZ / 1000000);

	while (!*flag)
		if (rdtime() > end)
			return false;
	return true;
}

static void base_checks(void)
{
	struct sbiret r = sbi_call(SBI_EXT_BASE, 0, 0, 0, 0, 0, 0, 0);
	unsigned long ver = (unsigned long)r.value;

	guest_printf("SBI-INFO spec %lu.%lu\n", ver >> 24 & 0x7f, ver & 0xffffff);
	check(r.error == 0 && ver >= (1UL << 24), "base.spec_version", r.value);
	r = sbi_call(SBI_EXT_BASE, 1, 0, 0, 0, 0, 0, 0);
	guest_printf("SBI-INFO impl_id %ld\n", r.value);
	for (unsigned long fid = 4; fid <= 6; fid++) {
		r = sbi_call(SBI_EXT_BASE, fid, 0, 0, 0, 0, 0, 0);
		check(r.error == 0, "base.machine_id", r.error);
		guest_printf("SBI-INFO %s %lx\n",
			     fid == 4 ? "mvendorid" : fid == 5 ? "marchid" : "mimpid",
			     (unsigned long)r.value);
	}
	check(sbi_call(SBI_EXT_BASE, 7, 0, 0, 0, 0, 0, 0).error ==
		      SBI_ERR_NOT_SUPPORTED,
	      "base.unknown_fid", 0);
	check(sbi_has(SBI_EXT_BASE) && sbi_has(SBI_EXT_TIME) &&
		      sbi_has(SBI_EXT_IPI) && sbi_has(SBI_EXT_HSM) &&
		      sbi_has(SBI_EXT_SRST),
	      "base.probe_present", 0);
	check(!sbi_has(0x12345678), "base.probe_absent", 0);
	/* QEMU 7.2 backs none of FWFT's features: it must not be offered. */
	check(!sbi_has(SBI_EXT_FWFT), "base.no_fwft", 0);
	/* 2.0 brought DBCN and SUSP; offering them means 2.0 or later. */
	if (sbi_has(SBI_EXT_DBCN) || sbi_has(SBI_EXT_SUSP))
		check(ver >= (2UL << 24), "base.spec_2_for_dbcn", (long)ver);
}

static bool poweroff;

void sbi_report(void)
{
	guest_printf("SBI-RESULT checks=%lu failed=%lu\n", nchecks, nfailed);
	if (poweroff)
		sbi_call(SBI_EXT_SRST, 0, 0, 0, 0, 0, 0, 0);
}

void guest_main(unsigned long hartid)
{
	guest_printf("SBI-INFO harts %u boot %lu\n", guest.nr_harts, hartid);
	poweroff = guest_arg("poweroff=", 1);
	base_checks();
	dbcn_checks();
	pmu_checks();
	hsm_pick_subject(hartid);
	sta_begin();
	guest_start_secondaries(OP_WORK);
	time_checks();
	sta_end();
	hsm_driver();
	if (!susp_checks())
		sbi_report();
}

void guest_secondary(unsigned long hartid, unsigned long opaque)
{
	if (opaque == OP_WORK) {
		time_checks();
		if (hsm_is_subject(hartid))
			hsm_subject();
		else
			susp_park();
		return;
	}
	if (opaque == OP_REBORN) {
		hsm_resumed(hartid, opaque);
		susp_park();
	}
	if ((opaque & ~0xffffUL) == OP_SUSP) {
		susp_resumed(hartid, opaque);
		return;
	}
	hsm_resumed(hartid, opaque);
}
