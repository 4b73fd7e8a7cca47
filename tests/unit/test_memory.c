/*
 * Host unit test of guest memory (kernel/core/memory.c): DomU RAM from the
 * free pool (dom_pool) and foreign mappings of it into Dom0's window
 * (memory_harness.h sets the pools up; test_memory_direct.c has the 1:1
 * mappings and the zero tracking).
 */
#include "memory_harness.h"

/* ----------------------------------------------------------------- cases */

static void test_populate_megapages(void)
{
	setup();
	CHECK_EQ(memory_populate(&A, RAM_BASE, MiB(4)), OK);
	CHECK_EQ(dom_pool.nfree, dom_start - MiB(4) / PAGE_SIZE);
	CHECK_EQ(A.mem_pages, MiB(4) / PAGE_SIZE);
	check_populated(&A, RAM_BASE, MiB(4));
	for (uint64_t o = 0; o < MiB(4); o += MEGAPAGE_SIZE) {
		CHECK_EQ(leaf(&A.p2m, RAM_BASE + o), MEGAPAGE_SIZE);
		CHECK(IS_ALIGNED(host(&A.p2m, RAM_BASE + o), MEGAPAGE_SIZE));
	}
	/* Only the level-1 table: 2 MiB extents need no level-0 tables. */
	CHECK_EQ(A.p2m.table_pages, ROOT_PAGES + 1);
	CHECK(unmapped(&A.p2m, RAM_BASE + MiB(4), RAM_SIZE - MiB(4)));
	CHECK(unmapped(&B.p2m, RAM_BASE, RAM_SIZE));
	teardown();
}

static void test_populate_small_pages(void)
{
	const gpa_t g = RAM_BASE + MiB(4) + PAGE_SIZE; /* not 2 MiB aligned */

	setup();
	CHECK_EQ(memory_populate(&A, g, 16 * PAGE_SIZE), OK);
	CHECK_EQ(dom_pool.nfree, dom_start - 16);
	CHECK_EQ(A.mem_pages, 16);
	check_populated(&A, g, 16 * PAGE_SIZE);
	for (uint64_t o = 0; o < 16 * PAGE_SIZE; o += PAGE_SIZE)
		CHECK_EQ(leaf(&A.p2m, g + o), PAGE_SIZE);
	CHECK(unmapped(&A.p2m, g - PAGE_SIZE, PAGE_SIZE));
	CHECK(unmapped(&A.p2m, g + 16 * PAGE_SIZE, PAGE_SIZE));
	teardown();
}

/* A misaligned range across 2 MiB boundaries: pages, an extent, pages. */
static void test_populate_mixed(void)
{
	const gpa_t g = RAM_BASE + MEGAPAGE_SIZE - 2 * PAGE_SIZE;
	const uint64_t size = 2 * PAGE_SIZE + MEGAPAGE_SIZE + 3 * PAGE_SIZE;

	setup();
	CHECK_EQ(memory_populate(&A, g, size), OK);
	CHECK_EQ(dom_pool.nfree, dom_start - size / PAGE_SIZE);
	CHECK_EQ(A.mem_pages, size / PAGE_SIZE);
	check_populated(&A, g, size);
	CHECK_EQ(leaf(&A.p2m, g), PAGE_SIZE);
	CHECK_EQ(leaf(&A.p2m, g + PAGE_SIZE), PAGE_SIZE);
	CHECK_EQ(leaf(&A.p2m, RAM_BASE + MEGAPAGE_SIZE), MEGAPAGE_SIZE);
	CHECK_EQ(leaf(&A.p2m, RAM_BASE + 2 * MEGAPAGE_SIZE), PAGE_SIZE);
	CHECK_EQ(leaf(&A.p2m, RAM_BASE + 2 * MEGAPAGE_SIZE + 2 * PAGE_SIZE),
		 PAGE_SIZE);
	CHECK(unmapped(&A.p2m, RAM_BASE, MEGAPAGE_SIZE - 2 * PAGE_SIZE));
	CHECK(unmapped(&A.p2m, g + size, PAGE_SIZE));
	/* 2 MiB aligned but 2 MiB + 4 KiB long: one extent and one page. */
	CHECK_EQ(memory_populate(&A, RAM_BASE + MiB(8), MEGAPAGE_SIZE + PAGE_SIZE),
		 OK);
	CHECK_EQ(leaf(&A.p2m, RAM_BASE + MiB(8)), MEGAPAGE_SIZE);
	CHECK_EQ(leaf(&A.p2m, RAM_BASE + MiB(10)), PAGE_SIZE);
	CHECK(unmapped(&A.p2m, RAM_BASE + MiB(10) + PAGE_SIZE, PAGE_SIZE));
	CHECK_EQ(A.mem_pages, size / PAGE_SIZE + PAGES_2M + 1);
	CHECK_EQ(dom_pool.nfree, dom_start - A.mem_pages);
	/* All of RAM, the rest of it, in one call after the holes are gone. */
	teardown();
	setup();
	CHECK_EQ(memory_populate(&A, RAM_BASE, RAM_SIZE), OK);
	CHECK_EQ(A.mem_pages, RAM_SIZE / PAGE_SIZE);
	CHECK_EQ(dom_pool.nfree, dom_start - RAM_SIZE / PAGE_SIZE);
	for (uint64_t o = 0; o < RAM_SIZE; o += MEGAPAGE_SIZE)
		CHECK_EQ(leaf(&A.p2m, RAM_BASE + o), MEGAPAGE_SIZE);
	check_populated(&A, RAM_BASE, RAM_SIZE);
	teardown();
}

