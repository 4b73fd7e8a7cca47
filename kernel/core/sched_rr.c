/*
 * Round-robin, the policy behind sched_ops today: each hart runs the next
 * runnable vCPU after the current one, in the order they were homed there,
 * for a slice of SCHED_SLICE_US; a vCPU keeps the hart until its slice ends
 * or it stops wanting it. vCPUs are placed round-robin over the harts that
 * came up and stay there unless moved (sched_move).
 */
#include "domain.h"
#include "pcpu.h"
#include "sched.h"

/* Next runnable vCPU after prev in queue order (prev itself last). */
static struct vcpu *next_after(struct pcpu *p, struct vcpu *prev)
{
	struct vcpu *start = prev ? prev->rq_next : NULL;

	for (struct vcpu *v = start; v; v = v->rq_next)
		if (sched_can_run(v))
			return v;
	for (struct vcpu *v = p->rq_head; v; v = v->rq_next) {
		if (sched_can_run(v))
			return v;
		if (v == prev)
			break;
	}
	return NULL;
}

static struct vcpu *rr_pick_next(struct pcpu *p, struct vcpu *prev,
				 uint64_t now, uint64_t *until,
				 uint64_t *deadline)
{
	uint64_t *end = &p->sched.rr.slice_end;
	struct vcpu *v;

	/* The current vCPU keeps the hart until its slice ends. */
	if (prev && sched_can_run(prev) && now < *end)
		v = prev;
	else
		v = next_after(p, prev);
	if (v && (v != prev || now >= *end))
		*end = now + (uint64_t)timebase_hz / 1000000 * SCHED_SLICE_US;
	*until = *end;
	return v;
}

/*
 * Wake-up boost, as Xen's credit scheduler gives one: a vCPU that was
 * waiting (for an interrupt, an event, a device model) need not sit out the
 * rest of the running vCPU's slice. Ending that slice makes the hart's next
 * decision, at once for another hart (vcpu.c's IPI) or at our own next
 * exit, round-robin to it. vcpu.c calls this only for a real wake-up: a
 * vCPU that was runnable already waits for its turn, or a guest could take
 * a hart it shares by having one vCPU send IPIs to a spinning sibling.
 */
static void rr_wake(struct pcpu *p, struct vcpu *v)
{
	if (__atomic_load_n(&p->current, __ATOMIC_RELAXED) != v) {
		__atomic_store_n(&p->sched.rr.slice_end, 0, __ATOMIC_RELAXED);
		__atomic_add_fetch(&v->sched.rr.boosts, 1, __ATOMIC_RELAXED);
	}
}

/* Round-robin over the harts that came up (a hart whose HSM start failed
 * gets none, or destroy would wait on it). */
static struct pcpu *rr_pick_cpu(struct vcpu *v, unsigned n)
{
	unsigned usable = 0, k;

	for (unsigned i = 0; i < nr_pcpus; i++)
		usable += !pcpus[i].absent;
	k = n % (usable ? usable : 1);
	for (unsigned i = 0; i < nr_pcpus; i++)
		if (!pcpus[i].absent && k-- == 0)
			return &pcpus[i];
	return boot_pcpu; /* never absent */
}

const struct sched_ops sched_rr = {
    .name = "round-robin",
    .wake = rr_wake,
    .pick_next = rr_pick_next,
    .pick_cpu = rr_pick_cpu,
};
