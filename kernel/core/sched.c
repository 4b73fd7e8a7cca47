/* Per-hart round-robin run queues (see sched.h). */
#include "domain.h"
#include "pcpu.h"
#include "sched.h"

uint32_t timebase_hz = 10000000;

struct pcpu *sched_place(unsigned n)
{
	unsigned usable = 0, k;

	for (unsigned i = 0; i < nr_pcpus; i++)
		usable += !pcpus[i].absent;
	k = n % (usable ? usable : 1);
	for (unsigned i = 0; i < nr_pcpus; i++)
		if (!pcpus[i].absent && k-- == 0)
			return &pcpus[i];
	return &pcpus[0]; /* the boot hart is never absent */
}

void sched_add(struct pcpu *p, struct vcpu *v)
{
	struct vcpu **pp;

	v->rq_next = NULL;
	spin_lock(&p->rq_lock);
	for (pp = &p->rq_head; *pp; pp = &(*pp)->rq_next)
		;
	*pp = v;
	v->pcpu = p;
	spin_unlock(&p->rq_lock);
}

/*
 * A dying domain's vCPUs leave the queue here, on their own hart, so that no
 * hart still holds one as current or loaded when the destroyer frees it.
 * The current vCPU goes only between traps (trap_done): while this hart is
 * inside one of its traps, the trap still reads and writes it.
 */
void sched_reap(struct pcpu *p, bool trap_done)
{
	spin_lock(&p->rq_lock);
	for (struct vcpu **pp = &p->rq_head; *pp;) {
		struct vcpu *v = *pp;
		if (!v->dom->dying || v->in_guest ||
		    (v == p->current && !trap_done)) {
			pp = &v->rq_next;
			continue;
		}
		*pp = v->rq_next;
		if (p->loaded == v)
			p->loaded = NULL; /* its CSRs are garbage from now on */
		if (p->current == v)
			p->current = NULL;
		__atomic_store_n(&v->pcpu, NULL, __ATOMIC_RELEASE);
	}
	spin_unlock(&p->rq_lock);
}

static bool can_run(const struct vcpu *v)
{
	return v->state == VCPU_RUNNABLE && domain_may_run(v->dom);
}

/* Wake blocked vCPUs that have an interrupt or whose timer has expired. */
static void wake_blocked(struct pcpu *p)
{
	for (struct vcpu *v = p->rq_head; v; v = v->rq_next)
		if (v->state == VCPU_BLOCKED && vcpu_arch_irq_pending(v))
			vcpu_kick(v);
}

/* Next runnable vCPU after prev in queue order (prev itself last). */
static struct vcpu *pick_next(struct pcpu *p, struct vcpu *prev)
{
	struct vcpu *start = prev ? prev->rq_next : NULL;

	for (struct vcpu *v = start; v; v = v->rq_next)
		if (can_run(v))
			return v;
	for (struct vcpu *v = p->rq_head; v; v = v->rq_next) {
		if (can_run(v))
			return v;
		if (v == prev)
			break;
	}
	return NULL;
}

/* vCPUs other than v that want this hart now or later. */
static unsigned rivals(struct pcpu *p, const struct vcpu *v, bool *runnable)
{
	unsigned n = 0;

	*runnable = false;
	for (struct vcpu *o = p->rq_head; o; o = o->rq_next) {
		if (o == v || o->state == VCPU_STOPPED || !domain_may_run(o->dom))
			continue;
		n++;
		*runnable |= o->state == VCPU_RUNNABLE;
	}
	return n;
}

/*
 * Earliest timer among this hart's blocked vCPUs that can wake them. Linux
 * 6.1 clears its timer interrupt enable in the handler and, with the tick
 * stopped, leaves a deadline in the past: counting that one made the
 * hart's timer fire on every entry, and the vCPU running there crawled.
 */
static uint64_t next_wakeup(struct pcpu *p)
{
	uint64_t t = ~0UL;

	for (struct vcpu *v = p->rq_head; v; v = v->rq_next)
		if (v->state == VCPU_BLOCKED && domain_may_run(v->dom))
			t = MIN(t, vcpu_arch_wakeup(v));
	return t;
}

static void switch_to(struct pcpu *p, struct vcpu *v)
{
	if (p->loaded != v) {
		if (p->loaded)
			vcpu_arch_put(p->loaded);
		vcpu_arch_load(v);
		p->loaded = v;
	}
	if (__atomic_fetch_and(&v->requests, ~VCPU_REQ_RESET, __ATOMIC_ACQ_REL) &
	    VCPU_REQ_RESET)
		vcpu_arch_reset(v, v->start_pc, v->start_a0, v->start_a1);
	p->current = v;
}

/* Choose, under the run-queue lock; NULL when nothing can run. */
static struct vcpu *choose(struct pcpu *p, uint64_t now)
{
	struct vcpu *prev, *v;

	spin_lock(&p->rq_lock);
	prev = p->current;
	wake_blocked(p);
	/* The current vCPU keeps the hart until its slice ends. */
	if (prev && can_run(prev) && now < p->slice_end)
		v = prev;
	else
		v = pick_next(p, prev);
	/* Preempted while it still wants the hart: its wait is steal. */
	if (prev && prev != v && prev->state == VCPU_RUNNABLE)
		vcpu_steal_mark(prev, now);
	if (v && (v != prev || now >= p->slice_end))
		p->slice_end = now + (uint64_t)timebase_hz / 1000000 *
					     SCHED_SLICE_US;
	if (v) {
		bool busy;
		unsigned n = rivals(p, v, &busy);
		switch_to(p, v);
		/* Only rivals need a preemption timer, or WFI traps. */
		arch_timer_arm(MIN(busy ? p->slice_end : ~0UL, next_wakeup(p)));
		vcpu_arch_trap_wfi(v, n > 0);
	} else {
		arch_timer_arm(next_wakeup(p));
	}
	spin_unlock(&p->rq_lock);
	return v;
}

struct vcpu *schedule(void)
{
	struct pcpu *p = this_pcpu();
	struct vcpu *v;

	for (;;) {
		arch_handle_host_irqs();
		sched_reap(p, true);
		v = choose(p, time_now());
		if (!v) {
			arch_idle();
			continue;
		}
		v->in_guest = true;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		/* Paused or destroyed meanwhile? Then the pauser saw in_guest
		 * clear, or sees it set and waits for us: either is safe. */
		if (domain_may_run(v->dom)) {
			v->hsm_suspended = false; /* it runs: no longer */
			break;
		}
		v->in_guest = false;
	}
	vcpu_arch_prepare_entry(v);
	v->run_start = time_now();
	vcpu_steal_account(v, v->run_start);
	return v;
}

void sched_start(void)
{
	vcpu_arch_enter(schedule());
}
