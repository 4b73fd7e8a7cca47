/*
 * Host test of the hypervisor monitor (kernel/core/monitor.c): commands are
 * typed into monitor_input() a byte at a time and the console output is
 * captured. The domain table is the real one (domains[]); the rest of the
 * kernel the monitor reads is stubbed.
 */
#include "test.h"

#include "pcpu.h"
extern struct pcpu pcpus[MAX_PCPUS];
#define this_pcpu() (&pcpus[0])
#include "../../kernel/core/monitor.c"

/* ------------------------------------------------------------ host stubs */
struct domain *domains[MAX_DOMAINS];
struct page_pool dom_pool;
static char out_buf[8192];
static size_t out_len;
static bool domctl_busy;

void console_write_text(const char *s, size_t n)
{
	CHECK(out_len + n < sizeof(out_buf));
	if (out_len + n >= sizeof(out_buf))
		return;
	memcpy(out_buf + out_len, s, n);
	out_len += n;
	out_buf[out_len] = '\0';
}
void log_dump(void (*sink)(const char *s, size_t n))
{
	sink("log\n", 4);
}
bool domctl_trylock(void)
{
	return !domctl_busy;
}
void domctl_unlock(void) {}
/* 7 breakpoints: 5 from Dom0, 2 from DomUs; 4 evtchn_send hypercalls. */
uint64_t trapstat_total(unsigned slot, int side)
{
	if (slot != 3)
		return 0;
	return side < 0 ? 7 : side == TRAPSTAT_DOM0 ? 5 : 2;
}
const char *trapstat_name(unsigned slot)
{
	return slot == 3 ? "breakpoint" : NULL;
}
uint64_t trapstat_hcalls(unsigned fid)
{
	return fid == VIREO_HC_EVTCHN_SEND ? 4 : 0;
}
const char *trapstat_hcall_name(unsigned fid)
{
	return fid == VIREO_HC_EVTCHN_SEND ? "evtchn_send" : NULL;
}

/* ---------------------------------------------------------------- helpers */
static struct domain D;
static struct vcpu V[4];
static struct pcpu P;

void virqc_dump(struct domain *d, void (*sink)(const char *s))
{
	sink("  (the interrupt controller)\n");
}

/* "move": domains by id, and the pin sched_set_affinity() was asked. */
struct pcpu pcpus[MAX_PCPUS];
struct pcpu *boot_pcpu = &pcpus[0];
unsigned nr_pcpus = 2;
static unsigned refs;
static struct vcpu *moved;
static struct pcpu *moved_to;
static uint64_t pinned_hard, pinned_soft;
static int move_rc;

struct domain *domain_get(unsigned id)
{
	if (id != D.id)
		return NULL;
	refs++;
	return &D;
}

void domain_put(struct domain *d) { refs--; }

struct vcpu *domain_vcpu(struct domain *d, unsigned long i)
{
	return i < d->nr_vcpus ? d->vcpus[i] : NULL;
}

int sched_set_affinity(struct vcpu *v, uint64_t hard, uint64_t soft)
{
	moved = v;
	pinned_hard = hard;
	pinned_soft = soft;
	moved_to = hard == 1 ? &pcpus[0] : hard == 2 ? &pcpus[1] : NULL;
	return move_rc;
}

static void type(const char *s)
{
	out_len = 0;
	out_buf[0] = '\0';
	for (; *s; s++)
		monitor_input((uint8_t)*s);
}

/* ------------------------------------------------------------------ cases */

/* Every vCPU state has its name, wait-io (VCPU_WAIT_IO) included. */
static void test_domains_states(void)
{
	static const struct {
		enum vcpu_state st;
		const char *name;
	} want[] = {
		{VCPU_STOPPED, "vcpu 0 on hart 3: stopped\n"},
		{VCPU_RUNNABLE, "vcpu 1 on hart 3: runnable\n"},
		{VCPU_BLOCKED, "vcpu 2 on hart 3: blocked\n"},
		{VCPU_WAIT_IO, "vcpu 3 on hart 3: wait-io\n"},
	};

	memset(&D, 0, sizeof(D));
	D.id = 5;
	strcpy(D.name, "guest");
	D.ram_size = 64UL << 20;
	D.nr_vcpus = ARRAY_SIZE(want);
	/* CPU numbers, not hart ids: vl and move take the former. */
	P.id = 3;
	P.hartid = 7;
	for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
		V[i].state = want[i].st;
		V[i].pcpu = &P;
		D.vcpus[i] = &V[i];
	}
	domains[2] = &D;
	dom_pool.nfree = 10;
	dom_pool.npages = 20;
	type("domains\r");
	CHECK(strstr(out_buf, "  5 guest: 64 MiB, 4 vCPUs\n") != NULL);
	for (unsigned i = 0; i < ARRAY_SIZE(want); i++)
		CHECK(strstr(out_buf, want[i].name) != NULL);
	CHECK(strstr(out_buf, "free pool: 10 of 20 pages free\n") != NULL);
	CHECK(strstr(out_buf, "vireo> ") != NULL);

	/* A state the table does not know prints as such, not as garbage. */
	V[3].state = (enum vcpu_state)(VCPU_WAIT_IO + 1);
	type("domains\n");
	CHECK(strstr(out_buf, "vcpu 3 on hart 3: ?\n") != NULL);
	domains[2] = NULL;
}

