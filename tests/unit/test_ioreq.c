/*
 * Host unit test of ioreq servers (kernel/core/ioreq.c, interface 2.0):
 * several servers per domain, each with its page, port, MMIO ranges,
 * posted notifies and status latches; the slot protocol between a DomU's
 * MMIO, the device model and the server's event channel; batched
 * completion that checks every bit before it acts; and that failing calls
 * change nothing. The harness (ioreq_harness.h) has the stubs and helpers.
 */
#include "ioreq_harness.h"

#define GPA_TOP (1UL << GSTAGE_GPA_BITS)

/* ----------------------------------------------------------- servers */

static void test_create(void)
{
	uint32_t a, b, p;
	unsigned long prot = 0;
	paddr_t pa = 0;
	struct snap s;

	setup();
	a = new_server(0);
	CHECK_EQ(a, 0);
	/* Its page: from the heap, zeroed, mapped RW (never X). */
	CHECK(p2m_lookup(&D0.p2m, WB + WOFF, &pa, &prot));
	CHECK_EQ(pa, (paddr_t)U.ioreq[a]->page);
	CHECK_EQ(prot, P2M_PROT_R | P2M_PROT_W);
	CHECK(pa >= (paddr_t)arena && pa < (paddr_t)arena + HYP_SIZE);
	CHECK(!memcmp(win(a), zeros, PG));
	/* The page and the server object; the window's tables. */
	CHECK_EQ(hyp_pool.nfree,
		 hyp_start - 2 - (D0.p2m.table_pages - ROOT_PAGES));
	/* U's end: reserved, bound to Dom0's port, which is bound to it. */
	CHECK(pu[a] != 0 && U.ioreq[a]->port == pu[a]);
	CHECK_EQ(U.evtchn->ports[pu[a]].state, EVTCHN_INTERDOMAIN);
	CHECK(evtchn_is_reserved(U.evtchn, pu[a]));
	CHECK(U.evtchn->ports[pu[a]].remote == D0.evtchn);
	CHECK_EQ(U.evtchn->ports[pu[a]].remote_port, p0[a]);
	CHECK_EQ(D0.evtchn->ports[p0[a]].state, EVTCHN_INTERDOMAIN);
	CHECK(D0.evtchn->ports[p0[a]].remote == U.evtchn);
	CHECK_EQ(D0.evtchn->ports[p0[a]].remote_port, pu[a]);
	/* No range yet: nothing of U's is the server's. */
	CHECK_EQ(ld(&V[0], IO_BASE, 4, false, 5), MMIO_FAULT);
	CHECK_EQ(st.upcall[0] + st.upcall[1], 0);
	/* More servers, each with its own page and port, up to the limit. */
	b = new_server(1);
	CHECK_EQ(b, 1);
	CHECK(win(b) && win(b) != win(a) && pu[b] != pu[a]);
	for (unsigned k = 2; k < NS; k++)
		CHECK_EQ(new_server(k), k);
	p = dom0_port();
	s = snap();
	CHECK_EQ(create(WOFF + NS * PG, p), FAILED);
	check_unchanged(&s, p);
	/* A freed id is used again; a window page in use is refused. */
	CHECK_EQ(ioreq_destroy(&U, 2), OK);
	s = snap();
	CHECK_EQ(create(WOFF + PG, p), AVAIL);
	check_unchanged(&s, p);
	CHECK_EQ(new_server(2), 2);
	teardown();
}

static void test_create_invalid_args(void)
{
	const uint64_t bad[] = {WOFF + 0x10, FOREIGN_WINDOW_SIZE,
				FOREIGN_WINDOW_SIZE + WOFF, ~0UL << PAGE_SHIFT};
	const uint64_t good[] = {0, FOREIGN_WINDOW_SIZE - PG};
	uint32_t p, id, up;
	struct snap s;

	setup();
	p = dom0_port();
	s = snap();
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK_EQ(create(bad[i], p), INVAL);
		check_unchanged(&s, p);
	}
	/* Dom0 cannot be the target, even of a port waiting for itself. */
	CHECK_EQ(evtchn_alloc_unbound(D0.evtchn, 0, &id), 0);
	CHECK_EQ(ioreq_create(&D0, WOFF, id, &id, &up), INVAL);
	CHECK(D0.ioreq[0] == NULL);
	check_unchanged(&s, p);
	for (unsigned i = 0; i < ARRAY_SIZE(good); i++) {
		CHECK_EQ(ioreq_create(&U, good[i], p, &id, &up), OK);
		CHECK_EQ(ioreq_destroy(&U, id), OK);
		s.flush = st.flush; /* destroy flushes */
		check_unchanged(&s, p);
	}
	teardown();
}

static void test_create_bad_port(void)
{
	uint32_t other, bound, virq, theirs, q, p;
	struct snap s;

	setup();
	p = dom0_port();
	CHECK_EQ(evtchn_alloc_unbound(D0.evtchn, U2.id, &other), 0);
	CHECK_EQ(evtchn_alloc_unbound(D0.evtchn, U2.id, &bound), 0);
	CHECK_EQ(evtchn_bind_interdomain(U2.evtchn, D0.evtchn, bound, &q), 0);
	CHECK_EQ(evtchn_bind_virq(D0.evtchn, 0, &virq), 0);
	/* A port of U2's waiting for U: not Dom0's. */
	CHECK_EQ(evtchn_alloc_unbound(U2.evtchn, U.id, &theirs), 0);
	/* Out of range (also once truncated), 0, FREE, bound, a VIRQ, waiting
	 * for U2, U2's own. */
	const uint64_t bad[] = {
	    NR_EVTCHN_PORTS, 1ULL << 32 | p, ~0ULL, 0,	   200,
	    bound,	     virq,	     other, theirs};
	s = snap();
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK_EQ(create(WOFF, bad[i]), INVAL);
		check_unchanged(&s, p);
	}
	CHECK_EQ(D0.evtchn->ports[other].state, EVTCHN_UNBOUND);
	CHECK_EQ(D0.evtchn->ports[other].remote_domid, U2.id);
	CHECK(D0.evtchn->ports[bound].remote == U2.evtchn);
	CHECK_EQ(U2.evtchn->ports[theirs].state, EVTCHN_UNBOUND);
	/* U has no free port left: the bind fails after the pages came. */
	for (q = 1; q < NR_EVTCHN_PORTS; q++)
		U.evtchn->ports[q].state = EVTCHN_UNBOUND;
	s = snap();
	CHECK(create(WOFF, p) != OK);
	check_unchanged(&s, p);
	for (q = 1; q < NR_EVTCHN_PORTS; q++)
		U.evtchn->ports[q].state = EVTCHN_FREE;
	teardown();
}

