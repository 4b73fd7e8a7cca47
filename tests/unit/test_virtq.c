/*
 * Host test of the device side of split virtqueues: a corpus of malformed
 * rings (each a named case with the outcome the spec asks for), the
 * normal paths (plain, indirect and mixed chains, 16-bit index wrap,
 * EVENT_IDX and flag-based notification suppression), and a seeded fuzz
 * loop over random rings.
 *
 * Guest RAM is one malloc'ed block of exactly RAM_SIZE bytes, so ASan
 * reports any access virtq.c makes outside it.
 */
#include "test.h"
#include "../../backend-drivers/virtq.c"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE 0x10000u
#define DESC_OFF 0x0000u /* ring descriptor table, up to 256 * 16 */
#define AVAIL_OFF 0x1000u
#define USED_OFF 0x2000u
#define ITAB_OFF 0x3000u /* indirect tables */
#define DATA_OFF 0x8000u /* buffers */
#define GPA(off) (RAM_BASE + (off))

static uint8_t *ram;
static struct guest_mem mem;
static struct virtq q;
static struct virtq_elem el;

static void ram_new(void)
{
	free(ram);
	ram = calloc(1, RAM_SIZE);
	mem = (struct guest_mem){RAM_BASE, RAM_SIZE, ram, 0};
}

/* A queue over fresh zeroed RAM with its rings at the usual places. */
static void q_init(uint16_t num, bool indirect, bool event_idx)
{
	ram_new();
	memset(&q, 0, sizeof(q));
	q.mem = &mem;
	q.num = num;
	q.desc_gpa = GPA(DESC_OFF);
	q.avail_gpa = GPA(AVAIL_OFF);
	q.used_gpa = GPA(USED_OFF);
	q.indirect = indirect;
	q.event_idx = event_idx;
}

static void q_up(uint16_t num, bool indirect, bool event_idx)
{
	q_init(num, indirect, event_idx);
	CHECK_EQ(virtq_enable(&q), 0);
}

static struct vring_desc *tab(uint32_t off)
{
	return (struct vring_desc *)(ram + off);
}

