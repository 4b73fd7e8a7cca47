/*
 * Host unit test of guest memory (kernel/core/memory.c): DomU RAM from the
 * free pool (dom_pool) and foreign mappings of it into Dom0's window. Both
 * pools sit over real 2 MiB-aligned arenas, so the G-stage tables and the
 * guest pages are ordinary host memory the test can read and write.
 *
 * memory.c calls two RISC-V-only inlines: this_pcpu() (pcpu.h, reads tp)
 * and hfence_gvma_all() (csr.h). Their headers are included first, as they
 * are, and the two names are then redefined as macros for memory.c only, so
 * the real struct pcpu is used and no RISC-V asm is ever emitted.
 */
#include "test.h"

#include <sys/mman.h>

#include "../../kernel/core/page_alloc.c"
#include "../../kernel/core/gstage.c"

#include "domain.h"
#include "pcpu.h"

/* ------------------------------------------------------------ host stubs */
struct pcpu pcpus[MAX_PCPUS];
unsigned nr_pcpus;
struct domain *dom0;
struct page_pool dom_pool;

static struct {
	unsigned hfence;           /* hfence_gvma_all() on this hart */
	unsigned ipi[MAX_PCPUS];   /* pcpu_ipi_wait() per target hart */
	unsigned bad_reason;       /* IPIs with another reason than a flush */
	uint64_t dom_free, hyp_free; /* both pools' nfree at the first fence */
} fl;

static struct pcpu *test_this_pcpu(void)
{
	return &pcpus[0];
}

void pcpu_ipi_wait(struct pcpu *p, uint32_t reason)
{
	fl.ipi[p - pcpus]++;
	if (reason != IPI_GVMA_FLUSH)
		fl.bad_reason++;
}

static void test_hfence_gvma_all(void)
{
	if (!fl.hfence++) {
		fl.dom_free = dom_pool.nfree;
		fl.hyp_free = hyp_pool.nfree;
	}
}

#define this_pcpu() test_this_pcpu()
#define hfence_gvma_all() test_hfence_gvma_all()

#include "../../kernel/core/memory.c"

/* ---------------------------------------------------------------- set-up */
#define HYP_SIZE MiB(8)
#define HYP_PAGES (HYP_SIZE >> PAGE_SHIFT)
#define DOM_SIZE MiB(64)
#define DOM_PAGES (DOM_SIZE >> PAGE_SHIFT)
#define PAGES_2M (MEGAPAGE_SIZE >> PAGE_SHIFT)

#define RAM_BASE 0x80000000UL
#define RAM_SIZE MiB(16)
#define WB FOREIGN_WINDOW_BASE
#define ROOT_PAGES (1U << GSTAGE_ROOT_ORDER)

#define OK SBI_SUCCESS
#define INVAL SBI_ERR_INVALID_PARAM
#define FAILED SBI_ERR_FAILED
#define BADADDR SBI_ERR_INVALID_ADDRESS
#define AVAIL SBI_ERR_ALREADY_AVAILABLE

static uint8_t *hyp_arena, *dom_arena;
static uint64_t hyp_bitmap[HYP_PAGES / 64];
static uint64_t dom_bitmap[DOM_PAGES / 64];
static uint64_t hyp_start, dom_start; /* nfree before any domain exists */
static struct domain D0, A, B;

/* Pages the test itself holds to shrink a pool (0 = given back). */
static paddr_t hyp_held[HYP_PAGES], dom_held[DOM_PAGES];
static unsigned hyp_nheld, dom_nheld;

static void domain_setup(struct domain *d, unsigned id, bool is_dom0)
{
	memset(d, 0, sizeof(*d));
	d->id = id;
	d->slot = id;
	d->is_dom0 = is_dom0;
	if (!is_dom0) {
		d->ram_base = RAM_BASE;
		d->ram_size = RAM_SIZE;
	}
	CHECK_EQ(gstage_init(&d->gs, id + 1), 0);
}

