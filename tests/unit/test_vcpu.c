/*
 * Host test of vCPU kicks (kernel/core/vcpu.c) against the round-robin
 * scheduler they feed (kernel/core/sched.c): only a real wake-up
 * (BLOCKED -> RUNNABLE) may end the running vCPU's slice. Before that rule,
 * one vCPU of a DomU sending SBI IPIs to a spinning sibling kept that
 * sibling on a hart it shared with Dom0 nearly all the time.
 *
 * Two harts are simulated: the test runs as hart 0, where the IPI sender
 * sits, and calls the scheduler's choose() for hart 1 as that hart would
 * after each interruption. this_pcpu() and time_now() are RISC-V inlines;
 * as in test_memory.c their headers come first and the names are then
 * redefined for the code under test.
 */
#include "test.h"

#include <arch/arch.h>
#include "domain.h"
#include "pcpu.h"
#include "sched.h"

/* ------------------------------------------------------------ host stubs */
struct pcpu pcpus[MAX_PCPUS];
struct pcpu *boot_pcpu = &pcpus[0];
unsigned nr_pcpus = 2;
uint32_t domains_dying; /* domain.c's; no domain dies here */
static uint64_t now;
static unsigned ipis[MAX_PCPUS]; /* pcpu_ipi() per target hart */
static unsigned self_id;          /* the hart the test runs as */

static struct pcpu *test_this_pcpu(void)
{
	return &pcpus[self_id];
}
static unsigned long test_time_now(void)
{
	return now;
}
#define this_pcpu() test_this_pcpu()
#define time_now() test_time_now()

void pcpu_ipi(struct pcpu *p, uint32_t reason)
{
	CHECK_EQ(reason, IPI_KICK);
	ipis[p - pcpus]++;
}
static void put_synced(struct pcpu *p);
/* The target hart acts at once: its next pass through schedule(). */
void pcpu_ipi_wait(struct pcpu *p, uint32_t reason)
{
	unsigned saved = self_id;

	pcpu_ipi(p, reason);
	self_id = (unsigned)(p - pcpus);
	put_synced(p);
	self_id = saved;
}
void arch_handle_host_irqs(void) {}
void arch_idle(void) {}
static uint64_t timer_armed; /* what choose() last armed on a hart */
void arch_timer_arm(uint64_t when)
{
	timer_armed = when;
}
bool vcpu_arch_irq_pending(struct vcpu *v) { return false; }
void vcpu_arch_load(struct vcpu *v) {}
static struct vcpu *last_put;
static unsigned nr_puts;
void vcpu_arch_put(struct vcpu *v)
{
	last_put = v;
	nr_puts++;
}
void vcpu_arch_prepare_entry(struct vcpu *v) {}
void vcpu_arch_reset(struct vcpu *v, unsigned long pc, unsigned long a0,
		     unsigned long a1) {}
void vcpu_arch_trap_wfi(struct vcpu *v, bool trap) {}
/* The guest's deadline in vstimecmp and whether vsie.STIE enables it. */
uint64_t vcpu_arch_timer(struct vcpu *v) { return v->arch.vstimecmp; }
uint64_t vcpu_arch_wakeup(struct vcpu *v)
{
	return (v->arch.vsie & VSIE_STIE) ? v->arch.vstimecmp : ~0UL;
}
void vcpu_arch_enter(struct vcpu *v) { abort(); }

/* Steal time (sbi_sta.c) has its own test in test_sbi. */
void vcpu_steal_mark(struct vcpu *v, uint64_t now) {}
void vcpu_steal_account(struct vcpu *v, uint64_t now) {}
#include "../../kernel/core/vcpu.c"
#include "../../kernel/arch/riscv/vcpu_irq.c"
volatile uint32_t cpupool_epoch; /* cpupool.c's; no pools here */
#define SCHED_POLICY sched_rr /* the tests below are round-robin's */
#include "../../kernel/core/sched.c"
#include "../../kernel/core/sched_rr.c"

