/*
 * Host test of the VMID allocator (kernel/core/vmid.c) with the VMID width
 * injected: 0, 1, 2 and 14 bits (QEMU 7.2 has 14). The arch hooks record
 * each flush: the local one per hart, and the all-harts one
 * (p2m_flush_all_harts) that VMID reuse needs.
 */
#include "test.h"

#include "pcpu.h"

/* ------------------------------------------------------------ host stubs */
struct pcpu pcpus[MAX_PCPUS];
struct pcpu *boot_pcpu = &pcpus[0];
static unsigned cur_hart;
static unsigned probe_bits;

static struct {
	unsigned all;                /* p2m_flush_all_harts() */
	unsigned local[MAX_PCPUS];   /* vmid_arch_flush_local() per hart */
	unsigned local_other;        /* ... of another VMID than the shared */
} F;

static struct pcpu *test_this_pcpu(void)
{
	return &pcpus[cur_hart];
}
#define this_pcpu() test_this_pcpu()

#include "../../kernel/core/vmid.c"

unsigned vmid_arch_probe_bits(void)
{
	return probe_bits;
}
void vmid_arch_flush_local(uint16_t vmid)
{
	F.local[cur_hart]++;
	if (vmid != VMID_SHARED)
		F.local_other++;
}
void p2m_flush_all_harts(void)
{
	F.all++;
}

/* ---------------------------------------------------------------- helpers */
#define NDOM 16 /* MAX_DOMAINS */
static struct p2m G[NDOM];

static void init(unsigned bits)
{
	probe_bits = bits;
	memset(&F, 0, sizeof(F));
	memset(G, 0, sizeof(G));
	for (unsigned i = 0; i < MAX_PCPUS; i++)
		pcpus[i].id = i;
	cur_hart = 0;
	vmid_init();
}

/* hgatp of g was just loaded on hart h: the local flushes that took. */
static unsigned load(unsigned h, const struct p2m *g)
{
	unsigned before = F.local[h];

	cur_hart = h;
	vmid_load(g);
	return F.local[h] - before;
}

/* ------------------------------------------------------------------ cases */

/* Each width: 2^N - 1 domains get VMIDs of their own, distinct and in
 * range; the rest share VMID 0. No flush is needed for fresh VMIDs. */
static void test_widths(void)
{
	static const unsigned widths[] = {0, 1, 2, 14};

	for (unsigned w = 0; w < ARRAY_SIZE(widths); w++) {
		unsigned bits = widths[w], own = 0;
		init(bits);
		CHECK_EQ(vmid_bits(), bits);
		CHECK_EQ(vmid_exclusive(), (1U << bits) - 1);
		for (unsigned i = 0; i < NDOM; i++) {
			vmid_assign(&G[i]);
			CHECK(G[i].vmid_tag != 0);
			CHECK(G[i].vmid < (1U << bits));
			for (unsigned j = 0; j < i; j++) {
				CHECK(G[i].vmid_tag != G[j].vmid_tag);
				if (G[i].vmid != VMID_SHARED)
					CHECK(G[i].vmid != G[j].vmid);
			}
			own += G[i].vmid != VMID_SHARED;
		}
		CHECK_EQ(own, MIN((1U << bits) - 1, (unsigned)NDOM));
		/* Handed out in order: the first domains get 1, 2, ... */
		if (bits)
			CHECK_EQ(G[0].vmid, 1);
		CHECK_EQ(F.all, 0);
		for (unsigned i = 0; i < NDOM; i++)
			vmid_release(&G[i]);
	}
	/* More bits than hgatp has are not believed. */
	init(16);
	CHECK_EQ(vmid_bits(), VMID_BITS_MAX);
}