/* The window page is taken; the heap runs out at each allocation. */
static void test_create_no_room(void)
{
	paddr_t spare, pa = 0, held[HYP_PAGES];
	unsigned n = 0, fails = 0;
	struct snap s;
	uint32_t p;

	setup();
	p = dom0_port();
	spare = page_pool_alloc(&hyp_pool, 1, 1);
	CHECK_EQ(
	    p2m_map(&D0.p2m, WB + WOFF, spare, PG, P2M_PROT_R | P2M_PROT_W), 0);
	s = snap();
	CHECK_EQ(create(WOFF, p), AVAIL);
	check_unchanged(&s, p);
	CHECK(p2m_lookup(&D0.p2m, WB + WOFF, &pa, NULL) && pa == spare);
	CHECK_EQ(p2m_unmap(&D0.p2m, WB + WOFF, PG), 0);
	page_pool_free(&hyp_pool, spare, 1);
	while (hyp_pool.nfree)
		held[n++] = page_pool_alloc(&hyp_pool, 1, 1);
	/* No page, one (the request page), two (and the server), then
	 * the window's tables one by one: each failure undoes itself. */
	for (;;) {
		s = snap();
		if (create(WOFF, p) == OK)
			break;
		check_unchanged(&s, p);
		fails++;
		CHECK(n > 0);
		if (!n)
			break;
		page_pool_free(&hyp_pool, held[--n], 1);
	}
	CHECK(fails >= 3);
	CHECK(U.ioreq[0] && win(0) == U.ioreq[0]->page);
	CHECK_EQ(ioreq_destroy(&U, 0), OK);
	while (n)
		page_pool_free(&hyp_pool, held[--n], 1);
	teardown();
}

/* ------------------------------------------------------------ ranges */

static void test_map_range_args(void)
{
	static const struct {
		const char *what;
		uint64_t base, size, noff;
		long err;
	} bad[] = {
	    {"zero size", IO_BASE, 0, 0, INVAL},
	    {"base misaligned", IO_BASE + 8, PG, 0, INVAL},
	    {"size misaligned", IO_BASE, PG + 4, 0, INVAL},
	    {"range wraps", ~0UL << PAGE_SHIFT, 2 * PG, 0, INVAL},
	    {"past the GPA space", GPA_TOP - PG, 2 * PG, 0, INVAL},
	    {"beyond the GPA space", GPA_TOP, PG, 0, INVAL},
	    {"notify misaligned", IO_BASE, IO_SIZE, NOFF + 2, INVAL},
	    {"notify = page", IO_BASE, IO_SIZE, PG, INVAL},
	    {"notify past page", IO_BASE, IO_SIZE, PG + 4, INVAL},
	    {"notify with 1.x flags", IO_BASE, IO_SIZE, NOFF | 1UL << 16,
	     INVAL},
	    {"notify, too many pages", IO_BASE, (NP + 1) * PG, NOFF, INVAL},
	    {"RAM's first page", RAM_BASE, PG, 0, AVAIL},
	    {"straddles RAM start", RAM_BASE - PG, 2 * PG, 0, AVAIL},
	    {"straddles RAM end", RAM_BASE + RAM_SIZE - PG, 2 * PG, 0, AVAIL},
	    {"covers RAM", RAM_BASE - PG, RAM_SIZE + 2 * PG, 0, AVAIL},
	    {"a registered region", DEV_BASE, PG, 0, AVAIL},
	    {"ends in it", DEV_BASE - PG, 2 * PG, 0, AVAIL},
	    {"the vUART", VIREO_DOMU_UART_BASE, PG, 0, AVAIL},
	    {"the vPLIC", VIREO_DOMU_PLIC_BASE + MiB(1), PG, 0, AVAIL},
	    {"the control device", VIREO_DOMU_CONTROL_BASE, PG, 0, AVAIL},
	};
	static const struct {
		uint64_t base, size, noff;
	} good[] = {
	    {RAM_BASE - PG, PG, 0},	 {RAM_BASE + RAM_SIZE, PG, 0},
	    {DEV_BASE - PG, PG, 0},	 {DEV_BASE + PG, PG, 0},
	    {IO_BASE, PG, PG - 4},	 {IO_BASE, NP * PG, 4},
	    {IO_BASE, (NP + 1) * PG, 0}, {GPA_TOP - PG, PG, 0},
	};
	uint32_t a, first = 0xdead;

	setup();
	a = new_server(0);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		long e = ioreq_map_range(&U, a, bad[i].base, bad[i].size,
					 bad[i].noff, &first);
		if (e != bad[i].err)
			fprintf(stderr, "  case: %s\n", bad[i].what);
		CHECK_EQ(e, bad[i].err);
		CHECK(!U.ioreq[a]->nr_ranges && !U.ioreq[a]->nr_notify);
		CHECK_EQ(first, 0xdead);
	}
	/* No such server. */
	CHECK_EQ(ioreq_map_range(&U, 1, IO_BASE, PG, 0, &first), INVAL);
	CHECK_EQ(ioreq_map_range(&U, NS, IO_BASE, PG, 0, &first), INVAL);
	CHECK_EQ(ioreq_map_range(&U, ~0UL, IO_BASE, PG, 0, &first), INVAL);
	CHECK_EQ(ld(&V[0], IO_BASE, 4, false, 5), MMIO_FAULT);
	/* The boundaries of the same checks are accepted. */
	for (unsigned i = 0; i < ARRAY_SIZE(good); i++) {
		a = new_server(1);
		CHECK_EQ(map(a, good[i].base, good[i].size, good[i].noff), 0);
		CHECK_EQ(ld(&V[0], good[i].base, 4, false, 5), MMIO_PENDING);
		CHECK_EQ(respond(a, 0, 0), OK);
		CHECK_EQ(ioreq_destroy(&U, a), OK);
	}
	teardown();
}

