/*
 * Sv39x4 G-stage page tables (layout in gstage.h). Table pages come from the
 * hypervisor heap; the hypervisor runs with satp = Bare, so a table's
 * physical address is also its pointer.
 */
#include "p2m.h"
#include "page_alloc.h"
#include "printk.h"

#define LEVELS 3
#define PTES_PER_TABLE 512

static inline unsigned vpn(gpa_t gpa, int level)
{
	unsigned bits = level == 2 ? 11 : 9;
	return (gpa >> (PAGE_SHIFT + 9 * level)) & ((1U << bits) - 1);
}

static inline uint64_t level_size(int level)
{
	return 1UL << (PAGE_SHIFT + 9 * level);
}

static inline bool pte_leaf(pte_t pte)
{
	return pte & (PTE_R | PTE_W | PTE_X);
}

static inline pte_t *pte_table(pte_t pte)
{
	return (pte_t *)((pte >> PTE_PPN_SHIFT) << PAGE_SHIFT);
}

static inline pte_t make_leaf(paddr_t pa, unsigned long prot)
{
	pte_t pte = ((pa >> PAGE_SHIFT) << PTE_PPN_SHIFT) | PTE_V | PTE_U |
		    PTE_A | (prot & (PTE_R | PTE_W | PTE_X));
	if (prot & PTE_W)
		pte |= PTE_D;
	return pte;
}

static inline pte_t make_table(const pte_t *t)
{
	return (((paddr_t)t >> PAGE_SHIFT) << PTE_PPN_SHIFT) | PTE_V;
}

int p2m_init(struct p2m *gs, uint16_t vmid)
{
	gs->vmid = vmid;
	gs->vmid_tag = 0;
	gs->root = page_alloc(GSTAGE_ROOT_ORDER);
	if (!gs->root)
		return -1;
	gs->table_pages = 1U << GSTAGE_ROOT_ORDER;
	return 0;
}

unsigned long gstage_hgatp(const struct p2m *gs)
{
	return (8UL << 60) | ((unsigned long)(gs->vmid & 0x3fffU) << 44) |
	       ((paddr_t)gs->root >> PAGE_SHIFT);
}

/*
 * Table pages not linked into any G-stage, chained through entry 0. Used
 * for tables reserved before a map (nothing can walk them yet) and for
 * tables unlinked by p2m_unmap_defer (a stale walker reading one sees
 * entry 0 as a page-aligned value, so V clear: an invalid PTE).
 */
static void table_push(pte_t **list, pte_t *t)
{
	t[0] = (pte_t)(paddr_t)*list;
	*list = t;
}

static pte_t *table_pop(pte_t **list)
{
	pte_t *t = *list;

	if (t) {
		*list = (pte_t *)(paddr_t)t[0];
		t[0] = 0;
	}
	return t;
}

/* The level p2m_map gives the leaf at gpa: 2 MiB where it can. */
static int map_level(gpa_t gpa, paddr_t pa, uint64_t left)
{
	return IS_ALIGNED(gpa | pa, MEGAPAGE_SIZE) && left >= MEGAPAGE_SIZE;
}

/*
 * Tables that mapping [gpa, gpa+size) to pa will add. The range is walked
 * in order, so a table still to be created is counted once, when first met
 * (last[l]: the GPA span, at the parent's level l, of the last one counted).
 */
static uint64_t tables_needed(const struct p2m *gs, gpa_t gpa, paddr_t pa,
			      uint64_t size)
{
	uint64_t n = 0, last[LEVELS] = {~0UL, ~0UL, ~0UL};

	for (uint64_t off = 0; off < size;) {
		gpa_t g = gpa + off;
		int level = map_level(g, pa + off, size - off);
		const pte_t *table = gs->root;
		for (int l = LEVELS - 1; l > level; l--) {
			pte_t pte = table ? table[vpn(g, l)] : 0;
			uint64_t span = g >> (PAGE_SHIFT + 9 * l);
			if (pte & PTE_V) {
				table = pte_table(pte);
				continue;
			}
			if (span != last[l]) {
				last[l] = span;
				n++;
			}
			table = NULL;
		}
		off += level_size(level);
	}
	return n;
}

