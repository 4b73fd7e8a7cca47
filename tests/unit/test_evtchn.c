/*
 * Host test of the event-channel table: binding both ways, pending/mask and
 * the upcall edge, closing and reuse, teardown of a peer, VIRQs, and that
 * every failing call leaves the tables as they were.
 */
#include "test.h"
#include "../../kernel/core/evtchn.c"

struct dom {
	struct evtchn_domain ec;
	struct evtchn_shared *page;
	unsigned upcalls;
};

static struct dom dom0, dom1, dom2;

static void count_upcall(void *opaque)
{
	((struct dom *)opaque)->upcalls++;
}

static void dom_setup(struct dom *x, uint32_t domid, bool with_page)
{
	free(x->page);
	x->page = calloc(1, sizeof(*x->page));
	x->upcalls = 0;
	CHECK_EQ(evtchn_domain_init(&x->ec, domid, count_upcall, x), 0);
	if (with_page)
		CHECK_EQ(evtchn_set_shared(&x->ec, x->page), 0);
}

static void setup(void)
{
	dom_setup(&dom0, 0, true);
	dom_setup(&dom1, 1, true);
	dom_setup(&dom2, 2, true);
}

static bool pending(struct dom *x, uint32_t p)
{
	return x->page->pending[p / 64] & (1ULL << (p % 64));
}

static void set_mask(struct dom *x, uint32_t p)
{
	x->page->mask[p / 64] |= 1ULL << (p % 64);
}

static void clear_pend(struct dom *x, uint32_t p)
{
	x->page->pending[p / 64] &= ~(1ULL << (p % 64));
}

/* Dom0 offers a port to dom1; dom1 binds. Returns both ends. */
static void connect(uint32_t *p0, uint32_t *p1)
{
	CHECK_EQ(evtchn_alloc_unbound(&dom0.ec, 1, p0), 0);
	CHECK_EQ(evtchn_bind_interdomain(&dom1.ec, &dom0.ec, *p0, p1), 0);
}

static void test_bind_both_directions(void)
{
	uint32_t a, b, c, d;

	setup();
	connect(&a, &b);
	CHECK(a != 0 && b != 0);
	CHECK_EQ(dom0.ec.ports[a].state, EVTCHN_INTERDOMAIN);
	CHECK(dom0.ec.ports[a].remote == &dom1.ec);
	CHECK_EQ(dom0.ec.ports[a].remote_port, b);
	CHECK(dom1.ec.ports[b].remote == &dom0.ec);
	CHECK_EQ(dom1.ec.ports[b].remote_port, a);

	/* The other way round: dom1 offers, dom0 binds. */
	CHECK_EQ(evtchn_alloc_unbound(&dom1.ec, 0, &c), 0);
	CHECK_EQ(evtchn_bind_interdomain(&dom0.ec, &dom1.ec, c, &d), 0);
	CHECK(c != b && d != a);
	CHECK(dom1.ec.ports[c].remote == &dom0.ec);
	CHECK_EQ(dom0.ec.ports[d].remote_port, c);
}

static void test_send_and_upcall_edge(void)
{
	uint32_t a, b;

	setup();
	connect(&a, &b);
	CHECK_EQ(evtchn_send(&dom0.ec, a), 0);
	CHECK(pending(&dom1, b));
	CHECK(!pending(&dom0, a));
	CHECK_EQ(dom1.upcalls, 1);
	CHECK_EQ(evtchn_send(&dom0.ec, a), 0); /* still pending: no upcall */
	CHECK_EQ(dom1.upcalls, 1);
	clear_pend(&dom1, b);
	CHECK_EQ(evtchn_send(&dom0.ec, a), 0);
	CHECK_EQ(dom1.upcalls, 2);
	CHECK_EQ(evtchn_send(&dom1.ec, b), 0); /* and back */
	CHECK(pending(&dom0, a));
	CHECK_EQ(dom0.upcalls, 1);
}

