/*
 * Host unit test of ioreq servers (kernel/core/ioreq.c): the slot protocol
 * between a DomU's MMIO, the device model in Dom0 and the server's event
 * channel, posted notifies, and that failing calls change nothing. The real
 * page allocator (over a host arena, so pages are counted exactly), G-stage
 * tables, event channels and their hypercall glue are compiled in; only
 * what lives elsewhere in the hypervisor is stubbed.
 */
#include "test.h"

#include "../../kernel/core/page_alloc.c"
#include "../../kernel/arch/riscv/p2m.c"
#include "../../kernel/core/evtchn.c"
#include "../../kernel/arch/riscv/insn_decode.c"

#include "domain.h"
#include "domctl.h"

/* ------------------------------------------------------------ host stubs */
struct domain *dom0;
static struct domain D0, U, U2;
static struct domain *const doms[] = {&D0, &U, &U2};
static struct vcpu V0, V[2];

static struct {
	unsigned flush;	    /* p2m_flush_all_harts() */
	unsigned kick[2];   /* vcpu_kick() of V[i] */
	unsigned upcall[3]; /* evtchn upcalls of D0, U, U2 */
	int line[VPLIC_MAX_SRC]; /* vplic_set_level() of U, -1 never */
} st;

void vplic_set_level(struct vplic *p, unsigned src, bool level)
{
	CHECK(p == &U.vplic && src < VPLIC_MAX_SRC);
	st.line[src] = level;
}

void p2m_flush_all_harts(void)
{
	st.flush++;
}

void vcpu_kick(struct vcpu *v)
{
	CHECK(v == &V[0] || v == &V[1]);
	st.kick[v == &V[1]]++;
}

/* As vcpu.c: only a vCPU waiting for its device model is woken. */
void vcpu_io_done(struct vcpu *v)
{
	CHECK_EQ(v->state, VCPU_WAIT_IO);
	v->state = VCPU_RUNNABLE;
	vcpu_kick(v);
}

struct vcpu *domain_vcpu(struct domain *d, unsigned long hartid)
{
	return hartid < d->nr_vcpus ? d->vcpus[hartid] : NULL;
}

void vplic_inject_hw(struct vplic *p, unsigned src)
{
	st.upcall[p == &U.vplic ? 1 : p == &U2.vplic ? 2 : 0]++;
}

struct domain *domain_by_id(unsigned id)
{
	return id == 0 ? &D0 : id == 1 ? &U : id == 2 ? &U2 : NULL;
}

/* References, as domain.c counts them: a dying domain gives none. */
static unsigned refs_taken, refs_held;
struct domain *domain_get(unsigned id)
{
	struct domain *d = domain_by_id(id);

	if (!d || d->dying)
		return NULL;
	refs_taken++;
	refs_held++;
	return d;
}

void domain_put(struct domain *d)
{
	(void)d;
	refs_held--;
}

#include "../../kernel/core/evtchn_glue.c"
#include "../../kernel/core/ioreq.c"

/* ---------------------------------------------------------------- set-up */
#define HYP_SIZE MiB(8)
#define HYP_PAGES (HYP_SIZE >> PAGE_SHIFT)
#define RAM_BASE VIREO_DOMU_RAM_BASE
#define RAM_SIZE MiB(16)
#define WB FOREIGN_WINDOW_BASE
#define WOFF MiB(3) /* the ioreq page's offset in Dom0's window */
#define IO_BASE VIREO_DOMU_VIRTIO_BASE
#define IO_SIZE (VIREO_DOMU_VIRTIO_SLOTS * VIREO_DOMU_VIRTIO_SIZE)
#define NOFF 0x50UL /* virtio-mmio QueueNotify */
#define ROOT_PAGES (1U << GSTAGE_ROOT_ORDER)

#define OK HC_SUCCESS
#define INVAL HC_ERR_INVALID_PARAM
#define FAILED HC_ERR_FAILED
#define AVAIL HC_ERR_ALREADY_AVAILABLE

static uint8_t *arena;
static uint64_t bitmap[HYP_PAGES / 64];
static uint64_t hyp_start; /* nfree with the domains set up, no server */
static struct evtchn_shared sh[3];
static const uint8_t zeros[PAGE_SIZE];
static uint32_t p0, pu; /* Dom0's end offered to U; U's end once bound */

static void domain_setup(struct domain *d, unsigned id, struct evtchn_shared *s)
{
	memset(d, 0, sizeof(*d));
	d->id = id;
	d->slot = id;
	d->is_dom0 = !id;
	d->ioreq_lock = (spinlock_t)SPINLOCK_INIT;
	if (id) {
		d->ram_base = RAM_BASE;
		d->ram_size = RAM_SIZE;
	}
	CHECK_EQ(p2m_init(&d->p2m, id + 1), 0);
	CHECK_EQ(domain_evtchn_init(d, 3), 0);
	CHECK_EQ(evtchn_set_shared(d->evtchn, s), 0);
}

static void vcpu_setup(struct vcpu *v, struct domain *d, unsigned id)
{
	memset(v, 0, sizeof(*v));
	v->dom = d;
	v->id = id;
	v->state = VCPU_RUNNABLE;
	v->regs.sepc = 0x80200000UL + 0x100 * id;
	d->vcpus[d->nr_vcpus++] = v;
}

