/*
 * Virtual PLIC (SiFive PLIC 1.0.0). The register map is drawn at the top of
 * inc/vplic.h; the offsets below name its pieces.
 *
 * Decoding follows the spec's full layout (1024 sources, 15872 contexts),
 * which fills the VPLIC_SIZE window exactly:
 *   - Registers of a source that does not exist (source 0, sources >= nsrc,
 *     up to the spec's 1023) read as zero and ignore writes: priority words,
 *     pending words and enable words past VPLIC_WORDS, and enable bits.
 *   - Everything else is refused (the access returns false and the trap
 *     handler raises a guest access fault): misaligned offsets, the reserved
 *     hole 0x1080..0x1fff after the pending bits, enable and context blocks
 *     of contexts >= nctx (this also covers the reserved hole
 *     0x1f2000..0x1fffff), the reserved words of a context block after the
 *     claim register, and offsets >= VPLIC_SIZE.
 *   Guests never touch the refused holes, so a fault there points at a bug.
 *
 * Interrupt model. Each source has a gateway: a level source (vplic_set_level)
 * is pending while its line is high and it is not being serviced; a hardware
 * source (vplic_set_hw, vplic_inject_hw) is pended once per host claim and its
 * completion is forwarded to the host. A source that is pending, enabled for
 * a context, not active (claimed and not completed) and whose priority is
 * above the context's threshold can interrupt that context; the highest
 * priority wins, and the lowest id breaks ties.
 *
 * Locking: every entry point takes p->lock. The ops callbacks run with it
 * held, so they must not call back into the same vPLIC.
 */
#include <arch/vplic.h>

#include "printk.h"

/* Register offsets from the base of the window. */
#define VPLIC_PRIORITY       0x000000UL  /* + 4*src: priority of src */
#define VPLIC_PENDING        0x001000UL  /* + 4*word: pending bits, read-only */
#define VPLIC_PENDING_END    0x001080UL  /* end of pending (1024 sources) */
#define VPLIC_ENABLE         0x002000UL  /* + STRIDE*ctx + 4*word: enables */
#define VPLIC_ENABLE_STRIDE  0x80UL      /* enable bits of one context */
#define VPLIC_CONTEXT        0x200000UL  /* + STRIDE*ctx: context block */
#define VPLIC_CONTEXT_STRIDE 0x1000UL    /* one block: THRESHOLD, CLAIM */
#define VPLIC_CTX_THRESHOLD  0x0UL       /* priority threshold */
#define VPLIC_CTX_CLAIM      0x4UL       /* claim (read) / complete (write) */

enum vplic_reg {
	VPLIC_REG_PRIORITY,
	VPLIC_REG_PENDING,
	VPLIC_REG_ENABLE,
	VPLIC_REG_THRESHOLD,
	VPLIC_REG_CLAIM,
};

/* A decoded access; idx is a source (priority) or a word (pending/enable). */
struct vplic_regref {
	enum vplic_reg reg;
	unsigned idx;
	unsigned ctx;
};

static bool vplic_src_valid(const struct vplic *p, unsigned src)
{
	return src != 0 && src < p->nsrc;
}

static bool vplic_test(const uint32_t *bits, unsigned n)
{
	return (bits[n / 32] >> (n % 32)) & 1;
}

static void vplic_set(uint32_t *bits, unsigned n)
{
	bits[n / 32] |= 1U << (n % 32);
}

static void vplic_clear(uint32_t *bits, unsigned n)
{
	bits[n / 32] &= ~(1U << (n % 32));
}

/* Bits of word w that stand for existing sources (1..nsrc-1). */
static uint32_t vplic_word_mask(const struct vplic *p, unsigned w)
{
	unsigned first = w * 32;
	uint32_t mask;

	if (p->nsrc <= first)
		return 0;
	if (p->nsrc - first >= 32)
		mask = 0xffffffffU;
	else
		mask = (1U << (p->nsrc - first)) - 1;
	if (w == 0)
		mask &= ~1U; /* source 0 does not exist */
	return mask;
}

