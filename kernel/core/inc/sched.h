/*
 * Scheduling vCPUs over harts. The core (sched.c) keeps each hart's queue
 * of the vCPUs homed on it, in the order they came, under the hart's
 * rq_lock; it arms the hart's timer, moves vCPUs between harts and enters
 * the one chosen. A policy (struct sched_ops, Xen's struct scheduler,
 * chosen at build time) decides: today round-robin (sched_rr.c), each hart
 * running the next runnable vCPU after the current one for a slice of
 * SCHED_SLICE_US when it has rivals, and idling in WFI when none is
 * runnable.
 */
#ifndef VIREO_SCHED_H
#define VIREO_SCHED_H

#include "types.h"

struct vcpu;
struct pcpu;

#define SCHED_SLICE_US 10000

/*
 * A policy. [rq]: called with the hart's rq_lock held. Optional hooks may
 * be NULL.
 */
struct sched_ops {
	const char *name;
	void (*init_pcpu)(struct pcpu *p);             /* at boot, optional */
	void (*insert)(struct pcpu *p, struct vcpu *v); /* [rq] v joined p */
	void (*remove)(struct pcpu *p, struct vcpu *v); /* [rq] v left p */
	/* v left a wait (any hart, no lock): the wake-up boost lives here. */
	void (*wake)(struct pcpu *p, struct vcpu *v);
	/* [rq] prev, p's current vCPU, no longer wants the hart. */
	void (*sleep)(struct pcpu *p, struct vcpu *prev);
	/* [rq] The vCPU p runs from now (NULL: none can run), and *until:
	 * when to decide again if a rival wants the hart. */
	struct vcpu *(*pick_next)(struct pcpu *p, struct vcpu *prev,
				  uint64_t now, uint64_t *until);
	/* The hart for v, the n-th vCPU placed (domain slot + index). */
	struct pcpu *(*pick_cpu)(const struct vcpu *v, unsigned n);
};

/* Each policy's data per hart (struct pcpu's sched) and per vCPU. */
union sched_pcpu_data {
	struct {
		uint64_t slice_end; /* when the running vCPU's slice ends */
	} rr;
};
union sched_vcpu_data {
	struct {
		uint64_t boosts; /* wake-ups that ended a rival's slice */
	} rr;
};

extern const struct sched_ops sched_rr;

extern uint32_t timebase_hz;

/* Add v to p's run queue (v->pcpu = p). */
void sched_add(struct pcpu *p, struct vcpu *v);
/* Home a new vCPU, the n-th placed (domain slot + index), where the
 * policy says. */
void sched_place_vcpu(struct vcpu *v, unsigned n);
void sched_init_pcpu(struct pcpu *p);
/* v left a wait (vcpu.c): tell the policy, p is v's hart. */
void sched_wake(struct vcpu *v, struct pcpu *p);
/* sched_can_run(v), whether v may be entered now, is domain.h's. */
/*
 * Make v's state current in memory (issue 11's vcpu_arch_sync): the hart
 * it is loaded on puts it (vcpu_arch_put) between traps, and we wait. v
 * must not run meanwhile (paused or moving). -1 if called inside v's own
 * trap. For moving vCPUs, save and debugging.
 */
int vcpu_sync(struct vcpu *v);
/* Move v to hart to while its domain runs: its hart hands it over at its
 * next pass through the scheduler. -1 if it cannot go there. */
int sched_move(struct vcpu *v, struct pcpu *to);
/*
 * Unlink the vCPUs of dying domains from p's run queue (p is this hart).
 * trap_done: this hart has finished the trap of its current vCPU, which
 * may then go too; inside a trap (false) the current vCPU stays.
 */
void sched_reap(struct pcpu *p, bool trap_done);
/* Pick the vCPU this hart runs next, idling until there is one. */
struct vcpu *schedule(void);
/* Scheduler entry on a hart that has never run a vCPU. */
void sched_start(void) __attribute__((noreturn));

#endif
