/*
 * The credit scheduler, the default policy: Xen's credit1 as its users
 * know it (weight, cap, tslice, ratelimit, BOOST/UNDER/OVER, stealing),
 * with the accounting done so that the shares come out as weighted.
 *
 * Credit is time, in timer ticks. Each hart accounts for the vCPUs homed on
 * it once per period (CREDIT_PERIOD_TICKS ticks): the period's time is
 * shared among the active ones (runnable, or ran in it) in proportion to
 * their weight (the domain's weight split over its active vCPUs), and the
 * time a vCPU runs is debited from it exactly at every decision. A vCPU
 * with credit left is UNDER, one without is OVER; one woken from a wait
 * while UNDER is BOOSTed and preempts UNDER and OVER vCPUs (after the rate
 * limit), until it is next debited. A hart runs BOOST, then UNDER, then
 * OVER vCPUs, the most credit first, each for a slice.
 *
 * The tick only exists where it has work: the core arms the hart's timer
 * for our decision time only while a rival wants the hart, so a lone or
 * idle vCPU costs no timer trap; accounting then happens lazily, at the
 * next decision.
 *
 * Caps: a capped vCPU (the domain's cap split over its online vCPUs) that
 * has run its share of the period is parked until the period ends; that
 * deadline is armed whatever the rivals.
 *
 * Balancing (credit_balance, outside any lock): a hart with nothing to run
 * steals a runnable vCPU waiting on another hart; once a period, a hart
 * with more runnable vCPUs than another hands its most-owed waiting vCPU
 * over, so three CPU-bound vCPUs on two harts take turns being alone.
 * Moves respect hard affinity, and soft affinity where it can be met.
 */
#include "cpupool.h"
#include "domain.h"
#include "pcpu.h"
#include "sched.h"

#define CREDIT_PERIOD_TICKS 3 /* accounting period, in scheduler ticks */

enum { PRI_OVER, PRI_UNDER, PRI_BOOST };

#define CREDIT_TICK_US 10000 /* Xen's default tick; fixed here */

/* The parameters of p's pool (the defaults for a hart outside every pool,
 * which only the unit tests have). */
static const struct sched_credit_params *prm(const struct pcpu *p)
{
	static const struct sched_credit_params defaults = {30000, 1000,
							    CREDIT_TICK_US};
	const struct cpupool *c = __atomic_load_n(&p->pool, __ATOMIC_ACQUIRE);

	return c ? &c->credit : &defaults;
}

static uint64_t us_to_ticks(uint64_t us)
{
	return (uint64_t)timebase_hz / 1000000 * us;
}

static uint64_t period_ticks(void)
{
	return us_to_ticks((uint64_t)CREDIT_TICK_US * CREDIT_PERIOD_TICKS);
}

static int pri(const struct vcpu *v)
{
	if (v->sched.credit.boost)
		return PRI_BOOST;
	return v->sched.credit.credit >= 0 ? PRI_UNDER : PRI_OVER;
}

/* Is a better than b to run next? */
static bool better(const struct vcpu *a, const struct vcpu *b)
{
	if (!b)
		return true;
	if (pri(a) != pri(b))
		return pri(a) > pri(b);
	if (a->sched.credit.credit != b->sched.credit.credit)
		return a->sched.credit.credit > b->sched.credit.credit;
	return a->sched.credit.last_ran < b->sched.credit.last_ran;
}

static bool candidate(const struct vcpu *v)
{
	return sched_can_run(v) && !v->sched.credit.parked;
}

/* v's weight on its hart: the domain's, split over its active vCPUs. */
static uint64_t vcpu_weight(const struct vcpu *v)
{
	const struct domain *d = v->dom;
	unsigned active = 0;

	for (unsigned i = 0; i < d->nr_vcpus; i++)
		active += d->vcpus[i]->sched.credit.active;
	return MAX(1U, d->sched_weight / MAX(1U, active));
}

/* The part of a period a capped vCPU may run; 0 = no cap. */
static uint64_t cap_budget(const struct vcpu *v)
{
	const struct domain *d = v->dom;
	unsigned online = 0;

	if (!d->sched_cap)
		return 0;
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		online += d->vcpus[i]->state != VCPU_STOPPED;
	return MAX(1UL, period_ticks() * d->sched_cap / 100 / MAX(1U, online));
}

/* Charge the running vCPU for the time since it was last charged. */
static void debit(struct pcpu *p, struct vcpu *v, uint64_t now)
{
	struct sched_credit_vcpu *c = &v->sched.credit;
	uint64_t ran = now - p->sched.credit.charged_at;
	uint64_t budget = cap_budget(v);

	if (now < p->sched.credit.charged_at)
		return;
	c->credit -= (int64_t)ran;
	c->ran += ran;
	c->boost = false; /* it has had its quick turn */
	if (budget && c->ran >= budget)
		c->parked = true;
	p->sched.credit.charged_at = now;
}

