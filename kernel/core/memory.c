/* DomU memory and foreign mappings (see memory.h). */
#include <string.h>

#include "domain.h"
#include "hypercall.h"
#include "memory.h"
#include "pcpu.h"
#include "printk.h"
#include "vireo_abi.h"

struct foreign_map {
	unsigned domid; /* 0: slot free (Dom0 never maps itself) */
	uint64_t off, size;
};

static struct foreign_map fmaps[MAX_FOREIGN_MAPS];
static spinlock_t fmap_lock = SPINLOCK_INIT;

static bool in_ram(struct domain *d, gpa_t gpa, uint64_t size)
{
	return size && IS_ALIGNED(gpa | size, PAGE_SIZE) && gpa >= d->ram_base &&
	       size <= d->ram_size && gpa - d->ram_base <= d->ram_size - size;
}

static void release_range(struct domain *d, gpa_t start, gpa_t end,
			  bool live);

/* Map one chunk of fresh memory: a 2 MiB extent when it fits, else a page. */
static long populate_one(struct domain *d, gpa_t gpa, uint64_t left,
			 uint64_t *done)
{
	uint64_t n = PAGE_SIZE;
	paddr_t pa = 0;
	bool clean = false;

	if (IS_ALIGNED(gpa, MEGAPAGE_SIZE) && left >= MEGAPAGE_SIZE) {
		pa = page_pool_alloc_clean(&dom_pool, MEGAPAGE_SIZE / PAGE_SIZE,
					   MEGAPAGE_SIZE / PAGE_SIZE, &clean);
		n = pa ? MEGAPAGE_SIZE : PAGE_SIZE;
	}
	if (!pa)
		pa = page_pool_alloc_clean(&dom_pool, 1, 1, &clean);
	if (!pa)
		return HC_ERR_FAILED;
	/* Scrubbed when its last owner freed it: already zero. */
	if (!clean)
		memset((void *)pa, 0, n);
	if (p2m_map(&d->p2m, gpa, pa, n, P2M_PROT_RWX)) {
		page_pool_free_zeroed(&dom_pool, pa, n / PAGE_SIZE);
		return HC_ERR_FAILED;
	}
	d->mem_pages += n / PAGE_SIZE;
	*done = n;
	return HC_SUCCESS;
}

long memory_populate(struct domain *d, gpa_t gpa, uint64_t size)
{
	if (!in_ram(d, gpa, size))
		return HC_ERR_INVALID_PARAM;
	/* Check first: a range partly populated already is refused whole. */
	for (uint64_t off = 0; off < size; off += PAGE_SIZE)
		if (p2m_lookup(&d->p2m, gpa + off, NULL, NULL))
			return HC_ERR_ALREADY_AVAILABLE;
	if (size / PAGE_SIZE > dom_pool.nfree)
		return HC_ERR_FAILED;
	for (uint64_t off = 0; off < size;) {
		uint64_t done;
		if (populate_one(d, gpa + off, size - off, &done)) {
			/* Out of memory midway: undo, so nothing changed. The
			 * DomU may run meanwhile: fence before freeing. */
			release_range(d, gpa, gpa + off, true);
			return HC_ERR_FAILED;
		}
		off += done;
	}
	return HC_SUCCESS;
}

void memory_release(struct domain *d)
{
	release_range(d, d->ram_base, d->ram_base + d->ram_size, false);
}

/*
 * Destroy's second phase: free from *at on until about max_pages pages
 * went (a 2 MiB extent is not split), advancing *at; true while RAM
 * remains. The domain never runs again, so its own G-stage needs no fence
 * until its VMID is reused (domain_destroy flushes then).
 */
bool memory_relinquish(struct domain *d, gpa_t *at, uint64_t max_pages)
{
	gpa_t end = d->ram_base + d->ram_size, start = *at;
	uint64_t before = d->mem_pages;

	/* Bounded by pages freed and, for sparse RAM, by addresses walked. */
	while (*at < end && before - d->mem_pages < max_pages &&
	       *at - start < 4 * max_pages * PAGE_SIZE) {
		gpa_t next = MIN(end, *at + MEGAPAGE_SIZE);
		release_range(d, *at, next, false);
		*at = next;
	}
	return *at < end;
}

/*
 * RAM unmapped from a G-stage but not yet freed: the leaves' pages and the
 * emptied tables. For a live address space (another hart may run the
 * domain) they are freed only after a fence, a batch at a time, or a stale
 * translation could reach a page already given to someone else.
 */
#define RELEASE_BATCH 32

struct release_batch {
	unsigned n;
	pte_t *dead_tables;
	struct {
		paddr_t pa;
		uint64_t size;
	} leaf[RELEASE_BATCH];
};