static void setup(void)
{
	page_pool_init(&hyp_pool, (paddr_t)arena, HYP_PAGES, bitmap);
	memset(arena, 0xa5, HYP_SIZE); /* the ioreq page must come out zeroed */
	for (unsigned i = 0; i < ARRAY_SIZE(doms); i++)
		domain_setup(doms[i], i, &sh[i]);
	dom0 = &D0;
	vcpu_setup(&V0, &D0, 0);
	vcpu_setup(&V[0], &U, 0);
	vcpu_setup(&V[1], &U, 1);
	memset(&st, 0, sizeof(st));
	memset(st.line, 0xff, sizeof(st.line));
	CHECK_EQ(evtchn_alloc_unbound(D0.evtchn, U.id, &p0), 0);
	pu = 0;
	hyp_start = hyp_pool.nfree;
}

/* Everything goes back: no server, no window table, every page free. */
static void teardown(void)
{
	if (U.ioreq)
		CHECK_EQ(ioreq_server_destroy(&U), OK);
	CHECK_EQ(hyp_pool.nfree, hyp_start);
	CHECK_EQ(D0.p2m.table_pages, ROOT_PAGES);
	for (unsigned i = ARRAY_SIZE(doms); i--;) {
		domain_evtchn_teardown(doms[i]);
		p2m_destroy(&doms[i]->p2m);
	}
	CHECK_EQ(hyp_pool.nfree, HYP_PAGES);
}

static long create(struct domain *d, uint64_t off, gpa_t base, uint64_t size,
		   uint64_t port, uint64_t noff)
{
	return ioreq_server_create(d, off, base, size, port, noff, &pu);
}

/* The usual server: U's virtio slots, QueueNotify posted. */
static void server(void)
{
	CHECK_EQ(create(&U, WOFF, IO_BASE, IO_SIZE, p0, NOFF), OK);
}

/* The ioreq page as the device model sees it, through Dom0's window. */
static struct vireo_ioreq_page *win(void)
{
	paddr_t pa = 0;

	return p2m_lookup(&D0.p2m, WB + WOFF, &pa, NULL)
		   ? (struct vireo_ioreq_page *)pa
		   : NULL;
}

static bool pending(unsigned dom, uint32_t port)
{
	return sh[dom].pending[port / 64] & (1ULL << (port % 64));
}

static void clear_pending0(uint32_t port)
{
	sh[0].pending[port / 64] &= ~(1ULL << (port % 64));
}

static unsigned ports_used(const struct evtchn_domain *e)
{
	unsigned n = 0;

	for (unsigned i = 0; i < NR_EVTCHN_PORTS; i++)
		n += e->ports[i].state != EVTCHN_FREE || e->ports[i].reserved;
	return n;
}

/*
 * A trapped access of v as mmio.c makes it: the decoded instruction saved
 * in v, then domain_mmio()'s claim and send under ioreq_lock.
 */
static enum mmio_result access(struct vcpu *v, gpa_t gpa, unsigned width,
			       bool is_store, uint64_t val, unsigned reg,
			       bool sign, unsigned len)
{
	struct domain *d = v->dom;
	enum mmio_result r = MMIO_FAULT;

	v->arch.mmio = (struct mmio_pending){.reg = (uint8_t)reg,
					     .len = (uint8_t)len,
					     .width = (uint8_t)width,
					     .sign = sign,
					     .read = !is_store};
	spin_lock(&d->ioreq_lock);
	if (ioreq_claims(d, gpa, width))
		r = ioreq_send(v, gpa, width, is_store, &val);
	v->regs.x[31] = val; /* a read served by the hypervisor itself */
	spin_unlock(&d->ioreq_lock);
	return r;
}

static enum mmio_result ld(struct vcpu *v, gpa_t gpa, unsigned width, bool sign,
			   unsigned reg)
{
	return access(v, gpa, width, false, 0, reg, sign, 4);
}

static enum mmio_result sd(struct vcpu *v, gpa_t gpa, unsigned width,
			   uint64_t val)
{
	return access(v, gpa, width, true, val, 1, false, 4);
}

/* The request in slot i, as the device model reads it. */
static void check_slot(unsigned i, gpa_t addr, uint64_t data, unsigned size,
		       unsigned dir)
{
	struct vireo_ioreq *r = &win()->slot[i];

	CHECK_EQ(r->addr, addr);
	CHECK_EQ(r->data, data);
	CHECK_EQ(r->size, size);
	CHECK_EQ(r->dir, dir);
	CHECK_EQ(r->vcpu, i);
	CHECK_EQ(r->state, VIREO_IOREQ_READY);
	CHECK_EQ(V[i].state, VCPU_WAIT_IO);
}

/* An event-channel hypercall of v; its value in hc_val. */
static long hc_val;

static long hc(struct vcpu *v, unsigned long fid, unsigned long a0,
	       unsigned long a1)
{
	struct hc_ret r;

	v->regs.x[10] = a0;
	v->regs.x[11] = a1;
	r = evtchn_hypercall(v, fid);
	hc_val = r.value;
	return r.error;
}

/* The device model answers vCPU i with data. */
static long respond(unsigned i, uint64_t data)
{
	win()->slot[i].data = data;
	__atomic_store_n(&win()->slot[i].state, VIREO_IOREQ_RESP,
			 __ATOMIC_RELEASE);
	return ioreq_complete(&U, i);
}

/* What a failed create must leave as it was; p0 still waits for U. */
struct snap {
	uint64_t nfree, tables;
	unsigned u_ports, flush;
};

static struct snap snap(void)
{
	return (struct snap){hyp_pool.nfree, D0.p2m.table_pages,
			     ports_used(U.evtchn), st.flush};
}

