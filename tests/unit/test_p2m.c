/* Host unit test of the Sv39x4 G-stage tables (kernel/arch/riscv/p2m.c). */
#include "test.h"

#include "../../kernel/core/page_alloc.c"

/* p2m.c's page_alloc, with a look at the tables when the heap is dry. */
static void (*on_oom)(void);
static void *test_page_alloc(unsigned order)
{
	void *p = page_alloc(order);

	if (!p && on_oom)
		on_oom();
	return p;
}
#define page_alloc test_page_alloc
#include "../../kernel/arch/riscv/p2m.c"
#undef page_alloc

#define ARENA_SIZE MiB(16)
#define ARENA_PAGES (ARENA_SIZE >> PAGE_SHIFT)
#define LEAF_BASE (PTE_V | PTE_U | PTE_A)
#define RWX P2M_PROT_RWX

static uint8_t *arena;
static uint64_t bitmap[ARENA_PAGES / 64];
static struct p2m G;
static uint64_t pool_start; /* hyp_pool.nfree before p2m_init */

static void setup(void)
{
	page_pool_init(&hyp_pool, (paddr_t)arena, ARENA_PAGES, bitmap);
	memset(arena, 0xa5, ARENA_SIZE); /* tables must come out zeroed */
	pool_start = hyp_pool.nfree;
	memset(&G, 0x5a, sizeof(G));
	CHECK_EQ(p2m_init(&G, 0x2a), 0);
}

static void teardown(void)
{
	p2m_destroy(&G);
	CHECK(G.root == NULL);
	CHECK_EQ(G.table_pages, 0);
	CHECK_EQ(hyp_pool.nfree, pool_start);
}

/* Our own walk of the tables, independent of p2m.c: leaf PTE + level. */
static pte_t walk(gpa_t gpa, int *level)
{
	const pte_t *t = G.root;

	for (int l = 2; l >= 0; l--) {
		unsigned idx = l == 2 ? (gpa >> 30) & 0x7ff
				      : (gpa >> (12 + 9 * l)) & 0x1ff;
		pte_t pte = t[idx];
		if (!(pte & PTE_V))
			return 0;
		if (pte & (PTE_R | PTE_W | PTE_X)) {
			*level = l;
			return pte;
		}
		/* Non-leaf: only V, and a PPN inside the heap. */
		CHECK_EQ(pte & 0x3ff, PTE_V);
		t = (const pte_t *)((pte >> PTE_PPN_SHIFT) << PAGE_SHIFT);
		CHECK((uint8_t *)t >= arena && (uint8_t *)t < arena + ARENA_SIZE);
	}
	return 0;
}

static paddr_t pte_pa(pte_t pte)
{
	return (pte >> PTE_PPN_SHIFT) << PAGE_SHIFT;
}

/* gpa translates to pa with prot. */
static void check_xlate(gpa_t gpa, paddr_t pa, unsigned long prot)
{
	paddr_t got = 0;
	unsigned long gprot = 0;

	CHECK(p2m_lookup(&G, gpa, &got, &gprot));
	CHECK_EQ(got, pa);
	CHECK_EQ(gprot, prot);
}

static bool mapped(gpa_t gpa)
{
	paddr_t pa;
	unsigned long prot;

	return p2m_lookup(&G, gpa, &pa, &prot);
}

static void test_init_hgatp(void)
{
	setup();
	CHECK(G.root != NULL);
	CHECK(IS_ALIGNED((paddr_t)G.root, KiB(16)));
	CHECK_EQ(G.table_pages, 4);
	CHECK_EQ(G.vmid, 0x2a);
	CHECK_EQ(hyp_pool.nfree, pool_start - 4);
	bool zero = true;
	for (unsigned i = 0; i < GSTAGE_ROOT_ENTRIES; i++)
		zero &= G.root[i] == 0;
	CHECK(zero);

	unsigned long h = gstage_hgatp(&G);
	CHECK_EQ(h >> 60, 8);
	CHECK_EQ((h >> 58) & 3, 0);
	CHECK_EQ((h >> 44) & 0x3fff, 0x2a);
	CHECK_EQ(h & ((1UL << 44) - 1), (paddr_t)G.root >> 12);
	teardown();

	/* Largest 14-bit VMID. */
	setup();
	p2m_destroy(&G);
	CHECK_EQ(p2m_init(&G, 0x3fff), 0);
	h = gstage_hgatp(&G);
	CHECK_EQ(h >> 60, 8);
	CHECK_EQ((h >> 44) & 0x3fff, 0x3fff);
	CHECK_EQ((h >> 58) & 3, 0);
	CHECK_EQ(h & ((1UL << 44) - 1), (paddr_t)G.root >> 12);
	teardown();
}

