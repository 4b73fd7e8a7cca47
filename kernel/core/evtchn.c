/*
 * Event-channel table: per-domain ports, Xen 2-level style. See evtchn.h for
 * the model, the error codes and the locking rule.
 *
 * Every entry point first decodes (checks every argument and the state it
 * depends on, changing nothing) and only then acts, under one global lock.
 * A single lock is enough: operations are short, and an interdomain bind or
 * close touches two tables, which per-domain locks would have to order.
 *
 * The pending and mask bitmaps are in guest memory, so the guest changes
 * them at any time: the hypervisor updates them only with atomics, and never
 * keeps a copy.
 */
#include "evtchn.h"
#include "spinlock.h"
#include "types.h"

static spinlock_t evtchn_lock = SPINLOCK_INIT;

/* A macro, so that static analysers see the bound at each index. */
#define port_valid(port) ((port) != 0 && (port) < NR_EVTCHN_PORTS)

static uint64_t port_bit(uint32_t port)
{
	return 1ULL << (port % 64);
}

static bool page_ok(const struct evtchn_shared *page)
{
	return IS_ALIGNED((uintptr_t)page, sizeof(uint64_t));
}

/* First FREE port, or 0 if none (port 0 is never allocated). */
static uint32_t find_free(const struct evtchn_domain *d)
{
	uint32_t p;

	for (p = 1; p < NR_EVTCHN_PORTS; p++)
		if (d->ports[p].state == EVTCHN_FREE)
			return p;
	return 0;
}

static void port_reset(struct evtchn_port *c)
{
	c->state = EVTCHN_FREE;
	c->remote_domid = 0;
	c->remote = NULL;
	c->remote_port = 0;
	c->virq = 0;
	c->reserved = false;
}

/*
 * Set port's pending bit in d's page. The upcall fires only on the 0->1
 * edge of an unmasked port: a guest that has not yet cleared the bit has
 * not consumed the previous event, so a second upcall would tell it nothing.
 * Sequentially consistent atomics order "set pending, read mask" here
 * against the guest's "clear mask, read pending", so an event racing with
 * an unmask is seen by one side or the other and never lost.
 */
static void set_pending(struct evtchn_domain *d, uint32_t port)
{
	struct evtchn_shared *sh = d->shared;
	uint32_t w = port / 64;
	uint64_t bit = port_bit(port);
	uint64_t old;

	old = __atomic_fetch_or(&sh->pending[w], bit, __ATOMIC_SEQ_CST);
	if (old & bit)
		return;
	if (__atomic_load_n(&sh->mask[w], __ATOMIC_SEQ_CST) & bit)
		return;
	if (d->upcall)
		d->upcall(d->opaque);
}

/* A freed port must not carry a stale event into its next use. */
static void clear_pending(struct evtchn_domain *d, uint32_t port)
{
	if (d->shared)
		__atomic_fetch_and(&d->shared->pending[port / 64],
				   ~port_bit(port), __ATOMIC_SEQ_CST);
}

int evtchn_domain_init(struct evtchn_domain *d, uint32_t domid,
		       void (*upcall)(void *opaque), void *opaque)
{
	uint32_t i;

	if (!d)
		return EVTCHN_EINVAL;
	/* No lock: d is not yet reachable by any other domain. */
	d->domid = domid;
	d->shared = NULL;
	d->upcall = upcall;
	d->opaque = opaque;
	for (i = 0; i < NR_VIRQS; i++)
		d->virq_port[i] = 0;
	for (i = 0; i < NR_EVTCHN_PORTS; i++)
		port_reset(&d->ports[i]);
	return 0;
}

/*
 * Register (page != NULL) or forget (page == NULL) the shared page. A new
 * page is zeroed: all ports unmasked and not pending. Events sent before it
 * existed were dropped and reported to their senders, so nothing is owed.
 * Replacing a page needs a NULL in between (EBUSY), so a guest cannot move
 * its bitmaps under a running sender by accident.
 */
int evtchn_set_shared(struct evtchn_domain *d, struct evtchn_shared *page)
{
	uint32_t i;
	int rc = 0;

	if (!d || !page_ok(page))
		return EVTCHN_EINVAL;
	spin_lock(&evtchn_lock);
	if (page && d->shared) {
		rc = EVTCHN_EBUSY;
		goto out;
	}
	if (page) {
		for (i = 0; i < NR_EVTCHN_PORTS / 64; i++) {
			__atomic_store_n(&page->pending[i], 0,
					 __ATOMIC_RELAXED);
			__atomic_store_n(&page->mask[i], 0, __ATOMIC_RELAXED);
		}
	}
	d->shared = page;
out:
	spin_unlock(&evtchn_lock);
	return rc;
}