static void check_unchanged(const struct snap *s)
{
	CHECK_EQ(hyp_pool.nfree, s->nfree);
	CHECK_EQ(D0.p2m.table_pages, s->tables);
	CHECK_EQ(D0.evtchn->ports[p0].state, EVTCHN_UNBOUND);
	CHECK_EQ(D0.evtchn->ports[p0].remote_domid, U.id);
	CHECK_EQ(ports_used(U.evtchn), s->u_ports);
	CHECK_EQ(st.flush, s->flush);
	CHECK(U.ioreq == NULL);
	CHECK(!ioreq_claims(&U, IO_BASE, 4));
}

/* ----------------------------------------------------------------- cases */

static void test_create(void)
{
	struct vireo_ioreq_page *page;
	unsigned long prot = 0;
	uint64_t nfree;
	paddr_t pa = 0;
	uint32_t p1;

	setup();
	server();
	page = U.ioreq;
	/* One heap page, mapped RW (never X) at the window offset. */
	CHECK(p2m_lookup(&D0.p2m, WB + WOFF, &pa, &prot));
	CHECK_EQ(pa, (paddr_t)page);
	CHECK_EQ(prot, P2M_PROT_R | P2M_PROT_W);
	CHECK(pa >= (paddr_t)arena && pa < (paddr_t)arena + HYP_SIZE);
	CHECK_EQ(hyp_pool.nfree,
		 hyp_start - 1 - (D0.p2m.table_pages - ROOT_PAGES));
	CHECK(!memcmp(page, zeros, PAGE_SIZE));
	/* U's end: reserved, bound to Dom0's port, which is bound to it. */
	CHECK(pu != 0 && U.ioreq_port == pu);
	CHECK_EQ(U.evtchn->ports[pu].state, EVTCHN_INTERDOMAIN);
	CHECK(evtchn_is_reserved(U.evtchn, pu));
	CHECK(U.evtchn->ports[pu].remote == D0.evtchn);
	CHECK_EQ(U.evtchn->ports[pu].remote_port, p0);
	CHECK_EQ(D0.evtchn->ports[p0].state, EVTCHN_INTERDOMAIN);
	CHECK(D0.evtchn->ports[p0].remote == U.evtchn);
	CHECK_EQ(D0.evtchn->ports[p0].remote_port, pu);
	/* The range, exactly. */
	CHECK(ioreq_claims(&U, IO_BASE, 1));
	CHECK(ioreq_claims(&U, IO_BASE + IO_SIZE - 8, 8));
	CHECK(!ioreq_claims(&U, IO_BASE + IO_SIZE - 4, 8));
	CHECK(!ioreq_claims(&U, IO_BASE + IO_SIZE, 1));
	CHECK(!ioreq_claims(&U, IO_BASE - 1, 1));
	CHECK_EQ(st.upcall[0] + st.upcall[1], 0); /* nothing signalled */
	/* A second server for the same domain changes nothing. */
	CHECK_EQ(evtchn_alloc_unbound(D0.evtchn, U.id, &p1), 0);
	nfree = hyp_pool.nfree;
	CHECK_EQ(
	    create(&U, WOFF + PAGE_SIZE, IO_BASE + IO_SIZE, PAGE_SIZE, p1, 0),
	    INVAL);
	CHECK_EQ(hyp_pool.nfree, nfree);
	CHECK_EQ(D0.evtchn->ports[p1].state, EVTCHN_UNBOUND);
	CHECK(!p2m_lookup(&D0.p2m, WB + WOFF + PAGE_SIZE, NULL, NULL));
	CHECK(U.ioreq_port == pu && U.ioreq_base == IO_BASE && win() == page);
	teardown();
}

static void test_create_invalid_args(void)
{
	const uint64_t PG = PAGE_SIZE, WS = FOREIGN_WINDOW_SIZE;
	const uint64_t NP = VIREO_IOREQ_NOTIFY_PAGES;
	static const struct {
		const char *what;
		uint64_t off, base, size, noff;
	} bad[] = {
	    {"zero size", WOFF, IO_BASE, 0, 0},
	    {"base misaligned", WOFF, IO_BASE + 8, PAGE_SIZE, 0},
	    {"size misaligned", WOFF, IO_BASE, PAGE_SIZE + 4, 0},
	    {"range wraps", WOFF, ~0UL << PAGE_SHIFT, 2 * PAGE_SIZE, 0},
	    {"window off misaligned", WOFF + 0x10, IO_BASE, IO_SIZE, 0},
	    {"window off past window", FOREIGN_WINDOW_SIZE, IO_BASE, PAGE_SIZE,
	     0},
	    {"window off huge", ~0UL << PAGE_SHIFT, IO_BASE, PAGE_SIZE, 0},
	    {"RAM's first page", WOFF, RAM_BASE, PAGE_SIZE, 0},
	    {"straddles RAM start", WOFF, RAM_BASE - PAGE_SIZE, 2 * PAGE_SIZE,
	     0},
	    {"straddles RAM end", WOFF, RAM_BASE + RAM_SIZE - PAGE_SIZE,
	     2 * PAGE_SIZE, 0},
	    {"covers RAM", WOFF, RAM_BASE - PAGE_SIZE, RAM_SIZE + 2 * PAGE_SIZE,
	     0},
	    {"notify misaligned", WOFF, IO_BASE, IO_SIZE, NOFF + 2},
	    {"notify = page", WOFF, IO_BASE, IO_SIZE, PAGE_SIZE},
	    {"notify past page", WOFF, IO_BASE, IO_SIZE, PAGE_SIZE + 4},
	    {"notify, too many pages", WOFF, IO_BASE,
	     (VIREO_IOREQ_NOTIFY_PAGES + 1) * PAGE_SIZE, NOFF},
	};
	/* The boundaries of the same checks are accepted. */
	const struct {
		uint64_t off, base, size, noff;
	} good[] = {
	    {WS - PG, IO_BASE, PG, 0},
	    {0, RAM_BASE - PG, PG, 0},
	    {WOFF, RAM_BASE + RAM_SIZE, PG, 0},
	    {WOFF, IO_BASE, PG, PG - 4},
	    {WOFF, IO_BASE, NP * PG, 4},
	    {WOFF, IO_BASE, (NP + 1) * PG, 0},
	};
	struct snap s;

	setup();
	s = snap();
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		long e = create(&U, bad[i].off, bad[i].base, bad[i].size, p0,
				bad[i].noff);
		if (e != INVAL)
			fprintf(stderr, "  case: %s\n", bad[i].what);
		CHECK_EQ(e, INVAL);
		check_unchanged(&s);
	}
	/* Dom0 cannot be the target, even of a port waiting for itself. */
	CHECK_EQ(create(&D0, WOFF, IO_BASE, IO_SIZE, p0, 0), INVAL);
	CHECK(D0.ioreq == NULL);
	check_unchanged(&s);
	for (unsigned i = 0; i < ARRAY_SIZE(good); i++) {
		CHECK_EQ(create(&U, good[i].off, good[i].base, good[i].size, p0,
				good[i].noff),
			 OK);
		CHECK_EQ(ioreq_server_destroy(&U), OK);
		s.flush = st.flush; /* destroy flushes */
		check_unchanged(&s);
	}
	teardown();
}

