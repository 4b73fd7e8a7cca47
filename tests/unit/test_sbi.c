/*
 * Host unit test of the guest-facing SBI layer (kernel/arch/riscv/sbi/sbi*.c):
 * BASE, TIME, IPI, RFENCE, HSM, SRST, DBCN and legacy. Every case but
 * sbi_hart_mask goes through sbi_ecall() as a guest's ecall would; the
 * SBI 2.0 extensions (SUSP, STA, PMU) are in test_sbi_v2.c.
 */
#include "sbi_harness.h"

/* ------------------------------------------------------------------ cases */
static void test_unknown_eid(void)
{
	static const unsigned long eids[] = {
		0x0ABCDEF0, 0x08000000, 0x03, 0x04, 0x05, 0x06, 0x07, 0x09,
		0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x11, ~0UL,
		SBI_EXT_HSM + 1, SBI_EXT_TIME | 1UL << 32,
	};

	for (unsigned i = 0; i < ARRAY_SIZE(eids); i++) {
		setup(true);
		CHECK_EQ(call(eids[i], 0, 'x', POISON, 0), NOTSUP);
		CHECK_EQ(A1, eids[i] > 0x0F ? 0 : POISON); /* legacy: a0 only */
		CHECK(nothing_touched());
	}
}

static void test_unknown_fid(void)
{
	static const unsigned long c[][2] = {
		{SBI_EXT_BASE, 7}, {SBI_EXT_BASE, ~0UL}, {SBI_EXT_TIME, 1},
		{SBI_EXT_TIME, ~0UL}, {SBI_EXT_IPI, 1}, {SBI_EXT_RFENCE, 7},
		{SBI_EXT_HSM, 4}, {SBI_EXT_HSM, ~0UL}, {SBI_EXT_SRST, 1},
		{SBI_EXT_DBCN, 3}, {SBI_EXT_DBCN, ~0UL},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(c); i++) {
		setup(true);
		CHECK_EQ(call(c[i][0], c[i][1], RAM_BASE, 0, 0), NOTSUP);
		CHECK(nothing_touched());
		CHECK_EQ(V[0].state, VCPU_RUNNABLE);
	}
}

static void test_base(void)
{
	static const unsigned long have[] = {
		SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE,
		SBI_EXT_HSM, SBI_EXT_SRST, SBI_EXT_DBCN,
		0x00, 0x01, 0x02, 0x08, /* legacy calls Vireo offers */
	};
	/* 0x03-0x07, 0x09-0x0F: legacy EIDs Vireo does not offer */
	static const unsigned long lack[] = {
		0x0ABCDEF0, 0x03, 0x04, 0x07, 0x09, 0x0F, 0x11,
		SBI_EXT_RFENCE + 1, SBI_EXT_DBCN | 1UL << 32,
	};

	setup(false);
	CHECK_EQ(call(SBI_EXT_BASE, 0, 0, 0, 0), OK);
	CHECK_EQ(A1, 0x02000000); /* SBI 2.0 */
	CHECK_EQ(call(SBI_EXT_BASE, 1, 0, 0, 0), OK);
	CHECK_EQ(A1, SBI_IMPL_ID_VIREO);
	CHECK_EQ(call(SBI_EXT_BASE, 2, 0, 0, 0), OK);
	CHECK_EQ(A1, SBI_IMPL_VERSION);
	/* mvendorid, marchid, mimpid: the host's, as set at boot (QEMU
	 * 7.2's virt: 0, 0x70216, 0x70216), every call the same */
	sbi_base_set_machine_ids(0x489, 0x70216, 0x80000000000000ffUL);
	for (unsigned rep = 0; rep < 2; rep++) {
		CHECK_EQ(call(SBI_EXT_BASE, 4, 0, 0, 0), OK);
		CHECK_EQ(A1, 0x489);
		CHECK_EQ(call(SBI_EXT_BASE, 5, 0, 0, 0), OK);
		CHECK_EQ(A1, 0x70216);
		CHECK_EQ(call(SBI_EXT_BASE, 6, 0, 0, 0), OK);
		CHECK_EQ(A1, 0x80000000000000ffUL);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(have); i++) {
		CHECK_EQ(call(SBI_EXT_BASE, 3, have[i], 0, 0), OK);
		CHECK_EQ(A1, 1);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(lack); i++) {
		CHECK_EQ(call(SBI_EXT_BASE, 3, lack[i], 0, 0), OK);
		CHECK_EQ(A1, 0);
	}
	CHECK(nothing_touched());
}

