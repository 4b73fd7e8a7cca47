/*
 * ioreq servers: a DomU's loads and stores in a device model's ranges go to
 * Dom0 (Xen's ioreq, see abi/vireo_abi.h). Each server's page of slots, one
 * per vCPU, comes from the hypervisor heap and is mapped into Dom0's
 * foreign window, where the device model mmaps it; Dom0 hears of a request
 * through the server's event channel.
 *
 * Two kinds of access never wake the model, checked in this order: posted
 * writes (QueueNotify), recorded as bits in the page, and status latches,
 * interrupt-status words the model declared and the hypervisor serves by
 * their declaration alone: it knows an address, a width, read-or-clear and
 * a line, not what the bits mean.
 */
#include "domain.h"
#include "evtchn.h"
#include "hypercall.h"
#include "ioreq.h"
#include "iodev.h"
#include "memory.h"
#include "page_alloc.h"
#include "vireo_abi.h"

_Static_assert(sizeof(struct vireo_ioreq_page) <= PAGE_SIZE, "ioreq page");
_Static_assert(sizeof(struct ioreq_server) <= PAGE_SIZE, "ioreq server");
_Static_assert(VIREO_IOREQ_MAX_SERVERS <= 255, "vcpu->io_server");

/* The index of the lowest bit set in m (m != 0). libgcc's ctz is built
 * for the hard-float ABI, which the hypervisor does not link with. */
static unsigned lowest(uint64_t m)
{
	unsigned i = 0;

	while (!(m & 1)) {
		m >>= 1;
		i++;
	}
	return i;
}

static struct ioreq_server *server(const struct domain *d, uint64_t id)
{
	return id < VIREO_IOREQ_MAX_SERVERS ? d->ioreq[id] : NULL;
}

static bool ioreq_overlaps(const struct domain *d, gpa_t base, uint64_t size)
{
	for (unsigned i = 0; i < VIREO_IOREQ_MAX_SERVERS; i++) {
		const struct ioreq_server *s = d->ioreq[i];
		for (unsigned r = 0; s && r < s->nr_ranges; r++)
			if (ranges_meet(base, size, s->range[r].base,
				  s->range[r].size))
				return true;
	}
	return false;
}

/*
 * The server's event channel: Dom0's port, unbound and waiting for d, is
 * bound here to a new port of d's that only the hypervisor uses (as Xen
 * binds an ioreq server's ports in the target domain).
 */
long ioreq_create(struct domain *d, uint64_t off, uint64_t dom0_port,
		  uint32_t *id, uint32_t *domu_port)
{
	struct vireo_ioreq_page *page;
	struct ioreq_server *s;
	unsigned i;

	if (d->is_dom0 || !IS_ALIGNED(off, PAGE_SIZE) ||
	    off > FOREIGN_WINDOW_SIZE - PAGE_SIZE ||
	    dom0_port >= NR_EVTCHN_PORTS)
		return HC_ERR_INVALID_PARAM;
	for (i = 0; i < VIREO_IOREQ_MAX_SERVERS && d->ioreq[i]; i++)
		;
	if (i == VIREO_IOREQ_MAX_SERVERS)
		return HC_ERR_FAILED;
	if (p2m_lookup(&dom0->p2m, FOREIGN_WINDOW_BASE + off, NULL, NULL))
		return HC_ERR_ALREADY_AVAILABLE;
	page = page_alloc(0);
	s = page_alloc(0);
	if (!page || !s)
		goto nomem;
	if (evtchn_bind_reserved(d->evtchn, dom0->evtchn, (uint32_t)dom0_port,
				 &s->port)) {
		page_free(s, 0);
		page_free(page, 0);
		return HC_ERR_INVALID_PARAM;
	}
	if (p2m_map(&dom0->p2m, FOREIGN_WINDOW_BASE + off, (paddr_t)page,
		    PAGE_SIZE, P2M_PROT_R | P2M_PROT_W)) {
		evtchn_close(d->evtchn, s->port);
		goto nomem;
	}
	s->page = page;
	s->page_off = off;
	*domu_port = s->port;
	*id = i;
	spin_lock(&d->ioreq_lock);
	d->ioreq[i] = s;
	spin_unlock(&d->ioreq_lock);
	return HC_SUCCESS;
nomem:
	if (s)
		page_free(s, 0);
	if (page)
		page_free(page, 0);
	return HC_ERR_FAILED;
}

