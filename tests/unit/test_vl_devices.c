/*
 * Host tests of vl block-list and network-list (dom0-tools/vl/vl_devices.c):
 * the device lines of vireod's "devices DOM", the two layouts, and the
 * commands themselves over a stand-in for vireod (vl_request below, which
 * answers from a table as vireod would, through the real line codec).
 */
#define _GNU_SOURCE
#include "test.h"

#include "../../dom0-tools/vl/vl_devices.c"

#define STR_IS(got, want)                                                    \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		CHECK(g_ && !strcmp(g_, w_));                                \
		if (g_ && strcmp(g_, w_))                                    \
			fprintf(stderr, "--- want\n%s--- got\n%s---\n", w_,   \
				g_);                                         \
	} while (0)

/* ------------------------------------------------- vireod, stood in for */

/* What vireod answers to "devices DOM": lines, then ok or err. */
static const struct {
	const char *dom;
	const char *const *lines; /* fields joined by TAB, NULL-ended */
	const char *err;	  /* NULL: "ok" */
} replies[] = {
    {"demo",
     (const char *const[]){
	 "disk\txvda\t0\t4\t0\trw\t/data/guest1.img",
	 "disk\txvdb\t0\t4\t1\tro\t/data/with\\ttab,comma.img",
	 "nic\t0\t0\t4\t2\t00:16:3e:0a:0b:0c\tvbr0\tvif3.0",
	 "nic\t1\t0\t4\t3\t00:16:3e:00:00:01\txenbr1\t",
	 "virtio\t0\t0\t4\t4\tconsole",
	 "future\tline\tskipped",
	 NULL},
     NULL},
    {"7",
     (const char *const[]){"disk\thda\t0\t6\t0\trw\t/dev/vdb",
			   "nic\t0\t0\t6\t1\t00:16:3e:01:02:03\tvbr0\tweb0",
			   NULL},
     NULL},
    {"bare", (const char *const[]){NULL}, NULL},
    {"broken", (const char *const[]){"disk\txvda\t0\tfour\t0\trw\t/a", NULL},
     NULL},
    {"ghost", (const char *const[]){NULL}, "domain 'ghost' does not exist"},
};

static unsigned nr_requests;

int vl_request(const char *const *req, unsigned nr,
	       int (*on_line)(void *arg, char **f, unsigned nr),
	       void (*on_ok)(void *arg, char **ok, unsigned nr_ok), void *arg)
{
	char line[VIREOD_LINE_MAX + 1], *f[VIREOD_FIELDS_MAX];
	unsigned i, j;
	int n;

	(void)on_ok;
	nr_requests++;
	CHECK_EQ(nr, 2);
	STR_IS(req[0], "devices");
	for (i = 0; strcmp(replies[i].dom, req[1]); i++)
		;
	for (j = 0; replies[i].lines[j]; j++) {
		snprintf(line, sizeof(line), "%s", replies[i].lines[j]);
		n = vireod_line_split(line, f, VIREOD_FIELDS_MAX);
		CHECK(n > 0);
		if (on_line(arg, f, (unsigned)n) < 0)
			return -1;
	}
	if (replies[i].err) {
		fprintf(stderr, "%s\n", replies[i].err);
		return -1;
	}
	return 0;
}

/* vl.c's, without the exits: the tests pass good arguments. */
int vl_getopt(int argc, char **argv, const char *opts, const char *cmd,
	      int min_args)
{
	(void)opts;
	(void)cmd;
	CHECK(argc - 1 >= min_args);
	return getopt(argc, argv, "+h");
}

static char *run_err; /* what the last run() wrote on stderr */

/* Run a command with stdout into a string; its exit status in *rc. */
static char *run(int (*fn)(int, char **), int *rc, int argc, char **argv)
{
	char *buf = NULL;
	size_t len = 0, elen = 0;
	FILE *out = stdout, *err = stderr;

	free(run_err);
	run_err = NULL;
	optind = 0;
	stdout = open_memstream(&buf, &len);
	stderr = open_memstream(&run_err, &elen);
	*rc = fn(argc, argv);
	fclose(stdout);
	fclose(stderr);
	stdout = out;
	stderr = err;
	return buf;
}

#define CAPTURE(buf, call)                                                   \
	do {                                                                 \
		size_t len_;                                                 \
		FILE *f_ = open_memstream(&(buf), &len_);                    \
		call;                                                        \
		fclose(f_);                                                  \
	} while (0)

/* --------------------------------------------------------------- lines */

static int parse(const char *text, struct vl_dev *d, char *line)
{
	char *f[VIREOD_FIELDS_MAX];
	int n;

	strcpy(line, text);
	n = vireod_line_split(line, f, VIREOD_FIELDS_MAX);
	return n < 0 ? -2 : vl_dev_parse(f, (unsigned)n, d);
}

