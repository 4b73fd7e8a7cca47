/*
 * Cpupools (cpupool.h) and their hypercall, CPUPOOL_OP. Every operation
 * checks everything first, then acts; vCPUs that must change harts are
 * moved by their harts (sched.c's evacuate(): a hart sends away the vCPUs
 * it may no longer run), so no call here waits for another hart.
 */
#include <string.h>

#include "cpupool.h"
#include "domain.h"
#include "hypercall.h"
#include "pcpu.h"
#include "printk.h"

struct cpupool cpupools[VIREO_CPUPOOL_MAX];
volatile uint32_t cpupool_epoch;

static const struct sched_credit_params credit_defaults = {
    .tslice_us = 30000,
    .ratelimit_us = 1000,
    .tick_us = 10000,
};

static void pool_setup(struct cpupool *c, uint32_t id, uint32_t sched,
		       const char *name)
{
	c->id = id;
	c->sched = sched;
	c->ops = sched == VIREO_SCHED_NULL ? &sched_null : &sched_credit;
	c->harts = 0;
	c->nr_domains = 0;
	c->credit = credit_defaults;
	strncpy(c->name, name, sizeof(c->name) - 1);
	c->name[sizeof(c->name) - 1] = '\0';
	__atomic_store_n(&c->used, true, __ATOMIC_RELEASE);
}

void cpupool_init(unsigned nr_harts)
{
	pool_setup(pool0, 0, VIREO_SCHED_CREDIT, "Pool-0");
	pool0->harts = nr_harts >= 64 ? ~0ULL : (1ULL << nr_harts) - 1;
	for (unsigned i = 0; i < nr_harts; i++)
		pcpus[i].pool = pool0;
}

void cpupool_hart_absent(struct pcpu *p)
{
	__atomic_and_fetch(&p->pool->harts, ~(1ULL << p->id), __ATOMIC_ACQ_REL);
}

struct cpupool *cpupool_by_id(uint32_t id)
{
	if (id >= VIREO_CPUPOOL_MAX || !cpupools[id].used)
		return NULL;
	return &cpupools[id];
}

uint64_t cpupool_usable(const struct cpupool *c)
{
	return c->harts & sched_usable_harts();
}

/* Harts of a null pool that no vCPU has claimed. */
static unsigned unclaimed(const struct cpupool *c)
{
	unsigned n = 0;

	for (unsigned h = 0; h < nr_pcpus; h++)
		if ((cpupool_usable(c) >> h & 1) && !pcpus[h].sched.null.owner)
			n++;
	return n;
}

bool cpupool_room(const struct cpupool *c, unsigned nr)
{
	if (!c || !c->used || !cpupool_usable(c))
		return false;
	return c->sched != VIREO_SCHED_NULL || unclaimed(c) >= nr;
}

void cpupool_set_domain(struct domain *d, struct cpupool *c)
{
	if (d->pool)
		d->pool->nr_domains--;
	if (c)
		c->nr_domains++;
	__atomic_store_n(&d->pool, c, __ATOMIC_RELEASE);
}

/* A freed vCPU's claims on null-pool harts (one it never reached). */
void cpupool_vcpu_gone(struct vcpu *v)
{
	for (unsigned h = 0; h < nr_pcpus; h++) {
		struct vcpu *mine = v;
		__atomic_compare_exchange_n(&pcpus[h].sched.null.owner, &mine,
					    NULL, false, __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE);
	}
}

/*
 * In no pool's mask, and every vCPU gone from its queue. A hart just
 * removed hands its vCPUs over at its next pass, an IPI away: wait for
 * that (bounded), unless it is this hart, which will only do it after
 * this call.
 */
static bool hart_free(struct pcpu *p)
{
	for (unsigned i = 0; i < VIREO_CPUPOOL_MAX; i++)
		if (cpupools[i].used && (cpupools[i].harts >> p->id & 1))
			return false;
	for (unsigned n = 0; n < 100000 && p != this_pcpu() &&
			     __atomic_load_n(&p->rq_head, __ATOMIC_ACQUIRE);
	     n++) {
		if (!(n % 1000))
			pcpu_ipi(p, IPI_KICK);
		arch_handle_host_irqs(); /* it may be waiting for us */
	}
	return !__atomic_load_n(&p->rq_head, __ATOMIC_ACQUIRE);
}

