/*
 * ioreq servers: a DomU's loads and stores in a device model's range go to
 * Dom0 (Xen's ioreq, see abi/vireo_abi.h). The page of slots, one per vCPU,
 * comes from the hypervisor heap and is mapped into Dom0's foreign window,
 * where the device model mmaps it; Dom0 hears of a request through the
 * server's event channel.
 */
#include <string.h>

#include <arch/vplic.h>

#include "domain.h"
#include "evtchn.h"
#include "hypercall.h"
#include "ioreq.h"
#include "memory.h"
#include "page_alloc.h"
#include "vireo_abi.h"

_Static_assert(sizeof(struct vireo_ioreq_page) <= PAGE_SIZE, "ioreq page");

static bool create_args_ok(struct domain *d, uint64_t off, gpa_t base,
			   uint64_t size, uint64_t notify)
{
	uint64_t notify_off = notify & VIREO_IOREQ_NOTIFY_MASK;

	if (notify & ~(VIREO_IOREQ_NOTIFY_MASK | VIREO_IOREQ_F_VIRTIO_ISR))
		return false;
	/* Virtio ISR pages are the DomU's virtio-mmio slots, one line each. */
	if ((notify & VIREO_IOREQ_F_VIRTIO_ISR) &&
	    (base != VIREO_DOMU_VIRTIO_BASE ||
	     size > VIREO_DOMU_VIRTIO_SLOTS * VIREO_DOMU_VIRTIO_SIZE))
		return false;
	if (d->is_dom0 || d->ioreq || !size || !IS_ALIGNED(base | size, PAGE_SIZE) ||
	    base + size < base || !IS_ALIGNED(off, PAGE_SIZE) ||
	    off > FOREIGN_WINDOW_SIZE - PAGE_SIZE ||
	    (base < d->ram_base + d->ram_size && base + size > d->ram_base))
		return false;
	if (notify_off && (!IS_ALIGNED(notify_off, 4) ||
			   notify_off > PAGE_SIZE - 4 ||
			   size > VIREO_IOREQ_NOTIFY_PAGES * PAGE_SIZE))
		return false;
	return true;
}

/*
 * The server's event channel: Dom0's port, unbound and waiting for d, is
 * bound here to a new port of d's that only the hypervisor uses (as Xen
 * binds an ioreq server's ports in the target domain).
 */
long ioreq_server_create(struct domain *d, uint64_t off, gpa_t base,
			 uint64_t size, uint64_t dom0_port, uint64_t notify_off,
			 uint32_t *domu_port)
{
	struct vireo_ioreq_page *page;
	uint32_t port;

	if (!create_args_ok(d, off, base, size, notify_off) ||
	    dom0_port >= NR_EVTCHN_PORTS)
		return HC_ERR_INVALID_PARAM;
	if (p2m_lookup(&dom0->p2m, FOREIGN_WINDOW_BASE + off, NULL, NULL))
		return HC_ERR_ALREADY_AVAILABLE;
	page = page_alloc(0);
	if (!page)
		return HC_ERR_FAILED;
	if (evtchn_bind_reserved(d->evtchn, dom0->evtchn, (uint32_t)dom0_port,
				 &port)) {
		page_free(page, 0);
		return HC_ERR_INVALID_PARAM;
	}
	if (p2m_map(&dom0->p2m, FOREIGN_WINDOW_BASE + off, (paddr_t)page,
		       PAGE_SIZE, P2M_PROT_R | P2M_PROT_W)) {
		evtchn_close(d->evtchn, port);
		page_free(page, 0);
		return HC_ERR_FAILED;
	}
	spin_lock(&d->ioreq_lock);
	d->ioreq_base = base;
	d->ioreq_size = size;
	d->ioreq_off = off;
	d->ioreq_port = port;
	d->ioreq_notify_off = notify_off & VIREO_IOREQ_NOTIFY_MASK;
	d->ioreq_virtio_isr = !!(notify_off & VIREO_IOREQ_F_VIRTIO_ISR);
	d->ioreq = page;
	spin_unlock(&d->ioreq_lock);
	*domu_port = port;
	return HC_SUCCESS;
}

bool ioreq_claims(struct domain *d, gpa_t gpa, unsigned width)
{
	return d->ioreq && gpa >= d->ioreq_base &&
	       gpa - d->ioreq_base + width <= d->ioreq_size;
}

/* A QueueNotify-style store: record it and let the vCPU go on. */
static bool post_notify(struct domain *d, gpa_t gpa, unsigned width,
			bool is_store, uint64_t val)
{
	uint64_t off = gpa - d->ioreq_base;

	if (!d->ioreq_notify_off || !is_store || width != 4 || val >= 32 ||
	    (off & (PAGE_SIZE - 1)) != d->ioreq_notify_off)
		return false;
	__atomic_fetch_or(&d->ioreq->notify[off / PAGE_SIZE], 1U << val,
			  __ATOMIC_SEQ_CST);
	evtchn_send(d->evtchn, d->ioreq_port);
	return true;
}

