/*
 * Virtual PLIC: a trap-and-emulate model of the SiFive PLIC 1.0.0, one per
 * domain. Context i belongs to vCPU i's S-mode (the guest DT lists
 * <&cpuI_intc 9> in that order in interrupts-extended).
 *
 * Register map (offsets from the base, 32-bit accesses only):
 *   0x000000 + 4*src          priority of source src (1..VPLIC_MAX_SRC-1)
 *   0x001000 + 4*(src/32)     pending bits (read-only)
 *   0x002000 + 0x80*ctx       enable bits of context ctx
 *   0x200000 + 0x1000*ctx     priority threshold of context ctx
 *   0x200004 + 0x1000*ctx     claim (read) / complete (write)
 */
#ifndef VIREO_VPLIC_H
#define VIREO_VPLIC_H

#include "spinlock.h"
#include "types.h"

#define VPLIC_MAX_SRC 128 /* QEMU virt: sources 1..96 (riscv,ndev = 96) */
#define VPLIC_MAX_CTX 8
#define VPLIC_WORDS (VPLIC_MAX_SRC / 32)
#define VPLIC_PRIO_MASK 7
#define VPLIC_SIZE 0x4000000UL /* as QEMU virt's PLIC window */
#define VPLIC_ENABLE_BASE 0x2000UL /* the enable area: one page, 0x80 per context */
#define VPLIC_CONTEXT_BASE 0x200000UL /* a page per context: threshold, claim */

struct vplic;

/* Both callbacks run with vplic.lock held: they must not call into the vPLIC. */
struct vplic_ops {
	/* The external-interrupt line of context ctx changed to level. */
	void (*set_eip)(void *opaque, unsigned ctx, bool level);
	/* The guest completed hardware source src: complete it on the host. */
	void (*hw_complete)(void *opaque, unsigned src);
};

struct vplic {
	spinlock_t lock;
	unsigned nsrc; /* sources 1..nsrc-1 exist */
	unsigned nctx;
	const struct vplic_ops *ops;
	void *opaque;
	uint32_t prio[VPLIC_MAX_SRC];
	uint32_t pending[VPLIC_WORDS];
	uint32_t active[VPLIC_WORDS]; /* claimed, not yet completed */
	uint32_t level[VPLIC_WORDS];  /* input line is high */
	uint32_t hw[VPLIC_WORDS];     /* passed-through physical source */
	uint32_t enable[VPLIC_MAX_CTX][VPLIC_WORDS];
	uint32_t threshold[VPLIC_MAX_CTX];
	bool eip[VPLIC_MAX_CTX]; /* last level reported through set_eip */
	uint32_t *enable_shadow; /* NULL, or a copy laid out as the window */
	uint32_t *ctx_shadow[VPLIC_MAX_CTX]; /* NULL, or [0] threshold, [1] claim */
};

void vplic_init(struct vplic *p, unsigned nsrc, unsigned nctx,
		const struct vplic_ops *ops, void *opaque);
/* 32-bit MMIO access at offset off. Returns false for a bad offset/width. */
bool vplic_mmio_read(struct vplic *p, uint64_t off, uint32_t *val);
bool vplic_mmio_write(struct vplic *p, uint64_t off, uint32_t val);
/*
 * Keep a copy of the enable bits in page, laid out as the window's enable
 * area (context c's word w at byte 0x80 * c + 4 * w), from now on. The
 * caller maps it read-only over the guest's enable area: reads, which
 * Linux's PLIC driver makes on every EOI, then cost no trap, while
 * writes still trap and land here.
 */
void vplic_set_enable_shadow(struct vplic *p, uint32_t *page);
/*
 * The same for context ctx's threshold/claim page: the caller maps page
 * read-only over it. The vPLIC then claims for the context ahead of time:
 * whenever the page's claim word is 0 and a source is ready for ctx, it is
 * claimed at once and its id stored there, and the context's interrupt
 * line follows that word. A guest's claim read is a plain load; its
 * complete (a write, which traps) clears the word and claims the next.
 * Linux reads claim, handles, completes and reads again until 0, so it
 * sees what a PLIC would give it; a source disabled, masked by the
 * threshold or given priority 0 while claimed ahead is put back pending.
 */
void vplic_set_ctx_shadow(struct vplic *p, unsigned ctx, uint32_t *page);
/* Drive a level-triggered input line. */
void vplic_set_level(struct vplic *p, unsigned src, bool level);
/* Mark src as a passed-through physical source (completion goes to the host). */
void vplic_set_hw(struct vplic *p, unsigned src);
/* A physical source the host claimed: pend it until the guest completes it. */
void vplic_inject_hw(struct vplic *p, unsigned src);
/* Highest-priority claimable source for ctx, 0 if none (no side effects). */
unsigned vplic_best(struct vplic *p, unsigned ctx);

#endif