static void test_time(void)
{
	setup(false);
	CHECK_EQ(call(SBI_EXT_TIME, 0, 0x123456789abcdef0UL, 0, 0), OK);
	CHECK_EQ(R.timer_calls, 1);
	CHECK_EQ(R.timer_val, 0x123456789abcdef0UL);
	CHECK_EQ(call(SBI_EXT_TIME, 0, ~0UL, 0, 0), OK);
	CHECK_EQ(R.timer_calls, 2);
	CHECK_EQ(R.timer_val, ~0UL);
}

static void test_hart_mask(void)
{
	static const struct {
		unsigned long mask, base;
		unsigned n;
		long err;
		unsigned long out;
	} c[] = {
		/* base -1: every hart, whatever the mask */
		{0, ~0UL, 2, OK, 0x3}, {0xF00, ~0UL, 8, OK, 0xFF},
		{0, ~0UL, 64, OK, ~0UL},
		{1, 0, 1, OK, 1}, {0, 0, 1, OK, 0},
		{2, 0, 1, INVAL, 0}, {1, 1, 1, INVAL, 0},
		{0xFF, 0, 8, OK, 0xFF}, {1, 7, 8, OK, 0x80},
		{5, 3, 8, OK, 0x28}, {0x100, 0, 8, INVAL, 0},
		{3, 7, 8, INVAL, 0}, {1, 8, 8, INVAL, 0},
		{2, 63, 8, INVAL, 0}, {1UL << 63, 0, 8, INVAL, 0},
		{~0UL, 1, 8, INVAL, 0}, {1, ~0UL - 1, 8, INVAL, 0},
		/* 64 harts: base + bit past bit 63 must not wrap around */
		{2, 63, 64, INVAL, 0}, {1, 63, 64, OK, 1UL << 63},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(c); i++) {
		unsigned long out = 0xdead;
		long err = sbi_hart_mask(c[i].mask, c[i].base, c[i].n, &out);

		CHECK_EQ(err, c[i].err);
		if (!err)
			CHECK_EQ(out, c[i].out);
	}
}

/* Hart masks as IPI and RFENCE get them, for a domain of NVCPU = 2. */
static const struct {
	unsigned long mask, base;
	long err;
	unsigned long out; /* the vCPUs named */
} masks[] = {
	{0x2, 0, OK, 0x2}, {0x1, 1, OK, 0x2}, {0x3, 0, OK, 0x3},
	{0, ~0UL, OK, 0x3}, {0x1, 0, OK, 0x1}, {0, 0, OK, 0},
	{0x4, 0, INVAL, 0}, {0x3, 1, INVAL, 0}, {0x1, 2, INVAL, 0},
	{0x1, 64, INVAL, 0}, {0x2, 63, INVAL, 0}, {~0UL, 0, INVAL, 0},
	{0x1, ~0UL - 1, INVAL, 0},
};

static void test_ipi(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(masks); i++) {
		setup(false);
		CHECK_EQ(call(SBI_EXT_IPI, 0, masks[i].mask, masks[i].base, 0),
			 masks[i].err);
		for (unsigned h = 0; h < NVCPU; h++) {
			bool hit = masks[i].out >> h & 1;

			CHECK_EQ(R.irq_calls[h], hit);
			CHECK_EQ(R.irq_bits[h], hit ? HVIP_VSSIP : 0);
		}
		CHECK(!R.fence_calls && !R.start_calls && !R.con_len);
	}
}

static void test_rfence(void)
{
	/* fence_i, sfence_vma, sfence_vma_asid */
	static const uint32_t req[] = {VCPU_REQ_FENCE_I, VCPU_REQ_HFENCE_VVMA,
				       VCPU_REQ_HFENCE_VVMA};

	for (unsigned long fid = 0; fid < ARRAY_SIZE(req); fid++)
		for (unsigned i = 0; i < ARRAY_SIZE(masks); i++) {
			setup(false);
			CHECK_EQ(call(SBI_EXT_RFENCE, fid, masks[i].mask,
				      masks[i].base, RAM_BASE),
				 masks[i].err);
			CHECK_EQ(R.fence_calls, masks[i].err == OK);
			if (R.fence_calls) {
				CHECK_EQ(R.fence_mask, masks[i].out);
				CHECK_EQ(R.fence_req, req[fid]);
			}
			CHECK(!R.irq_calls[0] && !R.irq_calls[1]);
		}
	for (unsigned long fid = 3; fid <= 6; fid++) { /* remote HFENCE.* */
		setup(false);
		CHECK_EQ(call(SBI_EXT_RFENCE, fid, 0x1, 0, 0), NOTSUP);
		CHECK(nothing_touched());
	}
}

