/*
 * Host unit test of the SBI 2.0 extensions Vireo offers guests: SUSP and
 * its s3resume trigger, STA, PMU, and DBCN on a full console ring. The
 * harness (stubs, a fake domain, ecall helpers) is sbi_harness.h.
 */
#include "sbi_harness.h"

/* ------------------------------------------------------------------ cases */
/* SBI SUSP suspend-to-RAM, and the s3resume trigger that ends it. */
static void test_susp(void)
{
	setup(true); /* Dom0: the host's suspend, not offered */
	CHECK_EQ(call(SBI_EXT_BASE, 3, SBI_EXT_SUSP, 0, 0), OK);
	CHECK_EQ(A1, 0);
	CHECK_EQ(call(SBI_EXT_SUSP, 0, 0, RAM_BASE, 0), NOTSUP);

	setup(false);
	CHECK_EQ(call(SBI_EXT_BASE, 3, SBI_EXT_SUSP, 0, 0), OK);
	CHECK_EQ(A1, 1);
	V[1].state = VCPU_BLOCKED; /* another hart not stopped: DENIED */
	CHECK_EQ(call(SBI_EXT_SUSP, 0, 0, RAM_BASE, 0), SBI_ERR_DENIED);
	CHECK_EQ(R.shutdown_calls, 0);
	V[1].state = VCPU_STOPPED;
	CHECK_EQ(call(SBI_EXT_SUSP, 0, 1, RAM_BASE, 0), INVAL);
	CHECK_EQ(call(SBI_EXT_SUSP, 0, 0x80000000, RAM_BASE, 0), INVAL);
	CHECK_EQ(call(SBI_EXT_SUSP, 0, 0, DEV_BASE, 0), SBI_ERR_INVALID_ADDRESS);
	CHECK_EQ(call(SBI_EXT_SUSP, 1, 0, RAM_BASE, 0), NOTSUP);
	CHECK_EQ(R.shutdown_calls, 0);
	CHECK_EQ(V[0].state, VCPU_RUNNABLE);
	CHECK_EQ(domain_trigger(&D, VIREO_TRIGGER_S3RESUME), INVAL);

	/* bit 32 up of sleep_type ignored, as for HSM */
	CHECK_EQ(call(SBI_EXT_SUSP, 0, 1UL << 32, RAM_BASE + 0x40, 0x77), OK);
	CHECK_EQ(V[0].state, VCPU_STOPPED);
	CHECK_EQ(R.shutdown_calls, 1);
	CHECK_EQ(R.shutdown_reason, VIREO_SHUTDOWN_SUSPEND);
	D.shutdown_reason = R.shutdown_reason; /* as domain_shutdown does */
	CHECK_EQ(domain_trigger(&D, 99), NOTSUP);
	CHECK_EQ(domain_trigger(&D, VIREO_TRIGGER_S3RESUME), OK);
	CHECK_EQ(D.shutdown_reason, VIREO_SHUTDOWN_NONE);
	CHECK(R.start_v == &V[0]);
	CHECK_EQ(R.start_pc, RAM_BASE + 0x40);
	CHECK_EQ(R.start_a0, 0);
	CHECK_EQ(R.start_a1, 0x77);
}

