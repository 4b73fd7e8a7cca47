/*
 * vl top: xentop (tools/xentop/xentop.c) over Vireo. Each frame samples
 * the domains (names and IDs from vireod's "list", as `vl list`; the rest
 * from VIREO_HC_DOMAIN_GETINFO) and the host (VIREO_HC_PHYSINFO), and
 * prints xentop's table, sorted by name as xentop's default sort is:
 *
 *   xentop - 12:34:56   Vireo 2.512
 *   2 domains: 1 running, 1 blocked, 0 paused, 0 crashed, 0 dying, 0 shutdown
 *   Mem: 1048576k total, 648576k used, 400000k free    CPUs: 4
 *         NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) MAXMEM(%) VCPUS
 *         demo --b---          1    1.0      65536    6.2      65536       6.2     1
 *     Domain-0 -----r         41   50.0     524288   50.0     524288      50.0     2
 *
 * The columns are xentop's first nine, with its headers, widths and
 * printf formats; its device and security columns (NETS ... SSID) are left
 * out, as is the " @ ...MHz" of the CPUs line (dom0-tools/vl/README.md says
 * why). CPU(%) is the domain's CPU time over the wall-clock time since the
 * previous frame; the first frame has none and shows 0.0, as xentop's.
 *
 * -b prints frames one after another as plain text and, as xentop -b,
 * without the three summary lines. Otherwise each frame is redrawn with
 * ANSI escapes (no curses: Dom0 is busybox) and 'q' quits; the terminal
 * is left as it was found on quit, on SIGINT, SIGTERM and SIGHUP, and on
 * errors. The formats do no I/O but on the FILE given
 * (tests/unit/test_vl_top.c).
 */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "libvireo.h"
#include "vl.h"

#define VL_TOP_MAX_DOMS 64
#define VL_TOP_DELAY_DEFAULT 3     /* seconds, as xentop */
#define VL_TOP_DELAY_MAX 86400U    /* a day */
#define VL_TOP_ITERATIONS_MAX 1000000000U
#define VL_TOP_ROWS_DEFAULT 24     /* when the terminal will not say */
#define VL_TOP_PAGE_SIZE 4096ULL   /* vireo_physinfo and mem_pages */
#define NS_PER_S 1000000000ULL

/* ANSI (ECMA-48) sequences, the attributes xentop asks curses for. */
#define ESC "\033"
#define SGR_REVERSE ESC "[7m"	  /* the header: A_REVERSE */
#define SGR_NO_REVERSE ESC "[27m"
#define SGR_BOLD ESC "[1m"	  /* the sort column: A_BOLD */
#define SGR_NO_BOLD ESC "[22m"
#define SGR_RESET ESC "[0m"
#define CLEAR_SCREEN ESC "[H" ESC "[J" /* home, erase below */
#define AUTOWRAP_OFF ESC "[?7l"	  /* long lines are cut, not wrapped */
#define AUTOWRAP_ON ESC "[?7h"
#define ERASE_LINE ESC "[K"
#define KEY_ESC '\033'

struct top_dom {
	char name[64];
	struct vireo_domain_info info;
};

/* One sample of the host and its domains. */
struct top_sample {
	struct top_dom dom[VL_TOP_MAX_DOMS]; /* sorted by name */
	unsigned nr;
	uint64_t when_ns; /* CLOCK_MONOTONIC, just before the domains */
	struct tm tm;	  /* local time then, for the summary */
	struct vireo_physinfo pi;
	uint32_t version; /* VIREO_INTERFACE_VERSION of the hypervisor */
};

struct top_opts {
	int batch;
	unsigned delay;	     /* seconds between frames */
	unsigned iterations; /* frames, then exit; 0: until quit */
};

/* --------------------------------------------------------------- formats */

/*
 * xentop's state letters, in its order (state_funcs[]): d dying, s shut
 * down, b blocked, c crashed, p paused, r running; '-' when clear. As in
 * libxenstat, a crash is not also a shutdown.
 */