static void test_hsm_start(void)
{
	static const unsigned long bad_pc[] = {
		DEV_BASE, DEV_BASE + 0x100, UNMAPPED, 0,
		RAM_BASE - 4, RAM_BASE + RAM_SIZE, RAM_BASE + 1, ~0UL - 3,
	};

	setup(false);
	CHECK_EQ(call(SBI_EXT_HSM, 0, 1000, RAM_BASE, 0), INVAL);
	CHECK_EQ(call(SBI_EXT_HSM, 0, NVCPU, RAM_BASE, 0), INVAL);
	CHECK_EQ(call(SBI_EXT_HSM, 0, ~0UL, RAM_BASE, 0), INVAL);
	/* the caller itself, then a sibling in WFI */
	CHECK_EQ(call(SBI_EXT_HSM, 0, 0, RAM_BASE, 0), AVAIL);
	V[1].state = VCPU_BLOCKED;
	CHECK_EQ(call(SBI_EXT_HSM, 0, 1, RAM_BASE, 0), AVAIL);
	V[1].state = VCPU_STOPPED;
	for (unsigned i = 0; i < ARRAY_SIZE(bad_pc); i++)
		CHECK_EQ(call(SBI_EXT_HSM, 0, 1, bad_pc[i], 0),
			 SBI_ERR_INVALID_ADDRESS);
	CHECK(nothing_touched());

	CHECK_EQ(call(SBI_EXT_HSM, 0, 1, RAM_BASE + 0x200, 0xabcdef), OK);
	CHECK_EQ(R.start_calls, 1);
	CHECK(R.start_v == &V[1]);
	CHECK_EQ(R.start_pc, RAM_BASE + 0x200);
	CHECK_EQ(R.start_a0, 1); /* the hart id */
	CHECK_EQ(R.start_a1, 0xabcdef);
}

static void test_hsm_status_stop(void)
{
	setup(false);
	CHECK_EQ(call(SBI_EXT_HSM, 2, 0, 0, 0), OK);
	CHECK_EQ(A1, 0); /* STARTED */
	CHECK_EQ(call(SBI_EXT_HSM, 2, 1, 0, 0), OK);
	CHECK_EQ(A1, 1); /* STOPPED */
	V[1].state = VCPU_BLOCKED; /* in WFI: still started */
	CHECK_EQ(call(SBI_EXT_HSM, 2, 1, 0, 0), OK);
	CHECK_EQ(A1, 0);
	CHECK_EQ(call(SBI_EXT_HSM, 2, NVCPU, 0, 0), INVAL);
	CHECK_EQ(call(SBI_EXT_HSM, 2, 1000, 0, 0), INVAL);

	setup(false);
	load(SBI_EXT_HSM, 1, 0, 0, 0);
	sbi_ecall(&V[0]);
	CHECK_EQ(V[0].state, VCPU_STOPPED);
	CHECK_EQ(V[1].state, VCPU_STOPPED);
	CHECK(nothing_touched());
}

static void test_hsm_suspend(void)
{
	/* reserved, or platform-specific (Vireo implements none): INVAL */
	static const unsigned long bad[] = {
		0x00000001, 0x0FFFFFFF, 0x10000000, 0x7FFFFFFF, 0x80000001,
		0x8FFFFFFF, 0x90000000, 0xFFFFFFFF, ~0UL,
	};

	setup(false); /* default retentive: waits as WFI, reads SUSPENDED */
	load(SBI_EXT_HSM, 3, 0, RAM_BASE, 0);
	sbi_ecall(&V[0]);
	CHECK_EQ(A0, OK);
	CHECK_EQ(V[0].state, VCPU_BLOCKED);
	CHECK(V[0].hsm_suspended);
	CHECK_EQ(hart_status(&V[0]), HSM_STATE_SUSPENDED);

	setup(false); /* suspend_type is 32 bits: bit 32 up is not looked at */
	CHECK_EQ(call(SBI_EXT_HSM, 3, 1UL << 32, RAM_BASE, 0), OK);
	CHECK_EQ(V[0].state, VCPU_BLOCKED);

	setup(false); /* default non-retentive: resumes at resume_addr */
	load(SBI_EXT_HSM, 3, 0x80000000, RAM_BASE + 0x100, 0xfeed);
	sbi_ecall(&V[0]);
	CHECK_EQ(A0, 0);      /* hart id */
	CHECK_EQ(A1, 0xfeed); /* opaque */
	CHECK_EQ(V[0].regs.sepc + 4, RAM_BASE + 0x100); /* the trap adds 4 */
	CHECK_EQ(V[0].state, VCPU_BLOCKED);
	CHECK_EQ(R.resume_state_calls, 1);

	setup(false); /* ... and checks it first */
	CHECK_EQ(call(SBI_EXT_HSM, 3, 0x80000000, DEV_BASE, 0),
		 SBI_ERR_INVALID_ADDRESS);
	CHECK_EQ(V[0].state, VCPU_RUNNABLE);
	CHECK_EQ(R.resume_state_calls, 0);

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		setup(false);
		CHECK_EQ(call(SBI_EXT_HSM, 3, bad[i], RAM_BASE, 0), INVAL);
		CHECK_EQ(V[0].state, VCPU_RUNNABLE);
		CHECK(nothing_touched());
	}
}

