/* Host unit test of the bitmap page pools (kernel/core/page_alloc.c). */
#include "test.h"

#include "../../kernel/core/page_alloc.c"

#define ARENA_SIZE MiB(16)
#define ARENA_PAGES (ARENA_SIZE >> PAGE_SHIFT) /* 4096 */
#define PAGES_2M (MEGAPAGE_SIZE >> PAGE_SHIFT)  /* 512 */

static uint8_t *arena; /* 2 MiB aligned, ARENA_SIZE + 2 MiB long */
static uint64_t bitmap[(ARENA_PAGES + PAGES_2M + 63) / 64];
static struct page_pool P;

static paddr_t A(uint64_t page)
{
	return (paddr_t)arena + (page << PAGE_SHIFT);
}

/* Pool of npages starting first_page pages into the arena. */
static void setup(uint64_t first_page, uint64_t npages)
{
	memset(&P, 0xa5, sizeof(P)); /* init must not rely on zeroed memory */
	memset(bitmap, 0xa5, sizeof(bitmap));
	page_pool_init(&P, A(first_page), npages, bitmap);
}

static uint64_t popcount_bitmap(const struct page_pool *p)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < p->npages; i++)
		n += test_bit(p->bitmap, i);
	return n;
}

static void test_init(void)
{
	setup(0, ARENA_PAGES);
	CHECK_EQ(P.base, A(0));
	CHECK_EQ(P.npages, ARENA_PAGES);
	CHECK_EQ(P.nfree, ARENA_PAGES);
	CHECK_EQ(popcount_bitmap(&P), 0);
	/* A partial last bitmap word. */
	setup(0, 1000);
	CHECK_EQ(P.nfree, 1000);
	CHECK_EQ(popcount_bitmap(&P), 0);
}

static void test_nfree_mixed(void)
{
	static const uint64_t sizes[] = {1, 3, 64, 7, 512, 2, 100, 65, 1, 513};
	paddr_t pa[ARRAY_SIZE(sizes)];
	uint64_t used = 0;

	setup(0, ARENA_PAGES);
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		pa[i] = page_pool_alloc(&P, sizes[i], 1);
		CHECK(pa[i] != 0);
		used += sizes[i];
		CHECK_EQ(P.nfree, ARENA_PAGES - used);
	}
	CHECK_EQ(popcount_bitmap(&P), used);
	/* Free every other one, then the rest. */
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i += 2) {
		page_pool_free(&P, pa[i], sizes[i]);
		used -= sizes[i];
		CHECK_EQ(P.nfree, ARENA_PAGES - used);
	}
	for (unsigned i = 1; i < ARRAY_SIZE(sizes); i += 2) {
		page_pool_free(&P, pa[i], sizes[i]);
		used -= sizes[i];
		CHECK_EQ(P.nfree, ARENA_PAGES - used);
	}
	CHECK_EQ(P.nfree, ARENA_PAGES);
	CHECK_EQ(popcount_bitmap(&P), 0);
}

static void test_alignment(void)
{
	/* Base one page past a 2 MiB boundary: index alignment != pa alignment. */
	setup(1, ARENA_PAGES);
	paddr_t one = page_pool_alloc(&P, 1, 1);
	CHECK_EQ(one, A(1));
	for (unsigned k = 0; k < 3; k++) {
		paddr_t pa = page_pool_alloc(&P, PAGES_2M, PAGES_2M);
		CHECK(pa != 0);
		CHECK(IS_ALIGNED(pa, MEGAPAGE_SIZE));
		CHECK(pa >= P.base);
		CHECK(pa + MEGAPAGE_SIZE <= P.base + (P.npages << PAGE_SHIFT));
	}
	/* First fit: the first 2 MiB boundary in the pool is A(512). */
	setup(1, ARENA_PAGES);
	CHECK_EQ(page_pool_alloc(&P, PAGES_2M, PAGES_2M), A(PAGES_2M));
	CHECK_EQ(P.nfree, ARENA_PAGES - PAGES_2M);
	/* Pages before the aligned block are still there. */
	CHECK_EQ(page_pool_alloc(&P, PAGES_2M - 1, 1), A(1));
	/* Other alignments, including ones smaller than n. */
	setup(3, ARENA_PAGES);
	for (uint64_t align = 1; align <= 1024; align <<= 1) {
		paddr_t pa = page_pool_alloc(&P, 5, align);
		CHECK(pa != 0);
		CHECK(IS_ALIGNED(pa, align << PAGE_SHIFT));
	}
	/* An aligned block that only fits at the very end of the pool. */
	setup(0, 2 * PAGES_2M);
	CHECK_EQ(page_pool_alloc(&P, 1, 1), A(0));
	CHECK_EQ(page_pool_alloc(&P, PAGES_2M, PAGES_2M), A(PAGES_2M));
	CHECK_EQ(page_pool_alloc(&P, PAGES_2M, PAGES_2M), 0);
	CHECK_EQ(P.nfree, PAGES_2M - 1);
}

