/*
 * The hypervisor monitor, reached with three Ctrl-A on the serial console:
 * a line editor and a handful of read-only commands.
 */
#include <string.h>

#include "console.h"
#include "domain.h"
#include "domctl.h"
#include "evtchn.h"
#include "ioreq.h"
#include "page_alloc.h"
#include "pcpu.h"
#include "printk.h"
#include "sched.h"
#include "trapstat.h"
#include "virqc.h"

#define LINE_MAX 64

static char line[LINE_MAX];
static unsigned line_len;

extern struct page_pool dom_pool;

static void out(const char *s)
{
	console_write_text(s, strlen(s));
}

static void prompt(void)
{
	out("vireo> ");
}

static void cmd_help(void)
{
	out("  help     this list\n"
	    "  dmesg    the hypervisor log\n"
	    "  domains  domains and their vCPUs\n"
	    "  traps    trap counters by cause, all harts\n"
	    "  irqs     interrupt and I/O state of each domain\n"
	    "  runq     each hart's run queue and hand-over state\n"
	    "  move D V H  pin domain D's vCPU V to hart H (as vcpu-pin)\n"
	    "  Ctrl-A three times: back to Dom0\n");
}

static const char *vcpu_state_name(enum vcpu_state s)
{
	static const char *const names[] = {
		[VCPU_STOPPED] = "stopped",
		[VCPU_RUNNABLE] = "runnable",
		[VCPU_BLOCKED] = "blocked",
		[VCPU_WAIT_IO] = "wait-io",
	};

	return (unsigned)s < ARRAY_SIZE(names) && names[s] ? names[s] : "?";
}

static void cmd_domains(void)
{
	char buf[128];

	/* Domains must not be destroyed under us while we print them. */
	if (!domctl_trylock()) {
		out("  busy (a domain operation is running): try again\n");
		return;
	}
	for (unsigned i = 0; i < MAX_DOMAINS; i++) {
		struct domain *d = domains[i];
		if (!d)
			continue;
		snprintf(buf, sizeof(buf), "  %u %s: %lu MiB, %u vCPUs\n", d->id,
			 d->name, (unsigned long)(d->ram_size >> 20), d->nr_vcpus);
		out(buf);
		for (unsigned j = 0; j < d->nr_vcpus; j++) {
			struct vcpu *v = d->vcpus[j];
			/* CPU numbers, as vl and move take them (pcpu.h) */
			snprintf(buf, sizeof(buf), "    vcpu %u on hart %u: %s\n",
				 j, v->pcpu ? v->pcpu->id : 0U,
				 vcpu_state_name(v->state));
			out(buf);
		}
	}
	domctl_unlock();
	snprintf(buf, sizeof(buf), "  free pool: %lu of %lu pages free\n",
		 (unsigned long)dom_pool.nfree, (unsigned long)dom_pool.npages);
	out(buf);
}

/*
 * What a lost interrupt or notification leaves behind, per domain: the
 * interrupt controller (virqc_dump: on RISC-V the vPLIC's pending, active
 * and level words, each context's line, the word claimed ahead and its
 * vCPU's external line), the ioreq slots, posted notifies and latch
 * words, the vUART and console ring, and the event-channel bitmaps.
 */
static void dump_irqs(struct domain *d)
{
	char buf[160];

	virqc_dump(d, out);
	for (unsigned i = 0; i < VIREO_IOREQ_MAX_SERVERS; i++) {
		const struct vireo_ioreq_page *q = d->ioreq[i] ? d->ioreq[i]->page : NULL;
		if (!q)
			continue;
		snprintf(buf, sizeof(buf),
			 "    ioreq %u slots %u %u notify %x %x %x latch %x %x %x\n",
			 i, q->slot[0].state, q->slot[1].state, q->notify[0],
			 q->notify[1], q->notify[2], q->latch[0], q->latch[1],
			 q->latch[2]);
		out(buf);
	}
	/* Unlocked reads: a stuck console shows here (THRE never raised, a
	 * full ring nobody drains, receive bytes nobody reads). */
	snprintf(buf, sizeof(buf),
		 "    vuart ier %x lcr %x mcr %x thre %d tx-waiting %d irq %d "
		 "rx %u; ring %u bytes notify %u\n",
		 d->vuart.ier, d->vuart.lcr, d->vuart.mcr, d->vuart.thre_pending,
		 d->vuart.tx_waiting, d->vuart.irq, d->vuart.rx_count,
		 d->con_len, d->con_notify);
	out(buf);
	if (d->evtchn && d->evtchn->shared) {
		snprintf(buf, sizeof(buf), "    evtchn pend %lx mask %lx\n",
			 (unsigned long)d->evtchn->shared->pending[0],
			 (unsigned long)d->evtchn->shared->mask[0]);
		out(buf);
	}
}

