/*
 * Host tests of vl top (dom0-tools/vl/vl_top.c): xentop's frame from fixed
 * samples against golden text files, its state letters and CPU(%), the
 * screen, the keys, the options, and the command itself over stand-ins
 * for vireod's "list" and the hypervisor (a small model below, two frames
 * of it), in batch mode and, over a pipe for stdin, redrawing.
 *
 * Usage: test_vl_top [DIR]   DIR holds the golden files, by default
 *                            tests/unit/golden (run from the top of the tree)
 *
 * The golden files top-batch.txt and top-screen.txt were written from
 * xentop's printf formats (tools/xentop/xentop.c: do_summary, do_header
 * and the print_* field functions), not from vl's output.
 */
#define _GNU_SOURCE
#include "test.h"

#include <unistd.h>

#include "../../dom0-tools/vl/vl_fmt.c"
#include "../../dom0-tools/vl/vl_top.c"

#define MiB (1ULL << 20)

#include "vl_cmd_harness.h"

/* ------------------------------------------------- the host, modelled */

#define R VIREO_DOMSTATE_RUNNING
#define B VIREO_DOMSTATE_BLOCKED
#define P VIREO_DOMSTATE_PAUSED
#define S VIREO_DOMSTATE_SHUTDOWN
#define C VIREO_DOMSTATE_CRASHED
#define D VIREO_DOMSTATE_DYING

/* A domain in the two frames: in[f] says whether frame f has it. */
static const struct model_dom {
	const char *name;
	uint32_t domid, state, reason, vcpus;
	uint64_t ram, mem_pages, cpu[2];
	int in[2];
	int ghost; /* listed by vireod, gone from the hypervisor */
} doms[] = {
    /* vireod's order: by ID */
    {"Domain-0", 0, R, 0, 2, 512 * MiB, 131072, {41234567890ULL,
						 42734567890ULL}, {1, 1}, 0},
    {"demo", 3, B, 0, 1, 64 * MiB, 16384, {1900000000, 1930000000}, {1, 1},
     0},
    {"old", 4, B, 0, 1, 32 * MiB, 8192, {2000000000, 0}, {1, 0}, 0},
    {"web", 5, R, 0, 2, 128 * MiB, 20000, {3600500000000ULL,
					     3605900000000ULL}, {1, 1}, 0},
    {"averyveryverylongname", 7, P, 0, 1, 256 * MiB, 65536,
     {12000000000ULL, 12000000000ULL}, {1, 1}, 0},
    {"Crash", 8, C, VIREO_SHUTDOWN_CRASH, 1, 64 * MiB, 16384,
     {999999999, 999999999}, {1, 1}, 0},
    {"(null)", 9, D, 0, 4, 2 * MiB, 0, {0, 0}, {1, 1}, 0},
    {"new", 10, S, VIREO_SHUTDOWN_SUSPEND, 1, 64 * MiB, 16384,
     {0, 500000000}, {0, 1}, 0},
    {"ghost", 12, B, 0, 1, 64 * MiB, 16384, {0, 0}, {1, 1}, 1},
};

#define NR_DOMS (sizeof(doms) / sizeof(doms[0]))
#define TOTAL_PAGES 262144 /* 1 GiB */
#define FREE_PAGES 100000

static unsigned frame_no;    /* the model's frame: the "list" calls so far */
static int vireod_down;	     /* vl_request fails as when it is not running */
static int getinfo_error;    /* DOMAIN_GETINFO's answer, if not 0 */
static int physinfo_error;   /* PHYSINFO's */
static int stop_at_list = -1; /* SIGTERM during this "list" call */