static void test_mask_unmask(void)
{
	uint32_t a, b;

	setup();
	connect(&a, &b);
	set_mask(&dom1, b);
	CHECK_EQ(evtchn_send(&dom0.ec, a), 0);
	CHECK(pending(&dom1, b));
	CHECK_EQ(dom1.upcalls, 0);
	CHECK_EQ(evtchn_unmask(&dom1.ec, b), 0);
	CHECK_EQ(dom1.page->mask[b / 64], 0);
	CHECK_EQ(dom1.upcalls, 1);
	clear_pend(&dom1, b);
	CHECK_EQ(evtchn_unmask(&dom1.ec, b), 0); /* nothing pending */
	CHECK_EQ(dom1.upcalls, 1);
}

static void test_bind_refused(void)
{
	uint32_t a, b, p = 0xdead;

	setup();
	CHECK_EQ(evtchn_alloc_unbound(&dom0.ec, 1, &a), 0);
	/* dom2 is not the domain the port waits for. */
	CHECK_EQ(evtchn_bind_interdomain(&dom2.ec, &dom0.ec, a, &p),
		 EVTCHN_EACCES);
	CHECK_EQ(p, 0xdead);
	CHECK_EQ(dom0.ec.ports[a].state, EVTCHN_UNBOUND);
	CHECK_EQ(dom0.ec.ports[a].remote_domid, 1);
	CHECK_EQ(find_free(&dom2.ec), 1); /* nothing allocated */
	/* A FREE port, then an already bound one. */
	CHECK_EQ(evtchn_bind_interdomain(&dom1.ec, &dom0.ec, a + 1, &p),
		 EVTCHN_EINVAL);
	CHECK_EQ(evtchn_bind_interdomain(&dom1.ec, &dom0.ec, a, &b), 0);
	CHECK_EQ(evtchn_bind_interdomain(&dom1.ec, &dom0.ec, a, &p),
		 EVTCHN_EINVAL);
	CHECK_EQ(p, 0xdead);
	CHECK(dom0.ec.ports[a].remote == &dom1.ec);
	CHECK_EQ(dom0.ec.ports[a].remote_port, b);
	CHECK_EQ(evtchn_bind_interdomain(&dom1.ec, NULL, a, &p), EVTCHN_ESRCH);
	CHECK_EQ(evtchn_bind_interdomain(&dom1.ec, &dom0.ec, a, NULL),
		 EVTCHN_EINVAL);
}

static void test_close_and_reuse(void)
{
	uint32_t a, b, b2;

	setup();
	connect(&a, &b);
	CHECK_EQ(evtchn_send(&dom0.ec, a), 0);
	CHECK(pending(&dom1, b));
	CHECK_EQ(evtchn_close(&dom1.ec, b), 0);
	CHECK_EQ(dom1.ec.ports[b].state, EVTCHN_FREE);
	CHECK(!pending(&dom1, b)); /* no stale event on reuse */
	CHECK_EQ(dom0.ec.ports[a].state, EVTCHN_UNBOUND);
	CHECK_EQ(dom0.ec.ports[a].remote_domid, 1);
	CHECK(dom0.ec.ports[a].remote == NULL);
	/* Sends on the reverted end are Xen's silent no-op. */
	CHECK_EQ(evtchn_send(&dom0.ec, a), 0);
	CHECK_EQ(evtchn_send(&dom1.ec, b), EVTCHN_EINVAL);
	/* Double close: an error, nothing changes. */
	CHECK_EQ(evtchn_close(&dom1.ec, b), EVTCHN_EINVAL);
	CHECK_EQ(dom0.ec.ports[a].state, EVTCHN_UNBOUND);
	/* Bind again, reusing the freed port. */
	CHECK_EQ(evtchn_bind_interdomain(&dom1.ec, &dom0.ec, a, &b2), 0);
	CHECK_EQ(b2, b);
	CHECK_EQ(evtchn_send(&dom1.ec, b2), 0);
	CHECK(pending(&dom0, a));
	/* Closing the offering end works the same way. */
	CHECK_EQ(evtchn_close(&dom0.ec, a), 0);
	CHECK_EQ(dom1.ec.ports[b2].state, EVTCHN_UNBOUND);
	CHECK_EQ(dom1.ec.ports[b2].remote_domid, 0);
	CHECK_EQ(evtchn_close(&dom1.ec, b2), 0); /* close an UNBOUND port */
	CHECK_EQ(evtchn_close(&dom1.ec, b2), EVTCHN_EINVAL);
}