static void fill(struct vireo_cpupool *cp, const struct cpupool *c)
{
	memset(cp, 0, sizeof(*cp));
	cp->id = c->id;
	cp->sched = c->sched;
	cp->harts = cpupool_usable(c);
	cp->nr_domains = c->nr_domains;
	memcpy(cp->name, c->name, sizeof(cp->name));
}

static long pool_create(struct vireo_cpupool *cp)
{
	size_t len = strnlen(cp->name, sizeof(cp->name));

	if (cp->id || cp->harts || cp->nr_domains || cp->pad || !len ||
	    len == sizeof(cp->name) ||
	    (cp->sched != VIREO_SCHED_CREDIT && cp->sched != VIREO_SCHED_NULL))
		return HC_ERR_INVALID_PARAM;
	for (unsigned i = 0; i < VIREO_CPUPOOL_MAX; i++)
		if (cpupools[i].used && !strcmp(cpupools[i].name, cp->name))
			return HC_ERR_ALREADY_AVAILABLE;
	for (unsigned i = 1; i < VIREO_CPUPOOL_MAX; i++) {
		if (cpupools[i].used)
			continue;
		pool_setup(&cpupools[i], i, cp->sched, cp->name);
		fill(cp, &cpupools[i]);
		printk("cpupool %u (%s, %s) created\n", i, cp->name,
		       cpupools[i].ops->name);
		return HC_SUCCESS;
	}
	return HC_ERR_FAILED;
}

static long pool_cpu_add(struct cpupool *c, unsigned long h)
{
	struct pcpu *p;

	if (h >= nr_pcpus || pcpus[h].absent)
		return HC_ERR_INVALID_PARAM;
	p = &pcpus[h];
	if (!hart_free(p))
		return HC_ERR_ALREADY_AVAILABLE;
	spin_lock(&p->rq_lock);
	memset(&p->sched, 0, sizeof(p->sched));
	p->pool = c;
	if (c->ops->init_pcpu)
		c->ops->init_pcpu(p);
	spin_unlock(&p->rq_lock);
	__atomic_or_fetch(&c->harts, 1ULL << h, __ATOMIC_ACQ_REL);
	pcpu_ipi(p, IPI_KICK); /* it may steal work at once */
	return HC_SUCCESS;
}

/* Can every vCPU homed on p go to another hart of c? */
static bool can_leave(const struct cpupool *c, struct pcpu *p)
{
	uint64_t rest = cpupool_usable(c) & ~(1ULL << p->id);
	unsigned need = 0;
	bool ok = true;

	spin_lock(&p->rq_lock);
	for (const struct vcpu *v = p->rq_head; v; v = v->rq_next) {
		need++;
		ok &= (v->hard_aff & rest) != 0;
	}
	spin_unlock(&p->rq_lock);
	if (c->sched == VIREO_SCHED_NULL)
		ok &= unclaimed(c) >= need;
	return ok;
}

/* The vCPUs homed on p go to harts their pool now chooses (claims). */
static void send_away(struct pcpu *p)
{
	spin_lock(&p->rq_lock);
	for (struct vcpu *v = p->rq_head; v; v = v->rq_next) {
		struct pcpu *to = v->dom->pool->ops->pick_cpu(v, p->id + 1);
		if (to && to != p)
			sched_move(v, to);
	}
	spin_unlock(&p->rq_lock);
}

static struct hc_ret pool_cpu_remove(struct cpupool *c, unsigned long h)
{
	uint64_t bit = 1ULL << h;

	if (h >= nr_pcpus || !(c->harts & bit) ||
	    (c == pool0 && &pcpus[h] == boot_pcpu))
		return (struct hc_ret){HC_ERR_INVALID_PARAM, 0};
	/* A pool with domains keeps a hart; each vCPU there a place. */
	if ((c->nr_domains && !(cpupool_usable(c) & ~bit)) ||
	    !can_leave(c, &pcpus[h]))
		return (struct hc_ret){HC_ERR_INVALID_PARAM,
				       c->sched == VIREO_SCHED_NULL
					       ? VIREO_CPUPOOL_ERR_FULL
					       : 0};
	__atomic_and_fetch(&c->harts, ~bit, __ATOMIC_ACQ_REL);
	__atomic_add_fetch(&cpupool_epoch, 1, __ATOMIC_ACQ_REL);
	send_away(&pcpus[h]);
	return (struct hc_ret){HC_SUCCESS, 0};
}