static void test_create_bad_port(void)
{
	uint32_t other, bound, virq, theirs, q;
	struct snap s;
	uint64_t bad[9];

	setup();
	CHECK_EQ(evtchn_alloc_unbound(D0.evtchn, U2.id, &other), 0);
	CHECK_EQ(evtchn_alloc_unbound(D0.evtchn, U2.id, &bound), 0);
	CHECK_EQ(evtchn_bind_interdomain(U2.evtchn, D0.evtchn, bound, &q), 0);
	CHECK_EQ(evtchn_bind_virq(D0.evtchn, 0, &virq), 0);
	/* A port of U2's waiting for U: not Dom0's. */
	CHECK_EQ(evtchn_alloc_unbound(U2.evtchn, U.id, &theirs), 0);
	/* Out of range (also once truncated), 0, FREE, bound, a VIRQ, waiting
	 * for U2, U2's own. */
	bad[0] = NR_EVTCHN_PORTS;
	bad[1] = 1ULL << 32 | p0;
	bad[2] = ~0ULL;
	bad[3] = 0;
	bad[4] = 200;
	bad[5] = bound;
	bad[6] = virq;
	bad[7] = other;
	bad[8] = theirs;
	s = snap();
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK_EQ(create(&U, WOFF, IO_BASE, IO_SIZE, bad[i], 0), INVAL);
		check_unchanged(&s);
	}
	CHECK_EQ(D0.evtchn->ports[other].state, EVTCHN_UNBOUND);
	CHECK_EQ(D0.evtchn->ports[other].remote_domid, U2.id);
	CHECK(D0.evtchn->ports[bound].remote == U2.evtchn);
	CHECK_EQ(U2.evtchn->ports[theirs].state, EVTCHN_UNBOUND);
	/* U has no free port left: the bind fails after the page came. */
	for (q = 1; q < NR_EVTCHN_PORTS; q++)
		U.evtchn->ports[q].state = EVTCHN_UNBOUND;
	s = snap();
	CHECK(create(&U, WOFF, IO_BASE, IO_SIZE, p0, 0) != OK);
	check_unchanged(&s);
	for (q = 1; q < NR_EVTCHN_PORTS; q++)
		U.evtchn->ports[q].state = EVTCHN_FREE;
	teardown();
}