/* Share the time since the last accounting among p's active vCPUs. */
static void account(struct pcpu *p, uint64_t now)
{
	struct sched_credit_pcpu *pc = &p->sched.credit;
	uint64_t period = period_ticks(), total_w = 0;
	int64_t bound = (int64_t)(us_to_ticks(prm(p)->tslice_us) + period);
	/* The whole time since the last accounting (decisions come at ticks,
	 * a little after next_acct): capping it at one period lost that
	 * little every period, and every busy vCPU's credit sank to -bound. */
	uint64_t span = MIN(now - pc->acct_at, 2 * period);

	for (struct vcpu *v = p->rq_head; v; v = v->rq_next) {
		struct sched_credit_vcpu *c = &v->sched.credit;
		c->active = c->ran || candidate(v) ||
			    (sched_can_run(v) && c->parked);
	}
	for (struct vcpu *v = p->rq_head; v; v = v->rq_next)
		if (v->sched.credit.active)
			total_w += vcpu_weight(v);
	for (struct vcpu *v = p->rq_head; v; v = v->rq_next) {
		struct sched_credit_vcpu *c = &v->sched.credit;
		if (c->active && total_w)
			c->credit += (int64_t)(span * vcpu_weight(v) / total_w);
		c->credit = MAX(-bound, MIN(bound, c->credit));
		/* A capped vCPU's overrun (its deadline came late) is paid
		 * out of the next period's budget. */
		c->ran = cap_budget(v) ? c->ran - MIN(c->ran, cap_budget(v)) : 0;
		c->parked = false;
	}
	pc->acct_at = now;
	/* On a fixed grid, so that a late decision does not stretch every
	 * period (and a cap's share with it); after an idle gap, from now. */
	pc->next_acct += period;
	if (pc->next_acct <= now)
		pc->next_acct = now + period;
}

static void credit_init_pcpu(struct pcpu *p)
{
	p->sched.credit.next_acct = 0;
}

/*
 * v joins p: a new vCPU starts even (UNDER, with nothing to spend); a
 * moved one keeps its credit, every hart's being the same time, and is
 * not handed on again for a period (Xen's migration delay), or two busy
 * harts could throw a waiting vCPU back and forth without it ever running.
 */
static void credit_insert(struct pcpu *p, struct vcpu *v)
{
	struct sched_credit_vcpu *c = &v->sched.credit;

	if (!c->placed) {
		c->credit = 0;
		c->ran = 0;
		c->placed = true;
	}
	c->parked = false;
	c->arrived = time_now();
}

/* Keep prev for now? Within its slice, unless something better waits
 * and prev has used up its rate limit. */
static bool keep_prev(struct pcpu *p, struct vcpu *prev, struct vcpu *best,
		      uint64_t now)
{
	const struct sched_credit_pcpu *pc = &p->sched.credit;

	if (!prev || !candidate(prev))
		return false;
	if (!best)
		return true;
	if (now - pc->run_since < us_to_ticks(prm(p)->ratelimit_us))
		return true;
	return now < pc->slice_end && pri(prev) >= pri(best);
}

static struct vcpu *credit_pick_next(struct pcpu *p, struct vcpu *prev,
				     uint64_t now, uint64_t *until,
				     uint64_t *deadline)
{
	struct sched_credit_pcpu *pc = &p->sched.credit;
	struct vcpu *best = NULL, *v;
	bool parked = false;

	if (prev && prev == pc->running)
		debit(p, prev, now);
	if (now >= pc->next_acct)
		account(p, now);
	for (struct vcpu *o = p->rq_head; o; o = o->rq_next) {
		parked |= o->sched.credit.parked && sched_can_run(o);
		if (o != prev && candidate(o) && better(o, best))
			best = o;
	}
	if (keep_prev(p, prev, best, now)) {
		v = prev;
	} else {
		v = best;
		if (prev && candidate(prev) && better(prev, best))
			v = prev; /* its slice is over, but nobody deserves more */
		if (prev && prev != v)
			prev->sched.credit.last_ran = now;
		pc->slice_end = now + us_to_ticks(prm(p)->tslice_us);
		pc->run_since = now;
	}
	pc->running = v;
	pc->charged_at = now;
	/* Decide again at the tick, the slice's end or the rate limit's. */
	*until = MIN(pc->slice_end, now + us_to_ticks(CREDIT_TICK_US));
	*until = MAX(*until, pc->run_since + us_to_ticks(prm(p)->ratelimit_us));
	*deadline = parked ? pc->next_acct : ~0UL;
	if (v && cap_budget(v)) {
		/* Parked once it has run its budget (debit), at least a
		 * rate limit from now so the timer cannot storm. */
		uint64_t left = cap_budget(v) - MIN(cap_budget(v), v->sched.credit.ran);
		*deadline = MIN(*deadline,
				now + MAX(left, us_to_ticks(prm(p)->ratelimit_us)));
	}
	return v;
}

