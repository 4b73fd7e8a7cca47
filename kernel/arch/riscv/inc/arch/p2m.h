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
#ifndef VIREO_ARCH_P2M_H
#define VIREO_ARCH_P2M_H

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

#define P2M_PROT_R PTE_R
#define P2M_PROT_W PTE_W
#define P2M_PROT_X PTE_X
#define P2M_PROT_RWX (PTE_R | PTE_W | PTE_X)

#define GSTAGE_GPA_BITS 41
#define P2M_GPA_BITS GSTAGE_GPA_BITS
#define GSTAGE_ROOT_ENTRIES 2048
#define GSTAGE_ROOT_ORDER 2 /* 4 pages */

/* A domain's guest-physical map: the root of its G-stage tables. */
struct p2m {
	pte_t *root;
	uint16_t vmid;
	uint32_t vmid_tag; /* vmid.c: this holder of the VMID; 0 = none */
	uint64_t table_pages; /* pages of page tables, root included */
};

/* hgatp value for this address space. */
unsigned long gstage_hgatp(const struct p2m *gs);

#endif