static void test_srst(void)
{
	/* {type, reason}: reserved, or vendor-specific and unimplemented */
	static const unsigned long bad[][2] = {
		{3, 0}, {0xEFFFFFFF, 0}, {0xF0000000, 0}, {0xFFFFFFFF, 0},
		{1UL << 32, 0}, {0, 2}, {1, 0xDFFFFFFF}, {1, 0xE0000000},
		{0, 0xF0000000}, {2, 1UL << 32},
	};

	for (int dom0 = 0; dom0 <= 1; dom0++)
		for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
			setup(dom0);
			CHECK(!call_reset(SBI_EXT_SRST, 0, bad[i][0],
					  bad[i][1]));
			CHECK_EQ(A0, INVAL);
			CHECK(nothing_touched());
		}

	for (unsigned long type = 0; type <= 2; type++) {
		setup(true); /* Dom0: the host resets */
		CHECK(call_reset(SBI_EXT_SRST, 0, type, type & 1));
		CHECK_EQ(R.reset_calls, 1);
		CHECK_EQ(R.reset_type, type);
		CHECK_EQ(R.reset_reason, type & 1);

		setup(false); /* DomU: only that domain ends */
		CHECK(!call_reset(SBI_EXT_SRST, 0, type, 0));
		CHECK_EQ(A0, 0);
		CHECK_EQ(R.shutdown_calls, 1);
		CHECK_EQ(R.shutdown_reason, type == 0 ? 1 : 2); /* POWEROFF : REBOOT */
		CHECK(nothing_touched());
	}
}

/*
 * One console_write writes DBCN_WRITE_MAX bytes at most, however much the
 * guest asks for (all of its RAM here): the call is not preemptible. The
 * guest learns the count from sbiret.value and calls again for the rest.
 */
static void test_dbcn_write_bounded(void)
{
	unsigned long off = 0;
	unsigned calls = 0;

	setup(false);
	for (unsigned i = 0; i < 1000; i++)
		ram[i] = (uint8_t)('A' + i % 26);
	CHECK_EQ(call(SBI_EXT_DBCN, 0, RAM_SIZE, RAM_BASE, 0), OK);
	CHECK_EQ(A1, DBCN_WRITE_MAX);
	CHECK_EQ(R.con_len, DBCN_WRITE_MAX);
	CHECK(!memcmp(R.con, ram, DBCN_WRITE_MAX));
	CHECK_EQ(call(SBI_EXT_DBCN, 0, 300, RAM_BASE, 0), OK);
	CHECK_EQ(A1, DBCN_WRITE_MAX);

	/* The guest's loop: 1000 bytes in short writes, in order. */
	setup(false);
	for (unsigned i = 0; i < 1000; i++)
		ram[i] = (uint8_t)('A' + i % 26);
	while (off < 1000 && calls++ < 10) {
		CHECK_EQ(call(SBI_EXT_DBCN, 0, 1000 - off, RAM_BASE + off, 0), OK);
		CHECK(A1 > 0 && A1 <= DBCN_WRITE_MAX);
		off += A1;
	}
	CHECK_EQ(off, 1000);
	CHECK_EQ(calls, 4);
	CHECK_EQ(R.con_len, 1000);
	CHECK(!memcmp(R.con, ram, 1000));
	/* A length that wraps is still refused whole. */
	CHECK_EQ(call(SBI_EXT_DBCN, 0, ~0UL, RAM_BASE, 0), INVAL);
	CHECK_EQ(R.con_len, 1000);
}