/*
 * A wake-up: BOOST if the vCPU is UNDER (as in Xen, OVER ones do not),
 * and make the hart decide again soon. Racy reads of another hart's data
 * are fine here: the worst is a boost one decision late or early.
 */
static void credit_wake(struct pcpu *p, struct vcpu *v)
{
	struct sched_credit_vcpu *c = &v->sched.credit;

	if (__atomic_load_n(&p->current, __ATOMIC_RELAXED) == v ||
	    c->credit < 0)
		return;
	c->boost = true;
	__atomic_add_fetch(&c->boosts, 1, __ATOMIC_RELAXED);
	/* Its slice ends now; keep_prev still honours the rate limit. */
	__atomic_store_n(&p->sched.credit.slice_end, 0, __ATOMIC_RELAXED);
}

static unsigned load_of(const struct pcpu *p)
{
	unsigned n = 0;

	for (const struct vcpu *v = p->rq_head; v; v = v->rq_next)
		n += v->state != VCPU_STOPPED;
	return n;
}

/* Place a new vCPU on the least loaded hart its affinities allow. */
static struct pcpu *credit_pick_cpu(struct vcpu *v, unsigned n)
{
	return sched_least_loaded(v, n, load_of);
}

static unsigned runnable_here(struct pcpu *p)
{
	unsigned n = 0;

	spin_lock(&p->rq_lock);
	for (struct vcpu *v = p->rq_head; v; v = v->rq_next)
		n += candidate(v);
	spin_unlock(&p->rq_lock);
	return n;
}

/* [p's rq] May v, homed on p, go to q now: runnable but waiting, and q
 * allowed (with soft: preferred too)? */
static bool movable(const struct pcpu *p, const struct vcpu *v,
		    const struct pcpu *q, bool soft)
{
	return candidate(v) && v != p->current && !v->in_guest &&
	       !v->move_to && sched_allowed(v, q, soft);
}

/* Take the best vCPU waiting on q that may run on p; p's lock not held. */
static bool steal_from(struct pcpu *q, struct pcpu *p, bool soft)
{
	struct vcpu *best = NULL;

	spin_lock(&q->rq_lock);
	for (struct vcpu *v = q->rq_head; v; v = v->rq_next)
		if (movable(q, v, p, soft) && better(v, best))
			best = v;
	if (best)
		sched_move(best, p);
	spin_unlock(&q->rq_lock);
	return best;
}

static void steal(struct pcpu *p)
{
	for (int soft = 1; soft >= 0; soft--)
		for (unsigned i = 0; i < nr_pcpus; i++)
			if (&pcpus[i] != p && steal_from(&pcpus[i], p, soft))
				return;
}

/*
 * Once a period, p running n: hand the most-owed vCPU waiting here to a
 * hart running fewer (no worse after: max(n - 1, m + 1) <= n), one that
 * it prefers if it has a preference that can be met.
 */
static void push(struct pcpu *p, unsigned n, uint64_t now)
{
	for (unsigned i = 0; i < nr_pcpus; i++) {
		struct pcpu *q = &pcpus[i];
		struct vcpu *best = NULL;

		if (q == p || q->absent || runnable_here(q) >= n)
			continue;
		spin_lock(&p->rq_lock);
		for (struct vcpu *v = p->rq_head; v; v = v->rq_next)
			if (movable(p, v, q, sched_soft_possible(v)) &&
			    now - v->sched.credit.arrived >= period_ticks() &&
			    better(v, best))
				best = v;
		if (best)
			sched_move(best, q);
		spin_unlock(&p->rq_lock);
		if (best)
			return;
	}
}

/*
 * Between traps, no lock held (it takes one hart's lock at a time): an
 * idle hart steals; a busy one pushes once a period.
 */
static void credit_balance(struct pcpu *p, uint64_t now)
{
	struct sched_credit_pcpu *pc = &p->sched.credit;
	struct vcpu *cur = p->current;
	unsigned n;

	/* The common case, on every pass: busy, and not a period yet. Only
	 * this hart writes its current, so it needs no lock to read. */
	if (cur && candidate(cur) && now < pc->next_balance)
		return;
	n = runnable_here(p);

	if (!n) {
		steal(p);
		return;
	}
	if (now < pc->next_balance)
		return;
	pc->next_balance = now + period_ticks();
	if (n >= 2)
		push(p, n, now);
}

const struct sched_ops sched_credit = {
    .name = "credit",
    .init_pcpu = credit_init_pcpu,
    .insert = credit_insert,
    .wake = credit_wake,
    .pick_next = credit_pick_next,
    .pick_cpu = credit_pick_cpu,
    .balance = credit_balance,
};