static void test_megapages(void)
{
	const gpa_t gpa = 0x80000000UL;
	const paddr_t pa = 0x1c0000000UL;
	int level = -1;

	setup();
	CHECK_EQ(p2m_map(&G, gpa, pa, MiB(4), RWX), 0);
	/* Only one level-1 table was needed: two 2 MiB leaves in it. */
	CHECK_EQ(G.table_pages, 4 + 1);
	CHECK_EQ(hyp_pool.nfree, pool_start - 5);
	for (unsigned k = 0; k < 2; k++) {
		pte_t pte = walk(gpa + k * MEGAPAGE_SIZE, &level);
		CHECK_EQ(level, 1);
		CHECK_EQ(pte & 0x3ff, LEAF_BASE | PTE_R | PTE_W | PTE_X | PTE_D);
		CHECK_EQ(pte_pa(pte), pa + k * MEGAPAGE_SIZE);
		CHECK_EQ(pte >> 54, 0); /* reserved, PBMT, N */
	}
	/* Lookups inside the megapages, and just outside. */
	check_xlate(gpa, pa, RWX);
	check_xlate(gpa + 0x123, pa + 0x123, RWX);
	check_xlate(gpa + MEGAPAGE_SIZE - 1, pa + MEGAPAGE_SIZE - 1, RWX);
	check_xlate(gpa + MEGAPAGE_SIZE + 0x45678, pa + MEGAPAGE_SIZE + 0x45678,
		    RWX);
	check_xlate(gpa + MiB(4) - 1, pa + MiB(4) - 1, RWX);
	CHECK(!mapped(gpa - 1));
	CHECK(!mapped(gpa + MiB(4)));
	CHECK(!mapped(0));
	/* NULL out-parameters are allowed. */
	CHECK(p2m_lookup(&G, gpa + 8, NULL, NULL));

	/* Another 2 MiB in the same 1 GiB: no new table. */
	CHECK_EQ(p2m_map(&G, gpa + MiB(8), pa + MiB(8), MEGAPAGE_SIZE,
			    P2M_PROT_R),
		 0);
	CHECK_EQ(G.table_pages, 5);
	pte_t pte = walk(gpa + MiB(8), &level);
	CHECK_EQ(level, 1);
	CHECK_EQ(pte & 0x3ff, LEAF_BASE | PTE_R); /* no W, so no D */
	teardown();
}

/* The root has 2048 entries: GPAs 512 GiB apart must not alias. */
static void test_high_gpa(void)
{
	const gpa_t lo = 0x80000000UL;
	int level = -1;

	setup();
	for (unsigned k = 0; k < 4; k++) {
		gpa_t g = lo + GiB(512) * k;
		CHECK_EQ(p2m_map(&G, g, 0x100000000UL + MiB(2) * k, MiB(2),
				    RWX),
			 0);
		CHECK_EQ(p2m_map(&G, g + MiB(2), 0x200000000UL + PAGE_SIZE * k,
				    PAGE_SIZE, P2M_PROT_R),
			 0);
	}
	CHECK_EQ(G.table_pages, 4 + 4 * 2);
	for (unsigned k = 0; k < 4; k++) {
		gpa_t g = lo + GiB(512) * k;
		pte_t pte = walk(g, &level);
		CHECK_EQ(level, 1);
		CHECK_EQ(pte_pa(pte), 0x100000000UL + MiB(2) * k);
		CHECK(G.root[(g >> 30) & 0x7ff] & PTE_V);
		check_xlate(g + 0x1234, 0x100001234UL + MiB(2) * k, RWX);
		check_xlate(g + MiB(2) + 0x10, 0x200000010UL + PAGE_SIZE * k,
			    P2M_PROT_R);
	}
	/* The very last GiB uses root entry 2047. */
	const gpa_t top = (1UL << GSTAGE_GPA_BITS) - MiB(2);
	CHECK_EQ(p2m_map(&G, top, 0x300000000UL, MiB(2), RWX), 0);
	CHECK(G.root[2047] & PTE_V);
	walk(top + MiB(1), &level);
	CHECK_EQ(level, 1);
	check_xlate(top + MiB(2) - 1, 0x300000000UL + MiB(2) - 1, RWX);
	CHECK(!mapped(top - GiB(512)));
	/* Unmapping one of the aliases leaves the others. */
	CHECK_EQ(p2m_unmap(&G, lo + GiB(1024), MiB(4)), 0);
	CHECK(!mapped(lo + GiB(1024)));
	check_xlate(lo, 0x100000000UL, RWX);
	check_xlate(lo + GiB(512) + MiB(2), 0x200001000UL, P2M_PROT_R);
	check_xlate(lo + GiB(1536), 0x100000000UL + MiB(6), RWX);
	teardown();
}

