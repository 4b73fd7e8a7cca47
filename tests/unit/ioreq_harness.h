/*
 * The harness of test_ioreq.c: ioreq servers (kernel/core/ioreq.c) with the
 * real page allocator (over a host arena, so pages are counted exactly),
 * G-stage tables, event channels and their hypercall glue, the per-domain
 * MMIO table (iodev.c) and the decode's write-back (insn_decode.c); only
 * what lives elsewhere in the hypervisor is stubbed. Three domains: Dom0,
 * U (three vCPUs, the servers' target) and U2 (for ports waiting for
 * someone else). Included once, by test_ioreq.c.
 */
#ifndef VIREO_IOREQ_HARNESS_H
#define VIREO_IOREQ_HARNESS_H

#include "test.h"

#include "../../kernel/core/page_alloc.c"
#include "../../kernel/arch/riscv/p2m.c"
#include "../../kernel/core/evtchn.c"
#include "../../kernel/arch/riscv/insn_decode.c"

#include "console.h"
#include "domain.h"
#include "domctl.h"

/* ------------------------------------------------------------ host stubs */
#define NV 3 /* U's vCPUs */
#define NS VIREO_IOREQ_MAX_SERVERS

struct domain *dom0;
static struct domain D0, U, U2;
static struct domain *const doms[] = {&D0, &U, &U2};
static struct vcpu V0, V[NV];

static struct {
	unsigned flush;		 /* p2m_flush_all_harts() */
	unsigned kick[NV];	 /* vcpu_kick() of V[i] */
	unsigned upcall[3];	 /* evtchn upcalls of D0, U, U2 */
	unsigned levels;	 /* virqc_set_level() calls */
	int line[VIRQC_MAX_LINES]; /* U's line levels; -1: never set */
	unsigned dev_rd, dev_wr; /* the test's own emulated device */
} st;

void virqc_set_level(struct domain *d, unsigned src, bool level)
{
	CHECK(d == &U && src < VIRQC_MAX_LINES);
	st.levels++;
	st.line[src] = level;
}

void p2m_flush_all_harts(void)
{
	st.flush++;
}