static void test_exhaustion(void)
{
	setup(0, 1000);
	paddr_t a = page_pool_alloc(&P, 600, 1);
	paddr_t b = page_pool_alloc(&P, 390, 1);
	CHECK_EQ(a, A(0));
	CHECK_EQ(b, A(600));
	CHECK_EQ(P.nfree, 10);

	uint64_t snap[ARRAY_SIZE(bitmap)];
	memcpy(snap, bitmap, sizeof(snap));
	CHECK_EQ(page_pool_alloc(&P, 11, 1), 0);      /* more than nfree */
	CHECK_EQ(page_pool_alloc(&P, 1000, 1), 0);
	CHECK_EQ(page_pool_alloc(&P, 10, 16), 0);     /* fits only unaligned */
	CHECK_EQ(page_pool_alloc(&P, 1, 2048), 0);    /* no such alignment */
	CHECK_EQ(P.nfree, 10);
	CHECK(memcmp(snap, bitmap, sizeof(snap)) == 0);

	/* The tail of a partial bitmap word is usable, and no further. */
	CHECK_EQ(page_pool_alloc(&P, 10, 1), A(990));
	CHECK_EQ(P.nfree, 0);
	CHECK_EQ(page_pool_alloc(&P, 1, 1), 0);
	CHECK_EQ(P.nfree, 0);
	page_pool_free(&P, a, 600);
	page_pool_free(&P, b, 390);
	page_pool_free(&P, A(990), 10);
	CHECK_EQ(P.nfree, 1000);
	CHECK_EQ(page_pool_alloc(&P, 1000, 1), A(0));
	CHECK_EQ(P.nfree, 0);
}

static void test_fragmentation(void)
{
	setup(0, ARENA_PAGES);
	paddr_t a = page_pool_alloc(&P, 100, 1);
	paddr_t b = page_pool_alloc(&P, 50, 1);
	paddr_t c = page_pool_alloc(&P, 100, 1);
	CHECK_EQ(a, A(0));
	CHECK_EQ(b, A(100));
	CHECK_EQ(c, A(150));
	/* Fill the rest of the pool, so the hole is the only space left. */
	paddr_t rest = page_pool_alloc(&P, ARENA_PAGES - 250, 1);
	CHECK_EQ(rest, A(250));
	CHECK_EQ(P.nfree, 0);

	page_pool_free(&P, b, 50);
	CHECK_EQ(P.nfree, 50);
	CHECK_EQ(page_pool_alloc(&P, 51, 1), 0);
	CHECK_EQ(page_pool_alloc(&P, 50, 1), b);
	CHECK_EQ(P.nfree, 0);

	/* A hole split in two pieces. */
	page_pool_free(&P, b, 50);
	CHECK_EQ(page_pool_alloc(&P, 20, 1), b);
	CHECK_EQ(page_pool_alloc(&P, 30, 1), b + 20 * PAGE_SIZE);
	CHECK_EQ(page_pool_alloc(&P, 1, 1), 0);

	/* Two non-adjacent holes of 30 do not make a 40. */
	page_pool_free(&P, b + 20 * PAGE_SIZE, 30);
	page_pool_free(&P, c + 10 * PAGE_SIZE, 30);
	CHECK_EQ(P.nfree, 60);
	CHECK_EQ(page_pool_alloc(&P, 40, 1), 0);
	CHECK_EQ(page_pool_alloc(&P, 30, 1), b + 20 * PAGE_SIZE);
	CHECK_EQ(page_pool_alloc(&P, 30, 1), c + 10 * PAGE_SIZE);
	CHECK_EQ(P.nfree, 0);

	/* Holes at odd offsets right after a used page are found. */
	page_pool_free(&P, A(1), 1);
	page_pool_free(&P, A(3), 3);
	page_pool_free(&P, A(77), 2);
	CHECK_EQ(page_pool_alloc(&P, 2, 1), A(3));
	CHECK_EQ(page_pool_alloc(&P, 2, 1), A(77));
	CHECK_EQ(page_pool_alloc(&P, 1, 1), A(1));
	CHECK_EQ(page_pool_alloc(&P, 1, 1), A(5));
	CHECK_EQ(P.nfree, 0);
}