/* d's lock held: the line of virtio slot i follows isr[i]. */
static void isr_sync(struct domain *d, unsigned i)
{
	bool level = __atomic_load_n(&d->ioreq->isr[i], __ATOMIC_SEQ_CST) != 0;

	vplic_set_level(&d->vplic, VIREO_DOMU_VIRTIO_IRQ0 + i, level);
}

/* InterruptStatus reads and InterruptACK writes, served here. */
static bool virtio_isr(struct domain *d, gpa_t gpa, unsigned width,
		       bool is_store, uint64_t *val)
{
	uint64_t off = gpa - d->ioreq_base;
	unsigned i = (unsigned)(off / PAGE_SIZE);

	off &= PAGE_SIZE - 1;
	if (!d->ioreq_virtio_isr || width != 4)
		return false;
	if (!is_store && off == VIREO_IOREQ_VIRTIO_ISR_OFF) {
		*val = __atomic_load_n(&d->ioreq->isr[i], __ATOMIC_SEQ_CST);
		return true;
	}
	if (is_store && off == VIREO_IOREQ_VIRTIO_ACK_OFF) {
		__atomic_fetch_and(&d->ioreq->isr[i], ~(uint32_t)*val,
				   __ATOMIC_SEQ_CST);
		isr_sync(d, i);
		return true;
	}
	return false;
}

long ioreq_isr_sync(struct domain *d, uint64_t page)
{
	long err = HC_ERR_INVALID_PARAM;

	spin_lock(&d->ioreq_lock);
	if (d->ioreq && d->ioreq_virtio_isr &&
	    page < d->ioreq_size / PAGE_SIZE) {
		isr_sync(d, (unsigned)page);
		err = HC_SUCCESS;
	}
	spin_unlock(&d->ioreq_lock);
	return err;
}

enum mmio_result ioreq_send(struct vcpu *v, gpa_t gpa, unsigned width,
			    bool is_store, uint64_t *valp)
{
	struct domain *d = v->dom;
	struct vireo_ioreq *slot = &d->ioreq->slot[v->id];
	uint64_t val = *valp;

	if (width < 8)
		val &= (1UL << (8 * width)) - 1; /* the bytes stored, no more */
	if (virtio_isr(d, gpa, width, is_store, &val)) {
		*valp = val;
		return MMIO_DONE;
	}
	if (post_notify(d, gpa, width, is_store, val))
		return MMIO_DONE;
	slot->addr = gpa;
	slot->data = is_store ? val : 0;
	slot->size = width;
	slot->dir = is_store ? VIREO_IOREQ_WRITE : VIREO_IOREQ_READ;
	slot->vcpu = v->id;
	v->state = VCPU_WAIT_IO;
	/* The slot and the vCPU state before the device model can look. */
	__atomic_store_n(&slot->state, VIREO_IOREQ_READY, __ATOMIC_SEQ_CST);
	evtchn_send(d->evtchn, d->ioreq_port);
	return MMIO_PENDING;
}

/* Finish v's access with value (reads) and let it run again. */
static void finish(struct vcpu *v, uint64_t value)
{
	vcpu_arch_mmio_finish(v, value);
	vcpu_io_done(v); /* a wake-up: it may preempt (vcpu.c) */
}

long ioreq_complete(struct domain *d, unsigned long idx)
{
	struct vcpu *v = domain_vcpu(d, idx);
	long err = HC_ERR_INVALID_PARAM;

	spin_lock(&d->ioreq_lock);
	if (v && d->ioreq && v->state == VCPU_WAIT_IO &&
	    __atomic_load_n(&d->ioreq->slot[idx].state, __ATOMIC_ACQUIRE) ==
		    VIREO_IOREQ_RESP) {
		d->ioreq->slot[idx].state = VIREO_IOREQ_NONE;
		finish(v, d->ioreq->slot[idx].data);
		err = HC_SUCCESS;
	}
	spin_unlock(&d->ioreq_lock);
	return err;
}

long ioreq_server_destroy(struct domain *d)
{
	struct vireo_ioreq_page *page;

	spin_lock(&d->ioreq_lock);
	page = d->ioreq;
	d->ioreq = NULL;
	/* The device is gone: accesses in flight fail as a bus would. */
	for (unsigned i = 0; page && i < d->nr_vcpus; i++)
		if (d->vcpus[i]->state == VCPU_WAIT_IO)
			finish(d->vcpus[i], ~0UL);
	spin_unlock(&d->ioreq_lock);
	if (!page)
		return HC_ERR_INVALID_PARAM;
	/* The devices are gone: so are their interrupts. */
	for (unsigned i = 0; d->ioreq_virtio_isr && i < d->ioreq_size / PAGE_SIZE; i++)
		vplic_set_level(&d->vplic, VIREO_DOMU_VIRTIO_IRQ0 + i, false);
	d->ioreq_virtio_isr = false;
	evtchn_close(d->evtchn, d->ioreq_port);
	p2m_unmap(&dom0->p2m, FOREIGN_WINDOW_BASE + d->ioreq_off, PAGE_SIZE);
	p2m_flush_all_harts();
	page_free(page, 0);
	return HC_SUCCESS;
}