static void release_batch_free(struct domain *d, struct release_batch *b,
			       bool live)
{
	if (!b->n && !b->dead_tables)
		return;
	if (live)
		p2m_flush_all_harts();
	for (unsigned i = 0; i < b->n; i++) {
		/* Scrub before anyone else gets it. */
		memset((void *)b->leaf[i].pa, 0, b->leaf[i].size);
		page_pool_free_zeroed(&dom_pool, b->leaf[i].pa,
				      b->leaf[i].size / PAGE_SIZE);
		d->mem_pages -= b->leaf[i].size / PAGE_SIZE;
	}
	p2m_free_dead(&b->dead_tables);
	b->n = 0;
}

static void release_range(struct domain *d, gpa_t start, gpa_t end, bool live)
{
	struct release_batch b = {0};

	for (gpa_t gpa = start; gpa < end;) {
		paddr_t pa;
		uint64_t leaf;
		if (!p2m_lookup_leaf(&d->p2m, gpa, &pa, &leaf)) {
			gpa += PAGE_SIZE;
			continue;
		}
		p2m_unmap_defer(&d->p2m, gpa, leaf, &b.dead_tables);
		b.leaf[b.n].pa = pa;
		b.leaf[b.n++].size = leaf;
		if (b.n == RELEASE_BATCH)
			release_batch_free(d, &b, live);
		gpa += leaf;
	}
	release_batch_free(d, &b, live);
}

static bool window_ok(uint64_t off, uint64_t size)
{
	return size && IS_ALIGNED(off | size, PAGE_SIZE) &&
	       size <= FOREIGN_WINDOW_SIZE && off <= FOREIGN_WINDOW_SIZE - size;
}

static long map_chunks(struct domain *d, gpa_t gpa, uint64_t size,
		       gpa_t dst)
{
	for (uint64_t done = 0; done < size;) {
		paddr_t base;
		uint64_t leaf, n = PAGE_SIZE;
		p2m_lookup_leaf(&d->p2m, gpa + done, &base, &leaf);
		paddr_t pa = base + ((gpa + done) & (leaf - 1));
		if (leaf >= MEGAPAGE_SIZE && IS_ALIGNED(pa | (dst + done), MEGAPAGE_SIZE) &&
		    size - done >= MEGAPAGE_SIZE)
			n = MEGAPAGE_SIZE;
		if (p2m_map(&dom0->p2m, dst + done, pa, n,
			       P2M_PROT_R | P2M_PROT_W)) {
			/* Dom0 runs on other harts and may have used the
			 * window already: fence before its tables are freed. */
			pte_t *dead = NULL;
			p2m_unmap_defer(&dom0->p2m, dst, done, &dead);
			p2m_flush_all_harts();
			p2m_free_dead(&dead);
			return HC_ERR_FAILED;
		}
		done += n;
	}
	return HC_SUCCESS;
}

long foreign_map(struct domain *d, gpa_t gpa, uint64_t size, uint64_t off)
{
	struct foreign_map *slot = NULL;
	gpa_t dst = FOREIGN_WINDOW_BASE + off;
	long err;

	if (d->is_dom0 || !in_ram(d, gpa, size) || !window_ok(off, size))
		return HC_ERR_INVALID_PARAM;
	for (uint64_t o = 0; o < size; o += PAGE_SIZE) {
		if (!p2m_lookup(&d->p2m, gpa + o, NULL, NULL))
			return HC_ERR_INVALID_ADDRESS; /* not populated */
		if (p2m_lookup(&dom0->p2m, dst + o, NULL, NULL))
			return HC_ERR_ALREADY_AVAILABLE; /* window in use */
	}
	spin_lock(&fmap_lock);
	for (unsigned i = 0; i < MAX_FOREIGN_MAPS && !slot; i++)
		if (!fmaps[i].domid)
			slot = &fmaps[i];
	err = slot ? map_chunks(d, gpa, size, dst) : HC_ERR_FAILED;
	if (!err)
		*slot = (struct foreign_map){d->id, off, size};
	spin_unlock(&fmap_lock);
	return err;
}

/* Dom0's tables the unmap empties go on *dead: freed after the fence. */
static void unmap_slot(struct foreign_map *m, pte_t **dead)
{
	p2m_unmap_defer(&dom0->p2m, FOREIGN_WINDOW_BASE + m->off, m->size,
			   dead);
	m->domid = 0;
}