/* The PTE for gpa at level, creating tables above it from *spare. */
static pte_t *walk_create(struct p2m *gs, gpa_t gpa, int level,
			  pte_t **spare)
{
	pte_t *table = gs->root;

	for (int l = LEVELS - 1; l > level; l--) {
		pte_t *pte = &table[vpn(gpa, l)];
		if (!(*pte & PTE_V)) {
			pte_t *t = table_pop(spare);
			BUG_ON(!t); /* tables_needed() miscounted */
			gs->table_pages++;
			*pte = make_table(t);
		}
		BUG_ON(pte_leaf(*pte));
		table = pte_table(*pte);
	}
	return &table[vpn(gpa, level)];
}

/* The valid leaf mapping gpa, with its level; NULL if unmapped. */
static pte_t *walk_find(const struct p2m *gs, gpa_t gpa, int *level)
{
	pte_t *table = gs->root;

	for (int l = LEVELS - 1; l >= 0; l--) {
		pte_t *pte = &table[vpn(gpa, l)];
		if (!(*pte & PTE_V))
			return NULL;
		if (pte_leaf(*pte)) {
			*level = l;
			return pte;
		}
		table = pte_table(*pte);
	}
	return NULL;
}

static bool range_free(const struct p2m *gs, gpa_t gpa, uint64_t size)
{
	int level;

	for (uint64_t off = 0; off < size;) {
		pte_t *pte = walk_find(gs, gpa + off, &level);
		if (pte)
			return false;
		off += PAGE_SIZE;
	}
	return true;
}

static void prune(struct p2m *gs, gpa_t gpa, pte_t **dead);

static void free_tables(pte_t **list)
{
	for (pte_t *t; (t = table_pop(list));)
		page_free(t, 0);
}

int p2m_map(struct p2m *gs, gpa_t gpa, paddr_t pa, uint64_t size,
	       unsigned long prot)
{
	pte_t *spare = NULL;

	if (!IS_ALIGNED(gpa | pa | size, PAGE_SIZE) || !size ||
	    gpa + size > (1UL << GSTAGE_GPA_BITS) || gpa + size < gpa ||
	    !(prot & (PTE_R | PTE_X)) || ((prot & PTE_W) && !(prot & PTE_R)) ||
	    !range_free(gs, gpa, size))
		return -1;
	/*
	 * Every table first, so that running out of memory changes nothing:
	 * a failed map never has entries to take back, which other harts
	 * could have walked before the unmap and would need a fence for.
	 */
	for (uint64_t n = tables_needed(gs, gpa, pa, size); n; n--) {
		pte_t *t = page_alloc(0);
		if (!t) {
			free_tables(&spare);
			return -1;
		}
		table_push(&spare, t);
	}
	for (uint64_t off = 0; off < size;) {
		int level = map_level(gpa + off, pa + off, size - off);
		pte_t *pte = walk_create(gs, gpa + off, level, &spare);
		if (*pte & PTE_V) {
			/* A level-0 table emptied by unmap (range_free saw no
			 * page in it): free it, or the leaf would leak it. */
			BUG_ON(level != 1 || pte_leaf(*pte));
			page_free(pte_table(*pte), 0);
			gs->table_pages--;
		}
		*pte = make_leaf(pa + off, prot);
		off += level_size(level);
	}
	BUG_ON(spare); /* tables_needed() miscounted */
	return 0;
}

/* Replace a 2 MiB leaf by a table of 512 4 KiB leaves with the same mapping. */
static int split_megapage(struct p2m *gs, pte_t *pte)
{
	pte_t *t = page_alloc(0);
	paddr_t pa = (*pte >> PTE_PPN_SHIFT) << PAGE_SHIFT;
	unsigned long prot = *pte & (PTE_R | PTE_W | PTE_X);

	if (!t)
		return -1;
	gs->table_pages++;
	for (unsigned i = 0; i < PTES_PER_TABLE; i++)
		t[i] = make_leaf(pa + i * PAGE_SIZE, prot);
	*pte = make_table(t);
	return 0;
}

static bool table_empty(const pte_t *t)
{
	for (unsigned i = 0; i < PTES_PER_TABLE; i++)
		if (t[i])
			return false;
	return true;
}

/*
 * Free the tables on gpa's path that the last unmap left empty, bottom up,
 * so that the heap comes back exactly after a map and unmap. With dead,
 * they are only unlinked and go on *dead instead.
 */
