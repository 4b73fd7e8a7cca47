/*
 * Host unit test of ioreq status latches and range removal
 * (kernel/core/ioreq.c, interface 2.0): declaration checks, the accesses
 * the hypervisor serves for the device model without waking it, the line
 * that follows the word, and what unmapping a range takes with it. The
 * harness (ioreq_harness.h) has the stubs and helpers.
 */
#include "ioreq_harness.h"

static void test_latch_declare(void)
{
	const unsigned LAST = VIREO_DOMU_DM_IRQ_LAST;
	const gpa_t R = IO_BASE + 0x60, C = IO_BASE + 0x64;
	static const struct {
		const char *what;
		uint64_t rd, clr;
		unsigned width, line, flags, pad;
	} bad[] = {
	    {"width 0", R, C, 0, L0, 0, 0},
	    {"width 3", R, C, 3, L0, 0, 0},
	    {"width 8", R, C, 8, L0, 0, 0},
	    {"line 0", R, C, 4, 0, 0, 0},
	    {"the UART's line", R, C, 4, VIREO_DOMU_UART_IRQ, 0, 0},
	    {"line below", R, C, 4, L0 - 1, 0, 0},
	    {"line above", R, C, 4, LAST + 1, 0, 0},
	    {"line huge", R, C, 4, 1U << 16 | L0, 0, 0},
	    {"no address", 0, 0, 4, L0, 0, 0},
	    {"read in b's range", IO2_BASE, C, 4, L0, 0, 0},
	    {"read in RAM", RAM_BASE, C, 4, L0, 0, 0},
	    {"read in a device", DEV_BASE, C, 4, L0, 0, 0},
	    {"read below the range", IO_BASE - 4, C, 4, L0, 0, 0},
	    {"read misaligned", R + 2, C, 4, L0, 0, 0},
	    {"read misaligned, 2", R + 1, C, 2, L0, 0, 0},
	    {"clear in b's range", R, IO2_BASE + 4, 4, L0, 0, 0},
	    {"clear misaligned", R, C + 1, 4, L0, 0, 0},
	    {"clear alone, outside", 0, RAM_BASE, 4, L0, 0, 0},
	    {"unknown flag", R, C, 4, L0, 1U << 1, 0},
	    {"flag 31", R, C, 4, L0, 1U << 31, 0},
	    {"_pad", R, C, 4, L0, 0, 1},
	};
	uint32_t a, b;
	unsigned levels;

	setup();
	two_servers(&a, &b);
	levels = st.levels;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		struct vireo_ioreq_latch l = {bad[i].rd,    bad[i].clr,
					      bad[i].width, bad[i].line,
					      bad[i].flags, bad[i].pad};
		long e;

		lidx = 0xdead;
		e = ioreq_latch(&U, a, &l, &lidx);
		if (e != INVAL)
			fprintf(stderr, "  case: %s\n", bad[i].what);
		CHECK_EQ(e, INVAL);
		CHECK_EQ(lidx, 0xdead);
	}
	CHECK_EQ(latch(2, R, C, 4, L0, 0), INVAL); /* no such server */
	CHECK_EQ(latch(NS, R, C, 4, L0, 0), INVAL);
	CHECK_EQ(nr_latches(a) + nr_latches(b), 0);
	CHECK_EQ(st.levels, levels);
	/* The boundaries are fine; each line starts at its word (0). */
	CHECK_EQ(latch(a, IO_BASE, 0, 1, L0, VIREO_LATCH_F_READ_CLEARS), OK);
	CHECK_EQ(lidx, 0);
	CHECK_EQ(latch(a, 0, IO_BASE + IO_SIZE - 2, 2, LAST, 0), OK);
	CHECK_EQ(lidx, 1);
	CHECK_EQ(latch(a, IO_BASE + IO_SIZE - 4, R, 4, L0 + 1, 0), OK);
	CHECK_EQ(lidx, 2);
	CHECK(st.line[L0] == 0 && st.line[LAST] == 0 && st.line[L0 + 1] == 0);
	/* Bits the model set before it declared raise the line at once. */
	win(b)->latch[0] = 0x10;
	CHECK_EQ(latch(b, IO2_BASE + 4, 0, 4, L0 + 2, 0), OK);
	CHECK_EQ(lidx, 0);
	CHECK_EQ(st.line[L0 + 2], 1);
	/* At most VIREO_IOREQ_MAX_LATCHES a server. */
	for (unsigned i = 3; i < VIREO_IOREQ_MAX_LATCHES; i++) {
		CHECK_EQ(latch(a, IO_BASE + PG + 4 * i, 0, 4, L0 + i, 0), OK);
		CHECK_EQ(lidx, i);
	}
	CHECK_EQ(latch(a, IO_BASE + 2 * PG, 0, 4, LAST - 1, 0), FAILED);
	CHECK_EQ(latch(b, IO2_BASE + 8, 0, 4, LAST - 1, 0),
		 OK); /* b has room */
	teardown();
}