static void setup(void)
{
	page_pool_init(&hyp_pool, (paddr_t)hyp_arena, HYP_PAGES, hyp_bitmap);
	page_pool_init(&dom_pool, (paddr_t)dom_arena, DOM_PAGES, dom_bitmap);
	memset(dom_arena, 0xaa, DOM_SIZE); /* guest pages must come out zeroed */
	hyp_start = hyp_pool.nfree;
	dom_start = dom_pool.nfree;
	domain_setup(&D0, 0, true);
	domain_setup(&A, 1, false);
	domain_setup(&B, 2, false);
	dom0 = &D0;
	/* Three harts: this one, another online, one offline. */
	memset(pcpus, 0, sizeof(pcpus));
	nr_pcpus = 3;
	for (unsigned i = 0; i < nr_pcpus; i++) {
		pcpus[i].id = i;
		pcpus[i].online = i != 2;
	}
	memset(&fl, 0, sizeof(fl));
	hyp_nheld = dom_nheld = 0;
}

static bool fmaps_empty(void)
{
	for (unsigned i = 0; i < MAX_FOREIGN_MAPS; i++)
		if (fmaps[i].domid)
			return false;
	return true;
}

/* Destroy everything; both pools must be back exactly where they started. */
static void teardown(void)
{
	foreign_revoke(&A);
	foreign_revoke(&B);
	CHECK(fmaps_empty());
	CHECK_EQ(D0.gs.table_pages, ROOT_PAGES); /* the window left no tables */
	memory_release(&A);
	memory_release(&B);
	CHECK_EQ(A.mem_pages, 0);
	CHECK_EQ(B.mem_pages, 0);
	CHECK_EQ(A.gs.table_pages, ROOT_PAGES);
	CHECK_EQ(B.gs.table_pages, ROOT_PAGES);
	gstage_destroy(&A.gs);
	gstage_destroy(&B.gs);
	gstage_destroy(&D0.gs);
	CHECK_EQ(fl.bad_reason, 0);
	CHECK_EQ(fl.ipi[0], 0); /* never this hart */
	CHECK_EQ(fl.ipi[2], 0); /* never an offline one */
	CHECK_EQ(hyp_pool.nfree, hyp_start);
	CHECK_EQ(dom_pool.nfree, dom_start);
}

/* Allocate single pages from p until only left are free. */
static void hold_until(struct page_pool *p, paddr_t *held, unsigned *n,
		       uint64_t left)
{
	while (p->nfree > left) {
		paddr_t pa = page_pool_alloc(p, 1, 1);
		CHECK(pa != 0);
		if (!pa)
			return;
		held[(*n)++] = pa;
	}
}

static void unhold(struct page_pool *p, paddr_t *held, unsigned *n)
{
	while (*n) {
		paddr_t pa = held[--*n];
		if (pa)
			page_pool_free(p, pa, 1);
	}
}

/* Host address of gpa in gs, 0 if unmapped. */
static paddr_t host(const struct gstage *gs, gpa_t gpa)
{
	paddr_t pa;

	return gstage_lookup(gs, gpa, &pa, NULL) ? pa : 0;
}

/* Size of the leaf mapping gpa in gs, 0 if unmapped. */
static uint64_t leaf(const struct gstage *gs, gpa_t gpa)
{
	paddr_t pa;
	uint64_t size;

	return gstage_lookup_leaf(gs, gpa, &pa, &size) ? size : 0;
}

static bool unmapped(const struct gstage *gs, gpa_t gpa, uint64_t size)
{
	for (uint64_t o = 0; o < size; o += PAGE_SIZE)
		if (host(gs, gpa + o))
			return false;
	return true;
}

static bool zero(paddr_t pa, uint64_t size)
{
	const uint8_t *p = (const uint8_t *)pa;

	for (uint64_t i = 0; i < size; i++)
		if (p[i])
			return false;
	return true;
}

static bool in_dom_pool(paddr_t pa)
{
	return pa >= (paddr_t)dom_arena && pa < (paddr_t)dom_arena + DOM_SIZE;
}

/* Every page of d's [gpa, gpa+size) is mapped RWX to zeroed pool memory. */
static void check_populated(struct domain *d, gpa_t gpa, uint64_t size)
{
	for (uint64_t o = 0; o < size; o += PAGE_SIZE) {
		paddr_t pa = 0;
		unsigned long prot = 0;
		CHECK(gstage_lookup(&d->gs, gpa + o, &pa, &prot));
		CHECK(in_dom_pool(pa));
		CHECK_EQ(prot, GSTAGE_PROT_RWX);
		CHECK(zero(pa, PAGE_SIZE));
	}
}