void vplic_init(struct vplic *p, unsigned nsrc, unsigned nctx,
		const struct vplic_ops *ops, void *opaque)
{
	unsigned i, c;

	BUG_ON(nsrc > VPLIC_MAX_SRC || nctx > VPLIC_MAX_CTX || !ops);
	p->lock = (spinlock_t)SPINLOCK_INIT;
	p->nsrc = nsrc;
	p->nctx = nctx;
	p->ops = ops;
	p->opaque = opaque;
	for (i = 0; i < VPLIC_MAX_SRC; i++)
		p->prio[i] = 0;
	for (i = 0; i < VPLIC_WORDS; i++) {
		p->pending[i] = 0;
		p->active[i] = 0;
		p->level[i] = 0;
		p->hw[i] = 0;
		for (c = 0; c < VPLIC_MAX_CTX; c++)
			p->enable[c][i] = 0;
	}
	for (c = 0; c < VPLIC_MAX_CTX; c++) {
		p->threshold[c] = 0;
		p->eip[c] = false;
	}
	p->enable_shadow = NULL;
	for (c = 0; c < VPLIC_MAX_CTX; c++)
		p->ctx_shadow[c] = NULL;
}

/*
 * Index of the lowest set bit of x != 0 (a de Bruijn multiply: libgcc's
 * __ctzsi2 would bring its lookup table, built for another float ABI).
 */
static unsigned ctz32(uint32_t x)
{
	static const uint8_t pos[32] = {
		0, 1, 28, 2, 29, 14, 24, 3, 30, 22, 20, 15, 25, 17, 4, 8,
		31, 27, 13, 23, 21, 19, 16, 7, 26, 12, 18, 6, 11, 5, 10, 9};

	return pos[((x & -x) * 0x077CB531U) >> 27];
}

/* Runs on every interrupt and claim: only the words in use, set bits only. */
/* Words of a context's shadow page (the window's context block). */
#define SHADOW_THRESHOLD 0
#define SHADOW_CLAIM 1

static void vplic_update_eip(struct vplic *p);

void vplic_set_ctx_shadow(struct vplic *p, unsigned ctx, uint32_t *page)
{
	if (ctx >= p->nctx)
		return;
	spin_lock(&p->lock);
	page[SHADOW_THRESHOLD] = p->threshold[ctx];
	page[SHADOW_CLAIM] = 0;
	p->ctx_shadow[ctx] = page;
	vplic_update_eip(p);
	spin_unlock(&p->lock);
}

void vplic_set_enable_shadow(struct vplic *p, uint32_t *page)
{
	spin_lock(&p->lock);
	for (unsigned c = 0; c < p->nctx; c++)
		for (unsigned w = 0; w < VPLIC_WORDS; w++)
			page[c * VPLIC_ENABLE_STRIDE / 4 + w] = p->enable[c][w];
	p->enable_shadow = page;
	spin_unlock(&p->lock);
}

static unsigned vplic_best_locked(const struct vplic *p, unsigned ctx)
{
	unsigned w, best = 0, words = (p->nsrc + 31) / 32;
	uint32_t best_prio = p->threshold[ctx];

	for (w = 0; w < words && w < VPLIC_WORDS; w++) {
		uint32_t cand = p->pending[w] & p->enable[ctx][w] & ~p->active[w];

		while (cand) {
			unsigned src = w * 32 + ctz32(cand);

			cand &= cand - 1;
			/* Strictly greater: the lowest id wins a tie. */
			if (p->prio[src] > best_prio) {
				best = src;
				best_prio = p->prio[src];
			}
		}
	}
	return best;
}

unsigned vplic_best(struct vplic *p, unsigned ctx)
{
	unsigned best;

	if (ctx >= p->nctx)
		return 0;
	spin_lock(&p->lock);
	best = vplic_best_locked(p, ctx);
	spin_unlock(&p->lock);
	return best;
}

static uint32_t vplic_claim(struct vplic *p, unsigned ctx);

/* A source claimed ahead that ctx may no longer take goes back pending. */
static void vplic_shadow_recheck(struct vplic *p, unsigned ctx)
{
	uint32_t *sh = p->ctx_shadow[ctx];
	uint32_t x = sh ? sh[SHADOW_CLAIM] : 0;

	if (!x || (vplic_test(p->enable[ctx], x) &&
		   p->prio[x] > p->threshold[ctx]))
		return;
	__atomic_store_n(&sh[SHADOW_CLAIM], 0, __ATOMIC_RELEASE);
	vplic_clear(p->active, x);
	vplic_set(p->pending, x);
}