/* One latch a line, one an address, across all of U's servers. */
static void test_latch_clash(void)
{
	const gpa_t R = IO_BASE + 0x60, C = IO_BASE + 0x64;
	uint32_t a, b;
	unsigned levels;

	setup();
	two_servers(&a, &b);
	CHECK_EQ(latch(a, R, C, 4, L0, 0), OK);
	levels = st.levels;
	CHECK_EQ(latch(a, R + PG, C + PG, 4, L0, 0), AVAIL);
	CHECK_EQ(latch(b, IO2_BASE, 0, 4, L0, 0), AVAIL);
	CHECK_EQ(latch(a, R, 0, 4, L0 + 1, 0), AVAIL);
	CHECK_EQ(latch(a, R, C + 8, 2, L0 + 1, 0), AVAIL);
	CHECK_EQ(latch(a, 0, C, 4, L0 + 1, 0), AVAIL);
	CHECK_EQ(latch(a, R + 8, C, 4, L0 + 1, VIREO_LATCH_F_READ_CLEARS),
		 AVAIL);
	CHECK_EQ(lidx, 0xdead);
	CHECK_EQ(nr_latches(a) + nr_latches(b), 1);
	CHECK_EQ(st.levels, levels);
	/* Unserved addresses (0) are no clash. */
	CHECK_EQ(latch(a, 0, C + 8, 4, L0 + 1, 0), OK);
	CHECK_EQ(latch(a, R + 8, 0, 4, L0 + 2, 0), OK);
	CHECK_EQ(latch(a, R + 16, 0, 4, L0 + 3, 0), OK);
	teardown();
}

/* Served by the hypervisor alone: the line follows the word. */
static void test_latch_serve(void)
{
	const gpa_t R = IO_BASE + PG + 0x60, C = R + 4;
	const unsigned line = L0 + 1;
	uint32_t a, *word;

	setup();
	a = new_server(0);
	map(a, IO_BASE, IO_SIZE, NOFF);
	CHECK_EQ(latch(a, R, C, 4, line, 0), OK);
	word = &win(a)->latch[lidx];
	CHECK_EQ(st.line[line], 0);
	/* The model sets bits; the line moves when it names the latch. */
	__atomic_fetch_or(word, 0x80000001, __ATOMIC_SEQ_CST);
	CHECK_EQ(st.line[line], 0);
	CHECK_EQ(ioreq_complete(&U, a, 0, 1UL << lidx), OK);
	CHECK_EQ(st.line[line], 1);
	/* The guest reads it: no request, no event; the word stays. */
	CHECK_EQ(ld(&V[0], R, 4, false, 9), MMIO_DONE);
	CHECK_EQ(V[0].regs.x[9], 0x80000001);
	CHECK_EQ(ld(&V[0], R, 4, true, 9), MMIO_DONE); /* lw */
	CHECK_EQ(V[0].regs.x[9], 0xffffffff80000001);
	CHECK_EQ(V[0].regs.sepc, 0x80200000UL + 8);
	CHECK_EQ(V[0].state, VCPU_RUNNABLE);
	CHECK_EQ(win(a)->slot[0].state, VIREO_IOREQ_NONE);
	CHECK(!pending(0, p0[a]) && st.upcall[0] == 0);
	CHECK_EQ(*word, 0x80000001);
	CHECK_EQ(st.line[line], 1);
	/* Write 1 to clear: only the bits stored go. */
	CHECK_EQ(sd(&V[1], C, 4, 0xffffffff00000001), MMIO_DONE);
	CHECK_EQ(*word, 0x80000000);
	CHECK_EQ(st.line[line], 1);
	CHECK_EQ(sd(&V[1], C, 4, 0x80000000), MMIO_DONE);
	CHECK_EQ(*word, 0);
	CHECK_EQ(st.line[line], 0);
	/* The guest cannot set bits, nor raise the line. */
	CHECK_EQ(sd(&V[1], C, 4, 0xffffffff), MMIO_DONE);
	CHECK_EQ(*word, 0);
	CHECK_EQ(st.line[line], 0);
	CHECK_EQ(sd(&V[1], R, 4, 0x4), MMIO_PENDING); /* the model's */
	check_slot(a, 1, R, 4, 4, VIREO_IOREQ_WRITE);
	CHECK_EQ(*word, 0);
	CHECK_EQ(respond(a, 1, 0), OK);
	CHECK_EQ(st.upcall[0], 1);
	CHECK_EQ(st.kick[0], 0);
	teardown();
}