static void top_state_letters(const struct vireo_domain_info *di,
			      char out[7])
{
	int crashed = (di->state & VIREO_DOMSTATE_CRASHED) ||
		      ((di->state & VIREO_DOMSTATE_SHUTDOWN) &&
		       di->shutdown_reason == VIREO_SHUTDOWN_CRASH);
	int shutdown = (di->state & VIREO_DOMSTATE_SHUTDOWN) && !crashed;

	out[0] = di->state & VIREO_DOMSTATE_DYING ? 'd' : '-';
	out[1] = shutdown ? 's' : '-';
	out[2] = di->state & VIREO_DOMSTATE_BLOCKED ? 'b' : '-';
	out[3] = crashed ? 'c' : '-';
	out[4] = di->state & VIREO_DOMSTATE_PAUSED ? 'p' : '-';
	out[5] = di->state & VIREO_DOMSTATE_RUNNING ? 'r' : '-';
	out[6] = '\0';
}

/*
 * CPU(%): the CPU time the domain used since prev over the time between
 * the samples, in xentop's arithmetic (get_cpu_pct). 0.0 without an
 * earlier sample of the domain, as xentop; also if its time went back (a
 * new domain that took a gone one's ID).
 */
static double top_cpu_pct(const struct top_dom *d,
			  const struct top_sample *cur,
			  const struct top_sample *prev)
{
	double us_elapsed;

	if (!prev || cur->when_ns <= prev->when_ns)
		return 0.0;
	for (unsigned i = 0; i < prev->nr; i++) {
		const struct vireo_domain_info *old = &prev->dom[i].info;

		if (old->domid != d->info.domid)
			continue;
		if (d->info.cpu_time_ns < old->cpu_time_ns)
			return 0.0;
		us_elapsed = (double)(cur->when_ns - prev->when_ns) / 1000.0;
		return ((double)(d->info.cpu_time_ns - old->cpu_time_ns) /
			10.0) / us_elapsed;
	}
	return 0.0;
}

/* xentop's do_summary(), less the CPU clock Vireo does not know. */
static void top_summary(FILE *f, const struct top_sample *s)
{
	unsigned run = 0, block = 0, pause = 0, crash = 0, dying = 0,
		 shutdown = 0;
	unsigned long long total = s->pi.total_pages * VL_TOP_PAGE_SIZE;
	unsigned long long avail = s->pi.free_pages * VL_TOP_PAGE_SIZE;
	char clock[16];

	strftime(clock, sizeof(clock), "%H:%M:%S", &s->tm);
	fprintf(f, "xentop - %s   Vireo %u.%u\n", clock,
		(unsigned)(s->version >> 16), (unsigned)(s->version & 0xffff));
	/* Each domain counted once, in xentop's order of precedence. */
	for (unsigned i = 0; i < s->nr; i++) {
		char st[7];

		top_state_letters(&s->dom[i].info, st);
		if (st[5] == 'r')
			run++;
		else if (st[2] == 'b')
			block++;
		else if (st[4] == 'p')
			pause++;
		else if (st[1] == 's')
			shutdown++;
		else if (st[3] == 'c')
			crash++;
		else if (st[0] == 'd')
			dying++;
	}
	fprintf(f, "%u domains: %u running, %u blocked, %u paused, "
		   "%u crashed, %u dying, %u shutdown \n",
		s->nr, run, block, pause, crash, dying, shutdown);
	if (avail > total)
		avail = total;
	fprintf(f, "Mem: %lluk total, %lluk used, %lluk free    ",
		total / 1024, (total - avail) / 1024, avail / 1024);
	fprintf(f, "CPUs: %u\n", (unsigned)s->pi.nr_cpus);
}