long ioreq_map_range(struct domain *d, uint64_t id, gpa_t base, uint64_t size,
		     uint64_t notify_off, uint32_t *notify_first)
{
	struct ioreq_server *s = server(d, id);
	uint64_t pages = size / PAGE_SIZE;

	if (!s || !size || !IS_ALIGNED(base | size, PAGE_SIZE) ||
	    base + size < base || base + size > (1UL << P2M_GPA_BITS) ||
	    s->nr_ranges == VIREO_IOREQ_MAX_RANGES)
		return HC_ERR_INVALID_PARAM;
	if (notify_off &&
	    (!IS_ALIGNED(notify_off, 4) || notify_off > PAGE_SIZE - 4 ||
	     pages > VIREO_IOREQ_NOTIFY_PAGES - s->nr_notify))
		return HC_ERR_INVALID_PARAM;
	if (ranges_meet(base, size, d->ram_base, d->ram_size) ||
	    domain_mmio_overlaps(d, base, size) ||
	    ioreq_overlaps(d, base, size))
		return HC_ERR_ALREADY_AVAILABLE;
	*notify_first = notify_off ? s->nr_notify : 0;
	spin_lock(&d->ioreq_lock);
	s->range[s->nr_ranges++] = (struct ioreq_range){
	    .base = base,
	    .size = size,
	    .notify_off = (uint32_t)notify_off,
	    .notify_first = *notify_first,
	};
	if (notify_off)
		s->nr_notify += (unsigned)pages;
	spin_unlock(&d->ioreq_lock);
	return HC_SUCCESS;
}

/* ioreq_lock held: latch i's line follows its word. */
static void latch_sync(struct domain *d, struct ioreq_server *s, unsigned i)
{
	bool level = __atomic_load_n(&s->page->latch[i], __ATOMIC_SEQ_CST) != 0;

	virqc_set_level(d, s->latch[i].line, level);
}

/* ioreq_lock held: forget latch i and lower its line; its word starts
 * from zero for the next latch given that index. */
static void latch_drop(struct domain *d, struct ioreq_server *s, unsigned i)
{
	virqc_set_level(d, s->latch[i].line, false);
	s->latch[i] = (struct ioreq_latch){0};
	s->latches &= ~(1U << i);
	__atomic_store_n(&s->page->latch[i], 0, __ATOMIC_SEQ_CST);
}

static bool in(gpa_t a, gpa_t base, uint64_t size)
{
	return a >= base && a - base < size;
}

long ioreq_unmap_range(struct domain *d, uint64_t id, gpa_t base, uint64_t size)
{
	struct ioreq_server *s = server(d, id);
	unsigned r;

	for (r = 0; s && r < s->nr_ranges; r++)
		if (s->range[r].base == base && s->range[r].size == size)
			break;
	if (!s || r == s->nr_ranges)
		return HC_ERR_INVALID_PARAM;
	spin_lock(&d->ioreq_lock);
	for (unsigned i = 0; i < VIREO_IOREQ_MAX_LATCHES; i++) {
		const struct ioreq_latch *l = &s->latch[i];
		/* An address of 0 is "not served", never in a range. */
		if (l->line &&
		    ((l->read_addr && in(l->read_addr, base, size)) ||
		     (l->clear_addr && in(l->clear_addr, base, size))))
			latch_drop(d, s, i);
	}
	/* Its notify words are not handed out again. */
	s->range[r] = s->range[--s->nr_ranges];
	spin_unlock(&d->ioreq_lock);
	return HC_SUCCESS;
}

static bool latch_addr_ok(const struct ioreq_server *s, gpa_t a, unsigned w)
{
	if (!a)
		return true;
	if (!IS_ALIGNED(a, w))
		return false;
	for (unsigned r = 0; r < s->nr_ranges; r++)
		if (in(a, s->range[r].base, s->range[r].size) &&
		    in(a + w - 1, s->range[r].base, s->range[r].size))
			return true;
	return false;
}

/* Is line, or either address, taken by another latch of d's servers? */
static bool latch_clash(const struct domain *d,
			const struct vireo_ioreq_latch *l)
{
	for (unsigned i = 0; i < VIREO_IOREQ_MAX_SERVERS; i++) {
		const struct ioreq_server *s = d->ioreq[i];
		for (unsigned j = 0; s && j < VIREO_IOREQ_MAX_LATCHES; j++) {
			const struct ioreq_latch *o = &s->latch[j];
			if (!o->line)
				continue;
			if (o->line == l->line ||
			    (l->read_addr && l->read_addr == o->read_addr) ||
			    (l->clear_addr && l->clear_addr == o->clear_addr))
				return true;
		}
	}
	return false;
}

