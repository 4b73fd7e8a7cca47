/*
 * Host test of domain lifetime (kernel/core/domain.c, domctl.c, sched.c,
 * hypercall.c) and of cpupools (cpupool.c, sched_null.c): references, the
 * two-phase destroy, pools' rules (a null pool's harts are not shared, a
 * hart leaves a pool only if its vCPUs have somewhere to go), and the
 * reaping rule
 * behind the use-after-free the review found (a DomU vCPU spinning in a
 * hypercall unlinked itself, and destroy freed it under its hart).
 *
 * Other harts are simulated in the stubs: pcpu_ipi_wait() on a hart runs
 * what that hart would do when interrupted, and arch_handle_host_irqs() —
 * which every wait loop of the destroyer calls — runs a scripted step, so
 * the test can check what destroy has or has not done while it waits.
 */
#include "test.h"

#include "domain.h"
#include "domctl.h"
#include "memory.h"
#include "page_alloc.h"
#include "pcpu.h"
#include "sched.h"

/* ------------------------------------------------------------ host stubs */
struct pcpu pcpus[MAX_PCPUS];
struct pcpu *boot_pcpu = &pcpus[0];
unsigned nr_pcpus = 2;
struct domain *dom0;
struct page_pool dom_pool, hyp_pool;
uint64_t host_total_pages;
static struct pcpu *cur;

static struct pcpu *test_this_pcpu(void)
{
	return cur;
}
static unsigned long clock_now;
static unsigned long test_time_now(void)
{
	return clock_now;
}
static void test_hfence(void)
{
}
#define this_pcpu() test_this_pcpu()
#define time_now() test_time_now()
#define hfence_gvma_all() test_hfence()

/* What the destroyer's wait loops see: one scripted step per call. */
static void (*on_wait)(void);
static unsigned waits;

void arch_handle_host_irqs(void)
{
	waits++;
	if (on_wait)
		on_wait();
}

/* Another hart, interrupted: by default it reaps between traps. */
static bool hart1_in_trap;
void pcpu_ipi_wait(struct pcpu *p, uint32_t reason)
{
	if (reason == IPI_KICK)
		sched_reap(p, !(p == &pcpus[1] && hart1_in_trap));
	arch_handle_host_irqs();
}

void pcpu_ipi(struct pcpu *p, uint32_t reason)
{
}

#include "stubs_domain_life.h"

#include "../../kernel/core/page_alloc.c"
#include "../../kernel/arch/riscv/p2m.c"
#include "../../kernel/core/memory.c"
#include "../../kernel/arch/riscv/p2m_fence.c"
#include "../../kernel/core/evtchn.c"
#include "../../kernel/core/evtchn_glue.c"
#include "../../kernel/core/vmid.c"
#include "../../kernel/core/domain.c"
#include "../../kernel/core/domctl.c"
/* Steal time (sbi_sta.c) has its own test in test_sbi. */
void vcpu_steal_mark(struct vcpu *v, uint64_t now) {}
void vcpu_steal_account(struct vcpu *v, uint64_t now) {}
#include "../../kernel/core/sched.c"
#include "../../kernel/core/sched_credit.c"
#include "../../kernel/core/sched_null.c"
bool hc_copy_in(void *dst, gpa_t gpa, size_t len) { return false; }
bool hc_copy_out(gpa_t gpa, const void *src, size_t len) { return false; }
#include "../../kernel/core/cpupool.c"

/* ---------------------------------------------------------------- set-up */
#define POOL_PAGES 32768 /* 128 MiB */
static uint64_t hyp_bits[(4096 + 63) / 64], dom_bits[POOL_PAGES / 64];
static void *hyp_mem, *dom_mem;

static void setup(void)
{
	hyp_mem = aligned_alloc(PAGE_SIZE, 4096 * PAGE_SIZE);
	dom_mem = aligned_alloc(MEGAPAGE_SIZE, (size_t)POOL_PAGES * PAGE_SIZE);
	page_pool_init(&hyp_pool, (paddr_t)hyp_mem, 4096, hyp_bits);
	page_pool_init(&dom_pool, (paddr_t)dom_mem, POOL_PAGES, dom_bits);
	for (unsigned i = 0; i < nr_pcpus; i++) {
		pcpus[i].id = i;
		pcpus[i].online = true;
		pcpus[i].rq_lock = (spinlock_t)SPINLOCK_INIT;
	}
	cur = &pcpus[0];
	cpupool_init(nr_pcpus);
	vmid_init();
	dom0 = domain_alloc(0, "Domain-0", 1);
	dom0->is_dom0 = true;
	CHECK(dom0 && !domain_evtchn_init(dom0, 1));
}

