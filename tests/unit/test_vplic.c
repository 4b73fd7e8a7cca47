/* Host unit test of the virtual PLIC (kernel/arch/riscv/vplic.c). */
#include "test.h"

#include "../../kernel/arch/riscv/vplic.c"

#define NSRC 70 /* sources 1..69: word 2 is partly valid */
#define NCTX 2

/* Register offsets as a guest computes them (see inc/vplic.h). */
#define PRIO(src) (0x000000UL + 4 * (src))
#define PENDING(w) (0x001000UL + 4 * (w))
#define ENABLE(ctx, w) (0x002000UL + 0x80 * (ctx) + 4 * (w))
#define THRESHOLD(ctx) (0x200000UL + 0x1000 * (ctx))
#define CLAIM(ctx) (0x200004UL + 0x1000 * (ctx))

struct rec {
	unsigned eip_calls[VPLIC_MAX_CTX];
	bool eip[VPLIC_MAX_CTX];
	unsigned hw_calls;
	unsigned hw_last;
};

static void rec_set_eip(void *opaque, unsigned ctx, bool level)
{
	struct rec *r = opaque;

	r->eip_calls[ctx]++;
	r->eip[ctx] = level;
}

static void rec_hw_complete(void *opaque, unsigned src)
{
	struct rec *r = opaque;

	r->hw_calls++;
	r->hw_last = src;
}

static const struct vplic_ops rec_ops = {
	.set_eip = rec_set_eip,
	.hw_complete = rec_hw_complete,
};

static struct vplic P;
static struct rec R;

static void setup(void)
{
	memset(&R, 0, sizeof(R));
	memset(&P, 0xa5, sizeof(P)); /* init must not rely on zeroed memory */
	vplic_init(&P, NSRC, NCTX, &rec_ops, &R);
}

static uint32_t rd(uint64_t off)
{
	uint32_t v = 0xdeadbeef;

	CHECK(vplic_mmio_read(&P, off, &v));
	return v;
}

static void wr(uint64_t off, uint32_t v)
{
	CHECK(vplic_mmio_write(&P, off, v));
}

static void enable(unsigned ctx, unsigned src)
{
	wr(ENABLE(ctx, src / 32), rd(ENABLE(ctx, src / 32)) | 1U << (src % 32));
}

static void disable(unsigned ctx, unsigned src)
{
	wr(ENABLE(ctx, src / 32), rd(ENABLE(ctx, src / 32)) & ~(1U << (src % 32)));
}

static void test_reset_state(void)
{
	setup();
	CHECK_EQ(rd(PRIO(1)), 0);
	CHECK_EQ(rd(PENDING(0)), 0);
	CHECK_EQ(rd(ENABLE(1, 2)), 0);
	CHECK_EQ(rd(THRESHOLD(1)), 0);
	CHECK_EQ(rd(CLAIM(0)), 0);
	CHECK_EQ(R.eip_calls[0] + R.eip_calls[1], 0);
}

static void test_priority_threshold(void)
{
	setup();
	wr(PRIO(5), 0xffffffff);
	CHECK_EQ(rd(PRIO(5)), VPLIC_PRIO_MASK);
	wr(THRESHOLD(0), 0x1234);
	CHECK_EQ(rd(THRESHOLD(0)), 0x1234 & VPLIC_PRIO_MASK);

	/* Priority 0 never interrupts, even with threshold 0. */
	wr(THRESHOLD(0), 0);
	wr(PRIO(5), 0);
	enable(0, 5);
	vplic_set_level(&P, 5, 1);
	CHECK_EQ(vplic_best(&P, 0), 0);
	CHECK(!R.eip[0]);

	/* Priority must be strictly above the threshold. */
	wr(PRIO(5), 3);
	CHECK(R.eip[0]);
	wr(THRESHOLD(0), 3);
	CHECK(!R.eip[0]);
	CHECK_EQ(vplic_best(&P, 0), 0);
	CHECK_EQ(rd(CLAIM(0)), 0);
	wr(THRESHOLD(0), 2);
	CHECK(R.eip[0]);
	CHECK_EQ(vplic_best(&P, 0), 5);
	/* The masked priority bits count, not the written value. */
	wr(PRIO(5), 8 | 2);
	CHECK(!R.eip[0]);
}