long ioreq_latch(struct domain *d, uint64_t id,
		 const struct vireo_ioreq_latch *l, uint32_t *index)
{
	struct ioreq_server *s = server(d, id);
	unsigned i;

	if (!s || l->_pad || (l->flags & ~VIREO_LATCH_F_READ_CLEARS) ||
	    (l->width != 1 && l->width != 2 && l->width != 4) ||
	    l->line < VIREO_DOMU_DM_IRQ_FIRST ||
	    l->line > VIREO_DOMU_DM_IRQ_LAST ||
	    (!l->read_addr && !l->clear_addr) ||
	    !latch_addr_ok(s, l->read_addr, l->width) ||
	    !latch_addr_ok(s, l->clear_addr, l->width))
		return HC_ERR_INVALID_PARAM;
	if (latch_clash(d, l))
		return HC_ERR_ALREADY_AVAILABLE;
	for (i = 0; i < VIREO_IOREQ_MAX_LATCHES && s->latch[i].line; i++)
		;
	if (i == VIREO_IOREQ_MAX_LATCHES)
		return HC_ERR_FAILED;
	spin_lock(&d->ioreq_lock);
	s->latch[i] = (struct ioreq_latch){
	    .read_addr = l->read_addr,
	    .clear_addr = l->clear_addr,
	    .width = (uint8_t)l->width,
	    .flags = (uint8_t)l->flags,
	    .line = (uint16_t)l->line,
	};
	s->latches |= 1U << i;
	latch_sync(d, s, i); /* the model may have set bits already */
	spin_unlock(&d->ioreq_lock);
	*index = i;
	return HC_SUCCESS;
}

/* A latch's address, accessed as declared: serve it. ioreq_lock held. */
static bool latch_access(struct domain *d, struct ioreq_server *s, gpa_t gpa,
			 unsigned width, bool is_store, uint64_t *val)
{
	for (uint32_t m = s->latches; m; m &= m - 1) {
		unsigned i = lowest(m);
		const struct ioreq_latch *l = &s->latch[i];
		uint32_t *word = &s->page->latch[i];
		if (l->width != width)
			continue;
		if (!is_store && gpa == l->read_addr) {
			uint32_t got = __atomic_load_n(word, __ATOMIC_SEQ_CST);
			if (width < 4)
				got &= (1U << (8 * width)) - 1;
			if (l->flags & VIREO_LATCH_F_READ_CLEARS)
				__atomic_fetch_and(word, ~got,
						   __ATOMIC_SEQ_CST);
			*val = got;
		} else if (is_store && gpa == l->clear_addr) {
			__atomic_fetch_and(word, ~(uint32_t)*val,
					   __ATOMIC_SEQ_CST);
		} else {
			continue;
		}
		latch_sync(d, s, i);
		return true;
	}
	return false;
}

/* A QueueNotify-style store: record it and let the vCPU go on. */
static bool post_notify(struct domain *d, struct ioreq_server *s,
			const struct ioreq_range *r, gpa_t gpa, unsigned width,
			bool is_store, uint64_t val)
{
	uint64_t off = gpa - r->base;

	if (!r->notify_off || !is_store || width != 4 || val >= 32 ||
	    (off & (PAGE_SIZE - 1)) != r->notify_off)
		return false;
	__atomic_fetch_or(&s->page->notify[r->notify_first + off / PAGE_SIZE],
			  1U << val, __ATOMIC_SEQ_CST);
	evtchn_send(d->evtchn, s->port);
	return true;
}

static void send(struct vcpu *v, unsigned id, gpa_t gpa, unsigned width,
		 bool is_store, uint64_t val)
{
	struct ioreq_server *s = v->dom->ioreq[id];
	struct vireo_ioreq *slot = &s->page->slot[v->id];

	slot->addr = gpa;
	slot->data = is_store ? val : 0;
	slot->size = width;
	slot->dir = is_store ? VIREO_IOREQ_WRITE : VIREO_IOREQ_READ;
	slot->vcpu = v->id;
	v->io_server = (uint8_t)id;
	v->state = VCPU_WAIT_IO;
	/* The slot and the vCPU state before the device model can look. */
	__atomic_store_n(&slot->state, VIREO_IOREQ_READY, __ATOMIC_SEQ_CST);
	evtchn_send(v->dom->evtchn, s->port);
}