static void test_populate_already(void)
{
	uint64_t nfree, pages, tables;

	setup();
	CHECK_EQ(memory_populate(&A, RAM_BASE + MiB(4), MEGAPAGE_SIZE), OK);
	CHECK_EQ(memory_populate(&A, RAM_BASE + MiB(8), PAGE_SIZE), OK);
	nfree = dom_pool.nfree;
	pages = A.mem_pages;
	tables = A.p2m.table_pages;
	/* Overlapping the extent at either end, containing it, or the page. */
	CHECK_EQ(memory_populate(&A, RAM_BASE + MiB(2), MiB(4)), AVAIL);
	CHECK_EQ(memory_populate(&A, RAM_BASE + MiB(6) - PAGE_SIZE, MiB(2)), AVAIL);
	CHECK_EQ(memory_populate(&A, RAM_BASE, RAM_SIZE), AVAIL);
	CHECK_EQ(memory_populate(&A, RAM_BASE + MiB(4), MEGAPAGE_SIZE), AVAIL);
	CHECK_EQ(memory_populate(&A, RAM_BASE + MiB(8) - PAGE_SIZE, 2 * PAGE_SIZE),
		 AVAIL);
	CHECK_EQ(memory_populate(&A, RAM_BASE + MiB(8), PAGE_SIZE), AVAIL);
	CHECK_EQ(dom_pool.nfree, nfree);
	CHECK_EQ(A.mem_pages, pages);
	CHECK_EQ(A.p2m.table_pages, tables);
	CHECK(unmapped(&A.p2m, RAM_BASE, MiB(4)));
	CHECK(unmapped(&A.p2m, RAM_BASE + MiB(6), MiB(2)));
	CHECK(unmapped(&A.p2m, RAM_BASE + MiB(8) + PAGE_SIZE, MiB(8) - PAGE_SIZE));
	/* Another domain's same GPAs are its own business. */
	CHECK_EQ(memory_populate(&B, RAM_BASE + MiB(4), MEGAPAGE_SIZE), OK);
	CHECK(host(&B.p2m, RAM_BASE + MiB(4)) != host(&A.p2m, RAM_BASE + MiB(4)));
	teardown();
}

static void test_populate_bad_args(void)
{
	static const struct {
		gpa_t gpa;
		uint64_t size;
	} bad[] = {
		{RAM_BASE, 0},
		{RAM_BASE + 1, PAGE_SIZE},
		{RAM_BASE + 0x800, PAGE_SIZE},
		{RAM_BASE, PAGE_SIZE + 1},
		{RAM_BASE, 0x800},
		{RAM_BASE - PAGE_SIZE, PAGE_SIZE},
		{RAM_BASE - PAGE_SIZE, 2 * PAGE_SIZE},
		{0, PAGE_SIZE},
		{RAM_BASE + RAM_SIZE, PAGE_SIZE},
		{RAM_BASE + RAM_SIZE - PAGE_SIZE, 2 * PAGE_SIZE},
		{RAM_BASE, RAM_SIZE + PAGE_SIZE},
		{RAM_BASE + PAGE_SIZE, RAM_SIZE},
		{RAM_BASE, ~0UL & ~(PAGE_SIZE - 1)},     /* huge */
		{RAM_BASE + MiB(4), -MiB(4)},            /* gpa + size wraps */
		{~0UL & ~(PAGE_SIZE - 1), PAGE_SIZE},
		{WB, PAGE_SIZE},
	};

	setup();
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_EQ(memory_populate(&A, bad[i].gpa, bad[i].size), INVAL);
	CHECK_EQ(dom_pool.nfree, dom_start);
	CHECK_EQ(A.mem_pages, 0);
	CHECK_EQ(A.p2m.table_pages, ROOT_PAGES);
	/* The last page of RAM is fine. */
	CHECK_EQ(memory_populate(&A, RAM_BASE + RAM_SIZE - PAGE_SIZE, PAGE_SIZE), OK);
	CHECK_EQ(A.mem_pages, 1);
	teardown();
}