static void test_dbcn(void)
{
	static const char msg[] = "hello from the guest";
	const size_t n = sizeof(msg) - 1;

	setup(false);
	memcpy(ram + 0x100, msg, n);
	CHECK_EQ(call(SBI_EXT_DBCN, 0, n, RAM_BASE + 0x100, 0), OK);
	CHECK_EQ(A1, n);
	CHECK_EQ(R.con_len, n);
	CHECK(!memcmp(R.con, msg, n));

	setup(false); /* longer than dbcn_write's chunk */
	for (unsigned i = 0; i < 200; i++)
		ram[0x1000 + i] = (uint8_t)('a' + i % 26);
	CHECK_EQ(call(SBI_EXT_DBCN, 0, 200, RAM_BASE + 0x1000, 0), OK);
	CHECK_EQ(A1, 200);
	CHECK_EQ(R.con_len, 200);
	CHECK(!memcmp(R.con, ram + 0x1000, 200));

	setup(false); /* zero bytes: nothing to check or write */
	CHECK_EQ(call(SBI_EXT_DBCN, 0, 0, UNMAPPED, 0), OK);
	CHECK_EQ(A1, 0);
	/* base_hi set; unmapped; a device; wrapping: nothing written */
	CHECK_EQ(call(SBI_EXT_DBCN, 0, 4, RAM_BASE, 1), INVAL);
	CHECK_EQ(A1, 0);
	CHECK_EQ(call(SBI_EXT_DBCN, 0, 4, UNMAPPED, 0), INVAL);
	CHECK_EQ(A1, 0);
	CHECK_EQ(call(SBI_EXT_DBCN, 0, 4, DEV_BASE, 0), INVAL);
	CHECK_EQ(call(SBI_EXT_DBCN, 0, 100, ~0UL - 10, 0), INVAL);
	CHECK_EQ(call(SBI_EXT_DBCN, 0, ~0UL, RAM_BASE, 0), INVAL);
	CHECK(nothing_touched());

	setup(false); /* off the end of RAM: the whole range is refused */
	CHECK_EQ(call(SBI_EXT_DBCN, 0, 200, RAM_BASE + RAM_SIZE - 100, 0), INVAL);
	CHECK_EQ(A1, 0);
	CHECK_EQ(R.con_len, 0);
	/* ... even when the part one call writes would fit */
	CHECK_EQ(call(SBI_EXT_DBCN, 0, 4096, RAM_BASE + RAM_SIZE - 1024, 0), INVAL);
	CHECK_EQ(R.con_len, 0);

	setup(false); /* read: no input, but base_hi must still be 0 */
	CHECK_EQ(call(SBI_EXT_DBCN, 1, 16, RAM_BASE, 0), OK);
	CHECK_EQ(A1, 0);
	CHECK_EQ(call(SBI_EXT_DBCN, 1, 16, RAM_BASE, 1), INVAL);

	CHECK_EQ(call(SBI_EXT_DBCN, 2, 0x1241, 0, 0), OK); /* write_byte */
	CHECK_EQ(A1, 0);
	CHECK_EQ(R.con_len, 1);
	CHECK_EQ(R.con[0], 'A');
}

static void test_legacy(void)
{
	setup(false);
	CHECK_EQ(call(0x01, 0, 'Z', POISON, 0), OK); /* putchar */
	CHECK_EQ(A1, POISON);
	CHECK_EQ(R.con_len, 1);
	CHECK_EQ(R.con[0], 'Z');

	setup(false);
	CHECK_EQ(call(0x02, 0, 0, POISON, 0), -1); /* getchar: no input */
	CHECK_EQ(A1, POISON);
	CHECK(nothing_touched());

	setup(false);
	CHECK_EQ(call(0x00, 0, 0x1234, POISON, 0), OK); /* set_timer */
	CHECK_EQ(A1, POISON);
	CHECK_EQ(R.timer_calls, 1);
	CHECK_EQ(R.timer_val, 0x1234);

	setup(true);
	CHECK(call_reset(0x08, 0, 0, 0)); /* shutdown from Dom0 */
	CHECK_EQ(R.reset_calls, 1);
	CHECK_EQ(R.reset_type, 0);

	setup(false);
	CHECK(!call_reset(0x08, 0, 0, POISON)); /* ...and from a DomU */
	CHECK_EQ(A0, 0);
	CHECK_EQ(A1, POISON);
	CHECK_EQ(R.shutdown_calls, 1);
	CHECK_EQ(R.shutdown_reason, 1);
	CHECK(nothing_touched());
}

int main(void)
{
	RUN(test_unknown_eid);
	RUN(test_unknown_fid);
	RUN(test_base);
	RUN(test_time);
	RUN(test_hart_mask);
	RUN(test_ipi);
	RUN(test_rfence);
	RUN(test_hsm_start);
	RUN(test_hsm_status_stop);
	RUN(test_hsm_suspend);
	RUN(test_srst);
	RUN(test_dbcn);
	RUN(test_dbcn_write_bounded);
	RUN(test_legacy);
	TEST_DONE();
}
