/*
 * SBI HSM suspend, resume and stop (ext-hsm.adoc). The subject, one
 * secondary vCPU, suspends itself; the boot vCPU (the driver) watches its
 * status from outside (SUSPENDED, and hart_start refused with
 * ALREADY_AVAILABLE) and wakes it with an IPI. Retentive suspend returns
 * like WFI; non-retentive suspend resumes at resume_addr with a0 = hart
 * id, a1 = opaque, sstatus.SIE = 0 and satp = 0. After three such cycles
 * the subject stops and the driver starts it again.
 */
#include "sbi_checks.h"

#define HSM_START 0
#define HSM_STOP 1
#define HSM_STATUS 2
#define HSM_SUSPEND 3
#define ST_STARTED 0
#define ST_STOPPED 1
#define ST_SUSPENDED 4
#define NONRET 0x80000000UL
#define CYCLES 3

static volatile unsigned long phase, reborn, time_done, subject = ~0UL;

static struct sbiret hsm(unsigned long fid, unsigned long a0,
			 unsigned long a1, unsigned long a2)
{
	return sbi_call(SBI_EXT_HSM, fid, a0, a1, a2, 0, 0, 0);
}

bool hsm_is_subject(unsigned long hartid)
{
	__atomic_add_fetch(&time_done, 1, __ATOMIC_RELEASE);
	return hartid == subject;
}

/* Suspend types the spec reserves, and one with RV64's upper bits set. */
static void suspend_types(void)
{
	static const unsigned long reserved[] = {1, 0x0fffffff, 0x80000001,
						 0x8fffffff};
	uint64_t deadline;
	struct sbiret r;

	for (unsigned i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		r = hsm(HSM_SUSPEND, reserved[i],
			(unsigned long)guest_secondary_entry, OP_RESUMED);
		check(r.error == SBI_ERR_INVALID_PARAM, "hsm.reserved_type_invalid",
		      r.error);
	}
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, SIP_STIP);
	for (int upper = 0; upper < 2; upper++) {
		deadline = rdtime() + us_to_tb(5000);
		sbi_call(SBI_EXT_TIME, 0, deadline, 0, 0, 0, 0, 0);
		/* suspend_type is 32 bits: on RV64 the upper half is ignored. */
		r = hsm(HSM_SUSPEND, upper ? 1UL << 63 : 0, 0, 0);
		while (!(csr_read(sip) & SIP_STIP) && rdtime() < deadline)
			; /* an early return is allowed, as for WFI */
		check(r.error == 0,
		      upper ? "hsm.type_upper_bits_ignored" : "hsm.retentive_timer",
		      r.error);
	}
	sbi_call(SBI_EXT_TIME, 0, ~0UL, 0, 0, 0, 0, 0);
	csr_write(sie, 0);
}

static void suspend_nonretentive(unsigned long cycle)
{
	struct sbiret r;

	csr_write(sie, SIP_SSIP);
	phase = 10 + cycle;
	csr_set(sstatus, SSTATUS_SIE); /* the resume must clear it */
	r = hsm(HSM_SUSPEND, NONRET, (unsigned long)guest_secondary_entry,
		OP_RESUMED + cycle);
	csr_clear(sstatus, SSTATUS_SIE);
	check(false, "hsm.nonretentive_resumes_elsewhere", r.error);
}

void hsm_subject(void)
{
	struct sbiret r;

	suspend_types();
	csr_write(sie, SIP_SSIP);
	phase = 1;
	r = hsm(HSM_SUSPEND, 0, 0, 0);
	check(r.error == 0 && (csr_read(sip) & SIP_SSIP),
	      "hsm.retentive_ipi_wakes", r.error);
	csr_clear(sip, SIP_SSIP);
	phase = 2;
	suspend_nonretentive(0);
}