int vl_request(const char *const *req, unsigned nr,
	       int (*on_line)(void *arg, char **f, unsigned nr),
	       void (*on_ok)(void *arg, char **ok, unsigned nr_ok), void *arg)
{
	char line[VIREOD_LINE_MAX + 1], *f[VIREOD_FIELDS_MAX];
	unsigned fr;

	(void)on_ok;
	CHECK_EQ(nr, 1);
	CHECK(!strcmp(req[0], "list"));
	if (vireod_down) {
		fprintf(stderr, "vl: cannot reach vireod\n");
		return -1;
	}
	if ((int)frame_no == stop_at_list)
		raise(SIGTERM);
	fr = frame_no < 2 ? frame_no : 1;
	frame_no++;
	for (unsigned i = 0; i < NR_DOMS; i++) {
		int n;

		if (!doms[i].in[fr])
			continue;
		snprintf(line, sizeof(line), "dom\t%u\t%s\t%u\t%u\t%u\t%llu\t"
			 "%llu\t0\t", (unsigned)doms[i].domid, doms[i].name,
			 (unsigned)doms[i].state, (unsigned)doms[i].reason,
			 (unsigned)doms[i].vcpus,
			 (unsigned long long)doms[i].mem_pages,
			 (unsigned long long)doms[i].cpu[fr]);
		n = vireod_line_split(line, f, VIREOD_FIELDS_MAX);
		CHECK_EQ(n, 10);
		if (on_line(arg, f, (unsigned)n) < 0)
			return -1;
	}
	return 0;
}

static void model_info(const struct model_dom *m, unsigned fr,
		       struct vireo_domain_info *di)
{
	*di = (struct vireo_domain_info){
		.domid = m->domid,
		.state = m->state,
		.shutdown_reason = m->reason,
		.nr_vcpus = m->vcpus,
		.ram_bytes = m->ram,
		.mem_pages = m->mem_pages,
		.cpu_time_ns = m->cpu[fr],
	};
}

int vireo_domain_getinfo(struct vireo *v, uint32_t domid,
			 struct vireo_domain_info *info)
{
	unsigned fr = frame_no ? (frame_no - 1 < 2 ? frame_no - 1 : 1) : 0;

	if (getinfo_error)
		return getinfo_error;
	for (unsigned i = 0; i < NR_DOMS; i++)
		if (doms[i].domid == domid && doms[i].in[fr] &&
		    !doms[i].ghost) {
			model_info(&doms[i], fr, info);
			return 0;
		}
	return VIREO_ENOENT;
}

static const struct vireo_physinfo host = {
	.nr_cpus = 4,
	.timebase_hz = 10000000,
	.total_pages = TOTAL_PAGES,
	.free_pages = FREE_PAGES,
};

int vireo_physinfo(struct vireo *v, struct vireo_physinfo *pi)
{
	*pi = host;
	return physinfo_error;
}

int vireo_version(struct vireo *v, uint32_t *version)
{
	*version = 0x00030001U;
	return 0;
}

/* s without its ANSI CSI sequences (ESC [ params final), in place. */
static char *strip_csi(char *s)
{
	char *w = s;

	for (const char *r = s; *r; r++) {
		if (r[0] == '\033' && r[1] == '[') {
			r += 2;
			while (*r && !(*r >= '@' && *r <= '~'))
				r++;
			if (!*r)
				break;
			continue;
		}
		*w++ = *r;
	}
	*w = '\0';
	return s;
}

/* Frame fr of the model as vl samples it (vireod's order, then sorted),
 * 3 s after frame 0, at 12:34:56. */
static void model_sample(struct top_sample *s, unsigned fr)
{
	memset(s, 0, sizeof(*s));
	for (unsigned i = 0; i < NR_DOMS; i++) {
		if (!doms[i].in[fr] || doms[i].ghost)
			continue;
		snprintf(s->dom[s->nr].name, sizeof(s->dom[0].name), "%s",
			 doms[i].name);
		model_info(&doms[i], fr, &s->dom[s->nr].info);
		s->nr++;
	}
	qsort(s->dom, s->nr, sizeof(s->dom[0]), top_cmp);
	s->when_ns = 5 * NS_PER_S + fr * 3 * NS_PER_S;
	s->tm.tm_hour = 12;
	s->tm.tm_min = 34;
	s->tm.tm_sec = 56 - 3 * (1 - (int)fr);
	s->pi = host;
	s->version = 0x00030001U;
}

static struct top_sample sample[2];

/* ------------------------------------------------------------- formats */

