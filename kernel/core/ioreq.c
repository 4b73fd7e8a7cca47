/*
 * ioreq servers: a DomU's loads and stores in a device model's range go to
 * Dom0 (Xen's ioreq, see abi/vireo_abi.h). The page of slots, one per vCPU,
 * comes from the hypervisor heap and is mapped into Dom0's foreign window,
 * where the device model mmaps it; Dom0 hears of a request through
 * VIREO_VIRQ_IOREQ on its event channels.
 */
#include <string.h>

#include "domain.h"
#include "evtchn.h"
#include "insn.h"
#include "ioreq.h"
#include "memory.h"
#include "page_alloc.h"
#include "sbi.h"
#include "vireo_abi.h"

_Static_assert(sizeof(struct vireo_ioreq) * VIREO_MAX_VCPUS <= PAGE_SIZE,
	       "ioreq page");

long ioreq_server_create(struct domain *d, uint64_t off, gpa_t base,
			 uint64_t size)
{
	struct vireo_ioreq *page;

	if (d->is_dom0 || d->ioreq || !size || !IS_ALIGNED(base | size, PAGE_SIZE) ||
	    base + size < base || !IS_ALIGNED(off, PAGE_SIZE) ||
	    off > FOREIGN_WINDOW_SIZE - PAGE_SIZE ||
	    (base < d->ram_base + d->ram_size && base + size > d->ram_base))
		return SBI_ERR_INVALID_PARAM;
	if (gstage_lookup(&dom0->gs, FOREIGN_WINDOW_BASE + off, NULL, NULL))
		return SBI_ERR_ALREADY_AVAILABLE;
	page = page_alloc(0);
	if (!page)
		return SBI_ERR_FAILED;
	if (gstage_map(&dom0->gs, FOREIGN_WINDOW_BASE + off, (paddr_t)page,
		       PAGE_SIZE, GSTAGE_PROT_R | GSTAGE_PROT_W)) {
		page_free(page, 0);
		return SBI_ERR_FAILED;
	}
	spin_lock(&d->ioreq_lock);
	d->ioreq_base = base;
	d->ioreq_size = size;
	d->ioreq_off = off;
	d->ioreq = page;
	spin_unlock(&d->ioreq_lock);
	return SBI_SUCCESS;
}

bool ioreq_claims(struct domain *d, gpa_t gpa, unsigned width)
{
	return d->ioreq && gpa >= d->ioreq_base &&
	       gpa - d->ioreq_base + width <= d->ioreq_size;
}

void ioreq_send(struct vcpu *v, gpa_t gpa, unsigned width, bool is_store,
		uint64_t val)
{
	struct domain *d = v->dom;
	struct vireo_ioreq *slot = &d->ioreq[v->id];

	slot->addr = gpa;
	slot->data = is_store ? val : 0;
	slot->size = width;
	slot->dir = is_store ? VIREO_IOREQ_WRITE : VIREO_IOREQ_READ;
	slot->vcpu = v->id;
	v->io_read = !is_store;
	v->state = VCPU_WAIT_IO;
	/* The slot and the vCPU state before the device model can look. */
	__atomic_store_n(&slot->state, VIREO_IOREQ_READY, __ATOMIC_SEQ_CST);
	evtchn_raise_virq(dom0->evtchn, VIREO_VIRQ_IOREQ);
}

/* Finish v's access with value (reads) and let it run again. */
static void finish(struct vcpu *v, uint64_t value)
{
	if (v->io_read && v->io_reg) {
		struct mmio_insn d = {.width = v->io_width, .sign_ext = v->io_sign};
		v->regs.x[v->io_reg] = insn_load_extend(&d, value);
	}
	v->regs.sepc += v->io_len;
	__atomic_store_n(&v->state, VCPU_RUNNABLE, __ATOMIC_RELEASE);
	vcpu_kick(v);
}

long ioreq_complete(struct domain *d, unsigned long idx)
{
	struct vcpu *v = domain_vcpu(d, idx);
	long err = SBI_ERR_INVALID_PARAM;

	spin_lock(&d->ioreq_lock);
	if (v && d->ioreq && v->state == VCPU_WAIT_IO &&
	    __atomic_load_n(&d->ioreq[idx].state, __ATOMIC_ACQUIRE) ==
		    VIREO_IOREQ_RESP) {
		d->ioreq[idx].state = VIREO_IOREQ_NONE;
		finish(v, d->ioreq[idx].data);
		err = SBI_SUCCESS;
	}
	spin_unlock(&d->ioreq_lock);
	return err;
}

long ioreq_server_destroy(struct domain *d)
{
	struct vireo_ioreq *page;

	spin_lock(&d->ioreq_lock);
	page = d->ioreq;
	d->ioreq = NULL;
	/* The device is gone: accesses in flight fail as a bus would. */
	for (unsigned i = 0; page && i < d->nr_vcpus; i++)
		if (d->vcpus[i]->state == VCPU_WAIT_IO)
			finish(d->vcpus[i], ~0UL);
	spin_unlock(&d->ioreq_lock);
	if (!page)
		return SBI_ERR_INVALID_PARAM;
	gstage_unmap(&dom0->gs, FOREIGN_WINDOW_BASE + d->ioreq_off, PAGE_SIZE);
	gstage_flush_all_harts();
	page_free(page, 0);
	return SBI_SUCCESS;
}
