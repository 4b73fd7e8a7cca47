/*
 * Bitmap page pools. Allocation is first-fit from a hint, with alignment, so
 * 2 MiB extents come out 2 MiB aligned when the pool has them. The free count
 * is exact: every page is either in the bitmap as used or counted in nfree.
 */
#include <string.h>

#include "page_alloc.h"
#include "printk.h"

struct page_pool hyp_pool;

static inline bool test_bit(const uint64_t *bm, uint64_t i)
{
	return (bm[i / 64] >> (i % 64)) & 1;
}

static void set_range(struct page_pool *p, uint64_t first, uint64_t n,
		      bool used)
{
	for (uint64_t i = first; i < first + n; i++) {
		if (used)
			p->bitmap[i / 64] |= 1UL << (i % 64);
		else
			p->bitmap[i / 64] &= ~(1UL << (i % 64));
	}
}

void page_pool_init(struct page_pool *p, paddr_t base, uint64_t npages,
		    uint64_t *bitmap)
{
	p->lock = (spinlock_t)SPINLOCK_INIT;
	p->base = base;
	p->npages = npages;
	p->nfree = npages;
	p->bitmap = bitmap;
	p->hint = 0;
	p->clean = NULL;
	memset(bitmap, 0, ((npages + 63) / 64) * sizeof(uint64_t));
}

void page_pool_track_clean(struct page_pool *p, uint64_t *bitmap)
{
	memset(bitmap, 0, ((p->npages + 63) / 64) * sizeof(uint64_t));
	p->clean = bitmap;
}

/* Under the lock: whether [first, first+n) is all zero; forget it. */
static bool take_clean(struct page_pool *p, uint64_t first, uint64_t n)
{
	bool all = p->clean != NULL;

	if (!p->clean)
		return false;
	for (uint64_t i = first; i < first + n; i++) {
		all &= test_bit(p->clean, i);
		p->clean[i / 64] &= ~(1UL << (i % 64));
	}
	return all;
}

/* Length of the free run starting at page i, capped at want. */
static uint64_t free_run(const struct page_pool *p, uint64_t i, uint64_t want)
{
	uint64_t n = 0;

	while (n < want && i + n < p->npages && !test_bit(p->bitmap, i + n))
		n++;
	return n;
}

paddr_t page_pool_alloc(struct page_pool *p, uint64_t n, uint64_t align)
{
	bool clean;

	return page_pool_alloc_clean(p, n, align, &clean);
}

paddr_t page_pool_alloc_clean(struct page_pool *p, uint64_t n, uint64_t align,
			      bool *clean)
{
	paddr_t pa = 0;

	*clean = false;
	if (!n || !align || (align & (align - 1)))
		return 0;
	spin_lock(&p->lock);
	if (n > p->nfree)
		goto out;
	/* Alignment is of the physical address, not the index. */
	uint64_t base_pfn = p->base >> PAGE_SHIFT;
	uint64_t i = ALIGN_UP(base_pfn + p->hint * 64, align) - base_pfn;
	while (i + n <= p->npages) {
		if (p->bitmap[i / 64] == ~0UL) {
			i = ALIGN_UP(base_pfn + (i / 64 + 1) * 64, align) - base_pfn;
			continue;
		}
		uint64_t run = free_run(p, i, n);
		if (run == n) {
			set_range(p, i, n, true);
			*clean = take_clean(p, i, n);
			p->nfree -= n;
			pa = p->base + (i << PAGE_SHIFT);
			goto out;
		}
		i = ALIGN_UP(base_pfn + i + run + 1, align) - base_pfn;
	}
out:
	spin_unlock(&p->lock);
	return pa;
}

static void pool_free(struct page_pool *p, paddr_t pa, uint64_t n,
		      bool zeroed);

void page_pool_free(struct page_pool *p, paddr_t pa, uint64_t n)
{
	pool_free(p, pa, n, false);
}

void page_pool_free_zeroed(struct page_pool *p, paddr_t pa, uint64_t n)
{
	pool_free(p, pa, n, true);
}

static void pool_free(struct page_pool *p, paddr_t pa, uint64_t n,
		      bool zeroed)
{
	uint64_t first = (pa - p->base) >> PAGE_SHIFT;

	BUG_ON(pa < p->base || !IS_ALIGNED(pa, PAGE_SIZE) ||
	       first + n > p->npages);
	spin_lock(&p->lock);
	for (uint64_t i = first; i < first + n; i++)
		BUG_ON(!test_bit(p->bitmap, i)); /* double free */
	set_range(p, first, n, false);
	if (p->clean && zeroed)
		for (uint64_t i = first; i < first + n; i++)
			p->clean[i / 64] |= 1UL << (i % 64);
	p->nfree += n;
	if (first / 64 < p->hint)
		p->hint = first / 64;
	spin_unlock(&p->lock);
}

void page_pool_reserve(struct page_pool *p, paddr_t pa, uint64_t n)
{
	uint64_t first = (pa - p->base) >> PAGE_SHIFT;

	BUG_ON(pa < p->base || first + n > p->npages);
	spin_lock(&p->lock);
	for (uint64_t i = first; i < first + n; i++) {
		if (!test_bit(p->bitmap, i)) {
			p->bitmap[i / 64] |= 1UL << (i % 64);
			p->nfree--;
		}
	}
	spin_unlock(&p->lock);
}

void *page_alloc(unsigned order)
{
	uint64_t n = 1UL << order;
	paddr_t pa = page_pool_alloc(&hyp_pool, n, n);

	if (!pa)
		return NULL;
	memset((void *)pa, 0, n << PAGE_SHIFT);
	return (void *)pa;
}

/*
 * Freed hypervisor pages are poisoned: a use after free then reads
 * pointers that are no address (HS runs without translation, and
 * PAGE_POISON is far beyond any physical address), so it faults at once
 * in the hypervisor instead of corrupting whoever gets the page next.
 * page_alloc() zeroes again; the cost is one pass over a rarely freed page.
 */
void page_free(void *p, unsigned order)
{
	uint64_t *w = p;

	for (size_t i = 0; i < (PAGE_SIZE << order) / sizeof(*w); i++)
		w[i] = PAGE_POISON;
	page_pool_free(&hyp_pool, (paddr_t)p, 1UL << order);
}