static void test_state_letters(void)
{
	static const struct {
		uint32_t state, reason;
		const char *want;
	} cases[] = {
	    {0, 0, "------"},
	    {D, 0, "d-----"},
	    {S, VIREO_SHUTDOWN_POWEROFF, "-s----"},
	    {S, VIREO_SHUTDOWN_SUSPEND, "-s----"},
	    {B, 0, "--b---"},
	    {C, VIREO_SHUTDOWN_CRASH, "---c--"},
	    /* a crash is not also a shutdown (libxenstat) */
	    {S, VIREO_SHUTDOWN_CRASH, "---c--"},
	    {P, 0, "----p-"},
	    {R, 0, "-----r"},
	    {P | B, 0, "--b-p-"},
	    {D | S, VIREO_SHUTDOWN_REBOOT, "ds----"},
	    {D | S | B | C | P | R, VIREO_SHUTDOWN_POWEROFF, "d-bcpr"},
	};
	char st[7];

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vireo_domain_info di = {.state = cases[i].state,
					       .shutdown_reason =
						   cases[i].reason};

		top_state_letters(&di, st);
		STR_IS(st, cases[i].want);
	}
}

static void test_cpu_pct(void)
{
	struct top_sample *a = &sample[0], *b = &sample[1];
	struct top_dom d = {"x", {.domid = 3, .cpu_time_ns = 0}};

	model_sample(a, 0);
	model_sample(b, 1);
	/* demo: 30 ms in 3 s; web: 5.4 s of 2 vCPUs in 3 s */
	CHECK(top_cpu_pct(&b->dom[3], b, a) > 0.999 &&
	      top_cpu_pct(&b->dom[3], b, a) < 1.001);
	CHECK(top_cpu_pct(&b->dom[6], b, a) > 179.999 &&
	      top_cpu_pct(&b->dom[6], b, a) < 180.001);
	/* no earlier frame, or not in it: 0.0, as xentop */
	CHECK(top_cpu_pct(&b->dom[3], b, NULL) == 0.0);
	CHECK(top_cpu_pct(&b->dom[5], b, a) == 0.0); /* "new" */
	/* an ID taken over by a domain with less CPU time */
	CHECK(top_cpu_pct(&d, b, a) == 0.0);
	/* no time between the samples */
	CHECK(top_cpu_pct(&b->dom[3], b, b) == 0.0);
}

/* Batch frames: no summary, plain; the first with CPU(%) 0.0. */
static void test_frames_batch(void)
{
	char *want = golden("top-batch.txt"), *s;
	size_t len;
	FILE *f = open_memstream(&s, &len);

	model_sample(&sample[0], 0);
	model_sample(&sample[1], 1);
	top_frame(f, &sample[0], NULL, 1);
	top_frame(f, &sample[1], &sample[0], 1);
	fclose(f);
	STR_IS(s, want);
	CHECK(!strchr(s, '\033'));
	free(s);
	free(want);
}

/* The redrawn frame: the summary, the header reversed, names bold. */
static void test_frame_screen(void)
{
	char *want = golden("top-screen.txt"), *s;

	model_sample(&sample[0], 0);
	model_sample(&sample[1], 1);
	CAPTURE(s, top_frame(f_, &sample[1], &sample[0], 0));
	CHECK(strstr(s, "\n" SGR_REVERSE SGR_BOLD "      NAME" SGR_NO_BOLD
			"  STATE") != NULL);
	CHECK(strstr(s, " VCPUS" SGR_NO_REVERSE "\n" SGR_BOLD "    (null)"
			SGR_NO_BOLD " d-----") != NULL);
	STR_IS(strip_csi(s), want);
	free(s);
	free(want);
}

static void test_summary_edges(void)
{
	char *s;

	/* free above total (cannot be, but): nothing used, no wrap */
	model_sample(&sample[0], 0);
	sample[0].nr = 0;
	sample[0].pi.free_pages = TOTAL_PAGES + 1;
	CAPTURE(s, top_summary(f_, &sample[0]));
	STR_IS(s, "xentop - 12:34:53   Vireo 3.1\n"
		  "0 domains: 0 running, 0 blocked, 0 paused, 0 crashed, "
		  "0 dying, 0 shutdown \n"
		  "Mem: 1048576k total, 0k used, 1048576k free    CPUs: 4\n");
	free(s);
	/* each domain counted once: r, then b, p, s, c, d (xentop's order) */
	model_sample(&sample[0], 0);
	sample[0].nr = 4;
	sample[0].dom[0].info.state = P | B;
	sample[0].dom[1].info.state = D | S;
	sample[0].dom[2].info.state = R | P;
	sample[0].dom[3].info.state = C | D;
	CAPTURE(s, top_summary(f_, &sample[0]));
	CHECK(strstr(s, "\n4 domains: 1 running, 1 blocked, 0 paused, "
			"1 crashed, 0 dying, 1 shutdown \n") != NULL);
	free(s);
	/* no host size: percentages 0.0, not NaN */
	model_sample(&sample[0], 0);
	sample[0].pi.total_pages = 0;
	CAPTURE(s, top_row(f_, &sample[0].dom[0], &sample[0], NULL, 0));
	STR_IS(s, "    (null) d-----          0    0.0          0    0.0 "
		  "      2048       0.0     4\n");
	free(s);
}