/* A VMID an earlier domain held is flushed on every hart before reuse. */
static void test_reuse_flushes(void)
{
	struct p2m x = {0}, y = {0};

	init(2); /* VMIDs 1, 2, 3 of their own */
	for (unsigned i = 0; i < 3; i++)
		vmid_assign(&G[i]);
	CHECK_EQ(G[1].vmid, 2);
	vmid_release(&G[1]);
	CHECK_EQ(G[1].vmid_tag, 0);
	CHECK_EQ(F.all, 0); /* release alone needs none */
	vmid_assign(&x);    /* the only free one: VMID 2, used before */
	CHECK_EQ(x.vmid, 2);
	CHECK_EQ(F.all, 1);
	vmid_assign(&y);    /* none left: shared, nothing to flush */
	CHECK_EQ(y.vmid, VMID_SHARED);
	CHECK_EQ(F.all, 1);
	vmid_release(&y);
	vmid_release(&x);
	vmid_release(&x); /* twice: no effect */
	vmid_assign(&y);
	CHECK_EQ(y.vmid, 2);
	CHECK_EQ(F.all, 2);

	/* With 14 bits, round-robin: a released VMID comes back last. */
	init(14);
	vmid_assign(&G[0]);
	vmid_assign(&G[1]);
	vmid_release(&G[0]);
	vmid_assign(&G[0]);
	CHECK_EQ(G[0].vmid, 3);
	CHECK_EQ(F.all, 0);
	for (unsigned i = 0; i < (1U << 14) - 4; i++) {
		struct p2m t = {0};
		vmid_assign(&t);
		CHECK(t.vmid > 3);
		vmid_release(&t);
	}
	CHECK_EQ(F.all, 0); /* all fresh so far */
	vmid_assign(&x);    /* wrapped: VMID 1, G[0]'s before */
	CHECK_EQ(x.vmid, 1);
	CHECK_EQ(F.all, 1);
	vmid_assign(&y);    /* 2 is G[1]'s; 3 is G[0]'s: next is 4, used */
	CHECK_EQ(y.vmid, 4);
	CHECK_EQ(F.all, 2);
}

/* Domains on the shared VMID: a hart flushes it when the holder changes. */
static void test_shared_flush_on_switch(void)
{
	struct p2m *own, *a, *b;

	init(1); /* VMID 1 for the first domain, then shared */
	for (unsigned i = 0; i < 3; i++)
		vmid_assign(&G[i]);
	own = &G[0], a = &G[1], b = &G[2];
	CHECK_EQ(own->vmid, 1);
	CHECK_EQ(a->vmid, VMID_SHARED);
	CHECK_EQ(b->vmid, VMID_SHARED);
	CHECK_EQ(load(0, a), 1);   /* first holder on this hart */
	CHECK_EQ(load(0, a), 0);   /* the same one again */
	CHECK_EQ(load(0, own), 0); /* its own VMID: nothing to flush */
	CHECK_EQ(load(0, a), 0);   /* still a's entries under VMID 0 */
	CHECK_EQ(load(0, b), 1);
	CHECK_EQ(load(0, a), 1);
	CHECK_EQ(load(1, b), 1);   /* per hart */
	CHECK_EQ(load(1, b), 0);
	CHECK_EQ(F.local_other, 0);
	/* A new domain in the same struct is a new holder. */
	vmid_release(a);
	vmid_assign(a);
	CHECK_EQ(a->vmid, VMID_SHARED);
	CHECK_EQ(load(0, a), 1);
	CHECK_EQ(F.all, 0);
}

/* VMIDLEN 0: every switch to another domain flushes. */
static void test_no_vmids(void)
{
	unsigned flushes = 0;

	init(0);
	vmid_assign(&G[0]);
	vmid_assign(&G[1]);
	CHECK_EQ(G[0].vmid, VMID_SHARED);
	CHECK_EQ(G[1].vmid, VMID_SHARED);
	for (unsigned i = 0; i < 10; i++)
		flushes += load(0, &G[i & 1]);
	CHECK_EQ(flushes, 10);
	CHECK_EQ(load(0, &G[1]), 0); /* no switch, no flush */
	CHECK_EQ(F.all, 0);
}

/* A gstage the allocator never saw (tag 0) is left alone. */
static void test_unassigned(void)
{
	struct p2m g = {0};

	init(14);
	g.vmid = 5;
	CHECK_EQ(load(0, &g), 0);
	vmid_release(&g);
	g.vmid = VMID_SHARED;
	CHECK_EQ(load(0, &g), 0);
	vmid_assign(&g);
	CHECK_EQ(g.vmid, 1); /* 5 was never taken */
}

int main(void)
{
	RUN(test_widths);
	RUN(test_reuse_flushes);
	RUN(test_shared_flush_on_switch);
	RUN(test_no_vmids);
	RUN(test_unassigned);
	TEST_DONE();
}