/* No range meets another server's, nor another of its own. */
static void test_map_range_overlap(void)
{
	const gpa_t X = HI + 4 * PG; /* a's: 4 pages */
	const struct {
		uint64_t base, size;
	} bad[] = {{X, 4 * PG},	     {X, PG},	       {X + 3 * PG, 2 * PG},
		   {X - PG, 2 * PG}, {X - PG, 6 * PG}, {X + PG, PG}};
	uint32_t a, b, first = 0xdead;

	setup();
	a = new_server(0);
	b = new_server(1);
	CHECK_EQ(map(a, X, 4 * PG, NOFF), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t base = bad[i].base, size = bad[i].size;

		CHECK_EQ(ioreq_map_range(&U, b, base, size, 0, &first), AVAIL);
		CHECK_EQ(ioreq_map_range(&U, a, base, size, 0, &first), AVAIL);
	}
	CHECK_EQ(first, 0xdead);
	CHECK(U.ioreq[a]->nr_ranges == 1 && U.ioreq[b]->nr_ranges == 0);
	/* Touching is not meeting. */
	CHECK_EQ(map(b, X + 4 * PG, PG, 0), 0);
	CHECK_EQ(map(a, X - PG, PG, 0), 0);
	/* At most VIREO_IOREQ_MAX_RANGES a server. */
	for (unsigned i = 2; i < VIREO_IOREQ_MAX_RANGES; i++)
		CHECK_EQ(map(a, HI2 + 2 * i * PG, PG, 0), 0);
	CHECK_EQ(ioreq_map_range(&U, a, HI2, PG, 0, &first), INVAL);
	CHECK_EQ(U.ioreq[a]->nr_ranges, VIREO_IOREQ_MAX_RANGES);
	CHECK_EQ(map(b, HI2, PG, 0), 0); /* b has room */
	teardown();
}

/* An access goes to the server whose range holds all of it. */
static void test_routing(void)
{
	uint32_t a, b;

	setup();
	two_servers(&a, &b);
	V[0].regs.x[5] = 0x5a;
	CHECK_EQ(ld(&V[0], IO2_BASE + 0x10, 4, false, 5), MMIO_PENDING);
	check_slot(b, 0, IO2_BASE + 0x10, 0, 4, VIREO_IOREQ_READ);
	CHECK_EQ(win(a)->slot[0].state, VIREO_IOREQ_NONE);
	CHECK(pending(0, p0[b]) && !pending(0, p0[a]));
	CHECK_EQ(sd(&V[1], IO_BASE + IO_SIZE - 8, 8, 0x99), MMIO_PENDING);
	check_slot(a, 1, IO_BASE + IO_SIZE - 8, 0x99, 8, VIREO_IOREQ_WRITE);
	CHECK_EQ(win(b)->slot[1].state, VIREO_IOREQ_NONE);
	CHECK(pending(0, p0[a]));
	CHECK_EQ(st.upcall[0], 2);
	/* a's answer in V[0]'s slot does not complete it: it waits on b. */
	answer(a, 0, 1);
	CHECK_EQ(ioreq_complete(&U, a, 1, 0), INVAL);
	CHECK_EQ(V[0].state, VCPU_WAIT_IO);
	CHECK_EQ(V[0].regs.x[5], 0x5a);
	CHECK_EQ(respond(b, 0, 0x42), OK);
	CHECK_EQ(V[0].regs.x[5], 0x42);
	CHECK_EQ(respond(a, 1, 0), OK);
	/* Across the two servers' ranges, past them: nobody's. */
	CHECK_EQ(ld(&V[2], IO2_BASE - 4, 8, false, 6), MMIO_FAULT);
	CHECK_EQ(ld(&V[2], IO2_BASE + IO_SIZE, 1, false, 6), MMIO_FAULT);
	CHECK_EQ(ld(&V[2], IO_BASE - 1, 1, false, 6), MMIO_FAULT);
	CHECK_EQ(V[2].state, VCPU_RUNNABLE);
	/* The domain's own devices are served by the table. */
	CHECK_EQ(ld(&V[2], DEV_BASE + 8, 4, false, 6), MMIO_DONE);
	CHECK_EQ(V[2].regs.x[6], 0xd0d8);
	CHECK_EQ(sd(&V[2], DEV_BASE, 4, 1), MMIO_DONE);
	CHECK(st.dev_rd == 1 && st.dev_wr == 1);
	CHECK_EQ(ld(&V[2], VIREO_DOMU_CONTROL_BASE + VIREO_CONTROL_REG_MAGIC, 4,
		    false, 6),
		 MMIO_DONE);
	CHECK_EQ(V[2].regs.x[6], VIREO_CONTROL_MAGIC);
	CHECK_EQ(st.upcall[0], 2);
	CHECK_EQ(st.kick[2], 0);
	teardown();
}

