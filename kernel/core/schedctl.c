/*
 * The scheduling hypercalls (abi/vireo_abi.h, 38..41): what xl's
 * vcpu-list, vcpu-pin and sched-credit need. Dom0 only, under the domctl
 * lock (hypercall.c), so the domain named cannot go meanwhile; they name
 * Dom0 too, as xl lists and pins Domain-0. Every argument is checked before
 * anything changes.
 */
#include "cpupool.h"
#include "domain.h"
#include "hypercall.h"
#include "pcpu.h"
#include "sched.h"
#include "vireo_abi.h"

/* The live domain named by a0, Dom0 included; NULL if none. */
static struct domain *named(struct vcpu *v)
{
	struct domain *d = domain_by_id((unsigned)hc_arg(v, 0));

	return d && !d->dying ? d : NULL;
}

static uint32_t vcpu_state_bits(const struct vcpu *v)
{
	enum vcpu_state s = v->state;
	uint32_t bits = 0;

	if (s != VCPU_STOPPED)
		bits |= VIREO_VCPUSTATE_ONLINE;
	if (v->in_guest)
		bits |= VIREO_VCPUSTATE_RUNNING;
	if (s == VCPU_BLOCKED || s == VCPU_WAIT_IO)
		bits |= VIREO_VCPUSTATE_BLOCKED;
	return bits;
}

static struct hc_ret vcpu_info(struct domain *d, gpa_t buf, unsigned long max)
{
	static struct vireo_vcpu_info out[MAX_VCPUS]; /* under the domctl lock */
	unsigned n = (unsigned)MIN((unsigned long)d->nr_vcpus, max);

	if (!max)
		return (struct hc_ret){HC_ERR_INVALID_PARAM, 0};
	for (unsigned i = 0; i < n; i++) {
		const struct vcpu *v = d->vcpus[i];
		const struct pcpu *p = __atomic_load_n(&v->pcpu, __ATOMIC_ACQUIRE);
		uint64_t exists = (nr_pcpus >= 64) ? ~0ULL : (1ULL << nr_pcpus) - 1;
		out[i] = (struct vireo_vcpu_info){
			.vcpu = i,
			.hart = p ? p->id : VIREO_HART_NONE,
			.state = vcpu_state_bits(v),
			.cpu_time_ns = vcpu_run_ticks(v, time_now()) *
				       (1000000000UL / timebase_hz),
			.hard_affinity = v->hard_aff & exists,
			.soft_affinity = v->soft_aff & exists,
		};
	}
	if (!hc_copy_out(buf, out, n * sizeof(out[0])))
		return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
	return (struct hc_ret){HC_SUCCESS, (long)d->nr_vcpus};
}

/* A mask to set: only harts that exist, one at least usable in d's pool
 * (as Xen refuses an affinity with no CPU of the domain's pool). */
static bool mask_ok(const struct domain *d, uint64_t m)
{
	uint64_t exists = (1ULL << nr_pcpus) - 1;

	return !(m & ~exists) && (m & cpupool_usable(d->pool));
}

static struct hc_ret vcpu_affinity(struct domain *d, struct vcpu *c)
{
	unsigned long id = hc_arg(c, 1), which = hc_arg(c, 4);
	uint64_t hard = hc_arg(c, 2), soft = hc_arg(c, 3);

	if (id >= d->nr_vcpus || !which ||
	    (which & ~(unsigned long)(VIREO_AFFINITY_HARD | VIREO_AFFINITY_SOFT)) ||
	    ((which & VIREO_AFFINITY_HARD) && !mask_ok(d, hard)) ||
	    ((which & VIREO_AFFINITY_SOFT) && !mask_ok(d, soft)))
		return (struct hc_ret){HC_ERR_INVALID_PARAM, 0};
	if (sched_set_affinity(d->vcpus[id],
			       (which & VIREO_AFFINITY_HARD) ? hard : 0,
			       (which & VIREO_AFFINITY_SOFT) ? soft : 0))
		return (struct hc_ret){HC_ERR_FAILED, 0};
	return (struct hc_ret){HC_SUCCESS, 0};
}