static void cmd_irqs(void)
{
	if (!domctl_trylock()) {
		out("  busy (a domain operation is running): try again\n");
		return;
	}
	for (unsigned i = 0; i < MAX_DOMAINS; i++)
		if (domains[i])
			dump_irqs(domains[i]);
	domctl_unlock();
}

/*
 * Trap counters by cause: both sides, the total, then Dom0's and the DomUs'
 * apart ("Dom0 <cause>", "DomU <cause>"), then Vireo hypercalls by name
 * ("hypercall <name>"), every line "  <key> <count>" for the benchmarks.
 */
static void traps_line(const char *side, const char *name, uint64_t n)
{
	char buf[96];

	snprintf(buf, sizeof(buf), "  %s%-32s %lu\n", side, name,
		 (unsigned long)n);
	out(buf);
}

/* Each hart's own: a null pool's hart should see only its guest. */
static void traps_per_hart(void)
{
	for (unsigned i = 0; i < nr_pcpus; i++) {
		const struct trapstat *t = &pcpus[i].stats;
		uint64_t n = 0;
		char side[24];
		for (unsigned s = 0; s < TRAPSTAT_SLOTS; s++)
			n += t->count[TRAPSTAT_DOM0][s] + t->count[TRAPSTAT_DOMU][s];
		snprintf(side, sizeof(side), "hart %u ", i);
		traps_line(side, "total", n);
		traps_line(side, "switches", t->switches);
	}
}

static void cmd_traps(void)
{
	static const char *const sides[2] = { "Dom0 ", "DomU " };
	uint64_t total = 0;

	for (unsigned s = 0; s < TRAPSTAT_SLOTS; s++) {
		uint64_t n = trapstat_total(s, -1);
		if (!n)
			continue;
		total += n;
		traps_line("", trapstat_name(s) ? trapstat_name(s) : "other", n);
	}
	traps_line("", "total", total);
	for (int side = 0; side < 2; side++)
		for (unsigned s = 0; s < TRAPSTAT_SLOTS; s++) {
			uint64_t n = trapstat_total(s, side);
			if (n)
				traps_line(sides[side], trapstat_name(s) ?
					   trapstat_name(s) : "other", n);
		}
	for (unsigned f = 0; f < TRAPSTAT_HCALLS; f++) {
		uint64_t n = trapstat_hcalls(f);
		if (n && trapstat_hcall_name(f))
			traps_line("hypercall ", trapstat_hcall_name(f), n);
	}
	traps_per_hart();
}

/* Read an unsigned decimal at *s; false if there is none. */
static bool number(const char **s, unsigned *n)
{
	const char *p = *s;

	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	for (*n = 0; *p >= '0' && *p <= '9' && *n < 100000; p++)
		*n = *n * 10 + (unsigned)(*p - '0');
	*s = p;
	return true;
}

static void vcpu_name(char *buf, size_t n, const struct vcpu *v)
{
	if (v)
		snprintf(buf, n, "%u.%u", v->dom->id, v->id);
	else
		snprintf(buf, n, "-");
}