/* Legacy calls return one value, in a0: a1 keeps its POISON. */
/* SBI STA: set_shmem's checks, the record's layout, the seqlock. */
static void test_sta(void)
{
	struct sta_record *r = (struct sta_record *)(ram + 0x100);

	setup(false);
	CHECK_EQ(call(SBI_EXT_BASE, 3, SBI_EXT_STA, 0, 0), OK);
	CHECK_EQ(A1, 1);
	CHECK_EQ(call(SBI_EXT_STA, 0, RAM_BASE + 0x104, 0, 0), INVAL); /* align */
	CHECK_EQ(call(SBI_EXT_STA, 0, RAM_BASE + 0x100, 0, 1), INVAL); /* flags */
	CHECK_EQ(call(SBI_EXT_STA, 0, RAM_BASE + 0x100, 1, 0),
		 SBI_ERR_INVALID_ADDRESS);
	CHECK_EQ(call(SBI_EXT_STA, 0, DEV_BASE, 0, 0), SBI_ERR_INVALID_ADDRESS);
	CHECK_EQ(call(SBI_EXT_STA, 1, RAM_BASE + 0x100, 0, 0), NOTSUP);
	CHECK(!V[0].sta_on);

	memset(r, 0xee, sizeof(*r));
	V[0].steal_ticks = 25; /* 2.5 us at 10 MHz */
	CHECK_EQ(call(SBI_EXT_STA, 0, RAM_BASE + 0x100, 0, 0), OK);
	CHECK(V[0].sta_on);
	CHECK_EQ(r->sequence, 2); /* even: a whole update */
	CHECK_EQ(r->flags, 0);
	CHECK_EQ(r->steal, 2500);
	CHECK_EQ(r->preempted, 0);

	/* Waiting from tick 1000 to 1400 (woken or preempted), then run. */
	vcpu_steal_mark(&V[0], 1000);
	vcpu_steal_mark(&V[0], 1200); /* a second mark keeps the first */
	vcpu_steal_account(&V[0], 1400);
	CHECK_EQ(V[0].steal_ticks, 425);
	CHECK_EQ(r->steal, 42500);
	CHECK_EQ(r->sequence, 4);
	vcpu_steal_account(&V[0], 1500); /* not waiting: nothing written */
	CHECK_EQ(r->sequence, 4);
	/* 2^40 ticks: no overflow on the way to nanoseconds */
	V[0].steal_ticks = 1ULL << 40;
	vcpu_steal_mark(&V[0], 2000);
	vcpu_steal_account(&V[0], 2000 + 10000000);
	CHECK_EQ(r->steal, ((1ULL << 40) + 10000000) * 100);

	CHECK_EQ(call(SBI_EXT_STA, 0, ~0UL, ~0UL, 0), OK); /* off */
	CHECK(!V[0].sta_on);
	vcpu_steal_mark(&V[0], 3000);
	vcpu_steal_account(&V[0], 4000);
	CHECK_EQ(r->sequence, 6); /* untouched */

	CHECK_EQ(call(SBI_EXT_STA, 0, RAM_BASE + 0x100, 0, 0), OK);
	load(SBI_EXT_HSM, 1, 0, 0, 0); /* hart_stop: the record is dropped */
	sbi_ecall(&V[0]);
	CHECK(!V[0].sta_on);
}

/* A full console ring: DBCN writes what fits, write_byte says FAILED. */
static void test_dbcn_ring_full(void)
{
	setup(false);
	memset(ram, 'x', 300);
	R.con_room_set = true;
	R.con_room = 10;
	CHECK_EQ(call(SBI_EXT_DBCN, 0, 100, RAM_BASE, 0), OK);
	CHECK_EQ(A1, 10);
	CHECK_EQ(R.con_len, 10);
	CHECK_EQ(call(SBI_EXT_DBCN, 0, 100, RAM_BASE, 0), OK); /* 0: try later */
	CHECK_EQ(A1, 0);
	CHECK_EQ(call(SBI_EXT_DBCN, 2, 'z', 0, 0), SBI_ERR_FAILED);
	CHECK_EQ(R.con_len, 10);
	R.con_room = 1;
	CHECK_EQ(call(SBI_EXT_DBCN, 2, 'z', 0, 0), OK);
	CHECK_EQ(R.con_len, 11);
}

