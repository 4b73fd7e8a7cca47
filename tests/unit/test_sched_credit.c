/*
 * Host test of the credit scheduler (kernel/core/sched_credit.c) through the
 * scheduler core (sched.c): an event simulator runs harts and vCPUs in
 * simulated time. A hart decides (balance, migrate_out, choose, as
 * schedule() does) when its armed timer fires, when another hart kicks it
 * (pcpu_ipi) and when its vCPU blocks; a CPU-bound vCPU never blocks, an
 * I/O-bound one runs a burst, blocks, and is woken by a "device" (vcpu_kick
 * from no hart). CPU time is what the simulated harts gave each vCPU.
 *
 * Checked: weights give shares 1:2 on one hart; three equal vCPUs on two
 * harts share equally (balancing); a cap of 50 gives half a hart and the
 * hart idles the rest; hard affinity is never broken; a lone vCPU arms no
 * timer; an idle hart steals; a woken I/O vCPU is served within the rate
 * limit while a hog holds its hart.
 */
#include "test.h"

#include <arch/arch.h>
#include "cpupool.h"
#include "domain.h"
#include "pcpu.h"
#include "sched.h"

/* ------------------------------------------------------------ host stubs */
struct pcpu pcpus[MAX_PCPUS];
struct pcpu *boot_pcpu = &pcpus[0];
unsigned nr_pcpus = 2;
uint32_t domains_dying;
static uint64_t now;
static unsigned self_id;
#define NOBODY (MAX_PCPUS - 1) /* the "device": no hart of the simulation */

static struct pcpu *test_this_pcpu(void)
{
	return &pcpus[self_id];
}
static unsigned long test_time_now(void)
{
	return now;
}
#define this_pcpu() test_this_pcpu()
#define time_now() test_time_now()

static bool kicked[MAX_PCPUS];
static uint64_t timer[MAX_PCPUS];
void pcpu_ipi(struct pcpu *p, uint32_t reason)
{
	kicked[p - pcpus] = true;
}
static void put_synced(struct pcpu *p);
void pcpu_ipi_wait(struct pcpu *p, uint32_t reason)
{
	unsigned saved = self_id;

	self_id = (unsigned)(p - pcpus);
	put_synced(p);
	self_id = saved;
}
void arch_handle_host_irqs(void) {}
void arch_idle(void) {}
void arch_timer_arm(uint64_t when)
{
	timer[self_id] = when;
}
bool vcpu_arch_irq_pending(struct vcpu *v) { return false; }
void vcpu_arch_load(struct vcpu *v) {}
void vcpu_arch_put(struct vcpu *v) {}
void vcpu_arch_prepare_entry(struct vcpu *v) {}
void vcpu_arch_reset(struct vcpu *v, unsigned long pc, unsigned long a0,
		     unsigned long a1) {}
/* What the last entry of each vCPU set for its WFI (index in vc[]). */
static int wfi_traps[6];
static struct vcpu vc[6];
void vcpu_arch_trap_wfi(struct vcpu *v, bool trap)
{
	wfi_traps[v - vc] = trap;
}
uint64_t vcpu_arch_wakeup(struct vcpu *v) { return ~0UL; }
void vcpu_arch_enter(struct vcpu *v) { abort(); }
void vcpu_steal_mark(struct vcpu *v, uint64_t t) {}
void vcpu_steal_account(struct vcpu *v, uint64_t t) {}
/* Pool-0 alone, as at boot (cpupool.c is tested in test_domain_life). */
struct cpupool cpupools[VIREO_CPUPOOL_MAX];
volatile uint32_t cpupool_epoch;
#include "../../kernel/core/vcpu.c"
#include "../../kernel/core/sched.c"
#include "../../kernel/core/sched_credit.c"

/* ------------------------------------------------------------- simulator */
#define MS ((uint64_t)timebase_hz / 1000)
#define NV 6

static struct domain dom[NV];
static struct vcpu vc[NV];
static struct {
	uint64_t burst, sleep; /* I/O-bound: run burst, block sleep; 0: hog */
	uint64_t left, wake_at; /* burst left; blocked until */
	uint64_t cpu;           /* time it ran */
	uint64_t woke, waited, max_wait; /* wake-to-run latency */
	uint64_t harts_run;     /* bit h: ran on hart h */
} sim[NV];
static struct vcpu *running[MAX_PCPUS];
static uint64_t since[MAX_PCPUS];
static unsigned nv, timer_sets_lone;

