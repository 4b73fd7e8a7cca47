/*
 * Host test of the hypercall dispatcher (kernel/core/hypercall.c): who may
 * call what, retired and unknown numbers, and the device-model calls of
 * interface 2.0 decoded before anything acts (check-then-act): a bad
 * buffer or a non-zero output field reaches no ioreq function. The rest of
 * the kernel is stubbed; each stub records that it was called. The
 * scheduling calls (schedctl.c) are tested whole: every bad argument is
 * refused before anything changes.
 */
#include "test.h"

#include <arch/vcpu_arch.h>
#include "cpupool.h"
#include "domain.h"
#include "hypercall.h"
#include "ioreq.h"
#include "pcpu.h"

/* ------------------------------------------------------------ host stubs */
struct pcpu pcpus[MAX_PCPUS];
struct pcpu *boot_pcpu = &pcpus[0];
unsigned nr_pcpus = 1;
uint32_t timebase_hz = 10000000;
uint64_t host_total_pages;
struct domain *domains[MAX_DOMAINS];
struct domain *dom0;
struct page_pool dom_pool, hyp_pool;

static struct pcpu *test_this_pcpu(void)
{
	return &pcpus[0];
}
#define this_pcpu() test_this_pcpu()
/* vcpu-list and getinfo add a running vCPU's current run: a fixed clock. */
static uint64_t test_now = 40000000;
static unsigned long test_time_now(void)
{
	return test_now;
}
#define time_now() test_time_now()

/* Dom0's RAM, for the buffers a call names: 0x80000000 + 64 KiB. */
#define RAM 0x80000000UL
static uint8_t ram[65536];
static unsigned calls; /* every stub that acts counts here */
static struct {
	uint64_t off, port, id, a, b;
	struct vireo_ioreq_latch latch;
} seen;

bool domain_copy_from(struct domain *d, void *dst, gpa_t src, size_t len)
{
	if (src < RAM || src - RAM + len > sizeof(ram))
		return false;
	memcpy(dst, ram + (src - RAM), len);
	return true;
}
bool domain_copy_to(struct domain *d, gpa_t dst, const void *src, size_t len)
{
	if (dst < RAM || dst - RAM + len > sizeof(ram))
		return false;
	memcpy(ram + (dst - RAM), src, len);
	return true;
}

long ioreq_create(struct domain *d, uint64_t off, uint64_t port, uint32_t *id,
		  uint32_t *domu_port)
{
	calls++;
	seen.off = off;
	seen.port = port;
	*id = 2;
	*domu_port = 7;
	return HC_SUCCESS;
}
long ioreq_map_range(struct domain *d, uint64_t id, gpa_t base, uint64_t size,
		     uint64_t notify_off, uint32_t *first)
{
	calls++;
	seen.id = id;
	seen.a = base;
	seen.b = size;
	*first = 5;
	return HC_SUCCESS;
}
long ioreq_unmap_range(struct domain *d, uint64_t id, gpa_t base, uint64_t size)
{
	calls++;
	return HC_SUCCESS;
}
long ioreq_latch(struct domain *d, uint64_t id,
		 const struct vireo_ioreq_latch *l, uint32_t *index)
{
	calls++;
	seen.latch = *l;
	*index = 3;
	return HC_SUCCESS;
}
long ioreq_complete(struct domain *d, uint64_t id, uint64_t vcpus,
		    uint64_t latches)
{
	calls++;
	seen.id = id;
	seen.a = vcpus;
	seen.b = latches;
	return HC_SUCCESS;
}
long ioreq_destroy(struct domain *d, uint64_t id)
{
	calls++;
	seen.id = id;
	return HC_SUCCESS;
}

/* Everything else the dispatcher may reach: any call here is a failure of
 * the cases below, which never name these functions. */
#define STUB(ret, name, ...)                                                   \
	ret name(__VA_ARGS__)                                                  \
	{                                                                      \
		calls += 1000;                                                 \
		return (ret)0;                                                 \
	}