static void test_claim_order(void)
{
	static const unsigned src[] = {3, 40, 7, 5, 69};
	static const unsigned prio[] = {2, 5, 5, 5, 1};
	unsigned i;

	setup();
	for (i = 0; i < ARRAY_SIZE(src); i++) {
		wr(PRIO(src[i]), prio[i]);
		enable(0, src[i]);
		vplic_set_level(&P, src[i], 1);
	}
	CHECK_EQ(rd(PENDING(0)), BIT(3) | BIT(5) | BIT(7));
	CHECK_EQ(rd(PENDING(1)), BIT(40 - 32));
	CHECK_EQ(rd(PENDING(2)), BIT(69 - 64));
	CHECK(R.eip[0]);

	/* Priority first, then the lowest id; each claim clears pending. */
	CHECK_EQ(rd(CLAIM(0)), 5);
	CHECK_EQ(rd(PENDING(0)), BIT(3) | BIT(7));
	CHECK_EQ(rd(CLAIM(0)), 7);
	CHECK_EQ(rd(CLAIM(0)), 40);
	CHECK_EQ(rd(PENDING(1)), 0);
	CHECK_EQ(rd(CLAIM(0)), 3);
	CHECK(R.eip[0]);
	CHECK_EQ(rd(CLAIM(0)), 69);
	CHECK_EQ(rd(PENDING(0)) | rd(PENDING(1)) | rd(PENDING(2)), 0);
	CHECK(!R.eip[0]);
	CHECK_EQ(rd(CLAIM(0)), 0);
	CHECK_EQ(rd(CLAIM(0)), 0);
}

static void test_level_repend(void)
{
	setup();
	wr(PRIO(10), 1);
	enable(0, 10);
	vplic_set_level(&P, 10, 1);
	CHECK_EQ(rd(CLAIM(0)), 10);
	CHECK(!R.eip[0]);

	/* Still high at completion: pending again. */
	wr(CLAIM(0), 10);
	CHECK_EQ(rd(PENDING(0)), BIT(10));
	CHECK(R.eip[0]);
	CHECK_EQ(rd(CLAIM(0)), 10);

	/* Raising again while active does not pend until completion. */
	vplic_set_level(&P, 10, 1);
	CHECK_EQ(rd(PENDING(0)), 0);
	CHECK(!R.eip[0]);

	/* Lowered before completion: completion leaves nothing pending. */
	vplic_set_level(&P, 10, 0);
	wr(CLAIM(0), 10);
	CHECK_EQ(rd(PENDING(0)), 0);
	CHECK(!R.eip[0]);

	/* Lowering the line drops a pending request. */
	vplic_set_level(&P, 10, 1);
	CHECK(R.eip[0]);
	vplic_set_level(&P, 10, 0);
	CHECK_EQ(rd(PENDING(0)), 0);
	CHECK(!R.eip[0]);
	CHECK_EQ(rd(CLAIM(0)), 0);
	CHECK_EQ(R.hw_calls, 0);
}

static void test_hw_source(void)
{
	setup();
	vplic_set_hw(&P, 33);
	wr(PRIO(33), 1);
	enable(0, 33);
	vplic_inject_hw(&P, 33);
	CHECK(R.eip[0]);
	CHECK_EQ(rd(CLAIM(0)), 33);
	CHECK_EQ(R.hw_calls, 0);

	wr(CLAIM(0), 33);
	CHECK_EQ(R.hw_calls, 1);
	CHECK_EQ(R.hw_last, 33);
	CHECK_EQ(rd(PENDING(1)), 0); /* the host re-raises it, not complete */
	CHECK(!R.eip[0]);

	/* A second completion of the same claim is ignored. */
	wr(CLAIM(0), 33);
	CHECK_EQ(R.hw_calls, 1);

	/* The host re-raises it: one more claim, one more completion. */
	vplic_inject_hw(&P, 33);
	CHECK_EQ(rd(PENDING(1)), BIT(1));
	CHECK_EQ(rd(CLAIM(0)), 33);
	wr(CLAIM(0), 33);
	CHECK_EQ(R.hw_calls, 2);

	/* An injection while active is held until completion. */
	vplic_inject_hw(&P, 33);
	CHECK_EQ(rd(CLAIM(0)), 33);
	vplic_inject_hw(&P, 33);
	CHECK(!R.eip[0]);
	wr(CLAIM(0), 33);
	CHECK_EQ(R.hw_calls, 3);
	CHECK(R.eip[0]);
	CHECK_EQ(rd(CLAIM(0)), 33);

	/* Complete never re-pends a hw source, even with its line high. */
	vplic_set_level(&P, 33, 1);
	wr(CLAIM(0), 33);
	CHECK_EQ(R.hw_calls, 4);
	CHECK_EQ(rd(PENDING(1)), 0);
	CHECK(!R.eip[0]);
}