static void test_parse(void)
{
	char line[256];
	struct vl_dev d;

	CHECK_EQ(parse("disk\txvda\t0\t4\t2\tro\t/a\\tb", &d, line), 0);
	CHECK_EQ(d.kind, VL_DEV_DISK);
	STR_IS(d.id, "xvda");
	CHECK(d.backend == 0 && d.state == 4 && d.slot == 2);
	STR_IS(d.access, "ro");
	STR_IS(d.target, "/a\tb");
	CHECK_EQ(parse("nic\t3\t0\t6\t7\t00:16:3e:0a:0b:0c\tvbr0\t", &d, line),
		 0);
	CHECK_EQ(d.kind, VL_DEV_NIC);
	CHECK(d.index == 3 && d.state == 6 && d.slot == 7);
	STR_IS(d.mac, "00:16:3e:0a:0b:0c");
	STR_IS(d.bridge, "vbr0");
	STR_IS(d.ifname, "");
	CHECK_EQ(parse("virtio\t1\t0\t4\t5\trng\textra", &d, line), 0);
	CHECK_EQ(d.kind, VL_DEV_VIRTIO);
	CHECK(d.index == 1 && d.slot == 5);
	STR_IS(d.type, "rng");
	/* Short lines, bad numbers, other kinds. */
	CHECK_EQ(parse("disk\txvda\t0\t4\t2\tro", &d, line), -1);
	CHECK_EQ(parse("nic\t0\t0\t4\t1\tmac\tbr", &d, line), -1);
	CHECK_EQ(parse("virtio\tx\t0\t4\t1\trng", &d, line), -1);
	CHECK_EQ(parse("disk\txvda\t0\t-4\t2\tro\t/a", &d, line), -1);
	CHECK_EQ(parse("disk\txvda\t0\t4\t4294967296\tro\t/a", &d, line), -1);
	CHECK_EQ(parse("disk\txvda\t\t4\t2\tro\t/a", &d, line), -1);
	CHECK_EQ(parse("dom\t1\tx", &d, line), -1);
}

static void test_layout(void)
{
	struct vl_dev disk = {.kind = VL_DEV_DISK, .id = "xvda", .index = 1,
			      .backend = 0, .state = 4, .slot = 3,
			      .access = "rw", .target = "/data/g.img"};
	struct vl_dev nic = {.kind = VL_DEV_NIC, .id = "12", .index = 12,
			     .state = 6, .slot = 7,
			     .mac = "00:16:3e:0a:0b:0c",
			     .bridge = "vbr0", .ifname = ""};
	char *s;

	CAPTURE(s, vl_block_header(f_));
	STR_IS(s, "Vdev  BE  handle state slot access target\n");
	free(s);
	CAPTURE(s, vl_block_row(f_, &disk));
	STR_IS(s, "xvda  0   1      4     3    rw     /data/g.img\n");
	free(s);
	CAPTURE(s, vl_network_header(f_));
	STR_IS(s, "Idx BE Mac Addr.         handle state slot bridge     "
		  "     ifname\n");
	free(s);
	CAPTURE(s, vl_network_row(f_, &nic));
	STR_IS(s, "12  0  00:16:3e:0a:0b:0c 12     6     7    vbr0       "
		  "     -\n");
	free(s);
	nic.ifname = "tap-web0";
	nic.bridge = "abcdefghijklmno";
	CAPTURE(s, vl_network_row(f_, &nic));
	STR_IS(s, "12  0  00:16:3e:0a:0b:0c 12     6     7    abcdefghijklmno "
		  "tap-web0\n");
	free(s);
}

/* ------------------------------------------------------------ commands */

static void test_block_list(void)
{
	char *argv[] = {"block-list", "demo", "Domain-0", "0", "7", NULL};
	char *s;
	int rc;

	nr_requests = 0;
	s = run(main_block_list, &rc, 5, argv);
	CHECK_EQ(rc, 0);
	CHECK_EQ(nr_requests, 2); /* Dom0 needs no vireod */
	STR_IS(s, "Vdev  BE  handle state slot access target\n"
		  "xvda  0   0      4     0    rw     /data/guest1.img\n"
		  "xvdb  0   1      4     1    ro     /data/with\ttab,comma.img\n"
		  "hda   0   0      6     0    rw     /dev/vdb\n");
	free(s);
}

static void test_network_list(void)
{
	char *argv[] = {"network-list", "demo", "7", "bare", NULL};
	char *s;
	int rc;

	s = run(main_network_list, &rc, 4, argv);
	CHECK_EQ(rc, 0);
	STR_IS(s, "Idx BE Mac Addr.         handle state slot bridge     "
		  "     ifname\n"
		  "0   0  00:16:3e:0a:0b:0c 0      4     2    vbr0       "
		  "     vif3.0\n"
		  "1   0  00:16:3e:00:00:01 1      4     3    xenbr1     "
		  "     -\n"
		  "0   0  00:16:3e:01:02:03 0      6     1    vbr0       "
		  "     web0\n");
	free(s);
}

/* Errors: the other domains are still listed, and the status is 1. */
static void test_errors(void)
{
	char *argv[] = {"block-list", "ghost", "7", "broken", "bare", NULL};
	char *dom0[] = {"network-list", "Domain-0", NULL};
	char *s;
	int rc;

	s = run(main_block_list, &rc, 5, argv);
	CHECK_EQ(rc, 1);
	STR_IS(s, "Vdev  BE  handle state slot access target\n"
		  "hda   0   0      6     0    rw     /dev/vdb\n");
	STR_IS(run_err, "domain 'ghost' does not exist\n"
			"vl: bad reply from vireod\n");
	free(s);
	nr_requests = 0;
	s = run(main_network_list, &rc, 2, dom0);
	CHECK_EQ(rc, 0);
	CHECK_EQ(nr_requests, 0);
	STR_IS(s, "Idx BE Mac Addr.         handle state slot bridge     "
		  "     ifname\n");
	STR_IS(run_err, "");
	free(s);
	free(run_err);
	run_err = NULL;
}

int main(void)
{
	RUN(test_parse);
	RUN(test_layout);
	RUN(test_block_list);
	RUN(test_network_list);
	RUN(test_errors);
	TEST_DONE();
}