/* ----------------------------------------------------- slot protocol */

static void test_read_complete(void)
{
	static const struct {
		unsigned width, len;
		bool sign;
		uint64_t data, want;
	} c[] = {
	    {1, 4, true, 0x1234567880, 0xffffffffffffff80},
	    {1, 4, true, 0x7f, 0x7f},
	    {1, 4, false, 0xff80, 0x80},
	    {2, 4, true, 0xdead8001, 0xffffffffffff8001},
	    {2, 4, false, 0xdead8001, 0x8001},
	    {4, 2, true, 0x80000001, 0xffffffff80000001},
	    {4, 4, true, 0x1122334455667788, 0x55667788},
	    {4, 4, false, 0xffffffff80000001, 0x80000001},
	    {8, 2, false, 0x8877665544332211, 0x8877665544332211},
	};
	struct vcpu *v = &V[0];
	uint32_t a;

	setup();
	a = new_server(0);
	map(a, IO_BASE, IO_SIZE, NOFF);
	for (unsigned i = 0; i < ARRAY_SIZE(c); i++) {
		gpa_t gpa = IO_BASE + 0x100 + 8 * i;
		unsigned long sepc = v->regs.sepc;

		v->regs.x[5] = 0x5a5a;
		CHECK_EQ(access(v, gpa, c[i].width, false, 0x77, 5, c[i].sign,
				c[i].len),
			 MMIO_PENDING);
		check_slot(a, 0, gpa, 0, c[i].width, VIREO_IOREQ_READ);
		CHECK(pending(0, p0[a]) && !pending(1, pu[a]));
		CHECK_EQ(st.upcall[0], i + 1);
		CHECK_EQ(v->regs.x[5], 0x5a5a); /* not before the answer */
		clear_pending0(p0[a]);		/* Dom0 takes the event */

		CHECK_EQ(respond(a, 0, c[i].data), OK);
		if (v->regs.x[5] != c[i].want)
			fprintf(stderr, "  case %u\n", i);
		CHECK_EQ(v->regs.x[5], c[i].want);
		CHECK_EQ(v->regs.sepc, sepc + c[i].len);
		CHECK_EQ(win(a)->slot[0].state, VIREO_IOREQ_NONE);
		CHECK_EQ(v->state, VCPU_RUNNABLE);
		CHECK_EQ(st.kick[0], i + 1);
	}
	/* Completed twice, or with a stale answer: an error, no change. */
	CHECK_EQ(ioreq_complete(&U, a, 1, 0), INVAL);
	CHECK_EQ(respond(a, 0, 0x43), INVAL);
	CHECK_EQ(v->regs.x[5], c[ARRAY_SIZE(c) - 1].want);
	CHECK_EQ(st.kick[0], ARRAY_SIZE(c));
	/* The next request overwrites the stale slot. */
	CHECK_EQ(sd(v, IO_BASE, 1, 1), MMIO_PENDING);
	check_slot(a, 0, IO_BASE, 1, 1, VIREO_IOREQ_WRITE);
	CHECK_EQ(respond(a, 0, 0), OK);
	/* A load into x0 leaves it zero. */
	CHECK_EQ(ld(v, IO_BASE, 4, true, 0), MMIO_PENDING);
	CHECK_EQ(respond(a, 0, 0x1234), OK);
	CHECK_EQ(v->regs.x[0], 0);
	CHECK_EQ(st.kick[1] + st.kick[2], 0);
	teardown();
}

static void test_write_request(void)
{
	const uint64_t val = 0x1122334455667788;
	const gpa_t gpa = IO_BASE + PG + 8;
	uint32_t a;

	setup();
	a = new_server(0);
	map(a, IO_BASE, IO_SIZE, NOFF);
	V[1].regs.x[7] = val;
	CHECK_EQ(access(&V[1], gpa, 8, true, val, 7, false, 2), MMIO_PENDING);
	check_slot(a, 1, gpa, val, 8, VIREO_IOREQ_WRITE);
	CHECK_EQ(win(a)->slot[0].state, VIREO_IOREQ_NONE);
	CHECK(pending(0, p0[a]));
	/* Only the bytes stored reach the model. */
	CHECK_EQ(sd(&V[2], gpa + 8, 2, 0xffffffffffff8001), MMIO_PENDING);
	check_slot(a, 2, gpa + 8, 0x8001, 2, VIREO_IOREQ_WRITE);
	/* V[0] reads meanwhile; they are answered in reverse order. */
	CHECK_EQ(ld(&V[0], IO_BASE + 4, 2, false, 6), MMIO_PENDING);
	CHECK_EQ(st.upcall[0], 1); /* Dom0 had not taken the first yet */
	CHECK_EQ(win(a)->slot[1].addr, gpa);
	CHECK_EQ(respond(a, 0, 0xabcd), OK);
	CHECK_EQ(V[0].regs.x[6], 0xabcd);
	CHECK_EQ(V[1].state, VCPU_WAIT_IO);
	CHECK_EQ(respond(a, 1, 0xdead), OK); /* a write's data is not loaded */
	CHECK_EQ(V[1].regs.x[7], val);
	CHECK_EQ(V[1].regs.sepc, 0x80200100UL + 2);
	CHECK_EQ(V[1].state, VCPU_RUNNABLE);
	CHECK_EQ(win(a)->slot[1].state, VIREO_IOREQ_NONE);
	CHECK_EQ(respond(a, 2, 0), OK);
	CHECK_EQ(st.kick[0] + st.kick[1] + st.kick[2], 3);
	teardown();
}