enum mmio_result ioreq_mmio(struct vcpu *v, gpa_t gpa, unsigned width,
			    bool is_store, uint64_t *valp)
{
	struct domain *d = v->dom;
	enum mmio_result res = MMIO_FAULT;
	uint64_t val = *valp;

	if (width < 8)
		val &= (1UL << (8 * width)) - 1; /* the bytes stored, no more */
	spin_lock(&d->ioreq_lock);
	for (unsigned i = 0; i < VIREO_IOREQ_MAX_SERVERS; i++) {
		struct ioreq_server *s = d->ioreq[i];
		for (unsigned j = 0; s && j < s->nr_ranges; j++) {
			const struct ioreq_range *r = &s->range[j];
			if (!in(gpa, r->base, r->size) ||
			    gpa - r->base + width > r->size)
				continue;
			if (post_notify(d, s, r, gpa, width, is_store, val)) {
				res = MMIO_DONE;
			} else if (latch_access(d, s, gpa, width, is_store,
						&val)) {
				*valp = val;
				res = MMIO_DONE;
			} else {
				send(v, i, gpa, width, is_store, val);
				res = MMIO_PENDING;
			}
			goto out;
		}
	}
out:
	spin_unlock(&d->ioreq_lock);
	return res;
}

/* Is v waiting on server id with its response in the slot? */
static bool answered(struct domain *d, unsigned id, unsigned vcpu)
{
	struct vcpu *v = domain_vcpu(d, vcpu);

	return v && v->state == VCPU_WAIT_IO && v->io_server == id &&
	       __atomic_load_n(&d->ioreq[id]->page->slot[vcpu].state,
			       __ATOMIC_ACQUIRE) == VIREO_IOREQ_RESP;
}

long ioreq_complete(struct domain *d, uint64_t id, uint64_t vcpus,
		    uint64_t latches)
{
	struct ioreq_server *s;
	long err = HC_SUCCESS;

	if ((vcpus >> d->nr_vcpus) || (latches >> VIREO_IOREQ_MAX_LATCHES))
		return HC_ERR_INVALID_PARAM;
	spin_lock(&d->ioreq_lock);
	s = server(d, id);
	if (s && (latches & ~(uint64_t)s->latches))
		s = NULL; /* an undeclared latch */
	for (uint64_t m = vcpus; s && m; m &= m - 1)
		if (!answered(d, (unsigned)id, lowest(m)))
			s = NULL;
	if (!s) {
		err = HC_ERR_INVALID_PARAM;
		goto out;
	}
	/* Lines first: a vCPU that reads the status after its completion
	 * finds its line already right. */
	for (uint64_t m = latches; m; m &= m - 1)
		latch_sync(d, s, lowest(m));
	for (uint64_t m = vcpus; m; m &= m - 1) {
		unsigned i = lowest(m);
		s->page->slot[i].state = VIREO_IOREQ_NONE;
		vcpu_arch_mmio_finish(d->vcpus[i], s->page->slot[i].data);
		vcpu_io_done(d->vcpus[i]); /* a wake-up: it may preempt */
	}
out:
	spin_unlock(&d->ioreq_lock);
	return err;
}

long ioreq_destroy(struct domain *d, uint64_t id)
{
	struct ioreq_server *s;

	spin_lock(&d->ioreq_lock);
	s = server(d, id);
	if (s) {
		d->ioreq[id] = NULL;
		/* The device is gone: accesses in flight fail as a bus would.
		 */
		for (unsigned i = 0; i < d->nr_vcpus; i++) {
			struct vcpu *v = d->vcpus[i];
			if (v->state == VCPU_WAIT_IO && v->io_server == id) {
				vcpu_arch_mmio_finish(v, ~0UL);
				vcpu_io_done(v);
			}
		}
		/* ... and so are its interrupts. */
		for (unsigned i = 0; i < VIREO_IOREQ_MAX_LATCHES; i++)
			if (s->latch[i].line)
				latch_drop(d, s, i);
	}
	spin_unlock(&d->ioreq_lock);
	if (!s)
		return HC_ERR_INVALID_PARAM;
	evtchn_close(d->evtchn, s->port);
	p2m_unmap(&dom0->p2m, FOREIGN_WINDOW_BASE + s->page_off, PAGE_SIZE);
	p2m_flush_all_harts();
	page_free(s->page, 0);
	page_free(s, 0);
	return HC_SUCCESS;
}

void ioreq_destroy_all(struct domain *d)
{
	for (unsigned i = 0; i < VIREO_IOREQ_MAX_SERVERS; i++)
		if (d->ioreq[i])
			ioreq_destroy(d, i);
}