/* The window page is taken; the heap runs out (page, then tables). */
static void test_create_no_room(void)
{
	paddr_t spare, pa = 0, held[HYP_PAGES];
	unsigned n = 0;
	struct snap s;

	setup();
	spare = page_pool_alloc(&hyp_pool, 1, 1);
	/* The window page is taken (a foreign mapping, say). */
	CHECK_EQ(p2m_map(&D0.p2m, WB + WOFF, spare, PAGE_SIZE,
			    P2M_PROT_R | P2M_PROT_W),
		 0);
	s = snap();
	CHECK_EQ(create(&U, WOFF, IO_BASE, IO_SIZE, p0, NOFF), AVAIL);
	check_unchanged(&s);
	CHECK(p2m_lookup(&D0.p2m, WB + WOFF, &pa, NULL) && pa == spare);
	CHECK_EQ(p2m_unmap(&D0.p2m, WB + WOFF, PAGE_SIZE), 0);
	page_pool_free(&hyp_pool, spare, 1);
	while (hyp_pool.nfree)
		held[n++] = page_pool_alloc(&hyp_pool, 1, 1);
	s = snap();
	CHECK_EQ(create(&U, WOFF, IO_BASE, IO_SIZE, p0, NOFF), FAILED);
	check_unchanged(&s);
	/* One page: the ioreq page, but no table for the window. */
	page_pool_free(&hyp_pool, held[--n], 1);
	s = snap();
	CHECK_EQ(create(&U, WOFF, IO_BASE, IO_SIZE, p0, NOFF), FAILED);
	check_unchanged(&s);
	while (n)
		page_pool_free(&hyp_pool, held[--n], 1);
	server(); /* and all is well once there is memory */
	teardown();
}

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

	setup();
	server();
	for (unsigned i = 0; i < ARRAY_SIZE(c); i++) {
		gpa_t gpa = IO_BASE + 0x100 + 8 * i;
		unsigned long sepc = v->regs.sepc;

		v->regs.x[5] = 0x5a5a;
		CHECK_EQ(access(v, gpa, c[i].width, false, 0x77, 5, c[i].sign,
				c[i].len),
			 MMIO_PENDING);
		check_slot(0, gpa, 0, c[i].width, VIREO_IOREQ_READ);
		CHECK(pending(0, p0) && !pending(1, pu));
		CHECK_EQ(st.upcall[0], i + 1);
		CHECK_EQ(v->regs.x[5], 0x5a5a); /* not before the answer */
		CHECK_EQ(v->regs.sepc, sepc);
		clear_pending0(p0); /* Dom0 takes the event */

		CHECK_EQ(respond(0, c[i].data), OK);
		if (v->regs.x[5] != c[i].want)
			fprintf(stderr, "  case %u\n", i);
		CHECK_EQ(v->regs.x[5], c[i].want);
		CHECK_EQ(v->regs.sepc, sepc + c[i].len);
		CHECK_EQ(win()->slot[0].state, VIREO_IOREQ_NONE);
		CHECK_EQ(v->state, VCPU_RUNNABLE);
		CHECK_EQ(st.kick[0], i + 1);
	}
	/* A load into x0 leaves it zero. */
	CHECK_EQ(ld(v, IO_BASE, 4, true, 0), MMIO_PENDING);
	CHECK_EQ(respond(0, 0x1234), OK);
	CHECK_EQ(v->regs.x[0], 0);
	CHECK_EQ(st.kick[1], 0);
	teardown();
}

static void test_write_request(void)
{
	const uint64_t val = 0x1122334455667788;
	const gpa_t gpa = IO_BASE + PAGE_SIZE + 8;

	setup();
	server();
	V[1].regs.x[7] = val;
	CHECK_EQ(access(&V[1], gpa, 8, true, val, 7, false, 2), MMIO_PENDING);
	check_slot(1, gpa, val, 8, VIREO_IOREQ_WRITE);
	CHECK_EQ(win()->slot[0].state, VIREO_IOREQ_NONE);
	CHECK(pending(0, p0));
	/* V[0] reads meanwhile; the two are answered in reverse order. */
	CHECK_EQ(ld(&V[0], IO_BASE + 4, 2, false, 6), MMIO_PENDING);
	CHECK_EQ(st.upcall[0], 1); /* Dom0 had not taken the first yet */
	CHECK_EQ(win()->slot[1].addr, gpa);
	CHECK_EQ(respond(0, 0xabcd), OK);
	CHECK_EQ(V[0].regs.x[6], 0xabcd);
	CHECK_EQ(V[1].state, VCPU_WAIT_IO);
	CHECK_EQ(respond(1, 0xdead), OK); /* a write's data is not loaded */
	CHECK_EQ(V[1].regs.x[7], val);
	CHECK_EQ(V[1].regs.sepc, 0x80200100UL + 2);
	CHECK_EQ(V[1].state, VCPU_RUNNABLE);
	CHECK_EQ(win()->slot[1].state, VIREO_IOREQ_NONE);
	CHECK_EQ(st.kick[0] + st.kick[1], 2);
	teardown();
}

static void test_complete_invalid(void)
{
	struct vcpu *v = &V[0];
	unsigned long sepc;

	setup();
	sepc = v->regs.sepc;
	CHECK_EQ(ioreq_complete(&U, 0), INVAL); /* no server */
	server();
	/* A response for a vCPU that asked nothing. */
	win()->slot[0].data = 9;
	win()->slot[0].state = VIREO_IOREQ_RESP;
	CHECK_EQ(ioreq_complete(&U, 0), INVAL);
	CHECK_EQ(win()->slot[0].state, VIREO_IOREQ_RESP);
	CHECK_EQ(v->state, VCPU_RUNNABLE);
	CHECK_EQ(v->regs.sepc, sepc);
	/* A request not yet answered. */
	v->regs.x[8] = 0x5a;
	CHECK_EQ(ld(v, IO_BASE, 4, false, 8), MMIO_PENDING);
	CHECK_EQ(ioreq_complete(&U, 0), INVAL);
	CHECK_EQ(win()->slot[0].state, VIREO_IOREQ_READY);
	CHECK_EQ(v->state, VCPU_WAIT_IO);
	CHECK_EQ(v->regs.x[8], 0x5a);
	CHECK_EQ(v->regs.sepc, sepc);
	/* vCPUs that do not exist. */
	CHECK_EQ(ioreq_complete(&U, 2), INVAL);
	CHECK_EQ(ioreq_complete(&U, MAX_VCPUS), INVAL);
	CHECK_EQ(ioreq_complete(&U, ~0UL), INVAL);
	CHECK_EQ(st.kick[0] + st.kick[1], 0);
	/* Answered, then completed twice, then with a stale answer. */
	CHECK_EQ(respond(0, 0x42), OK);
	CHECK_EQ(v->regs.x[8], 0x42);
	CHECK_EQ(ioreq_complete(&U, 0), INVAL);
	CHECK_EQ(respond(0, 0x43), INVAL);
	CHECK_EQ(v->regs.x[8], 0x42);
	CHECK_EQ(v->regs.sepc, sepc + 4);
	CHECK_EQ(st.kick[0], 1);
	/* The next request overwrites the stale slot. */
	CHECK_EQ(sd(v, IO_BASE, 1, 1), MMIO_PENDING);
	check_slot(0, IO_BASE, 1, 1, VIREO_IOREQ_WRITE);
	CHECK_EQ(respond(0, 0), OK);
	teardown();
}

