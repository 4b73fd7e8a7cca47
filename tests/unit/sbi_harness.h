/*
 * The SBI unit tests' harness (test_sbi.c, test_sbi_v2.c): the guest-facing
 * SBI files, with the kernel functions they call stubbed to record their
 * calls, a domain of NVCPU vCPUs over 64 KiB of fake RAM, and helpers that
 * make an ecall as vCPU 0 would.
 */
#ifndef SBI_HARNESS_H
#define SBI_HARNESS_H
#include <setjmp.h>

#include "test.h"

#include "../../kernel/arch/riscv/sbi/sbi.c"
#include "../../kernel/arch/riscv/sbi/sbi_base.c"
#include "../../kernel/arch/riscv/sbi/sbi_dbcn.c"
#include "../../kernel/arch/riscv/sbi/sbi_hsm.c"
#include "../../kernel/arch/riscv/sbi/sbi_ipi.c"
#include "../../kernel/arch/riscv/sbi/sbi_legacy.c"
#include "../../kernel/arch/riscv/sbi/sbi_rfence.c"
#include "../../kernel/arch/riscv/sbi/sbi_srst.c"
#include "../../kernel/arch/riscv/sbi/sbi_susp.c"
#include "../../kernel/arch/riscv/sbi/sbi_sta.c"
#include "../../kernel/arch/riscv/sbi/sbi_pmu.c"
#include "../../kernel/arch/riscv/sbi/sbi_time.c"

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

bool p2m_lookup(const struct p2m *gs, gpa_t gpa, paddr_t *pa,
		   unsigned long *prot)
{
	unsigned long p;

	if (gpa >= RAM_BASE && gpa - RAM_BASE < RAM_SIZE)
		p = P2M_PROT_RWX;
	else if (gpa >= DEV_BASE && gpa - DEV_BASE < DEV_SIZE)
		p = P2M_PROT_R | P2M_PROT_W;
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

#endif