static void test_enable_per_context(void)
{
	setup();
	wr(PRIO(4), 1);
	enable(1, 4);
	vplic_set_level(&P, 4, 1);
	CHECK(!R.eip[0]);
	CHECK(R.eip[1]);
	CHECK_EQ(R.eip_calls[0], 0);
	CHECK_EQ(vplic_best(&P, 0), 0);
	CHECK_EQ(vplic_best(&P, 1), 4);
	CHECK_EQ(rd(CLAIM(0)), 0);
	CHECK_EQ(rd(CLAIM(1)), 4);
	CHECK(!R.eip[1]);

	/* Thresholds are per context too. */
	enable(0, 4);
	wr(CLAIM(1), 4); /* line still high: pending again */
	CHECK(R.eip[0]);
	CHECK(R.eip[1]);
	wr(THRESHOLD(1), 1);
	CHECK(R.eip[0]);
	CHECK(!R.eip[1]);
	CHECK_EQ(vplic_best(&P, 7), 0); /* no such context */
}

static void test_eip_only_on_change(void)
{
	setup();
	wr(PRIO(1), 1);
	wr(PRIO(2), 2);
	enable(0, 1);
	enable(0, 2);
	CHECK_EQ(R.eip_calls[0], 0);

	vplic_set_level(&P, 1, 1);
	CHECK_EQ(R.eip_calls[0], 1);
	vplic_set_level(&P, 1, 1);
	vplic_set_level(&P, 2, 1);
	wr(PRIO(2), 3);
	rd(PENDING(0));
	CHECK_EQ(R.eip_calls[0], 1);

	CHECK_EQ(rd(CLAIM(0)), 2); /* 1 still pending: no change */
	CHECK_EQ(R.eip_calls[0], 1);
	CHECK_EQ(rd(CLAIM(0)), 1);
	CHECK_EQ(R.eip_calls[0], 2);
	CHECK(!R.eip[0]);
	vplic_set_level(&P, 1, 0);
	vplic_set_level(&P, 2, 0);
	wr(CLAIM(0), 1);
	wr(CLAIM(0), 2);
	CHECK_EQ(R.eip_calls[0], 2);
	CHECK_EQ(R.eip_calls[1], 0);
}

static void test_bad_accesses(void)
{
	/* Misaligned, past the window, holes, and contexts >= nctx. */
	static const uint64_t bad[] = {
		PRIO(3) + 1, PRIO(3) + 2, CLAIM(0) + 3,
		VPLIC_SIZE, VPLIC_SIZE + 4, ~0ULL & ~3ULL,
		0x1080, 0x1ffc,
		ENABLE(NCTX, 0), ENABLE(VPLIC_MAX_CTX, 0), 0x1f2000, 0x1ffffc,
		THRESHOLD(NCTX), CLAIM(NCTX), CLAIM(15871),
		THRESHOLD(0) + 8, THRESHOLD(1) + 0xffc,
	};
	uint32_t v = 0;
	unsigned i;

	setup();
	wr(PRIO(3), 5);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK(!vplic_mmio_read(&P, bad[i], &v));
		CHECK(!vplic_mmio_write(&P, bad[i], 1));
	}
	CHECK_EQ(rd(PRIO(3)), 5); /* the refused write to PRIO(3)+1 did nothing */

	/* Registers of absent sources in the spec layout read as zero. */
	CHECK_EQ(rd(PRIO(VPLIC_MAX_SRC)), 0);
	CHECK_EQ(rd(PRIO(1023)), 0);
	CHECK_EQ(rd(PENDING(31)), 0);
	CHECK_EQ(rd(ENABLE(1, 31)), 0);
	wr(PRIO(1023), 7);
	wr(ENABLE(1, 31), 0xffffffff);
	CHECK_EQ(rd(PRIO(1023)), 0);
	CHECK_EQ(rd(ENABLE(1, 31)), 0);
}