long foreign_unmap(uint64_t off, uint64_t size)
{
	long err = HC_ERR_INVALID_PARAM;
	pte_t *dead = NULL;

	spin_lock(&fmap_lock);
	for (unsigned i = 0; i < MAX_FOREIGN_MAPS; i++) {
		if (fmaps[i].domid && fmaps[i].off == off && fmaps[i].size == size) {
			unmap_slot(&fmaps[i], &dead);
			err = HC_SUCCESS;
			break;
		}
	}
	spin_unlock(&fmap_lock);
	if (!err)
		p2m_flush_all_harts();
	p2m_free_dead(&dead);
	return err;
}

void foreign_revoke(struct domain *d)
{
	pte_t *dead = NULL;

	spin_lock(&fmap_lock);
	for (unsigned i = 0; i < MAX_FOREIGN_MAPS; i++)
		if (fmaps[i].domid == d->id)
			unmap_slot(&fmaps[i], &dead);
	spin_unlock(&fmap_lock);
	p2m_flush_all_harts();
	p2m_free_dead(&dead);
}

/* ------------------------------------------------------- direct mappings */

bool memory_populated(struct domain *d, gpa_t gpa, uint64_t size)
{
	if (!in_ram(d, gpa, size))
		return false;
	for (uint64_t o = 0; o < size; o += PAGE_SIZE)
		if (!p2m_lookup(&d->p2m, gpa + o, NULL, NULL))
			return false;
	return true;
}

uint64_t direct_extents(struct domain *d, gpa_t gpa, uint64_t size,
			unsigned max,
			void (*emit)(void *ctx, const struct vireo_extent *e),
			void *ctx)
{
	struct vireo_extent e = {0, 0, 0};
	unsigned n = 0;
	uint64_t done = 0;

	while (done < size) {
		paddr_t base;
		uint64_t leaf;
		p2m_lookup_leaf(&d->p2m, gpa + done, &base, &leaf);
		paddr_t pa = base + ((gpa + done) & (leaf - 1));
		uint64_t len = MIN(leaf - ((gpa + done) & (leaf - 1)), size - done);

		if (e.size && e.hpa + e.size == pa) {
			e.size += len; /* host-contiguous: same extent */
		} else {
			if (e.size && emit)
				emit(ctx, &e);
			if (e.size && ++n == max)
				return done;
			e = (struct vireo_extent){gpa + done, pa, len};
		}
		done += len;
	}
	if (e.size && emit)
		emit(ctx, &e);
	return done;
}

/* Map one frame 1:1 into Dom0 unless it is already. */
static int direct_map_page(paddr_t pa)
{
	if (p2m_lookup(&dom0->p2m, pa, NULL, NULL))
		return 0;
	return p2m_map(&dom0->p2m, pa, pa, PAGE_SIZE,
			  P2M_PROT_R | P2M_PROT_W);
}

/*
 * Dom0's entry for a frame is the frame itself, so mapping it again is a
 * no-op: a range mapped twice (two device models, a restarted one) holds
 * no second state to undo. A whole 2 MiB extent goes in as one leaf; a
 * part of one, or one already partly mapped, page by page.
 */
long direct_map(struct domain *d, gpa_t gpa, uint64_t size)
{
	bool was = d->direct_mapped;

	d->direct_mapped = true; /* from here, a failure must undo */
	for (uint64_t done = 0; done < size;) {
		paddr_t base;
		uint64_t leaf;
		p2m_lookup_leaf(&d->p2m, gpa + done, &base, &leaf);
		uint64_t in = (gpa + done) & (leaf - 1);
		uint64_t n = in == 0 && size - done >= leaf ? leaf : PAGE_SIZE;
		paddr_t pa = base + in;
		int rc = 0;

		if (n == PAGE_SIZE ||
		    p2m_map(&dom0->p2m, pa, pa, n, P2M_PROT_R | P2M_PROT_W))
			for (uint64_t o = 0; o < n && !rc; o += PAGE_SIZE)
				rc = direct_map_page(pa + o);
		if (rc) {
			if (!was)
				direct_revoke(d);
			return HC_ERR_FAILED;
		}
		done += n;
	}
	return HC_SUCCESS;
}

void direct_revoke(struct domain *d)
{
	pte_t *dead = NULL;

	if (!d->direct_mapped)
		return;
	for (gpa_t gpa = d->ram_base; gpa < d->ram_base + d->ram_size;) {
		paddr_t pa;
		uint64_t leaf;
		if (!p2m_lookup_leaf(&d->p2m, gpa, &pa, &leaf)) {
			gpa += PAGE_SIZE;
			continue;
		}
		p2m_unmap_defer(&dom0->p2m, pa, leaf, &dead);
		gpa += leaf;
	}
	d->direct_mapped = false;
	p2m_flush_all_harts();
	p2m_free_dead(&dead);
}