/* SBI PMU: counters, matching, start/stop, firmware events, CSR reads. */
static void test_pmu(void)
{
	uint64_t val;

	setup(true); /* Dom0 reads the hart's own counters: no PMU */
	CHECK_EQ(call(SBI_EXT_BASE, 3, SBI_EXT_PMU, 0, 0), OK);
	CHECK_EQ(A1, 0);
	CHECK_EQ(call(SBI_EXT_PMU, 0, 0, 0, 0), NOTSUP);

	setup(false);
	/* as domain_alloc: cycle and instret run from the start */
	V[0].pmu.running = (1U << PMU_CYCLE) | (1U << PMU_INSTRET);
	V[0].pmu.hw_acc[1] = 5000;
	CHECK(vcpu_pmu_read_csr(&V[0], 0xc02, &val));
	CHECK_EQ(val, 5000);
	CHECK_EQ(call(SBI_EXT_BASE, 3, SBI_EXT_PMU, 0, 0), OK);
	CHECK_EQ(A1, 1);
	CHECK_EQ(call(SBI_EXT_PMU, 0, 0, 0, 0), OK);
	CHECK_EQ(A1, PMU_NR_COUNTERS);
	CHECK_EQ(call(SBI_EXT_PMU, 1, 0, 0, 0), OK); /* cycle: csr, 64 bits */
	CHECK_EQ(A1, 0xc00 | 63UL << 12);
	CHECK_EQ(call(SBI_EXT_PMU, 1, 1, 0, 0), INVAL); /* time: no counter */
	CHECK_EQ(call(SBI_EXT_PMU, 1, 2, 0, 0), OK);
	CHECK_EQ(A1, 0xc02 | 63UL << 12);
	CHECK_EQ(call(SBI_EXT_PMU, 1, 3, 0, 0), OK); /* firmware */
	CHECK_EQ(A1, 1UL << 63 | 63UL << 12);
	CHECK_EQ(call(SBI_EXT_PMU, 1, PMU_NR_COUNTERS, 0, 0), INVAL);

	/* instructions: counter 2 of the mask 0b111 (time refused) */
	V[0].regs.x[REG_A3] = 2; /* event_idx: hardware, instructions */
	load(SBI_EXT_PMU, 2, 0, 0x5, 1 << 1 /* CLEAR */);
	V[0].regs.x[REG_A3] = 2;
	sbi_ecall(&V[0]);
	CHECK_EQ(A0, OK);
	CHECK_EQ(A1, PMU_INSTRET);
	load(SBI_EXT_PMU, 2, 0, 0x7, 0);
	V[0].regs.x[REG_A3] = 2;
	sbi_ecall(&V[0]);
	CHECK_EQ(A0, INVAL); /* the mask names counter 1 */
	/* The vCPU runs 1000 instructions; stopped, the value stays. */
	CHECK(vcpu_pmu_read_csr(&V[0], 0xc02, &val));
	CHECK_EQ(val, 0);
	CHECK_EQ(call(SBI_EXT_PMU, 3, PMU_INSTRET, 1, 0), SBI_ERR_ALREADY_STARTED);
	CHECK_EQ(call(SBI_EXT_PMU, 4, PMU_INSTRET, 1, 0), OK); /* stop */
	CHECK_EQ(call(SBI_EXT_PMU, 3, PMU_INSTRET, 1, 0), OK); /* start */
	V[0].pmu.hw_acc[1] += 1000;
	CHECK(vcpu_pmu_read_csr(&V[0], 0xc02, &val));
	CHECK_EQ(val, 1000);
	CHECK_EQ(call(SBI_EXT_PMU, 4, PMU_INSTRET, 1, 0), OK); /* stop */
	V[0].pmu.hw_acc[1] += 500;
	CHECK(vcpu_pmu_read_csr(&V[0], 0xc02, &val));
	CHECK_EQ(val, 1000);
	CHECK_EQ(call(SBI_EXT_PMU, 4, PMU_INSTRET, 1, 0), SBI_ERR_ALREADY_STOPPED);
	/* start with an initial value */
	load(SBI_EXT_PMU, 3, PMU_INSTRET, 1, 1);
	V[0].regs.x[REG_A3] = 7;
	sbi_ecall(&V[0]);
	CHECK_EQ(A0, OK);
	V[0].pmu.hw_acc[1] += 3;
	CHECK(vcpu_pmu_read_csr(&V[0], 0xc02, &val));
	CHECK_EQ(val, 10);
	CHECK(!vcpu_pmu_read_csr(&V[0], 0xc03, &val)); /* hpmcounter3: none */

	/* a firmware counter of set_timer calls */
	V[0].regs.x[REG_A3] = 0xf0000 | PMU_FW_SET_TIMER;
	load(SBI_EXT_PMU, 2, PMU_FW_FIRST, 0xff, 1 << 2 /* AUTO_START */);
	V[0].regs.x[REG_A3] = 0xf0000 | PMU_FW_SET_TIMER;
	sbi_ecall(&V[0]);
	CHECK_EQ(A0, OK);
	CHECK_EQ(A1, PMU_FW_FIRST);
	CHECK_EQ(call(SBI_EXT_TIME, 0, 1234, 0, 0), OK);
	CHECK_EQ(call(SBI_EXT_TIME, 0, 1235, 0, 0), OK);
	CHECK_EQ(call(SBI_EXT_PMU, 5, PMU_FW_FIRST, 0, 0), OK);
	CHECK_EQ(A1, 2);
	CHECK_EQ(call(SBI_EXT_PMU, 5, PMU_FW_FIRST + 1, 0, 0), INVAL); /* free */
	CHECK_EQ(call(SBI_EXT_PMU, 5, PMU_INSTRET, 0, 0), INVAL); /* not fw */
	/* unknown events, and no free counter left for this one */
	V[0].regs.x[REG_A3] = 0x10000; /* cache event */
	load(SBI_EXT_PMU, 2, 0, 0x7fd, 0);
	V[0].regs.x[REG_A3] = 0x10000;
	sbi_ecall(&V[0]);
	CHECK_EQ(A0, NOTSUP);
	load(SBI_EXT_PMU, 2, PMU_FW_FIRST, 0x1, 0);
	V[0].regs.x[REG_A3] = 0xf0000 | PMU_FW_IPI_SENT;
	sbi_ecall(&V[0]);
	CHECK_EQ(A0, NOTSUP);
	/* stop with reset frees it */
	CHECK_EQ(call(SBI_EXT_PMU, 4, PMU_FW_FIRST, 1, 1), OK);
	CHECK_EQ(call(SBI_EXT_PMU, 5, PMU_FW_FIRST, 0, 0), INVAL);
	CHECK_EQ(call(SBI_EXT_PMU, 4, PMU_FW_FIRST, 1, 0), INVAL); /* no event */
	CHECK_EQ(call(SBI_EXT_PMU, 4, PMU_INSTRET, 1, 1), OK); /* release */
	/* Linux's probe: match, then stop+reset a counter never started;
	 * it must be free for the next match (it was kept, and perf got 0). */
	V[0].regs.x[REG_A3] = 2;
	load(SBI_EXT_PMU, 2, 0, 0x5, 0);
	V[0].regs.x[REG_A3] = 2;
	sbi_ecall(&V[0]);
	CHECK_EQ(A1, PMU_INSTRET);
	CHECK_EQ(call(SBI_EXT_PMU, 4, PMU_INSTRET, 1, 1), SBI_ERR_ALREADY_STOPPED);
	load(SBI_EXT_PMU, 2, 0, 0x5, 0);
	V[0].regs.x[REG_A3] = 2;
	sbi_ecall(&V[0]);
	CHECK_EQ(A0, OK);
	CHECK_EQ(A1, PMU_INSTRET);
	CHECK_EQ(call(SBI_EXT_PMU, 7, 0, 0, 0), NOTSUP); /* no snapshot */
}

int main(void)
{
	RUN(test_susp);
	RUN(test_sta);
	RUN(test_dbcn_ring_full);
	RUN(test_pmu);
	TEST_DONE();
}