static void test_bad_ports(void)
{
	static const uint32_t bad[] = {0, NR_EVTCHN_PORTS, NR_EVTCHN_PORTS + 1,
				       0xffffffffu};
	uint32_t p;
	unsigned i;

	setup();
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK_EQ(evtchn_send(&dom0.ec, bad[i]), EVTCHN_EINVAL);
		CHECK_EQ(evtchn_unmask(&dom0.ec, bad[i]), EVTCHN_EINVAL);
		CHECK_EQ(evtchn_close(&dom0.ec, bad[i]), EVTCHN_EINVAL);
		CHECK_EQ(
		    evtchn_bind_interdomain(&dom1.ec, &dom0.ec, bad[i], &p),
		    EVTCHN_EINVAL);
	}
	/* Port 0 is never handed out and stays FREE. */
	CHECK_EQ(evtchn_alloc_unbound(&dom0.ec, 1, &p), 0);
	CHECK_EQ(p, 1);
	CHECK_EQ(dom0.ec.ports[0].state, EVTCHN_FREE);
	CHECK_EQ(evtchn_send(&dom0.ec, 2), EVTCHN_EINVAL); /* FREE port */
	CHECK_EQ(evtchn_unmask(&dom0.ec, 2), EVTCHN_EINVAL);
}

static void test_exhaust(void)
{
	uint32_t p, n;

	setup();
	for (n = 1; n < NR_EVTCHN_PORTS; n++) {
		CHECK_EQ(evtchn_alloc_unbound(&dom0.ec, 1, &p), 0);
		CHECK_EQ(p, n);
	}
	p = 0xdead;
	CHECK_EQ(evtchn_alloc_unbound(&dom0.ec, 1, &p), EVTCHN_ENOSPC);
	CHECK_EQ(evtchn_bind_virq(&dom0.ec, 0, &p), EVTCHN_ENOSPC);
	CHECK_EQ(dom0.ec.virq_port[0], 0);
	/* The remote port must stay UNBOUND if we have no room. */
	CHECK_EQ(evtchn_alloc_unbound(&dom1.ec, 0, &n), 0);
	CHECK_EQ(evtchn_bind_interdomain(&dom0.ec, &dom1.ec, n, &p),
		 EVTCHN_ENOSPC);
	CHECK_EQ(dom1.ec.ports[n].state, EVTCHN_UNBOUND);
	CHECK_EQ(p, 0xdead);
	CHECK_EQ(evtchn_close(&dom0.ec, 77), 0);
	CHECK_EQ(evtchn_alloc_unbound(&dom0.ec, 1, &p), 0);
	CHECK_EQ(p, 77);
}

static void test_virq(void)
{
	uint32_t v, p = 0xdead;

	setup();
	CHECK_EQ(evtchn_raise_virq(&dom0.ec, 3), 0); /* unbound: dropped */
	CHECK_EQ(evtchn_bind_virq(&dom0.ec, 3, &v), 0);
	CHECK_EQ(evtchn_bind_virq(&dom0.ec, 3, &p), EVTCHN_EBUSY);
	CHECK_EQ(p, 0xdead);
	CHECK_EQ(evtchn_bind_virq(&dom0.ec, NR_VIRQS, &p), EVTCHN_EINVAL);
	CHECK_EQ(evtchn_raise_virq(&dom0.ec, NR_VIRQS), EVTCHN_EINVAL);
	CHECK_EQ(evtchn_raise_virq(&dom0.ec, 3), 0);
	CHECK(pending(&dom0, v));
	CHECK_EQ(dom0.upcalls, 1);
	CHECK_EQ(evtchn_send(&dom0.ec, v), EVTCHN_EINVAL); /* guest can't */
	CHECK_EQ(evtchn_close(&dom0.ec, v), 0);
	CHECK_EQ(dom0.ec.virq_port[3], 0);
	CHECK_EQ(evtchn_bind_virq(&dom0.ec, 3, &p), 0);
	CHECK_EQ(p, v);
}