int evtchn_alloc_unbound(struct evtchn_domain *d, uint32_t remote_domid,
			 uint32_t *port)
{
	uint32_t p;
	int rc = 0;

	if (!d || !port)
		return EVTCHN_EINVAL;
	spin_lock(&evtchn_lock);
	p = find_free(d);
	if (!p) {
		rc = EVTCHN_ENOSPC;
		goto out;
	}
	d->ports[p].state = EVTCHN_UNBOUND;
	d->ports[p].remote_domid = remote_domid;
	*port = p;
out:
	spin_unlock(&evtchn_lock);
	return rc;
}

/*
 * Connect a new local port of d to remote's remote_port, which must be
 * UNBOUND and waiting for d's domid. remote may be d itself (a loopback
 * channel, as Xen allows). Domain ids are checked, not identities: the
 * caller resolves domids to tables and must not hand over a dying domain.
 */
static int bind_ports(struct evtchn_domain *d,
			    struct evtchn_domain *remote, uint32_t remote_port,
			    uint32_t *port, bool reserved)
{
	struct evtchn_port *rc_port;
	uint32_t p;
	int rc = 0;

	if (!d || !port || !port_valid(remote_port))
		return EVTCHN_EINVAL;
	if (!remote)
		return EVTCHN_ESRCH;
	spin_lock(&evtchn_lock);
	rc_port = &remote->ports[remote_port];
	if (rc_port->state != EVTCHN_UNBOUND) {
		rc = EVTCHN_EINVAL;
		goto out;
	}
	if (rc_port->remote_domid != d->domid) {
		rc = EVTCHN_EACCES;
		goto out;
	}
	p = find_free(d);
	if (!p) {
		rc = EVTCHN_ENOSPC;
		goto out;
	}
	/* Decoded; act. Both ends at once, under the lock. */
	rc_port->state = EVTCHN_INTERDOMAIN;
	rc_port->remote_domid = 0;
	rc_port->remote = d;
	rc_port->remote_port = p;
	d->ports[p].state = EVTCHN_INTERDOMAIN;
	d->ports[p].remote = remote;
	d->ports[p].remote_port = remote_port;
	d->ports[p].reserved = reserved;
	*port = p;
out:
	spin_unlock(&evtchn_lock);
	return rc;
}

int evtchn_bind_interdomain(struct evtchn_domain *d,
			    struct evtchn_domain *remote, uint32_t remote_port,
			    uint32_t *port)
{
	return bind_ports(d, remote, remote_port, port, false);
}

/*
 * The same, for the hypervisor's own end (an ioreq server's): reserved in
 * the same critical section, so the guest never sees it as an ordinary
 * port it could close or rebind.
 */
int evtchn_bind_reserved(struct evtchn_domain *d, struct evtchn_domain *remote,
			 uint32_t remote_port, uint32_t *port)
{
	return bind_ports(d, remote, remote_port, port, true);
}

int evtchn_bind_virq(struct evtchn_domain *d, unsigned int virq, uint32_t *port)
{
	uint32_t p;
	int rc = 0;

	if (!d || !port || virq >= NR_VIRQS)
		return EVTCHN_EINVAL;
	spin_lock(&evtchn_lock);
	if (d->virq_port[virq]) {
		rc = EVTCHN_EBUSY;
		goto out;
	}
	p = find_free(d);
	if (!p) {
		rc = EVTCHN_ENOSPC;
		goto out;
	}
	d->ports[p].state = EVTCHN_VIRQ;
	d->ports[p].virq = virq;
	d->virq_port[virq] = p;
	*port = p;
out:
	spin_unlock(&evtchn_lock);
	return rc;
}

/*
 * Guest send. INTERDOMAIN pends the peer's port. UNBOUND is a successful
 * no-op, as in Xen: a frontend may notify before its backend has bound,
 * and the backend checks its rings once it binds. FREE and VIRQ ports are
 * errors: only the hypervisor raises a VIRQ.
 */
static int send_locked(struct evtchn_domain *d, uint32_t port)
{
	struct evtchn_port *c = &d->ports[port];
	int rc = 0;

	switch (c->state) {
	case EVTCHN_UNBOUND:
		break;
	case EVTCHN_INTERDOMAIN:
		/* The hypervisor's end listens to nobody: drop it there. */
		if (c->remote->ports[c->remote_port].reserved)
			break;
		if (!c->remote->shared) {
			rc = EVTCHN_ENODEV;
			break;
		}
		set_pending(c->remote, c->remote_port);
		break;
	default:
		rc = EVTCHN_EINVAL;
		break;
	}
	return rc;
}

/*
 * The guest's own send and close refuse the hypervisor's ends (reserved
 * ports), checked under the lock that binds them: a check before taking it
 * could pass for a port that becomes reserved before the send acts.
 */