/* Other widths at a latch's addresses are ordinary requests. */
static void test_latch_other_widths(void)
{
	const gpa_t R = IO_BASE + 0x60, C = R + 4;
	static const struct {
		uint64_t off;
		unsigned width;
		bool store;
	} c[] = {{0, 2, false}, {0, 1, false}, {0, 8, false}, {2, 2, false},
		 {4, 2, true},	{4, 1, true},  {4, 8, true},  {4, 4, false}};
	uint32_t a;

	setup();
	a = new_server(0);
	map(a, IO_BASE, IO_SIZE, NOFF);
	raised(a, R, C, 4, L0, VIREO_LATCH_F_READ_CLEARS, 3);
	for (unsigned i = 0; i < ARRAY_SIZE(c); i++) {
		V[2].regs.x[9] = 0;
		CHECK_EQ(access(&V[2], R + c[i].off, c[i].width, c[i].store, 3,
				9, false, 4),
			 MMIO_PENDING);
		check_slot(a, 2, R + c[i].off, c[i].store ? 3 : 0, c[i].width,
			   c[i].store ? VIREO_IOREQ_WRITE : VIREO_IOREQ_READ);
		CHECK_EQ(respond(a, 2, 0x77), OK);
		CHECK_EQ(V[2].regs.x[9], c[i].store ? 0 : 0x77);
		CHECK_EQ(win(a)->latch[lidx], 3);
	}
	CHECK_EQ(st.line[L0], 1);
	teardown();
}

static void test_latch_read_clears(void)
{
	const gpa_t R = IO_BASE + 0x63, C = IO_BASE + 0x64;
	const unsigned line = VIREO_DOMU_DM_IRQ_LAST;
	uint32_t a, i, *word;

	setup();
	a = new_server(0);
	map(a, IO_BASE, IO_SIZE, 0);
	/* Bit 8 is beyond the latch's width: the guest never sees it. */
	i = raised(a, R, C, 1, line, VIREO_LATCH_F_READ_CLEARS, 0x181);
	word = &win(a)->latch[i];
	CHECK_EQ(ld(&V[0], R, 1, true, 9), MMIO_DONE); /* lb */
	CHECK_EQ(V[0].regs.x[9], 0xffffffffffffff81);
	CHECK_EQ(*word, 0x100); /* what was read, no more */
	CHECK_EQ(st.line[line], 1);
	CHECK_EQ(ld(&V[0], R, 1, false, 9), MMIO_DONE);
	CHECK_EQ(V[0].regs.x[9], 0);
	/* The model clears bit 8 and sets bit 1. */
	model_sets(a, i, 2);
	CHECK_EQ(ld(&V[1], R, 1, false, 9), MMIO_DONE);
	CHECK_EQ(V[1].regs.x[9], 2);
	CHECK_EQ(*word, 0);
	CHECK_EQ(st.line[line], 0);
	/* A byte store clears by the byte stored, not the register. */
	model_sets(a, i, 0x103);
	CHECK_EQ(sd(&V[1], C, 1, 0xff01), MMIO_DONE);
	CHECK_EQ(*word, 0x102);
	CHECK_EQ(st.line[line], 1);
	CHECK_EQ(st.upcall[0], 0);
	CHECK_EQ(win(a)->slot[0].state + win(a)->slot[1].state, 0);
	teardown();
}

/* ------------------------------------------------------------- unmap */