static void test_populate_more_than_pool(void)
{
	setup();
	hold_until(&dom_pool, dom_held, &dom_nheld, 100);
	CHECK_EQ(memory_populate(&A, RAM_BASE, 101 * PAGE_SIZE), FAILED);
	CHECK_EQ(memory_populate(&A, RAM_BASE, RAM_SIZE), FAILED);
	CHECK_EQ(dom_pool.nfree, 100);
	CHECK_EQ(A.mem_pages, 0);
	CHECK_EQ(A.p2m.table_pages, ROOT_PAGES);
	CHECK(unmapped(&A.p2m, RAM_BASE, RAM_SIZE));
	/* Exactly what is left works, and empties the pool. */
	CHECK_EQ(memory_populate(&A, RAM_BASE + MiB(1), 100 * PAGE_SIZE), OK);
	CHECK_EQ(dom_pool.nfree, 0);
	CHECK_EQ(A.mem_pages, 100);
	CHECK_EQ(memory_populate(&A, RAM_BASE, PAGE_SIZE), FAILED);
	CHECK_EQ(A.mem_pages, 100);
	memory_release(&A);
	CHECK_EQ(dom_pool.nfree, 100);
	unhold(&dom_pool, dom_held, &dom_nheld);
	teardown();
}

/* No free 2 MiB extent left: a 2 MiB-aligned request falls back to pages. */
static void test_populate_fragmented(void)
{
	setup();
	hold_until(&dom_pool, dom_held, &dom_nheld, 0);
	CHECK_EQ(dom_nheld, DOM_PAGES);
	/* Give back every other page of the first 1024: 512 lone pages. */
	for (unsigned i = 0; i < 2 * PAGES_2M; i += 2) {
		page_pool_free(&dom_pool, dom_held[i], 1);
		dom_held[i] = 0;
	}
	CHECK_EQ(dom_pool.nfree, PAGES_2M);
	CHECK_EQ(memory_populate(&A, RAM_BASE, MEGAPAGE_SIZE), OK);
	CHECK_EQ(dom_pool.nfree, 0);
	CHECK_EQ(A.mem_pages, PAGES_2M);
	for (uint64_t o = 0; o < MEGAPAGE_SIZE; o += PAGE_SIZE)
		CHECK_EQ(leaf(&A.p2m, RAM_BASE + o), PAGE_SIZE);
	check_populated(&A, RAM_BASE, MEGAPAGE_SIZE);
	memory_release(&A);
	CHECK_EQ(dom_pool.nfree, PAGES_2M);
	CHECK_EQ(A.mem_pages, 0);
	unhold(&dom_pool, dom_held, &dom_nheld);
	teardown();
}

/*
 * Out of memory midway: the G-stage tables (hypervisor heap) run out after
 * some chunks are mapped. Everything mapped so far is undone: the free pool,
 * mem_pages, the heap and the DomU's tables are all as before.
 */
static void test_populate_fails_midway(void)
{
	uint64_t nfree;

	setup();
	/* Pages in two 2 MiB regions: level-1 + 2 level-0 tables, 2 left. */
	nfree = dom_pool.nfree;
	hold_until(&hyp_pool, hyp_held, &hyp_nheld, 2);
	CHECK_EQ(memory_populate(&A, RAM_BASE + MEGAPAGE_SIZE - PAGE_SIZE,
				 2 * PAGE_SIZE), FAILED);
	CHECK_EQ(dom_pool.nfree, nfree);
	CHECK_EQ(A.mem_pages, 0);
	CHECK_EQ(hyp_pool.nfree, 2);
	CHECK_EQ(A.p2m.table_pages, ROOT_PAGES);
	CHECK(unmapped(&A.p2m, RAM_BASE, RAM_SIZE));
	unhold(&hyp_pool, hyp_held, &hyp_nheld);

	/* Failing on the very first chunk: the level-1 table walk_create got
	 * before the level-0 one ran out goes back to the heap too. */
	hold_until(&hyp_pool, hyp_held, &hyp_nheld, 1);
	CHECK_EQ(memory_populate(&A, RAM_BASE + PAGE_SIZE, PAGE_SIZE), FAILED);
	CHECK_EQ(dom_pool.nfree, nfree);
	CHECK_EQ(hyp_pool.nfree, 1);
	CHECK_EQ(A.p2m.table_pages, ROOT_PAGES);
	unhold(&hyp_pool, hyp_held, &hyp_nheld);

	/* An extent (level-1 table only), then a page: no level-0 table. */
	hold_until(&hyp_pool, hyp_held, &hyp_nheld, 1);
	CHECK_EQ(memory_populate(&A, RAM_BASE, MEGAPAGE_SIZE + PAGE_SIZE), FAILED);
	CHECK_EQ(dom_pool.nfree, nfree);
	CHECK_EQ(A.mem_pages, 0);
	CHECK_EQ(hyp_pool.nfree, 1);
	CHECK_EQ(A.p2m.table_pages, ROOT_PAGES);
	CHECK(unmapped(&A.p2m, RAM_BASE, RAM_SIZE));
	/* With what is already populated kept as it was. */
	unhold(&hyp_pool, hyp_held, &hyp_nheld);
	CHECK_EQ(memory_populate(&A, RAM_BASE + MiB(8), PAGE_SIZE), OK);
	nfree = dom_pool.nfree;
	hold_until(&hyp_pool, hyp_held, &hyp_nheld, 0);
	CHECK_EQ(memory_populate(&A, RAM_BASE, MEGAPAGE_SIZE + PAGE_SIZE), FAILED);
	CHECK_EQ(dom_pool.nfree, nfree);
	CHECK_EQ(A.mem_pages, 1);
	CHECK_EQ(hyp_pool.nfree, 0);
	CHECK(unmapped(&A.p2m, RAM_BASE, MiB(8)));
	CHECK(host(&A.p2m, RAM_BASE + MiB(8)) != 0);
	unhold(&hyp_pool, hyp_held, &hyp_nheld);
	/* And with the heap back, the same request succeeds. */
	CHECK_EQ(memory_populate(&A, RAM_BASE, MEGAPAGE_SIZE + PAGE_SIZE), OK);
	CHECK_EQ(A.mem_pages, 1 + PAGES_2M + 1);
	check_populated(&A, RAM_BASE, MEGAPAGE_SIZE + PAGE_SIZE);
	teardown();
}