static void test_reserve(void)
{
	setup(0, ARENA_PAGES);
	page_pool_reserve(&P, A(10), 20);
	CHECK_EQ(P.nfree, ARENA_PAGES - 20);
	page_pool_reserve(&P, A(10), 20); /* again: no change */
	CHECK_EQ(P.nfree, ARENA_PAGES - 20);
	page_pool_reserve(&P, A(20), 20); /* overlaps by 10 */
	CHECK_EQ(P.nfree, ARENA_PAGES - 30);
	CHECK_EQ(popcount_bitmap(&P), 30);
	/* Allocations avoid reserved pages. */
	CHECK_EQ(page_pool_alloc(&P, 10, 1), A(0));
	CHECK_EQ(page_pool_alloc(&P, 1, 1), A(40));
	/* Reserving pages that were allocated does not count them again. */
	page_pool_reserve(&P, A(0), 5);
	CHECK_EQ(P.nfree, ARENA_PAGES - 41);
	/* Reserved pages can be handed back with free. */
	page_pool_free(&P, A(10), 30);
	CHECK_EQ(P.nfree, ARENA_PAGES - 11);
	page_pool_reserve(&P, A(ARENA_PAGES - 1), 1); /* last page */
	CHECK_EQ(P.nfree, ARENA_PAGES - 12);
	page_pool_reserve(&P, A(5), 0);
	CHECK_EQ(P.nfree, ARENA_PAGES - 12);
}

static void test_bad_args(void)
{
	setup(0, ARENA_PAGES);
	CHECK_EQ(page_pool_alloc(&P, 0, 1), 0);
	CHECK_EQ(page_pool_alloc(&P, 1, 0), 0);
	CHECK_EQ(page_pool_alloc(&P, 1, 3), 0);
	CHECK_EQ(page_pool_alloc(&P, 4, 6), 0);
	CHECK_EQ(page_pool_alloc(&P, 4, 513), 0);
	CHECK_EQ(page_pool_alloc(&P, 4, (1UL << 63) + 1), 0);
	CHECK_EQ(P.nfree, ARENA_PAGES);
	CHECK_EQ(popcount_bitmap(&P), 0);
}

