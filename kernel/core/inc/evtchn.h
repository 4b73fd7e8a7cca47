/*
 * Event channels: Xen's 2-level model, simplified.
 *
 * Each domain has NR_EVTCHN_PORTS ports. Port 0 is reserved and never
 * allocated, so 0 can mean "no port" in tables and in guest code. A port is
 *
 *   FREE         not in use;
 *   UNBOUND      allocated, waiting for domain remote_domid to bind to it;
 *   INTERDOMAIN  connected to (remote, remote_port); a send on either end
 *                pends the other end;
 *   VIRQ         raised by the hypervisor for virtual IRQ virq (at most one
 *                port per virq per domain); the guest cannot send on it.
 *
 * The pending and mask bitmaps live in a page shared with the guest
 * (struct evtchn_shared), registered with evtchn_set_shared(). Ports can be
 * allocated and bound before that page exists; sends to a domain without a
 * page are dropped and return EVTCHN_ENODEV to the sender.
 *
 * Mask bit 0 = unmasked (Xen's convention): registering a page zeroes it, so
 * every port starts unmasked and not pending. A guest that wants a port
 * masked sets its bit itself, before or after binding.
 *
 * When a port's pending bit goes 0->1 while the port is unmasked, or when a
 * pending port is unmasked, the domain's upcall() runs (the lead wires it to
 * the domain's vPLIC upcall line).
 *
 * Locking: one global lock serialises every operation. upcall() is called
 * with that lock held, so it must not call back into evtchn_*.
 *
 * Every function returns 0 or a negative EVTCHN_E* code, and checks all its
 * arguments before it changes anything: a failed call changes nothing.
 */
#ifndef VIREO_EVTCHN_H
#define VIREO_EVTCHN_H

#include "types.h"

#define NR_EVTCHN_PORTS 256
#define NR_VIRQS 8

/* Negative errno values, as Linux numbers them, for easy mapping. */
#define EVTCHN_ESRCH (-3)   /* remote domain missing or unknown */
#define EVTCHN_EACCES (-13) /* the remote port does not wait for us */
#define EVTCHN_EBUSY (-16)  /* virq already bound; page already set */
#define EVTCHN_ENODEV (-19) /* receiver has no shared page: event dropped */
#define EVTCHN_EINVAL (-22) /* bad port, state or argument */
#define EVTCHN_ENOSPC (-28) /* no free port */

/*
 * Guest-visible ABI: the layout of the shared page's bitmaps. Port p is bit
 * (p % 64) of word (p / 64). Fixed-width, no padding; 512 bytes.
 */
struct evtchn_shared {
	uint64_t pending[NR_EVTCHN_PORTS / 64];
	uint64_t mask[NR_EVTCHN_PORTS / 64];
};

enum evtchn_state {
	EVTCHN_FREE = 0,
	EVTCHN_UNBOUND,
	EVTCHN_INTERDOMAIN,
	EVTCHN_VIRQ,
};

struct evtchn_domain;

struct evtchn_port {
	uint32_t state;		      /* enum evtchn_state */
	uint32_t remote_domid;	      /* UNBOUND: who may bind */
	struct evtchn_domain *remote; /* INTERDOMAIN: peer table */
	uint32_t remote_port;	      /* INTERDOMAIN: peer port */
	uint16_t virq;		      /* VIRQ: virq number */
	bool reserved;		      /* the hypervisor's end (an ioreq
				       * server's): the guest may not send
				       * on it or close it */
};

/* Embeddable in struct domain; initialise with evtchn_domain_init(). */
struct evtchn_domain {
	uint32_t domid;
	struct evtchn_shared *shared; /* NULL until the guest registers it */
	void (*upcall)(void *opaque); /* may be NULL: no notification */
	void *opaque;
	uint32_t virq_port[NR_VIRQS]; /* 0 = virq not bound */
	struct evtchn_port ports[NR_EVTCHN_PORTS];
};

int evtchn_domain_init(struct evtchn_domain *d, uint32_t domid,
		       void (*upcall)(void *opaque), void *opaque);
int evtchn_set_shared(struct evtchn_domain *d, struct evtchn_shared *page);
int evtchn_alloc_unbound(struct evtchn_domain *d, uint32_t remote_domid,
			 uint32_t *port);
int evtchn_bind_interdomain(struct evtchn_domain *d,
			    struct evtchn_domain *remote, uint32_t remote_port,
			    uint32_t *port);
int evtchn_bind_virq(struct evtchn_domain *d, unsigned int virq,
		     uint32_t *port);
int evtchn_send(struct evtchn_domain *d, uint32_t port);
int evtchn_raise_virq(struct evtchn_domain *d, unsigned int virq);
int evtchn_unmask(struct evtchn_domain *d, uint32_t port);
int evtchn_close(struct evtchn_domain *d, uint32_t port);
/* The guest's own send/close: EINVAL on the hypervisor's (reserved) ends. */
int evtchn_guest_send(struct evtchn_domain *d, uint32_t port);
int evtchn_guest_close(struct evtchn_domain *d, uint32_t port);
void evtchn_domain_teardown(struct evtchn_domain *d);
/* Bind the hypervisor's end of a channel (reserved: see evtchn_port). */
int evtchn_bind_reserved(struct evtchn_domain *d, struct evtchn_domain *remote,
			 uint32_t remote_port, uint32_t *port);
bool evtchn_is_reserved(struct evtchn_domain *d, uint32_t port);

#endif