/* One queued vCPU: state, and the flags a stuck hand-over leaves set. */
static void runq_vcpu(const struct vcpu *v)
{
	char buf[128], me[16], to[16];
	const struct pcpu *dest = v->move_to;

	vcpu_name(me, sizeof(me), v);
	snprintf(to, sizeof(to), "%u", dest ? dest->id : 0);
	snprintf(buf, sizeof(buf), "    %s %s%s%s%s%s%s\n", me,
		 vcpu_state_name(v->state), v->in_guest ? " in-guest" : "",
		 v->moving ? " moving" : "", v->sync_req ? " sync-req" : "",
		 dest ? " move-to " : "", dest ? to : "");
	out(buf);
}

/*
 * Xen's 'r' debug key: per hart, what it runs and holds, the hand-over
 * flags (a move or a sync asked of it) and its queue. The queues are read
 * without their locks (a hart stuck holding one must still be shown);
 * the domctl lock keeps every vCPU from being freed meanwhile.
 */
static void cmd_runq(void)
{
	char buf[160], cur[16], ld[16];

	if (!domctl_trylock()) {
		out("  busy (a domain operation is running): try again\n");
		return;
	}
	for (unsigned i = 0; i < nr_pcpus; i++) {
		const struct pcpu *p = &pcpus[i];
		vcpu_name(cur, sizeof(cur), p->current);
		vcpu_name(ld, sizeof(ld), p->loaded);
		snprintf(buf, sizeof(buf),
			 "  hart %u (id %lu)%s%s: current %s loaded %s "
			 "move-pending %u sync-pending %u ipi %x switches %lu\n",
			 p->id, p->hartid, p == this_pcpu() ? " this" : "",
			 p->online ? "" : " offline", cur, ld, p->move_pending,
			 p->sync_pending, p->ipi_reasons,
			 (unsigned long)p->stats.switches);
		out(buf);
		for (const struct vcpu *v = p->rq_head; v; v = v->rq_next)
			runq_vcpu(v);
	}
	domctl_unlock();
}

/* "move D V H": vcpu-pin D V H from the console, for sched_move()'s tests
 * (the balancer leaves a pinned vCPU where it is). */
static void cmd_move(const char *args)
{
	unsigned id, vcpu, hart;
	struct domain *d;
	struct vcpu *v;

	if (!number(&args, &id) || !number(&args, &vcpu) ||
	    !number(&args, &hart) || *args) {
		out("usage: move DOMID VCPU HART\n");
		return;
	}
	d = domain_get(id);
	v = d ? domain_vcpu(d, vcpu) : NULL;
	if (!v || hart >= nr_pcpus || sched_set_affinity(v, 1ULL << hart, 0))
		out("move: no such vCPU or hart\n");
	else
		out("move: requested\n");
	if (d)
		domain_put(d);
}

static void run(const char *cmd)
{
	if (!strcmp(cmd, "help"))
		cmd_help();
	else if (!strcmp(cmd, "dmesg"))
		log_dump(console_write_text);
	else if (!strcmp(cmd, "domains"))
		cmd_domains();
	else if (!strcmp(cmd, "traps"))
		cmd_traps();
	else if (!strcmp(cmd, "irqs"))
		cmd_irqs();
	else if (!strcmp(cmd, "runq"))
		cmd_runq();
	else if (!strncmp(cmd, "move ", 5))
		cmd_move(cmd + 5);
	else if (cmd[0]) {
		out("unknown command: ");
		out(cmd);
		out(" (try help)\n");
	}
}

void monitor_enter(void)
{
	printk("*** Serial input to the hypervisor monitor "
	       "(type 'CTRL-a' three times to switch input)\n");
	line_len = 0;
	prompt();
}

void monitor_input(uint8_t c)
{
	char echo[2] = {(char)c, 0};

	if (c == '\r' || c == '\n') {
		out("\n");
		line[line_len] = '\0';
		run(line);
		line_len = 0;
		prompt();
	} else if (c == 0x7f || c == '\b') {
		if (line_len) {
			line_len--;
			out("\b \b");
		}
	} else if (c >= ' ' && c < 0x7f && line_len + 1 < LINE_MAX) {
		line[line_len++] = (char)c;
		out(echo);
	}
}