static void test_screen(void)
{
	static const char frame[] = "one\ntwo\nthree\nfour\nfive\n";
	char *s;

	/* 4 rows: 3 lines of the frame, the bottom line on the 4th */
	CAPTURE(s, top_screen(f_, frame, sizeof(frame) - 1, 4));
	STR_IS(s, "\033[H\033[J\033[?7lone\ntwo\nthree\n"
		  "\033[4;3H\033[7mQ\033[27muit  \r");
	free(s);
	CAPTURE(s, top_screen(f_, frame, sizeof(frame) - 1, 40));
	STR_IS(s, "\033[H\033[J\033[?7lone\ntwo\nthree\nfour\nfive\n"
		  "\033[40;3H\033[7mQ\033[27muit  \r");
	free(s);
	CAPTURE(s, top_screen(f_, frame, sizeof(frame) - 1, 1));
	STR_IS(s, "\033[H\033[J\033[?7l\033[1;3H\033[7mQ\033[27muit  \r");
	free(s);
}

/* ----------------------------------------------------------- keys */

static int key_after(const char *bytes, size_t n, struct top_term *t)
{
	int p[2];
	int key;

	CHECK(pipe(p) == 0);
	CHECK(write(p[1], bytes, n) == (ssize_t)n);
	t->in_fd = p[0];
	sigemptyset(&t->sigs);
	key = top_wait(t, 5, top_now_ns());
	close(p[0]);
	close(p[1]);
	return key;
}

static void test_keys(void)
{
	struct top_term t = {0};
	uint64_t t0;
	int p[2];

	top_stop = 0;
	CHECK_EQ(key_after("q", 1, &t), TOP_KEY_QUIT);
	CHECK_EQ(key_after("Q", 1, &t), TOP_KEY_QUIT);
	CHECK_EQ(key_after("\033", 1, &t), TOP_KEY_QUIT);
	CHECK_EQ(key_after("\033[A", 3, &t), TOP_KEY_OTHER); /* an arrow */
	CHECK_EQ(key_after("\033OQ", 3, &t), TOP_KEY_OTHER); /* F2 */
	CHECK_EQ(key_after("x", 1, &t), TOP_KEY_OTHER);
	/* several keys in one read: a q after a key sequence still quits */
	CHECK_EQ(key_after("\033[Aq", 4, &t), TOP_KEY_QUIT);
	CHECK_EQ(key_after("\033OQx", 4, &t), TOP_KEY_OTHER);
	CHECK_EQ(key_after("\033[1;5Q", 6, &t), TOP_KEY_OTHER);
	CHECK_EQ(key_after("\033x", 2, &t), TOP_KEY_OTHER); /* Alt-x */
	CHECK_EQ(key_after("ab\033", 3, &t), TOP_KEY_QUIT);
	CHECK_EQ(key_after("\033[", 2, &t), TOP_KEY_OTHER);
	/* EOF: no more keys, and the wait runs to its end */
	CHECK(pipe(p) == 0);
	close(p[1]);
	t.in_fd = p[0];
	t0 = top_now_ns();
	CHECK_EQ(top_wait(&t, 1, t0 - NS_PER_S + 50000000), TOP_KEY_NONE);
	CHECK(t.in_fd == -1);
	CHECK(top_now_ns() - t0 >= 40000000);
	close(p[0]);
	/* a stop signal ends it at once */
	top_stop = 1;
	t0 = top_now_ns();
	CHECK_EQ(top_wait(&t, 5, t0), TOP_KEY_NONE);
	CHECK(top_now_ns() - t0 < NS_PER_S);
	top_stop = 0;
}

/* ------------------------------------------------------------ options */

/* The options alone: a bad one accepted cannot start an endless run. */
static int opts_only(int argc, char **argv)
{
	struct top_opts o;

	return top_opts(argc, argv, &o) < 0 ? 1 : 0;
}

