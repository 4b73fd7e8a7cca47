/*
 * SBI SUSP (system suspend to RAM, SBI 2.0), when offered. Entry criteria
 * first: with the other vCPUs running it is DENIED; a reserved type is
 * INVALID_PARAM, a resume address outside RAM INVALID_ADDRESS. Then the
 * others stop (HSM), the boot vCPU suspends the domain and prints
 * "SBI-SUSPENDING 1"; the test runner sees the domain shut down (---s--),
 * resumes it (`vl trigger NAME s3resume`), and the guest goes on at the
 * resume address with a0 = hart id, a1 = opaque, satp = 0, SIE = 0. It
 * prints its result and suspends once more ("SBI-SUSPENDING 2"), for the
 * runner to destroy it while suspended.
 */
#include "sbi_checks.h"

#define SUSP_SUSPEND 0
#define HSM_STOP 1
#define HSM_STATUS 2
#define ST_STOPPED 1

static volatile unsigned long stop_now, boot_hart;

static struct sbiret suspend(unsigned long type, unsigned long resume,
			     unsigned long opaque)
{
	return sbi_call(SBI_EXT_SUSP, SUSP_SUSPEND, type, resume, opaque, 0, 0,
			0);
}

/* A secondary with nothing left to do: wait for an IPI telling it to stop. */
void susp_park(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, SIP_SSIP);
	for (;;) {
		if (stop_now)
			sbi_call(SBI_EXT_HSM, HSM_STOP, 0, 0, 0, 0, 0, 0);
		__asm__ volatile("wfi");
		csr_clear(sip, SIP_SSIP);
	}
}

static bool others_stopped(void)
{
	uint64_t end = rdtime() + us_to_tb(5000000);
	unsigned long self = guest_hartid(), mask = 0;

	stop_now = 1;
	for (unsigned long h = 0; h < guest.nr_harts; h++)
		if (h != self)
			mask |= 1UL << h;
	sbi_call(SBI_EXT_IPI, 0, mask, 0, 0, 0, 0, 0);
	for (unsigned long h = 0; h < guest.nr_harts; h++)
		while (h != self &&
		       sbi_call(SBI_EXT_HSM, HSM_STATUS, h, 0, 0, 0, 0, 0).value !=
			       ST_STOPPED)
			if (rdtime() > end)
				return false;
	return true;
}

bool susp_checks(void)
{
	unsigned long entry = (unsigned long)guest_secondary_entry;
	struct sbiret r;

	if (!sbi_has(SBI_EXT_SUSP)) {
		guest_printf("SBI-INFO susp absent\n");
		return false;
	}
	boot_hart = guest_hartid();
	if (guest.nr_harts > 1) {
		r = suspend(0, entry, OP_SUSP);
		check(r.error == SBI_ERR_DENIED, "susp.denied_while_others_run",
		      r.error);
	}
	r = suspend(1, entry, OP_SUSP);
	check(r.error == SBI_ERR_INVALID_PARAM, "susp.reserved_type_invalid",
	      r.error);
	check(others_stopped(), "susp.others_stopped", 0);
	r = suspend(0, 0x1000, OP_SUSP);
	check(r.error == SBI_ERR_INVALID_ADDRESS, "susp.bad_resume_address",
	      r.error);
	guest_printf("SBI-SUSPENDING 1\n");
	csr_set(sstatus, SSTATUS_SIE); /* the resume must clear it */
	r = suspend(0, entry, OP_SUSP);
	csr_clear(sstatus, SSTATUS_SIE);
	check(false, "susp.suspend_returned", r.error);
	return false;
}

void susp_resumed(unsigned long hartid, unsigned long opaque)
{
	check(hartid == boot_hart && opaque == OP_SUSP, "susp.resume_a0_a1",
	      (long)opaque);
	check(!(csr_read(sstatus) & SSTATUS_SIE), "susp.resume_sie_clear", 0);
	check(csr_read(satp) == 0, "susp.resume_satp_bare", 0);
	sbi_report();
	guest_printf("SBI-SUSPENDING 2\n");
	suspend(0, (unsigned long)guest_secondary_entry, OP_SUSP + 1);
	guest_printf("SBI-SUSPEND-FAILED\n");
}