/* xentop's fields[], as far as Vireo fills them: header and width. */
static const struct {
	const char *header;
	int width;
} top_fields[] = {
	{ "NAME", 10 },	     { "STATE", 6 },	 { "CPU(sec)", 10 },
	{ "CPU(%)", 6 },     { "MEM(k)", 10 },	 { "MEM(%)", 6 },
	{ "MAXMEM(k)", 10 }, { "MAXMEM(%)", 9 }, { "VCPUS", 5 },
};

/* xentop's do_header(): reverse video, NAME (the sort column) bold. */
static void top_header(FILE *f, int attrs)
{
	unsigned n = sizeof(top_fields) / sizeof(top_fields[0]);

	fputs(attrs ? SGR_REVERSE : "", f);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			fputc(' ', f);
		fprintf(f, "%s%*s%s", attrs && !i ? SGR_BOLD : "",
			top_fields[i].width, top_fields[i].header,
			attrs && !i ? SGR_NO_BOLD : "");
	}
	fprintf(f, "%s\n", attrs ? SGR_NO_REVERSE : "");
}

/* MEM(%) and MAXMEM(%): of the host's memory; 0.0 rather than a NaN. */
static double top_mem_pct(unsigned long long bytes,
			  const struct top_sample *s)
{
	unsigned long long tot_mem = s->pi.total_pages * VL_TOP_PAGE_SIZE;

	return tot_mem ? (double)bytes / (double)tot_mem * 100 : 0.0;
}

/* xentop's do_domain(): its print_* formats, field by field. */
static void top_row(FILE *f, const struct top_dom *d,
		    const struct top_sample *cur,
		    const struct top_sample *prev, int attrs)
{
	unsigned long long mem = d->info.mem_pages * VL_TOP_PAGE_SIZE;
	unsigned long long max = d->info.ram_bytes;
	char st[7];

	top_state_letters(&d->info, st);
	fprintf(f, "%s%10.10s%s %s", attrs ? SGR_BOLD : "", d->name,
		attrs ? SGR_NO_BOLD : "", st);
	fprintf(f, " %10llu %6.1f",
		(unsigned long long)(d->info.cpu_time_ns / NS_PER_S),
		top_cpu_pct(d, cur, prev));
	fprintf(f, " %10llu %6.1f", mem / 1024, top_mem_pct(mem, cur));
	fprintf(f, " %10llu %9.1f", max / 1024, top_mem_pct(max, cur));
	fprintf(f, " %5u\n", (unsigned)d->info.nr_vcpus);
}

/*
 * One frame, as xentop's top(): the summary (not in batch mode, as
 * xentop -b), the header, then a row per domain. prev: the frame before,
 * for CPU(%); NULL for the first.
 */
static void top_frame(FILE *f, const struct top_sample *cur,
		      const struct top_sample *prev, int batch)
{
	if (!batch)
		top_summary(f, cur);
	top_header(f, !batch);
	for (unsigned i = 0; i < cur->nr; i++)
		top_row(f, &cur->dom[i], cur, prev, !batch);
}

/*
 * The screen from a frame: cleared, the frame's first rows - 1 lines (as
 * xentop, which stops at the last line), long lines cut at the edge, and
 * on the last line xentop's bottom line for the one key vl top takes. The
 * cursor is left at the start of it, where an error message would go.
 */
static void top_screen(FILE *f, const char *frame, size_t len, unsigned rows)
{
	unsigned lines = 0;
	size_t i = 0;

	fputs(CLEAR_SCREEN AUTOWRAP_OFF, f);
	while (i < len && lines + 1 < rows) {
		const char *nl = memchr(frame + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (frame + i)) + 1 : len - i;

		fwrite(frame + i, 1, n, f);
		i += n;
		lines++;
	}
	fprintf(f, ESC "[%u;3H" SGR_REVERSE "Q" SGR_NO_REVERSE "uit  \r",
		rows ? rows : 1);
}

/* ------------------------------------------------------------- options */

