/*
 * Vireo's hypercalls: one more SBI extension (VIREO_SBI_EXT, abi/).
 * Each call first decodes (copies its arguments in, checks every field and
 * the caller's right) and only then invokes: a call that fails has changed
 * nothing. Every call but VERSION and the event-channel ones is Dom0's.
 *
 * Control calls (create, destroy, pause, populate, map, ...) run under the
 * domctl lock. Dom0's data path (ioreq completion and ISR sync, IRQ level,
 * console read/write) holds a reference to the domain instead,
 * so another domain's I/O goes on while a big domain is being destroyed.
 */
#include <string.h>

#include "console.h"
#include "cpupool.h"
#include "domctl.h"
#include "hypercall.h"
#include "ioreq.h"
#include "memory.h"
#include "page_alloc.h"
#include "pcpu.h"
#include "printk.h"
#include "sched.h"
#include "vireo_abi.h"

#define HC_BUF_MAX PAGE_SIZE

extern uint64_t host_total_pages;

/* Copy a Dom0 buffer in or out; it must be RAM and within one page. */
static bool buf_ok(gpa_t gpa, uint64_t len)
{
	return len && len <= HC_BUF_MAX &&
	       (gpa & PAGE_MASK) == ((gpa + len - 1) & PAGE_MASK);
}

bool hc_copy_in(void *dst, gpa_t gpa, size_t len)
{
	return buf_ok(gpa, len) && domain_copy_from(dom0, dst, gpa, len);
}

bool hc_copy_out(gpa_t gpa, const void *src, size_t len)
{
	return buf_ok(gpa, len) && domain_copy_to(dom0, gpa, src, len);
}

static struct hc_ret physinfo(struct vcpu *v)
{
	struct vireo_physinfo pi = {
		.nr_cpus = nr_pcpus,
		.timebase_hz = timebase_hz,
		.total_pages = host_total_pages,
		.free_pages = dom_pool.nfree,
		.pool_pages = dom_pool.npages,
		.heap_used = hyp_pool.npages - hyp_pool.nfree,
		.heap_pages = hyp_pool.npages,
		.log_head = log_written(),
		.log_size = LOG_RING_SIZE,
	};
	if (!hc_copy_out(hc_arg(v, 0), &pi, sizeof(pi)))
		return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
	return (struct hc_ret){HC_SUCCESS, 0};
}

static struct hc_ret create(struct vcpu *v)
{
	struct vireo_domain_create c;
	struct domain *d;
	long err;

	if (!hc_copy_in(&c, hc_arg(v, 0), sizeof(c)))
		return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
	if ((c.flags & ~VIREO_CREATE_F_ALL) ||
	    (!(c.flags & VIREO_CREATE_F_MVENDORID) && c.mvendorid) ||
	    (!(c.flags & VIREO_CREATE_F_MARCHID) && c.marchid) ||
	    (!(c.flags & VIREO_CREATE_F_MIMPID) && c.mimpid))
		return (struct hc_ret){HC_ERR_INVALID_PARAM, 0};
	if (cpupool_by_id(c.pool) && c.nr_vcpus <= MAX_VCPUS &&
	    !cpupool_room(cpupool_by_id(c.pool), c.nr_vcpus))
		return (struct hc_ret){HC_ERR_INVALID_PARAM, VIREO_CPUPOOL_ERR_FULL};
	err = domu_create(c.nr_vcpus, c.ram_bytes, c.pool, &d);
	if (err)
		return (struct hc_ret){err, 0};
	/* bit i of own_machine_ids: machine_ids[i] replaces the host's */
	d->own_machine_ids = c.flags & VIREO_CREATE_F_ALL;
	d->machine_ids[0] = c.mvendorid;
	d->machine_ids[1] = c.marchid;
	d->machine_ids[2] = c.mimpid;
	c.domid = d->id;
	if (!hc_copy_out(hc_arg(v, 0), &c, sizeof(c))) {
		bool more; /* cannot happen: copy_in checked it */
		do
			domain_destroy(d, &more);
		while (more);
		return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
	}
	printk("domain %u created: %u vCPUs, %lu MiB\n", d->id, c.nr_vcpus,
	       (unsigned long)(c.ram_bytes >> 20));
	return (struct hc_ret){HC_SUCCESS, d->id};
}