/* Two vCPUs and a latch's line in one call. */
static void test_complete_batch(void)
{
	uint32_t a, b, i = ~0U;
	struct vireo_ioreq_latch l = {
	    .read_addr = IO_BASE + 0x60, .width = 4, .line = L0};

	setup();
	two_servers(&a, &b);
	CHECK_EQ(ioreq_latch(&U, a, &l, &i), OK);
	CHECK_EQ(ld(&V[0], IO_BASE + 8, 4, false, 5), MMIO_PENDING);
	CHECK_EQ(ld(&V[1], IO_BASE + PG, 2, true, 6), MMIO_PENDING);
	CHECK_EQ(ld(&V[2], IO2_BASE, 4, false, 7), MMIO_PENDING);
	answer(a, 0, 0x1111);
	answer(a, 1, 0x8222);
	win(a)->latch[i] = 1;
	CHECK_EQ(st.line[L0], 0);
	CHECK_EQ(ioreq_complete(&U, a, 3, 1UL << i), OK);
	CHECK_EQ(V[0].regs.x[5], 0x1111);
	CHECK_EQ(V[1].regs.x[6], 0xffffffffffff8222);
	CHECK(V[0].state == VCPU_RUNNABLE && V[1].state == VCPU_RUNNABLE);
	CHECK(st.kick[0] == 1 && st.kick[1] == 1 && st.kick[2] == 0);
	CHECK_EQ(win(a)->slot[0].state, VIREO_IOREQ_NONE);
	CHECK_EQ(win(a)->slot[1].state, VIREO_IOREQ_NONE);
	CHECK_EQ(st.line[L0], 1);
	/* b's vCPU is b's to complete. */
	CHECK_EQ(V[2].state, VCPU_WAIT_IO);
	CHECK_EQ(respond(b, 2, 0x33), OK);
	CHECK_EQ(V[2].regs.x[7], 0x33);
	CHECK_EQ(ioreq_complete(&U, a, 0, 0), OK); /* nothing to do */
	/* The latch alone: its line follows the word down. */
	model_sets(a, i, 0);
	CHECK_EQ(st.line[L0], 0);
	teardown();
}

/*
 * One bad bit and nothing happens: V[0] waits on a with its answer, and
 * latch 0's word changed; each call names them and something wrong.
 */
static void check_batch_untouched(uint32_t a, unsigned levels)
{
	CHECK_EQ(V[0].state, VCPU_WAIT_IO);
	CHECK_EQ(win(a)->slot[0].state, VIREO_IOREQ_RESP);
	CHECK_EQ(V[0].regs.x[5], 0x5a);
	CHECK_EQ(V[0].regs.sepc, 0x80200000UL);
	CHECK_EQ(V[1].state, VCPU_WAIT_IO);
	CHECK_EQ(st.kick[0] + st.kick[1] + st.kick[2], 0);
	CHECK_EQ(st.levels, levels);
	CHECK_EQ(st.line[L0], 0);
}

static void test_complete_batch_invalid(void)
{
	static const struct {
		const char *what;
		uint64_t vcpus, latches;
	} bad[] = {
	    {"V[1] waits on b", 1 | 1 << 1, 0},
	    {"V[2] asked nothing", 1 | 1 << 2, 1},
	    {"latch 5 undeclared", 1, 1 | 1 << 5},
	    {"no vCPU 3", 1 | 1 << NV, 1},
	    {"no vCPU 63", 1 | 1UL << 63, 1},
	    {"no latch 16", 1, 1 | 1UL << VIREO_IOREQ_MAX_LATCHES},
	};
	struct vireo_ioreq_latch l = {
	    .read_addr = IO_BASE + 0x60, .width = 4, .line = L0};
	uint32_t a, b, i = ~0U;
	unsigned levels;

	setup();
	two_servers(&a, &b);
	CHECK_EQ(ioreq_latch(&U, a, &l, &i), OK);
	CHECK_EQ(i, 0);
	V[0].regs.x[5] = 0x5a;
	CHECK_EQ(ld(&V[0], IO_BASE + 8, 4, false, 5), MMIO_PENDING);
	CHECK_EQ(ld(&V[1], IO2_BASE + 8, 4, false, 6), MMIO_PENDING);
	answer(a, 0, 0x1234);
	answer(b, 1, 0x5678);
	answer(a, 1, 0x5678); /* stale answers in a's page */
	answer(a, 2, 0x9abc);
	win(a)->latch[0] = 1;
	levels = st.levels;
	for (unsigned k = 0; k < ARRAY_SIZE(bad); k++) {
		long e = ioreq_complete(&U, a, bad[k].vcpus, bad[k].latches);
		if (e != INVAL)
			fprintf(stderr, "  case: %s\n", bad[k].what);
		CHECK_EQ(e, INVAL);
		check_batch_untouched(a, levels);
	}
	/* V[2] waits on a, not yet answered. */
	CHECK_EQ(ld(&V[2], IO_BASE + 16, 4, false, 7), MMIO_PENDING);
	CHECK_EQ(ioreq_complete(&U, a, 1 | 1 << 2, 1), INVAL);
	check_batch_untouched(a, levels);
	/* No such server. */
	CHECK_EQ(ioreq_complete(&U, 2, 1, 0), INVAL);
	CHECK_EQ(ioreq_complete(&U, NS, 1, 0), INVAL);
	CHECK_EQ(ioreq_complete(&U, ~0UL, 0, 0), INVAL);
	check_batch_untouched(a, levels);
	/* b has no latch 0; a's answer for V[1] is not b's. */
	CHECK_EQ(ioreq_complete(&U, b, 1 << 1, 1), INVAL);
	CHECK_EQ(ioreq_complete(&U, b, 1 | 1 << 1, 0), INVAL);
	check_batch_untouched(a, levels);
	/* Right, at last. */
	CHECK_EQ(ioreq_complete(&U, a, 1, 1), OK);
	CHECK_EQ(V[0].regs.x[5], 0x1234);
	CHECK_EQ(st.line[L0], 1);
	CHECK_EQ(V[1].state, VCPU_WAIT_IO);
	CHECK_EQ(V[2].state, VCPU_WAIT_IO);
	teardown();
}