/* Dom0's window at off shows the same host pages as d's [gpa, gpa+size). */
static void check_window(struct domain *d, gpa_t gpa, uint64_t size,
			 uint64_t off)
{
	for (uint64_t o = 0; o < size; o += PAGE_SIZE) {
		paddr_t pa = 0;
		unsigned long prot = 0;
		CHECK(gstage_lookup(&D0.gs, WB + off + o, &pa, &prot));
		CHECK_EQ(pa, host(&d->gs, gpa + o));
		CHECK(pa != 0);
		CHECK_EQ(prot, GSTAGE_PROT_R | GSTAGE_PROT_W); /* never X */
	}
}

/* ----------------------------------------------------------------- cases */

static void test_populate_megapages(void)
{
	setup();
	CHECK_EQ(memory_populate(&A, RAM_BASE, MiB(4)), OK);
	CHECK_EQ(dom_pool.nfree, dom_start - MiB(4) / PAGE_SIZE);
	CHECK_EQ(A.mem_pages, MiB(4) / PAGE_SIZE);
	check_populated(&A, RAM_BASE, MiB(4));
	for (uint64_t o = 0; o < MiB(4); o += MEGAPAGE_SIZE) {
		CHECK_EQ(leaf(&A.gs, RAM_BASE + o), MEGAPAGE_SIZE);
		CHECK(IS_ALIGNED(host(&A.gs, RAM_BASE + o), MEGAPAGE_SIZE));
	}
	/* Only the level-1 table: 2 MiB extents need no level-0 tables. */
	CHECK_EQ(A.gs.table_pages, ROOT_PAGES + 1);
	CHECK(unmapped(&A.gs, RAM_BASE + MiB(4), RAM_SIZE - MiB(4)));
	CHECK(unmapped(&B.gs, RAM_BASE, RAM_SIZE));
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
		CHECK_EQ(leaf(&A.gs, g + o), PAGE_SIZE);
	CHECK(unmapped(&A.gs, g - PAGE_SIZE, PAGE_SIZE));
	CHECK(unmapped(&A.gs, g + 16 * PAGE_SIZE, PAGE_SIZE));
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
	CHECK_EQ(leaf(&A.gs, g), PAGE_SIZE);
	CHECK_EQ(leaf(&A.gs, g + PAGE_SIZE), PAGE_SIZE);
	CHECK_EQ(leaf(&A.gs, RAM_BASE + MEGAPAGE_SIZE), MEGAPAGE_SIZE);
	CHECK_EQ(leaf(&A.gs, RAM_BASE + 2 * MEGAPAGE_SIZE), PAGE_SIZE);
	CHECK_EQ(leaf(&A.gs, RAM_BASE + 2 * MEGAPAGE_SIZE + 2 * PAGE_SIZE),
		 PAGE_SIZE);
	CHECK(unmapped(&A.gs, RAM_BASE, MEGAPAGE_SIZE - 2 * PAGE_SIZE));
	CHECK(unmapped(&A.gs, g + size, PAGE_SIZE));
	/* 2 MiB aligned but 2 MiB + 4 KiB long: one extent and one page. */
	CHECK_EQ(memory_populate(&A, RAM_BASE + MiB(8), MEGAPAGE_SIZE + PAGE_SIZE),
		 OK);
	CHECK_EQ(leaf(&A.gs, RAM_BASE + MiB(8)), MEGAPAGE_SIZE);
	CHECK_EQ(leaf(&A.gs, RAM_BASE + MiB(10)), PAGE_SIZE);
	CHECK(unmapped(&A.gs, RAM_BASE + MiB(10) + PAGE_SIZE, PAGE_SIZE));
	CHECK_EQ(A.mem_pages, size / PAGE_SIZE + PAGES_2M + 1);
	CHECK_EQ(dom_pool.nfree, dom_start - A.mem_pages);
	/* All of RAM, the rest of it, in one call after the holes are gone. */
	teardown();
	setup();
	CHECK_EQ(memory_populate(&A, RAM_BASE, RAM_SIZE), OK);
	CHECK_EQ(A.mem_pages, RAM_SIZE / PAGE_SIZE);
	CHECK_EQ(dom_pool.nfree, dom_start - RAM_SIZE / PAGE_SIZE);
	for (uint64_t o = 0; o < RAM_SIZE; o += MEGAPAGE_SIZE)
		CHECK_EQ(leaf(&A.gs, RAM_BASE + o), MEGAPAGE_SIZE);
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
	tables = A.gs.table_pages;
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
	CHECK_EQ(A.gs.table_pages, tables);
	CHECK(unmapped(&A.gs, RAM_BASE, MiB(4)));
	CHECK(unmapped(&A.gs, RAM_BASE + MiB(6), MiB(2)));
	CHECK(unmapped(&A.gs, RAM_BASE + MiB(8) + PAGE_SIZE, MiB(8) - PAGE_SIZE));
	/* Another domain's same GPAs are its own business. */
	CHECK_EQ(memory_populate(&B, RAM_BASE + MiB(4), MEGAPAGE_SIZE), OK);
	CHECK(host(&B.gs, RAM_BASE + MiB(4)) != host(&A.gs, RAM_BASE + MiB(4)));
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
	CHECK_EQ(A.gs.table_pages, ROOT_PAGES);
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
	CHECK_EQ(A.gs.table_pages, ROOT_PAGES);
	CHECK(unmapped(&A.gs, RAM_BASE, RAM_SIZE));
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
		CHECK_EQ(leaf(&A.gs, RAM_BASE + o), PAGE_SIZE);
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
	CHECK_EQ(A.gs.table_pages, ROOT_PAGES);
	CHECK(unmapped(&A.gs, RAM_BASE, RAM_SIZE));
	unhold(&hyp_pool, hyp_held, &hyp_nheld);

	/* Failing on the very first chunk: the level-1 table walk_create got
	 * before the level-0 one ran out goes back to the heap too. */
	hold_until(&hyp_pool, hyp_held, &hyp_nheld, 1);
	CHECK_EQ(memory_populate(&A, RAM_BASE + PAGE_SIZE, PAGE_SIZE), FAILED);
	CHECK_EQ(dom_pool.nfree, nfree);
	CHECK_EQ(hyp_pool.nfree, 1);
	CHECK_EQ(A.gs.table_pages, ROOT_PAGES);
	unhold(&hyp_pool, hyp_held, &hyp_nheld);

	/* An extent (level-1 table only), then a page: no level-0 table. */
	hold_until(&hyp_pool, hyp_held, &hyp_nheld, 1);
	CHECK_EQ(memory_populate(&A, RAM_BASE, MEGAPAGE_SIZE + PAGE_SIZE), FAILED);
	CHECK_EQ(dom_pool.nfree, nfree);
	CHECK_EQ(A.mem_pages, 0);
	CHECK_EQ(hyp_pool.nfree, 1);
	CHECK_EQ(A.gs.table_pages, ROOT_PAGES);
	CHECK(unmapped(&A.gs, RAM_BASE, RAM_SIZE));
	/* With what is already populated kept as it was. */
	unhold(&hyp_pool, hyp_held, &hyp_nheld);
	CHECK_EQ(memory_populate(&A, RAM_BASE + MiB(8), PAGE_SIZE), OK);
	nfree = dom_pool.nfree;
	hold_until(&hyp_pool, hyp_held, &hyp_nheld, 0);
	CHECK_EQ(memory_populate(&A, RAM_BASE, MEGAPAGE_SIZE + PAGE_SIZE), FAILED);
	CHECK_EQ(dom_pool.nfree, nfree);
	CHECK_EQ(A.mem_pages, 1);
	CHECK_EQ(hyp_pool.nfree, 0);
	CHECK(unmapped(&A.gs, RAM_BASE, MiB(8)));
	CHECK(host(&A.gs, RAM_BASE + MiB(8)) != 0);
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
	CHECK_EQ(A.gs.table_pages, ROOT_PAGES);
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
	CHECK(unmapped(&A.gs, RAM_BASE, RAM_SIZE));
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
	CHECK_EQ(D0.gs.table_pages, ROOT_PAGES);
	CHECK(unmapped(&D0.gs, WB + MEGAPAGE_SIZE - PAGE_SIZE, 2 * PAGE_SIZE));
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
		CHECK(gstage_lookup_leaf(&A.gs, g, &got[n].pa, &got[n].size));
		memset((void *)got[n].pa, 0x5c, got[n].size);
		g += got[n++].size;
	}
	CHECK_EQ(n, 5);
	memset((void *)host(&B.gs, RAM_BASE), 0x7e, PAGE_SIZE);
	memory_release(&A);
	CHECK_EQ(A.mem_pages, 0);
	CHECK_EQ(dom_pool.nfree, dom_start - 1);
	CHECK_EQ(A.gs.table_pages, ROOT_PAGES);
	CHECK(unmapped(&A.gs, RAM_BASE, RAM_SIZE));
	for (unsigned i = 0; i < n; i++) {
		uint64_t first = (got[i].pa - dom_pool.base) >> PAGE_SHIFT;
		CHECK(zero(got[i].pa, got[i].size));
		for (uint64_t j = 0; j < got[i].size / PAGE_SIZE; j++)
			CHECK(!test_bit(dom_pool.bitmap, first + j));
	}
	/* B's page is untouched. */
	CHECK_EQ(B.mem_pages, 1);
	CHECK_EQ(*(uint8_t *)host(&B.gs, RAM_BASE), 0x7e);
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
	CHECK_EQ(leaf(&D0.gs, WB), MEGAPAGE_SIZE);
	CHECK_EQ(leaf(&D0.gs, WB + MiB(2)), MEGAPAGE_SIZE);
	/* Pages. */
	CHECK_EQ(foreign_map(&A, small, 16 * PAGE_SIZE, MiB(6)), OK);
	check_window(&A, small, 16 * PAGE_SIZE, MiB(6));
	CHECK_EQ(leaf(&D0.gs, WB + MiB(6)), PAGE_SIZE);
	CHECK(unmapped(&D0.gs, WB + MiB(6) + 16 * PAGE_SIZE, PAGE_SIZE));
	/* An extent at a misaligned window offset: pages. */
	CHECK_EQ(foreign_map(&A, RAM_BASE, MEGAPAGE_SIZE, MiB(10) + PAGE_SIZE), OK);
	check_window(&A, RAM_BASE, MEGAPAGE_SIZE, MiB(10) + PAGE_SIZE);
	CHECK_EQ(leaf(&D0.gs, WB + MiB(10) + PAGE_SIZE), PAGE_SIZE);
	CHECK_EQ(leaf(&D0.gs, WB + MiB(12)), PAGE_SIZE);
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
	*(volatile uint32_t *)host(&D0.gs, WB + MiB(6) + 8) = 0xfeedf00d;
	CHECK_EQ(*(uint32_t *)host(&A.gs, small + 8), 0xfeedf00d);
	CHECK_EQ(fl.hfence, hf); /* mapping needs no flush */
	/* The DomU's own accounting and mappings are unchanged. */
	CHECK_EQ(A.mem_pages, MiB(4) / PAGE_SIZE + 16);
	CHECK_EQ(leaf(&A.gs, RAM_BASE), MEGAPAGE_SIZE);
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
	tables = D0.gs.table_pages;

	/* Not populated, wholly or in part. */
	CHECK_EQ(foreign_map(&A, small + 16 * PAGE_SIZE, PAGE_SIZE, MiB(20)),
		 BADADDR);
	CHECK_EQ(foreign_map(&A, small + 15 * PAGE_SIZE, 2 * PAGE_SIZE, MiB(20)),
		 BADADDR);
	CHECK_EQ(foreign_map(&A, RAM_BASE + MiB(2) - PAGE_SIZE, 2 * PAGE_SIZE,
			     MiB(20)), BADADDR);
	CHECK_EQ(foreign_map(&B, RAM_BASE, PAGE_SIZE, MiB(20)), BADADDR);
	CHECK(unmapped(&D0.gs, WB + MiB(20), 2 * PAGE_SIZE));
	/* Window in use, wholly or in part. */
	CHECK_EQ(foreign_map(&A, RAM_BASE, PAGE_SIZE, MiB(6) + 3 * PAGE_SIZE),
		 AVAIL);
	CHECK_EQ(foreign_map(&A, RAM_BASE, 2 * PAGE_SIZE, MiB(6) - PAGE_SIZE),
		 AVAIL);
	CHECK_EQ(foreign_map(&A, RAM_BASE, MiB(2), MiB(6)), AVAIL);
	CHECK(unmapped(&D0.gs, WB + MiB(6) - PAGE_SIZE, PAGE_SIZE));
	CHECK(unmapped(&D0.gs, WB + MiB(6) + 4 * PAGE_SIZE, MiB(2) - 4 * PAGE_SIZE));
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
	CHECK_EQ(D0.gs.table_pages, tables);
	CHECK(unmapped(&D0.gs, WB + MiB(20), MiB(2)));

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
	CHECK(unmapped(&D0.gs, WB, MiB(4)));
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
	CHECK_EQ(D0.gs.table_pages, ROOT_PAGES); /* tables pruned */
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
	CHECK(unmapped(&D0.gs, WB + MAX_FOREIGN_MAPS * PAGE_SIZE, PAGE_SIZE));
	check_window(&A, RAM_BASE, PAGE_SIZE, (MAX_FOREIGN_MAPS - 1) * PAGE_SIZE);
	CHECK_EQ(foreign_unmap(5 * PAGE_SIZE, PAGE_SIZE), OK);
	CHECK_EQ(foreign_map(&A, RAM_BASE, PAGE_SIZE,
			     MAX_FOREIGN_MAPS * PAGE_SIZE), OK);
	check_window(&A, RAM_BASE, PAGE_SIZE, MAX_FOREIGN_MAPS * PAGE_SIZE);
	foreign_revoke(&A);
	CHECK(fmaps_empty());
	CHECK(unmapped(&D0.gs, WB, (MAX_FOREIGN_MAPS + 1) * PAGE_SIZE));
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
	CHECK(unmapped(&D0.gs, WB, MiB(2)));
	CHECK(unmapped(&D0.gs, WB + MiB(4), 8 * PAGE_SIZE));
	CHECK(unmapped(&D0.gs, WB + MiB(6), PAGE_SIZE));
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
	CHECK(unmapped(&D0.gs, WB, MiB(8)));
	CHECK_EQ(D0.gs.table_pages, ROOT_PAGES);
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
			gstage_destroy(&d[i]->gs);
		}
		CHECK(fmaps_empty());
		CHECK_EQ(D0.gs.table_pages, ROOT_PAGES);
		gstage_destroy(&D0.gs);
		CHECK_EQ(hyp_pool.nfree, hyp0);
		CHECK_EQ(dom_pool.nfree, dom0_free);
	}
}