static void test_page_alloc_orders(void)
{
	page_pool_init(&hyp_pool, A(0), ARENA_PAGES, bitmap);
	const uint64_t start = hyp_pool.nfree;

	memset(arena, 0xa5, ARENA_SIZE); /* page_alloc must zero */
	/* Misalign the pool cursor so alignment has to be searched for. */
	void *one = page_alloc(0);
	CHECK(one != NULL);
	for (unsigned order = 0; order <= 9; order++) {
		uint64_t n = 1UL << order;
		uint8_t *p = page_alloc(order);

		CHECK(p != NULL);
		if (!p)
			continue;
		CHECK(IS_ALIGNED((paddr_t)p, n << PAGE_SHIFT));
		CHECK_EQ(hyp_pool.nfree, start - 1 - n);
		bool zero = true;
		for (uint64_t i = 0; i < (n << PAGE_SHIFT); i++)
			zero &= p[i] == 0;
		CHECK(zero);
		memset(p, 0x5a, n << PAGE_SHIFT); /* dirty it for the next */
		page_free(p, order);
		CHECK_EQ(hyp_pool.nfree, start - 1);
		/* Freed pages are poisoned, every word (a use after free of a
		 * pointer then faults in the hypervisor). */
		bool poisoned = true;
		for (uint64_t i = 0; i < (n << PAGE_SHIFT) / 8; i++)
			poisoned &= ((uint64_t *)p)[i] == PAGE_POISON;
		CHECK(poisoned);
	}
	page_free(one, 0);
	CHECK_EQ(hyp_pool.nfree, start);

	/* Exhaust the heap with 2 MiB blocks: NULL, nothing changes. */
	void *blk[ARENA_PAGES / PAGES_2M];
	for (unsigned i = 0; i < ARRAY_SIZE(blk); i++) {
		blk[i] = page_alloc(9);
		CHECK(blk[i] != NULL);
	}
	CHECK_EQ(hyp_pool.nfree, 0);
	CHECK(page_alloc(0) == NULL);
	CHECK_EQ(hyp_pool.nfree, 0);
	for (unsigned i = 0; i < ARRAY_SIZE(blk); i++)
		if (blk[i])
			page_free(blk[i], 9);
	CHECK_EQ(hyp_pool.nfree, start);
}

/* xorshift64*, fixed seed: the sequence is the same on every run. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

#define RAND_PAGES 2000 /* not a multiple of 64 */
#define MAX_LIVE 256

struct live {
	paddr_t pa;
	uint64_t n;
};

/* The first aligned free run of n pages in the shadow map; 0 if none. */
static paddr_t shadow_first_fit(const bool *used, uint64_t n, uint64_t align)
{
	uint64_t base_pfn = P.base >> PAGE_SHIFT;

	for (uint64_t i = ALIGN_UP(base_pfn, align) - base_pfn;
	     i + n <= RAND_PAGES; i += align) {
		uint64_t k = 0;
		while (k < n && !used[i + k])
			k++;
		if (k == n)
			return P.base + (i << PAGE_SHIFT);
	}
	return 0;
}