STUB(uint64_t, direct_extents, struct domain *d, gpa_t g, uint64_t s,
     unsigned m, void (*e)(void *, const struct vireo_extent *), void *c)
STUB(long, direct_map, struct domain *d, gpa_t g, uint64_t s)
STUB(bool, domain_console_rx, struct domain *d, uint8_t c)
STUB(long, domain_control, struct domain *d, uint32_t cmd)
STUB(long, domain_pause, struct domain *d)
STUB(long, domain_unpause, struct domain *d)
STUB(void *, domain_ram_page, struct domain *d, gpa_t g, size_t l)
STUB(size_t, domain_ring_read, struct domain *d, char *b, size_t l)
STUB(long, domain_trigger, struct domain *d, unsigned long t)
STUB(long, foreign_map, struct domain *d, gpa_t g, uint64_t s, uint64_t o)
STUB(long, foreign_unmap, uint64_t o, uint64_t s)
STUB(size_t, log_read_at, uint64_t o, char *b, size_t l)
STUB(uint64_t, log_written, void)
STUB(long, memory_populate, struct domain *d, gpa_t g, uint64_t s)
STUB(bool, memory_populated, struct domain *d, gpa_t g, uint64_t s)
STUB(bool, p2m_lookup, const struct p2m *p, gpa_t g, paddr_t *pa,
     unsigned long *prot)
STUB(bool, vcpu_start, struct vcpu *v, unsigned long pc, unsigned long a0,
     unsigned long a1)
struct hc_ret evtchn_hypercall(struct vcpu *v, unsigned long f)
{
	calls += 1000;
	return (struct hc_ret){0, 0};
}
long domain_destroy(struct domain *d, bool *more)
{
	calls += 1000;
	*more = false;
	return HC_ERR_FAILED;
}
long domain_release(struct domain *d, bool *more)
{
	calls += 1000;
	*more = false;
	return HC_ERR_FAILED;
}
long domu_create(uint32_t n, uint64_t b, uint32_t pool, struct domain **o)
{
	calls += 1000;
	*o = NULL;
	return HC_ERR_FAILED;
}
void domain_getinfo(struct domain *d, struct vireo_domain_info *i)
{
	calls += 1000;
}

static unsigned domctl_depth;
void domctl_lock(void)
{
	domctl_depth++;
}
void domctl_unlock(void)
{
	domctl_depth--;
}

struct domain *domain_by_id(unsigned id)
{
	for (unsigned i = 0; i < MAX_DOMAINS; i++)
		if (domains[i] && domains[i]->id == id)
			return domains[i];
	return NULL;
}
static int refs;
struct domain *domain_get(unsigned id)
{
	struct domain *d = domain_by_id(id);

	if (!d || d->dying)
		return NULL;
	refs++;
	return d;
}
void domain_put(struct domain *d)
{
	refs--;
}
struct vcpu *domain_vcpu(struct domain *d, unsigned long i)
{
	return i < d->nr_vcpus ? d->vcpus[i] : NULL;
}

/* What schedctl.c asks of the scheduler and the pools: Pool-0 alone
 * (cpupool.c has its own test in test_domain_life). */
struct cpupool cpupools[VIREO_CPUPOOL_MAX] = {
	{.used = true, .harts = 3, .credit = {30000, 1000, 10000}},
};
#define credit_params (pool0->credit)
struct cpupool *cpupool_by_id(uint32_t id)
{
	return id < VIREO_CPUPOOL_MAX && cpupools[id].used ? &cpupools[id] : NULL;
}
uint64_t cpupool_usable(const struct cpupool *c)
{
	return c->harts & ((1ULL << nr_pcpus) - 1);
}
bool cpupool_room(const struct cpupool *c, unsigned nr)
{
	return true;
}
struct hc_ret cpupool_hypercall(struct vcpu *v)
{
	calls++;
	return (struct hc_ret){0, 0};
}
static struct {
	struct vcpu *v;
	uint64_t hard, soft;
} pinned;
uint64_t sched_usable_harts(void)
{
	return (1ULL << nr_pcpus) - 1;
}
int sched_set_affinity(struct vcpu *v, uint64_t hard, uint64_t soft)
{
	calls++;
	pinned.v = v;
	pinned.hard = hard;
	pinned.soft = soft;
	return 0;
}