/* ---------------------------------------------------------------- set-up */
/* Dom0's vCPU 1 and the DomU's vCPU 1 (the IPI target) share hart 1; the
 * DomU's vCPU 0, the sender, runs on hart 0 (this one). */
static struct domain D0, U;
static struct vcpu d0v, sender, target;
#define SLICE ((uint64_t)timebase_hz / 1000000 * SCHED_SLICE_US)
#define STEP (SLICE / 100) /* 100 us: one hart-1 scheduling decision */

static void setup(void)
{
	memset(pcpus, 0, sizeof(pcpus));
	memset(ipis, 0, sizeof(ipis));
	self_id = 0;
	last_put = NULL;
	nr_puts = 0;
	memset(&D0, 0, sizeof(D0));
	memset(&U, 0, sizeof(U));
	memset(&d0v, 0, sizeof(d0v));
	memset(&sender, 0, sizeof(sender));
	memset(&target, 0, sizeof(target));
	for (unsigned i = 0; i < nr_pcpus; i++) {
		pcpus[i].id = i;
		pcpus[i].online = true;
	}
	D0.is_dom0 = true;
	d0v.dom = &D0;
	sender.dom = target.dom = &U;
	target.id = 1;
	U.nr_vcpus = 2;
	U.vcpus[0] = &sender;
	U.vcpus[1] = &target;
	D0.nr_vcpus = 1;
	D0.vcpus[0] = &d0v;
	d0v.state = sender.state = target.state = VCPU_RUNNABLE;
	d0v.arch.vstimecmp = sender.arch.vstimecmp = target.arch.vstimecmp = ~0UL;
	sched_add(&pcpus[0], &sender);
	sched_add(&pcpus[1], &d0v);
	sched_add(&pcpus[1], &target);
	now = 1000;
}

/* Hart 1 takes an interrupt or trap and decides again (as schedule()). */
static struct vcpu *hart1_decides(void)
{
	struct vcpu *v = choose(&pcpus[1], now);

	if (v)
		vcpu_arch_prepare_entry(v);
	/* The guest takes its IPI in: the next one is news again. */
	if (v == &target)
		target.arch.ssip_req = 0;
	return v;
}

/* ----------------------------------------------------------------- cases */

/*
 * A blocked vCPU whose deadline has passed but whose timer interrupt is
 * disabled (Linux 6.1 after its last tick) cannot be woken by it: the
 * hart's timer must not be armed for it, or it fires on every entry and
 * the vCPU running there makes no progress (the I/O stall of issue 8).
 */
static void test_disabled_timer_arms_nothing(void)
{
	setup();
	target.state = VCPU_BLOCKED;
	target.arch.vstimecmp = now - 1; /* long past */
	target.arch.vsie = 0;
	CHECK(hart1_decides() == &d0v);
	CHECK(timer_armed > now); /* nothing runnable rivals d0v: ~0 */
	CHECK_EQ(timer_armed, ~0UL);
	/* Enabled, the same deadline wakes it: armed (and it is woken). */
	target.arch.vsie = VSIE_STIE;
	target.arch.vstimecmp = now + STEP;
	hart1_decides();
	CHECK_EQ(timer_armed, now + STEP);
}