static struct hc_ret getinfo(struct domain *d, gpa_t out)
{
	struct vireo_domain_info info;

	domain_getinfo(d, &info);
	if (!hc_copy_out(out, &info, sizeof(info)))
		return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
	return (struct hc_ret){HC_SUCCESS, 0};
}

static struct hc_ret list(gpa_t out, unsigned long max)
{
	uint32_t ids[MAX_DOMAINS];
	unsigned n = 0;

	/* The whole buffer the caller named must be its RAM, even if fewer
	 * domains fill it, so that success always means "written". */
	if (!max || !domain_ram_page(dom0, out,
				     MIN(max, (unsigned long)MAX_DOMAINS) * 4))
		return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
	for (unsigned i = 0; i < MAX_DOMAINS && n < max; i++)
		if (domains[i])
			ids[n++] = domains[i]->id;
	if (n && !hc_copy_out(out, ids, n * sizeof(ids[0])))
		return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
	return (struct hc_ret){HC_SUCCESS, (long)n};
}

static struct hc_ret set_entry(struct domain *d, struct vcpu *caller)
{
	unsigned long idx = hc_arg(caller, 1), pc = hc_arg(caller, 2);
	unsigned long prot;
	struct vcpu *t;

	t = domain_vcpu(d, idx);
	if (!t)
		return (struct hc_ret){HC_ERR_INVALID_PARAM, 0};
	if (!p2m_lookup(&d->p2m, pc, NULL, &prot) || !(prot & P2M_PROT_X))
		return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
	if (!vcpu_start(t, pc, hc_arg(caller, 3), hc_arg(caller, 4)))
		return (struct hc_ret){HC_ERR_ALREADY_AVAILABLE, 0};
	return (struct hc_ret){HC_SUCCESS, 0};
}

/*
 * Drain up to len bytes (a page at most) of d's console output into Dom0's
 * buffer. The destination is checked before anything leaves the ring: a
 * bad buffer loses no output.
 */
static struct hc_ret hc_console_read(struct domain *d, gpa_t buf,
				   unsigned long len)
{
	char *dst;

	len = MIN(len, (unsigned long)HC_BUF_MAX);
	dst = buf_ok(buf, len) ? domain_ram_page(dom0, buf, len) : NULL;
	if (!dst)
		return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
	return (struct hc_ret){HC_SUCCESS, (long)domain_ring_read(d, dst, len)};
}

/* Type into d's console; value = bytes its vUART took. */
static struct hc_ret hc_console_write(struct domain *d, gpa_t buf,
				    unsigned long len)
{
	char tmp[256];
	long n = 0;

	len = MIN(len, sizeof(tmp));
	if (!hc_copy_in(tmp, buf, len))
		return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
	/* cppcheck-suppress knownConditionTrueFalse ; len > 0 after copy_in */
	while ((unsigned long)n < len && domain_console_rx(d, (uint8_t)tmp[n]))
		n++;
	return (struct hc_ret){HC_SUCCESS, n};
}

static struct hc_ret log_read(struct vcpu *v)
{
	char tmp[256];
	unsigned long len = MIN(hc_arg(v, 2), sizeof(tmp));
	size_t n;

	if (!buf_ok(hc_arg(v, 1), len))
		return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
	n = log_read_at(hc_arg(v, 0), tmp, len);
	if (n)
		hc_copy_out(hc_arg(v, 1), tmp, n);
	return (struct hc_ret){HC_SUCCESS, (long)n};
}

/*
 * DOMAIN_DESTROY: a dying domain too, to go on with its destruction;
 * FOREIGN_RELEASE: a live one, or a quarantined one to finish it.
 */
