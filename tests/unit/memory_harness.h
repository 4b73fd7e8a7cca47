/*
 * The harness of the host unit tests of guest memory (kernel/core/memory.c,
 * test_memory.c and test_memory_direct.c): both pools sit over real 2 MiB-
 * aligned arenas, so the G-stage tables and the guest pages are ordinary
 * host memory the tests can read and write. Included once per program.
 *
 * memory.c calls two RISC-V-only inlines: this_pcpu() (pcpu.h, reads tp)
 * and hfence_gvma_all() (csr.h). Their headers are included first, as they
 * are, and the two names are then redefined as macros for memory.c only, so
 * the real struct pcpu is used and no RISC-V asm is ever emitted.
 */
#ifndef VIREO_MEMORY_HARNESS_H
#define VIREO_MEMORY_HARNESS_H

#include "test.h"

#include <sys/mman.h>

#include "../../kernel/core/page_alloc.c"
#include "../../kernel/arch/riscv/p2m.c"

#include "domain.h"
#include "pcpu.h"

/* ------------------------------------------------------------ host stubs */
struct pcpu pcpus[MAX_PCPUS];
struct pcpu *boot_pcpu = &pcpus[0];
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
#include "../../kernel/arch/riscv/p2m_fence.c"

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

#define OK HC_SUCCESS
#define INVAL HC_ERR_INVALID_PARAM
#define FAILED HC_ERR_FAILED
#define BADADDR HC_ERR_INVALID_ADDRESS
#define AVAIL HC_ERR_ALREADY_AVAILABLE

static uint8_t *hyp_arena, *dom_arena;
static uint64_t hyp_bitmap[HYP_PAGES / 64];
static uint64_t dom_bitmap[DOM_PAGES / 64];
static uint64_t hyp_start, dom_start; /* nfree before any domain exists */
static struct domain D0, A, B;

/* Pages the test itself holds to shrink a pool (0 = given back). */
static paddr_t hyp_held[HYP_PAGES] __attribute__((unused));
static paddr_t dom_held[DOM_PAGES] __attribute__((unused));
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
	CHECK_EQ(p2m_init(&d->p2m, id + 1), 0);
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
	CHECK_EQ(D0.p2m.table_pages, ROOT_PAGES); /* the window left no tables */
	memory_release(&A);
	memory_release(&B);
	CHECK_EQ(A.mem_pages, 0);
	CHECK_EQ(B.mem_pages, 0);
	CHECK_EQ(A.p2m.table_pages, ROOT_PAGES);
	CHECK_EQ(B.p2m.table_pages, ROOT_PAGES);
	p2m_destroy(&A.p2m);
	p2m_destroy(&B.p2m);
	p2m_destroy(&D0.p2m);
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
static paddr_t host(const struct p2m *gs, gpa_t gpa)
{
	paddr_t pa;

	return p2m_lookup(gs, gpa, &pa, NULL) ? pa : 0;
}

/* Size of the leaf mapping gpa in gs, 0 if unmapped. */
static uint64_t leaf(const struct p2m *gs, gpa_t gpa)
{
	paddr_t pa;
	uint64_t size;

	return p2m_lookup_leaf(gs, gpa, &pa, &size) ? size : 0;
}

static bool unmapped(const struct p2m *gs, gpa_t gpa, uint64_t size)
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
		CHECK(p2m_lookup(&d->p2m, gpa + o, &pa, &prot));
		CHECK(in_dom_pool(pa));
		CHECK_EQ(prot, P2M_PROT_RWX);
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
		CHECK(p2m_lookup(&D0.p2m, WB + off + o, &pa, &prot));
		CHECK_EQ(pa, host(&d->p2m, gpa + o));
		CHECK(pa != 0);
		CHECK_EQ(prot, P2M_PROT_R | P2M_PROT_W); /* never X */
	}
}

/* The two arenas; 0, or 2 if they cannot be had. */
static int arenas_init(void)
{
	hyp_arena = aligned_alloc(MEGAPAGE_SIZE, HYP_SIZE);
	/*
	 * The DomU pool sits low (1 GiB), inside the 41 bits a G-stage
	 * address has: Dom0's 1:1 (direct) mappings use its host addresses
	 * as guest-physical ones. (Under ASan, 1 GiB is ordinary low memory.)
	 */
	dom_arena = mmap((void *)GiB(1), DOM_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	return hyp_arena && dom_arena == (void *)GiB(1) ? 0 : 2;
}

static void arenas_fini(void)
{
	munmap(dom_arena, DOM_SIZE);
	free(hyp_arena);
}

#endif