/* A DomU of mib MiB, populated, with its vCPUs on both harts. */
static struct domain *make_domu(unsigned vcpus, uint64_t mib)
{
	struct domain *d = NULL;

	CHECK_EQ(domu_create(vcpus, mib << 20, 0, &d), HC_SUCCESS);
	CHECK_EQ(memory_populate(d, d->ram_base, mib << 20), HC_SUCCESS);
	return d;
}

static void destroy_all(struct domain *d)
{
	bool more;
	do
		CHECK_EQ(domain_destroy(d, &more), HC_SUCCESS);
	while (more);
}

/* ------------------------------------------------------------------ cases */
static void test_refs(void)
{
	struct domain *d = make_domu(1, 4), *r;
	unsigned id = d->id;
	uint64_t free0;

	r = domain_get(id);
	CHECK(r == d);
	CHECK_EQ(domain_extra_refs(d), 1);
	domain_put(r);
	CHECK_EQ(domain_extra_refs(d), 0);
	CHECK(domain_get(12345) == NULL);
	domain_mark_dying(d);
	CHECK(domain_get(id) == NULL); /* dying: no new references */
	CHECK(domain_by_id(id) == d);  /* but destroy can still find it */
	free0 = dom_pool.nfree;
	destroy_all(d);
	CHECK(domain_by_id(id) == NULL);
	CHECK_EQ(dom_pool.nfree, free0 + (4 << 20) / PAGE_SIZE);
}

/* The destroyer must not tear d down while someone holds a reference. */
static struct domain *held;
static unsigned release_after;
static bool torn_while_held;

static void release_ref_later(void)
{
	if (!held)
		return;
	if (held->torn_down || !held->evtchn)
		torn_while_held = true;
	if (waits >= release_after) {
		domain_put(held);
		held = NULL;
	}
}

static void test_destroy_waits_for_refs(void)
{
	struct domain *d = make_domu(2, 4);
	bool more;

	held = domain_get(d->id);
	CHECK(held == d);
	waits = 0;
	release_after = 50;
	torn_while_held = false;
	on_wait = release_ref_later;
	CHECK_EQ(domain_destroy(d, &more), HC_SUCCESS);
	on_wait = NULL;
	CHECK(!torn_while_held);
	CHECK(waits >= 50); /* it waited for the holder */
	CHECK(held == NULL);
	while (more)
		CHECK_EQ(domain_destroy(d, &more), HC_SUCCESS);
}

/*
 * The review's use-after-free: d's vCPU on hart 1 is inside a trap
 * (spinning for a lock in a hypercall), so not in_guest. Its hart reaps
 * while it spins, but must not unlink the vCPU it is still running, and
 * destroy must wait until that trap is over.
 */
static struct vcpu *trapped;
static bool reaped_in_trap;

static void finish_trap_later(void)
{
	if (!trapped)
		return;
	if (!READ_ONCE(trapped->pcpu) || trapped->dom->torn_down)
		reaped_in_trap = true;
	if (waits >= 40) {
		hart1_in_trap = false; /* the trap returns into schedule() */
		sched_reap(&pcpus[1], true);
		trapped = NULL;
	}
}

static void test_no_reap_inside_trap(void)
{
	struct domain *d = make_domu(2, 4);
	struct vcpu *v = NULL;
	bool more;

	for (unsigned i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i]->pcpu == &pcpus[1])
			v = d->vcpus[i];
	CHECK(v != NULL);
	if (!v)
		return;
	pcpus[1].current = v;
	pcpus[1].loaded = v;
	v->in_guest = false;
	hart1_in_trap = true;
	trapped = v;
	reaped_in_trap = false;
	waits = 0;
	on_wait = finish_trap_later;

	/* What hart 1 does in domctl_lock()'s loop, and in schedule(). */
	d->dying = true;
	sched_reap(&pcpus[1], false);
	CHECK(v->pcpu == &pcpus[1] && pcpus[1].current == v);
	d->dying = false;

	CHECK_EQ(domain_destroy(d, &more), HC_SUCCESS);
	on_wait = NULL;
	CHECK(!reaped_in_trap);
	CHECK(pcpus[1].current == NULL && pcpus[1].loaded == NULL);
	while (more)
		CHECK_EQ(domain_destroy(d, &more), HC_SUCCESS);
}

