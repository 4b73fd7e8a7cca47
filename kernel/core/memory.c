/* DomU memory and foreign mappings (see memory.h). */
#include <string.h>

#include "arch.h"
#include "domain.h"
#include "memory.h"
#include "pcpu.h"
#include "printk.h"
#include "sbi.h"

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

static void release_range(struct domain *d, gpa_t start, gpa_t end);

/* Map one chunk of fresh memory: a 2 MiB extent when it fits, else a page. */
static long populate_one(struct domain *d, gpa_t gpa, uint64_t left,
			 uint64_t *done)
{
	uint64_t n = PAGE_SIZE;
	paddr_t pa = 0;

	if (IS_ALIGNED(gpa, MEGAPAGE_SIZE) && left >= MEGAPAGE_SIZE) {
		pa = page_pool_alloc(&dom_pool, MEGAPAGE_SIZE / PAGE_SIZE,
				     MEGAPAGE_SIZE / PAGE_SIZE);
		n = pa ? MEGAPAGE_SIZE : PAGE_SIZE;
	}
	if (!pa)
		pa = page_pool_alloc(&dom_pool, 1, 1);
	if (!pa)
		return SBI_ERR_FAILED;
	memset((void *)pa, 0, n);
	if (gstage_map(&d->gs, gpa, pa, n, GSTAGE_PROT_RWX)) {
		page_pool_free(&dom_pool, pa, n / PAGE_SIZE);
		return SBI_ERR_FAILED;
	}
	d->mem_pages += n / PAGE_SIZE;
	*done = n;
	return SBI_SUCCESS;
}

long memory_populate(struct domain *d, gpa_t gpa, uint64_t size)
{
	if (!in_ram(d, gpa, size))
		return SBI_ERR_INVALID_PARAM;
	/* Check first: a range partly populated already is refused whole. */
	for (uint64_t off = 0; off < size; off += PAGE_SIZE)
		if (gstage_lookup(&d->gs, gpa + off, NULL, NULL))
			return SBI_ERR_ALREADY_AVAILABLE;
	if (size / PAGE_SIZE > dom_pool.nfree)
		return SBI_ERR_FAILED;
	for (uint64_t off = 0; off < size;) {
		uint64_t done;
		if (populate_one(d, gpa + off, size - off, &done)) {
			/* Out of memory midway: undo, so nothing changed. */
			release_range(d, gpa, gpa + off);
			return SBI_ERR_FAILED;
		}
		off += done;
	}
	return SBI_SUCCESS;
}

void memory_release(struct domain *d)
{
	release_range(d, d->ram_base, d->ram_base + d->ram_size);
}

static void release_range(struct domain *d, gpa_t start, gpa_t end)
{
	for (gpa_t gpa = start; gpa < end;) {
		paddr_t pa;
		uint64_t leaf;
		if (!gstage_lookup_leaf(&d->gs, gpa, &pa, &leaf)) {
			gpa += PAGE_SIZE;
			continue;
		}
		gstage_unmap(&d->gs, gpa, leaf);
		memset((void *)pa, 0, leaf); /* scrub before anyone else gets it */
		page_pool_free(&dom_pool, pa, leaf / PAGE_SIZE);
		d->mem_pages -= leaf / PAGE_SIZE;
		gpa += leaf;
	}
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
		gstage_lookup_leaf(&d->gs, gpa + done, &base, &leaf);
		paddr_t pa = base + ((gpa + done) & (leaf - 1));
		if (leaf >= MEGAPAGE_SIZE && IS_ALIGNED(pa | (dst + done), MEGAPAGE_SIZE) &&
		    size - done >= MEGAPAGE_SIZE)
			n = MEGAPAGE_SIZE;
		if (gstage_map(&dom0->gs, dst + done, pa, n,
			       GSTAGE_PROT_R | GSTAGE_PROT_W)) {
			gstage_unmap(&dom0->gs, dst, done);
			return SBI_ERR_FAILED;
		}
		done += n;
	}
	return SBI_SUCCESS;
}

long foreign_map(struct domain *d, gpa_t gpa, uint64_t size, uint64_t off)
{
	struct foreign_map *slot = NULL;
	gpa_t dst = FOREIGN_WINDOW_BASE + off;
	long err;

	if (d->is_dom0 || !in_ram(d, gpa, size) || !window_ok(off, size))
		return SBI_ERR_INVALID_PARAM;
	for (uint64_t o = 0; o < size; o += PAGE_SIZE) {
		if (!gstage_lookup(&d->gs, gpa + o, NULL, NULL))
			return SBI_ERR_INVALID_ADDRESS; /* not populated */
		if (gstage_lookup(&dom0->gs, dst + o, NULL, NULL))
			return SBI_ERR_ALREADY_AVAILABLE; /* window in use */
	}
	spin_lock(&fmap_lock);
	for (unsigned i = 0; i < MAX_FOREIGN_MAPS && !slot; i++)
		if (!fmaps[i].domid)
			slot = &fmaps[i];
	err = slot ? map_chunks(d, gpa, size, dst) : SBI_ERR_FAILED;
	if (!err)
		*slot = (struct foreign_map){d->id, off, size};
	spin_unlock(&fmap_lock);
	return err;
}

static void unmap_slot(struct foreign_map *m)
{
	gstage_unmap(&dom0->gs, FOREIGN_WINDOW_BASE + m->off, m->size);
	m->domid = 0;
}

long foreign_unmap(uint64_t off, uint64_t size)
{
	long err = SBI_ERR_INVALID_PARAM;

	spin_lock(&fmap_lock);
	for (unsigned i = 0; i < MAX_FOREIGN_MAPS; i++) {
		if (fmaps[i].domid && fmaps[i].off == off && fmaps[i].size == size) {
			unmap_slot(&fmaps[i]);
			err = SBI_SUCCESS;
			break;
		}
	}
	spin_unlock(&fmap_lock);
	if (!err)
		gstage_flush_all_harts();
	return err;
}

void foreign_revoke(struct domain *d)
{
	spin_lock(&fmap_lock);
	for (unsigned i = 0; i < MAX_FOREIGN_MAPS; i++)
		if (fmaps[i].domid == d->id)
			unmap_slot(&fmaps[i]);
	spin_unlock(&fmap_lock);
	gstage_flush_all_harts();
}

void gstage_flush_all_harts(void)
{
	struct pcpu *self = this_pcpu();

	for (unsigned i = 0; i < nr_pcpus; i++)
		if (&pcpus[i] != self && pcpus[i].online)
			pcpu_ipi_wait(&pcpus[i], IPI_GVMA_FLUSH);
	hfence_gvma_all();
}