static void test_small_pages(void)
{
	const gpa_t gpa = 0x10000000UL;
	int level = -1;

	setup();
	CHECK_EQ(p2m_map(&G, gpa, 0x90001000UL, PAGE_SIZE,
			    P2M_PROT_R | P2M_PROT_W),
		 0);
	CHECK_EQ(G.table_pages, 4 + 2); /* a level-1 and a level-0 table */
	pte_t pte = walk(gpa, &level);
	CHECK_EQ(level, 0);
	CHECK_EQ(pte & 0x3ff, LEAF_BASE | PTE_R | PTE_W | PTE_D);
	CHECK_EQ(pte_pa(pte), 0x90001000UL);
	check_xlate(gpa, 0x90001000UL, P2M_PROT_R | P2M_PROT_W);
	check_xlate(gpa + 0xfff, 0x90001fffUL, P2M_PROT_R | P2M_PROT_W);
	CHECK(!mapped(gpa + PAGE_SIZE));
	CHECK(!mapped(gpa - PAGE_SIZE));

	/* Neighbour in the same level-0 table: no new table. */
	CHECK_EQ(p2m_map(&G, gpa + PAGE_SIZE, 0x50000000UL, PAGE_SIZE,
			    P2M_PROT_X),
		 0);
	CHECK_EQ(G.table_pages, 6);
	pte = walk(gpa + PAGE_SIZE, &level);
	CHECK_EQ(level, 0);
	CHECK_EQ(pte & 0x3ff, LEAF_BASE | PTE_X); /* execute-only, no D */
	check_xlate(gpa + PAGE_SIZE + 8, 0x50000008UL, P2M_PROT_X);

	/* gpa 2 MiB aligned but pa not: 512 small pages, one more table. */
	const gpa_t g2 = 0x40000000UL;
	CHECK_EQ(p2m_map(&G, g2, 0x80201000UL, MEGAPAGE_SIZE, RWX), 0);
	CHECK_EQ(G.table_pages, 6 + 2);
	for (unsigned i = 0; i < 512; i += 73) {
		pte = walk(g2 + i * PAGE_SIZE, &level);
		CHECK_EQ(level, 0);
		CHECK_EQ(pte_pa(pte), 0x80201000UL + i * PAGE_SIZE);
	}
	check_xlate(g2 + MEGAPAGE_SIZE - 1, 0x80201000UL + MEGAPAGE_SIZE - 1,
		    RWX);

	/* A range with small pages at both ends and a megapage between. */
	const gpa_t g3 = 0x7ff000UL; /* 8 MiB - 4 KiB */
	const paddr_t p3 = 0xa07ff000UL;
	CHECK_EQ(p2m_map(&G, g3, p3, MEGAPAGE_SIZE + 2 * PAGE_SIZE, RWX), 0);
	walk(g3, &level);
	CHECK_EQ(level, 0);
	walk(g3 + PAGE_SIZE, &level);
	CHECK_EQ(level, 1);
	walk(g3 + PAGE_SIZE + MEGAPAGE_SIZE, &level);
	CHECK_EQ(level, 0);
	check_xlate(g3 + 0x10, p3 + 0x10, RWX);
	check_xlate(g3 + 0x1000 + 0x12345, p3 + 0x1000 + 0x12345, RWX);
	check_xlate(g3 + MEGAPAGE_SIZE + 0x1fff, p3 + MEGAPAGE_SIZE + 0x1fff,
		    RWX);
	CHECK(!mapped(g3 + MEGAPAGE_SIZE + 2 * PAGE_SIZE));
	CHECK(!mapped(g3 - 1));
	teardown();
}