void vcpu_kick(struct vcpu *v)
{
	CHECK(v >= V && v < V + NV);
	st.kick[v - V]++;
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

void virqc_inject(struct domain *d, unsigned src)
{
	st.upcall[d == &U ? 1 : d == &U2 ? 2 : 0]++;
}

struct domain *domain_by_id(unsigned id)
{
	return id < ARRAY_SIZE(doms) ? doms[id] : NULL;
}

struct domain *domain_get(unsigned id)
{
	struct domain *d = domain_by_id(id);

	return d && !d->dying ? d : NULL;
}

void domain_put(struct domain *d)
{
}

/* What iodev.c's own devices call: not under test here. */
bool vuart_read(struct vuart *u, unsigned off, uint8_t *val)
{
	return false;
}
bool vuart_write(struct vuart *u, unsigned off, uint8_t val)
{
	return false;
}
void console_feed_dom0(void)
{
}
void domain_console_notify(struct domain *d)
{
}
void domain_shutdown(struct domain *d, uint32_t reason)
{
}

#include "../../kernel/core/evtchn_glue.c"
#include "../../kernel/core/ioreq.c"
#include "../../kernel/core/iodev.c"

/* ---------------------------------------------------------------- set-up */
#define HYP_SIZE MiB(8)
#define HYP_PAGES (HYP_SIZE >> PAGE_SHIFT)
#define PG PAGE_SIZE
#define RAM_BASE VIREO_DOMU_RAM_BASE
#define RAM_SIZE MiB(16)
#define WB FOREIGN_WINDOW_BASE
#define WOFF MiB(3) /* server pages: window page WOFF + k * PG */
#define IO_BASE VIREO_DOMU_VIRTIO_BASE
#define IO_SIZE (4 * PG)	     /* server A's range: virtio slots 0-3 */
#define IO2_BASE (IO_BASE + IO_SIZE) /* server B's: slots 4-7 */
#define DEV_BASE 0x20000000UL	     /* the test's emulated device, one page */
#define HI 0x40000000UL		     /* room for more ranges */
#define HI2 0x50000000UL	     /* ... and more */
#define NP VIREO_IOREQ_NOTIFY_PAGES
#define NOFF 0x50UL /* virtio-mmio QueueNotify */
#define L0 VIREO_DOMU_DM_IRQ_FIRST
#define ROOT_PAGES (1U << GSTAGE_ROOT_ORDER)

#define OK HC_SUCCESS
#define INVAL HC_ERR_INVALID_PARAM
#define FAILED HC_ERR_FAILED
#define AVAIL HC_ERR_ALREADY_AVAILABLE

static uint8_t *arena;
static uint64_t bitmap[HYP_PAGES / 64];
static uint64_t hyp_start; /* nfree with the domains set up, no server */
static struct evtchn_shared sh[3];
static const uint8_t zeros[PG];
/* Per server id: Dom0's end, U's end, the page's window offset. */
static uint32_t p0[NS], pu[NS];
static uint64_t woff[NS];

static bool dev_read(void *opaque, uint64_t off, unsigned width, uint64_t *val)
{
	st.dev_rd++;
	*val = 0xd0d0 + off;
	return true;
}

static bool dev_write(void *opaque, uint64_t off, unsigned width, uint64_t val)
{
	st.dev_wr++;
	return true;
}

static const struct mmio_ops dev_ops = {.read = dev_read, .write = dev_write};

static void domain_setup(struct domain *d, unsigned id, struct evtchn_shared *s)
{
	memset(d, 0, sizeof(*d));
	d->id = id;
	d->slot = id;
	d->is_dom0 = !id;
	d->ioreq_lock = (spinlock_t)SPINLOCK_INIT;
	d->vuart_lock = (spinlock_t)SPINLOCK_INIT;
	if (id) {
		d->ram_base = RAM_BASE;
		d->ram_size = RAM_SIZE;
		d->plic_base = VIREO_DOMU_PLIC_BASE;
		d->uart_base = VIREO_DOMU_UART_BASE;
		/* virqc_init() registers the controller's window, then the
		 * rest of the domain's devices. */
		CHECK_EQ(domain_mmio_register(d, d->plic_base, VPLIC_SIZE,
					      &dev_ops, NULL),
			 0);
		CHECK_EQ(domain_devices_init(d), 0);
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
	memset(&st, 0, sizeof(st));
	memset(st.line, 0xff, sizeof(st.line));
	for (unsigned i = 0; i < ARRAY_SIZE(doms); i++)
		domain_setup(doms[i], i, &sh[i]);
	dom0 = &D0;
	vcpu_setup(&V0, &D0, 0);
	for (unsigned i = 0; i < NV; i++)
		vcpu_setup(&V[i], &U, i);
	CHECK_EQ(domain_mmio_register(&U, DEV_BASE, PG, &dev_ops, NULL), 0);
	memset(p0, 0, sizeof(p0));
	memset(pu, 0, sizeof(pu));
	hyp_start = hyp_pool.nfree;
}

/* Everything goes back: no server, no window table, every page free. */
static void teardown(void)
{
	ioreq_destroy_all(&U);
	for (unsigned i = 0; i < NS; i++)
		CHECK(U.ioreq[i] == NULL);
	CHECK_EQ(hyp_pool.nfree, hyp_start);
	CHECK_EQ(D0.p2m.table_pages, ROOT_PAGES);
	for (unsigned i = ARRAY_SIZE(doms); i--;) {
		domain_evtchn_teardown(doms[i]);
		p2m_destroy(&doms[i]->p2m);
	}
	CHECK_EQ(hyp_pool.nfree, HYP_PAGES);
}

/* A port of Dom0's, unbound and waiting for U. */
static uint32_t dom0_port(void)
{
	uint32_t p = 0;

	CHECK_EQ(evtchn_alloc_unbound(D0.evtchn, U.id, &p), 0);
	return p;
}

/* A server of U's with its page at window page k: its id. */
static uint32_t new_server(unsigned k)
{
	uint32_t id = ~0U, port = dom0_port(), up = 0;

	CHECK_EQ(ioreq_create(&U, WOFF + k * PG, port, &id, &up), OK);
	CHECK(id < NS);
	if (id < NS) {
		p0[id] = port;
		pu[id] = up;
		woff[id] = WOFF + k * PG;
	}
	return id;
}

/* Map a range of server id; the notify index it got. */
static uint32_t map(uint32_t id, gpa_t base, uint64_t size, uint64_t noff)
{
	uint32_t first = ~0U;

	CHECK_EQ(ioreq_map_range(&U, id, base, size, noff, &first), OK);
	return first;
}

/* Server A (IO_BASE, 4 pages) and B (IO2_BASE, 4 pages), both posted. */
static void two_servers(uint32_t *a, uint32_t *b)
{
	*a = new_server(0);
	*b = new_server(1);
	CHECK_EQ(map(*a, IO_BASE, IO_SIZE, NOFF), 0);
	CHECK_EQ(map(*b, IO2_BASE, IO_SIZE, NOFF), 0);
}

/* Server id's page as the device model sees it, through Dom0's window. */
static struct vireo_ioreq_page *win(uint32_t id)
{
	paddr_t pa = 0;

	return p2m_lookup(&D0.p2m, WB + woff[id], &pa, NULL)
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
 * A trapped access of v as mmio.c makes it: the decode saved in v, then
 * domain_mmio(), and the write-back at once if it was served. Neither the
 * table nor the servers move the vCPU on by themselves.
 */
static enum mmio_result access(struct vcpu *v, gpa_t gpa, unsigned width,
			       bool is_store, uint64_t val, unsigned reg,
			       bool sign, unsigned len)
{
	unsigned long sepc = v->regs.sepc;
	enum mmio_result r;

	v->arch.mmio = (struct mmio_pending){.reg = (uint8_t)reg,
					     .len = (uint8_t)len,
					     .width = (uint8_t)width,
					     .sign = sign,
					     .read = !is_store};
	r = domain_mmio(v->dom, v, gpa, width, is_store, &val);
	CHECK_EQ(v->regs.sepc, sepc);
	if (r == MMIO_DONE)
		vcpu_arch_mmio_finish(v, val);
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

/* The request in server id's slot i, as the device model reads it. */
static void check_slot(uint32_t id, unsigned i, gpa_t addr, uint64_t data,
		       unsigned size, unsigned dir)
{
	struct vireo_ioreq *r = &win(id)->slot[i];

	CHECK_EQ(r->addr, addr);
	CHECK_EQ(r->data, data);
	CHECK_EQ(r->size, size);
	CHECK_EQ(r->dir, dir);
	CHECK_EQ(r->vcpu, i);
	CHECK_EQ(r->state, VIREO_IOREQ_READY);
	CHECK_EQ(V[i].state, VCPU_WAIT_IO);
	CHECK_EQ(V[i].io_server, id);
}

/* The device model of server id puts its answer for vCPU i in the slot. */
static void answer(uint32_t id, unsigned i, uint64_t data)
{
	win(id)->slot[i].data = data;
	__atomic_store_n(&win(id)->slot[i].state, VIREO_IOREQ_RESP,
			 __ATOMIC_RELEASE);
}

/* ... and completes it alone. */
static long respond(uint32_t id, unsigned i, uint64_t data)
{
	answer(id, i, data);
	return ioreq_complete(&U, id, 1UL << i, 0);
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

/* What a failed create must leave as it was; Dom0's port still waits. */
struct snap {
	uint64_t nfree, tables;
	unsigned u_ports, flush, servers;
};

static unsigned nr_servers(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < NS; i++)
		n += U.ioreq[i] != NULL;
	return n;
}

static struct snap snap(void)
{
	return (struct snap){hyp_pool.nfree, D0.p2m.table_pages,
			     ports_used(U.evtchn), st.flush, nr_servers()};
}

static void check_unchanged(const struct snap *s, uint32_t port)
{
	CHECK_EQ(hyp_pool.nfree, s->nfree);
	CHECK_EQ(D0.p2m.table_pages, s->tables);
	CHECK_EQ(D0.evtchn->ports[port].state, EVTCHN_UNBOUND);
	CHECK_EQ(D0.evtchn->ports[port].remote_domid, U.id);
	CHECK_EQ(ports_used(U.evtchn), s->u_ports);
	CHECK_EQ(st.flush, s->flush);
	CHECK_EQ(nr_servers(), s->servers);
}

/* ioreq_create() for U; a failure must not write the outputs. */
static long create(uint64_t off, uint64_t port)
{
	uint32_t id = 0xdead, up = 0xdead;
	long e = ioreq_create(&U, off, port, &id, &up);

	if (e != OK)
		CHECK(id == 0xdead && up == 0xdead); /* outputs untouched */
	return e;
}

/* Declare a latch of server id; its index in lidx. */
static uint32_t lidx;

static long latch(uint32_t id, gpa_t rd, gpa_t clr, unsigned width,
		  unsigned line, unsigned flags)
{
	struct vireo_ioreq_latch l = {rd, clr, width, line, flags, 0};

	lidx = 0xdead;
	return ioreq_latch(&U, id, &l, &lidx);
}

/* Latches server id has declared. */
static unsigned nr_latches(uint32_t id)
{
	unsigned n = 0;

	for (unsigned i = 0; i < VIREO_IOREQ_MAX_LATCHES; i++)
		n += U.ioreq[id]->latch[i].line != 0;
	return n;
}

/* The model of server id stores word in latch i and names it. */
static void model_sets(uint32_t id, uint32_t i, uint32_t word)
{
	__atomic_store_n(&win(id)->latch[i], word, __ATOMIC_SEQ_CST);
	CHECK_EQ(ioreq_complete(&U, id, 0, 1UL << i), OK);
}

/* A latch of server id, declared, then set to word: its index. */
static uint32_t raised(uint32_t id, gpa_t rd, gpa_t clr, unsigned width,
		       unsigned line, unsigned flags, uint32_t word)
{
	CHECK_EQ(latch(id, rd, clr, width, line, flags), OK);
	model_sets(id, lidx, word);
	CHECK_EQ(st.line[line], word != 0);
	return lidx;
}

#endif