static void test_inert_sources(void)
{
	setup();
	/* Source 0 and sources >= nsrc: no priority, enable, pending or hw. */
	wr(PRIO(0), 7);
	wr(PRIO(NSRC), 7);
	wr(PRIO(VPLIC_MAX_SRC - 1), 7);
	CHECK_EQ(rd(PRIO(0)), 0);
	CHECK_EQ(rd(PRIO(NSRC)), 0);
	CHECK_EQ(rd(PRIO(VPLIC_MAX_SRC - 1)), 0);

	wr(ENABLE(0, 0), 0xffffffff);
	wr(ENABLE(0, 1), 0xffffffff);
	wr(ENABLE(0, 2), 0xffffffff);
	CHECK_EQ(rd(ENABLE(0, 0)), 0xfffffffe);
	CHECK_EQ(rd(ENABLE(0, 1)), 0xffffffff);
	CHECK_EQ(rd(ENABLE(0, 2)), (1U << (NSRC - 64)) - 1);

	vplic_set_level(&P, 0, 1);
	vplic_set_level(&P, NSRC, 1);
	vplic_set_level(&P, 1000, 1);
	vplic_set_hw(&P, NSRC);
	vplic_inject_hw(&P, 0);
	vplic_inject_hw(&P, NSRC);
	vplic_inject_hw(&P, 5000);
	CHECK_EQ(rd(PENDING(0)) | rd(PENDING(2)), 0);
	CHECK_EQ(R.eip_calls[0], 0);
	CHECK_EQ(rd(CLAIM(0)), 0);

	/* Pending is read-only: the write is accepted and dropped. */
	wr(PRIO(6), 1);
	wr(PENDING(0), 0xffffffff);
	CHECK_EQ(rd(PENDING(0)), 0);
	CHECK_EQ(R.eip_calls[0], 0);
	vplic_set_level(&P, 6, 1);
	wr(PENDING(0), 0);
	CHECK_EQ(rd(PENDING(0)), BIT(6));
}

static void test_complete_ignored(void)
{
	setup();
	vplic_set_hw(&P, 9);
	wr(PRIO(9), 1);
	enable(0, 9);
	vplic_inject_hw(&P, 9);
	CHECK_EQ(rd(CLAIM(0)), 9);

	/* Not enabled on the completing context: ignored. */
	wr(CLAIM(1), 9);
	CHECK_EQ(R.hw_calls, 0);
	disable(0, 9);
	wr(CLAIM(0), 9);
	CHECK_EQ(R.hw_calls, 0);
	/* Out-of-range or never-claimed ids: ignored. */
	enable(0, 9);
	wr(CLAIM(0), 0);
	wr(CLAIM(0), NSRC);
	wr(CLAIM(0), 0xffffffff);
	wr(CLAIM(0), 8);
	CHECK_EQ(R.hw_calls, 0);
	/* Still active: a new request stays held. */
	vplic_inject_hw(&P, 9);
	CHECK(!R.eip[0]);

	wr(CLAIM(0), 9);
	CHECK_EQ(R.hw_calls, 1);
	CHECK_EQ(R.hw_last, 9);
	CHECK(R.eip[0]);

	/* Same for a level source: an ignored completion keeps it active. */
	wr(PRIO(12), 2);
	enable(0, 12);
	vplic_set_level(&P, 12, 1);
	CHECK_EQ(rd(CLAIM(0)), 12);
	disable(0, 12);
	wr(CLAIM(0), 12);
	enable(0, 12);
	CHECK_EQ(vplic_best(&P, 0), 9);
	wr(CLAIM(0), 12);
	CHECK_EQ(vplic_best(&P, 0), 12);
	CHECK_EQ(R.hw_calls, 1);
}

/*
 * Shadow pages: context 0's claim word is a plain load for the guest; the
 * vPLIC claims ahead, and completes claim the next. The loop Linux runs
 * (read claim, handle, complete, read again until 0) sees what a PLIC
 * would give it.
 */
static uint32_t shadow_en[1024], shadow_ctx0[1024];

static uint32_t guest_claim(void)
{
	return __atomic_load_n(&shadow_ctx0[1], __ATOMIC_ACQUIRE);
}

