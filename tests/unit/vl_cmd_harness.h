/*
 * The harness of the host tests that run vl commands (test_vl_sched.c,
 * test_vl_cpupool.c, test_vl_top.c): stand-ins for vl.c's option helpers
 * (vl.c is not built in: its exit() calls would end the test), for
 * vl_info.c's vl_open_vireo() and libvireo's vireo_close() and
 * vireo_strerror() (no hypervisor on the host);
 * run_argv()/RUN_CMD() to run a main_* with stdout and stderr captured into
 * strings; STR_IS, CAPTURE, and the golden files of tests/unit/golden.
 * Included once, after the dom0-tools .c files under test, by a test that
 * defines _GNU_SOURCE (open_memstream).
 *
 * vl_opt_exits chooses what -h and a bad flag do: clear (the default),
 * they are CHECK failures, for tests that pass only good options; set,
 * they leave the command as vl.c's exit() would, status 0 for -h and 1
 * (with "vl CMD: invalid option") for a bad flag, back to run_argv().
 */
#ifndef VIREO_VL_CMD_HARNESS_H
#define VIREO_VL_CMD_HARNESS_H

#include "test.h"

#include <errno.h>
#include <getopt.h>
#include <setjmp.h>
#include <unistd.h>

#define STR_IS(got, want)                                                    \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		CHECK(g_ && w_ && !strcmp(g_, w_));                          \
		if (g_ && w_ && strcmp(g_, w_))                              \
			fprintf(stderr, "--- want\n%s--- got\n%s---\n", w_,   \
				g_);                                         \
	} while (0)

/* Run call, which writes on FILE *f_, into the string buf (to free). */
#define CAPTURE(buf, call)                                                   \
	do {                                                                 \
		size_t len_;                                                 \
		FILE *f_ = open_memstream(&(buf), &len_);                    \
		call;                                                        \
		fclose(f_);                                                  \
	} while (0)

/* ------------------------------------------------- vl.c, without exits */

static int vl_opt_exits; /* -h and a bad flag "exit" through opt_exit */
static jmp_buf opt_exit; /* set by run_argv(): the exit status + 1 */

/* Not static: these stand in for vl.c's, declared in vl.h. */
int vl_getopt_long(int argc, char **argv, const char *opts,
		   const struct option *longopts, const char *cmd,
		   int min_args)
{
	static const struct option none[] = {{NULL, 0, NULL, 0}};
	char optstring[64];
	int opt;

	snprintf(optstring, sizeof(optstring), "h%s", opts);
	opterr = 0;
	opt = getopt_long(argc, argv, optstring, longopts ? longopts : none,
			  NULL);
	if (!vl_opt_exits) {
		CHECK(opt != '?' && opt != 'h');
	} else if (opt == 'h') {
		longjmp(opt_exit, 1); /* exit(0) */
	} else if (opt == '?') {
		fprintf(stderr, "vl %s: invalid option\n", cmd);
		longjmp(opt_exit, 2); /* exit(1) */
	}
	if (opt == -1)
		CHECK(argc - optind >= min_args);
	return opt;
}

int vl_getopt(int argc, char **argv, const char *opts, const char *cmd,
	      int min_args)
{
	return vl_getopt_long(argc, argv, opts, NULL, cmd, min_args);
}

int vl_usage_error(const char *cmd)
{
	fprintf(stderr, "vl %s: too many arguments\n", cmd);
	return 1;
}

/* vl's handle on the hypervisor (a fake), and libvireo's error text. */
static int fake_handle;

struct vireo *vl_open_vireo(void)
{
	return (struct vireo *)&fake_handle;
}

void vireo_close(struct vireo *v)
{
	CHECK(!v || v == (struct vireo *)&fake_handle);
}

const char *vireo_strerror(int rc)
{
	return rc == VIREO_EINVAL ? "invalid argument" : "some error";
}

/* ------------------------------------------------------- running a command */

static char *run_err; /* what the last run wrote on stderr */

/* Run fn (argv NULL-ended) with stdout and stderr into strings: stdout
 * returned (to free), stderr in run_err, the exit status in *rc. */
static char *run_argv(int (*fn)(int, char **), int *rc, char **argv)
{
	char *buf = NULL;
	size_t len = 0, elen = 0;
	FILE *out = stdout, *err = stderr;
	volatile int argc = 0;
	int ex;

	while (argv[argc])
		argc++;
	free(run_err);
	run_err = NULL;
	optind = 0;
	stdout = open_memstream(&buf, &len);
	stderr = open_memstream(&run_err, &elen);
	ex = setjmp(opt_exit);
	*rc = ex ? ex - 1 : fn(argc, argv);
	fclose(stdout);
	fclose(stderr);
	stdout = out;
	stderr = err;
	return buf;
}

#define RUN_CMD(fn, rc, ...) run_argv(fn, rc, (char *[]){__VA_ARGS__, NULL})

/* ------------------------------------------------------------ golden files */

static const char *golden_dir = "tests/unit/golden";

/* main()'s start: golden_dir from argv[1], if given, and readable. */
static int golden_dir_ok(int argc, char **argv)
{
	if (argc > 1)
		golden_dir = argv[1];
	if (access(golden_dir, R_OK)) {
		fprintf(stderr,
			"%s: %s (run from the top of the tree, or pass "
			"the golden directory)\n",
			golden_dir, strerror(errno));
		return 0;
	}
	return 1;
}

/* The golden file NAME, whole. */
static char *golden(const char *name)
{
	char path[512], *buf = NULL;
	size_t len = 0;
	FILE *f, *m;
	int c;

	snprintf(path, sizeof(path), "%s/%s", golden_dir, name);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		CHECK(f != NULL);
		return strdup("");
	}
	m = open_memstream(&buf, &len);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

#endif