#include "../../kernel/core/hypercall.c"
#include "../../kernel/core/schedctl.c"

/* ---------------------------------------------------------------- set-up */
static struct domain D0, U;
static struct vcpu V0, VU;

static void setup(void)
{
	memset(&D0, 0, sizeof(D0));
	memset(&U, 0, sizeof(U));
	memset(ram, 0, sizeof(ram));
	memset(&seen, 0, sizeof(seen));
	memset(domains, 0, sizeof(domains));
	memset(pcpus, 0, sizeof(pcpus));
	D0.is_dom0 = true;
	V0.dom = &D0;
	U.id = 4;
	U.nr_vcpus = 1;
	U.vcpus[0] = &VU;
	VU.dom = &U;
	D0.pool = U.pool = pool0;
	domains[0] = dom0 = &D0;
	domains[1] = &U;
	calls = 0;
}

/* A hypercall from v with arguments a0..a5. */
static struct hc_ret call(struct vcpu *v, unsigned long fid, uint64_t a0,
			  uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	v->regs.x[10] = a0;
	v->regs.x[11] = a1;
	v->regs.x[12] = a2;
	v->regs.x[13] = a3;
	v->regs.x[14] = a4;
	return hypercall(v, fid);
}

/* ----------------------------------------------------------------- cases */

/* Retired and unknown numbers are not supported; a DomU gets DENIED for
 * Dom0's calls; nothing acts. */
static void test_numbers(void)
{
	static const unsigned long retired[] = {15, 24, 25, 26, 27, 28};

	setup();
	for (unsigned i = 0; i < ARRAY_SIZE(retired); i++)
		CHECK_EQ(call(&V0, retired[i], 4, 0, 0, 0, 0).error,
			 HC_ERR_NOT_SUPPORTED);
	CHECK_EQ(call(&V0, VIREO_HC_MAX + 1, 4, 0, 0, 0, 0).error,
		 HC_ERR_NOT_SUPPORTED);
	CHECK_EQ(call(&V0, ~0UL, 4, 0, 0, 0, 0).error, HC_ERR_NOT_SUPPORTED);
	for (unsigned long f = VIREO_HC_IOREQ_CREATE;
	     f <= VIREO_HC_IOREQ_DESTROY; f++)
		CHECK_EQ(call(&VU, f, 4, 0, 0, 0, 0).error, HC_ERR_DENIED);
	CHECK_EQ(call(&V0, VIREO_HC_VERSION, 0, 0, 0, 0, 0).value,
		 VIREO_INTERFACE_VERSION);
	CHECK_EQ(calls, 0);
	CHECK(domctl_depth == 0 && refs == 0);
}

/* IOREQ_CREATE copies its struct in, checks it, acts, copies it out. */
static void test_ioreq_create(void)
{
	struct vireo_ioreq_server s = {.page_off = 0x5000, .dom0_port = 9};
	const gpa_t at = RAM + 0x100;

	setup();
	memcpy(ram + 0x100, &s, sizeof(s));
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_CREATE, 4, at, 0, 0, 0).error,
		 HC_SUCCESS);
	CHECK(calls == 1 && seen.off == 0x5000 && seen.port == 9);
	memcpy(&s, ram + 0x100, sizeof(s));
	CHECK(s.id == 2 && s.domu_port == 7);
	/* Output fields and padding must come in zero. */
	s = (struct vireo_ioreq_server){.page_off = 0x5000, .id = 1};
	memcpy(ram + 0x100, &s, sizeof(s));
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_CREATE, 4, at, 0, 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	s = (struct vireo_ioreq_server){._pad = 1};
	memcpy(ram + 0x100, &s, sizeof(s));
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_CREATE, 4, at, 0, 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	/* Not Dom0's RAM, or across a page: nothing is created. */
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_CREATE, 4, 0x1000, 0, 0, 0).error,
		 HC_ERR_INVALID_ADDRESS);
	CHECK_EQ(
	    call(&V0, VIREO_HC_IOREQ_CREATE, 4, RAM + 4096 - 8, 0, 0, 0).error,
	    HC_ERR_INVALID_ADDRESS);
	CHECK_EQ(calls, 1);
	/* No such domain, Dom0 itself, or a dying one. */
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_CREATE, 5, at, 0, 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_CREATE, 0, at, 0, 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	U.dying = true;
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_MAP_RANGE, 4, 0, 0, 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	CHECK_EQ(calls, 1);
	CHECK(domctl_depth == 0 && refs == 0);
}