/*
 * The undo of a populate that ran out of memory midway fences every hart
 * before the pages it unmaps (guest pages and G-stage tables) go back to
 * their pools: the DomU may be running, and a stale translation must not
 * reach a page someone else gets next.
 */
static void test_populate_rollback_fences(void)
{
	uint64_t nfree;

	setup();
	nfree = dom_pool.nfree;
	/* One page (with its level-1 and level-0 tables), then the next
	 * 2 MiB region needs a level-0 table the heap does not have. */
	hold_until(&hyp_pool, hyp_held, &hyp_nheld, 2);
	CHECK_EQ(memory_populate(&A, RAM_BASE + MEGAPAGE_SIZE - PAGE_SIZE,
				 2 * PAGE_SIZE), FAILED);
	CHECK_EQ(fl.hfence, 1);
	CHECK_EQ(fl.ipi[1], 1);
	CHECK_EQ(fl.dom_free, nfree - 1); /* the guest page: still held */
	CHECK_EQ(fl.hyp_free, 0);         /* both tables: still held */
	CHECK_EQ(dom_pool.nfree, nfree);
	CHECK_EQ(hyp_pool.nfree, 2);
	CHECK_EQ(A.mem_pages, 0);
	CHECK_EQ(A.p2m.table_pages, ROOT_PAGES);
	unhold(&hyp_pool, hyp_held, &hyp_nheld);

	/* Forty pages to undo: fenced before the first of them is freed. */
	memset(&fl, 0, sizeof(fl));
	hold_until(&hyp_pool, hyp_held, &hyp_nheld, 2);
	CHECK_EQ(memory_populate(&A, RAM_BASE + MEGAPAGE_SIZE - 40 * PAGE_SIZE,
				 41 * PAGE_SIZE), FAILED);
	CHECK(fl.hfence >= 1);
	CHECK_EQ(fl.ipi[1], fl.hfence);
	CHECK_EQ(fl.dom_free, nfree - 40);
	CHECK_EQ(dom_pool.nfree, nfree);
	CHECK_EQ(hyp_pool.nfree, 2);
	CHECK_EQ(A.mem_pages, 0);
	CHECK(unmapped(&A.p2m, RAM_BASE, RAM_SIZE));
	unhold(&hyp_pool, hyp_held, &hyp_nheld);

	/* Destroy's release (the domain never runs again): no fence. */
	memset(&fl, 0, sizeof(fl));
	CHECK_EQ(memory_populate(&A, RAM_BASE, MiB(2) + PAGE_SIZE), OK);
	memory_release(&A);
	CHECK_EQ(fl.hfence, 0);
	CHECK_EQ(dom_pool.nfree, nfree);
	teardown();
}

/* The same for a foreign map that fails midway, in Dom0's window. */
static void test_foreign_map_rollback_fences(void)
{
	const gpa_t small = RAM_BASE + MiB(4);

	setup();
	CHECK_EQ(memory_populate(&A, small, 2 * PAGE_SIZE), OK);
	/* The first page takes Dom0 a level-1 and a level-0 table; the
	 * second, in the next 2 MiB of the window, another level-0 one. */
	hold_until(&hyp_pool, hyp_held, &hyp_nheld, 2);
	CHECK_EQ(foreign_map(&A, small, 2 * PAGE_SIZE, MEGAPAGE_SIZE - PAGE_SIZE),
		 FAILED);
	CHECK_EQ(fl.hfence, 1);
	CHECK_EQ(fl.ipi[1], 1);
	CHECK_EQ(fl.hyp_free, 0); /* Dom0's tables: freed after the fence */
	CHECK_EQ(hyp_pool.nfree, 2);
	CHECK_EQ(D0.p2m.table_pages, ROOT_PAGES);
	CHECK(unmapped(&D0.p2m, WB + MEGAPAGE_SIZE - PAGE_SIZE, 2 * PAGE_SIZE));
	CHECK(fmaps_empty());
	unhold(&hyp_pool, hyp_held, &hyp_nheld);

	/* And an unmap: the tables it empties wait for the fence too. */
	memset(&fl, 0, sizeof(fl));
	CHECK_EQ(foreign_map(&A, small, 2 * PAGE_SIZE, MEGAPAGE_SIZE - PAGE_SIZE),
		 OK);
	uint64_t before = hyp_pool.nfree;
	CHECK_EQ(foreign_unmap(MEGAPAGE_SIZE - PAGE_SIZE, 2 * PAGE_SIZE), OK);
	CHECK_EQ(fl.hfence, 1);
	CHECK_EQ(fl.hyp_free, before);
	CHECK_EQ(hyp_pool.nfree, before + 3);
	teardown();
}