static void test_posted_notify(void)
{
	const uint64_t NP = VIREO_IOREQ_NOTIFY_PAGES;
	const uint32_t all = 1U << 31 | 1U << 3 | 1;
	unsigned long sepc;

	setup();
	sepc = V[0].regs.sepc;
	CHECK_EQ(create(&U, WOFF, IO_BASE, NP * PAGE_SIZE, p0, NOFF), OK);
	CHECK_EQ(sd(&V[0], IO_BASE + NOFF, 4, 3), MMIO_DONE);
	CHECK_EQ(win()->notify[0], 1U << 3);
	CHECK_EQ(V[0].state, VCPU_RUNNABLE);
	CHECK_EQ(V[0].regs.sepc, sepc); /* mmio.c moves on, not ioreq.c */
	CHECK_EQ(win()->slot[0].state, VIREO_IOREQ_NONE);
	CHECK(pending(0, p0));
	CHECK_EQ(st.upcall[0], 1);
	/* Bits accumulate while Dom0 has not looked. */
	CHECK_EQ(sd(&V[1], IO_BASE + NOFF, 4, 31), MMIO_DONE);
	CHECK_EQ(sd(&V[0], IO_BASE + NOFF, 4, 0), MMIO_DONE);
	CHECK_EQ(win()->notify[0], all);
	CHECK_EQ(st.upcall[0], 1); /* the port was still pending */
	/* Other pages have their own word; the range's last one too. */
	CHECK_EQ(sd(&V[0], IO_BASE + 2 * PAGE_SIZE + NOFF, 4, 7), MMIO_DONE);
	CHECK_EQ(sd(&V[0], IO_BASE + (NP - 1) * PAGE_SIZE + NOFF, 4, 5),
		 MMIO_DONE);
	CHECK_EQ(win()->notify[2], 1U << 7);
	CHECK_EQ(win()->notify[NP - 1], 1U << 5);
	CHECK_EQ(win()->notify[1], 0);
	/* The device model takes the bits and the event; the next re-arms. */
	CHECK_EQ(__atomic_exchange_n(&win()->notify[0], 0, __ATOMIC_SEQ_CST),
		 all);
	clear_pending0(p0);
	CHECK_EQ(sd(&V[1], IO_BASE + NOFF, 4, 3), MMIO_DONE);
	CHECK_EQ(win()->notify[0], 1U << 3);
	CHECK(pending(0, p0));
	CHECK_EQ(st.upcall[0], 2);
	CHECK_EQ(V[0].state, VCPU_RUNNABLE);
	CHECK_EQ(V[1].state, VCPU_RUNNABLE);
	CHECK_EQ(st.kick[0] + st.kick[1], 0);
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
	    {PAGE_SIZE + NOFF + 4, 4, true, 1},
	};

	setup();
	server();
	for (unsigned i = 0; i < ARRAY_SIZE(c); i++) {
		CHECK_EQ(access(&V[0], IO_BASE + c[i].off, c[i].width,
				c[i].store, c[i].val, 11, false, 4),
			 MMIO_PENDING);
		check_slot(0, IO_BASE + c[i].off, c[i].store ? c[i].val : 0,
			   c[i].width,
			   c[i].store ? VIREO_IOREQ_WRITE : VIREO_IOREQ_READ);
		CHECK_EQ(respond(0, 0), OK);
	}
	CHECK(!memcmp(win()->notify, zeros, sizeof(win()->notify)));
	/* Only the bytes stored count: bits above a 4-byte store do not
	 * stop it from being a posted notify. */
	CHECK_EQ(access(&V[0], IO_BASE + NOFF, 4, true, 0xffffffff00000003ULL,
			11, false, 4), MMIO_DONE);
	CHECK_EQ(win()->notify[0], 1U << 3);
	win()->notify[0] = 0;
	CHECK_EQ(ioreq_server_destroy(&U), OK);
	/* Without a notify offset, offset 0 is not special either. */
	CHECK_EQ(create(&U, WOFF, IO_BASE, IO_SIZE, p0, 0), OK);
	CHECK_EQ(sd(&V[1], IO_BASE, 4, 0), MMIO_PENDING);
	CHECK_EQ(sd(&V[0], IO_BASE + NOFF, 4, 0), MMIO_PENDING);
	CHECK(!memcmp(win()->notify, zeros, sizeof(win()->notify)));
	CHECK_EQ(respond(1, 0), OK);
	CHECK_EQ(respond(0, 0), OK);
	teardown();
}

