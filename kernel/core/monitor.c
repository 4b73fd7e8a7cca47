/*
 * The hypervisor monitor, reached with three Ctrl-A on the serial console:
 * a line editor and a handful of read-only commands.
 */
#include <string.h>

#include "console.h"
#include "domain.h"
#include "domctl.h"
#include "page_alloc.h"
#include "pcpu.h"
#include "printk.h"
#include "trapstat.h"

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
			snprintf(buf, sizeof(buf), "    vcpu %u on hart %lu: %s\n",
				 j, v->pcpu ? v->pcpu->hartid : 0UL,
				 vcpu_state_name(v->state));
			out(buf);
		}
	}
	domctl_unlock();
	snprintf(buf, sizeof(buf), "  free pool: %lu of %lu pages free\n",
		 (unsigned long)dom_pool.nfree, (unsigned long)dom_pool.npages);
	out(buf);
}

static void cmd_traps(void)
{
	char buf[96];
	uint64_t total = 0;

	for (unsigned s = 0; s < TRAPSTAT_SLOTS; s++) {
		uint64_t n = trapstat_total(s);
		if (!n)
			continue;
		total += n;
		snprintf(buf, sizeof(buf), "  %-32s %lu\n",
			 trapstat_name(s) ? trapstat_name(s) : "other",
			 (unsigned long)n);
		out(buf);
	}
	snprintf(buf, sizeof(buf), "  %-32s %lu\n", "total", (unsigned long)total);
	out(buf);
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