/* A whole number from 1 to max; anything else (2.5, 0, 3x) is refused. */
static int top_count(const char *s, unsigned max, unsigned *out)
{
	unsigned long long n = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (unsigned)(*s - '0');
		if (n > max)
			return -1;
	}
	if (!n)
		return -1;
	*out = (unsigned)n;
	return 0;
}

/* xentop's -b, -d and -i (and their long forms); -1 once it said why. */
static int top_opts(int argc, char **argv, struct top_opts *o)
{
	static const struct option opts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "delay", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*o = (struct top_opts){ 0, VL_TOP_DELAY_DEFAULT, 0 };
	VL_FOREACH_OPT_LONG(opt, "bd:i:", opts, "top", 0) {
	case 'b':
		o->batch = 1;
		break;
	case 'd':
		if (top_count(optarg, VL_TOP_DELAY_MAX, &o->delay) < 0) {
			fprintf(stderr, "vl top: invalid delay '%s': whole "
				"seconds, 1 to %u\n", optarg,
				VL_TOP_DELAY_MAX);
			return -1;
		}
		break;
	case 'i':
		if (top_count(optarg, VL_TOP_ITERATIONS_MAX,
			      &o->iterations) < 0) {
			fprintf(stderr, "vl top: invalid iterations '%s': a "
				"count, 1 to %u\n", optarg,
				VL_TOP_ITERATIONS_MAX);
			return -1;
		}
		break;
	}
	if (optind != argc) {
		vl_usage_error("top");
		return -1;
	}
	return 0;
}

/* -------------------------------------------------------------- samples */

static uint64_t top_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static int on_dom(void *arg, char **f, unsigned nr)
{
	struct top_sample *s = arg;
	struct vl_dom d;

	if (s->nr == VL_TOP_MAX_DOMS || vl_dom_parse(f, nr, &d) < 0)
		return 0; /* not a domain line, or too many: skipped */
	snprintf(s->dom[s->nr].name, sizeof(s->dom[0].name), "%s", d.name);
	s->dom[s->nr].info.domid = d.domid;
	s->nr++;
	return 0;
}

/* By name, ignoring case, as xentop's compare_name; then by ID. */
static int top_cmp(const void *a, const void *b)
{
	const struct top_dom *x = a, *y = b;
	int c = strcasecmp(x->name, y->name);

	if (c)
		return c;
	if (x->info.domid != y->info.domid)
		return x->info.domid < y->info.domid ? -1 : 1;
	return 0;
}

/* The domains' info, by the IDs the list gave; a domain gone since is
 * dropped. */
static int top_getinfo(struct vireo *v, struct top_sample *s)
{
	unsigned n = 0;

	for (unsigned i = 0; i < s->nr; i++) {
		struct vireo_domain_info di;
		int rc = vireo_domain_getinfo(v, s->dom[i].info.domid, &di);

		if (rc == VIREO_ENOENT)
			continue;
		if (rc < 0) {
			fprintf(stderr, "vl: cannot read domain %u: %s\n",
				(unsigned)s->dom[i].info.domid,
				vireo_strerror(rc));
			return -1;
		}
		if (n != i)
			memcpy(s->dom[n].name, s->dom[i].name,
			       sizeof(s->dom[n].name));
		s->dom[n++].info = di;
	}
	s->nr = n;
	return 0;
}

static int top_sample_take(struct vireo *v, struct top_sample *s)
{
	static const char *const req[] = { "list" };
	time_t now;
	int rc;

	s->nr = 0;
	if (vl_request(req, 1, on_dom, NULL, s) < 0)
		return -1;
	rc = vireo_physinfo(v, &s->pi);
	if (!rc)
		rc = vireo_version(v, &s->version);
	if (rc < 0) {
		fprintf(stderr, "vl: vireo_physinfo failed: %s\n",
			vireo_strerror(rc));
		return -1;
	}
	now = time(NULL);
	localtime_r(&now, &s->tm);
	s->when_ns = top_now_ns();
	if (top_getinfo(v, s) < 0)
		return -1;
	qsort(s->dom, s->nr, sizeof(s->dom[0]), top_cmp);
	return 0;
}