static void test_destroy_waiting(void)
{
	unsigned long s0, s1;
	uint64_t nfree;

	setup();
	s0 = V[0].regs.sepc;
	s1 = V[1].regs.sepc;
	server();
	CHECK_EQ(ld(&V[0], IO_BASE + 8, 4, true, 12), MMIO_PENDING);
	V[1].regs.x[13] = 0x77;
	CHECK_EQ(access(&V[1], IO_BASE + 16, 2, true, 0x77, 13, false, 2),
		 MMIO_PENDING);
	CHECK_EQ(ioreq_server_destroy(&U), OK);
	CHECK_EQ(V[0].regs.x[12], ~0ULL); /* all ones, as a bus would */
	CHECK_EQ(V[0].regs.sepc, s0 + 4);
	CHECK_EQ(V[1].regs.x[13], 0x77);
	CHECK_EQ(V[1].regs.sepc, s1 + 2);
	CHECK_EQ(V[0].state, VCPU_RUNNABLE);
	CHECK_EQ(V[1].state, VCPU_RUNNABLE);
	CHECK_EQ(st.kick[0] + st.kick[1], 2);
	/* Nothing left: range, port, window, page, tables. */
	CHECK(U.ioreq == NULL);
	CHECK(!ioreq_claims(&U, IO_BASE + 8, 4));
	CHECK_EQ(sd(&V[0], IO_BASE + NOFF, 4, 1), MMIO_FAULT);
	CHECK(!evtchn_is_reserved(U.evtchn, pu));
	CHECK_EQ(ports_used(U.evtchn), 0);
	CHECK_EQ(D0.evtchn->ports[p0].state, EVTCHN_UNBOUND);
	CHECK_EQ(D0.evtchn->ports[p0].remote_domid, U.id);
	CHECK(win() == NULL);
	CHECK_EQ(st.flush, 1);
	CHECK_EQ(hyp_pool.nfree, hyp_start);
	CHECK_EQ(D0.p2m.table_pages, ROOT_PAGES);
	/* Twice: an error that changes nothing. */
	nfree = hyp_pool.nfree;
	CHECK_EQ(ioreq_server_destroy(&U), INVAL);
	CHECK_EQ(ioreq_complete(&U, 0), INVAL);
	CHECK_EQ(hyp_pool.nfree, nfree);
	CHECK_EQ(st.flush, 1);
	CHECK_EQ(st.kick[0] + st.kick[1], 2);
	CHECK_EQ(D0.evtchn->ports[p0].state, EVTCHN_UNBOUND);
	/* Dom0's port waits for U again, so a new server can use it. */
	server();
	CHECK(evtchn_is_reserved(U.evtchn, pu));
	teardown();
}

/* domain_destroy() tears U's ports down before it destroys the server. */
static void test_destroy_after_evtchn_teardown(void)
{
	setup();
	server();
	CHECK_EQ(ld(&V[0], IO_BASE, 8, false, 14), MMIO_PENDING);
	domain_evtchn_teardown(&U);
	CHECK_EQ(D0.evtchn->ports[p0].state, EVTCHN_UNBOUND);
	CHECK_EQ(ioreq_server_destroy(&U), OK);
	CHECK_EQ(V[0].regs.x[14], ~0ULL);
	CHECK_EQ(D0.evtchn->ports[p0].state, EVTCHN_UNBOUND);
	CHECK_EQ(D0.evtchn->ports[p0].remote_domid, U.id);
	CHECK_EQ(hyp_pool.nfree, hyp_start + (1U << EVTCHN_ORDER));
	CHECK_EQ(domain_evtchn_init(&U, 3), 0); /* for teardown() */
	teardown();
}

/* Dom0 closes its end: the hypervisor's sends go nowhere, harmlessly. */
static void test_dom0_closes_port(void)
{
	uint32_t q;

	setup();
	server();
	CHECK_EQ(hc(&V0, VIREO_HC_EVTCHN_CLOSE, p0, 0), OK);
	CHECK_EQ(D0.evtchn->ports[p0].state, EVTCHN_FREE);
	CHECK_EQ(U.evtchn->ports[pu].state, EVTCHN_UNBOUND);
	CHECK(evtchn_is_reserved(U.evtchn, pu)); /* still the hypervisor's */
	/* Dom0 reuses the port number for something else. */
	CHECK_EQ(evtchn_alloc_unbound(D0.evtchn, U2.id, &q), 0);
	CHECK_EQ(q, p0);
	CHECK_EQ(ld(&V[0], IO_BASE, 4, false, 15), MMIO_PENDING);
	CHECK_EQ(sd(&V[1], IO_BASE + NOFF, 4, 2), MMIO_DONE);
	CHECK(!pending(0, q));
	CHECK_EQ(st.upcall[0] + st.upcall[1] + st.upcall[2], 0);
	CHECK_EQ(win()->notify[0], 1U << 2);
	CHECK_EQ(respond(0, 5), OK); /* the slots still work */
	CHECK_EQ(V[0].regs.x[15], 5);
	CHECK_EQ(ioreq_server_destroy(&U), OK);
	CHECK_EQ(U.evtchn->ports[pu].state, EVTCHN_FREE);
	CHECK_EQ(D0.evtchn->ports[q].state, EVTCHN_UNBOUND);
	CHECK_EQ(D0.evtchn->ports[q].remote_domid, U2.id);
	teardown();
}