/* ------------------------------------------------------- direct mappings */

static struct vireo_extent ext[8];
static unsigned n_ext;

static void collect(void *ctx, const struct vireo_extent *e)
{
	(void)ctx;
	if (n_ext < 8)
		ext[n_ext] = *e;
	n_ext++;
}

/* Every page of d's [gpa, gpa+size) is mapped in Dom0 at its own frame. */
static bool direct_ok(struct domain *d, gpa_t gpa, uint64_t size)
{
	for (uint64_t o = 0; o < size; o += PAGE_SIZE) {
		paddr_t pa, d0;
		if (!gstage_lookup(&d->gs, gpa + o, &pa, NULL) ||
		    !gstage_lookup(&D0.gs, pa, &d0, NULL) || d0 != pa)
			return false;
	}
	return true;
}

static void test_direct_map(void)
{
	const gpa_t small = RAM_BASE + MiB(4);
	paddr_t pa;

	setup();
	CHECK_EQ(memory_populate(&A, RAM_BASE, MiB(4)), OK);
	CHECK_EQ(memory_populate(&A, small, 4 * PAGE_SIZE), OK);
	CHECK(!memory_populated(&A, RAM_BASE, MiB(4) + 5 * PAGE_SIZE));
	CHECK(memory_populated(&A, RAM_BASE, MiB(4) + 4 * PAGE_SIZE));
	/* Extents: host-contiguous runs, cut at max. */
	n_ext = 0;
	CHECK_EQ(direct_extents(&A, RAM_BASE, MiB(4) + 4 * PAGE_SIZE, 8,
				collect, NULL), MiB(4) + 4 * PAGE_SIZE);
	CHECK(n_ext >= 1 && n_ext <= 6);
	CHECK_EQ(ext[0].gpa, RAM_BASE);
	gstage_lookup(&A.gs, RAM_BASE, &pa, NULL);
	CHECK_EQ(ext[0].hpa, pa);
	n_ext = 0;
	CHECK_EQ(direct_extents(&A, RAM_BASE, MiB(4) + 4 * PAGE_SIZE, 1,
				collect, NULL), ext[0].size);
	CHECK_EQ(n_ext, 1);

	/* Map all, then again (a no-op), then part of an extent. */
	CHECK_EQ(direct_map(&A, RAM_BASE, MiB(4) + 4 * PAGE_SIZE), OK);
	CHECK(A.direct_mapped);
	CHECK(direct_ok(&A, RAM_BASE, MiB(4) + 4 * PAGE_SIZE));
	CHECK_EQ(direct_map(&A, RAM_BASE, MiB(4) + 4 * PAGE_SIZE), OK);
	CHECK_EQ(direct_map(&A, RAM_BASE + PAGE_SIZE, 2 * PAGE_SIZE), OK);
	/* B's frames are not A's business: not mapped by it. */
	CHECK_EQ(memory_populate(&B, RAM_BASE, MiB(2)), OK);
	gstage_lookup(&B.gs, RAM_BASE, &pa, NULL);
	CHECK(unmapped(&D0.gs, pa, PAGE_SIZE));

	/* Revoke: every 1:1 entry goes, with a fence; B is untouched. */
	CHECK_EQ(direct_map(&B, RAM_BASE, MiB(2)), OK);
	unsigned hf = fl.hfence;
	direct_revoke(&A);
	CHECK(!A.direct_mapped);
	CHECK(fl.hfence > hf);
	gstage_lookup(&A.gs, RAM_BASE, &pa, NULL);
	CHECK(unmapped(&D0.gs, pa, MiB(2)));
	gstage_lookup(&A.gs, small, &pa, NULL);
	CHECK(unmapped(&D0.gs, pa, PAGE_SIZE));
	CHECK(direct_ok(&B, RAM_BASE, MiB(2)));
	direct_revoke(&B);
	teardown();
}