static void test_overlap(void)
{
	const gpa_t gpa = 0x80000000UL;

	setup();
	CHECK_EQ(p2m_map(&G, gpa + MiB(2) + KiB(8), 0x1000000UL, PAGE_SIZE,
			    P2M_PROT_R),
		 0);
	uint64_t tp = G.table_pages, nf = hyp_pool.nfree;
	/* Overlaps only in its last 2 MiB, at one small page. */
	CHECK_EQ(p2m_map(&G, gpa - MiB(2), 0x2000000UL, MiB(6), RWX), -1);
	CHECK_EQ(G.table_pages, tp);
	CHECK_EQ(hyp_pool.nfree, nf);
	CHECK(!mapped(gpa - MiB(2)));
	CHECK(!mapped(gpa));
	CHECK(!mapped(gpa + MiB(2)));
	check_xlate(gpa + MiB(2) + KiB(8), 0x1000000UL, P2M_PROT_R);
	/* Exactly the same page again. */
	CHECK_EQ(p2m_map(&G, gpa + MiB(2) + KiB(8), 0x3000000UL, PAGE_SIZE,
			    RWX),
		 -1);
	check_xlate(gpa + MiB(2) + KiB(8), 0x1000000UL, P2M_PROT_R);

	/* A small page inside an existing megapage. */
	CHECK_EQ(p2m_map(&G, gpa, 0x4000000UL, MiB(2), RWX), 0);
	tp = G.table_pages;
	nf = hyp_pool.nfree;
	CHECK_EQ(p2m_map(&G, gpa + KiB(12), 0x5000000UL, PAGE_SIZE, RWX), -1);
	CHECK_EQ(p2m_map(&G, gpa + MiB(2) - PAGE_SIZE, 0x5000000UL,
			    2 * PAGE_SIZE, RWX),
		 -1);
	CHECK_EQ(G.table_pages, tp);
	CHECK_EQ(hyp_pool.nfree, nf);
	int level = -1;
	walk(gpa, &level);
	CHECK_EQ(level, 1);
	check_xlate(gpa + KiB(12), 0x4000000UL + KiB(12), RWX);
	CHECK(!mapped(gpa + MiB(2)));
	teardown();
}

static void test_bad_args(void)
{
	const gpa_t top = 1UL << GSTAGE_GPA_BITS;

	setup();
	/* Unaligned gpa, pa, size; zero size. */
	CHECK_EQ(p2m_map(&G, 0x1001000UL + 8, 0x2000000UL, PAGE_SIZE, RWX), -1);
	CHECK_EQ(p2m_map(&G, 0x1001000UL, 0x2000000UL + 8, PAGE_SIZE, RWX), -1);
	CHECK_EQ(p2m_map(&G, 0x1001000UL, 0x2000000UL, PAGE_SIZE + 1, RWX), -1);
	CHECK_EQ(p2m_map(&G, 0x1001000UL, 0x2000000UL, 0, RWX), -1);
	/* Beyond the 41-bit guest-physical space, or wrapping. */
	CHECK_EQ(p2m_map(&G, top, 0x2000000UL, PAGE_SIZE, RWX), -1);
	CHECK_EQ(p2m_map(&G, top - PAGE_SIZE, 0x2000000UL, 2 * PAGE_SIZE,
			    RWX),
		 -1);
	CHECK_EQ(p2m_map(&G, top - MiB(2), 0x2000000UL, MiB(4), RWX), -1);
	CHECK_EQ(p2m_map(&G, 1UL << 50, 0x2000000UL, PAGE_SIZE, RWX), -1);
	CHECK_EQ(p2m_map(&G, -PAGE_SIZE, 0x2000000UL, 2 * PAGE_SIZE, RWX), -1);
	CHECK_EQ(p2m_map(&G, PAGE_SIZE, 0x2000000UL, -PAGE_SIZE, RWX), -1);
	/* Invalid permissions: none, write-only, write+execute without read. */
	CHECK_EQ(p2m_map(&G, 0x1001000UL, 0x2000000UL, PAGE_SIZE, 0), -1);
	CHECK_EQ(p2m_map(&G, 0x1001000UL, 0x2000000UL, PAGE_SIZE,
			    P2M_PROT_W),
		 -1);
	CHECK_EQ(p2m_map(&G, 0x1001000UL, 0x2000000UL, PAGE_SIZE,
			    P2M_PROT_W | P2M_PROT_X),
		 -1);
	/* Nothing was mapped, no table was allocated. */
	CHECK_EQ(G.table_pages, 4);
	CHECK(!mapped(0x1001000UL));
	CHECK(!mapped(0));
	/* The last page below 2^41 is fine. */
	CHECK_EQ(p2m_map(&G, top - PAGE_SIZE, 0x2000000UL, PAGE_SIZE,
			    P2M_PROT_R),
		 0);
	check_xlate(top - 1, 0x2000fffUL, P2M_PROT_R);
	/* Lookups beyond 2^41 must not alias low addresses. */
	CHECK_EQ(p2m_map(&G, 0, 0x3000000UL, PAGE_SIZE, RWX), 0);
	check_xlate(0, 0x3000000UL, RWX);
	CHECK(!mapped(top));
	CHECK(!mapped(top + PAGE_SIZE - 1));
	CHECK(!mapped(top * 2 - 1));
	CHECK(!mapped(-1UL));
	/* Nor unmaps: and unaligned unmaps fail. */
	CHECK(p2m_unmap(&G, top, PAGE_SIZE) != 0);
	CHECK(p2m_unmap(&G, -PAGE_SIZE, 2 * PAGE_SIZE) != 0);
	CHECK_EQ(p2m_unmap(&G, 8, PAGE_SIZE), -1);
	CHECK_EQ(p2m_unmap(&G, 0, PAGE_SIZE - 8), -1);
	check_xlate(0, 0x3000000UL, RWX);
	teardown();
}