/* With a shadow page, claim ahead; the line follows the claim word. */
static bool vplic_ctx_level(struct vplic *p, unsigned ctx)
{
	uint32_t *sh = p->ctx_shadow[ctx];

	if (!sh)
		return vplic_best_locked(p, ctx) != 0;
	if (!sh[SHADOW_CLAIM])
		__atomic_store_n(&sh[SHADOW_CLAIM], vplic_claim(p, ctx),
				 __ATOMIC_RELEASE);
	return sh[SHADOW_CLAIM] != 0;
}

/* Report each context's external-interrupt line, but only when it changed. */
static void vplic_update_eip(struct vplic *p)
{
	unsigned ctx;

	for (ctx = 0; ctx < p->nctx; ctx++) {
		bool level = vplic_ctx_level(p, ctx);

		if (level != p->eip[ctx]) {
			p->eip[ctx] = level;
			p->ops->set_eip(p->opaque, ctx, level);
		}
	}
}

static uint32_t vplic_claim(struct vplic *p, unsigned ctx)
{
	unsigned src = vplic_best_locked(p, ctx);

	if (src) {
		vplic_clear(p->pending, src);
		vplic_set(p->active, src);
	}
	return src;
}

/*
 * Completion is ignored for a source that does not exist, is not active, or
 * is not enabled for the completing context (PLIC 1.0.0 spec).
 */
static void vplic_complete(struct vplic *p, unsigned ctx, uint32_t src)
{
	if (src == 0 || src >= p->nsrc)
		return;
	if (!vplic_test(p->enable[ctx], src) || !vplic_test(p->active, src))
		return;
	vplic_clear(p->active, src);
	if (vplic_test(p->hw, src))
		p->ops->hw_complete(p->opaque, src);
	else if (vplic_test(p->level, src))
		vplic_set(p->pending, src);
}

/* Map an offset to a register; false for the holes listed at the top. */
static bool vplic_decode(const struct vplic *p, uint64_t off,
			 struct vplic_regref *r)
{
	if (!IS_ALIGNED(off, 4) || off >= VPLIC_SIZE)
		return false;
	r->ctx = 0;
	if (off < VPLIC_PENDING) {
		r->reg = VPLIC_REG_PRIORITY;
		r->idx = (off - VPLIC_PRIORITY) / 4;
		return true;
	}
	if (off < VPLIC_PENDING_END) {
		r->reg = VPLIC_REG_PENDING;
		r->idx = (off - VPLIC_PENDING) / 4;
		return true;
	}
	if (off < VPLIC_ENABLE)
		return false;
	if (off < VPLIC_CONTEXT) {
		r->reg = VPLIC_REG_ENABLE;
		r->ctx = (off - VPLIC_ENABLE) / VPLIC_ENABLE_STRIDE;
		r->idx = (off - VPLIC_ENABLE) % VPLIC_ENABLE_STRIDE / 4;
		return r->ctx < p->nctx;
	}
	r->ctx = (off - VPLIC_CONTEXT) / VPLIC_CONTEXT_STRIDE;
	switch ((off - VPLIC_CONTEXT) % VPLIC_CONTEXT_STRIDE) {
	case VPLIC_CTX_THRESHOLD:
		r->reg = VPLIC_REG_THRESHOLD;
		break;
	case VPLIC_CTX_CLAIM:
		r->reg = VPLIC_REG_CLAIM;
		break;
	default:
		return false;
	}
	return r->ctx < p->nctx;
}

static uint32_t vplic_reg_read(struct vplic *p, const struct vplic_regref *r)
{
	switch (r->reg) {
	case VPLIC_REG_PRIORITY:
		return vplic_src_valid(p, r->idx) ? p->prio[r->idx] : 0;
	case VPLIC_REG_PENDING:
		return r->idx < VPLIC_WORDS ? p->pending[r->idx] : 0;
	case VPLIC_REG_ENABLE:
		return r->idx < VPLIC_WORDS ? p->enable[r->ctx][r->idx] : 0;
	case VPLIC_REG_THRESHOLD:
		return p->threshold[r->ctx];
	case VPLIC_REG_CLAIM:
		/* A trapped read sees what the shadow page shows. */
		if (p->ctx_shadow[r->ctx])
			return p->ctx_shadow[r->ctx][SHADOW_CLAIM];
		return vplic_claim(p, r->ctx);
	}
	return 0;
}