/* A map that starts inside an extent maps pages, then the rest whole. */
static void test_direct_map_partial_first(void)
{
	paddr_t pa;

	setup();
	CHECK_EQ(memory_populate(&A, RAM_BASE, MiB(4)), OK);
	CHECK_EQ(direct_map(&A, RAM_BASE + MiB(1), PAGE_SIZE), OK);
	CHECK_EQ(direct_map(&A, RAM_BASE, MiB(4)), OK); /* over that page */
	CHECK(direct_ok(&A, RAM_BASE, MiB(4)));
	gstage_lookup(&A.gs, RAM_BASE + MiB(2), &pa, NULL);
	CHECK_EQ(leaf(&D0.gs, pa), MEGAPAGE_SIZE);
	direct_revoke(&A);
	CHECK(unmapped(&D0.gs, pa, MiB(2)));
	teardown();
}

/*
 * Zero tracking: memory scrubbed when freed is handed out again without a
 * second pass, and memory not known zero is zeroed.
 */
static void test_populate_skips_scrubbed(void)
{
	static uint64_t clean_bm[DOM_PAGES / 64];
	paddr_t pa, pa2;

	setup();
	page_pool_track_clean(&dom_pool, clean_bm);
	/* Fresh pool pages are unknown (0xaa): zeroed. */
	CHECK_EQ(memory_populate(&A, RAM_BASE, MiB(2)), OK);
	CHECK(gstage_lookup(&A.gs, RAM_BASE, &pa, NULL));
	CHECK(zero(pa, MiB(2)));
	memset((void *)pa, 0x5c, MiB(2));
	memory_release(&A); /* scrubbed, and remembered as zero */
	CHECK(zero(pa, MiB(2)));
	/* Mark them so a second zeroing pass would show: none is made. */
	memset((void *)pa, 0x11, PAGE_SIZE);
	CHECK_EQ(memory_populate(&B, RAM_BASE, MiB(2)), OK);
	CHECK(gstage_lookup(&B.gs, RAM_BASE, &pa2, NULL));
	CHECK_EQ(pa2, pa);
	CHECK_EQ(*(uint8_t *)pa2, 0x11);
	memset((void *)pa2, 0, PAGE_SIZE);
	/* Taken: no longer known zero. B's frames, freed without the
	 * release path (a plain free), come back as unknown. */
	for (uint64_t i = 0; i < MiB(2) / PAGE_SIZE; i++)
		CHECK(!test_bit(clean_bm, ((pa2 - dom_pool.base) >> PAGE_SHIFT) + i));
	memory_release(&B);
	dom_pool.clean = NULL;
	teardown();
}

int main(void)
{
	hyp_arena = aligned_alloc(MEGAPAGE_SIZE, HYP_SIZE);
	/*
	 * The DomU pool sits low (1 GiB), inside the 41 bits a G-stage
	 * address has: Dom0's 1:1 (direct) mappings use its host addresses
	 * as guest-physical ones. (Under ASan, 1 GiB is ordinary low memory.)
	 */
	dom_arena = mmap((void *)GiB(1), DOM_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (!hyp_arena || dom_arena != (void *)GiB(1))
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
	RUN(test_direct_map);
	RUN(test_direct_map_partial_first);
	RUN(test_populate_skips_scrubbed);
	munmap(dom_arena, DOM_SIZE);
	free(hyp_arena);
	TEST_DONE();
}