static void test_prot_bits(void)
{
	static const unsigned long prots[] = {
		P2M_PROT_R,
		P2M_PROT_X,
		P2M_PROT_R | P2M_PROT_W,
		P2M_PROT_R | P2M_PROT_X,
		RWX,
	};

	setup();
	for (unsigned i = 0; i < ARRAY_SIZE(prots); i++) {
		gpa_t gpa = 0x100000000UL + i * MiB(4);
		int level = -1;

		/* One megapage and one small page per protection. */
		CHECK_EQ(p2m_map(&G, gpa, 0x80000000UL, MiB(2), prots[i]), 0);
		CHECK_EQ(p2m_map(&G, gpa + MiB(2), 0x80000000UL, PAGE_SIZE,
				    prots[i]),
			 0);
		for (unsigned k = 0; k < 2; k++) {
			pte_t pte = walk(gpa + k * MiB(2), &level);
			CHECK_EQ(level, 1 - (int)k);
			pte_t want = LEAF_BASE | prots[i];
			if (prots[i] & PTE_W)
				want |= PTE_D;
			CHECK_EQ(pte & 0x3ff, want);
			CHECK_EQ(pte_pa(pte), 0x80000000UL);
		}
		check_xlate(gpa + 0x777, 0x80000777UL, prots[i]);
		check_xlate(gpa + MiB(2) + 0x777, 0x80000777UL, prots[i]);
	}
	/* Extra bits in prot do not leak into the PTE. */
	CHECK_EQ(p2m_map(&G, 0x200000000UL, 0x80000000UL, PAGE_SIZE,
			    P2M_PROT_R | PTE_G | PTE_V | (1UL << 60)),
		 0);
	int level = -1;
	CHECK_EQ(walk(0x200000000UL, &level), LEAF_BASE | PTE_R |
						   (0x80000UL << PTE_PPN_SHIFT));
	teardown();
}

static void test_split(void)
{
	const gpa_t gpa = 0x80000000UL;
	const paddr_t pa = 0x240000000UL;
	const unsigned long rw = P2M_PROT_R | P2M_PROT_W;
	int level = -1;

	setup();
	CHECK_EQ(p2m_map(&G, gpa, pa, MiB(4), rw), 0);
	CHECK_EQ(G.table_pages, 5);
	/* Punch a 4 KiB hole in the middle of the first megapage. */
	const gpa_t hole = gpa + 100 * PAGE_SIZE;
	CHECK_EQ(p2m_unmap(&G, hole, PAGE_SIZE), 0);
	CHECK_EQ(G.table_pages, 6);
	CHECK(!mapped(hole));
	CHECK(!mapped(hole + PAGE_SIZE - 1));
	check_xlate(hole - 1, pa + 100 * PAGE_SIZE - 1, rw);
	check_xlate(hole + PAGE_SIZE, pa + 101 * PAGE_SIZE, rw);
	check_xlate(gpa, pa, rw);
	check_xlate(gpa + MiB(2) - 1, pa + MiB(2) - 1, rw);
	/* The split leaves are small pages with the same bits. */
	pte_t pte = walk(gpa, &level);
	CHECK_EQ(level, 0);
	CHECK_EQ(pte & 0x3ff, LEAF_BASE | PTE_R | PTE_W | PTE_D);
	pte = walk(gpa + 511 * PAGE_SIZE, &level);
	CHECK_EQ(level, 0);
	CHECK_EQ(pte_pa(pte), pa + 511 * PAGE_SIZE);
	bool all = true;
	for (unsigned i = 0; i < 512; i++)
		if (i != 100)
			all &= p2m_lookup(&G, gpa + i * PAGE_SIZE, NULL, NULL);
	CHECK(all);
	/* The second megapage is untouched. */
	walk(gpa + MiB(2), &level);
	CHECK_EQ(level, 1);
	check_xlate(gpa + MiB(3), pa + MiB(3), rw);

	/* Unmap across the boundary of the two: splits the second too. */
	CHECK_EQ(p2m_unmap(&G, gpa + MiB(1), MiB(2)), 0);
	CHECK_EQ(G.table_pages, 7);
	CHECK(!mapped(gpa + MiB(1)));
	CHECK(!mapped(gpa + MiB(2)));
	CHECK(!mapped(gpa + MiB(3) - 1));
	check_xlate(gpa + MiB(1) - 1, pa + MiB(1) - 1, rw);
	check_xlate(gpa + MiB(3), pa + MiB(3), rw);
	check_xlate(gpa + MiB(4) - 1, pa + MiB(4) - 1, rw);

	/* Unmapping a whole aligned megapage does not split it. */
	CHECK_EQ(p2m_map(&G, gpa + MiB(6), pa, MiB(2), rw), 0);
	uint64_t tp = G.table_pages;
	CHECK_EQ(p2m_unmap(&G, gpa + MiB(6), MiB(2)), 0);
	CHECK_EQ(G.table_pages, tp);
	CHECK(!mapped(gpa + MiB(6)));
	CHECK(!mapped(gpa + MiB(8) - 1));
	teardown();
}

