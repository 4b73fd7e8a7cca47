/*
 * G-stage (second-stage) translation, Sv39x4: a 41-bit guest-physical address
 * is split as
 *
 *   40        30 29      21 20      12 11          0
 *  +------------+----------+----------+-------------+
 *  | VPN[2] 11b | VPN[1] 9b| VPN[0] 9b| page offset |
 *  +------------+----------+----------+-------------+
 *
 * The root table has 2048 entries (16 KiB, 16 KiB-aligned); the two lower
 * levels are ordinary 512-entry Sv39 tables. Leaves may sit at any level:
 * 1 GiB (root), 2 MiB (level 1) or 4 KiB (level 0). Every leaf has U=1,
 * because G-stage accesses are checked as user accesses, and A (plus D when
 * writable) set, so no hardware A/D update is ever needed.
 */
#ifndef VIREO_GSTAGE_H
#define VIREO_GSTAGE_H

#include "types.h"

typedef uint64_t pte_t;

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_PPN_SHIFT 10

#define GSTAGE_PROT_R PTE_R
#define GSTAGE_PROT_W PTE_W
#define GSTAGE_PROT_X PTE_X
#define GSTAGE_PROT_RWX (PTE_R | PTE_W | PTE_X)

#define GSTAGE_GPA_BITS 41
#define GSTAGE_ROOT_ENTRIES 2048
#define GSTAGE_ROOT_ORDER 2 /* 4 pages */

struct gstage {
	pte_t *root;
	uint16_t vmid;
	uint32_t vmid_tag; /* vmid.c: this holder of the VMID; 0 = none */
	uint64_t table_pages; /* pages of page tables, root included */
};

int gstage_init(struct gstage *gs, uint16_t vmid);
/*
 * Map [gpa, gpa+size) to [pa, pa+size) with prot (GSTAGE_PROT_*), using 2 MiB
 * leaves where both addresses are 2 MiB aligned. Fails with -1 if any page
 * in the range is already mapped or memory runs out, and then has changed
 * nothing (the tables are allocated before any entry is written).
 */
int gstage_map(struct gstage *gs, gpa_t gpa, paddr_t pa, uint64_t size,
	       unsigned long prot);
/*
 * Unmap [gpa, gpa+size), splitting large leaves at the edges. The tables
 * it empties are freed at once: only for an address space no hart can be
 * walking (not loaded anywhere, or its VMID fenced before reuse).
 */
int gstage_unmap(struct gstage *gs, gpa_t gpa, uint64_t size);
/*
 * The same for a live address space: the emptied tables are unlinked onto
 * *dead (start with NULL) and freed by gstage_free_dead() once the caller
 * has fenced (hfence.gvma) every hart that may have walked them.
 */
int gstage_unmap_defer(struct gstage *gs, gpa_t gpa, uint64_t size,
		       pte_t **dead);
void gstage_free_dead(pte_t **dead);
/* Translate gpa; returns false if unmapped. */
bool gstage_lookup(const struct gstage *gs, gpa_t gpa, paddr_t *pa,
		   unsigned long *prot);
/* The leaf holding gpa: its base host address and size (4 KiB/2 MiB/1 GiB). */
bool gstage_lookup_leaf(const struct gstage *gs, gpa_t gpa, paddr_t *pa,
			uint64_t *leaf_size);
/* Free every table page. The caller fences the VMID. */
void gstage_destroy(struct gstage *gs);
/* hgatp value for this address space. */
unsigned long gstage_hgatp(const struct gstage *gs);

#endif