static void test_release_scrubs(void)
{
	struct {
		paddr_t pa;
		uint64_t size;
	} got[8];
	unsigned n = 0;
	const uint64_t size = MEGAPAGE_SIZE + 4 * PAGE_SIZE;

	setup();
	CHECK_EQ(memory_populate(&A, RAM_BASE, size), OK);
	CHECK_EQ(memory_populate(&B, RAM_BASE, PAGE_SIZE), OK);
	for (gpa_t g = RAM_BASE; g < RAM_BASE + size && n < ARRAY_SIZE(got);) {
		CHECK(p2m_lookup_leaf(&A.p2m, g, &got[n].pa, &got[n].size));
		memset((void *)got[n].pa, 0x5c, got[n].size);
		g += got[n++].size;
	}
	CHECK_EQ(n, 5);
	memset((void *)host(&B.p2m, RAM_BASE), 0x7e, PAGE_SIZE);
	memory_release(&A);
	CHECK_EQ(A.mem_pages, 0);
	CHECK_EQ(dom_pool.nfree, dom_start - 1);
	CHECK_EQ(A.p2m.table_pages, ROOT_PAGES);
	CHECK(unmapped(&A.p2m, RAM_BASE, RAM_SIZE));
	for (unsigned i = 0; i < n; i++) {
		uint64_t first = (got[i].pa - dom_pool.base) >> PAGE_SHIFT;
		CHECK(zero(got[i].pa, got[i].size));
		for (uint64_t j = 0; j < got[i].size / PAGE_SIZE; j++)
			CHECK(!test_bit(dom_pool.bitmap, first + j));
	}
	/* B's page is untouched. */
	CHECK_EQ(B.mem_pages, 1);
	CHECK_EQ(*(uint8_t *)host(&B.p2m, RAM_BASE), 0x7e);
	/* Releasing again, or a domain with nothing, changes nothing. */
	memory_release(&A);
	CHECK_EQ(dom_pool.nfree, dom_start - 1);
	/* Dirty the free pool: the next populate must zero what it hands out. */
	memset((void *)got[0].pa, 0x33, got[0].size);
	CHECK_EQ(memory_populate(&A, RAM_BASE, MEGAPAGE_SIZE), OK);
	check_populated(&A, RAM_BASE, MEGAPAGE_SIZE);
	teardown();
}

static void test_foreign_map(void)
{
	const gpa_t small = RAM_BASE + MiB(4); /* 16 pages, 4 KiB leaves */
	unsigned hf;

	setup();
	CHECK_EQ(memory_populate(&A, RAM_BASE, MiB(4)), OK);
	CHECK_EQ(memory_populate(&A, small, 16 * PAGE_SIZE), OK);
	hf = fl.hfence;

	/* Extents at a 2 MiB-aligned window offset: 2 MiB leaves in Dom0. */
	CHECK_EQ(foreign_map(&A, RAM_BASE, MiB(4), 0), OK);
	check_window(&A, RAM_BASE, MiB(4), 0);
	CHECK_EQ(leaf(&D0.p2m, WB), MEGAPAGE_SIZE);
	CHECK_EQ(leaf(&D0.p2m, WB + MiB(2)), MEGAPAGE_SIZE);
	/* Pages. */
	CHECK_EQ(foreign_map(&A, small, 16 * PAGE_SIZE, MiB(6)), OK);
	check_window(&A, small, 16 * PAGE_SIZE, MiB(6));
	CHECK_EQ(leaf(&D0.p2m, WB + MiB(6)), PAGE_SIZE);
	CHECK(unmapped(&D0.p2m, WB + MiB(6) + 16 * PAGE_SIZE, PAGE_SIZE));
	/* An extent at a misaligned window offset: pages. */
	CHECK_EQ(foreign_map(&A, RAM_BASE, MEGAPAGE_SIZE, MiB(10) + PAGE_SIZE), OK);
	check_window(&A, RAM_BASE, MEGAPAGE_SIZE, MiB(10) + PAGE_SIZE);
	CHECK_EQ(leaf(&D0.p2m, WB + MiB(10) + PAGE_SIZE), PAGE_SIZE);
	CHECK_EQ(leaf(&D0.p2m, WB + MiB(12)), PAGE_SIZE);
	/* Part of an extent, and a range across an extent and pages. */
	CHECK_EQ(foreign_map(&A, RAM_BASE + MiB(1), 3 * PAGE_SIZE, MiB(16)), OK);
	check_window(&A, RAM_BASE + MiB(1), 3 * PAGE_SIZE, MiB(16));
	CHECK_EQ(foreign_map(&A, small - PAGE_SIZE, 5 * PAGE_SIZE, MiB(18)), OK);
	check_window(&A, small - PAGE_SIZE, 5 * PAGE_SIZE, MiB(18));
	/* The last page of the window. */
	CHECK_EQ(foreign_map(&A, small, PAGE_SIZE, FOREIGN_WINDOW_SIZE - PAGE_SIZE),
		 OK);
	check_window(&A, small, PAGE_SIZE, FOREIGN_WINDOW_SIZE - PAGE_SIZE);
	/* A write through the window is seen by the DomU. */
	*(volatile uint32_t *)host(&D0.p2m, WB + MiB(6) + 8) = 0xfeedf00d;
	CHECK_EQ(*(uint32_t *)host(&A.p2m, small + 8), 0xfeedf00d);
	CHECK_EQ(fl.hfence, hf); /* mapping needs no flush */
	/* The DomU's own accounting and mappings are unchanged. */
	CHECK_EQ(A.mem_pages, MiB(4) / PAGE_SIZE + 16);
	CHECK_EQ(leaf(&A.p2m, RAM_BASE), MEGAPAGE_SIZE);
	teardown();
}

