/*
 * Host test of SBI RFENCE's request/acknowledge bookkeeping
 * (kernel/arch/riscv/sbi/sbi_rfence.c over vcpu_request_fence in vcpu.c). QEMU 7.2
 * flushes its TLB on every mode change, which hides a missing remote
 * fence in any test that runs a guest; this one checks the bookkeeping
 * itself: which vCPUs were asked to fence, which harts were interrupted,
 * and that the call returns only once every target inside the guest on
 * another hart has acknowledged (left the guest or consumed the request).
 *
 * A domain of 4 vCPUs on 2 harts; the caller, vCPU 0, runs on hart 0 (the
 * test's this_pcpu()). vCPU 1 is inside the guest on hart 1, vCPU 2 waits
 * on hart 1's queue, vCPU 3 shares hart 0 with the caller.
 */
#include "test.h"

#include <arch/arch.h>
#include "domain.h"
#include "pcpu.h"
#include <arch/sbi.h>

struct pcpu pcpus[MAX_PCPUS];
struct pcpu *boot_pcpu = &pcpus[0];
unsigned nr_pcpus = 2;
static unsigned ipis[MAX_PCPUS];
static unsigned polls;        /* arch_handle_host_irqs() while waiting */
static struct vcpu *acker;    /* what hart 1 does while we wait */
static unsigned ack_after;    /* ... after this many polls */
static bool ack_by_exit;      /* leave the guest, or consume the request */

static struct pcpu *test_this_pcpu(void)
{
	return &pcpus[0];
}
#define this_pcpu() test_this_pcpu()
/* vcpu.c stamps wake-ups for steal time (sbi_sta.c): any clock will do. */
static unsigned long test_time_now(void)
{
	return 1000;
}
#define time_now() test_time_now()
void vcpu_steal_mark(struct vcpu *v, uint64_t now) {}
void sched_wake(struct vcpu *v, struct pcpu *p) {}

void pcpu_ipi(struct pcpu *p, uint32_t reason)
{
	CHECK_EQ(reason, IPI_KICK);
	ipis[p - pcpus]++;
}

/* Hart 1, meanwhile: after ack_after polls its vCPU acknowledges. */
void arch_handle_host_irqs(void)
{
	polls++;
	CHECK(polls < 1000); /* the caller must not wait for nothing */
	if (polls >= 1000)
		abort();
	if (!acker || polls < ack_after)
		return;
	if (ack_by_exit)
		acker->in_guest = false;
	else
		__atomic_exchange_n(&acker->requests, 0, __ATOMIC_ACQ_REL);
}

#include "../../kernel/arch/riscv/sbi/sbi.c"
#include "../../kernel/arch/riscv/sbi/sbi_rfence.c"
#include "../../kernel/core/vcpu.c"

/* sbi.c's table names every extension; only RFENCE is exercised. */
const struct sbi_ext sbi_ext_base, sbi_ext_time, sbi_ext_ipi, sbi_ext_hsm,
	sbi_ext_srst, sbi_ext_dbcn, sbi_ext_susp, sbi_ext_sta, sbi_ext_pmu,
	sbi_ext_legacy, sbi_ext_vireo;
void vcpu_pmu_fw_event(struct vcpu *v, uint32_t event) {}

static struct domain D;
static struct vcpu V[4];

static void setup(void)
{
	memset(pcpus, 0, sizeof(pcpus));
	memset(ipis, 0, sizeof(ipis));
	memset(&D, 0, sizeof(D));
	memset(V, 0, sizeof(V));
	polls = 0;
	acker = NULL;
	D.nr_vcpus = 4;
	for (unsigned i = 0; i < 4; i++) {
		V[i].dom = &D;
		V[i].id = i;
		V[i].state = VCPU_RUNNABLE;
		D.vcpus[i] = &V[i];
	}
	V[0].pcpu = V[3].pcpu = &pcpus[0];
	V[1].pcpu = V[2].pcpu = &pcpus[1];
	V[0].in_guest = false; /* it is in its SBI call */
	V[1].in_guest = true;
}

static struct sbi_ret rfence(unsigned long fid, unsigned long mask,
			     unsigned long base)
{
	V[0].regs.x[REG_A0] = mask;
	V[0].regs.x[REG_A1] = base;
	V[0].regs.x[REG_A6] = fid;
	return sbi_ext_rfence.handle(&V[0], fid);
}

/* Targets 1-3: each asked, only hart 1 interrupted, the wait ends on ack. */
static void targets_asked_and_waited_for(bool by_exit)
{
	setup();
	acker = &V[1];
	ack_after = 5;
	ack_by_exit = by_exit;
	struct sbi_ret r = rfence(1 /* SFENCE_VMA */, 0xe, 0);
	CHECK_EQ(r.error, SBI_SUCCESS);
	CHECK_EQ(V[0].requests, 0);
	CHECK_EQ(V[2].requests, VCPU_REQ_HFENCE_VVMA); /* at its next entry */
	CHECK_EQ(V[3].requests, VCPU_REQ_HFENCE_VVMA);
	if (by_exit)
		CHECK_EQ(V[1].requests, VCPU_REQ_HFENCE_VVMA);
	CHECK_EQ(ipis[1], 1); /* hart 1, for vCPU 1 alone */
	CHECK_EQ(ipis[0], 0); /* never its own hart */
	CHECK(polls >= 5);    /* it waited for the acknowledgement */
}

/* A target not inside the guest costs no IPI and no wait. */
static void test_ack_by_leaving_the_guest(void)
{
	targets_asked_and_waited_for(true);
}

static void test_ack_by_consuming_the_request(void)
{
	targets_asked_and_waited_for(false);
}

static void test_no_wait_for_idle_targets(void)
{
	setup();
	V[1].in_guest = false;
	struct sbi_ret r = rfence(0 /* FENCE_I */, 0x6, 0);
	CHECK_EQ(r.error, SBI_SUCCESS);
	CHECK_EQ(V[1].requests, VCPU_REQ_FENCE_I);
	CHECK_EQ(V[2].requests, VCPU_REQ_FENCE_I);
	CHECK_EQ(V[3].requests, 0);
	CHECK_EQ(ipis[0] + ipis[1], 0);
	CHECK_EQ(polls, 0);
}

/* hart_mask_base = -1: every vCPU; a bad mask: nobody is asked. */
static void test_masks(void)
{
	setup();
	V[1].in_guest = false;
	CHECK_EQ(rfence(2 /* SFENCE_VMA_ASID */, 0, ~0UL).error, SBI_SUCCESS);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(V[i].requests, VCPU_REQ_HFENCE_VVMA);
	setup();
	CHECK_EQ(rfence(1, 0x1, 4).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(rfence(1, 0x10, 0).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(rfence(1, 0x3, 3).error, SBI_ERR_INVALID_PARAM);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(V[i].requests, 0);
	CHECK_EQ(ipis[1], 0);
	/* base 2, mask 0b11: vCPUs 2 and 3 only */
	CHECK_EQ(rfence(1, 0x3, 2).error, SBI_SUCCESS);
	CHECK_EQ(V[1].requests, 0);
	CHECK_EQ(V[2].requests | V[3].requests, VCPU_REQ_HFENCE_VVMA);
	/* The HFENCE functions are for guests with H: not ours. */
	CHECK_EQ(rfence(3, 0x1, 0).error, SBI_ERR_NOT_SUPPORTED);
}

int main(void)
{
	RUN(test_ack_by_leaving_the_guest);
	RUN(test_ack_by_consuming_the_request);
	RUN(test_no_wait_for_idle_targets);
	RUN(test_masks);
	TEST_DONE();
}