/* The other device-model calls pass their arguments through; LATCH's
 * struct comes from a buffer; COMPLETE runs on the data path (a
 * reference, no domctl lock). */
static void test_ioreq_calls(void)
{
	struct vireo_ioreq_latch l = {
	    .read_addr = 0x10001060, .width = 4, .line = 11};
	struct hc_ret r;

	setup();
	r = call(&V0, VIREO_HC_IOREQ_MAP_RANGE, 4, 1, 0x10001000, 0x2000, 0x50);
	CHECK(r.error == HC_SUCCESS && r.value == 5);
	CHECK(seen.id == 1 && seen.a == 0x10001000 && seen.b == 0x2000);
	memcpy(ram + 0x200, &l, sizeof(l));
	r = call(&V0, VIREO_HC_IOREQ_LATCH, 4, 1, RAM + 0x200, 0, 0);
	CHECK(r.error == HC_SUCCESS && r.value == 3);
	CHECK(seen.latch.read_addr == 0x10001060 && seen.latch.line == 11);
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_LATCH, 4, 1, 0x10, 0, 0).error,
		 HC_ERR_INVALID_ADDRESS);
	r = call(&V0, VIREO_HC_IOREQ_COMPLETE, 4, 1, 0x1, 0x4, 0);
	CHECK(r.error == HC_SUCCESS && seen.a == 1 && seen.b == 4);
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_UNMAP_RANGE, 4, 1, 0, 0, 0).error,
		 HC_SUCCESS);
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_DESTROY, 4, 1, 0, 0, 0).error,
		 HC_SUCCESS);
	CHECK_EQ(calls, 5);
	CHECK_EQ(pcpus[0].stats.hcall[VIREO_HC_IOREQ_COMPLETE], 1);
	/* COMPLETE on a dying domain: no reference to be had. */
	U.dying = true;
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_COMPLETE, 4, 1, 1, 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	CHECK_EQ(calls, 5);
	CHECK(domctl_depth == 0 && refs == 0);
}