static void test_unmap_range(void)
{
	const gpa_t R2 = IO_BASE + 2 * PG;
	static const struct {
		uint32_t id;
		uint64_t base, size;
	} bad[] = {{0, IO_BASE, PG},	      {0, IO_BASE, 4 * PG},
		   {0, IO_BASE + PG, 2 * PG}, {0, IO_BASE - PG, 2 * PG},
		   {0, IO2_BASE, IO_SIZE},    {1, IO_BASE, 2 * PG},
		   {2, IO_BASE, 2 * PG},      {NS, IO_BASE, 2 * PG}};
	uint32_t a, b;
	unsigned levels;

	setup();
	a = new_server(0);
	b = new_server(1);
	CHECK_EQ(map(a, IO_BASE, 2 * PG, NOFF), 0);
	CHECK_EQ(map(a, R2, 2 * PG, NOFF), 2);
	CHECK_EQ(map(b, IO2_BASE, IO_SIZE, 0), 0);
	/* Latches: in the first range, across both, in the second, b's. */
	raised(a, IO_BASE + 0x60, 0, 4, L0, 0, 1);
	raised(a, IO_BASE + PG, R2 + 4, 4, L0 + 1, 0, 1);
	raised(a, R2 + PG, 0, 4, L0 + 2, 0, 1);
	raised(b, IO2_BASE, 0, 4, L0 + 3, 0, 1);
	CHECK_EQ(ld(&V[2], R2 + 8, 4, false, 7), MMIO_PENDING);
	levels = st.levels;
	/* Only a range mapped before, exactly, by its server. */
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_EQ(
		    ioreq_unmap_range(&U, bad[i].id, bad[i].base, bad[i].size),
		    INVAL);
	CHECK(U.ioreq[a]->nr_ranges == 2 && U.ioreq[b]->nr_ranges == 1);
	CHECK_EQ(st.levels, levels);
	CHECK_EQ(ioreq_unmap_range(&U, a, R2, 2 * PG), OK);
	/* Its latches go, lines down, whatever their words say. */
	CHECK(st.line[L0 + 1] == 0 && st.line[L0 + 2] == 0);
	CHECK(st.line[L0] == 1 && st.line[L0 + 3] == 1);
	CHECK_EQ(nr_latches(a), 1);
	CHECK_EQ(ioreq_complete(&U, a, 0, 2), INVAL);
	CHECK_EQ(ioreq_unmap_range(&U, a, R2, 2 * PG), INVAL); /* twice */
	/* Its addresses are nobody's; the others still a's. */
	CHECK_EQ(ld(&V[0], R2 + PG, 4, false, 9), MMIO_FAULT);
	CHECK_EQ(sd(&V[0], R2 + NOFF, 4, 1), MMIO_FAULT);
	CHECK_EQ(ld(&V[0], IO_BASE + 0x60, 4, false, 9), MMIO_DONE);
	CHECK_EQ(V[0].regs.x[9], 1);
	/* A vCPU that asked before still gets its answer. */
	CHECK_EQ(respond(a, 2, 5), OK);
	CHECK_EQ(V[2].regs.x[7], 5);
	/* The line is free again; so is the range, for b. */
	CHECK_EQ(latch(b, IO2_BASE + 4, 0, 4, L0 + 2, 0), OK);
	CHECK_EQ(map(b, R2, 2 * PG, 0), 0);
	CHECK_EQ(ld(&V[0], R2 + PG, 4, false, 9), MMIO_PENDING);
	check_slot(b, 0, R2 + PG, 0, 4, VIREO_IOREQ_READ);
	teardown();
}

/*
 * A latch that goes leaves its word zero: the next latch given its index
 * starts with its line down and reads nothing of the old bits.
 */
static void test_latch_word_reset(void)
{
	uint32_t a, i;

	setup();
	a = new_server(0);
	CHECK_EQ(map(a, IO_BASE, PG, 0), 0);
	CHECK_EQ(map(a, HI, PG, 0), 0);
	i = raised(a, IO_BASE + 0x60, 0, 4, L0, 0, 5);
	CHECK_EQ(ioreq_unmap_range(&U, a, IO_BASE, PG), OK);
	CHECK_EQ(win(a)->latch[i], 0);
	CHECK_EQ(latch(a, HI + 0x60, 0, 4, L0 + 1, 0), OK);
	CHECK_EQ(lidx, i);
	CHECK_EQ(st.line[L0 + 1], 0);
	CHECK_EQ(ld(&V[0], HI + 0x60, 4, false, 9), MMIO_DONE);
	CHECK_EQ(V[0].regs.x[9], 0);
	teardown();
}

/* Address 0 is "not served": a range at 0 does not hold a one-sided latch. */
static void test_unmap_range_at_zero(void)
{
	uint32_t a;

	setup();
	a = new_server(0);
	CHECK_EQ(map(a, 0, PG, 0), 0);
	CHECK_EQ(map(a, HI, PG, 0), 0);
	raised(a, HI + 0x60, 0, 4, L0, 0, 1);
	raised(a, 0, HI + 0x64, 4, L0 + 1, 0, 1);
	CHECK_EQ(ioreq_unmap_range(&U, a, 0, PG), OK);
	CHECK_EQ(nr_latches(a), 2);
	CHECK(st.line[L0] == 1 && st.line[L0 + 1] == 1);
	teardown();
}

int main(void)
{
	arena = aligned_alloc(MEGAPAGE_SIZE, HYP_SIZE);
	if (!arena)
		return 2;
	RUN(test_latch_declare);
	RUN(test_latch_clash);
	RUN(test_latch_serve);
	RUN(test_latch_other_widths);
	RUN(test_latch_read_clears);
	RUN(test_unmap_range);
	RUN(test_latch_word_reset);
	RUN(test_unmap_range_at_zero);
	free(arena);
	TEST_DONE();
}