static void test_random(void)
{
	static bool used[RAND_PAGES];
	static struct live live[MAX_LIVE];
	unsigned nlive = 0, allocs = 0, fails = 0, frees = 0;
	uint64_t live_pages = 0;
	bool ok = true;

	setup(5, RAND_PAGES); /* base not 2 MiB aligned */
	memset(used, 0, sizeof(used));
	for (int op = 0; op < 10000 && ok; op++) {
		uint64_t r = rnd();
		bool do_alloc = nlive == 0 ||
				(nlive < MAX_LIVE && (r & 0xff) < 140);

		if (do_alloc) {
			uint64_t n, align = 1UL << ((r >> 8) % 10);
			switch ((r >> 16) % 8) {
			case 0: n = 1 + (r >> 24) % 512; break;
			case 1: n = 1 + (r >> 24) % 128; break;
			default: n = 1 + (r >> 24) % 16; break;
			}
			paddr_t want = shadow_first_fit(used, n, align);
			paddr_t pa = page_pool_alloc(&P, n, align);
			if (pa != want) {
				/* First fit: the lowest aligned free run. */
				fprintf(stderr, "op %d: alloc(%" PRIu64 ", %" PRIu64
					") = %#" PRIx64 ", want %#" PRIx64 "\n",
					op, n, align, pa, want);
				ok = false;
			}
			if (!pa) {
				fails++;
			} else {
				allocs++;
				uint64_t first = (pa - P.base) >> PAGE_SHIFT;
				if (!IS_ALIGNED(pa, align << PAGE_SHIFT) ||
				    pa < P.base || !IS_ALIGNED(pa, PAGE_SIZE) ||
				    first + n > RAND_PAGES) {
					fprintf(stderr, "op %d: bad pa\n", op);
					ok = false;
					break;
				}
				for (uint64_t k = 0; k < n; k++) {
					if (used[first + k]) {
						fprintf(stderr, "op %d: overlap\n", op);
						ok = false;
					}
					used[first + k] = true;
				}
				live[nlive++] = (struct live){pa, n};
				live_pages += n;
			}
		} else {
			unsigned k = (r >> 8) % nlive;
			uint64_t first = (live[k].pa - P.base) >> PAGE_SHIFT;
			page_pool_free(&P, live[k].pa, live[k].n);
			for (uint64_t j = 0; j < live[k].n; j++)
				used[first + j] = false;
			live_pages -= live[k].n;
			live[k] = live[--nlive];
			frees++;
		}
		if (P.nfree != RAND_PAGES - live_pages) {
			fprintf(stderr, "op %d: nfree %" PRIu64 " != %" PRIu64 "\n",
				op, P.nfree, RAND_PAGES - live_pages);
			ok = false;
		}
		for (uint64_t i = 0; i < RAND_PAGES && ok; i++)
			if (test_bit(P.bitmap, i) != used[i]) {
				fprintf(stderr, "op %d: bitmap page %" PRIu64 "\n",
					op, i);
				ok = false;
			}
	}
	CHECK(ok);
	/* The run exercised every path. */
	CHECK(allocs > 1000);
	CHECK(frees > 1000);
	CHECK(fails > 10);
	while (nlive) {
		nlive--;
		page_pool_free(&P, live[nlive].pa, live[nlive].n);
		live_pages -= live[nlive].n;
	}
	CHECK_EQ(live_pages, 0);
	CHECK_EQ(P.nfree, RAND_PAGES);
	CHECK_EQ(popcount_bitmap(&P), 0);
}

/* Zero tracking: only a range freed as zeroed comes back as clean. */
static void test_clean_tracking(void)
{
	static uint64_t clean_bm[(ARENA_PAGES + 63) / 64];
	bool clean = true;
	paddr_t a, b;

	setup(0, ARENA_PAGES);
	page_pool_track_clean(&P, clean_bm);
	a = page_pool_alloc_clean(&P, 4, 1, &clean);
	CHECK(a && !clean); /* unknown at first */
	page_pool_free_zeroed(&P, a, 4);
	b = page_pool_alloc_clean(&P, 4, 1, &clean);
	CHECK_EQ(b, a);
	CHECK(clean);
	/* Taken, it is no longer known zero. */
	page_pool_free(&P, b, 4);
	b = page_pool_alloc_clean(&P, 4, 1, &clean);
	CHECK(!clean);
	/* A range half known zero is not zero. */
	page_pool_free_zeroed(&P, b, 2);
	page_pool_free(&P, b + 2 * PAGE_SIZE, 2);
	b = page_pool_alloc_clean(&P, 4, 1, &clean);
	CHECK_EQ(b, a);
	CHECK(!clean);
	page_pool_free(&P, b, 4);
	/* Without tracking, nothing is known zero. */
	P.clean = NULL;
	page_pool_free_zeroed(&P, page_pool_alloc(&P, 1, 1), 1);
	b = page_pool_alloc_clean(&P, 1, 1, &clean);
	CHECK(!clean);
	page_pool_free(&P, b, 1);
}

int main(void)
{
	arena = aligned_alloc(MEGAPAGE_SIZE, ARENA_SIZE + MEGAPAGE_SIZE);
	if (!arena)
		return 2;
	RUN(test_init);
	RUN(test_nfree_mixed);
	RUN(test_alignment);
	RUN(test_exhaustion);
	RUN(test_fragmentation);
	RUN(test_reserve);
	RUN(test_bad_args);
	RUN(test_page_alloc_orders);
	RUN(test_random);
	RUN(test_clean_tracking);
	free(arena);
	TEST_DONE();
}
