/*
 * Physical page allocation with exact accounting. A pool is a contiguous
 * range of host RAM tracked by a bitmap, one bit per 4 KiB page. Two pools
 * exist: the hypervisor heap (page tables, domain structures) and the free
 * pool that DomU memory comes from.
 */
#ifndef VIREO_PAGE_ALLOC_H
#define VIREO_PAGE_ALLOC_H

#include "spinlock.h"

struct page_pool {
	spinlock_t lock;
	paddr_t base;
	uint64_t npages;
	uint64_t nfree;
	uint64_t *bitmap; /* bit set = page in use */
	uint64_t hint;    /* first word that may hold a free page */
	uint64_t *clean;  /* NULL, or bit set = free page known to be zero */
};

/* bitmap must hold npages bits (npages/64 words, rounded up). */
void page_pool_init(struct page_pool *p, paddr_t base, uint64_t npages,
		    uint64_t *bitmap);
/* Allocate n contiguous pages aligned to align pages (a power of two). */
paddr_t page_pool_alloc(struct page_pool *p, uint64_t n, uint64_t align);
void page_pool_free(struct page_pool *p, paddr_t pa, uint64_t n);
/*
 * Zero tracking, for the DomU pool: a freed range the caller has scrubbed
 * is remembered as zero, so that handing it out again needs no second
 * pass. bitmap as the pool's; every page starts unknown (not zero).
 */
void page_pool_track_clean(struct page_pool *p, uint64_t *bitmap);
/* page_pool_alloc(); *clean: every page of the range is known zero. */
paddr_t page_pool_alloc_clean(struct page_pool *p, uint64_t n, uint64_t align,
			      bool *clean);
/* page_pool_free() of a range the caller has just zeroed. */
void page_pool_free_zeroed(struct page_pool *p, paddr_t pa, uint64_t n);
/* Mark [pa, pa+n pages) in use (boot-time reservations). */
void page_pool_reserve(struct page_pool *p, paddr_t pa, uint64_t n);

extern struct page_pool hyp_pool;

/* Zeroed pages from the hypervisor heap; NULL when it is exhausted. */
void *page_alloc(unsigned order);
/* Give pages back, filled with PAGE_POISON first (see page_alloc.c). */
void page_free(void *p, unsigned order);
#define PAGE_POISON 0xdead5a5adead5a5aULL

#endif