/* ------------------------------------------------- terminal and signals */

static volatile sig_atomic_t top_stop; /* SIGINT, SIGTERM or SIGHUP */

static void top_on_signal(int sig)
{
	(void)sig;
	top_stop = 1;
}

static const int top_signo[] = { SIGINT, SIGTERM, SIGHUP, SIGTSTP };
#define TOP_NR_SIGS (sizeof(top_signo) / sizeof(top_signo[0]))

struct top_term {
	int in_fd; /* where keys come from; -1: none (batch, or EOF) */
	int raw;   /* saved holds the terminal's modes to restore */
	struct termios saved;
	struct sigaction old[TOP_NR_SIGS];
	sigset_t sigs; /* top_signo but SIGTSTP: blocked but in ppoll */
};

/*
 * Catch the stop signals (their handler only sets top_stop: the loop
 * ends, and the terminal is restored on the way out); SIGTSTP is ignored
 * while the terminal is raw, so it is never left so in a stopped job.
 */
static void top_signals(struct top_term *t, int on)
{
	struct sigaction sa = { .sa_handler = top_on_signal };

	sigemptyset(&sa.sa_mask);
	sigemptyset(&t->sigs);
	for (unsigned i = 0; i < TOP_NR_SIGS; i++) {
		if (!on) {
			sigaction(top_signo[i], &t->old[i], NULL);
			continue;
		}
		if (top_signo[i] == SIGTSTP) {
			struct sigaction ign = { .sa_handler = SIG_IGN };

			sigemptyset(&ign.sa_mask);
			sigaction(SIGTSTP, t->raw ? &ign : NULL, &t->old[i]);
			continue;
		}
		sigaction(top_signo[i], &sa, &t->old[i]);
		sigaddset(&t->sigs, top_signo[i]);
	}
}

/* Keys one at a time, unechoed (curses' cbreak and noecho). */
static void top_term_enter(struct top_term *t, int batch)
{
	struct termios raw;

	t->in_fd = batch ? -1 : STDIN_FILENO;
	t->raw = 0;
	if (batch || !isatty(STDIN_FILENO) ||
	    tcgetattr(STDIN_FILENO, &t->saved) < 0)
		return;
	raw = t->saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	t->raw = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
}

/* As found; on a clean exit the bottom line is wiped for the prompt. */
static void top_term_leave(struct top_term *t, int batch, int clean)
{
	if (!batch) {
		printf(SGR_RESET AUTOWRAP_ON "%s", clean ? "\r" ERASE_LINE : "");
		fflush(stdout);
	}
	if (t->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
	t->raw = 0;
}

static unsigned top_rows(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || !ws.ws_row)
		return VL_TOP_ROWS_DEFAULT;
	return ws.ws_row;
}

enum { TOP_KEY_NONE, TOP_KEY_OTHER, TOP_KEY_QUIT };

/*
 * xentop's keys in what one read gave: q, Q or a lone Esc quit; any other
 * key redraws. An arrow or function key (ESC [ ... final, ESC O x) is
 * one other key, so neither its Esc nor its letters quit.
 */
static int top_keys(const char *buf, size_t n)
{
	int key = TOP_KEY_NONE;

	for (size_t i = 0; i < n; i++) {
		if (buf[i] == 'q' || buf[i] == 'Q')
			return TOP_KEY_QUIT;
		key = TOP_KEY_OTHER;
		if (buf[i] != KEY_ESC)
			continue;
		if (i + 1 == n)
			return TOP_KEY_QUIT;
		if (buf[i + 1] == '[') {
			for (i += 2; i < n && !(buf[i] >= '@' && buf[i] <= '~');
			     i++)
				;
		} else {
			i += buf[i + 1] == 'O' ? 2 : 1;
		}
	}
	return key;
}

