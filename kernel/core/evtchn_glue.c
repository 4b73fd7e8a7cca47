/*
 * Event channels of a domain (the table is evtchn.c) and their hypercalls.
 * The upcall is an edge on the domain's event-channel vPLIC line; the
 * guest's handler scans its pending bitmap.
 */
#include "domain.h"
#include "evtchn.h"
#include "hypercall.h"
#include "page_alloc.h"
#include "vireo_abi.h"

#define EVTCHN_ORDER 1 /* struct evtchn_domain: two pages */

_Static_assert(sizeof(struct evtchn_domain) <= (PAGE_SIZE << EVTCHN_ORDER),
	       "evtchn_domain");
_Static_assert(sizeof(struct evtchn_shared) ==
		       sizeof(struct vireo_evtchn_shared) &&
	       NR_EVTCHN_PORTS == VIREO_EVTCHN_PORTS, "evtchn ABI");

static void upcall(void *opaque)
{
	struct domain *d = opaque;

	virqc_inject(d, d->evtchn_irq);
}

void dom0_virq(unsigned virq)
{
	if (dom0 && dom0->evtchn)
		evtchn_raise_virq(dom0->evtchn, virq);
}

int domain_evtchn_init(struct domain *d, unsigned line)
{
	d->evtchn = page_alloc(EVTCHN_ORDER);
	if (!d->evtchn)
		return -1;
	d->evtchn_irq = line;
	return evtchn_domain_init(d->evtchn, d->id, upcall, d);
}

void domain_evtchn_teardown(struct domain *d)
{
	if (!d->evtchn)
		return;
	evtchn_domain_teardown(d->evtchn);
	page_free(d->evtchn, EVTCHN_ORDER);
	d->evtchn = NULL;
}

static long hc_err(int e)
{
	switch (e) {
	case 0:
		return HC_SUCCESS;
	case EVTCHN_ESRCH:
	case EVTCHN_EINVAL:
		return HC_ERR_INVALID_PARAM;
	case EVTCHN_EACCES:
		return HC_ERR_DENIED;
	case EVTCHN_EBUSY:
		return HC_ERR_ALREADY_AVAILABLE;
	default: /* ENOSPC, ENODEV */
		return HC_ERR_FAILED;
	}
}

/* The registered page must be one whole page of the caller's RAM; 0
 * unregisters it (before the guest frees it). */
static int set_shared(struct domain *d, gpa_t gpa)
{
	paddr_t pa;

	if (!gpa)
		return evtchn_set_shared(d->evtchn, NULL);
	if (!IS_ALIGNED(gpa, PAGE_SIZE) || gpa < d->ram_base ||
	    gpa - d->ram_base >= d->ram_size ||
	    !p2m_lookup(&d->p2m, gpa, &pa, NULL))
		return EVTCHN_EINVAL;
	return evtchn_set_shared(d->evtchn, (struct evtchn_shared *)pa);
}

static int bind_interdomain(struct domain *d, unsigned long domid,
			    unsigned long port, uint32_t *out)
{
	struct domain *r;
	int e;

	/* A reference keeps the peer's table while we link to it; destroy
	 * waits for it before tearing the table down. Never the domctl lock:
	 * a DomU must not wait for Dom0's control operations. */
	r = domain_get((unsigned)domid);
	if (!r)
		return EVTCHN_ESRCH;
	e = r->evtchn ? evtchn_bind_interdomain(d->evtchn, r->evtchn,
						(uint32_t)port, out)
		      : EVTCHN_ESRCH;
	domain_put(r);
	return e;
}

struct hc_ret evtchn_hypercall(struct vcpu *v, unsigned long fid)
{
	struct domain *d = v->dom;
	uint32_t port = 0;
	int e;

	if (!d->evtchn)
		return (struct hc_ret){HC_ERR_NOT_SUPPORTED, 0};
	switch (fid) {
	case VIREO_HC_EVTCHN_INIT:
		e = set_shared(d, hc_arg(v, 0));
		break;
	case VIREO_HC_EVTCHN_ALLOC_UNBOUND:
		e = evtchn_alloc_unbound(d->evtchn, (uint32_t)hc_arg(v, 0), &port);
		break;
	case VIREO_HC_EVTCHN_BIND_INTERDOMAIN:
		e = bind_interdomain(d, hc_arg(v, 0), hc_arg(v, 1), &port);
		break;
	case VIREO_HC_EVTCHN_BIND_VIRQ:
		e = evtchn_bind_virq(d->evtchn, (unsigned)hc_arg(v, 0), &port);
		break;
	case VIREO_HC_EVTCHN_SEND:
		e = evtchn_guest_send(d->evtchn, (uint32_t)hc_arg(v, 0));
		break;
	case VIREO_HC_EVTCHN_UNMASK:
		e = evtchn_unmask(d->evtchn, (uint32_t)hc_arg(v, 0));
		break;
	case VIREO_HC_EVTCHN_CLOSE:
		e = evtchn_guest_close(d->evtchn, (uint32_t)hc_arg(v, 0));
		break;
	default:
		return (struct hc_ret){HC_ERR_NOT_SUPPORTED, 0};
	}
	return (struct hc_ret){hc_err(e), e ? 0 : (long)port};
}
