/*
 * Host unit test of the 1:1 (direct) mappings of DomU frames into Dom0
 * and of the pool's zero tracking (kernel/core/memory.c, page_alloc.c),
 * over memory_harness.h's pools.
 */
#include "memory_harness.h"

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
		if (!p2m_lookup(&d->p2m, gpa + o, &pa, NULL) ||
		    !p2m_lookup(&D0.p2m, pa, &d0, NULL) || d0 != pa)
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
	p2m_lookup(&A.p2m, RAM_BASE, &pa, NULL);
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
	p2m_lookup(&B.p2m, RAM_BASE, &pa, NULL);
	CHECK(unmapped(&D0.p2m, pa, PAGE_SIZE));

	/* Revoke: every 1:1 entry goes, with a fence; B is untouched. */
	CHECK_EQ(direct_map(&B, RAM_BASE, MiB(2)), OK);
	unsigned hf = fl.hfence;
	direct_revoke(&A);
	CHECK(!A.direct_mapped);
	CHECK(fl.hfence > hf);
	p2m_lookup(&A.p2m, RAM_BASE, &pa, NULL);
	CHECK(unmapped(&D0.p2m, pa, MiB(2)));
	p2m_lookup(&A.p2m, small, &pa, NULL);
	CHECK(unmapped(&D0.p2m, pa, PAGE_SIZE));
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
	p2m_lookup(&A.p2m, RAM_BASE + MiB(2), &pa, NULL);
	CHECK_EQ(leaf(&D0.p2m, pa), MEGAPAGE_SIZE);
	direct_revoke(&A);
	CHECK(unmapped(&D0.p2m, pa, MiB(2)));
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
	CHECK(p2m_lookup(&A.p2m, RAM_BASE, &pa, NULL));
	CHECK(zero(pa, MiB(2)));
	memset((void *)pa, 0x5c, MiB(2));
	memory_release(&A); /* scrubbed, and remembered as zero */
	CHECK(zero(pa, MiB(2)));
	/* Mark them so a second zeroing pass would show: none is made. */
	memset((void *)pa, 0x11, PAGE_SIZE);
	CHECK_EQ(memory_populate(&B, RAM_BASE, MiB(2)), OK);
	CHECK(p2m_lookup(&B.p2m, RAM_BASE, &pa2, NULL));
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
	if (arenas_init())
		return 2;
	RUN(test_direct_map);
	RUN(test_direct_map_partial_first);
	RUN(test_populate_skips_scrubbed);
	arenas_fini();
	TEST_DONE();
}