static void test_opts(void)
{
	struct top_opts o;
	int rc;

	optind = 0;
	CHECK_EQ(top_opts(1, (char *[]){"top", NULL}, &o), 0);
	CHECK(!o.batch && o.delay == 3 && o.iterations == 0);
	optind = 0;
	CHECK_EQ(top_opts(6, (char *[]){"top", "-b", "-i", "2", "-d", "10",
					NULL}, &o), 0);
	CHECK(o.batch && o.delay == 10 && o.iterations == 2);
	optind = 0;
	CHECK_EQ(top_opts(4, (char *[]){"top", "--batch", "--delay=86400",
					"--iterations=1", NULL}, &o), 0);
	CHECK(o.batch && o.delay == 86400 && o.iterations == 1);
	/* -h is vl_getopt's: help, status 0 */
	free(RUN_CMD(main_top, &rc, "top", "-h"));
	CHECK_EQ(rc, 0);
}

static void test_opts_errors(void)
{
	static const struct {
		const char *args[4];
		const char *err;
	} cases[] = {
	    {{"top", "-d", "0.5"},
	     "vl top: invalid delay '0.5': whole seconds, 1 to 86400\n"},
	    {{"top", "-d", "0"},
	     "vl top: invalid delay '0': whole seconds, 1 to 86400\n"},
	    {{"top", "-d", "86401"},
	     "vl top: invalid delay '86401': whole seconds, 1 to 86400\n"},
	    {{"top", "--delay=3s"},
	     "vl top: invalid delay '3s': whole seconds, 1 to 86400\n"},
	    {{"top", "-d", ""},
	     "vl top: invalid delay '': whole seconds, 1 to 86400\n"},
	    {{"top", "-i", "0"},
	     "vl top: invalid iterations '0': a count, 1 to 1000000000\n"},
	    {{"top", "-i", "-1"},
	     "vl top: invalid iterations '-1': a count, 1 to 1000000000\n"},
	    {{"top", "-i", "99999999999999999999"},
	     "vl top: invalid iterations '99999999999999999999': a count, 1 "
	     "to 1000000000\n"},
	    {{"top", "Domain-0"}, "vl top: too many arguments\n"},
	    /* xentop's other options are not offered */
	    {{"top", "-n"}, "vl top: invalid option\n"},
	    {{"top", "--vcpus"}, "vl top: invalid option\n"},
	    {{"top", "-d"}, "vl top: invalid option\n"},
	};
	char *s;
	int rc;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[5] = {NULL};

		for (unsigned j = 0; j < 4 && cases[i].args[j]; j++)
			argv[j] = (char *)cases[i].args[j];
		s = run_argv(opts_only, &rc, argv);
		CHECK_EQ(rc, 1);
		STR_IS(s, "");
		STR_IS(run_err, cases[i].err);
		free(s);
	}
	/* the command: status 1, and nothing sampled */
	frame_no = 0;
	s = RUN_CMD(main_top, &rc, "top", "-b", "-i", "1", "-d", "0.5");
	CHECK_EQ(rc, 1);
	STR_IS(s, "");
	STR_IS(run_err, "vl top: invalid delay '0.5': whole seconds, 1 to "
			"86400\n");
	CHECK_EQ(frame_no, 0);
	free(s);
}

/* ------------------------------------------------------------ command */

/* The first golden frame: batch frames are that, one after another. */
static char *first_frame(void)
{
	char *want = golden("top-batch.txt");
	char *second = strstr(want + 1, "      NAME");

	if (second)
		*second = '\0';
	return want;
}

static void test_run_batch(void)
{
	char *want = first_frame(), *s;
	uint64_t t0;
	int rc;

	/* One frame: the ghost vireod lists is left out, CPU(%) 0.0. */
	frame_no = 0;
	s = RUN_CMD(main_top, &rc, "top", "-b", "-i", "1");
	CHECK_EQ(rc, 0);
	STR_IS(s, want);
	STR_IS(run_err, "");
	CHECK_EQ(frame_no, 1);
	free(s);
	/* Two, a second apart: the second has the new domain */
	frame_no = 0;
	t0 = top_now_ns();
	s = RUN_CMD(main_top, &rc, "top", "--batch", "--iterations=2",
		    "--delay=1");
	CHECK_EQ(rc, 0);
	CHECK(top_now_ns() - t0 >= NS_PER_S);
	CHECK(s && !strncmp(s, want, strlen(want)));
	CHECK(s && strlen(s) > strlen(want) &&
	      strstr(s + strlen(want), "       new -s----") != NULL);
	CHECK_EQ(frame_no, 2);
	free(s);
	free(want);
}