/* The rule on its own: which kicks end the slice of hart 1's vCPU. */
static void test_kick_ends_slice_only_on_wakeup(void)
{
	setup();
	CHECK(hart1_decides() == &d0v);
	CHECK(pcpus[1].sched.rr.slice_end > now);

	/* Runnable already, not running: no preemption, but an IPI. */
	uint64_t end = pcpus[1].sched.rr.slice_end;
	vcpu_kick(&target);
	CHECK_EQ(pcpus[1].sched.rr.slice_end, end);
	CHECK_EQ(target.state, VCPU_RUNNABLE);
	CHECK_EQ(ipis[1], 1);

	/* The running vCPU itself, blocked or not: no preemption. */
	vcpu_kick(&d0v);
	CHECK_EQ(pcpus[1].sched.rr.slice_end, end);

	/* A real wake-up: the slice ends, and hart 1 runs the woken one. */
	target.state = VCPU_BLOCKED;
	vcpu_kick(&target);
	CHECK_EQ(target.state, VCPU_RUNNABLE);
	CHECK_EQ(pcpus[1].sched.rr.slice_end, 0);
	now += STEP;
	CHECK(hart1_decides() == &target);

	/* A device model's answer wakes too (vcpu_io_done, not vcpu_kick). */
	target.state = VCPU_WAIT_IO;
	now += STEP;
	CHECK(hart1_decides() == &d0v);
	end = pcpus[1].sched.rr.slice_end;
	vcpu_kick(&target); /* an interrupt: not the answer it waits for */
	CHECK_EQ(target.state, VCPU_WAIT_IO);
	CHECK_EQ(pcpus[1].sched.rr.slice_end, end);
	vcpu_io_done(&target);
	CHECK_EQ(target.state, VCPU_RUNNABLE);
	CHECK_EQ(pcpus[1].sched.rr.slice_end, 0);
	now += STEP;
	CHECK(hart1_decides() == &target);
	vcpu_io_done(&target); /* not waiting: no effect on the slice */
	CHECK(pcpus[1].sched.rr.slice_end != 0);

	/* Stopped: stays stopped, no preemption, no IPI. */
	unsigned n = ipis[1];
	end = pcpus[1].sched.rr.slice_end;
	d0v.state = VCPU_STOPPED;
	vcpu_kick(&d0v);
	CHECK_EQ(d0v.state, VCPU_STOPPED);
	CHECK_EQ(pcpus[1].sched.rr.slice_end, end);
	CHECK_EQ(ipis[1], n);
}

/*
 * The attack: the sender raises an SBI IPI at its spinning sibling every
 * 100 us for 100 slices. Dom0's vCPU must keep its round-robin half of
 * the shared hart (at least 45 %), and hart 1 is not interrupted once per
 * IPI while the sibling waits for its turn.
 */
static void test_ipi_spam_keeps_dom0_share(void)
{
	const unsigned steps = 100 * 100;
	unsigned ran[2] = {0, 0}, sent_dom0 = 0, hit_dom0 = 0;

	setup();
	for (unsigned i = 0; i < steps; i++) {
		struct vcpu *v = hart1_decides(); /* a trap or tick per step */
		unsigned before = ipis[1];
		vcpu_set_irq(&target, HVIP_VSSIP, true);
		if (v == &d0v) {
			sent_dom0++;
			hit_dom0 += ipis[1] - before;
		}
		/* Interrupted: hart 1 decides again at once, and the time
		 * until the next step goes to whom it picks. */
		if (ipis[1] != before)
			v = hart1_decides();
		CHECK(v == &d0v || v == &target);
		ran[v == &target]++;
		now += STEP;
	}
	printk("dom0 %u, sibling %u steps; of %u IPIs sent while Dom0 ran, "
	       "%u interrupted it\n", ran[0], ran[1], sent_dom0, hit_dom0);
	CHECK(ran[0] * 100 >= steps * 45);
	CHECK(ran[1] * 100 >= steps * 45); /* and the sibling its half */
	/* While Dom0 runs, one interruption per slice, not one per IPI. */
	CHECK(hit_dom0 * 10 < sent_dom0);
}

/* A sibling in WFI is woken by each IPI and may then preempt. */
static void test_ipi_wakes_blocked_sibling(void)
{
	setup();
	CHECK(hart1_decides() == &d0v);
	target.state = VCPU_BLOCKED;
	vcpu_set_irq(&target, HVIP_VSSIP, true);
	CHECK_EQ(target.state, VCPU_RUNNABLE);
	CHECK_EQ(target.arch.ssip_req, 1);
	CHECK_EQ(pcpus[1].sched.rr.slice_end, 0);
	CHECK_EQ(ipis[1], 1);
	now += STEP;
	CHECK(hart1_decides() == &target);
	/* It takes the IPI, and waits again: the next IPI wakes it again. */
	target.state = VCPU_BLOCKED;
	now += STEP;
	CHECK(hart1_decides() == &d0v);
	vcpu_set_irq(&target, HVIP_VSSIP, true);
	CHECK_EQ(target.state, VCPU_RUNNABLE);
	CHECK_EQ(ipis[1], 2);
	CHECK_EQ(pcpus[1].sched.rr.slice_end, 0);
}

