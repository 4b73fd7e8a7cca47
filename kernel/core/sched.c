/* Per-hart round-robin run queues (see sched.h). */
#include "arch.h"
#include "domain.h"
#include "pcpu.h"
#include "sched.h"

uint32_t timebase_hz = 10000000;

void sched_add(struct pcpu *p, struct vcpu *v)
{
	struct vcpu **pp;

	v->pcpu = p;
	v->rq_next = NULL;
	spin_lock(&p->rq_lock);
	for (pp = &p->rq_head; *pp; pp = &(*pp)->rq_next)
		;
	*pp = v;
	spin_unlock(&p->rq_lock);
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
		if (v->state == VCPU_RUNNABLE)
			return v;
	for (struct vcpu *v = p->rq_head; v; v = v->rq_next) {
		if (v->state == VCPU_RUNNABLE)
			return v;
		if (v == prev)
			break;
	}
	return NULL;
}

static unsigned count_state(struct pcpu *p, enum vcpu_state s)
{
	unsigned n = 0;

	for (struct vcpu *v = p->rq_head; v; v = v->rq_next)
		n += v->state == s;
	return n;
}

/* Earliest timer among this hart's blocked vCPUs. */
static uint64_t next_wakeup(struct pcpu *p)
{
	uint64_t t = ~0UL;

	for (struct vcpu *v = p->rq_head; v; v = v->rq_next)
		if (v->state == VCPU_BLOCKED)
			t = MIN(t, vcpu_arch_timer(v));
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

struct vcpu_regs *schedule(void)
{
	struct pcpu *p = this_pcpu();
	struct vcpu *prev = p->current;
	uint64_t now = time_now();
	struct vcpu *v;

	for (;;) {
		arch_handle_host_irqs();
		wake_blocked(p);
		/* The current vCPU keeps the hart until its slice ends. */
		if (prev && prev->state == VCPU_RUNNABLE && now < p->slice_end)
			v = prev;
		else
			v = pick_next(p, prev);
		if (v)
			break;
		arch_timer_arm(next_wakeup(p));
		arch_idle();
		now = time_now();
	}
	if (v != prev || now >= p->slice_end)
		p->slice_end = now + (uint64_t)timebase_hz / 1000000 *
					     SCHED_SLICE_US;
	switch_to(p, v);
	/* Only rivals need a preemption timer, or WFI traps. */
	unsigned rivals = count_state(p, VCPU_RUNNABLE) - 1;
	arch_timer_arm(MIN(rivals ? p->slice_end : ~0UL, next_wakeup(p)));
	vcpu_arch_trap_wfi(v, rivals + count_state(p, VCPU_BLOCKED) > 0);
	v->in_guest = true;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vcpu_arch_prepare_entry(v);
	return &v->regs;
}

void sched_start(void)
{
	vcpu_resume_full(schedule());
}