static void test_teardown(void)
{
	uint32_t a, b, c, d, l1, l2;

	setup();
	connect(&a, &b);				    /* dom0 offered */
	CHECK_EQ(evtchn_alloc_unbound(&dom1.ec, 0, &c), 0); /* dom1 offered */
	CHECK_EQ(evtchn_bind_interdomain(&dom0.ec, &dom1.ec, c, &d), 0);
	CHECK_EQ(evtchn_alloc_unbound(&dom1.ec, 1, &l1), 0); /* loopback */
	CHECK_EQ(evtchn_bind_interdomain(&dom1.ec, &dom1.ec, l1, &l2), 0);
	CHECK_EQ(evtchn_bind_virq(&dom1.ec, 1, &l1), 0);

	evtchn_domain_teardown(&dom1.ec);
	for (l2 = 0; l2 < NR_EVTCHN_PORTS; l2++)
		CHECK_EQ(dom1.ec.ports[l2].state, EVTCHN_FREE);
	CHECK_EQ(dom1.ec.virq_port[1], 0);
	CHECK(dom1.ec.shared == NULL);
	/* Dom0's ends wait for a new domain 1; none points at the old one. */
	CHECK_EQ(dom0.ec.ports[a].state, EVTCHN_UNBOUND);
	CHECK_EQ(dom0.ec.ports[a].remote_domid, 1);
	CHECK_EQ(dom0.ec.ports[d].state, EVTCHN_UNBOUND);
	CHECK_EQ(dom0.ec.ports[d].remote_domid, 1);
	for (l2 = 0; l2 < NR_EVTCHN_PORTS; l2++)
		CHECK(dom0.ec.ports[l2].remote != &dom1.ec);
	CHECK_EQ(evtchn_send(&dom0.ec, a), 0);
	CHECK_EQ(dom1.upcalls, 0);
	/* A new domain 1 can pick the channel up. */
	dom_setup(&dom2, 1, true);
	CHECK_EQ(evtchn_bind_interdomain(&dom2.ec, &dom0.ec, a, &b), 0);
	CHECK_EQ(evtchn_send(&dom0.ec, a), 0);
	CHECK_EQ(dom2.upcalls, 1);
}

static void test_no_shared_page(void)
{
	uint32_t a, b, v;

	setup();
	dom_setup(&dom1, 1, false);
	connect(&a, &b); /* binding works before the page exists */
	CHECK_EQ(evtchn_send(&dom0.ec, a), EVTCHN_ENODEV);
	CHECK_EQ(dom1.upcalls, 0);
	CHECK_EQ(evtchn_unmask(&dom1.ec, b), EVTCHN_ENODEV);
	CHECK_EQ(evtchn_bind_virq(&dom1.ec, 0, &v), 0);
	CHECK_EQ(evtchn_raise_virq(&dom1.ec, 0), EVTCHN_ENODEV);
	CHECK_EQ(evtchn_send(&dom1.ec, b), 0); /* dom0 has one */
	/* Registration zeroes the page; a second one is refused. */
	dom1.page->mask[0] = ~0ULL;
	CHECK_EQ(evtchn_set_shared(&dom1.ec, dom1.page), 0);
	CHECK_EQ(dom1.page->mask[0], 0);
	CHECK_EQ(evtchn_set_shared(&dom1.ec, dom0.page), EVTCHN_EBUSY);
	CHECK(dom1.ec.shared == dom1.page);
	CHECK_EQ(evtchn_set_shared(
		     &dom1.ec, (struct evtchn_shared *)((char *)dom0.page + 4)),
		 EVTCHN_EINVAL);
	CHECK_EQ(evtchn_send(&dom0.ec, a), 0);
	CHECK_EQ(dom1.upcalls, 1);
	CHECK_EQ(evtchn_close(&dom1.ec, b), 0);
	CHECK_EQ(evtchn_close(&dom0.ec, a), 0);
	CHECK_EQ(evtchn_close(&dom0.ec, a), EVTCHN_EINVAL);
}

int main(void)
{
	RUN(test_bind_both_directions);
	RUN(test_send_and_upcall_edge);
	RUN(test_mask_unmask);
	RUN(test_bind_refused);
	RUN(test_close_and_reuse);
	RUN(test_bad_ports);
	RUN(test_exhaust);
	RUN(test_virq);
	RUN(test_teardown);
	RUN(test_no_shared_page);
	free(dom0.page);
	free(dom1.page);
	free(dom2.page);
	TEST_DONE();
}