static void test_foreign_map_errors(void)
{
	const gpa_t small = RAM_BASE + MiB(4);
	uint64_t tables;

	setup();
	CHECK_EQ(memory_populate(&A, RAM_BASE, MiB(2)), OK);
	CHECK_EQ(memory_populate(&A, small, 16 * PAGE_SIZE), OK);
	CHECK_EQ(foreign_map(&A, small, 4 * PAGE_SIZE, MiB(6)), OK);
	tables = D0.p2m.table_pages;

	/* Not populated, wholly or in part. */
	CHECK_EQ(foreign_map(&A, small + 16 * PAGE_SIZE, PAGE_SIZE, MiB(20)),
		 BADADDR);
	CHECK_EQ(foreign_map(&A, small + 15 * PAGE_SIZE, 2 * PAGE_SIZE, MiB(20)),
		 BADADDR);
	CHECK_EQ(foreign_map(&A, RAM_BASE + MiB(2) - PAGE_SIZE, 2 * PAGE_SIZE,
			     MiB(20)), BADADDR);
	CHECK_EQ(foreign_map(&B, RAM_BASE, PAGE_SIZE, MiB(20)), BADADDR);
	CHECK(unmapped(&D0.p2m, WB + MiB(20), 2 * PAGE_SIZE));
	/* Window in use, wholly or in part. */
	CHECK_EQ(foreign_map(&A, RAM_BASE, PAGE_SIZE, MiB(6) + 3 * PAGE_SIZE),
		 AVAIL);
	CHECK_EQ(foreign_map(&A, RAM_BASE, 2 * PAGE_SIZE, MiB(6) - PAGE_SIZE),
		 AVAIL);
	CHECK_EQ(foreign_map(&A, RAM_BASE, MiB(2), MiB(6)), AVAIL);
	CHECK(unmapped(&D0.p2m, WB + MiB(6) - PAGE_SIZE, PAGE_SIZE));
	CHECK(unmapped(&D0.p2m, WB + MiB(6) + 4 * PAGE_SIZE, MiB(2) - 4 * PAGE_SIZE));
	check_window(&A, small, 4 * PAGE_SIZE, MiB(6));
	/* Window offset or size out of range. */
	CHECK_EQ(foreign_map(&A, small, PAGE_SIZE, FOREIGN_WINDOW_SIZE), INVAL);
	CHECK_EQ(foreign_map(&A, small, 2 * PAGE_SIZE,
			     FOREIGN_WINDOW_SIZE - PAGE_SIZE), INVAL);
	CHECK_EQ(foreign_map(&A, small, PAGE_SIZE, -PAGE_SIZE), INVAL);
	CHECK_EQ(foreign_map(&A, small, PAGE_SIZE, MiB(20) + 8), INVAL);
	CHECK_EQ(foreign_map(&A, small, 0, MiB(20)), INVAL);
	CHECK_EQ(foreign_map(&A, small, PAGE_SIZE + 8, MiB(20)), INVAL);
	CHECK_EQ(foreign_map(&A, small, FOREIGN_WINDOW_SIZE + PAGE_SIZE, 0), INVAL);
	/* Source outside the DomU's RAM, unaligned, or Dom0 itself. */
	CHECK_EQ(foreign_map(&A, RAM_BASE - PAGE_SIZE, PAGE_SIZE, MiB(20)), INVAL);
	CHECK_EQ(foreign_map(&A, RAM_BASE + RAM_SIZE, PAGE_SIZE, MiB(20)), INVAL);
	CHECK_EQ(foreign_map(&A, RAM_BASE + 8, PAGE_SIZE, MiB(20)), INVAL);
	CHECK_EQ(foreign_map(&D0, RAM_BASE, PAGE_SIZE, MiB(20)), INVAL);
	CHECK_EQ(D0.p2m.table_pages, tables);
	CHECK(unmapped(&D0.p2m, WB + MiB(20), MiB(2)));

	/* foreign_unmap of what is not a mapping: nothing changes, no flush. */
	CHECK_EQ(foreign_unmap(MiB(20), PAGE_SIZE), INVAL);
	CHECK_EQ(foreign_unmap(MiB(6), PAGE_SIZE), INVAL);          /* a part */
	CHECK_EQ(foreign_unmap(MiB(6), 8 * PAGE_SIZE), INVAL);      /* bigger */
	CHECK_EQ(foreign_unmap(MiB(6) + PAGE_SIZE, 3 * PAGE_SIZE), INVAL);
	CHECK_EQ(foreign_unmap(0, 0), INVAL);
	CHECK_EQ(fl.hfence, 0);
	CHECK_EQ(fl.ipi[1], 0);
	check_window(&A, small, 4 * PAGE_SIZE, MiB(6));
	teardown();
}