/* ----------------------------------------------------- posted notify */

/* A posted write sets bit v of notify[first + page] and signals. */
static void test_posted_notify(void)
{
	const uint32_t all = 1U << 31 | 1U << 3 | 1;
	uint32_t a, b, first = 0xdead;
	struct vireo_ioreq_page *w;
	unsigned up;

	setup();
	two_servers(&a, &b);
	CHECK_EQ(map(a, HI, PG, 0), 0); /* none: 0 */
	CHECK_EQ(map(a, HI2, (NP - 4) * PG, 0x100), 4);
	w = win(a);
	CHECK_EQ(sd(&V[0], IO_BASE + NOFF, 4, 3), MMIO_DONE);
	CHECK_EQ(w->notify[0], 1U << 3);
	CHECK_EQ(V[0].state, VCPU_RUNNABLE);
	CHECK_EQ(V[0].regs.sepc, 0x80200000UL + 4);
	CHECK_EQ(w->slot[0].state, VIREO_IOREQ_NONE);
	CHECK(pending(0, p0[a]) && !pending(0, p0[b]));
	CHECK_EQ(st.upcall[0], 1);
	/* Bits accumulate while Dom0 has not looked. */
	CHECK_EQ(sd(&V[1], IO_BASE + NOFF, 4, 31), MMIO_DONE);
	CHECK_EQ(sd(&V[0], IO_BASE + NOFF, 4, 0), MMIO_DONE);
	CHECK_EQ(w->notify[0], all);
	CHECK_EQ(st.upcall[0], 1); /* the port was still pending */
	/* Each page its word, from its range's first on, up to the last. */
	CHECK_EQ(sd(&V[0], IO_BASE + 2 * PG + NOFF, 4, 7), MMIO_DONE);
	CHECK_EQ(sd(&V[0], HI2 + PG + 0x100, 4, 9), MMIO_DONE);
	CHECK_EQ(sd(&V[0], HI2 + (NP - 5) * PG + 0x100, 4, 5), MMIO_DONE);
	CHECK_EQ(w->notify[2], 1U << 7);
	CHECK_EQ(w->notify[5], 1U << 9);
	CHECK_EQ(w->notify[NP - 1], 1U << 5);
	CHECK(w->notify[1] == 0 && w->notify[3] == 0 && w->notify[4] == 0);
	/* Each range its own offset, if any; each server its words. */
	CHECK_EQ(sd(&V[0], HI2 + NOFF, 4, 1), MMIO_PENDING);
	CHECK_EQ(respond(a, 0, 0), OK);
	CHECK_EQ(sd(&V[0], HI + NOFF, 4, 1), MMIO_PENDING);
	CHECK_EQ(respond(a, 0, 0), OK);
	CHECK_EQ(sd(&V[1], IO2_BASE + NOFF, 4, 4), MMIO_DONE);
	CHECK_EQ(win(b)->notify[0], 1U << 4);
	CHECK(pending(0, p0[b]));
	/* The model takes the bits and the event; the next re-arms. */
	CHECK_EQ(__atomic_exchange_n(&w->notify[0], 0, __ATOMIC_SEQ_CST), all);
	clear_pending0(p0[a]);
	up = st.upcall[0];
	CHECK_EQ(sd(&V[1], IO_BASE + NOFF, 4, 3), MMIO_DONE);
	CHECK_EQ(w->notify[0], 1U << 3);
	CHECK(pending(0, p0[a]));
	CHECK_EQ(st.upcall[0], up + 1);
	CHECK_EQ(st.kick[0] + st.kick[1], 2); /* the two requests */
	/* a's 64 words are all handed out; unmapped ones do not return. */
	CHECK_EQ(ioreq_map_range(&U, a, HI + MiB(1), PG, 4, &first), INVAL);
	CHECK_EQ(ioreq_unmap_range(&U, a, HI2, (NP - 4) * PG), OK);
	CHECK_EQ(ioreq_map_range(&U, a, HI2, PG, 4, &first), INVAL);
	CHECK_EQ(first, 0xdead);
	CHECK_EQ(map(a, HI2, PG, 0), 0);
	CHECK_EQ(map(b, HI + MiB(1), PG, 4), 4); /* b has its own */
	teardown();
}

static void test_notify_other_stores(void)
{
	static const struct {
		uint64_t off;
		unsigned width;
		bool store;
		uint64_t val;
	} c[] = {
	    {NOFF, 2, true, 3},
	    {NOFF, 1, true, 3},
	    {NOFF, 8, true, 3},
	    {NOFF + 4, 4, true, 3},
	    {NOFF - 4, 4, true, 3},
	    {NOFF, 4, true, 32},
	    {NOFF, 4, true, 0xffffffffULL},
	    {NOFF, 4, false, 0},
	    {PG + NOFF + 4, 4, true, 1},
	};
	uint32_t a;

	setup();
	a = new_server(0);
	map(a, IO_BASE, IO_SIZE, NOFF);
	for (unsigned i = 0; i < ARRAY_SIZE(c); i++) {
		CHECK_EQ(access(&V[0], IO_BASE + c[i].off, c[i].width,
				c[i].store, c[i].val, 11, false, 4),
			 MMIO_PENDING);
		check_slot(a, 0, IO_BASE + c[i].off, c[i].store ? c[i].val : 0,
			   c[i].width,
			   c[i].store ? VIREO_IOREQ_WRITE : VIREO_IOREQ_READ);
		CHECK_EQ(respond(a, 0, 0), OK);
	}
	CHECK(!memcmp(win(a)->notify, zeros, sizeof(win(a)->notify)));
	/* Only the bytes stored count: bits above a 4-byte store do not
	 * stop it from being a posted notify. */
	CHECK_EQ(sd(&V[0], IO_BASE + NOFF, 4, 0xffffffff00000003ULL),
		 MMIO_DONE);
	CHECK_EQ(win(a)->notify[0], 1U << 3);
	/* Without a notify offset, offset 0 is not special either. */
	map(a, HI, PG, 0);
	CHECK_EQ(sd(&V[1], HI, 4, 0), MMIO_PENDING);
	CHECK_EQ(sd(&V[0], HI + NOFF, 4, 0), MMIO_PENDING);
	CHECK_EQ(win(a)->notify[1], 0);
	CHECK_EQ(respond(a, 1, 0), OK);
	CHECK_EQ(respond(a, 0, 0), OK);
	teardown();
}