/* Phase 2 frees at most a chunk per call, and the count ends exact. */
static void test_destroy_in_chunks(void)
{
	uint64_t free0 = dom_pool.nfree, heap0 = hyp_pool.nfree;
	struct domain *d = make_domu(1, 64);
	unsigned id = d->id, calls = 0;
	bool more;

	do {
		uint64_t before = dom_pool.nfree;
		CHECK_EQ(domain_destroy(d, &more), HC_SUCCESS);
		CHECK(dom_pool.nfree - before <= DESTROY_CHUNK_PAGES);
		calls++;
		if (more) {
			CHECK(d->dying && d->torn_down);
			CHECK(domain_by_id(id) == d); /* listed until gone */
			CHECK(domain_get(id) == NULL);
		}
	} while (more && calls < 100);
	CHECK_EQ(calls, (64u << 20) / PAGE_SIZE / DESTROY_CHUNK_PAGES);
	CHECK(domain_by_id(id) == NULL);
	CHECK_EQ(dom_pool.nfree, free0);
	CHECK_EQ(hyp_pool.nfree, heap0);
}

/* A hart that failed to start gets no vCPU. */
static void test_placement_skips_absent(void)
{
	struct domain d = {.pool = pool0};
	struct vcpu v = {.dom = &d, .hard_aff = ~0ULL, .soft_aff = ~0ULL};

	pcpus[1].absent = true;
	for (unsigned n = 0; n < 8; n++)
		CHECK(sched_credit.pick_cpu(&v, n) == &pcpus[0]);
	pcpus[1].absent = false;
	CHECK(sched_credit.pick_cpu(&v, 0) == &pcpus[0] &&
	      sched_credit.pick_cpu(&v, 1) == &pcpus[1]);
}

/*
 * getinfo: the online vCPUs are those started (xl list's VCPUs), the CPU
 * time includes a run still going on, RUNNING wins over BLOCKED.
 */
static void test_getinfo(void)
{
	struct domain d = {.id = 4, .nr_vcpus = 3, .ram_size = 1 << 20};
	struct vcpu v[3] = {
	    {.dom = &d, .state = VCPU_STOPPED},
	    {.dom = &d, .state = VCPU_RUNNABLE, .in_guest = true,
	     .cpu_ticks = 100, .run_start = 1000},
	    {.dom = &d, .state = VCPU_BLOCKED, .cpu_ticks = 50},
	};
	struct vireo_domain_info info;

	for (unsigned i = 0; i < 3; i++)
		d.vcpus[i] = &v[i];
	clock_now = 1500;
	domain_getinfo(&d, &info);
	CHECK_EQ(info.nr_vcpus, 3);
	CHECK_EQ(info.nr_online_vcpus, 2);
	CHECK_EQ(info.state, VIREO_DOMSTATE_RUNNING);
	CHECK_EQ(info.cpu_time_ns, (100 + 500 + 50) * (1000000000UL / timebase_hz));
	v[1].in_guest = false;
	v[1].state = VCPU_STOPPED;
	domain_getinfo(&d, &info);
	CHECK_EQ(info.nr_online_vcpus, 1);
	CHECK_EQ(info.state, VIREO_DOMSTATE_BLOCKED);
	CHECK_EQ(info.cpu_time_ns, 150 * (1000000000UL / timebase_hz));
	clock_now = 0;
}

/* Byte i of a known stream, into d's console ring. */
static void ring_put(struct domain *d, unsigned i)
{
	char c = (char)('a' + i % 10);

	domain_ring_write_locked(d, &c, 1);
	/* What domain_console_notify() turns into VIREO_VIRQ_CONSOLE. */
	if (d->con_notify) {
		virq_raised++;
		d->con_notify = 0;
	}
}

/*
 * A DomU's console ring (domain.c): Dom0 is told when it turns non-empty,
 * crosses half full and turns nearly full, not per byte; it reads back in
 * order across the wrap; a read lets a guest waiting on THRE go on.
 */
