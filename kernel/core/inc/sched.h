/*
 * Scheduling vCPUs over harts. The core (sched.c) keeps each hart's queue
 * of the vCPUs homed on it, in the order they came, under the hart's
 * rq_lock; it arms the hart's timer, moves vCPUs between harts and enters
 * the one chosen. A policy (struct sched_ops, Xen's struct scheduler,
 * one per cpupool, cpupool.h) decides: the credit scheduler
 * (sched_credit.c) or the null one (sched_null.c); round-robin
 * (sched_rr.c) remains as the simplest policy, for harts outside every
 * pool (the unit tests').
 * Each vCPU has a hard affinity (the harts it may run on) and a soft one
 * (the harts it prefers); each domain a weight and a cap.
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
	 * when to decide again if a rival wants the hart; *deadline (starts
	 * at ~0): when to decide again in any case (a cap's budget). */
	struct vcpu *(*pick_next)(struct pcpu *p, struct vcpu *prev,
				  uint64_t now, uint64_t *until,
				  uint64_t *deadline);
	/* The hart for v, the n-th vCPU placed (domain slot + index), among
	 * those sched_allowed(); NULL if there is none (a full null pool). */
	struct pcpu *(*pick_cpu)(struct vcpu *v, unsigned n);
	/* Between traps on p, no lock held: move vCPUs between harts
	 * (sched_move), taking one hart's rq_lock at a time. Optional. */
	void (*balance)(struct pcpu *p, uint64_t now);
	/*
	 * A lone vCPU's WFI waits in hardware instead of trapping (Xen's
	 * vwfi=native): no trap per idle period, but its idle time counts as
	 * run time. Otherwise WFI always traps, as in Xen and KVM, so that
	 * run time (vcpu-list, top, credit, caps) is time it really ran.
	 */
	bool native_wfi;
};

/* Credit scheduler: per hart, per vCPU, and the pool's parameters. */
struct sched_credit_pcpu {
	uint64_t slice_end;   /* the running vCPU's slice ends */
	uint64_t run_since;   /* it got the hart (the rate limit's start) */
	uint64_t charged_at;  /* its run is debited up to here */
	uint64_t acct_at, next_acct; /* the last accounting, the next */
	uint64_t next_balance;
	struct vcpu *running; /* what pick_next chose last */
};
struct sched_credit_vcpu {
	int64_t credit;   /* timer ticks it may still run (< 0: OVER) */
	uint64_t ran;     /* run this period (for the cap) */
	uint64_t last_ran; /* when it last lost the hart (FIFO among equals) */
	uint64_t boosts;  /* wake-ups that boosted it */
	uint64_t arrived; /* joined its hart's queue */
	bool boost, parked, active, placed;
};
struct sched_credit_params {
	uint32_t tslice_us, ratelimit_us, tick_us;
};


/* Each policy's data per hart (struct pcpu's sched) and per vCPU. */
union sched_pcpu_data {
	struct {
		uint64_t slice_end; /* when the running vCPU's slice ends */
	} rr;
	struct sched_credit_pcpu credit;
	struct {
		struct vcpu *owner; /* the vCPU this hart is given to */
	} null;
};
union sched_vcpu_data {
	struct {
		uint64_t boosts; /* wake-ups that ended a rival's slice */
	} rr;
	struct sched_credit_vcpu credit;
};

extern const struct sched_ops sched_rr, sched_credit, sched_null;

extern uint32_t timebase_hz;

/* Add v to p's run queue (v->pcpu = p). */
void sched_add(struct pcpu *p, struct vcpu *v);
/* Home a new vCPU, the n-th placed (domain slot + index), where its pool's
 * policy says; -1 if there is no room (cpupool_room() said there was). */
int sched_place_vcpu(struct vcpu *v, unsigned n);
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
/* May v run on q (a hart of its domain's pool, in its hard affinity; with
 * soft, in its soft one too)? */
bool sched_allowed(const struct vcpu *v, const struct pcpu *q, bool soft);
/* Does v's soft affinity name a hart it may run on? */
bool sched_soft_possible(const struct vcpu *v);
/* The allowed hart (soft affinity first) with the least load_of(), the
 * search starting at hart n so that ties spread; NULL if none. */
struct pcpu *sched_least_loaded(const struct vcpu *v, unsigned n,
				unsigned (*load_of)(const struct pcpu *p));
/* Set v's affinities (bit h: hart h; 0 leaves one as it is) and move it if
 * its hart is no longer allowed. -1 if a mask names no usable hart. */
int sched_set_affinity(struct vcpu *v, uint64_t hard, uint64_t soft);
/* Harts that exist and may run vCPUs (bit h: hart h). */
uint64_t sched_usable_harts(void);
/* Pick the vCPU this hart runs next, idling until there is one. */
struct vcpu *schedule(void);
/* Scheduler entry on a hart that has never run a vCPU. */
void sched_start(void) __attribute__((noreturn));

#endif