static bool on_queue(struct pcpu *p, struct vcpu *v)
{
	for (struct vcpu *o = p->rq_head; o; o = o->rq_next)
		if (o == v)
			return true;
	return false;
}

/*
 * A dying domain's vCPUs leave their hart's queue at its next pass, once
 * the destroyer has counted the domain (domains_dying); with none counted
 * the pass does not even look.
 */
static void test_reap_gate(void)
{
	setup();
	U.dying = true;
	domains_dying = 0;
	sched_reap(&pcpus[1], true);
	CHECK(target.pcpu == &pcpus[1]); /* not counted: not looked at */
	domains_dying = 1;
	sched_reap(&pcpus[1], true);
	CHECK(target.pcpu == NULL && !on_queue(&pcpus[1], &target));
	CHECK(d0v.pcpu == &pcpus[1] && on_queue(&pcpus[1], &d0v));
	domains_dying = 0;
}

/*
 * sched_move(): the vCPU's own hart hands it over between traps
 * (migrate_out): its state put into memory first (vcpu_sync), off the old
 * queue and onto the new one, its home never NULL on the way; the new
 * hart then runs it.
 */
static void test_move(void)
{
	setup();
	pcpus[1].current = pcpus[1].loaded = &target;
	CHECK_EQ(sched_move(&target, &pcpus[0]), 0);
	CHECK(target.move_to == &pcpus[0] && ipis[1] == 1);
	CHECK(target.pcpu == &pcpus[1] && nr_puts == 0); /* not yet */
	self_id = 1;
	migrate_out(&pcpus[1]);
	CHECK(target.pcpu == &pcpus[0]);
	CHECK(last_put == &target && nr_puts == 1);
	CHECK(!pcpus[1].loaded && !pcpus[1].current);
	CHECK(!target.moving && !target.move_to && !target.sync_req);
	CHECK(on_queue(&pcpus[0], &target) && !on_queue(&pcpus[1], &target));
	CHECK_EQ(ipis[0], 1);
	/* Each hart runs what it now holds. */
	CHECK(choose(&pcpus[1], now) == &d0v);
	self_id = 0;
	CHECK(choose(&pcpus[0], now) == &sender);
	now += SLICE;
	CHECK(choose(&pcpus[0], now) == &target);
	/* Nothing to do, or nowhere to go. */
	CHECK_EQ(sched_move(&target, &pcpus[0]), 0);
	CHECK(!target.move_to);
	pcpus[1].online = false;
	CHECK_EQ(sched_move(&target, &pcpus[1]), -1);
	pcpus[1].online = true;
	U.dying = true;
	CHECK_EQ(sched_move(&target, &pcpus[1]), -1);
	CHECK(!target.move_to && target.pcpu == &pcpus[0]);
}

/* A vCPU that is asked to move is entered nowhere until it has moved. */
static void test_move_not_entered(void)
{
	setup();
	CHECK_EQ(sched_move(&target, &pcpus[0]), 0);
	target.moving = true; /* as migrate_out() sets it first */
	CHECK(!sched_can_run(&target));
	target.moving = false;
	CHECK(sched_can_run(&target));
}

/*
 * vcpu_sync(): another hart's vCPU that cannot run is put by its hart and
 * forgotten there; inside the vCPU's own trap it refuses.
 */
static void test_sync(void)
{
	setup();
	U.user_paused = true;
	pcpus[1].loaded = &target;
	pcpus[1].current = &d0v;
	CHECK_EQ(vcpu_sync(&target), 0);
	CHECK(last_put == &target && !pcpus[1].loaded && ipis[1] == 1);
	CHECK(!target.sync_req);
	/* Not loaded anywhere: nothing to do. */
	CHECK_EQ(vcpu_sync(&target), 0);
	CHECK_EQ(nr_puts, 1);
	/* On its own hart, as its current vCPU: its trap is in progress. */
	self_id = 1;
	pcpus[1].loaded = pcpus[1].current = &target;
	CHECK_EQ(vcpu_sync(&target), -1);
	CHECK(pcpus[1].loaded == &target && nr_puts == 1);
}