/* U's end is the hypervisor's: U may neither send on it nor close it. */
static void test_domu_reserved_port(void)
{
	uint32_t mine;

	setup();
	server();
	CHECK_EQ(hc(&V[0], VIREO_HC_EVTCHN_SEND, pu, 0), INVAL);
	CHECK(!pending(0, p0));
	CHECK_EQ(st.upcall[0], 0);
	CHECK_EQ(hc(&V[0], VIREO_HC_EVTCHN_CLOSE, pu, 0), INVAL);
	CHECK_EQ(U.evtchn->ports[pu].state, EVTCHN_INTERDOMAIN);
	CHECK_EQ(D0.evtchn->ports[p0].state, EVTCHN_INTERDOMAIN);
	/* Nor bind Dom0's end again, which is taken. */
	CHECK_EQ(hc(&V[0], VIREO_HC_EVTCHN_BIND_INTERDOMAIN, 0, p0), INVAL);
	/* Its own ports are its own. */
	CHECK_EQ(hc(&V[0], VIREO_HC_EVTCHN_ALLOC_UNBOUND, 0, 0), OK);
	mine = (uint32_t)hc_val;
	CHECK(mine != pu && !evtchn_is_reserved(U.evtchn, mine));
	CHECK_EQ(hc(&V[0], VIREO_HC_EVTCHN_SEND, mine, 0), OK);
	CHECK_EQ(hc(&V[0], VIREO_HC_EVTCHN_CLOSE, mine, 0), OK);
	/* The hypervisor still can send, Dom0 hears it. */
	CHECK_EQ(sd(&V[0], IO_BASE + NOFF, 4, 1), MMIO_DONE);
	CHECK(pending(0, p0));
	CHECK_EQ(st.upcall[0], 1);
	/* After destroy the number is an ordinary port again. */
	CHECK_EQ(ioreq_server_destroy(&U), OK);
	CHECK_EQ(hc(&V[0], VIREO_HC_EVTCHN_ALLOC_UNBOUND, 0, 0), OK);
	CHECK_EQ(hc_val, pu);
	CHECK_EQ(hc(&V[0], VIREO_HC_EVTCHN_CLOSE, pu, 0), OK);
	teardown();
}

/*
 * VIREO_IOREQ_F_VIRTIO_ISR: InterruptStatus reads and InterruptACK writes
 * never reach the device model; the line follows isr[i].
 */
static void test_virtio_isr(void)
{
	const unsigned line = VIREO_DOMU_VIRTIO_IRQ0 + 2;
	const gpa_t slot2 = IO_BASE + 2 * PAGE_SIZE;

	setup();
	/* Only over the DomU's virtio slots, and no unknown flag bits. */
	CHECK_EQ(create(&U, WOFF, IO_BASE + PAGE_SIZE, PAGE_SIZE, p0,
			NOFF | VIREO_IOREQ_F_VIRTIO_ISR), INVAL);
	CHECK_EQ(create(&U, WOFF, IO_BASE, IO_SIZE + PAGE_SIZE, p0,
			NOFF | VIREO_IOREQ_F_VIRTIO_ISR), INVAL);
	CHECK_EQ(create(&U, WOFF, IO_BASE, IO_SIZE, p0, NOFF | (1UL << 17)),
		 INVAL);
	CHECK(!U.ioreq);
	CHECK_EQ(ioreq_isr_sync(&U, 0), INVAL); /* no server */
	CHECK_EQ(create(&U, WOFF, IO_BASE, IO_SIZE, p0,
			NOFF | VIREO_IOREQ_F_VIRTIO_ISR), OK);
	CHECK_EQ(ioreq_isr_sync(&U, VIREO_DOMU_VIRTIO_SLOTS), INVAL);
	/* The model raises: bit, then sync. */
	__atomic_fetch_or(&win()->isr[2], 1, __ATOMIC_SEQ_CST);
	CHECK_EQ(ioreq_isr_sync(&U, 2), OK);
	CHECK_EQ(st.line[line], 1);
	/* The guest reads and acknowledges without a request or an event. */
	CHECK_EQ(access(&V[0], slot2 + 0x60, 4, false, 0, 10, false, 4),
		 MMIO_DONE);
	CHECK_EQ(V[0].regs.x[31], 1);
	CHECK_EQ(win()->slot[0].state, VIREO_IOREQ_NONE);
	CHECK_EQ(st.upcall[0], 0);
	__atomic_fetch_or(&win()->isr[2], 2, __ATOMIC_SEQ_CST); /* config */
	CHECK_EQ(access(&V[0], slot2 + 0x64, 4, true, 1, 10, false, 4),
		 MMIO_DONE);
	CHECK_EQ(win()->isr[2], 2);
	CHECK_EQ(st.line[line], 1); /* still a bit pending */
	CHECK_EQ(access(&V[0], slot2 + 0x64, 4, true, 0xffffffff00000002ULL,
			10, false, 4), MMIO_DONE);
	CHECK_EQ(win()->isr[2], 0);
	CHECK_EQ(st.line[line], 0);
	/* Other widths and registers go to the model as before. */
	CHECK_EQ(access(&V[0], slot2 + 0x60, 2, false, 0, 10, false, 4),
		 MMIO_PENDING);
	CHECK_EQ(win()->slot[0].state, VIREO_IOREQ_READY);
	/* Destroy: the devices' lines go down with them. */
	__atomic_fetch_or(&win()->isr[5], 1, __ATOMIC_SEQ_CST);
	CHECK_EQ(ioreq_isr_sync(&U, 5), OK);
	CHECK_EQ(st.line[VIREO_DOMU_VIRTIO_IRQ0 + 5], 1);
	CHECK_EQ(ioreq_server_destroy(&U), OK);
	CHECK_EQ(st.line[VIREO_DOMU_VIRTIO_IRQ0 + 5], 0);
	CHECK(!U.ioreq_virtio_isr);
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
	RUN(test_read_complete);
	RUN(test_write_request);
	RUN(test_complete_invalid);
	RUN(test_posted_notify);
	RUN(test_virtio_isr);
	RUN(test_notify_other_stores);
	RUN(test_destroy_waiting);
	RUN(test_destroy_after_evtchn_teardown);
	RUN(test_dom0_closes_port);
	RUN(test_domu_reserved_port);
	free(arena);
	TEST_DONE();
}