static struct hc_ret destroy(unsigned long domid, bool release)
{
	struct domain *d = domain_by_id((unsigned)domid);
	bool more;
	long err;

	if (!d || d->is_dom0)
		return (struct hc_ret){HC_ERR_INVALID_PARAM, 0};
	err = release ? domain_release(d, &more) : domain_destroy(d, &more);
	if (err)
		return (struct hc_ret){err, 0};
	if (more)
		return (struct hc_ret){HC_SUCCESS, VIREO_DESTROY_MORE};
	/* Gone, unless held for Dom0 (then it is still there, dying). */
	d = domain_by_id((unsigned)domid);
	return (struct hc_ret){HC_SUCCESS, d && d->quarantined ?
						     VIREO_DESTROY_QUARANTINED : 0};
}

struct extents_out {
	gpa_t out;
	unsigned n;
	bool ok;
};

static void extent_out(void *ctx, const struct vireo_extent *e)
{
	struct extents_out *x = ctx;

	x->ok &= hc_copy_out(x->out + x->n++ * sizeof(*e), e, sizeof(*e));
}

/* FOREIGN_MAP_DIRECT (abi/vireo_abi.h): everything checked, then mapped. */
static struct hc_ret map_direct(struct domain *d, struct vcpu *v)
{
	static const struct vireo_extent zero[PAGE_SIZE /
					      sizeof(struct vireo_extent)];
	gpa_t gpa = hc_arg(v, 1), out = hc_arg(v, 3);
	uint64_t size = hc_arg(v, 2), covered;
	unsigned long max = hc_arg(v, 4);
	struct extents_out x = {out, 0, true};
	long err;

	if (!memory_populated(d, gpa, size))
		return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
	/* Writing zeroes first proves the whole output is Dom0's RAM. */
	if (!max || max > ARRAY_SIZE(zero) ||
	    !hc_copy_out(out, zero, max * sizeof(zero[0])))
		return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
	covered = direct_extents(d, gpa, size, (unsigned)max, NULL, NULL);
	err = direct_map(d, gpa, covered);
	if (err)
		return (struct hc_ret){err, 0};
	direct_extents(d, gpa, covered, (unsigned)max, extent_out, &x);
	return (struct hc_ret){x.ok ? HC_SUCCESS : HC_ERR_FAILED,
				(long)covered};
}

/* The device-model calls but COMPLETE (abi/vireo_abi.h), under the domctl
 * lock: arguments copied in and checked, then acted on. */
static struct hc_ret ioreq_call(struct domain *d, struct vcpu *v,
				unsigned long fid)
{
	struct vireo_ioreq_server srv;
	struct vireo_ioreq_latch latch;
	uint32_t out = 0;
	long err;

	switch (fid) {
	case VIREO_HC_IOREQ_CREATE:
		if (!hc_copy_in(&srv, hc_arg(v, 1), sizeof(srv)))
			return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
		if (srv.id || srv.domu_port || srv._pad)
			return (struct hc_ret){HC_ERR_INVALID_PARAM, 0};
		/* The result goes where the arguments came from: RAM. */
		err = ioreq_create(d, srv.page_off, srv.dom0_port, &srv.id,
				   &srv.domu_port);
		if (!err && !hc_copy_out(hc_arg(v, 1), &srv, sizeof(srv))) {
			ioreq_destroy(d, srv.id);
			err = HC_ERR_INVALID_ADDRESS;
		}
		break;
	case VIREO_HC_IOREQ_MAP_RANGE:
		err = ioreq_map_range(d, hc_arg(v, 1), hc_arg(v, 2),
				      hc_arg(v, 3), hc_arg(v, 4), &out);
		break;
	case VIREO_HC_IOREQ_UNMAP_RANGE:
		err = ioreq_unmap_range(d, hc_arg(v, 1), hc_arg(v, 2),
					hc_arg(v, 3));
		break;
	case VIREO_HC_IOREQ_LATCH:
		if (!hc_copy_in(&latch, hc_arg(v, 2), sizeof(latch)))
			return (struct hc_ret){HC_ERR_INVALID_ADDRESS, 0};
		err = ioreq_latch(d, hc_arg(v, 1), &latch, &out);
		break;
	default:
		err = ioreq_destroy(d, hc_arg(v, 1));
		break;
	}
	return (struct hc_ret){err, err ? 0 : (long)out};
}