/*
 * vcpu_start() against the hart that would run the vCPU, in two threads:
 * that hart may enter the vCPU as soon as it leaves STOPPED (a pending
 * interrupt wakes it), so by then its reset request must be there, or it
 * runs on with the registers it stopped with. The "hart" thread takes
 * each start in (clears the request) and stops the vCPU again; the test
 * thread starts it again. Leaving STOPPED before the request, as
 * vcpu_start() once did (and OpenSBI 1.1's hart_start does), is seen
 * here in about half the rounds on two host cores.
 */
#include <pthread.h>

#define START_ROUNDS 200000
static struct vcpu starter_v;
static volatile bool start_done;
static unsigned stale_entries, taken_in;

static void *start_hart(void *arg)
{
	while (!__atomic_load_n(&start_done, __ATOMIC_ACQUIRE)) {
		if (__atomic_load_n(&starter_v.state, __ATOMIC_ACQUIRE) ==
		    VCPU_STOPPED)
			continue;
		if (!(__atomic_fetch_and(&starter_v.requests, ~VCPU_REQ_RESET,
					 __ATOMIC_ACQ_REL) & VCPU_REQ_RESET)) {
			stale_entries++;
			/* Its start still sets the request: eat that one. */
			while (!(__atomic_fetch_and(&starter_v.requests,
						    ~VCPU_REQ_RESET,
						    __ATOMIC_ACQ_REL) &
				 VCPU_REQ_RESET))
				;
		}
		taken_in++;
		__atomic_store_n(&starter_v.state, VCPU_STOPPED, __ATOMIC_RELEASE);
	}
	return arg;
}

static void test_start_publishes_reset_first(void)
{
	pthread_t hart;
	unsigned started = 0;

	memset(&starter_v, 0, sizeof(starter_v));
	starter_v.dom = &U;
	starter_v.state = VCPU_STOPPED;
	start_done = false;
	stale_entries = taken_in = 0;
	CHECK_EQ(pthread_create(&hart, NULL, start_hart, NULL), 0);
	for (unsigned i = 0; i < START_ROUNDS; i++) {
		while (__atomic_load_n(&starter_v.state, __ATOMIC_ACQUIRE) !=
		       VCPU_STOPPED)
			;
		started += vcpu_start(&starter_v, 0x80200000UL + i, i, 0);
	}
	while (__atomic_load_n(&starter_v.state, __ATOMIC_ACQUIRE) != VCPU_STOPPED)
		;
	__atomic_store_n(&start_done, true, __ATOMIC_RELEASE);
	pthread_join(hart, NULL);
	CHECK_EQ(started, START_ROUNDS);
	CHECK_EQ(taken_in, START_ROUNDS);
	CHECK_EQ(stale_entries, 0);
	/* A start claimed by another caller is refused, and v stays stopped. */
	starter_v.starting = 1;
	CHECK(!vcpu_start(&starter_v, 0x80200000UL, 0, 0));
	CHECK(starter_v.state == VCPU_STOPPED);
	starter_v.starting = 0;
	CHECK(vcpu_start(&starter_v, 0x80200000UL, 0, 0));
	CHECK(starter_v.state != VCPU_STOPPED && !starter_v.starting);
	CHECK(!vcpu_start(&starter_v, 0x80200000UL, 0, 0));
}

int main(void)
{
	RUN(test_kick_ends_slice_only_on_wakeup);
	RUN(test_disabled_timer_arms_nothing);
	RUN(test_ipi_spam_keeps_dom0_share);
	RUN(test_ipi_wakes_blocked_sibling);
	RUN(test_move);
	RUN(test_move_not_entered);
	RUN(test_sync);
	RUN(test_reap_gate);
	RUN(test_start_publishes_reset_first);
	TEST_DONE();
}