static void test_shadow_claim_ahead(void)
{
	setup();
	memset(shadow_ctx0, 0xa5, sizeof(shadow_ctx0));
	vplic_set_enable_shadow(&P, shadow_en);
	vplic_set_ctx_shadow(&P, 0, shadow_ctx0);
	CHECK_EQ(guest_claim(), 0);
	wr(PRIO(5), 1);
	wr(PRIO(7), 3);
	enable(0, 5);
	enable(0, 7);
	CHECK_EQ(shadow_en[0], (1U << 5) | (1U << 7)); /* the enable shadow */
	vplic_set_level(&P, 5, true);
	CHECK_EQ(guest_claim(), 5);
	CHECK(R.eip[0]);
	CHECK(!(rd(PENDING(0)) & (1U << 5))); /* claimed: no longer pending */
	vplic_set_level(&P, 7, true);
	CHECK_EQ(guest_claim(), 5); /* held until completed */
	CHECK_EQ(rd(CLAIM(0)), 5);  /* a trapped read sees the same */
	/* Complete 5 (its line still high: it re-pends), 7 comes first. */
	wr(CLAIM(0), 5);
	CHECK_EQ(guest_claim(), 7);
	vplic_set_level(&P, 7, false);
	wr(CLAIM(0), 7);
	CHECK_EQ(guest_claim(), 5);
	vplic_set_level(&P, 5, false);
	wr(CLAIM(0), 5);
	CHECK_EQ(guest_claim(), 0);
	CHECK(!R.eip[0]);
	CHECK_EQ(rd(PENDING(0)), 0);
}

static void test_shadow_put_back(void)
{
	setup();
	vplic_set_ctx_shadow(&P, 0, shadow_ctx0);
	wr(PRIO(5), 2);
	enable(0, 5);
	vplic_set_level(&P, 5, true);
	CHECK_EQ(guest_claim(), 5);
	/* The threshold now masks it: back to pending, line down. */
	wr(THRESHOLD(0), 2);
	CHECK_EQ(shadow_ctx0[0], 2);
	CHECK_EQ(guest_claim(), 0);
	CHECK(!R.eip[0]);
	CHECK(rd(PENDING(0)) & (1U << 5));
	wr(THRESHOLD(0), 0);
	CHECK_EQ(guest_claim(), 5);
	/* Disabled while claimed ahead: the same. */
	disable(0, 5);
	CHECK_EQ(guest_claim(), 0);
	CHECK(rd(PENDING(0)) & (1U << 5));
	enable(0, 5);
	CHECK_EQ(guest_claim(), 5);
	/* Priority 0 as well. */
	wr(PRIO(5), 0);
	CHECK_EQ(guest_claim(), 0);
	/* A complete of something else leaves the claim word alone. */
	wr(PRIO(5), 2);
	CHECK_EQ(guest_claim(), 5);
	wr(CLAIM(0), 9);
	CHECK_EQ(guest_claim(), 5);
}

static void test_shadow_hw(void)
{
	setup();
	vplic_set_ctx_shadow(&P, 0, shadow_ctx0);
	vplic_set_hw(&P, 10);
	wr(PRIO(10), 1);
	enable(0, 10);
	vplic_inject_hw(&P, 10);
	CHECK_EQ(guest_claim(), 10);
	CHECK_EQ(R.hw_calls, 0);
	wr(CLAIM(0), 10);
	CHECK_EQ(R.hw_calls, 1);
	CHECK_EQ(R.hw_last, 10);
	CHECK_EQ(guest_claim(), 0);
	/* Context 1 has no shadow: its claim works as before. */
	enable(1, 10);
	disable(0, 10);
	vplic_inject_hw(&P, 10);
	CHECK_EQ(guest_claim(), 0);
	CHECK_EQ(rd(CLAIM(1)), 10);
}

int main(void)
{
	RUN(test_reset_state);
	RUN(test_priority_threshold);
	RUN(test_claim_order);
	RUN(test_level_repend);
	RUN(test_hw_source);
	RUN(test_enable_per_context);
	RUN(test_eip_only_on_change);
	RUN(test_bad_accesses);
	RUN(test_inert_sources);
	RUN(test_complete_ignored);
	RUN(test_shadow_claim_ahead);
	RUN(test_shadow_put_back);
	RUN(test_shadow_hw);
	TEST_DONE();
}