static void test_unmap_unmapped(void)
{
	setup();
	CHECK_EQ(p2m_map(&G, 0x80000000UL, 0x80000000UL, MiB(2), RWX), 0);
	uint64_t tp = G.table_pages, nf = hyp_pool.nfree;
	CHECK_EQ(p2m_unmap(&G, 0x10000000UL, MiB(4)), 0);
	CHECK_EQ(p2m_unmap(&G, 0x80200000UL, PAGE_SIZE), 0);
	CHECK_EQ(p2m_unmap(&G, 0x0, 0), 0);
	CHECK_EQ(G.table_pages, tp);
	CHECK_EQ(hyp_pool.nfree, nf);
	check_xlate(0x80000000UL, 0x80000000UL, RWX);
	/* Unmapping twice is fine. */
	CHECK_EQ(p2m_unmap(&G, 0x80000000UL, MiB(2)), 0);
	CHECK_EQ(p2m_unmap(&G, 0x80000000UL, MiB(2)), 0);
	CHECK(!mapped(0x80000000UL));
	teardown();
}

/* Emptied tables must not leak when a megapage is mapped over them. */
static void test_remap_over_empty_table(void)
{
	const gpa_t gpa = 0x80000000UL;
	int level = -1;

	setup();
	/* A small page, unmapped: its level-0 table stays, empty. */
	CHECK_EQ(p2m_map(&G, gpa + PAGE_SIZE, 0x1000UL, PAGE_SIZE, RWX), 0);
	CHECK_EQ(p2m_unmap(&G, gpa + PAGE_SIZE, PAGE_SIZE), 0);
	CHECK_EQ(p2m_map(&G, gpa, 0x200000UL, MiB(2), RWX), 0);
	walk(gpa, &level);
	CHECK_EQ(level, 1);
	check_xlate(gpa + PAGE_SIZE, 0x201000UL, RWX);

	/* Split, then unmap everything, then map the megapage again. */
	CHECK_EQ(p2m_unmap(&G, gpa + MiB(1), PAGE_SIZE), 0);
	CHECK_EQ(p2m_unmap(&G, gpa, MiB(2)), 0);
	CHECK(!mapped(gpa));
	CHECK_EQ(p2m_map(&G, gpa, 0x400000UL, MiB(2), P2M_PROT_R), 0);
	walk(gpa, &level);
	CHECK_EQ(level, 1);
	check_xlate(gpa + MiB(1), 0x500000UL, P2M_PROT_R);
	/* Every table page is accounted for and reachable: only root + L1. */
	CHECK_EQ(G.table_pages, 4 + 1);
	CHECK_EQ(hyp_pool.nfree, pool_start - G.table_pages);
	teardown();
}