/* A stop signal ends the frames (exit 0) and is given back after. */
static void test_run_signal(void)
{
	char *want = first_frame(), *s;
	struct sigaction sa;
	uint64_t t0;
	int rc;

	frame_no = 0;
	stop_at_list = 0;
	t0 = top_now_ns();
	s = RUN_CMD(main_top, &rc, "top", "-b", "-d", "5");
	stop_at_list = -1;
	CHECK_EQ(rc, 0);
	CHECK(top_now_ns() - t0 < NS_PER_S); /* no wait after it */
	STR_IS(s, want);
	CHECK_EQ(frame_no, 1);
	CHECK(sigaction(SIGTERM, NULL, &sa) == 0);
	CHECK(sa.sa_handler == SIG_DFL);
	free(s);
	free(want);
}

/* Redrawing with stdin a pipe (no terminal to make raw): 'q' quits. */
static void test_run_screen(void)
{
	char *s, *want = golden("top-screen.txt");
	int p[2], saved = dup(STDIN_FILENO), rc;
	const char *tail = SGR_RESET AUTOWRAP_ON "\r" ERASE_LINE;
	size_t n;

	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "q", 1) == 1);
	CHECK(dup2(p[0], STDIN_FILENO) == STDIN_FILENO);
	frame_no = 0;
	s = RUN_CMD(main_top, &rc, "top", "-d", "5");
	dup2(saved, STDIN_FILENO);
	close(saved);
	close(p[0]);
	close(p[1]);
	CHECK_EQ(rc, 0);
	CHECK_EQ(frame_no, 1);
	n = s ? strlen(s) : 0;
	CHECK(s && !strncmp(s, CLEAR_SCREEN AUTOWRAP_OFF "xentop - ",
			    sizeof(CLEAR_SCREEN AUTOWRAP_OFF "xentop - ") - 1));
	CHECK(n > strlen(tail) && !strcmp(s + n - strlen(tail), tail));
	/* its first frame: the summary and the same rows, CPU(%) 0.0 */
	CHECK(s && strstr(strip_csi(s), "\n  Domain-0 -----r         41    "
					"0.0     524288   50.0") != NULL);
	CHECK(s && strstr(s, "\n7 domains: 2 running, 2 blocked, 1 paused, "
			     "1 crashed, 1 dying, 0 shutdown \nMem: "
			     "1048576k total, 648576k used, 400000k free"
			     "    CPUs: 4\n") != NULL);
	free(s);
	free(want);
}

static void test_run_errors(void)
{
	char *s;
	int rc;

	vireod_down = 1;
	s = RUN_CMD(main_top, &rc, "top", "-b");
	vireod_down = 0;
	CHECK_EQ(rc, 1);
	STR_IS(s, "");
	STR_IS(run_err, "vl: cannot reach vireod\n");
	free(s);
	frame_no = 0;
	getinfo_error = VIREO_EINVAL;
	s = RUN_CMD(main_top, &rc, "top", "-b");
	getinfo_error = 0;
	CHECK_EQ(rc, 1);
	STR_IS(s, "");
	STR_IS(run_err, "vl: cannot read domain 0: invalid argument\n");
	free(s);
	physinfo_error = VIREO_EFAILED;
	s = RUN_CMD(main_top, &rc, "top", "-b", "-i", "3");
	physinfo_error = 0;
	CHECK_EQ(rc, 1);
	STR_IS(s, "");
	STR_IS(run_err, "vl: vireo_physinfo failed: some error\n");
	free(s);
}

int main(int argc, char **argv)
{
	if (!golden_dir_ok(argc, argv))
		return 1;
	vl_opt_exits = 1; /* -h and bad options are tested */
	RUN(test_state_letters);
	RUN(test_cpu_pct);
	RUN(test_frames_batch);
	RUN(test_frame_screen);
	RUN(test_summary_edges);
	RUN(test_screen);
	RUN(test_keys);
	RUN(test_opts);
	RUN(test_opts_errors);
	RUN(test_run_batch);
	RUN(test_run_signal);
	RUN(test_run_screen);
	RUN(test_run_errors);
	free(run_err);
	TEST_DONE();
}