static void vplic_reg_write(struct vplic *p, const struct vplic_regref *r,
			    uint32_t val)
{
	switch (r->reg) {
	case VPLIC_REG_PRIORITY:
		if (vplic_src_valid(p, r->idx))
			p->prio[r->idx] = val & VPLIC_PRIO_MASK;
		break;
	case VPLIC_REG_PENDING:
		break; /* read-only: the write is accepted and dropped */
	case VPLIC_REG_ENABLE:
		if (r->idx < VPLIC_WORDS) {
			p->enable[r->ctx][r->idx] = val & vplic_word_mask(p, r->idx);
			if (p->enable_shadow)
				p->enable_shadow[r->ctx * VPLIC_ENABLE_STRIDE / 4 +
						 r->idx] = p->enable[r->ctx][r->idx];
		}
		break;
	case VPLIC_REG_THRESHOLD:
		p->threshold[r->ctx] = val & VPLIC_PRIO_MASK;
		if (p->ctx_shadow[r->ctx])
			p->ctx_shadow[r->ctx][SHADOW_THRESHOLD] = p->threshold[r->ctx];
		break;
	case VPLIC_REG_CLAIM:
		/* The guest completes what it read: claim the next ahead. */
		if (p->ctx_shadow[r->ctx] &&
		    p->ctx_shadow[r->ctx][SHADOW_CLAIM] == val)
			__atomic_store_n(&p->ctx_shadow[r->ctx][SHADOW_CLAIM], 0,
					 __ATOMIC_RELEASE);
		vplic_complete(p, r->ctx, val);
		break;
	}
	for (unsigned c = 0; c < p->nctx; c++)
		vplic_shadow_recheck(p, c);
}

bool vplic_mmio_read(struct vplic *p, uint64_t off, uint32_t *val)
{
	struct vplic_regref r;

	if (!vplic_decode(p, off, &r))
		return false;
	spin_lock(&p->lock);
	*val = vplic_reg_read(p, &r);
	if (r.reg == VPLIC_REG_CLAIM)
		vplic_update_eip(p);
	spin_unlock(&p->lock);
	return true;
}

bool vplic_mmio_write(struct vplic *p, uint64_t off, uint32_t val)
{
	struct vplic_regref r;

	if (!vplic_decode(p, off, &r))
		return false;
	spin_lock(&p->lock);
	vplic_reg_write(p, &r, val);
	vplic_update_eip(p);
	spin_unlock(&p->lock);
	return true;
}

/*
 * A high line pends the source unless it is being serviced (complete re-pends
 * it then). A low line also drops a pending request, as QEMU's sifive_plic
 * does, so a device that lowers its line leaves no spurious interrupt behind.
 */
void vplic_set_level(struct vplic *p, unsigned src, bool level)
{
	if (!vplic_src_valid(p, src))
		return;
	spin_lock(&p->lock);
	if (level) {
		vplic_set(p->level, src);
		if (!vplic_test(p->active, src))
			vplic_set(p->pending, src);
	} else {
		vplic_clear(p->level, src);
		vplic_clear(p->pending, src);
	}
	vplic_update_eip(p);
	spin_unlock(&p->lock);
}

void vplic_set_hw(struct vplic *p, unsigned src)
{
	if (!vplic_src_valid(p, src))
		return;
	spin_lock(&p->lock);
	vplic_set(p->hw, src);
	spin_unlock(&p->lock);
}

/*
 * Edge-like: the host holds the physical source claimed until the guest
 * completes it, so it cannot arrive twice. A request that did arrive while
 * the source is active stays pending and is delivered after completion.
 */
void vplic_inject_hw(struct vplic *p, unsigned src)
{
	if (!vplic_src_valid(p, src))
		return;
	spin_lock(&p->lock);
	vplic_set(p->pending, src);
	vplic_update_eip(p);
	spin_unlock(&p->lock);
}