void hsm_resumed(unsigned long hartid, unsigned long opaque)
{
	unsigned long cycle = opaque - OP_RESUMED;

	if (opaque == OP_REBORN) {
		reborn = 1;
		return;
	}
	check(hartid == subject && cycle < CYCLES, "hsm.resume_a0_a1",
	      (long)opaque);
	check(!(csr_read(sstatus) & SSTATUS_SIE), "hsm.resume_sie_clear", 0);
	check(csr_read(satp) == 0, "hsm.resume_satp_bare", 0);
	csr_clear(sip, SIP_SSIP);
	if (cycle >= CYCLES)
		return;
	phase = 20 + cycle;
	if (cycle + 1 < CYCLES) {
		suspend_nonretentive(cycle + 1);
		return;
	}
	phase = 30;
	hsm(HSM_STOP, 0, 0, 0);
	check(false, "hsm.stop_returned", 0);
}

static bool wait_phase(unsigned long want)
{
	uint64_t end = rdtime() + us_to_tb(20000000);

	while (phase != want)
		if (rdtime() > end)
			return false;
	return true;
}

/* Poll the subject's status until it reads want (2 s at most). */
static bool status_becomes(unsigned long want)
{
	uint64_t end = rdtime() + us_to_tb(2000000);
	struct sbiret r;

	do {
		r = hsm(HSM_STATUS, subject, 0, 0);
		if (r.error == 0 && (unsigned long)r.value == want)
			return true;
	} while (rdtime() < end);
	return false;
}

/* The subject is (or should be) suspended: look at it, then wake it. */
static void watch_and_wake(unsigned long wake_phase, const char *name)
{
	struct sbiret r;

	check(wait_phase(wake_phase), "hsm.subject_progress", (long)phase);
	check(status_becomes(ST_SUSPENDED), name, 0);
	r = hsm(HSM_START, subject, (unsigned long)guest_secondary_entry,
		OP_REBORN);
	check(r.error == SBI_ERR_ALREADY_AVAILABLE,
	      "hsm.start_suspended_already_available", r.error);
	sbi_call(SBI_EXT_IPI, 0, 1UL << subject, 0, 0, 0, 0, 0);
}

static void status_checks(void)
{
	unsigned long self = guest_hartid();
	struct sbiret r = hsm(HSM_STATUS, self, 0, 0);

	check(r.error == 0 && r.value == ST_STARTED, "hsm.status_self_started",
	      r.value);
	r = hsm(HSM_STATUS, guest.nr_harts, 0, 0);
	check(r.error == SBI_ERR_INVALID_PARAM, "hsm.status_bad_hart", r.error);
	r = hsm(HSM_START, self, (unsigned long)guest_secondary_entry, 0);
	check(r.error == SBI_ERR_ALREADY_AVAILABLE, "hsm.start_self_already",
	      r.error);
}

/*
 * The other vCPUs run their time checks meanwhile (each counts itself in
 * time_done when through); on a loaded host one may still be at it when
 * the HSM cycles are over (natively, beside a make test, in 7 runs of 40).
 */
static bool time_all_done(void)
{
	uint64_t end = rdtime() + us_to_tb(20000000);

	while (time_done + 1 < guest.nr_harts)
		if (rdtime() > end)
			return false;
	return true;
}

void hsm_driver(void)
{
	struct sbiret r;

	status_checks();
	if (subject == ~0UL) {
		guest_printf("SBI-INFO hsm-suspend skipped: one hart\n");
		return;
	}
	watch_and_wake(1, "hsm.status_suspended_retentive");
	for (unsigned long c = 0; c < CYCLES; c++)
		watch_and_wake(10 + c, "hsm.status_suspended_nonretentive");
	check(wait_phase(30), "hsm.subject_progress", (long)phase);
	check(status_becomes(ST_STOPPED), "hsm.stop_after_suspend_cycles", 0);
	r = hsm(HSM_START, subject, (unsigned long)guest_secondary_entry,
		OP_REBORN);
	check(r.error == 0, "hsm.restart_after_stop", r.error);
	check(wait_flag(&reborn, 5000000), "hsm.restarted_runs", 0);
	check(wait_phase(30) && time_all_done(), "time.all_vcpus_done",
	      (long)time_done);
}

/* Called by the boot vCPU before it starts the others. */
void hsm_pick_subject(unsigned long boot)
{
	if (guest.nr_harts > 1)
		subject = boot == 0 ? 1 : 0;
}