static void test_foreign_unmap(void)
{
	setup();
	CHECK_EQ(memory_populate(&A, RAM_BASE, MiB(4)), OK);
	CHECK_EQ(foreign_map(&A, RAM_BASE, MiB(4), 0), OK);
	CHECK_EQ(foreign_map(&A, RAM_BASE + PAGE_SIZE, 2 * PAGE_SIZE, MiB(8)), OK);
	CHECK_EQ(foreign_unmap(0, MiB(4)), OK);
	CHECK(unmapped(&D0.p2m, WB, MiB(4)));
	check_window(&A, RAM_BASE + PAGE_SIZE, 2 * PAGE_SIZE, MiB(8));
	/* Every other online hart, then this one, dropped the translations. */
	CHECK_EQ(fl.hfence, 1);
	CHECK_EQ(fl.ipi[1], 1);
	CHECK_EQ(foreign_unmap(0, MiB(4)), INVAL); /* gone */
	CHECK_EQ(fl.hfence, 1);
	/* The window slot can be used again, and the DomU's pages are its. */
	CHECK_EQ(foreign_map(&A, RAM_BASE + MiB(2), MiB(2), 0), OK);
	check_window(&A, RAM_BASE + MiB(2), MiB(2), 0);
	CHECK_EQ(A.mem_pages, MiB(4) / PAGE_SIZE);
	check_populated(&A, RAM_BASE, MiB(2));
	CHECK_EQ(foreign_unmap(0, MiB(2)), OK);
	CHECK_EQ(foreign_unmap(MiB(8), 2 * PAGE_SIZE), OK);
	CHECK_EQ(fl.hfence, 3);
	CHECK_EQ(fl.ipi[1], 3);
	CHECK(fmaps_empty());
	CHECK_EQ(D0.p2m.table_pages, ROOT_PAGES); /* tables pruned */
	teardown();
}

static void test_foreign_slots(void)
{
	setup();
	CHECK_EQ(memory_populate(&A, RAM_BASE, PAGE_SIZE), OK);
	/* One DomU page may appear in the window many times. */
	for (unsigned i = 0; i < MAX_FOREIGN_MAPS; i++)
		CHECK_EQ(foreign_map(&A, RAM_BASE, PAGE_SIZE, i * PAGE_SIZE), OK);
	CHECK_EQ(foreign_map(&A, RAM_BASE, PAGE_SIZE,
			     MAX_FOREIGN_MAPS * PAGE_SIZE), FAILED);
	CHECK(unmapped(&D0.p2m, WB + MAX_FOREIGN_MAPS * PAGE_SIZE, PAGE_SIZE));
	check_window(&A, RAM_BASE, PAGE_SIZE, (MAX_FOREIGN_MAPS - 1) * PAGE_SIZE);
	CHECK_EQ(foreign_unmap(5 * PAGE_SIZE, PAGE_SIZE), OK);
	CHECK_EQ(foreign_map(&A, RAM_BASE, PAGE_SIZE,
			     MAX_FOREIGN_MAPS * PAGE_SIZE), OK);
	check_window(&A, RAM_BASE, PAGE_SIZE, MAX_FOREIGN_MAPS * PAGE_SIZE);
	foreign_revoke(&A);
	CHECK(fmaps_empty());
	CHECK(unmapped(&D0.p2m, WB, (MAX_FOREIGN_MAPS + 1) * PAGE_SIZE));
	teardown();
}