/* runq: each hart, what it runs and holds, the hand-over flags and its
 * queue in order, every vCPU with the flags a stuck move leaves. */
static void test_runq(void)
{
	struct domain d1 = {.id = 1};
	struct vcpu a = {.dom = &D, .id = 0, .state = VCPU_RUNNABLE};
	struct vcpu b = {.dom = &d1, .id = 2, .state = VCPU_BLOCKED};

	memset(&D, 0, sizeof(D));
	pcpus[0].id = 0;
	pcpus[0].hartid = 4;
	pcpus[0].online = true;
	pcpus[1].id = 1;
	pcpus[1].hartid = 9;
	a.in_guest = true;
	a.moving = true;
	a.move_to = &pcpus[1];
	b.sync_req = true;
	a.rq_next = &b;
	pcpus[0].rq_head = &a;
	pcpus[0].current = pcpus[0].loaded = &a;
	pcpus[0].move_pending = 1;
	pcpus[0].stats.switches = 12;
	type("runq\r");
	CHECK(strstr(out_buf, "  hart 0 (id 4) this: current 0.0 loaded 0.0 "
			      "move-pending 1 sync-pending 0 ipi 0 "
			      "switches 12\n"
			      "    0.0 runnable in-guest moving move-to 1\n"
			      "    1.2 blocked sync-req\n"
			      "  hart 1 (id 9) offline: current - loaded -") != NULL);
	domctl_busy = true;
	type("runq\r");
	CHECK(strstr(out_buf, "busy") != NULL && !strstr(out_buf, "hart 0"));
	domctl_busy = false;
	memset(&pcpus[0], 0, sizeof(pcpus[0]));
	memset(&pcpus[1], 0, sizeof(pcpus[1]));
	pcpus[1].id = 1;
}

static void test_domains_busy_and_others(void)
{
	domctl_busy = true;
	type("domains\r");
	CHECK(strstr(out_buf, "busy") != NULL);
	domctl_busy = false;
	pcpus[1].stats.count[TRAPSTAT_DOMU][3] = 7;
	pcpus[1].stats.switches = 4;
	type("traps\r");
	CHECK(strstr(out_buf, "  hart 1 total") != NULL &&
	      strstr(out_buf, " 7\n  hart 1 switches") != NULL);
	CHECK(strstr(out_buf, "  hart 1 switches") &&
	      strstr(strstr(out_buf, "  hart 1 switches"), " 4\n"));
	memset(&pcpus[1].stats, 0, sizeof(pcpus[1].stats));
	CHECK(strstr(out_buf, "  breakpoint ") != NULL);
	CHECK(strstr(out_buf, "  total ") != NULL);
	CHECK(strstr(out_buf, "  Dom0 breakpoint") != NULL);
	CHECK(strstr(out_buf, "  DomU breakpoint") != NULL);
	CHECK(strstr(out_buf, "  hypercall evtchn_send") != NULL);
	CHECK(strstr(out_buf, " 5\n") != NULL && strstr(out_buf, " 2\n") != NULL);
	type("dmesg\r");
	CHECK(strstr(out_buf, "log\n") != NULL);
	type("bogus\r");
	CHECK(strstr(out_buf, "unknown command: bogus") != NULL);
	type("domx\x7f" "ains\r"); /* backspace edits the line */
	CHECK(strstr(out_buf, "free pool") != NULL);
}

/* The pin from the console: checked numbers, a reference held only while
 * it asks; the hard affinity becomes that hart alone, the soft stays. */
static void test_move(void)
{
	static const char *const bad[] = {
		"move\r", "move 5\r", "move 5 1\r", "move 5 1 x\r",
		"move 5 1 1 2\r", "move -5 1 1\r",
	};

	memset(&D, 0, sizeof(D));
	D.id = 5;
	D.nr_vcpus = 2;
	D.vcpus[0] = &V[0];
	D.vcpus[1] = &V[1];
	type("move 5 1 1\r");
	CHECK(moved == &V[1] && moved_to == &pcpus[1]);
	CHECK(pinned_hard == 2 && pinned_soft == 0);
	CHECK(strstr(out_buf, "move: requested") != NULL);
	CHECK_EQ(refs, 0);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		moved = NULL;
		type(bad[i]);
		CHECK(moved == NULL);
		CHECK(strstr(out_buf, "usage: move") != NULL ||
		      strstr(out_buf, "unknown command") != NULL);
	}
	/* No such domain, vCPU or hart: nothing is asked. */
	type("move 6 0 0\r");
	type("move 5 2 0\r");
	type("move 5 0 2\r");
	CHECK(moved == NULL);
	CHECK(strstr(out_buf, "move: no such vCPU or hart") != NULL);
	move_rc = -1;
	type("move 5 0 0\r");
	CHECK(strstr(out_buf, "move: no such vCPU or hart") != NULL);
	move_rc = 0;
	CHECK_EQ(refs, 0);
}

int main(void)
{
	RUN(test_domains_states);
	RUN(test_domains_busy_and_others);
	RUN(test_runq);
	RUN(test_move);
	TEST_DONE();
}