static void test_out_of_memory(void)
{
	setup();
	/* Leave exactly one free page in the heap. */
	paddr_t hog = page_pool_alloc(&hyp_pool, hyp_pool.nfree - 1, 1);
	uint64_t hog_n = pool_start - 4 - 1;
	CHECK(hog != 0);
	CHECK_EQ(hyp_pool.nfree, 1);
	/* Spans two 1 GiB regions: the second level-1 table cannot be had. */
	const gpa_t gpa = GiB(2) - MiB(4);
	CHECK_EQ(p2m_map(&G, gpa, 0x80000000UL, MiB(8), RWX), -1);
	CHECK(!mapped(gpa));
	CHECK(!mapped(gpa + MiB(2)));
	CHECK(!mapped(gpa + MiB(4)));
	CHECK_EQ(G.table_pages + hyp_pool.nfree, 4 + 1);
	/* Splitting needs a page too. */
	page_pool_free(&hyp_pool, hog, hog_n);
	CHECK_EQ(p2m_map(&G, 0, 0, MiB(2), RWX), 0);
	hog = page_pool_alloc(&hyp_pool, hyp_pool.nfree, 1);
	hog_n = pool_start - G.table_pages;
	CHECK_EQ(hyp_pool.nfree, 0);
	CHECK_EQ(p2m_unmap(&G, PAGE_SIZE, PAGE_SIZE), -1);
	check_xlate(PAGE_SIZE, PAGE_SIZE, RWX);
	page_pool_free(&hyp_pool, hog, hog_n);
	teardown();
}

/* Hold all but n pages of the heap; returns what to give back. */
static paddr_t hold_all_but(uint64_t n, uint64_t *held)
{
	*held = hyp_pool.nfree - n;
	return *held ? page_pool_alloc(&hyp_pool, *held, 1) : 0;
}

/*
 * A map that runs out of memory changes nothing at all: no entry, not
 * even a table pointer, is written before every table it needs is had,
 * so there is nothing that another hart could have walked. With exactly
 * the tables it needs, it succeeds (p2m.c counts them exactly).
 */
static pte_t snap_root[GSTAGE_ROOT_ENTRIES], snap_l1[512], snap_l0[512];
static const pte_t *live_l1, *live_l0;
static unsigned ooms;

/* At the moment memory runs out, nothing may have been written yet. */
static void check_untouched(void)
{
	ooms++;
	CHECK(!memcmp(snap_root, G.root, sizeof(snap_root)));
	CHECK(!memcmp(snap_l1, live_l1, sizeof(snap_l1)));
	CHECK(!memcmp(snap_l0, live_l0, sizeof(snap_l0)));
}

static void test_map_all_or_nothing(void)
{
	static const struct {
		gpa_t gpa;
		paddr_t pa;
		uint64_t size;
		unsigned tables; /* it needs, after the set-up mapping */
	} cases[] = {
		/* a page, two extents, a page; over a 1 GiB line: 2 L1 + 2 L0 */
		{GiB(3) - MiB(2) - PAGE_SIZE, 0x80000000UL - MiB(2) - PAGE_SIZE,
		 MiB(4) + 2 * PAGE_SIZE, 4},
		/* extents only, three 1 GiB regions: 3 L1 */
		{GiB(8) - MiB(2), 0x40000000UL, GiB(1) + MiB(4), 3},
		/* next to the set-up mapping: its tables are there */
		{GiB(1) + MiB(2) + 8 * PAGE_SIZE, 0x1000UL, 4 * PAGE_SIZE, 0},
		{GiB(1) + MiB(4), 0x200000UL, MiB(2) + PAGE_SIZE, 1},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t held, tp, nf;
		paddr_t hog;

		setup();
		/* Set-up: one page at 1 GiB + 2 MiB (an L1 and an L0 table). */
		CHECK_EQ(p2m_map(&G, GiB(1) + MiB(2), 0x9000UL, PAGE_SIZE, RWX),
			 0);
		live_l1 = pte_table(G.root[1]);
		live_l0 = pte_table(live_l1[1]);
		memcpy(snap_root, G.root, sizeof(snap_root));
		memcpy(snap_l1, live_l1, sizeof(snap_l1));
		memcpy(snap_l0, live_l0, sizeof(snap_l0));
		tp = G.table_pages;
		if (cases[i].tables) {
			hog = hold_all_but(cases[i].tables - 1, &held);
			nf = hyp_pool.nfree;
			ooms = 0;
			on_oom = check_untouched;
			CHECK_EQ(p2m_map(&G, cases[i].gpa, cases[i].pa,
					    cases[i].size, RWX), -1);
			on_oom = NULL;
			CHECK_EQ(ooms, 1);
			CHECK_EQ(G.table_pages, tp);
			CHECK_EQ(hyp_pool.nfree, nf);
			check_untouched();
			for (uint64_t o = 0; o < cases[i].size; o += PAGE_SIZE)
				CHECK(!mapped(cases[i].gpa + o));
			page_pool_free(&hyp_pool, hog, held);
		}
		hog = hold_all_but(cases[i].tables, &held);
		CHECK_EQ(p2m_map(&G, cases[i].gpa, cases[i].pa, cases[i].size,
				    RWX), 0);
		CHECK_EQ(hyp_pool.nfree, 0);
		CHECK_EQ(G.table_pages, tp + cases[i].tables);
		for (uint64_t o = 0; o < cases[i].size; o += PAGE_SIZE)
			check_xlate(cases[i].gpa + o, cases[i].pa + o, RWX);
		if (held)
			page_pool_free(&hyp_pool, hog, held);
		teardown();
	}
}