static void test_foreign_revoke(void)
{
	unsigned hf, ipi;

	setup();
	CHECK_EQ(memory_populate(&A, RAM_BASE, MiB(2) + 8 * PAGE_SIZE), OK);
	CHECK_EQ(memory_populate(&B, RAM_BASE, MiB(2) + 8 * PAGE_SIZE), OK);
	CHECK_EQ(foreign_map(&A, RAM_BASE, MiB(2), 0), OK);
	CHECK_EQ(foreign_map(&B, RAM_BASE, MiB(2), MiB(2)), OK);
	CHECK_EQ(foreign_map(&A, RAM_BASE + MiB(2), 8 * PAGE_SIZE, MiB(4)), OK);
	CHECK_EQ(foreign_map(&B, RAM_BASE + MiB(2), 8 * PAGE_SIZE,
			     MiB(4) + 8 * PAGE_SIZE), OK);
	CHECK_EQ(foreign_map(&A, RAM_BASE + PAGE_SIZE, PAGE_SIZE, MiB(6)), OK);
	hf = fl.hfence;
	ipi = fl.ipi[1];
	foreign_revoke(&A);
	CHECK_EQ(fl.hfence, hf + 1);
	CHECK_EQ(fl.ipi[1], ipi + 1);
	CHECK(unmapped(&D0.p2m, WB, MiB(2)));
	CHECK(unmapped(&D0.p2m, WB + MiB(4), 8 * PAGE_SIZE));
	CHECK(unmapped(&D0.p2m, WB + MiB(6), PAGE_SIZE));
	check_window(&B, RAM_BASE, MiB(2), MiB(2));
	check_window(&B, RAM_BASE + MiB(2), 8 * PAGE_SIZE, MiB(4) + 8 * PAGE_SIZE);
	for (unsigned i = 0; i < MAX_FOREIGN_MAPS; i++)
		CHECK(fmaps[i].domid != A.id);
	/* A's mappings are gone from the slots too; B's are still there. */
	CHECK_EQ(foreign_unmap(0, MiB(2)), INVAL);
	CHECK_EQ(foreign_unmap(MiB(6), PAGE_SIZE), INVAL);
	/* The DomU's own memory is not revoke's business. */
	CHECK_EQ(A.mem_pages, PAGES_2M + 8);
	check_populated(&A, RAM_BASE, MiB(2) + 8 * PAGE_SIZE);
	/* Revoking a domain with nothing mapped changes nothing (but flushes). */
	foreign_revoke(&A);
	check_window(&B, RAM_BASE, MiB(2), MiB(2));
	CHECK_EQ(foreign_unmap(MiB(2), MiB(2)), OK);
	foreign_revoke(&B);
	CHECK(fmaps_empty());
	CHECK(unmapped(&D0.p2m, WB, MiB(8)));
	CHECK_EQ(D0.p2m.table_pages, ROOT_PAGES);
	teardown();
}

/*
 * Pool accounting across create/destroy, as domain_destroy() orders it:
 * revoke the window, release the RAM, free the tables. Several rounds with
 * both DomUs, so a leak of even one page per round shows.
 */
static void test_lifecycle_accounting(void)
{
	page_pool_init(&hyp_pool, (paddr_t)hyp_arena, HYP_PAGES, hyp_bitmap);
	page_pool_init(&dom_pool, (paddr_t)dom_arena, DOM_PAGES, dom_bitmap);
	const uint64_t hyp0 = hyp_pool.nfree, dom0_free = dom_pool.nfree;

	for (unsigned round = 0; round < 4; round++) {
		struct domain *d[2] = {&A, &B};
		domain_setup(&D0, 0, true);
		dom0 = &D0;
		for (unsigned i = 0; i < 2; i++) {
			domain_setup(d[i], 1 + i + 2 * round, false);
			CHECK_EQ(memory_populate(d[i], RAM_BASE + round * PAGE_SIZE,
						 MiB(6) + i * PAGE_SIZE), OK);
			CHECK_EQ(memory_populate(d[i], RAM_BASE + MiB(12), MiB(2)), OK);
			CHECK_EQ(foreign_map(d[i], RAM_BASE + MiB(12), MiB(2),
					     MiB(2) * (i + 2 * round)), OK);
			CHECK_EQ(foreign_map(d[i], RAM_BASE + MiB(1), 3 * PAGE_SIZE,
					     MiB(100) + MiB(1) * (i + 2 * round)), OK);
		}
		CHECK_EQ(dom_pool.nfree, dom0_free - A.mem_pages - B.mem_pages);
		CHECK_EQ(A.mem_pages + B.mem_pages,
			 2 * (MiB(6) + MiB(2)) / PAGE_SIZE + 1);
		for (unsigned i = 0; i < 2; i++) {
			foreign_revoke(d[i]);
			memory_release(d[i]);
			CHECK_EQ(d[i]->mem_pages, 0);
			p2m_destroy(&d[i]->p2m);
		}
		CHECK(fmaps_empty());
		CHECK_EQ(D0.p2m.table_pages, ROOT_PAGES);
		p2m_destroy(&D0.p2m);
		CHECK_EQ(hyp_pool.nfree, hyp0);
		CHECK_EQ(dom_pool.nfree, dom0_free);
	}
}

int main(void)
{
	if (arenas_init())
		return 2;
	RUN(test_populate_megapages);
	RUN(test_populate_small_pages);
	RUN(test_populate_mixed);
	RUN(test_populate_already);
	RUN(test_populate_bad_args);
	RUN(test_populate_more_than_pool);
	RUN(test_populate_fragmented);
	RUN(test_populate_fails_midway);
	RUN(test_populate_rollback_fences);
	RUN(test_foreign_map_rollback_fences);
	RUN(test_release_scrubs);
	RUN(test_foreign_map);
	RUN(test_foreign_map_errors);
	RUN(test_foreign_unmap);
	RUN(test_foreign_slots);
	RUN(test_foreign_revoke);
	RUN(test_lifecycle_accounting);
	arenas_fini();
	TEST_DONE();
}