static void setup(unsigned n, unsigned harts)
{
	memset(pcpus, 0, sizeof(pcpus));
	memset(dom, 0, sizeof(dom));
	memset(vc, 0, sizeof(vc));
	memset(sim, 0, sizeof(sim));
	memset(running, 0, sizeof(running));
	memset(kicked, 0, sizeof(kicked));
	nr_pcpus = harts;
	memset(cpupools, 0, sizeof(cpupools));
	*pool0 = (struct cpupool){.used = true, .ops = &sched_credit,
				  .harts = (1ULL << harts) - 1,
				  .credit = {30000, 1000, 10000}};
	for (unsigned i = 0; i < MAX_PCPUS; i++) {
		pcpus[i].id = i;
		pcpus[i].pool = pool0;
		pcpus[i].online = i < harts;
		pcpus[i].absent = i >= harts;
		timer[i] = ~0UL;
		sched_init_pcpu(&pcpus[i]);
	}
	now = 1000;
	nv = n;
	for (unsigned i = 0; i < n; i++) {
		dom[i].id = i + 1;
		dom[i].nr_vcpus = 1;
		dom[i].vcpus[0] = &vc[i];
		dom[i].sched_weight = VIREO_SCHED_WEIGHT_DEFAULT;
		dom[i].pool = pool0;
		vc[i].dom = &dom[i];
		vc[i].state = VCPU_RUNNABLE;
		vc[i].hard_aff = vc[i].soft_aff = ~0ULL;
	}
}

static void place(unsigned i, unsigned hart)
{
	self_id = NOBODY;
	sched_add(&pcpus[hart], &vc[i]);
	kicked[hart] = true;
}

/* Hart h passes through schedule() at now. */
static void decide(unsigned h)
{
	struct pcpu *p = &pcpus[h];
	struct vcpu *v, *prev = running[h];

	self_id = h;
	kicked[h] = false;
	if (prev)
		sim[prev - vc].cpu += now - since[h];
	credit_balance(p, now);
	migrate_out(p);
	put_synced(p);
	v = choose(p, now);
	running[h] = v;
	since[h] = now;
	if (!v)
		return;
	sim[v - vc].harts_run |= 1ULL << h;
	if (sim[v - vc].woke) {
		uint64_t w = now - sim[v - vc].woke;
		sim[v - vc].waited += w;
		sim[v - vc].max_wait = MAX(sim[v - vc].max_wait, w);
		sim[v - vc].woke = 0;
	}
	if (!sim[v - vc].left)
		sim[v - vc].left = sim[v - vc].burst;
}

/* The next event, and its hart (NOBODY: a wake-up). */
static uint64_t next_event(unsigned *who, unsigned *wake)
{
	uint64_t t = ~0UL;

	for (unsigned h = 0; h < nr_pcpus; h++) {
		uint64_t e = kicked[h] ? now : timer[h];
		struct vcpu *v = running[h];
		if (v && sim[v - vc].burst)
			e = MIN(e, since[h] + sim[v - vc].left);
		if (e < t) {
			t = e;
			*who = h;
		}
	}
	*wake = NV;
	for (unsigned i = 0; i < nv; i++)
		if (vc[i].state == VCPU_BLOCKED && sim[i].wake_at < t) {
			t = sim[i].wake_at;
			*wake = i;
		}
	return t;
}

static void run_for(uint64_t span)
{
	uint64_t end = now + span;

	for (;;) {
		unsigned h = 0, w;
		uint64_t t = next_event(&h, &w);
		if (t > end)
			break;
		now = MAX(now, t);
		if (w < NV) {
			self_id = NOBODY;
			vcpu_kick(&vc[w]);
			sim[w].woke = now;
			continue;
		}
		struct vcpu *v = running[h];
		if (v && sim[v - vc].burst) {
			uint64_t ran = now - since[h];
			sim[v - vc].left -= MIN(sim[v - vc].left, ran);
			if (!sim[v - vc].left) {
				v->state = VCPU_BLOCKED;
				sim[v - vc].wake_at = now + sim[v - vc].sleep;
			}
		}
		decide(h);
		if (running[h] && timer[h] == ~0UL)
			timer_sets_lone++;
	}
	for (unsigned h = 0; h < nr_pcpus; h++)
		if (running[h]) {
			sim[running[h] - vc].cpu += end - since[h];
			since[h] = end;
		}
	now = end;
}

/* ----------------------------------------------------------------- tests */
static void test_weights_on_one_hart(void)
{
	setup(2, 2);
	dom[1].sched_weight = 512;
	vc[0].hard_aff = vc[1].hard_aff = 1; /* both pinned to hart 0 */
	place(0, 0);
	place(1, 0);
	run_for(10000 * MS);
	double r = (double)sim[1].cpu / (double)sim[0].cpu;
	printf("  weight 512:256 on one hart: %.3f\n", r);
	CHECK(r > 1.9 && r < 2.1);
	CHECK(sim[0].harts_run == 1 && sim[1].harts_run == 1);
	CHECK(sim[0].cpu + sim[1].cpu > 9990 * MS); /* the hart never idled */
}

static void test_equal_share_three_on_two(void)
{
	uint64_t lo = ~0UL, hi = 0;

	setup(3, 2);
	place(0, 0);
	place(1, 0);
	place(2, 1);
	run_for(10000 * MS);
	for (unsigned i = 0; i < 3; i++) {
		lo = MIN(lo, sim[i].cpu);
		hi = MAX(hi, sim[i].cpu);
	}
	printf("  three equal on two harts: max/min %.3f\n",
	       (double)hi / (double)lo);
	CHECK((double)hi / (double)lo <= 1.10);
	CHECK(sim[0].cpu + sim[1].cpu + sim[2].cpu > 19900 * MS);
}

