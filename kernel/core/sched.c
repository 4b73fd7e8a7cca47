/*
 * The scheduler's core (see sched.h): the vCPUs homed on each hart, the
 * run-queue lock, the hart's timer, moving a vCPU between harts and
 * entering the chosen one. The policy (sched_ops, build-time) decides.
 */
#include "cpupool.h"
#include "domain.h"
#include "pcpu.h"
#include "sched.h"

uint32_t timebase_hz = 10000000;

/* The policy of a hart outside every pool (only the unit tests have
 * such harts: at boot every hart joins Pool-0). */
#ifndef SCHED_POLICY
#define SCHED_POLICY sched_credit
#endif

static const struct sched_ops *ops_of(const struct pcpu *p)
{
	const struct cpupool *c = __atomic_load_n(&p->pool, __ATOMIC_ACQUIRE);

	return c ? c->ops : &SCHED_POLICY;
}

/* The policy that places v: its domain's pool's. */
static const struct sched_ops *ops_for(const struct vcpu *v)
{
	const struct cpupool *c = __atomic_load_n(&v->dom->pool, __ATOMIC_ACQUIRE);

	return c ? c->ops : &SCHED_POLICY;
}

uint64_t sched_usable_harts(void)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < nr_pcpus; i++)
		if (!pcpus[i].absent)
			m |= 1ULL << i;
	return m;
}

bool sched_soft_possible(const struct vcpu *v)
{
	return (v->hard_aff & v->soft_aff & sched_usable_harts()) != 0;
}

bool sched_allowed(const struct vcpu *v, const struct pcpu *q, bool soft)
{
	const struct cpupool *c = __atomic_load_n(&v->dom->pool, __ATOMIC_ACQUIRE);
	uint64_t bit = 1ULL << q->id;

	if (c && (q->pool != c || !(c->harts & bit)))
		return false;
	return !q->absent && (v->hard_aff & bit) && (!soft || (v->soft_aff & bit));
}

struct pcpu *sched_least_loaded(const struct vcpu *v, unsigned n,
				unsigned (*load_of)(const struct pcpu *p))
{
	bool soft = sched_soft_possible(v);
	struct pcpu *best = NULL;
	unsigned best_load = ~0U;

	for (unsigned k = 0; k < nr_pcpus; k++) {
		struct pcpu *q = &pcpus[(n + k) % nr_pcpus];
		unsigned load;
		if (!sched_allowed(v, q, soft))
			continue;
		load = load_of(q);
		if (load < best_load) {
			best = q;
			best_load = load;
		}
	}
	return best;
}

int sched_set_affinity(struct vcpu *v, uint64_t hard, uint64_t soft)
{
	uint64_t usable = sched_usable_harts();
	struct pcpu *p = __atomic_load_n(&v->pcpu, __ATOMIC_ACQUIRE);

	if ((hard && !(hard & usable)) || (soft && !(soft & usable)))
		return -1;
	if (hard)
		__atomic_store_n(&v->hard_aff, hard, __ATOMIC_RELEASE);
	if (soft)
		__atomic_store_n(&v->soft_aff, soft, __ATOMIC_RELEASE);
	/* Still where it may (and, if it can be, would like to) run? */
	if (p && !sched_allowed(v, p, sched_soft_possible(v))) {
		struct pcpu *to = ops_for(v)->pick_cpu(v, p->id);
		return to ? sched_move(v, to) : -1;
	}
	return 0;
}

void sched_init_pcpu(struct pcpu *p)
{
	if (ops_of(p)->init_pcpu)
		ops_of(p)->init_pcpu(p);
}

int sched_place_vcpu(struct vcpu *v, unsigned n)
{
	struct pcpu *p = ops_for(v)->pick_cpu(v, n);

	if (!p)
		return -1;
	sched_add(p, v);
	return 0;
}

void sched_wake(struct vcpu *v, struct pcpu *p)
{
	if (ops_of(p)->wake)
		ops_of(p)->wake(p, v);
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
	if (ops_of(p)->insert)
		ops_of(p)->insert(p, v);
	spin_unlock(&p->rq_lock);
}

/*
 * p's lock held: v leaves p's queue and the hart forgets it. Its home
 * becomes next (NULL: none, it is reaped); never NULL on the way to
 * another hart, or a destroyer waiting for it to be off every hart would
 * think it gone.
 */