static void test_console_ring(void)
{
	struct domain d = { 0 };
	static char out[CONSOLE_RING_SIZE];
	unsigned i = 0, full = CONSOLE_RING_SIZE - CONSOLE_RING_SLACK + 1;
	size_t n;

	d.con_ring = malloc(CONSOLE_RING_SIZE);
	virq_raised = tx_ready_calls = 0;
	while (i < CONSOLE_RING_SIZE / 2 - 1)
		ring_put(&d, i++);
	CHECK_EQ(virq_raised, 1); /* empty -> non-empty only */
	ring_put(&d, i++);
	CHECK_EQ(virq_raised, 2); /* half full */
	while (i < full - 1)
		ring_put(&d, i++);
	CHECK_EQ(virq_raised, 2);
	CHECK(!domain_ring_full_locked(&d));
	ring_put(&d, i++);
	CHECK(domain_ring_full_locked(&d));
	CHECK_EQ(virq_raised, 3); /* nearly full: the writer now waits */
	CHECK_EQ(domain_ring_read(&d, out, 100), 100);
	CHECK_EQ(tx_ready_calls, 1);
	CHECK(!domain_ring_full_locked(&d));
	for (unsigned k = 0; k < 100; k++) /* wraps */
		ring_put(&d, i++);
	n = domain_ring_read(&d, out, sizeof(out));
	CHECK_EQ(n, full);
	for (unsigned k = 0; k < n; k++)
		CHECK_EQ(out[k], (char)('a' + (k + 100) % 10));
	CHECK_EQ(domain_ring_read(&d, out, sizeof(out)), 0);
	CHECK_EQ(tx_ready_calls, 2);
	free(d.con_ring);
}

/* ---------------------------------------------------------------- pools */
static struct hc_ret op(unsigned long o, uint32_t id, const char *name,
			uint32_t sched, unsigned long arg)
{
	struct vireo_cpupool cp = {.id = id, .sched = sched};

	strncpy(cp.name, name, sizeof(cp.name) - 1);
	return pool_op(o, &cp, arg);
}

/* What hart h does between traps: send away, hand over. */
static void hart_pass(unsigned h)
{
	struct pcpu *saved = cur;

	cur = &pcpus[h];
	evacuate(cur);
	migrate_out(cur);
	cur = saved;
}

/* A null pool on hart 1: one DomU fits, a second is refused, the hart
 * cannot leave while the DomU needs it; back to Pool-0 at the end. */