/* VCPU_INFO: Dom0 and DomUs alike; the buffer and count checked. */
static void test_vcpu_info(void)
{
	struct vireo_vcpu_info vi[2];

	setup();
	nr_pcpus = 2;
	D0.nr_vcpus = 1;
	D0.vcpus[0] = &V0;
	V0.pcpu = &pcpus[1];
	pcpus[1].id = 1;
	V0.state = VCPU_BLOCKED;
	V0.cpu_ticks = 25000000; /* 2.5 s at 10 MHz */
	V0.hard_aff = ~0ULL;
	V0.soft_aff = 1;
	struct hc_ret r = call(&V0, VIREO_HC_VCPU_INFO, 0, RAM, 2, 0, 0);
	CHECK(r.error == HC_SUCCESS && r.value == 1);
	memcpy(vi, ram, sizeof(vi));
	CHECK(vi[0].vcpu == 0 && vi[0].hart == 1);
	CHECK_EQ(vi[0].state, VIREO_VCPUSTATE_ONLINE | VIREO_VCPUSTATE_BLOCKED);
	CHECK_EQ(vi[0].cpu_time_ns, 2500000000ULL);
	CHECK(vi[0].hard_affinity == 3 && vi[0].soft_affinity == 1);
	/* In the guest since 1 s before now: that run counts already. */
	V0.in_guest = true;
	V0.run_start = test_now - 10000000;
	call(&V0, VIREO_HC_VCPU_INFO, 0, RAM, 2, 0, 0);
	memcpy(vi, ram, sizeof(vi));
	CHECK_EQ(vi[0].cpu_time_ns, 3500000000ULL);
	V0.in_guest = false;
	VU.pcpu = NULL; /* a stopped vCPU of a DomU */
	r = call(&V0, VIREO_HC_VCPU_INFO, 4, RAM, 1, 0, 0);
	memcpy(vi, ram, sizeof(vi));
	CHECK(r.error == HC_SUCCESS && r.value == 1 &&
	      vi[0].hart == VIREO_HART_NONE && vi[0].state == 0);
	CHECK_EQ(call(&V0, VIREO_HC_VCPU_INFO, 4, RAM, 0, 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	CHECK_EQ(call(&V0, VIREO_HC_VCPU_INFO, 9, RAM, 1, 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	CHECK_EQ(call(&V0, VIREO_HC_VCPU_INFO, 4, RAM - 8, 1, 0, 0).error,
		 HC_ERR_INVALID_ADDRESS);
	U.dying = true;
	CHECK_EQ(call(&V0, VIREO_HC_VCPU_INFO, 4, RAM, 1, 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	for (unsigned long f = VIREO_HC_VCPU_INFO; f <= VIREO_HC_CPUPOOL_OP; f++)
		CHECK_EQ(call(&VU, f, 4, RAM, 1, 1, 1).error, HC_ERR_DENIED);
	CHECK(domctl_depth == 0 && refs == 0 && calls == 0);
	/* CPUPOOL_OP reaches cpupool.c, under the domctl lock. */
	CHECK_EQ(call(&V0, VIREO_HC_CPUPOOL_OP, 0, RAM, 0, 0, 0).error, 0);
	CHECK(calls == 1 && domctl_depth == 0);
	calls = 0;
	nr_pcpus = 1;
}

/* VCPU_AFFINITY: only the masks named are checked and set. */
static void test_vcpu_affinity(void)
{
	static const uint64_t bad[][4] = {
		/* vcpu, hard, soft, which */
		{1, 1, 1, VIREO_AFFINITY_HARD},   /* no vCPU 1 */
		{0, 1, 1, 0},                     /* nothing to set */
		{0, 1, 1, 4},                     /* unknown bit */
		{0, 0, 1, VIREO_AFFINITY_HARD},   /* empty */
		{0, 4, 1, VIREO_AFFINITY_HARD},   /* only hart 2, which does not exist */
		{0, 5, 1, VIREO_AFFINITY_HARD},   /* hart 2 too */
		{0, 1, 0, VIREO_AFFINITY_SOFT},
		{0, 1, 7, VIREO_AFFINITY_HARD | VIREO_AFFINITY_SOFT},
	};

	setup();
	nr_pcpus = 2;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_EQ(call(&V0, VIREO_HC_VCPU_AFFINITY, 4, bad[i][0],
			      bad[i][1], bad[i][2], bad[i][3]).error,
			 HC_ERR_INVALID_PARAM);
	CHECK_EQ(calls, 0);
	CHECK_EQ(call(&V0, VIREO_HC_VCPU_AFFINITY, 4, 0, 2, 0,
		      VIREO_AFFINITY_HARD).error, HC_SUCCESS);
	CHECK(pinned.v == &VU && pinned.hard == 2 && pinned.soft == 0);
	CHECK_EQ(call(&V0, VIREO_HC_VCPU_AFFINITY, 4, 0, 0, 3,
		      VIREO_AFFINITY_SOFT).error, HC_SUCCESS);
	CHECK(pinned.hard == 0 && pinned.soft == 3);
	CHECK(domctl_depth == 0 && refs == 0 && calls == 2);
	nr_pcpus = 1;
}

/* SCHED_CREDIT and its pool parameters: ranges, flags, then the change. */
static void test_sched_credit(void)
{
	struct vireo_sched_credit sc = {512, 150}, got;
	struct vireo_sched_credit_params sp;

	setup();
	U.sched_weight = 256;
	memcpy(ram, &sc, sizeof(sc));
	/* One vCPU: a cap of 150 % is out of range, and nothing changes. */
	CHECK_EQ(call(&V0, VIREO_HC_SCHED_CREDIT, 4, RAM, 3, 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	CHECK(U.sched_weight == 256 && U.sched_cap == 0);
	CHECK_EQ(call(&V0, VIREO_HC_SCHED_CREDIT, 4, RAM, 8, 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	sc = (struct vireo_sched_credit){0, 50};
	memcpy(ram, &sc, sizeof(sc));
	CHECK_EQ(call(&V0, VIREO_HC_SCHED_CREDIT, 4, RAM, 3, 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	/* Only the cap named: the weight of 0 in the struct is ignored. */
	CHECK_EQ(call(&V0, VIREO_HC_SCHED_CREDIT, 4, RAM,
		      VIREO_SCHED_SET_CAP, 0, 0).error, HC_SUCCESS);
	memcpy(&got, ram, sizeof(got));
	CHECK(U.sched_weight == 256 && U.sched_cap == 50);
	CHECK(got.weight == 256 && got.cap == 50);
	/* Dom0 too; reading copies nothing in. */
	D0.sched_weight = 700;
	memset(ram, 0xff, sizeof(got));
	CHECK_EQ(call(&V0, VIREO_HC_SCHED_CREDIT, 0, RAM, 0, 0, 0).error,
		 HC_SUCCESS);
	memcpy(&got, ram, sizeof(got));
	CHECK(got.weight == 700 && got.cap == 0);

	static const uint32_t bad[][3] = {
		{999, 0, 0}, {1000001, 0, 0}, {30000, 50, 0},
		{30000, 500001, 0}, {30000, 40000, 0}, {30000, 1000, 1},
	};
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		sp = (struct vireo_sched_credit_params){bad[i][0], bad[i][1], 0,
							bad[i][2]};
		memcpy(ram, &sp, sizeof(sp));
		CHECK_EQ(call(&V0, VIREO_HC_SCHED_CREDIT_PARAMS, 0, RAM,
			      VIREO_SCHED_SET_PARAMS, 0, 0).error,
			 HC_ERR_INVALID_PARAM);
	}
	CHECK(credit_params.tslice_us == 30000 && credit_params.ratelimit_us == 1000);
	CHECK_EQ(call(&V0, VIREO_HC_SCHED_CREDIT_PARAMS, 1, RAM, 0, 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	sp = (struct vireo_sched_credit_params){5000, 0, 1, 0};
	memcpy(ram, &sp, sizeof(sp));
	CHECK_EQ(call(&V0, VIREO_HC_SCHED_CREDIT_PARAMS, 0, RAM,
		      VIREO_SCHED_SET_PARAMS, 0, 0).error, HC_SUCCESS);
	memcpy(&sp, ram, sizeof(sp));
	CHECK(sp.tslice_us == 5000 && sp.ratelimit_us == 0 && sp.tick_us == 10000);
	CHECK(credit_params.tslice_us == 5000 && credit_params.ratelimit_us == 0);
	credit_params = (struct sched_credit_params){30000, 1000, 10000};
	CHECK(domctl_depth == 0 && refs == 0 && calls == 0);
}

int main(void)
{
	RUN(test_numbers);
	RUN(test_ioreq_create);
	RUN(test_ioreq_calls);
	RUN(test_vcpu_info);
	RUN(test_vcpu_affinity);
	RUN(test_sched_credit);
	TEST_DONE();
}