static void dset(uint32_t tab_off, unsigned i, uint64_t gpa, uint32_t len,
		 uint16_t flags, uint16_t next)
{
	struct vring_desc *d = &tab(tab_off)[i];

	d->addr = gpa;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

/* Ring descriptor i: a buffer of len bytes at DATA_OFF + 0x100 * i. */
static void dbuf(unsigned i, uint32_t len, uint16_t flags, uint16_t next)
{
	dset(DESC_OFF, i, GPA(DATA_OFF + 0x100 * i), len, flags, next);
}

static struct vring_avail *avail(void)
{
	return (struct vring_avail *)(ram + AVAIL_OFF);
}

static struct vring_used *used(void)
{
	return (struct vring_used *)(ram + USED_OFF);
}

static void post(uint16_t head)
{
	avail()->ring[avail()->idx % q.num] = head;
	avail()->idx++;
}

#define NEXT VRING_DESC_F_NEXT
#define WR VRING_DESC_F_WRITE
#define IND VRING_DESC_F_INDIRECT

/* ---------------------------------------------- the malformed-ring corpus */

/*
 * Each case starts from one posted, one-buffer request (ring descriptor 0,
 * 16 readable bytes at DATA_OFF) on an 8-entry queue with INDIRECT_DESC,
 * then overrides: queue settings, descriptor writes (to the ring's table
 * or an indirect one), avail->idx and the head in avail->ring[0].
 */
struct dwrite {
	uint32_t tab; /* RAM offset of the table written */
	uint16_t i;
	uint64_t gpa; /* 0 ends the list */
	uint32_t len;
	uint16_t flags, next;
};

struct ring_case {
	const char *name;
	int enable, pop; /* expected virtq_enable(), then virtq_pop() */
	const char *why; /* in q.error when either fails */
	uint32_t num;	 /* SET(n), or 0 for 8 */
	bool no_indirect, event_idx;
	uint64_t desc_gpa, avail_gpa, used_gpa; /* 0: the usual place */
	uint32_t idx, head; /* SET(n) stores n; 0 leaves 1 and 0 */
	struct dwrite d[10];
};

/* clang-format off */
#define SET(n) (0x10000u | (n))
#define NOQ(w) .enable = -1, .pop = VIRTQ_EMPTY, .why = w
#define BRK(w) .pop = VIRTQ_BROKEN, .why = w
#define GOT .pop = VIRTQ_GOT
#define EMPTY .pop = VIRTQ_EMPTY
/* ring descriptor i, a buffer at DATA_OFF + 0x100 * i */
#define R(i, len, fl, nx) \
	{ DESC_OFF, i, GPA(DATA_OFF + 0x100 * (i)), len, fl, nx }
/* ring descriptor 0 pointing at an indirect table at ITAB_OFF */
#define IND0(len, fl) { DESC_OFF, 0, GPA(ITAB_OFF), len, IND | (fl), 0 }
/* entry i of the indirect table at ITAB_OFF */
#define T(i, len, fl, nx) { ITAB_OFF, i, GPA(DATA_OFF), len, fl, nx }
#define END (RAM_SIZE)

static const struct ring_case corpus[] = {
	/* Ring placement and size, checked once by virtq_enable() */
	{ "desc table past RAM", NOQ("descriptor table"),
	  .desc_gpa = GPA(END) },
	{ "desc table below RAM", NOQ("descriptor table"),
	  .desc_gpa = RAM_BASE - 0x1000 },
	{ "desc table runs off the end", NOQ("descriptor table"),
	  .desc_gpa = GPA(END - 64) },
	{ "desc gpa + size wraps", NOQ("descriptor table"),
	  .desc_gpa = UINT64_MAX - 15 },
	{ "avail ring below RAM", NOQ("avail ring"), .avail_gpa = 0x10 },
	{ "avail ring runs off the end", NOQ("avail ring"),
	  .avail_gpa = GPA(END - 4) },
	{ "used ring past RAM", NOQ("used ring"), .used_gpa = GPA(0x100000) },
	{ "used ring runs off the end", NOQ("used ring"),
	  .used_gpa = GPA(END - 8) },
	{ "desc table misaligned", NOQ("descriptor table"),
	  .desc_gpa = GPA(8) },
	{ "avail ring misaligned", NOQ("avail ring"),
	  .avail_gpa = GPA(AVAIL_OFF + 1) },
	{ "used ring misaligned", NOQ("used ring"),
	  .used_gpa = GPA(USED_OFF + 2) },
	{ "queue size 0", NOQ("queue size"), .num = SET(0) },
	{ "queue size 6", NOQ("queue size"), .num = SET(6) },
	{ "queue size 512", NOQ("queue size"), .num = SET(512) },
	/* an avail ring ending at the end of RAM has no room for used_event */
	{ "avail ring ends at RAM end", GOT, .avail_gpa = GPA(END - 20) },
	{ "... and needs used_event", NOQ("avail ring"), .event_idx = true,
	  .avail_gpa = GPA(END - 20) },
	{ "used ring needs avail_event", NOQ("used ring"), .event_idx = true,
	  .used_gpa = GPA(END - 68) },
	/* Indices and heads */
	{ "nothing posted", EMPTY, .idx = SET(0) },
	{ "ring full (idx == num)", GOT, .idx = SET(8) },
	{ "avail idx num + 1 ahead", BRK("avail index"), .idx = SET(9) },
	{ "avail idx went backwards", BRK("avail index"), .idx = SET(0xffff) },
	{ "head == num", BRK("avail ring entry"), .head = SET(8) },
	{ "head 0xffff", BRK("avail ring entry"), .head = SET(0xffff) },
	/* Buffers against guest RAM */
	{ "buffer past RAM", BRK("buffer outside"),
	  .d = { { DESC_OFF, 0, GPA(END), 16, 0, 0 } } },
	{ "buffer below RAM", BRK("buffer outside"),
	  .d = { { DESC_OFF, 0, 0x1000, 16, 0, 0 } } },
	{ "buffer runs off the end", BRK("buffer outside"),
	  .d = { { DESC_OFF, 0, GPA(END - 16), 17, 0, 0 } } },
	{ "buffer ends at RAM end", GOT,
	  .d = { { DESC_OFF, 0, GPA(END - 16), 16, 0, 0 } } },
	{ "buffer gpa + len wraps", BRK("buffer outside"),
	  .d = { { DESC_OFF, 0, UINT64_MAX - 7, 16, 0, 0 } } },
	{ "buffer of 4 GiB - 1", BRK("buffer outside"),
	  .d = { R(0, 0xffffffff, 0, 0) } },
	{ "zero-length head", BRK("zero-length"), .d = { R(0, 0, 0, 0) } },
	{ "zero-length middle", BRK("zero-length"),
	  .d = { R(0, 16, NEXT, 1), R(1, 0, NEXT, 2), R(2, 16, WR, 0) } },
	/* Chains */
	{ "self loop", BRK("longer than the queue"),
	  .d = { R(0, 16, NEXT, 0) } },
	{ "two-cycle", BRK("longer than the queue"),
	  .d = { R(0, 16, NEXT, 1), R(1, 16, NEXT, 0) } },
	{ "next == num", BRK("next descriptor"), .d = { R(0, 16, NEXT, 8) } },
	{ "next 0xffff", BRK("next descriptor"),
	  .d = { R(0, 16, NEXT, 0xffff) } },
	{ "chain of exactly num", GOT,
	  .d = { R(0, 8, NEXT, 1), R(1, 8, NEXT, 2), R(2, 8, NEXT, 3),
		 R(3, 8, NEXT, 4), R(4, 8, NEXT, 5), R(5, 8, NEXT, 6),
		 R(6, 8, NEXT, 7), R(7, 8, 0, 0) } },
	{ "3 direct + 6 indirect > num", BRK("longer than the queue"),
	  .d = { R(0, 8, NEXT, 1), R(1, 8, NEXT, 2), R(2, 8, NEXT, 3),
		 { DESC_OFF, 3, GPA(ITAB_OFF), 8 * 16, IND, 0 },
		 T(0, 8, NEXT, 1), T(1, 8, NEXT, 2), T(2, 8, NEXT, 3),
		 T(3, 8, NEXT, 4), T(4, 8, NEXT, 5), T(5, 8, NEXT, 6) } },
	{ "writable then readable", BRK("after a writable"),
	  .d = { R(0, 16, WR | NEXT, 1), R(1, 16, 0, 0) } },
	/* Indirect tables (section 2.7.5.3) */
	{ "indirect", GOT, .d = { IND0(16, 0), T(0, 32, 0, 0) } },
	{ "indirect not negotiated", BRK("not negotiated"), .no_indirect = true,
	  .d = { IND0(16, 0), T(0, 32, 0, 0) } },
	{ "indirect's WRITE ignored", GOT,
	  .d = { IND0(16, WR), T(0, 32, 0, 0) } },
	{ "indirect with NEXT", BRK("with NEXT"),
	  .d = { IND0(16, NEXT), T(0, 32, 0, 0), R(1, 16, 0, 0) } },
	{ "indirect len 24", BRK("multiple of 16"),
	  .d = { IND0(24, 0), T(0, 32, 0, 0) } },
	{ "indirect len 0", BRK("multiple of 16"),
	  .d = { IND0(0, 0), T(0, 32, 0, 0) } },
	{ "indirect > num entries", BRK("larger than the queue"),
	  .d = { IND0(9 * 16, 0), T(0, 32, 0, 0) } },
	/* the inner table is well formed: only the nesting is wrong */
	{ "nested indirect", BRK("inside an indirect"),
	  .d = { IND0(32, 0), T(0, 32, NEXT, 1),
		 { ITAB_OFF, 1, GPA(ITAB_OFF + 0x100), 16, IND, 0 },
		 { ITAB_OFF + 0x100, 0, GPA(DATA_OFF), 32, 0, 0 } } },
	/* without the nesting rule this one would never end */
	{ "indirect names its own table", BRK("inside an indirect"),
	  .d = { IND0(16, 0), { ITAB_OFF, 0, GPA(ITAB_OFF), 16, IND, 0 } } },
	{ "indirect table past RAM", BRK("indirect table outside"),
	  .d = { { DESC_OFF, 0, GPA(END), 16, IND, 0 } } },
	{ "indirect table runs off the end", BRK("indirect table outside"),
	  .d = { { DESC_OFF, 0, GPA(END - 16), 32, IND, 0 } } },
	{ "indirect gpa + len wraps", BRK("indirect table outside"),
	  .d = { { DESC_OFF, 0, UINT64_MAX - 15, 32, IND, 0 } } },
	{ "indirect self loop", BRK("longer than the queue"),
	  .d = { IND0(16, 0), T(0, 32, NEXT, 0) } },
	{ "indirect next past table", BRK("next descriptor"),
	  .d = { IND0(32, 0), T(0, 32, NEXT, 1), T(1, 32, NEXT, 2) } },
	{ "indirect buffer past RAM", BRK("buffer outside"),
	  .d = { IND0(16, 0), { ITAB_OFF, 0, GPA(END - 8), 32, 0, 0 } } },
	{ "indirect zero-length entry", BRK("zero-length"),
	  .d = { IND0(16, 0), T(0, 0, 0, 0) } },
	{ "indirect writable then readable", BRK("after a writable"),
	  .d = { IND0(32, 0), T(0, 32, WR | NEXT, 1), T(1, 32, 0, 0) } },
	/* the spec sets no alignment for indirect tables */
	{ "indirect table unaligned", GOT,
	  .d = { { DESC_OFF, 0, GPA(ITAB_OFF + 0x203), 16, IND, 0 },
		 { ITAB_OFF + 0x203, 0, GPA(DATA_OFF), 32, 0, 0 } } },
};
/* clang-format on */

/* Lay out case c in fresh RAM and point q at it (not enabled). */
static void build_case(const struct ring_case *c)
{
	struct vring_avail *a;
	const struct dwrite *w;
	uint16_t num = c->num ? (uint16_t)c->num : 8;

	q_init(num, !c->no_indirect, c->event_idx);
	if (c->desc_gpa)
		q.desc_gpa = c->desc_gpa;
	if (c->avail_gpa)
		q.avail_gpa = c->avail_gpa;
	if (c->used_gpa)
		q.used_gpa = c->used_gpa;
	dbuf(0, 16, 0, 0);
	for (w = c->d; w < c->d + 10 && w->gpa; w++) {
		struct vring_desc d = {w->gpa, w->len, w->flags, w->next};

		/* memcpy: the unaligned table case must not trip UBSan */
		memcpy(ram + w->tab + 16 * w->i, &d, sizeof(d));
	}
	a = guest_mem_ptr(&mem, q.avail_gpa, 4 + 2 * (num ? num : 1));
	if (a && !(q.avail_gpa & 1)) {
		a->idx = c->idx ? (uint16_t)c->idx : 1;
		a->ring[0] = c->head ? (uint16_t)c->head : 0;
	}
}

/* A broken queue stays broken, does no work and ignores pushes. */
static void check_sticky(void)
{
	uint16_t used_idx = used()->idx;

	CHECK(q.error != NULL);
	CHECK_EQ(virtq_pop(&q, &el), VIRTQ_BROKEN);
	avail()->idx = q.last_avail + 1; /* even with a fresh entry */
	CHECK_EQ(virtq_pop(&q, &el), VIRTQ_BROKEN);
	CHECK(!virtq_has_work(&q));
	virtq_push(&q, 0, 1);
	CHECK_EQ(used()->idx, used_idx);
	CHECK(!virtq_should_notify(&q));
}

static void run_case(const struct ring_case *c)
{
	int before = test_failures, rc;

	build_case(c);
	rc = virtq_enable(&q);
	CHECK_EQ(rc, c->enable);
	if (rc) {
		CHECK(!q.ready);
		CHECK_EQ(virtq_pop(&q, &el), VIRTQ_EMPTY);
	} else {
		rc = virtq_pop(&q, &el);
		CHECK_EQ(rc, c->pop);
		if (rc == VIRTQ_BROKEN)
			check_sticky();
		if (rc == VIRTQ_GOT)
			CHECK(el.n_out + el.n_in > 0);
	}
	/* It failed for the reason the case is about, or not at all. */
	if (c->why)
		CHECK(q.error && strstr(q.error, c->why));
	else
		CHECK(q.error == NULL);
	if (test_failures != before)
		fprintf(stderr, "  in corpus case %s (error: %s)\n", c->name,
			q.error ? q.error : "none");
	else if (getenv("TEST_VERBOSE"))
		printf("  %-28s %s\n", c->name, q.error ? q.error : "ok");
}

static void test_malformed_corpus(void)
{
	size_t i;

	for (i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++)
		run_case(&corpus[i]);
}

/* ------------------------------------------------------ normal operation */

static void test_plain_chain(void)
{
	q_up(8, false, false);
	dbuf(0, 16, NEXT, 3);
	dbuf(3, 100, NEXT, 5);
	dbuf(5, 50, WR, 0);
	post(0);
	CHECK(virtq_has_work(&q));
	CHECK_EQ(virtq_pop(&q, &el), VIRTQ_GOT);
	CHECK_EQ(el.head, 0);
	CHECK_EQ(el.n_out, 2);
	CHECK_EQ(el.n_in, 1);
	CHECK_EQ(el.out_len, 116);
	CHECK_EQ(el.in_len, 50);
	CHECK(el.iov[0].iov_base == ram + DATA_OFF);
	CHECK(el.iov[1].iov_base == ram + DATA_OFF + 0x300);
	CHECK(el.iov[2].iov_base == ram + DATA_OFF + 0x500);
	CHECK_EQ(el.iov[2].iov_len, 50);
	CHECK(!virtq_has_work(&q));
	CHECK_EQ(virtq_pop(&q, &el), VIRTQ_EMPTY);
	virtq_push(&q, 0, 50);
	CHECK_EQ(used()->idx, 1);
	CHECK_EQ(used()->ring[0].id, 0);
	CHECK_EQ(used()->ring[0].len, 50);
}

static void test_indirect_chain(void)
{
	q_up(8, true, false);
	dset(DESC_OFF, 2, GPA(ITAB_OFF), 3 * 16, IND, 0);
	/* the table's own chain order: 0 -> 2 -> 1 */
	dset(ITAB_OFF, 0, GPA(DATA_OFF), 10, NEXT, 2);
	dset(ITAB_OFF, 2, GPA(DATA_OFF + 0x100), 20, WR | NEXT, 1);
	dset(ITAB_OFF, 1, GPA(DATA_OFF + 0x200), 30, WR, 0);
	post(2);
	CHECK_EQ(virtq_pop(&q, &el), VIRTQ_GOT);
	CHECK_EQ(el.head, 2);
	CHECK_EQ(el.n_out, 1);
	CHECK_EQ(el.n_in, 2);
	CHECK_EQ(el.out_len, 10);
	CHECK_EQ(el.in_len, 50);
	CHECK(el.iov[1].iov_base == ram + DATA_OFF + 0x100);
	CHECK(el.iov[2].iov_base == ram + DATA_OFF + 0x200);
	virtq_push(&q, 2, 50);
	CHECK_EQ(used()->ring[0].id, 2);
}

/* Direct buffers followed by one indirect table (section 2.7.5.3.2). */
static void test_mixed_chain(void)
{
	q_up(8, true, false);
	dbuf(4, 12, NEXT, 6);
	dset(DESC_OFF, 6, GPA(ITAB_OFF), 2 * 16, IND, 0);
	dset(ITAB_OFF, 0, GPA(DATA_OFF + 0x1000), 7, NEXT, 1);
	dset(ITAB_OFF, 1, GPA(DATA_OFF + 0x2000), 9, WR, 0);
	post(4);
	CHECK_EQ(virtq_pop(&q, &el), VIRTQ_GOT);
	CHECK_EQ(el.n_out, 2);
	CHECK_EQ(el.n_in, 1);
	CHECK_EQ(el.out_len, 19);
	CHECK(el.iov[0].iov_base == ram + DATA_OFF + 0x400);
	CHECK(el.iov[2].iov_base == ram + DATA_OFF + 0x2000);
}

/* 70,000 requests through a 4-entry queue: both 16-bit indices wrap. */
static void test_index_wraparound(void)
{
	unsigned i, k, n, bad = 0;

	q_up(4, false, false);
	for (i = 0; i < 4; i++)
		dbuf(i, 8, WR, 0);
	for (i = 0; i < 70000; i += n) {
		n = 1 + (i % 3 == 0); /* two in flight at times */
		for (k = 0; k < n; k++)
			post((i + k) % 4);
		while (virtq_pop(&q, &el) == VIRTQ_GOT)
			virtq_push(&q, el.head, 8);
		bad += used()->idx != (uint16_t)(i + n);
		bad += used()->ring[(i + n - 1) % 4].id != (i + n - 1) % 4;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(q.last_avail, (uint16_t)i);
	CHECK_EQ(avail()->idx, (uint16_t)i);
}

/* Push n single-buffer requests. */
static void complete(unsigned n)
{
	while (n--) {
		post(0);
		CHECK_EQ(virtq_pop(&q, &el), VIRTQ_GOT);
		virtq_push(&q, 0, 16);
	}
}

static void test_event_idx_notify(void)
{
	uint16_t *used_event;

	q_up(8, false, true);
	dbuf(0, 16, WR, 0);
	used_event = &avail()->ring[8];
	CHECK(!virtq_should_notify(&q)); /* nothing used yet */
	*used_event = 0x1234; /* stale: set before the queue was enabled */
	complete(1);
	CHECK(virtq_should_notify(&q));	 /* the first always goes */
	CHECK(!virtq_should_notify(&q)); /* nothing new */
	*used_event = 3; /* "interrupt me once entry 3 is used" */
	complete(2);	 /* used idx 3: entries 1, 2 */
	CHECK(!virtq_should_notify(&q));
	complete(1); /* entry 3 */
	CHECK(virtq_should_notify(&q));
	complete(1);
	CHECK(!virtq_should_notify(&q));
	/* Several entries at once across the event: one interrupt. */
	*used_event = 6;
	complete(3); /* 5, 6, 7 */
	CHECK(virtq_should_notify(&q));
	/* used_event far behind (driver asleep): suppressed. */
	*used_event = 0xfff0;
	complete(2);
	CHECK(!virtq_should_notify(&q));
	/* The avail flag means nothing with EVENT_IDX. */
	avail()->flags = VRING_AVAIL_F_NO_INTERRUPT;
	*used_event = q.used_idx;
	complete(1);
	CHECK(virtq_should_notify(&q));
}

static void test_no_interrupt_flag(void)
{
	q_up(8, false, false);
	dbuf(0, 16, WR, 0);
	complete(1);
	CHECK(virtq_should_notify(&q));
	CHECK(!virtq_should_notify(&q));
	avail()->flags = VRING_AVAIL_F_NO_INTERRUPT;
	complete(2);
	CHECK(!virtq_should_notify(&q));
	avail()->flags = 0; /* the two entries are still unsignalled */
	CHECK(virtq_should_notify(&q));
	CHECK(!virtq_should_notify(&q));
}

static void test_set_notify(void)
{
	uint16_t *avail_event;

	q_up(8, false, false);
	virtq_set_notify(&q, false);
	CHECK_EQ(used()->flags, VRING_USED_F_NO_NOTIFY);
	virtq_set_notify(&q, true);
	CHECK_EQ(used()->flags, 0);

	q_up(8, false, true);
	dbuf(0, 16, WR, 0);
	avail_event = (uint16_t *)&used()->ring[8];
	complete(3); /* notifications on: avail_event follows the pops */
	CHECK_EQ(*avail_event, 3);
	virtq_set_notify(&q, false);
	complete(2);
	CHECK_EQ(*avail_event, 3);
	virtq_set_notify(&q, true);
	CHECK_EQ(*avail_event, 5);
	CHECK_EQ(used()->flags, 0); /* untouched with EVENT_IDX */
}

static void test_reset_and_reenable(void)
{
	q_init(8, true, true);
	CHECK_EQ(virtq_pop(&q, &el), VIRTQ_EMPTY); /* not enabled */
	virtq_push(&q, 0, 1);			   /* ignored */
	CHECK_EQ(virtq_enable(&q), 0);
	post(9);
	CHECK_EQ(virtq_pop(&q, &el), VIRTQ_BROKEN);
	virtq_reset(&q);
	CHECK(!q.ready && !q.broken && q.error == NULL && q.num == 0);
	CHECK(q.mem == &mem && q.desc == NULL);
	q.num = 8;
	q.desc_gpa = GPA(DESC_OFF);
	q.avail_gpa = GPA(AVAIL_OFF);
	q.used_gpa = GPA(USED_OFF);
	CHECK_EQ(virtq_enable(&q), 0);
	memset(ram, 0, RAM_SIZE);
	dbuf(0, 16, 0, 0);
	post(0);
	CHECK_EQ(virtq_pop(&q, &el), VIRTQ_GOT);
	/* A device bug, not a guest one, but the queue must not index past num.
	 */
	virtq_push(&q, 8, 0);
	CHECK(q.broken);
	CHECK_EQ(used()->idx, 0);
}

static void test_iov_copy(void)
{
	uint8_t a[3], b[5], c[2], out[16];
	const uint8_t src[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	struct iovec iov[3] = {{a, 3}, {b, 5}, {c, 2}};

	CHECK_EQ(virtq_buf_to_iov(iov, 3, 0, src, 10), 10);
	CHECK(a[0] == 0 && b[0] == 3 && c[1] == 9);
	memset(out, 0xee, sizeof(out));
	CHECK_EQ(virtq_iov_to_buf(iov, 3, 0, out, 16), 10);
	CHECK(!memcmp(out, src, 10) && out[10] == 0xee);
	CHECK_EQ(virtq_iov_to_buf(iov, 3, 2, out, 4), 4);
	CHECK(!memcmp(out, src + 2, 4));
	CHECK_EQ(virtq_iov_to_buf(iov, 3, 8, out, 16), 2);
	CHECK_EQ(out[0], 8);
	CHECK_EQ(virtq_iov_to_buf(iov, 3, 10, out, 16), 0);
	CHECK_EQ(virtq_iov_to_buf(iov, 3, 99, out, 16), 0);
	CHECK_EQ(virtq_buf_to_iov(iov, 3, 4, src, 3), 3);
	CHECK(b[1] == 0 && b[2] == 1 && b[3] == 2 && b[4] == 7);
	CHECK_EQ(virtq_buf_to_iov(iov, 0, 0, src, 3), 0);
}

/* ------------------------------------------------------------- fuzzing */

static uint64_t rng_state = 0x5eed5eed12345678ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint32_t below(uint32_t n)
{
	return rnd() % n;
}

/* Mostly plausible, sometimes hostile: the edges of RAM and of uint64_t. */
static uint64_t fz_addr(void)
{
	switch (below(16)) {
	case 0:
		return rnd();
	case 1:
		return RAM_BASE - below(64);
	case 2:
		return GPA(RAM_SIZE) - below(64);
	case 3:
		return UINT64_MAX - below(64);
	case 4:
		return GPA(ITAB_OFF + 16 * below(0x500));
	default:
		return GPA(below(RAM_SIZE));
	}
}

static uint32_t fz_len(void)
{
	switch (below(16)) {
	case 0:
		return 0;
	case 1:
		return rnd();
	case 2:
		return 16 * below(300);
	default:
		return 1 + below(600);
	}
}

static void fz_desc(struct vring_desc *d, unsigned num, unsigned i,
		    bool well_formed, bool *writing)
{
	d->addr = fz_addr();
	d->len = fz_len();
	if (well_formed && below(8) == 0) {
		/* an indirect table ends the chain (maybe a mixed one) */
		d->flags = IND;
		d->addr = GPA(ITAB_OFF + 8 * 16 * below(0x50));
		d->len = 16 * (1 + below(8));
		return;
	}
	if (well_formed) {
		*writing |= below(4) == 0;
		d->flags =
		    (i + 1 < num && below(4) ? NEXT : 0) | (*writing ? WR : 0);
		d->next = i + 1;
		if (below(2)) { /* keep it inside RAM */
			d->addr = GPA(DATA_OFF + below(0x7000));
			d->len = 1 + below(0x800);
		}
		return;
	}
	d->flags = below(8) | (below(8) ? 0 : rnd() & 0xfff8);
	if (d->flags & IND && below(2)) {
		d->addr = GPA(ITAB_OFF + 16 * below(0x400));
		d->len = 16 * (1 + below(num + 1));
	}
	d->next = below(8) ? below(num + 1) : rnd();
}

static void fz_ring(unsigned num, bool well_formed)
{
	struct vring_desc *d = tab(DESC_OFF);
	bool writing = false, wf = false;
	unsigned i;

	for (i = 0; i < num; i++) {
		fz_desc(&d[i], num, i, well_formed, &writing);
		if (!(d[i].flags & NEXT))
			writing = false; /* a new chain starts readable */
	}
	/* Indirect tables: blocks of 8, random or well formed. */
	d = tab(ITAB_OFF);
	for (i = 0; i < (DATA_OFF - ITAB_OFF) / 16; i++) {
		if (i % 8 == 0) {
			wf = below(2);
			writing = false;
		}
		fz_desc(&d[i], 8, i % 8, wf, &writing);
		if (d[i].flags & IND && wf)
			d[i].flags = 0; /* no nesting in the well-formed ones */
	}
	for (i = 0; i < num; i++)
		avail()->ring[i] = below(8) ? below(num) : rnd();
	avail()->idx = below(8) ? below(num + 1) : rnd();
	avail()->flags = rnd();
}

static bool iov_in_ram(const struct iovec *v)
{
	uintptr_t base = (uintptr_t)ram, p = (uintptr_t)v->iov_base;

	return v->iov_len > 0 && v->iov_len <= RAM_SIZE && p >= base &&
	       p - base <= RAM_SIZE - v->iov_len;
}

/* Everything pop returned lies in RAM and adds up. */
static bool elem_sane(void)
{
	uint64_t out = 0, in = 0;
	volatile uint8_t touch;
	unsigned i, n = el.n_out + el.n_in;

	if (el.head >= q.num || n == 0 || n > q.num)
		return false;
	for (i = 0; i < n; i++) {
		if (!iov_in_ram(&el.iov[i]))
			return false;
		touch = ((uint8_t *)el.iov[i].iov_base)[el.iov[i].iov_len - 1];
		(void)touch;
		*(i < el.n_out ? &out : &in) += el.iov[i].iov_len;
	}
	return out == el.out_len && in == el.in_len;
}

struct fz_stats {
	unsigned rings, no_enable, got, broken, empty, bad;
};

static void fz_one(uint8_t *snap, struct fz_stats *st)
{
	uint16_t heads[VIRTQ_MAX_SIZE + 2];
	unsigned num = 1u << below(9), n = 0, i;
	int rc = VIRTQ_EMPTY;

	memset(&q, 0, sizeof(q));
	q.mem = &mem;
	q.num = num;
	q.indirect = below(2);
	q.event_idx = below(2);
	q.desc_gpa = GPA(DESC_OFF);
	q.avail_gpa = GPA(AVAIL_OFF);
	q.used_gpa = GPA(USED_OFF);
	if (below(32) == 0)
		*(below(2) ? &q.avail_gpa : &q.used_gpa) = fz_addr();
	fz_ring(num, below(2));
	if (virtq_enable(&q)) {
		st->no_enable++;
		st->bad += q.ready || virtq_pop(&q, &el) != VIRTQ_EMPTY;
		return;
	}
	memcpy(snap, ram, RAM_SIZE);
	while (n < num + 2 && (rc = virtq_pop(&q, &el)) == VIRTQ_GOT) {
		st->got++;
		st->bad += !elem_sane();
		heads[n++] = el.head;
	}
	st->empty += rc == VIRTQ_EMPTY;
	if (rc == VIRTQ_BROKEN) {
		st->broken++;
		st->bad += !q.error || virtq_pop(&q, &el) != VIRTQ_BROKEN ||
			   virtq_has_work(&q);
	}
	/* pop writes nothing but avail_event */
	if (q.event_idx) {
		i = (uint8_t *)avail_event_ptr(&q) - ram;
		memcpy(snap + i, ram + i, 2);
	}
	st->bad += memcmp(snap, ram, RAM_SIZE) != 0;
	/* The device counts from 0 whatever the guest left in used->idx. */
	for (i = 0; i < n; i++)
		virtq_push(&q, heads[i], below(4096));
	st->bad +=
	    !q.broken && (q.used_idx != n || (n && q_used(&q)->idx != n));
	(void)virtq_should_notify(&q);
	virtq_set_notify(&q, below(2));
}

static void test_fuzz_rings(void)
{
	struct fz_stats st = {0};
	uint8_t *snap = malloc(RAM_SIZE);

	ram_new();
	for (st.rings = 0; st.rings < 20000; st.rings++) {
		memset(ram, 0, RAM_SIZE);
		fz_one(snap, &st);
	}
	free(snap);
	if (getenv("TEST_VERBOSE"))
		printf(
		    "  fuzz: %u rings, %u not enabled, %u chains, %u broken, "
		    "%u ran dry\n",
		    st.rings, st.no_enable, st.got, st.broken, st.empty);
	CHECK_EQ(st.bad, 0);
	/* The generator must reach every outcome, or it tests nothing. */
	CHECK(st.got > 5000);
	CHECK(st.broken > 5000);
	CHECK(st.empty > 1000);
	CHECK(st.no_enable > 100);
}

int main(void)
{
	RUN(test_malformed_corpus);
	RUN(test_plain_chain);
	RUN(test_indirect_chain);
	RUN(test_mixed_chain);
	RUN(test_index_wraparound);
	RUN(test_event_idx_notify);
	RUN(test_no_interrupt_flag);
	RUN(test_set_notify);
	RUN(test_reset_and_reenable);
	RUN(test_iov_copy);
	RUN(test_fuzz_rings);
	free(ram);
	TEST_DONE();
}