/*
 * p2m_unmap_defer unlinks the tables it empties but frees none: they
 * wait on the caller's list, every entry invalid, until it has fenced.
 */
static void test_unmap_defer(void)
{
	pte_t *dead = NULL;
	uint64_t nf;
	unsigned n = 0;

	setup();
	/* A page, an extent, a page: an L1 and two L0 tables. */
	CHECK_EQ(p2m_map(&G, GiB(5) + MiB(2) - PAGE_SIZE,
			    0x80000000UL - PAGE_SIZE, MiB(2) + 2 * PAGE_SIZE, RWX),
		 0);
	CHECK_EQ(G.table_pages, 4 + 1 + 2);
	nf = hyp_pool.nfree;
	/* The first page: its L0 table is unlinked, not freed. */
	CHECK_EQ(p2m_unmap_defer(&G, GiB(5) + MiB(2) - PAGE_SIZE, PAGE_SIZE,
				    &dead), 0);
	CHECK(dead != NULL);
	CHECK_EQ(G.table_pages, 4 + 1 + 1);
	CHECK_EQ(hyp_pool.nfree, nf);
	check_xlate(GiB(5) + MiB(2), 0x80000000UL, RWX);
	/* The rest: the other L0 table and the L1 table follow. */
	CHECK_EQ(p2m_unmap_defer(&G, GiB(5), GiB(1), &dead), 0);
	CHECK_EQ(G.table_pages, 4);
	CHECK_EQ(G.root[5], 0);
	for (uint64_t o = 0; o < MiB(6); o += PAGE_SIZE)
		CHECK(!mapped(GiB(5) + o));
	CHECK_EQ(hyp_pool.nfree, nf);
	/* What a stale walker of a dead table reads is invalid. */
	for (pte_t *t = dead; t && n < 8; t = (pte_t *)(paddr_t)t[0], n++)
		for (unsigned e = 0; e < 512; e++)
			CHECK(!(t[e] & PTE_V));
	CHECK_EQ(n, 3);
	p2m_free_dead(&dead);
	CHECK(dead == NULL);
	CHECK_EQ(hyp_pool.nfree, nf + 3);
	p2m_free_dead(&dead); /* an empty list: nothing */
	CHECK_EQ(hyp_pool.nfree, nf + 3);
	teardown();
}

static void test_destroy(void)
{
	setup();
	/* Many tables in many places. */
	for (unsigned i = 0; i < 8; i++) {
		gpa_t g = GiB(1) * (i * 37 % 2048) + MiB(2) * i;
		CHECK_EQ(p2m_map(&G, g, 0x80000000UL, MiB(4), RWX), 0);
		CHECK_EQ(p2m_map(&G, g + MiB(6) + PAGE_SIZE, 0x80000000UL,
				    PAGE_SIZE * 3, RWX),
			 0);
		CHECK_EQ(p2m_unmap(&G, g + MiB(1), PAGE_SIZE), 0);
	}
	CHECK_EQ(hyp_pool.nfree, pool_start - G.table_pages);
	CHECK(G.table_pages > 8 * 3);
	teardown();
	/* Destroying twice, or an address space that never mapped. */
	p2m_destroy(&G);
	CHECK_EQ(hyp_pool.nfree, pool_start);
	setup();
	teardown();
}

int main(void)
{
	arena = aligned_alloc(MEGAPAGE_SIZE, ARENA_SIZE);
	if (!arena)
		return 2;
	RUN(test_init_hgatp);
	RUN(test_megapages);
	RUN(test_high_gpa);
	RUN(test_small_pages);
	RUN(test_overlap);
	RUN(test_bad_args);
	RUN(test_prot_bits);
	RUN(test_split);
	RUN(test_unmap_unmapped);
	RUN(test_map_all_or_nothing);
	RUN(test_unmap_defer);
	RUN(test_remap_over_empty_table);
	RUN(test_out_of_memory);
	RUN(test_destroy);
	free(arena);
	TEST_DONE();
}