static void test_cap_half(void)
{
	setup(1, 2);
	dom[0].sched_cap = 50;
	vc[0].hard_aff = 1;
	place(0, 0);
	run_for(10000 * MS);
	double f = (double)sim[0].cpu / (double)(10000 * MS);
	printf("  cap 50 alone: %.3f of a hart\n", f);
	CHECK(f > 0.47 && f < 0.53);
}

/* Pinned vCPUs stay put even when another hart idles; the free one goes,
 * though it runs first and the pinned ones wait. */
static void test_hard_affinity_and_steal(void)
{
	setup(3, 2);
	vc[0].hard_aff = vc[1].hard_aff = 1;
	place(2, 0);
	place(0, 0);
	place(1, 0);
	run_for(1000 * MS);
	CHECK_EQ(sim[0].harts_run, 1);
	CHECK_EQ(sim[1].harts_run, 1);
	CHECK(vc[2].pcpu == &pcpus[1]); /* stolen by the idle hart */
	CHECK(sim[2].cpu > 900 * MS);
}

/* A hart whose vCPU blocks takes a vCPU waiting elsewhere at once, not at
 * the next period's push. */
static void test_idle_hart_steals(void)
{
	setup(3, 2);
	sim[2].burst = 5 * MS;
	sim[2].sleep = 10000 * MS;
	place(0, 0);
	place(1, 0);
	place(2, 1);
	run_for(6 * MS);
	CHECK(vc[2].state == VCPU_BLOCKED);
	CHECK(running[1] == &vc[0] || running[1] == &vc[1]);
}

/* A lone CPU-bound vCPU on each hart: no decision ever arms a timer. */
static void test_lone_vcpu_no_tick(void)
{
	setup(2, 2);
	place(0, 0);
	place(1, 1);
	timer_sets_lone = 0;
	run_for(1000 * MS);
	CHECK_EQ(timer[0], ~0UL);
	CHECK_EQ(timer[1], ~0UL);
	CHECK(timer_sets_lone > 0);
	CHECK(sim[0].cpu == 1000 * MS && sim[1].cpu == 1000 * MS);
	/* Yet its WFI traps: its idle time must not count as run time. */
	CHECK(wfi_traps[0] == 1 && wfi_traps[1] == 1);
}

/* An I/O vCPU (0.1 ms of work per 2 ms) beside a hog on one hart: BOOST
 * gets it the hart within the rate limit of each wake-up. */
static void test_boost_under_hog(void)
{
	setup(2, 1);
	sim[1].burst = MS / 10;
	sim[1].sleep = 2 * MS;
	place(0, 0);
	place(1, 0);
	run_for(100 * MS); /* both known to the accounting */
	sim[1].max_wait = 0;
	run_for(5000 * MS);
	printf("  I/O vCPU under a hog: max wait %.3f ms\n",
	       (double)sim[1].max_wait / MS);
	CHECK(sim[1].max_wait <= MS + MS / 100); /* the 1 ms rate limit */
	CHECK(sim[0].cpu > 4500 * MS);
}

/* BOOST: a woken UNDER vCPU beats a richer one that holds the hart. */
static void test_boost_beats_credit(void)
{
	setup(2, 1);
	sim[1].burst = MS / 10;
	sim[1].sleep = 1000 * MS;
	place(0, 0);
	place(1, 0);
	run_for(100 * MS); /* vCPU 1 has run its burst and sleeps */
	CHECK(vc[1].state == VCPU_BLOCKED && running[0] == &vc[0]);
	vc[0].sched.credit.credit = 200 * (int64_t)MS;
	vc[1].sched.credit.credit = 1;
	now += 2 * MS; /* past the rate limit */
	self_id = NOBODY;
	vcpu_kick(&vc[1]);
	CHECK(kicked[0]);
	decide(0);
	CHECK(running[0] == &vc[1]);
	CHECK(vc[1].sched.credit.boosts == 1);
}

/* The pool's parameters: a longer slice still keeps shares. */
static void test_tslice_param(void)
{
	setup(2, 1);
	pool0->credit.tslice_us = 100000;
	dom[0].sched_weight = 100;
	dom[1].sched_weight = 300;
	place(0, 0);
	place(1, 0);
	run_for(20000 * MS);
	double r = (double)sim[1].cpu / (double)sim[0].cpu;
	printf("  weight 300:100, 100 ms slice: %.3f\n", r);
	CHECK(r > 2.8 && r < 3.2);
}

int main(void)
{
	RUN(test_weights_on_one_hart);
	RUN(test_equal_share_three_on_two);
	RUN(test_cap_half);
	RUN(test_hard_affinity_and_steal);
	RUN(test_idle_hart_steals);
	RUN(test_lone_vcpu_no_tick);
	RUN(test_boost_under_hog);
	RUN(test_boost_beats_credit);
	RUN(test_tslice_param);
	TEST_DONE();
}