/* The keys typed since the last look; at EOF there are no more. */
static int top_key(struct top_term *t)
{
	char buf[16];
	ssize_t n = read(t->in_fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return TOP_KEY_NONE;
	if (n <= 0) {
		t->in_fd = -1; /* EOF or gone: no more keys, no busy loop */
		return TOP_KEY_NONE;
	}
	return top_keys(buf, (size_t)n);
}

/*
 * Until delay seconds after the sample taken at since, a key, or a stop
 * signal. The signals are blocked but inside ppoll, so one that comes
 * just before it still ends the wait.
 */
static int top_wait(struct top_term *t, unsigned delay, uint64_t since)
{
	uint64_t deadline = since + (uint64_t)delay * NS_PER_S;

	for (;;) {
		struct pollfd pfd = { .fd = t->in_fd, .events = POLLIN };
		uint64_t now = top_now_ns();
		struct timespec ts;
		sigset_t old;
		int r = 0;

		if (top_stop || now >= deadline)
			return TOP_KEY_NONE;
		ts.tv_sec = (time_t)((deadline - now) / NS_PER_S);
		ts.tv_nsec = (long)((deadline - now) % NS_PER_S);
		sigprocmask(SIG_BLOCK, &t->sigs, &old);
		if (!top_stop)
			r = ppoll(&pfd, 1, &ts, &old);
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (r > 0 && t->in_fd >= 0) {
			int key = top_key(t);

			if (key != TOP_KEY_NONE)
				return key;
		}
	}
}

/* ---------------------------------------------------------------- loop */

/* A frame on stdout: plain in batch mode, else as a screen. */
static int top_show(const struct top_opts *o, const struct top_sample *cur,
		    const struct top_sample *prev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	if (o->batch) {
		top_frame(stdout, cur, prev, 1);
		return fflush(stdout) == 0 ? 0 : -1;
	}
	m = open_memstream(&buf, &len);
	if (!m) {
		fprintf(stderr, "vl: out of memory\n");
		return -1;
	}
	top_frame(m, cur, prev, 0);
	fclose(m);
	top_screen(stdout, buf, len, top_rows()); /* one write: no flicker */
	free(buf);
	return fflush(stdout) == 0 ? 0 : -1;
}

/* Frames until the iterations are done, 'q', a stop signal or an error. */
static int top_loop(struct vireo *v, const struct top_opts *o,
		    struct top_sample *s[2])
{
	struct top_sample *cur = s[0], *prev = NULL;
	struct top_term t;
	unsigned done = 0;
	int rc = 0;

	top_stop = 0;
	top_term_enter(&t, o->batch);
	top_signals(&t, 1);
	while (!top_stop) {
		if (top_sample_take(v, cur) < 0 || top_show(o, cur, prev) < 0) {
			rc = -1;
			break;
		}
		if (o->iterations && ++done == o->iterations)
			break;
		prev = cur;
		cur = cur == s[0] ? s[1] : s[0];
		if (top_wait(&t, o->delay, prev->when_ns) == TOP_KEY_QUIT)
			break;
	}
	top_term_leave(&t, o->batch, rc == 0);
	top_signals(&t, 0);
	return rc;
}

int main_top(int argc, char **argv)
{
	struct top_sample *s[2] = { NULL, NULL };
	struct vireo *v = NULL;
	struct top_opts o;
	int rc = 1;

	if (top_opts(argc, argv, &o) < 0)
		return 1;
	s[0] = calloc(1, sizeof(*s[0]));
	s[1] = calloc(1, sizeof(*s[1]));
	if (!s[0] || !s[1]) {
		fprintf(stderr, "vl: out of memory\n");
		goto out;
	}
	v = vl_open_vireo();
	if (!v)
		goto out;
	rc = top_loop(v, &o, s) < 0;
out:
	vireo_close(v);
	free(s[0]);
	free(s[1]);
	return rc;
}
