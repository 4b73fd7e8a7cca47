/*
 * The null scheduler (Xen's "null"): the partitioned mode for critical
 * guests. Each vCPU of a null pool has a hart of its own, claimed when the
 * vCPU is placed and kept until it leaves; it is never preempted and no
 * timer is armed for it, so its hart takes only its own guest's traps (and
 * the wake-ups of its own timer while it waits). A pool with no free hart
 * refuses another vCPU (cpupool.c checks before it places).
 */
#include "cpupool.h"
#include "domain.h"
#include "pcpu.h"
#include "sched.h"

static struct vcpu *null_pick_next(struct pcpu *p, struct vcpu *prev,
				   uint64_t now, uint64_t *until,
				   uint64_t *deadline)
{
	*until = ~0UL; /* nobody to share with: no preemption timer */
	for (struct vcpu *v = p->rq_head; v; v = v->rq_next)
		if (sched_can_run(v))
			return v;
	return NULL;
}

/* A hart of the pool that nobody has claimed, claimed for v. */
static struct pcpu *null_pick_cpu(struct vcpu *v, unsigned n)
{
	for (unsigned k = 0; k < nr_pcpus; k++) {
		struct pcpu *q = &pcpus[(n + k) % nr_pcpus];
		struct vcpu *none = NULL;
		if (q->sched.null.owner == v)
			return q;
		if (sched_allowed(v, q, false) &&
		    __atomic_compare_exchange_n(&q->sched.null.owner, &none, v,
						false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return q;
	}
	return NULL;
}

static void null_insert(struct pcpu *p, struct vcpu *v)
{
	__atomic_store_n(&p->sched.null.owner, v, __ATOMIC_RELEASE);
}

static void null_remove(struct pcpu *p, struct vcpu *v)
{
	struct vcpu *mine = v;

	__atomic_compare_exchange_n(&p->sched.null.owner, &mine, NULL, false,
				    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

const struct sched_ops sched_null = {
    .name = "null",
    .insert = null_insert,
    .remove = null_remove,
    .pick_next = null_pick_next,
    .pick_cpu = null_pick_cpu,
    /* Partitioned: the fewest traps, the lowest wake-up latency. */
    .native_wfi = true,
};