/* ----------------------------------------------------------- latches */

static void test_destroy(void)
{
	uint32_t a, b;

	setup();
	two_servers(&a, &b);
	raised(a, IO_BASE, 0, 4, L0, 0, 1);
	raised(b, IO2_BASE, 0, 4, L0 + 1, 0, 1);
	CHECK_EQ(ld(&V[0], IO_BASE + 8, 4, true, 12), MMIO_PENDING);
	V[1].regs.x[13] = 0x77;
	CHECK_EQ(access(&V[1], IO_BASE + 16, 2, true, 0x77, 13, false, 2),
		 MMIO_PENDING);
	CHECK_EQ(ld(&V[2], IO2_BASE + 8, 4, false, 14), MMIO_PENDING);
	CHECK_EQ(ioreq_destroy(&U, a), OK);
	/* a's accesses fail as a bus would: loads all ones. */
	CHECK_EQ(V[0].regs.x[12], ~0ULL);
	CHECK_EQ(V[0].regs.sepc, 0x80200000UL + 4);
	CHECK_EQ(V[1].regs.x[13], 0x77);
	CHECK_EQ(V[1].regs.sepc, 0x80200100UL + 2);
	CHECK(V[0].state == VCPU_RUNNABLE && V[1].state == VCPU_RUNNABLE);
	CHECK(st.kick[0] == 1 && st.kick[1] == 1);
	/* b's go on waiting; b's line stays, a's falls. */
	CHECK_EQ(V[2].state, VCPU_WAIT_IO);
	CHECK_EQ(st.kick[2], 0);
	CHECK_EQ(win(b)->slot[2].state, VIREO_IOREQ_READY);
	CHECK(st.line[L0] == 0 && st.line[L0 + 1] == 1);
	/* Nothing of a's left: range, port, window, page. */
	CHECK(U.ioreq[a] == NULL && U.ioreq[b] != NULL);
	CHECK_EQ(ld(&V[0], IO_BASE + 8, 4, false, 12), MMIO_FAULT);
	CHECK_EQ(sd(&V[0], IO_BASE + NOFF, 4, 1), MMIO_FAULT);
	CHECK(!evtchn_is_reserved(U.evtchn, pu[a]));
	CHECK_EQ(U.evtchn->ports[pu[a]].state, EVTCHN_FREE);
	CHECK_EQ(D0.evtchn->ports[p0[a]].state, EVTCHN_UNBOUND);
	CHECK_EQ(D0.evtchn->ports[p0[a]].remote_domid, U.id);
	CHECK(win(a) == NULL);
	CHECK_EQ(st.flush, 1);
	/* Twice: an error that changes nothing; nor can a complete. */
	CHECK_EQ(ioreq_destroy(&U, a), INVAL);
	CHECK_EQ(ioreq_destroy(&U, NS), INVAL);
	CHECK_EQ(ioreq_complete(&U, a, 0, 0), INVAL);
	CHECK_EQ(st.flush, 1);
	CHECK_EQ(respond(b, 2, 0x42), OK);
	CHECK_EQ(V[2].regs.x[14], 0x42);
	/* Dom0's port waits for U again: a new server can use it. */
	CHECK_EQ(ioreq_create(&U, WOFF, p0[a], &a, &pu[a]), OK);
	CHECK(evtchn_is_reserved(U.evtchn, pu[a]));
	CHECK_EQ(ioreq_destroy(&U, b), OK);
	CHECK_EQ(st.line[L0 + 1], 0);
	teardown();
}

/*
 * A dying domain: domain_destroy() tears U's ports down, then destroys
 * every server.
 */
static void test_destroy_all(void)
{
	uint32_t a, b, c;

	setup();
	two_servers(&a, &b);
	c = new_server(2);
	map(c, HI, PG, 0);
	raised(a, IO_BASE, 0, 4, L0, 0, 1);
	raised(c, HI, 0, 4, L0 + 1, 0, 1);
	CHECK_EQ(ld(&V[0], IO_BASE, 8, false, 14), MMIO_PENDING);
	CHECK_EQ(ld(&V[2], HI, 2, true, 14), MMIO_PENDING);
	domain_evtchn_teardown(&U);
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(D0.evtchn->ports[p0[i]].state, EVTCHN_UNBOUND);
	ioreq_destroy_all(&U);
	CHECK(!U.ioreq[a] && !U.ioreq[b] && !U.ioreq[c]);
	CHECK(V[0].regs.x[14] == ~0ULL && V[2].regs.x[14] == ~0ULL);
	CHECK(V[0].state == VCPU_RUNNABLE && V[2].state == VCPU_RUNNABLE);
	CHECK(st.line[L0] == 0 && st.line[L0 + 1] == 0);
	for (unsigned i = 0; i < 3; i++) {
		CHECK_EQ(D0.evtchn->ports[p0[i]].state, EVTCHN_UNBOUND);
		CHECK_EQ(D0.evtchn->ports[p0[i]].remote_domid, U.id);
	}
	CHECK_EQ(st.flush, 3);
	CHECK_EQ(hyp_pool.nfree, hyp_start + (1U << EVTCHN_ORDER));
	CHECK_EQ(D0.p2m.table_pages, ROOT_PAGES);
	ioreq_destroy_all(&U); /* none left: nothing */
	CHECK_EQ(st.flush, 3);
	CHECK_EQ(domain_evtchn_init(&U, 3), 0); /* for teardown() */
	teardown();
}