static void test_null_pool(void)
{
	struct domain *d, *e = NULL;
	uint64_t free0 = dom_pool.nfree;

	CHECK_EQ(op(VIREO_CPUPOOL_CREATE, 0, "rt", VIREO_SCHED_NULL, 0).error, 0);
	CHECK(cpupools[1].used && cpupools[1].ops == &sched_null);
	CHECK_EQ(op(VIREO_CPUPOOL_CREATE, 0, "rt", VIREO_SCHED_NULL, 0).error,
		 HC_ERR_ALREADY_AVAILABLE);
	CHECK_EQ(op(VIREO_CPUPOOL_CREATE, 0, "", VIREO_SCHED_NULL, 0).error,
		 HC_ERR_INVALID_PARAM);
	CHECK_EQ(op(VIREO_CPUPOOL_CREATE, 0, "x", 7, 0).error, HC_ERR_INVALID_PARAM);
	/* A hart is added only once free; the boot hart never leaves Pool-0. */
	CHECK_EQ(op(VIREO_CPUPOOL_CPU_ADD, 1, "", 0, 1).error,
		 HC_ERR_ALREADY_AVAILABLE);
	CHECK_EQ(op(VIREO_CPUPOOL_CPU_REMOVE, 0, "", 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	CHECK_EQ(op(VIREO_CPUPOOL_CPU_REMOVE, 0, "", 0, 1).error, 0);
	hart_pass(1);
	CHECK_EQ(op(VIREO_CPUPOOL_CPU_ADD, 1, "", 0, 1).error, 0);
	CHECK(pcpus[1].pool == &cpupools[1] && cpupools[1].harts == 2);
	/* One vCPU per hart. */
	CHECK_EQ(domu_create(2, 4 << 20, 1, &e), HC_ERR_INVALID_PARAM);
	CHECK(!e && dom_pool.nfree == free0);
	CHECK_EQ(domu_create(1, 4 << 20, 1, &d), HC_SUCCESS);
	CHECK(d->vcpus[0]->pcpu == &pcpus[1] && pcpus[1].sched.null.owner == d->vcpus[0]);
	CHECK_EQ(domu_create(1, 4 << 20, 1, &e), HC_ERR_INVALID_PARAM);
	CHECK(!cpupool_room(&cpupools[1], 1));
	/* Pool-0's DomU cannot move in; the last hart cannot leave. */
	e = make_domu(1, 4);
	struct hc_ret r = op(VIREO_CPUPOOL_MIGRATE, 1, "", 0, e->id);
	CHECK(r.error == HC_ERR_INVALID_PARAM && r.value == VIREO_CPUPOOL_ERR_FULL);
	CHECK(e->pool == pool0);
	CHECK_EQ(op(VIREO_CPUPOOL_CPU_REMOVE, 1, "", 0, 1).error,
		 HC_ERR_INVALID_PARAM);
	CHECK_EQ(op(VIREO_CPUPOOL_DESTROY, 1, "", 0, 0).error, HC_ERR_INVALID_PARAM);
	CHECK_EQ(cpupools[1].nr_domains, 1);
	/* Its DomU gone, the hart is free again for another. */
	destroy_all(d);
	CHECK(pcpus[1].sched.null.owner == NULL);
	CHECK_EQ(op(VIREO_CPUPOOL_MIGRATE, 1, "", 0, e->id).error, 0);
	CHECK(e->pool == &cpupools[1] && e->vcpus[0]->move_to == &pcpus[1]);
	hart_pass(0);
	hart_pass(1);
	CHECK(e->vcpus[0]->pcpu == &pcpus[1] && !e->vcpus[0]->move_to);
	destroy_all(e);
	CHECK_EQ(op(VIREO_CPUPOOL_CPU_REMOVE, 1, "", 0, 1).error, 0);
	CHECK_EQ(op(VIREO_CPUPOOL_DESTROY, 1, "", 0, 0).error, 0);
	CHECK(!cpupools[1].used);
	CHECK_EQ(op(VIREO_CPUPOOL_CPU_ADD, 0, "", 0, 1).error, 0);
	CHECK(pool0->harts == 3 && pool0->nr_domains == 1);
	CHECK_EQ(op(VIREO_CPUPOOL_DESTROY, 0, "", 0, 0).error, HC_ERR_INVALID_PARAM);
	CHECK_EQ(dom_pool.nfree, free0);
}

/* A hart leaving a credit pool sends its vCPUs to the others, unless one
 * of them is pinned there alone. */
static void test_hart_leaves_credit_pool(void)
{
	struct domain *d = make_domu(2, 4);
	struct vcpu *on1 = d->vcpus[0]->pcpu == &pcpus[1] ? d->vcpus[0] : d->vcpus[1];

	CHECK(on1->pcpu == &pcpus[1]);
	on1->hard_aff = 2; /* only hart 1 */
	CHECK_EQ(op(VIREO_CPUPOOL_CPU_REMOVE, 0, "", 0, 1).error,
		 HC_ERR_INVALID_PARAM);
	CHECK(pool0->harts == 3);
	on1->hard_aff = ~0ULL;
	CHECK_EQ(op(VIREO_CPUPOOL_CPU_REMOVE, 0, "", 0, 1).error, 0);
	CHECK(on1->move_to == &pcpus[0]);
	/* Not free while a vCPU is still homed there. */
	CHECK_EQ(op(VIREO_CPUPOOL_CPU_ADD, 0, "", 0, 1).error,
		 HC_ERR_ALREADY_AVAILABLE);
	hart_pass(1);
	CHECK(on1->pcpu == &pcpus[0] && !pcpus[1].rq_head);
	CHECK_EQ(op(VIREO_CPUPOOL_CPU_ADD, 0, "", 0, 1).error, 0);
	destroy_all(d);
}

int main(void)
{
	setup();
	RUN(test_getinfo);
	RUN(test_console_ring);
	RUN(test_refs);
	RUN(test_destroy_waits_for_refs);
	RUN(test_no_reap_inside_trap);
	RUN(test_destroy_in_chunks);
	RUN(test_placement_skips_absent);
	RUN(test_null_pool);
	RUN(test_hart_leaves_credit_pool);
	TEST_DONE();
}