static void unlink(struct pcpu *p, struct vcpu **pp, struct pcpu *next)
{
	struct vcpu *v = *pp;

	*pp = v->rq_next;
	if (ops_of(p)->remove)
		ops_of(p)->remove(p, v);
	if (p->loaded == v)
		p->loaded = NULL; /* its CSRs are garbage from now on */
	if (p->current == v)
		p->current = NULL;
	__atomic_store_n(&v->pcpu, next, __ATOMIC_RELEASE);
}

/*
 * A dying domain's vCPUs leave the queue here, on their own hart, so that no
 * hart still holds one as current or loaded when the destroyer frees it.
 * The current vCPU goes only between traps (trap_done): while this hart is
 * inside one of its traps, the trap still reads and writes it.
 */
void sched_reap(struct pcpu *p, bool trap_done)
{
	/* The destroyer counts the domain before it interrupts this hart. */
	if (!__atomic_load_n(&domains_dying, __ATOMIC_SEQ_CST))
		return;
	spin_lock(&p->rq_lock);
	for (struct vcpu **pp = &p->rq_head; *pp;) {
		struct vcpu *v = *pp;
		if (!v->dom->dying || v->in_guest ||
		    (v == p->current && !trap_done)) {
			pp = &v->rq_next;
			continue;
		}
		unlink(p, pp, NULL);
	}
	spin_unlock(&p->rq_lock);
}

/* Wake blocked vCPUs that have an interrupt or whose timer has expired. */
static void wake_blocked(struct pcpu *p)
{
	for (struct vcpu *v = p->rq_head; v; v = v->rq_next)
		if (v->state == VCPU_BLOCKED && vcpu_arch_irq_pending(v))
			vcpu_kick(v);
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
		p->stats.switches++;
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
	uint64_t until = ~0UL, deadline = ~0UL;

	spin_lock(&p->rq_lock);
	prev = p->current;
	wake_blocked(p);
	if (prev && !sched_can_run(prev) && ops_of(p)->sleep)
		ops_of(p)->sleep(p, prev);
	v = ops_of(p)->pick_next(p, prev, now, &until, &deadline);
	/* Preempted while it still wants the hart: its wait is steal. */
	if (prev && prev != v && prev->state == VCPU_RUNNABLE)
		vcpu_steal_mark(prev, now);
	if (v) {
		bool busy;
		unsigned n = rivals(p, v, &busy);
		switch_to(p, v);
		/* Only rivals need a preemption timer. WFI traps unless
		 * the policy lets a lone vCPU wait in hardware. */
		arch_timer_arm(MIN(MIN(busy ? until : ~0UL, deadline),
				   next_wakeup(p)));
		vcpu_arch_trap_wfi(v, n > 0 || !ops_of(p)->native_wfi);
	} else {
		arch_timer_arm(MIN(deadline, next_wakeup(p)));
	}
	spin_unlock(&p->rq_lock);
	/* v is a queued vCPU; cppcheck takes &until for its source. */
	// cppcheck-suppress returnDanglingLifetime
	return v;
}

/*
 * Between traps: a loaded vCPU that cannot run and that someone waits to
 * see in memory (vcpu_sync) is put now, and the hart forgets it.
 */
static void put_synced(struct pcpu *p)
{
	struct vcpu *v = p->loaded;

	if (!__atomic_load_n(&p->sync_pending, __ATOMIC_ACQUIRE) || !v ||
	    !__atomic_load_n(&v->sync_req, __ATOMIC_ACQUIRE) || v->in_guest ||
	    sched_can_run(v))
		return;
	spin_lock(&p->rq_lock);
	vcpu_arch_put(v);
	p->loaded = NULL;
	if (p->current == v)
		p->current = NULL;
	__atomic_store_n(&p->sync_pending, 0, __ATOMIC_RELEASE);
	spin_unlock(&p->rq_lock);
}

int vcpu_sync(struct vcpu *v)
{
	struct pcpu *self = this_pcpu();
	int rc = 0;

	__atomic_store_n(&v->sync_req, true, __ATOMIC_RELEASE);
	for (;;) {
		struct pcpu *p = __atomic_load_n(&v->pcpu, __ATOMIC_ACQUIRE);
		if (!p || __atomic_load_n(&p->loaded, __ATOMIC_ACQUIRE) != v)
			break;
		__atomic_store_n(&p->sync_pending, 1, __ATOMIC_RELEASE);
		if (p == self) {
			/* Inside v's own trap its CSRs are in use. */
			if (p->current == v) {
				rc = -1;
				break;
			}
			put_synced(p);
			continue;
		}
		pcpu_ipi_wait(p, IPI_KICK); /* through schedule() */
	}
	__atomic_store_n(&v->sync_req, false, __ATOMIC_RELEASE);
	return rc;
}