/* ------------------------------------------------- event channels */

/* Dom0 closes its end: the hypervisor's sends go nowhere, harmlessly. */
static void test_dom0_closes_port(void)
{
	uint32_t a, b, q;

	setup();
	two_servers(&a, &b);
	CHECK_EQ(hc(&V0, VIREO_HC_EVTCHN_CLOSE, p0[a], 0), OK);
	CHECK_EQ(D0.evtchn->ports[p0[a]].state, EVTCHN_FREE);
	CHECK_EQ(U.evtchn->ports[pu[a]].state, EVTCHN_UNBOUND);
	CHECK(evtchn_is_reserved(U.evtchn, pu[a])); /* still the hypervisor's */
	/* Dom0 reuses the port number for something else. */
	CHECK_EQ(evtchn_alloc_unbound(D0.evtchn, U2.id, &q), 0);
	CHECK_EQ(q, p0[a]);
	CHECK_EQ(ld(&V[0], IO_BASE, 4, false, 15), MMIO_PENDING);
	CHECK_EQ(sd(&V[1], IO_BASE + NOFF, 4, 2), MMIO_DONE);
	CHECK(!pending(0, q));
	CHECK_EQ(st.upcall[0] + st.upcall[1] + st.upcall[2], 0);
	CHECK_EQ(win(a)->notify[0], 1U << 2);
	CHECK_EQ(respond(a, 0, 5), OK); /* the slots still work */
	CHECK_EQ(V[0].regs.x[15], 5);
	/* b's channel is b's. */
	CHECK_EQ(sd(&V[1], IO2_BASE + NOFF, 4, 2), MMIO_DONE);
	CHECK(pending(0, p0[b]));
	CHECK_EQ(ioreq_destroy(&U, a), OK);
	CHECK_EQ(U.evtchn->ports[pu[a]].state, EVTCHN_FREE);
	CHECK_EQ(D0.evtchn->ports[q].state, EVTCHN_UNBOUND);
	CHECK_EQ(D0.evtchn->ports[q].remote_domid, U2.id);
	teardown();
}

/* U's ends are the hypervisor's: U may neither send on them nor close. */
static void test_domu_reserved_port(void)
{
	uint32_t a, b, mine;

	setup();
	two_servers(&a, &b);
	for (unsigned i = 0; i < 2; i++) {
		CHECK_EQ(hc(&V[0], VIREO_HC_EVTCHN_SEND, pu[i], 0), INVAL);
		CHECK_EQ(hc(&V[0], VIREO_HC_EVTCHN_CLOSE, pu[i], 0), INVAL);
		CHECK_EQ(U.evtchn->ports[pu[i]].state, EVTCHN_INTERDOMAIN);
		CHECK_EQ(D0.evtchn->ports[p0[i]].state, EVTCHN_INTERDOMAIN);
		/* Nor bind Dom0's end again, which is taken. */
		CHECK_EQ(hc(&V[0], VIREO_HC_EVTCHN_BIND_INTERDOMAIN, 0, p0[i]),
			 INVAL);
	}
	CHECK(!pending(0, p0[a]) && !pending(0, p0[b]));
	CHECK_EQ(st.upcall[0], 0);
	/* Its own ports are its own. */
	CHECK_EQ(hc(&V[0], VIREO_HC_EVTCHN_ALLOC_UNBOUND, 0, 0), OK);
	mine = (uint32_t)hc_val;
	CHECK(mine != pu[a] && mine != pu[b]);
	CHECK(!evtchn_is_reserved(U.evtchn, mine));
	CHECK_EQ(hc(&V[0], VIREO_HC_EVTCHN_SEND, mine, 0), OK);
	CHECK_EQ(hc(&V[0], VIREO_HC_EVTCHN_CLOSE, mine, 0), OK);
	/* The hypervisor still can send, Dom0 hears it. */
	CHECK_EQ(sd(&V[0], IO_BASE + NOFF, 4, 1), MMIO_DONE);
	CHECK(pending(0, p0[a]));
	CHECK_EQ(st.upcall[0], 1);
	/* After destroy the number is an ordinary port again. */
	CHECK_EQ(ioreq_destroy(&U, a), OK);
	CHECK_EQ(hc(&V[0], VIREO_HC_EVTCHN_ALLOC_UNBOUND, 0, 0), OK);
	CHECK_EQ(hc_val, pu[a]);
	CHECK_EQ(hc(&V[0], VIREO_HC_EVTCHN_CLOSE, pu[a], 0), OK);
	teardown();
}

int main(void)
{
	arena = aligned_alloc(MEGAPAGE_SIZE, HYP_SIZE);
	if (!arena)
		return 2;
	RUN(test_create);
	RUN(test_create_invalid_args);
	RUN(test_create_bad_port);
	RUN(test_create_no_room);
	RUN(test_map_range_args);
	RUN(test_map_range_overlap);
	RUN(test_routing);
	RUN(test_read_complete);
	RUN(test_write_request);
	RUN(test_complete_batch);
	RUN(test_complete_batch_invalid);
	RUN(test_posted_notify);
	RUN(test_notify_other_stores);
	RUN(test_destroy);
	RUN(test_destroy_all);
	RUN(test_dom0_closes_port);
	RUN(test_domu_reserved_port);
	free(arena);
	TEST_DONE();
}