static void prune(struct p2m *gs, gpa_t gpa, pte_t **dead)
{
	pte_t *parents[LEVELS];
	pte_t *table = gs->root;
	int l;

	for (l = LEVELS - 1; l > 0; l--) {
		pte_t *pte = &table[vpn(gpa, l)];
		if (!(*pte & PTE_V) || pte_leaf(*pte))
			break;
		parents[l] = pte;
		table = pte_table(*pte);
	}
	/* table is now the lowest table on the path; parents[l+1..] lead to it */
	for (l = l + 1; l < LEVELS; l++) {
		if (!table_empty(table))
			return;
		*parents[l] = 0;
		if (dead)
			table_push(dead, table);
		else
			page_free(table, 0);
		gs->table_pages--;
		table = l + 1 < LEVELS ? pte_table(*parents[l + 1]) : gs->root;
	}
}

static int unmap(struct p2m *gs, gpa_t gpa, uint64_t size, pte_t **dead)
{
	int level;

	if (!IS_ALIGNED(gpa | size, PAGE_SIZE) ||
	    gpa + size > (1UL << GSTAGE_GPA_BITS) || gpa + size < gpa)
		return -1;
	for (uint64_t off = 0; off < size;) {
		pte_t *pte = walk_find(gs, gpa + off, &level);
		if (!pte) {
			off += PAGE_SIZE;
			continue;
		}
		uint64_t lsize = level_size(level);
		if (level > 0 && (!IS_ALIGNED(gpa + off, lsize) ||
				  size - off < lsize)) {
			if (level != 1 || split_megapage(gs, pte))
				return -1;
			continue;
		}
		*pte = 0;
		prune(gs, gpa + off, dead);
		off += lsize;
	}
	return 0;
}

int p2m_unmap(struct p2m *gs, gpa_t gpa, uint64_t size)
{
	return unmap(gs, gpa, size, NULL);
}

int p2m_unmap_defer(struct p2m *gs, gpa_t gpa, uint64_t size,
		       pte_t **dead)
{
	return unmap(gs, gpa, size, dead);
}

void p2m_free_dead(pte_t **dead)
{
	free_tables(dead);
}

/* The valid leaf for any gpa, range-checked; NULL if unmapped. */
static pte_t *lookup_pte(const struct p2m *gs, gpa_t gpa, int *level)
{
	if (gpa >= (1UL << GSTAGE_GPA_BITS))
		return NULL;
	return walk_find(gs, gpa, level);
}

bool p2m_lookup_leaf(const struct p2m *gs, gpa_t gpa, paddr_t *pa,
			uint64_t *leaf_size)
{
	int level;
	pte_t *pte = lookup_pte(gs, gpa, &level);

	if (!pte)
		return false;
	*leaf_size = level_size(level);
	*pa = (*pte >> PTE_PPN_SHIFT) << PAGE_SHIFT;
	return true;
}

bool p2m_lookup(const struct p2m *gs, gpa_t gpa, paddr_t *pa,
		   unsigned long *prot)
{
	int level;
	pte_t *pte = lookup_pte(gs, gpa, &level);

	if (!pte)
		return false;
	if (pa)
		*pa = ((*pte >> PTE_PPN_SHIFT) << PAGE_SHIFT) +
		      (gpa & (level_size(level) - 1));
	if (prot)
		*prot = *pte & (PTE_R | PTE_W | PTE_X);
	return true;
}

static void free_table(struct p2m *gs, pte_t *t, int level, unsigned n)
{
	for (unsigned i = 0; level > 0 && i < n; i++)
		if ((t[i] & PTE_V) && !pte_leaf(t[i]))
			free_table(gs, pte_table(t[i]), level - 1,
				   PTES_PER_TABLE);
	if (t != gs->root) {
		page_free(t, 0);
		gs->table_pages--;
	}
}

void p2m_destroy(struct p2m *gs)
{
	if (!gs->root)
		return;
	free_table(gs, gs->root, LEVELS - 1, GSTAGE_ROOT_ENTRIES);
	page_free(gs->root, GSTAGE_ROOT_ORDER);
	gs->table_pages = 0;
	gs->root = NULL;
}
