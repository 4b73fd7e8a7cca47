/*
 * Host model of an architecture's G-stage: what kernel/core may know of a
 * p2m (the root, the VMID, the accounting). With this directory instead of
 * kernel/arch/riscv/inc, `make check` compiles kernel/core for the host, so
 * a RISC-V detail creeping into the core fails the build.
 */
#ifndef VIREO_HOST_ARCH_P2M_H
#define VIREO_HOST_ARCH_P2M_H

#include "types.h"

#define P2M_PROT_R 1UL
#define P2M_PROT_W 2UL
#define P2M_PROT_X 4UL
#define P2M_PROT_RWX 7UL
#define P2M_GPA_BITS 40

typedef uint64_t pte_t; /* a table entry, for p2m_unmap_defer()'s dead list */

struct p2m {
	pte_t *root;
	uint16_t vmid;
	uint32_t vmid_tag;
	uint64_t table_pages;
};

#endif
