/*
 * Host unit test of the guest-facing SBI layer (kernel/core/sbi*.c). The
 * kernel functions the SBI files call are stubbed below and record their
 * calls; every case but sbi_hart_mask goes through sbi_ecall() as a guest's
 * ecall would.
 */
#include <setjmp.h>

#include "test.h"

#include "../../kernel/core/sbi.c"
#include "../../kernel/core/sbi_base.c"
#include "../../kernel/core/sbi_dbcn.c"
#include "../../kernel/core/sbi_hsm.c"
#include "../../kernel/core/sbi_ipi.c"
#include "../../kernel/core/sbi_legacy.c"
#include "../../kernel/core/sbi_rfence.c"
#include "../../kernel/core/sbi_srst.c"
#include "../../kernel/core/sbi_susp.c"
#include "../../kernel/core/sbi_sta.c"
#include "../../kernel/core/sbi_pmu.c"
#include "../../kernel/core/sbi_time.c"

#define NVCPU 2
#define RAM_BASE 0x80000000UL /* 64 KiB of fake guest RAM, RWX */
#define RAM_SIZE 0x10000UL
#define DEV_BASE 0x10000000UL /* a device window: RW, not X */
#define DEV_SIZE 0x1000UL
#define UNMAPPED 0x40000000UL
#define POISON 0x5a5a5a5a5a5a5a5aUL /* registers that must not change */

#define OK SBI_SUCCESS
#define INVAL SBI_ERR_INVALID_PARAM
#define NOTSUP SBI_ERR_NOT_SUPPORTED
#define AVAIL SBI_ERR_ALREADY_AVAILABLE
#define A0 (V[0].regs.x[REG_A0])
#define A1 (V[0].regs.x[REG_A1])

/* ------------------------------------------------------------ host stubs */
static struct {
	unsigned timer_calls, start_calls, fence_calls, reset_calls;
	unsigned irq_calls[NVCPU];
	unsigned long irq_bits[NVCPU];
	uint64_t timer_val;
	struct vcpu *start_v;
	unsigned long start_pc, start_a0, start_a1;
	unsigned long fence_mask;
	uint32_t fence_req;
	unsigned long reset_type, reset_reason;
	unsigned shutdown_calls, resume_state_calls;
	uint32_t shutdown_reason;
	size_t con_len;
	char con[1024];
	bool con_room_set; /* else the ring takes everything */
	size_t con_room;
} R;

static uint8_t ram[RAM_SIZE];
static struct domain D;
static struct vcpu V[NVCPU];
static jmp_buf reset_jmp;
static bool reset_armed;

void vcpu_set_timer(struct vcpu *v, uint64_t when)
{
	R.timer_calls++;
	R.timer_val = when;
}

void vcpu_set_irq(struct vcpu *v, unsigned long hvip_bit, bool level)
{
	CHECK(v->id < NVCPU && level);
	R.irq_calls[v->id]++;
	R.irq_bits[v->id] |= hvip_bit;
}

bool vcpu_start(struct vcpu *v, unsigned long pc, unsigned long a0,
		unsigned long a1)
{
	if (v->state != VCPU_STOPPED)
		return false;
	R.start_calls++;
	R.start_v = v;
	R.start_pc = pc;
	R.start_a0 = a0;
	R.start_a1 = a1;
	return true;
}

void vcpu_arch_resume_state(struct vcpu *v)
{
	CHECK(v == &V[0]);
	R.resume_state_calls++;
}

void vcpu_request_fence(struct domain *d, unsigned long mask, uint32_t req)
{
	CHECK(d == &D);
	R.fence_calls++;
	R.fence_mask = mask;
	R.fence_req = req;
}

void domain_console_write(struct domain *d, const char *s, size_t n)
{
	CHECK(d == &D && R.con_len + n <= sizeof(R.con));
	if (R.con_len + n > sizeof(R.con))
		return;
	memcpy(R.con + R.con_len, s, n);
	R.con_len += n;
}

/* The ring's room, as domain.c keeps it: con_room bytes when set. */
size_t domain_console_write_room(struct domain *d, const char *s, size_t n)
{
	if (R.con_room_set) {
		n = n < R.con_room ? n : R.con_room;
		R.con_room -= n;
	}
	domain_console_write(d, s, n);
	return n;
}

uint32_t timebase_hz = 10000000;

void *domain_ram_page(struct domain *d, gpa_t gpa, size_t len)
{
	if (gpa < RAM_BASE || gpa - RAM_BASE >= RAM_SIZE ||
	    len > 4096 - (gpa & 4095))
		return NULL;
	return ram + (gpa - RAM_BASE);
}