int sched_move(struct vcpu *v, struct pcpu *to)
{
	struct pcpu *from = __atomic_load_n(&v->pcpu, __ATOMIC_ACQUIRE);

	if (!from || !to->online || to->absent || v->dom->dying)
		return -1;
	if (from == to)
		return 0;
	__atomic_store_n(&v->move_to, to, __ATOMIC_RELEASE);
	__atomic_store_n(&from->move_pending, 1, __ATOMIC_RELEASE);
	if (from != this_pcpu())
		pcpu_ipi(from, IPI_KICK);
	return 0;
}

/*
 * Between traps, on v's hart: hand over the vCPUs asked to move. moving
 * keeps every hart from entering v; vcpu_sync() puts its state into
 * memory; then it leaves this queue for its new one.
 */
static void migrate_out(struct pcpu *p)
{
	if (!__atomic_exchange_n(&p->move_pending, 0, __ATOMIC_ACQ_REL))
		return;
	for (;;) {
		struct vcpu *v, **pp;
		struct pcpu *to;

		spin_lock(&p->rq_lock);
		for (pp = &p->rq_head; *pp && !(*pp)->move_to; pp = &(*pp)->rq_next)
			;
		v = *pp;
		if (v) {
			__atomic_store_n(&v->moving, true, __ATOMIC_SEQ_CST);
			if (p->current == v)
				p->current = NULL; /* its trap is done */
		}
		spin_unlock(&p->rq_lock);
		if (!v)
			return;
		vcpu_sync(v);
		to = __atomic_exchange_n(&v->move_to, NULL, __ATOMIC_ACQ_REL);
		spin_lock(&p->rq_lock);
		for (pp = &p->rq_head; *pp != v; pp = &(*pp)->rq_next)
			;
		unlink(p, pp, to);
		spin_unlock(&p->rq_lock);
		/* A dying domain's vCPU is reaped there like anywhere. */
		sched_add(to, v);
		__atomic_store_n(&v->moving, false, __ATOMIC_SEQ_CST);
		if (to != p)
			pcpu_ipi(to, IPI_KICK); /* its new hart looks at it */
	}
}

/*
 * Send away the vCPUs this hart may no longer run: it left its pool, or
 * their domain moved to another pool. Their new pool's policy places
 * them; migrate_out() then hands them over.
 */
static void evacuate(struct pcpu *p)
{
	uint32_t epoch = __atomic_load_n(&cpupool_epoch, __ATOMIC_ACQUIRE);
	bool done = true;

	if (p->pool_epoch == epoch)
		return; /* no pool changed since it last looked */
	spin_lock(&p->rq_lock);
	for (struct vcpu *v = p->rq_head; v; v = v->rq_next) {
		const struct cpupool *c = v->dom->pool;
		struct pcpu *to;
		if (v->move_to || !c || (p->pool == c && (c->harts >> p->id & 1)))
			continue;
		to = c->ops->pick_cpu(v, p->id + 1);
		if (to)
			sched_move(v, to);
		done &= to != NULL;
	}
	spin_unlock(&p->rq_lock);
	if (done)
		p->pool_epoch = epoch;
}

struct vcpu *schedule(void)
{
	struct pcpu *p = this_pcpu();
	struct vcpu *v;

	for (;;) {
		arch_handle_host_irqs();
		sched_reap(p, true);
		evacuate(p);
		if (ops_of(p)->balance)
			ops_of(p)->balance(p, time_now());
		migrate_out(p);
		put_synced(p);
		v = choose(p, time_now());
		if (!v) {
			arch_idle();
			continue;
		}
		/* Before in_guest: vcpu_run_ticks() reads them in turn. */
		__atomic_store_n(&v->run_start, time_now(), __ATOMIC_RELEASE);
		v->in_guest = true;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		/* Paused or destroyed meanwhile? Then the pauser saw in_guest
		 * clear, or sees it set and waits for us: either is safe. */
		if (sched_can_run(v)) {
			v->hsm_suspended = false; /* it runs: no longer */
			break;
		}
		v->in_guest = false;
	}
	vcpu_arch_prepare_entry(v);
	vcpu_steal_account(v, v->run_start);
	return v;
}

void sched_start(void)
{
	vcpu_arch_enter(schedule());
}