static struct hc_ret pool_migrate(struct cpupool *c, unsigned long domid)
{
	struct domain *d = domid <= UINT32_MAX ? domain_by_id((unsigned)domid)
					       : NULL;

	if (!d || d->dying || d->is_dom0 || d->pool == c)
		return (struct hc_ret){HC_ERR_INVALID_PARAM, 0};
	if (!cpupool_room(c, d->nr_vcpus))
		return (struct hc_ret){HC_ERR_INVALID_PARAM,
				       c->sched == VIREO_SCHED_NULL
					       ? VIREO_CPUPOOL_ERR_FULL
					       : 0};
	cpupool_set_domain(d, c);
	__atomic_add_fetch(&cpupool_epoch, 1, __ATOMIC_ACQ_REL);
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];
		struct pcpu *to;
		__atomic_store_n(&v->hard_aff, ~0ULL, __ATOMIC_RELEASE);
		__atomic_store_n(&v->soft_aff, ~0ULL, __ATOMIC_RELEASE);
		/* Chosen (claimed, in a null pool) now, under the domctl
		 * lock, so a create right after cannot take the same hart;
		 * its old hart hands it over. */
		to = c->ops->pick_cpu(v, d->slot + i);
		if (to)
			sched_move(v, to);
	}
	printk("domain %u moved to cpupool %u (%s)\n", d->id, c->id, c->name);
	return (struct hc_ret){HC_SUCCESS, 0};
}

static struct hc_ret pool_op(unsigned long op, struct vireo_cpupool *cp,
			     unsigned long arg)
{
	struct cpupool *c = cpupool_by_id(cp->id);
	long err = HC_ERR_INVALID_PARAM;

	if (op == VIREO_CPUPOOL_CREATE)
		return (struct hc_ret){pool_create(cp), 0};
	if (op == VIREO_CPUPOOL_INFO) {
		for (unsigned i = cp->id; i < VIREO_CPUPOOL_MAX; i++)
			if (cpupools[i].used) {
				fill(cp, &cpupools[i]);
				return (struct hc_ret){HC_SUCCESS, 0};
			}
		return (struct hc_ret){HC_ERR_INVALID_PARAM, 0};
	}
	if (!c)
		return (struct hc_ret){HC_ERR_INVALID_PARAM, 0};
	switch (op) {
	case VIREO_CPUPOOL_DESTROY:
		if (c != pool0 && !c->harts && !c->nr_domains) {
			__atomic_store_n(&c->used, false, __ATOMIC_RELEASE);
			err = HC_SUCCESS;
		}
		break;
	case VIREO_CPUPOOL_CPU_ADD:
		err = pool_cpu_add(c, arg);
		break;
	case VIREO_CPUPOOL_CPU_REMOVE:
		return pool_cpu_remove(c, arg);
	case VIREO_CPUPOOL_MIGRATE:
		return pool_migrate(c, arg);
	}
	return (struct hc_ret){err, 0};
}

struct hc_ret cpupool_hypercall(struct vcpu *v)
{
	unsigned long op = hc_arg(v, 0);
	struct vireo_cpupool cp;
	struct hc_ret r;

	if (op > VIREO_CPUPOOL_MIGRATE)
		return (struct hc_ret){HC_ERR_INVALID_PARAM, 0};
	if (!hc_copy_in(&cp, hc_arg(v, 1), sizeof(cp)))
		return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
	r = pool_op(op, &cp, hc_arg(v, 2));
	if (!r.error && (op == VIREO_CPUPOOL_CREATE || op == VIREO_CPUPOOL_INFO))
		hc_copy_out(hc_arg(v, 1), &cp, sizeof(cp)); /* in: checked */
	return r;
}