/* Control calls that name a DomU in a0, under the domctl lock. */
static struct hc_ret control_call(struct domain *d, struct vcpu *v,
				   unsigned long fid)
{
	long err;

	switch (fid) {
	case VIREO_HC_DOMAIN_PAUSE:
		err = domain_pause(d);
		break;
	case VIREO_HC_DOMAIN_UNPAUSE:
		err = domain_unpause(d);
		break;
	case VIREO_HC_MEMORY_POPULATE:
		err = memory_populate(d, hc_arg(v, 1), hc_arg(v, 2));
		break;
	case VIREO_HC_VCPU_SET_ENTRY:
		return set_entry(d, v);
	case VIREO_HC_FOREIGN_MAP:
		err = foreign_map(d, hc_arg(v, 1), hc_arg(v, 2), hc_arg(v, 3));
		break;
	case VIREO_HC_FOREIGN_MAP_DIRECT:
		return map_direct(d, v);
	case VIREO_HC_DOMAIN_CONTROL:
		err = domain_control(d, (uint32_t)hc_arg(v, 1));
		break;
	case VIREO_HC_IOREQ_CREATE:
	case VIREO_HC_IOREQ_MAP_RANGE:
	case VIREO_HC_IOREQ_UNMAP_RANGE:
	case VIREO_HC_IOREQ_LATCH:
	case VIREO_HC_IOREQ_DESTROY:
		return ioreq_call(d, v, fid);
	case VIREO_HC_DOMAIN_TRIGGER:
		err = domain_trigger(d, hc_arg(v, 1));
		break;
	default:
		return (struct hc_ret){HC_ERR_NOT_SUPPORTED, 0};
	}
	return (struct hc_ret){err, 0};
}

/* Dom0's data path: a reference, no domctl lock. */
static struct hc_ret data_call(struct domain *d, struct vcpu *v,
				unsigned long fid)
{
	long err;

	switch (fid) {
	case VIREO_HC_CONSOLE_READ:
		return hc_console_read(d, hc_arg(v, 1), hc_arg(v, 2));
	case VIREO_HC_CONSOLE_WRITE:
		return hc_console_write(d, hc_arg(v, 1), hc_arg(v, 2));
	case VIREO_HC_IOREQ_COMPLETE:
		err = ioreq_complete(d, hc_arg(v, 1), hc_arg(v, 2),
				     hc_arg(v, 3));
		break;
	default:
		return (struct hc_ret){HC_ERR_NOT_SUPPORTED, 0};
	}
	return (struct hc_ret){err, 0};
}

static bool is_data_call(unsigned long fid)
{
	return fid == VIREO_HC_CONSOLE_READ ||
	       fid == VIREO_HC_CONSOLE_WRITE || fid == VIREO_HC_IOREQ_COMPLETE;
}

/* Calls that name a live DomU in a0. */
static struct hc_ret domain_call(struct vcpu *v, unsigned long fid)
{
	unsigned id = (unsigned)hc_arg(v, 0);
	struct hc_ret ret = {HC_ERR_INVALID_PARAM, 0};
	struct domain *d;