bool domain_copy_from(struct domain *d, void *dst, gpa_t src, size_t len)
{
	if (src < RAM_BASE || len > RAM_SIZE || src - RAM_BASE > RAM_SIZE - len)
		return false;
	memcpy(dst, ram + (src - RAM_BASE), len);
	return true;
}

bool gstage_lookup(const struct gstage *gs, gpa_t gpa, paddr_t *pa,
		   unsigned long *prot)
{
	unsigned long p;

	if (gpa >= RAM_BASE && gpa - RAM_BASE < RAM_SIZE)
		p = GSTAGE_PROT_RWX;
	else if (gpa >= DEV_BASE && gpa - DEV_BASE < DEV_SIZE)
		p = GSTAGE_PROT_R | GSTAGE_PROT_W;
	else
		return false;
	if (pa)
		*pa = gpa;
	*prot = p;
	return true;
}

struct vcpu *domain_vcpu(struct domain *d, unsigned long hartid)
{
	return hartid < d->nr_vcpus ? d->vcpus[hartid] : NULL;
}

void domain_shutdown(struct domain *d, uint32_t reason)
{
	CHECK(d == &D && !d->is_dom0);
	R.shutdown_calls++;
	R.shutdown_reason = reason;
}

/* The hypercall extension has its own tests; here it only has to exist. */
static struct sbi_ret vireo_stub(struct vcpu *v, unsigned long fid)
{
	return (struct sbi_ret){SBI_ERR_DENIED, 0};
}
const struct sbi_ext sbi_ext_vireo = {"VIREO", 0x0856524F, 0x0856524F, false,
				      vireo_stub};

void host_system_reset(unsigned long type, unsigned long reason)
{
	if (!reset_armed) {
		fprintf(stderr, "unexpected host_system_reset\n");
		abort();
	}
	R.reset_calls++;
	R.reset_type = type;
	R.reset_reason = reason;
	longjmp(reset_jmp, 1);
}

/* ---------------------------------------------------------------- helpers */
/* A domain of NVCPU vCPUs: vCPU 0 (the caller) runs, vCPU 1 is stopped. */
static void setup(bool is_dom0)
{
	memset(&R, 0, sizeof(R));
	memset(&D, 0, sizeof(D));
	memset(V, 0, sizeof(V));
	D.is_dom0 = is_dom0;
	D.ram_base = RAM_BASE;
	D.ram_size = RAM_SIZE;
	D.nr_vcpus = NVCPU;
	for (unsigned i = 0; i < NVCPU; i++) {
		V[i].id = i;
		V[i].dom = &D;
		D.vcpus[i] = &V[i];
		for (unsigned r = 0; r < 32; r++)
			V[i].regs.x[r] = POISON;
	}
	V[0].state = VCPU_RUNNABLE;
	V[1].state = VCPU_STOPPED;
}

static void load(unsigned long eid, unsigned long fid, unsigned long a0,
		 unsigned long a1, unsigned long a2)
{
	V[0].regs.x[REG_A7] = eid;
	V[0].regs.x[REG_A6] = fid;
	V[0].regs.x[REG_A0] = a0;
	V[0].regs.x[REG_A1] = a1;
	V[0].regs.x[REG_A2] = a2;
	V[0].regs.x[REG_A3] = V[0].regs.x[REG_A4] = V[0].regs.x[REG_A5] = 0;
}

/* An ecall of vCPU 0 that returns to it; gives sbiret.error (a1 in A1). */
static long call(unsigned long eid, unsigned long fid, unsigned long a0,
		 unsigned long a1, unsigned long a2)
{
	load(eid, fid, a0, a1, a2);
	sbi_ecall(&V[0]);
	return (long)A0;
}

/* An ecall that may reset the host: true if it did (and so never returned). */
static bool call_reset(unsigned long eid, unsigned long fid, unsigned long a0,
		       unsigned long a1)
{
	load(eid, fid, a0, a1, 0);
	if (setjmp(reset_jmp)) {
		reset_armed = false;
		return true;
	}
	reset_armed = true;
	sbi_ecall(&V[0]);
	reset_armed = false;
	return false;
}

static bool nothing_touched(void)
{
	return !R.irq_calls[0] && !R.irq_calls[1] && !R.fence_calls &&
	       !R.start_calls && !R.timer_calls && !R.con_len && !R.reset_calls;
}

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
	RUN(test_susp);
	RUN(test_sta);
	RUN(test_dbcn_ring_full);
	RUN(test_pmu);
	RUN(test_srst);
	RUN(test_dbcn);
	RUN(test_dbcn_write_bounded);
	RUN(test_legacy);
	TEST_DONE();
}
