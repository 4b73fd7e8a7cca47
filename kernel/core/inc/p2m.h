/*
 * A domain's guest-physical to host-physical map (Xen's p2m). The core
 * sees this interface; the architecture provides the tables behind it
 * (arch/riscv/p2m.c: the Sv39x4 G-stage) and struct p2m with the
 * P2M_PROT_* bits in <arch/p2m.h>.
 */
#ifndef VIREO_P2M_H
#define VIREO_P2M_H

#include <arch/p2m.h>

#include "types.h"

int p2m_init(struct p2m *gs, uint16_t vmid);
/*
 * Map [gpa, gpa+size) to [pa, pa+size) with prot (P2M_PROT_*), using 2 MiB
 * leaves where both addresses are 2 MiB aligned. Fails with -1 if any page
 * in the range is already mapped or memory runs out, and then has changed
 * nothing (the tables are allocated before any entry is written).
 */
int p2m_map(struct p2m *gs, gpa_t gpa, paddr_t pa, uint64_t size,
	    unsigned long prot);
/*
 * Unmap [gpa, gpa+size), splitting large leaves at the edges. The tables
 * it empties are freed at once: only for an address space no hart can be
 * walking (not loaded anywhere, or its VMID fenced before reuse).
 */
int p2m_unmap(struct p2m *gs, gpa_t gpa, uint64_t size);
/*
 * The same for a live address space: the emptied tables are unlinked onto
 * *dead (start with NULL) and freed by p2m_free_dead() once the caller
 * has fenced (hfence.gvma) every hart that may have walked them.
 */
int p2m_unmap_defer(struct p2m *gs, gpa_t gpa, uint64_t size, pte_t **dead);
void p2m_free_dead(pte_t **dead);
/* Translate gpa; returns false if unmapped. */
bool p2m_lookup(const struct p2m *gs, gpa_t gpa, paddr_t *pa,
		unsigned long *prot);
/* The leaf holding gpa: its base host address and size (4 KiB/2 MiB/1 GiB). */
bool p2m_lookup_leaf(const struct p2m *gs, gpa_t gpa, paddr_t *pa,
		     uint64_t *leaf_size);
/* Free every table page. The caller fences the VMID. */
void p2m_destroy(struct p2m *gs);
/* Every hart drops its cached translations of every domain (the arch's:
 * hfence.gvma on RISC-V). */
void p2m_flush_all_harts(void);

#endif