static struct hc_ret credit_dom_params(struct domain *d, struct vcpu *c)
{
	unsigned long flags = hc_arg(c, 2);
	struct vireo_sched_credit sc;

	if (flags & ~(unsigned long)(VIREO_SCHED_SET_WEIGHT | VIREO_SCHED_SET_CAP))
		return (struct hc_ret){HC_ERR_INVALID_PARAM, 0};
	if (flags && !hc_copy_in(&sc, hc_arg(c, 1), sizeof(sc)))
		return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
	if (((flags & VIREO_SCHED_SET_WEIGHT) &&
	     (!sc.weight || sc.weight > VIREO_SCHED_WEIGHT_MAX)) ||
	    ((flags & VIREO_SCHED_SET_CAP) && sc.cap > 100 * d->nr_vcpus))
		return (struct hc_ret){HC_ERR_INVALID_PARAM, 0};
	/* Both checked: now the out-copy must not fail half-way. */
	sc = (struct vireo_sched_credit){
		.weight = (flags & VIREO_SCHED_SET_WEIGHT) ? sc.weight : d->sched_weight,
		.cap = (flags & VIREO_SCHED_SET_CAP) ? sc.cap : d->sched_cap,
	};
	if (!hc_copy_out(hc_arg(c, 1), &sc, sizeof(sc)))
		return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
	__atomic_store_n(&d->sched_weight, sc.weight, __ATOMIC_RELAXED);
	__atomic_store_n(&d->sched_cap, sc.cap, __ATOMIC_RELAXED);
	return (struct hc_ret){HC_SUCCESS, 0};
}

static struct hc_ret credit_pool_params(struct vcpu *c)
{
	unsigned long id = hc_arg(c, 0), flags = hc_arg(c, 2);
	struct cpupool *pool = id <= UINT32_MAX ? cpupool_by_id((uint32_t)id) : NULL;
	struct sched_credit_params *cp = pool ? &pool->credit : NULL;
	struct vireo_sched_credit_params sp;

	if (!pool || pool->sched != VIREO_SCHED_CREDIT ||
	    (flags & ~(unsigned long)VIREO_SCHED_SET_PARAMS))
		return (struct hc_ret){HC_ERR_INVALID_PARAM, 0};
	if (flags && !hc_copy_in(&sp, hc_arg(c, 1), sizeof(sp)))
		return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
	/* Xen's limits: a slice of 1 ms..1 s; a rate limit of 0 (none) or
	 * 100 us..0.5 s and no longer than the slice. tick_us is read-only. */
	if (flags && (sp.pad || sp.tslice_us < 1000 || sp.tslice_us > 1000000 ||
		      (sp.ratelimit_us &&
		       (sp.ratelimit_us < 100 || sp.ratelimit_us > 500000 ||
			sp.ratelimit_us > sp.tslice_us))))
		return (struct hc_ret){HC_ERR_INVALID_PARAM, 0};
	if (!flags) {
		sp.tslice_us = cp->tslice_us;
		sp.ratelimit_us = cp->ratelimit_us;
	}
	sp.tick_us = cp->tick_us;
	sp.pad = 0;
	if (!hc_copy_out(hc_arg(c, 1), &sp, sizeof(sp)))
		return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
	__atomic_store_n(&cp->tslice_us, sp.tslice_us, __ATOMIC_RELAXED);
	__atomic_store_n(&cp->ratelimit_us, sp.ratelimit_us, __ATOMIC_RELAXED);
	return (struct hc_ret){HC_SUCCESS, 0};
}

struct hc_ret schedctl_hypercall(struct vcpu *v, unsigned long fid)
{
	struct domain *d;

	if (fid == VIREO_HC_SCHED_CREDIT_PARAMS)
		return credit_pool_params(v);
	d = named(v);
	if (!d)
		return (struct hc_ret){HC_ERR_INVALID_PARAM, 0};
	switch (fid) {
	case VIREO_HC_VCPU_INFO:
		return vcpu_info(d, hc_arg(v, 1), hc_arg(v, 2));
	case VIREO_HC_VCPU_AFFINITY:
		return vcpu_affinity(d, v);
	default:
		return credit_dom_params(d, v);
	}
}