	if (is_data_call(fid)) {
		d = domain_get(id);
		if (!d)
			return ret;
		if (!d->is_dom0)
			ret = data_call(d, v, fid);
		domain_put(d);
		return ret;
	}
	/*
	 * Control calls hold the domctl lock and no reference: a destroyer
	 * waits for references with that lock held, so a holder that then
	 * waited for the lock would never let it finish. Under the lock the
	 * domain cannot go, and dying cannot change (only destroy sets it).
	 */
	domctl_lock();
	d = domain_by_id(id);
	if (d && !d->dying && !d->is_dom0)
		ret = control_call(d, v, fid);
	domctl_unlock();
	return ret;
}

/* Dom0 calls that name no live domain, under the domctl lock. */
static struct hc_ret global_call(struct vcpu *v, unsigned long fid)
{
	switch (fid) {
	case VIREO_HC_PHYSINFO:
		return physinfo(v);
	case VIREO_HC_DOMAIN_CREATE:
		return create(v);
	case VIREO_HC_DOMAIN_DESTROY:
		return destroy(hc_arg(v, 0), false);
	case VIREO_HC_FOREIGN_RELEASE:
		return destroy(hc_arg(v, 0), true);
	case VIREO_HC_VCPU_INFO:
	case VIREO_HC_VCPU_AFFINITY:
	case VIREO_HC_SCHED_CREDIT:
	case VIREO_HC_SCHED_CREDIT_PARAMS:
		return schedctl_hypercall(v, fid);
	case VIREO_HC_CPUPOOL_OP:
		return cpupool_hypercall(v);
	case VIREO_HC_DOMAIN_GETINFO: {
		/* Dom0 and dying domains too (VIREO_DOMSTATE_DYING), as xl
		 * lists a domain until it is gone. */
		struct domain *d = domain_by_id((unsigned)hc_arg(v, 0));
		if (!d)
			return (struct hc_ret){HC_ERR_INVALID_PARAM, 0};
		return getinfo(d, hc_arg(v, 1));
	}
	case VIREO_HC_DOMAIN_LIST:
		return list(hc_arg(v, 0), hc_arg(v, 1));
	case VIREO_HC_FOREIGN_UNMAP:
		return (struct hc_ret){foreign_unmap(hc_arg(v, 0), hc_arg(v, 1)), 0};
	case VIREO_HC_LOG_READ:
		return log_read(v);
	default:
		return (struct hc_ret){HC_ERR_NOT_SUPPORTED, 0};
	}
}

static bool is_global_call(unsigned long fid)
{
	return fid == VIREO_HC_PHYSINFO || fid == VIREO_HC_DOMAIN_CREATE ||
	       fid == VIREO_HC_DOMAIN_DESTROY || fid == VIREO_HC_DOMAIN_GETINFO ||
	       fid == VIREO_HC_DOMAIN_LIST ||
	       fid == VIREO_HC_FOREIGN_UNMAP || fid == VIREO_HC_LOG_READ ||
	       fid == VIREO_HC_FOREIGN_RELEASE || fid == VIREO_HC_VCPU_INFO ||
	       fid == VIREO_HC_VCPU_AFFINITY || fid == VIREO_HC_SCHED_CREDIT ||
	       fid == VIREO_HC_SCHED_CREDIT_PARAMS || fid == VIREO_HC_CPUPOOL_OP;
}

struct hc_ret hypercall(struct vcpu *v, unsigned long fid)
{
	struct hc_ret ret;

	if (fid == VIREO_HC_VERSION)
		return (struct hc_ret){HC_SUCCESS, VIREO_INTERFACE_VERSION};
	if (fid > VIREO_HC_MAX)
		return (struct hc_ret){HC_ERR_NOT_SUPPORTED, 0};
	this_pcpu()->stats.hcall[fid]++;
	if (fid >= VIREO_HC_FIRST_OPEN && fid <= VIREO_HC_LAST_OPEN)
		return evtchn_hypercall(v, fid);
	if (!v->dom->is_dom0)
		return (struct hc_ret){HC_ERR_DENIED, 0};
	if (!is_global_call(fid))
		return domain_call(v, fid);
	domctl_lock();
	ret = global_call(v, fid);
	domctl_unlock();
	return ret;
}