static int port_op(struct evtchn_domain *d, uint32_t port, bool guest,
		   int (*op)(struct evtchn_domain *d, uint32_t port))
{
	int rc;

	if (!d || !port_valid(port))
		return EVTCHN_EINVAL;
	spin_lock(&evtchn_lock);
	rc = guest && d->ports[port].reserved ? EVTCHN_EINVAL : op(d, port);
	spin_unlock(&evtchn_lock);
	return rc;
}

int evtchn_send(struct evtchn_domain *d, uint32_t port)
{
	return port_op(d, port, false, send_locked);
}

int evtchn_guest_send(struct evtchn_domain *d, uint32_t port)
{
	return port_op(d, port, true, send_locked);
}

/*
 * Hypervisor side: pend the port bound to virq. No port bound is not an
 * error (nobody listens, as in Xen); no shared page is, so that the caller
 * can tell the event was dropped.
 */
int evtchn_raise_virq(struct evtchn_domain *d, unsigned int virq)
{
	uint32_t p;
	int rc = 0;

	if (!d || virq >= NR_VIRQS)
		return EVTCHN_EINVAL;
	spin_lock(&evtchn_lock);
	p = d->virq_port[virq];
	if (!p)
		goto out;
	if (!d->shared) {
		rc = EVTCHN_ENODEV;
		goto out;
	}
	set_pending(d, p);
out:
	spin_unlock(&evtchn_lock);
	return rc;
}

/*
 * Clear the mask bit; if the port is pending, the event that was held back
 * by the mask is delivered now. The upcall does not depend on the mask bit
 * having been set: a guest may clear it in the page itself and call this
 * only to have a pending event delivered (Linux's 2-level unmask does).
 */
int evtchn_unmask(struct evtchn_domain *d, uint32_t port)
{
	struct evtchn_shared *sh;
	uint64_t bit = port_bit(port);
	uint64_t pend;
	int rc = 0;

	if (!d || !port_valid(port))
		return EVTCHN_EINVAL;
	spin_lock(&evtchn_lock);
	sh = d->shared;
	if (d->ports[port].state == EVTCHN_FREE) {
		rc = EVTCHN_EINVAL;
		goto out;
	}
	if (!sh) {
		rc = EVTCHN_ENODEV;
		goto out;
	}
	__atomic_fetch_and(&sh->mask[port / 64], ~bit, __ATOMIC_SEQ_CST);
	pend = __atomic_load_n(&sh->pending[port / 64], __ATOMIC_SEQ_CST);
	if ((pend & bit) && d->upcall)
		d->upcall(d->opaque);
out:
	spin_unlock(&evtchn_lock);
	return rc;
}

/* Close with the lock held; the caller has checked port is not FREE. */
static void close_locked(struct evtchn_domain *d, uint32_t port)
{
	struct evtchn_port *c = &d->ports[port];
	struct evtchn_port *peer;

	switch (c->state) {
	case EVTCHN_INTERDOMAIN:
		/*
		 * The peer reverts to UNBOUND waiting for us (Xen does the
		 * same), so it can be bound again and never keeps a pointer
		 * to a table that may be about to disappear.
		 */
		peer = &c->remote->ports[c->remote_port];
		peer->state = EVTCHN_UNBOUND;
		peer->remote_domid = d->domid;
		peer->remote = NULL;
		peer->remote_port = 0;
		break;
	case EVTCHN_VIRQ:
		d->virq_port[c->virq] = 0;
		break;
	default:
		break;
	}
	port_reset(c);
	clear_pending(d, port);
}

/* Closing a FREE port is EINVAL, so a double close is a harmless error. */
static int close_checked(struct evtchn_domain *d, uint32_t port)
{
	if (d->ports[port].state == EVTCHN_FREE)
		return EVTCHN_EINVAL;
	close_locked(d, port);
	return 0;
}

int evtchn_close(struct evtchn_domain *d, uint32_t port)
{
	return port_op(d, port, false, close_checked);
}

int evtchn_guest_close(struct evtchn_domain *d, uint32_t port)
{
	return port_op(d, port, true, close_checked);
}

/*
 * Domain destroy: close every port, so no peer keeps a pointer to d, and
 * forget the shared page. Call it before d's memory (and so its shared
 * page) is freed: closing clears pending bits in that page.
 */
void evtchn_domain_teardown(struct evtchn_domain *d)
{
	uint32_t p;

	if (!d)
		return;
	spin_lock(&evtchn_lock);
	for (p = 1; p < NR_EVTCHN_PORTS; p++)
		if (d->ports[p].state != EVTCHN_FREE)
			close_locked(d, p);
	d->shared = NULL;
	spin_unlock(&evtchn_lock);
}

bool evtchn_is_reserved(struct evtchn_domain *d, uint32_t port)
{
	return port_valid(port) && d->ports[port].reserved;
}
