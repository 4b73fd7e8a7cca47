/*
 * Host tests of vl vcpu-list, vcpu-pin and sched-credit
 * (dom0-tools/vl/vl_sched.c): xl's layouts against golden text files, and
 * the commands themselves over stand-ins for vireod's "list" and for the
 * scheduling and cpupool hypercalls (a small model of a 4-hart host
 * below, with one cpupool or three), which record what the commands asked
 * for.
 *
 * Usage: test_vl_sched [DIR]   DIR holds the golden files, by default
 *                              tests/unit/golden (run from the top of the
 *                              tree, as tests/run.py does)
 *
 * The golden files were written from xl's printf formats (tools/xl/
 * xl_vcpu.c, xl_sched.c) and print_bitmap() (xl_utils.c), not from vl.
 */
#define _GNU_SOURCE
#include "test.h"

#include "../../dom0-tools/libvireo/cpumap.c"
#include "../../dom0-tools/libvireo/cpupool.c"
#include "../../dom0-tools/vl/vl_fmt.c"
#include "../../dom0-tools/vl/vl_sched.c"

#define ALL ~0ULL

#include "vl_cmd_harness.h"

/* -------------------------------------------------- the host, modelled */

#define NR_CPUS 4

struct model_dom {
	uint32_t domid;
	const char *line; /* vireod's "list" line */
	int gone;	  /* listed, but gone from the hypervisor */
	unsigned nr_vcpus;
	struct vireo_vcpu_info vcpu[2];
	struct vireo_sched_credit sc;
};

static struct model_dom doms[] = {
    {0, "dom\t0\tDomain-0\t1\t0\t2\t131072\t21000000000\t0\t", 0, 2,
     {{0, 0, VIREO_VCPUSTATE_ONLINE | VIREO_VCPUSTATE_RUNNING, 0,
       12345678901ULL, ALL, ALL},
      {1, 1, VIREO_VCPUSTATE_ONLINE | VIREO_VCPUSTATE_BLOCKED, 0,
       9960000000ULL, 0x2, ALL}},
     {256, 0}},
    {3, "dom\t3\tdemo\t2\t0\t2\t16384\t1234567890\t1700000000\t/etc/vireo/"
	"demo.cfg",
     0, 2,
     {{0, 2, VIREO_VCPUSTATE_ONLINE | VIREO_VCPUSTATE_RUNNING, 0,
       1234567890ULL, 0x6, 0x4},
      {1, VIREO_HART_NONE, 0, 0, 0, 0xf, 0xf}},
     {512, 50}},
    {5, "dom\t5\tweb\t4\t0\t1\t16384\t0\t1700000000\t/etc/vireo/web.cfg", 0,
     1, {{0, 3, VIREO_VCPUSTATE_ONLINE, 0, 3600000000000ULL, 0x9, 0xb}},
     {256, 0}},
    {9, "dom\t9\tgone\t0\t0\t1\t0\t0\t0\t", 1, 1, {{0}}, {256, 0}},
};

#define NR_DOMS (sizeof(doms) / sizeof(doms[0]))

static int list_gone;	   /* "list" shows domain 9 */
static int vireod_down;	   /* vl_request fails as when it is not running */
static int params_fail;	   /* SCHED_CREDIT_PARAMS fails */
static int affinity_error; /* VCPU_AFFINITY's answer */
static struct vireo_sched_credit_params params = {30000, 1000, 10000, 0};

/*
 * The cpupools: Pool-0 with every hart, or (multi_pools) Pool-0 with
 * harts 0-2 (Domain-0, demo), rt (null, no hart) and batch (hart 3: web)
 * with parameters of its own.
 */
static int multi_pools;
static const struct vireo_cpupool one_pool[] = {
    {0, VIREO_SCHED_CREDIT, 0xf, 3, 0, "Pool-0"},
};
static const struct vireo_cpupool three_pools[] = {
    {0, VIREO_SCHED_CREDIT, 0x7, 2, 0, "Pool-0"},
    {1, VIREO_SCHED_NULL, 0, 0, 0, "rt"},
    {4, VIREO_SCHED_CREDIT, 0x8, 1, 0, "batch"},
};
static struct vireo_sched_credit_params batch_params = {5000, 0, 10000, 0};
static uint32_t last_param_pool;

/* What the commands asked the hypervisor to set. */
static struct {
	uint32_t domid, vcpu, which;
	uint64_t hard, soft;
} pins[16];
static unsigned nr_pins, nr_sets, nr_param_sets;
static uint32_t last_set;

static struct model_dom *model(uint32_t domid)
{
	for (unsigned i = 0; i < NR_DOMS; i++)
		if (doms[i].domid == domid && !doms[i].gone)
			return &doms[i];
	return NULL;
}

int vl_request(const char *const *req, unsigned nr,
	       int (*on_line)(void *arg, char **f, unsigned nr),
	       void (*on_ok)(void *arg, char **ok, unsigned nr_ok), void *arg)
{
	char line[VIREOD_LINE_MAX + 1], *f[VIREOD_FIELDS_MAX];

	(void)on_ok;
	CHECK_EQ(nr, 1);
	CHECK(!strcmp(req[0], "list"));
	if (vireod_down) {
		fprintf(stderr, "vl: cannot reach vireod\n");
		return -1;
	}
	for (unsigned i = 0; i < NR_DOMS; i++) {
		int n;

		if (doms[i].gone && !list_gone)
			continue;
		snprintf(line, sizeof(line), "%s", doms[i].line);
		n = vireod_line_split(line, f, VIREOD_FIELDS_MAX);
		CHECK(n == 10);
		if (on_line(arg, f, (unsigned)n) < 0)
			return -1;
	}
	return 0;
}

int vireo_physinfo(struct vireo *v, struct vireo_physinfo *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->nr_cpus = NR_CPUS;
	return 0;
}

int vireo_vcpu_info(struct vireo *v, uint32_t domid,
		    struct vireo_vcpu_info *info, unsigned max)
{
	struct model_dom *d = model(domid);

	if (!d)
		return VIREO_ENOENT;
	for (unsigned i = 0; i < d->nr_vcpus && i < max; i++)
		info[i] = d->vcpu[i];
	return (int)d->nr_vcpus;
}

int vireo_vcpu_affinity(struct vireo *v, uint32_t domid, uint32_t vcpu,
			uint64_t hard, uint64_t soft, uint32_t which)
{
	if (nr_pins < 16) {
		pins[nr_pins].domid = domid;
		pins[nr_pins].vcpu = vcpu;
		pins[nr_pins].which = which;
		pins[nr_pins].hard = hard;
		pins[nr_pins].soft = soft;
	}
	nr_pins++;
	return affinity_error;
}

int vireo_sched_credit(struct vireo *v, uint32_t domid,
		       struct vireo_sched_credit *sc, uint32_t set)
{
	struct model_dom *d = model(domid);

	if (!d)
		return VIREO_EINVAL;
	if (set) {
		nr_sets++;
		last_set = set;
	}
	if (set & VIREO_SCHED_SET_WEIGHT)
		d->sc.weight = sc->weight;
	if (set & VIREO_SCHED_SET_CAP)
		d->sc.cap = sc->cap;
	*sc = d->sc;
	return 0;
}

int vireo_sched_credit_params(struct vireo *v, uint32_t pool,
			      struct vireo_sched_credit_params *p,
			      uint32_t set)
{
	struct vireo_sched_credit_params *in =
		pool == 0 ? &params : multi_pools && pool == 4 ? &batch_params
							       : NULL;

	if (params_fail)
		return VIREO_EFAILED;
	if (!in)
		return VIREO_EINVAL; /* no such pool, or not credit */
	if (set == VIREO_SCHED_SET_PARAMS) {
		nr_param_sets++;
		last_param_pool = pool;
		in->tslice_us = p->tslice_us;
		in->ratelimit_us = p->ratelimit_us;
	}
	*p = *in;
	return 0;
}

int vireo_cpupool_info(struct vireo *v, uint32_t id,
		       struct vireo_cpupool *pool)
{
	const struct vireo_cpupool *l = multi_pools ? three_pools : one_pool;
	unsigned n = multi_pools ? 3 : 1;

	for (unsigned i = 0; i < n; i++) {
		if (l[i].id >= id) {
			*pool = l[i];
			return 0;
		}
	}
	return VIREO_ENOENT;
}

/* Only the pool is read: web is in batch, the others in Pool-0. */
int vireo_domain_getinfo(struct vireo *v, uint32_t domid,
			 struct vireo_domain_info *info)
{
	if (!model(domid))
		return VIREO_ENOENT;
	memset(info, 0, sizeof(*info));
	info->domid = domid;
	info->pool = multi_pools && domid == 5 ? 4 : 0;
	return 0;
}

/* ---------------------------------------------------------- harness */

/* RUN_CMD from a constant table (getopt reorders the copy it is given). */
static char *run_args(int (*fn)(int, char **), int *rc,
		      const char *const *args, unsigned max)
{
	char *argv[16] = {NULL};

	for (unsigned i = 0; i < max && i < 15 && args[i]; i++)
		argv[i] = (char *)args[i];
	return run_argv(fn, rc, argv);
}

/* ------------------------------------------------------------- formats */

/* Header and rows, straight from the format functions. */
static void test_vcpu_rows(void)
{
	char *want = golden("vcpu-list.txt"), *s;
	struct model_dom *order[] = {&doms[0], &doms[0], &doms[1], &doms[1],
				     &doms[2]};
	size_t len;
	FILE *f = open_memstream(&s, &len);

	vl_vcpu_header(f);
	for (unsigned i = 0; i < 5; i++) {
		const char *name = order[i]->domid == 0 ? "Domain-0"
				   : order[i]->domid == 3 ? "demo"
							  : "web";

		vl_vcpu_row(f, name, order[i]->domid,
			    &order[i]->vcpu[i == 1 || i == 3], NR_CPUS);
	}
	fclose(f);
	STR_IS(s, want);
	free(s);
	free(want);
}

static void test_vcpu_row_edges(void)
{
	struct vireo_vcpu_info vi = {7, VIREO_HART_NONE,
				     VIREO_VCPUSTATE_ONLINE |
					 VIREO_VCPUSTATE_BLOCKED,
				     0, 49999999, 0, 1ULL << 63};
	char *s;

	/*
	 * Online on no hart: CPU '-', its letters kept; an empty mask. The
	 * time goes through a float, as in xl: 49999999 ns is 0.05 s, "0.1".
	 */
	CAPTURE(s, vl_vcpu_row(f_, "x", 12, &vi, 64));
	STR_IS(s, "x                                   12     7    -   -b- "
		  "      0.1  none / 63\n");
	free(s);
	vi.hart = 63;
	vi.state = VIREO_VCPUSTATE_ONLINE | VIREO_VCPUSTATE_RUNNING |
		   VIREO_VCPUSTATE_BLOCKED;
	vi.cpu_time_ns = 123456789012345ULL;
	vi.hard_affinity = 0x5555555555555555ULL;
	CAPTURE(s, vl_vcpu_row(f_, "x", 12, &vi, 64));
	STR_IS(s, "x                                   12     7   63   rb- "
		  " 123456.8  0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30,32,"
		  "34,36,38,40,42,44,46,48,50,52,54,56,58,60,62 / 63\n");
	free(s);
}

static void test_credit_rows(void)
{
	struct vireo_sched_credit sc = {65535, 800};
	char *s;

	CAPTURE(s, vl_sched_credit_header(f_));
	STR_IS(s, "Name                                ID Weight  Cap\n");
	free(s);
	CAPTURE(s, vl_sched_credit_row(f_, "web", 15, &sc));
	STR_IS(s, "web                                 15  65535  800\n");
	free(s);
	CAPTURE(s, vl_sched_credit_pool(f_, "Pool-0", &params));
	STR_IS(s, "Cpupool Pool-0: tslice=30ms ratelimit=1000us "
		  "migration-delay=0us\n");
	free(s);
	CAPTURE(s, vl_sched_credit_pool(f_, "Pool-0", NULL));
	STR_IS(s, "Cpupool Pool-0: [sched params unavailable]\n");
	free(s);
}

/* ----------------------------------------------------------- vcpu-list */

static void test_vcpu_list(void)
{
	char *want = golden("vcpu-list.txt"), *s;
	int rc;

	list_gone = 1; /* gone since the list: no rows, no error (as xl) */
	s = RUN_CMD(main_vcpu_list, &rc, "vcpu-list");
	list_gone = 0;
	CHECK_EQ(rc, 0);
	STR_IS(s, want);
	STR_IS(run_err, "");
	free(s);
	free(want);
	want = golden("vcpu-list-web-demo.txt");
	s = RUN_CMD(main_vcpu_list, &rc, "vcpu-list", "web", "3");
	CHECK_EQ(rc, 0);
	STR_IS(s, want);
	free(s);
	free(want);
}

static void test_vcpu_list_errors(void)
{
	char *s;
	int rc;

	s = RUN_CMD(main_vcpu_list, &rc, "vcpu-list", "demo", "nosuch");
	CHECK_EQ(rc, 1);
	STR_IS(s, "");
	STR_IS(run_err, "Error: Domain 'nosuch' does not exist.\n");
	free(s);
	vireod_down = 1;
	s = RUN_CMD(main_vcpu_list, &rc, "vcpu-list");
	vireod_down = 0;
	CHECK_EQ(rc, 1);
	STR_IS(s, "");
	free(s);
}

/* ------------------------------------------------------------ vcpu-pin */

static void test_vcpu_pin(void)
{
	char *s;
	int rc;

	nr_pins = 0;
	s = RUN_CMD(main_vcpu_pin, &rc, "vcpu-pin", "demo", "1", "0-1",
		    "all,^3");
	CHECK_EQ(rc, 0);
	STR_IS(run_err, "");
	free(s);
	CHECK_EQ(nr_pins, 1);
	CHECK(pins[0].domid == 3 && pins[0].vcpu == 1);
	CHECK_EQ(pins[0].which, VIREO_AFFINITY_HARD | VIREO_AFFINITY_SOFT);
	CHECK_EQ(pins[0].hard, 0x3);
	CHECK_EQ(pins[0].soft, 0x7);
	/* '-' leaves the hard one; no soft one leaves the soft one. */
	nr_pins = 0;
	free(RUN_CMD(main_vcpu_pin, &rc, "vcpu-pin", "web", "0", "-", "2"));
	CHECK(rc == 0 && nr_pins == 1);
	CHECK_EQ(pins[0].which, VIREO_AFFINITY_SOFT);
	CHECK_EQ(pins[0].soft, 0x4);
	nr_pins = 0;
	free(RUN_CMD(main_vcpu_pin, &rc, "vcpu-pin", "--force", "0", "1",
		     "all"));
	CHECK(rc == 0 && nr_pins == 1);
	CHECK(pins[0].domid == 0 && pins[0].vcpu == 1);
	CHECK_EQ(pins[0].which, VIREO_AFFINITY_HARD);
	CHECK_EQ(pins[0].hard, 0xf);
	/* all: every vCPU of the domain, the same masks. */
	nr_pins = 0;
	free(RUN_CMD(main_vcpu_pin, &rc, "vcpu-pin", "demo", "all", "2",
		     "-"));
	CHECK(rc == 0 && nr_pins == 2);
	CHECK(pins[0].vcpu == 0 && pins[1].vcpu == 1);
	CHECK(pins[1].hard == 0x4 && pins[1].which == VIREO_AFFINITY_HARD);
}

/* Each refusal says why and sets nothing. */
static void test_vcpu_pin_errors(void)
{
	static const struct {
		const char *args[6];
		const char *err;
	} cases[] = {
	    {{"vcpu-pin", "demo", "x", "0"},
	     "Error: Invalid argument x as VCPU.\n"},
	    {{"vcpu-pin", "demo", "1x", "0"},
	     "Error: Invalid argument 1x as VCPU.\n"},
	    {{"vcpu-pin", "-f", "demo", "all", "0"},
	     "Error: --force and 'all' as VCPU not allowed.\n"},
	    {{"vcpu-pin", "demo", "2", "0"},
	     "vl vcpu-pin: domain 'demo' has no vCPU 2 (it has 2)\n"},
	    {{"vcpu-pin", "nosuch", "0", "0"},
	     "Error: Domain 'nosuch' does not exist.\n"},
	    {{"vcpu-pin", "demo", "0", "4"},
	     "vl vcpu-pin: hard affinity '4': CPU 4 is out of range: CPUs are "
	     "0-3\n"},
	    {{"vcpu-pin", "demo", "0", "-", "1-0"},
	     "vl vcpu-pin: soft affinity '1-0': Invalid pcpu range: 1-0.\n"},
	    {{"vcpu-pin", "demo", "0", "^2"},
	     "vl vcpu-pin: hard affinity '^2': CPU list '^2' leaves no CPU\n"},
	    {{"vcpu-pin", "demo", "0", "-", "-"},
	     "vl vcpu-pin: both affinities are '-': nothing to set\n"},
	    {{"vcpu-pin", "demo", "0", "0", "0", "0"},
	     "vl vcpu-pin: too many arguments\n"},
	};
	int rc;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nr_pins = 0;
		free(run_args(main_vcpu_pin, &rc, cases[i].args, 6));
		CHECK_EQ(rc, 1);
		CHECK_EQ(nr_pins, 0);
		STR_IS(run_err, cases[i].err);
	}
	/* The hypervisor refuses: xl's words, and the reason. */
	affinity_error = VIREO_EINVAL;
	free(RUN_CMD(main_vcpu_pin, &rc, "vcpu-pin", "demo", "all", "1"));
	affinity_error = 0;
	CHECK_EQ(rc, 1);
	STR_IS(run_err, "Could not set affinity for vcpu `0': invalid "
			"argument.\nCould not set affinity for vcpu `1': "
			"invalid argument.\n");
}

/* -------------------------------------------------------- sched-credit */

static void test_credit_show(void)
{
	char *want = golden("sched-credit.txt"), *s;
	int rc;

	s = RUN_CMD(main_sched_credit, &rc, "sched-credit");
	CHECK_EQ(rc, 0);
	STR_IS(s, want);
	free(s);
	s = RUN_CMD(main_sched_credit, &rc, "sched-credit", "-p", "Pool-0");
	CHECK_EQ(rc, 0);
	STR_IS(s, want);
	free(s);
	free(want);
	want = golden("sched-credit-d.txt");
	s = RUN_CMD(main_sched_credit, &rc, "sched-credit", "-d", "demo");
	CHECK_EQ(rc, 0);
	STR_IS(s, want);
	free(s);
	s = RUN_CMD(main_sched_credit, &rc, "sched-credit", "--domain=3");
	STR_IS(s, want);
	free(s);
	free(want);
	want = golden("sched-credit-s.txt");
	s = RUN_CMD(main_sched_credit, &rc, "sched-credit", "-s", "-p", "0");
	CHECK_EQ(rc, 0);
	STR_IS(s, want);
	free(s);
	free(want);
	/* A domain that cannot be read: the others are listed, status 1. */
	list_gone = 1;
	params_fail = 1;
	s = RUN_CMD(main_sched_credit, &rc, "sched-credit");
	list_gone = 0;
	params_fail = 0;
	CHECK_EQ(rc, 1);
	CHECK(s && !strncmp(s, "Cpupool Pool-0: [sched params unavailable]\n"
			       "Name ", 48));
	CHECK(s && strstr(s, "\nweb ") != NULL);
	STR_IS(run_err, "vl: cannot read the credit parameters of domain 9: "
			"invalid argument\n");
	free(s);
}

static void test_credit_set(void)
{
	struct model_dom *demo = model(3);
	int rc;

	nr_sets = 0;
	free(RUN_CMD(main_sched_credit, &rc, "sched-credit", "-d", "demo",
		     "-w", "1024"));
	CHECK(rc == 0 && nr_sets == 1);
	CHECK_EQ(last_set, VIREO_SCHED_SET_WEIGHT);
	CHECK(demo->sc.weight == 1024 && demo->sc.cap == 50);
	free(RUN_CMD(main_sched_credit, &rc, "sched-credit", "--domain=demo",
		     "--cap=200", "--weight=65535"));
	CHECK(rc == 0 && nr_sets == 2);
	CHECK_EQ(last_set, VIREO_SCHED_SET_WEIGHT | VIREO_SCHED_SET_CAP);
	CHECK(demo->sc.weight == 65535 && demo->sc.cap == 200);
	free(RUN_CMD(main_sched_credit, &rc, "sched-credit", "-d", "demo",
		     "-c", "0", "-w", "1"));
	CHECK(demo->sc.weight == 1 && demo->sc.cap == 0);
	demo->sc.weight = 512;
	demo->sc.cap = 50;
	/* Pool-0: the slice in ms, the rate limit in us; one call. */
	nr_param_sets = 0;
	free(RUN_CMD(main_sched_credit, &rc, "sched-credit", "-s", "-t", "5",
		     "-r", "0"));
	CHECK(rc == 0 && nr_param_sets == 1);
	CHECK(params.tslice_us == 5000 && params.ratelimit_us == 0);
	free(RUN_CMD(main_sched_credit, &rc, "sched-credit", "-s",
		     "--ratelimit_us=5000"));
	CHECK(rc == 0 && nr_param_sets == 2);
	CHECK(params.tslice_us == 5000 && params.ratelimit_us == 5000);
	free(RUN_CMD(main_sched_credit, &rc, "sched-credit", "-s",
		     "--tslice_ms=30", "-r", "1000"));
	CHECK(params.tslice_us == 30000 && params.ratelimit_us == 1000);
}

static void test_credit_errors(void)
{
	static const struct {
		const char *args[8];
		const char *err;
	} cases[] = {
	    {{"sched-credit", "-w", "5"}, "Must specify a domain.\n"},
	    {{"sched-credit", "-d", "demo", "-s"},
	     "Specifying a cpupool or schedparam is not allowed with domain "
	     "options.\n"},
	    {{"sched-credit", "-p", "Pool-0", "-c", "5"},
	     "Specifying a cpupool or schedparam is not allowed with domain "
	     "options.\n"},
	    {{"sched-credit", "-t", "5"},
	     "Must specify schedparam to set schedule parameter values.\n"},
	    {{"sched-credit", "-p", "Pool-1"}, "unknown cpupool 'Pool-1'\n"},
	    {{"sched-credit", "-s", "-p", "1"}, "unknown cpupool '1'\n"},
	    {{"sched-credit", "-d", "nosuch", "-w", "5"},
	     "Error: Domain 'nosuch' does not exist.\n"},
	    {{"sched-credit", "-d", "demo", "-w", "0"},
	     "Cpu weight out of range, valid values are within range from 1 "
	     "to 65535\n"},
	    {{"sched-credit", "-d", "demo", "-w", "65536"},
	     "Cpu weight out of range, valid values are within range from 1 "
	     "to 65535\n"},
	    {{"sched-credit", "-d", "demo", "-w", "12x"},
	     "vl sched-credit: invalid weight '12x'\n"},
	    {{"sched-credit", "-d", "demo", "-c", "201"},
	     "Cpu cap out of range, valid range is from 0 to 200 for "
	     "specified number of vcpus\n"},
	    {{"sched-credit", "-d", "web", "-c", "-1"},
	     "Cpu cap out of range, valid range is from 0 to 100 for "
	     "specified number of vcpus\n"},
	    {{"sched-credit", "-s", "-t", "0"},
	     "Time slice out of range, valid range is from 1 to 1000\n"},
	    {{"sched-credit", "-s", "-t", "1001"},
	     "Time slice out of range, valid range is from 1 to 1000\n"},
	    {{"sched-credit", "-s", "-r", "99"},
	     "Ratelimit out of range, valid range is 0 (no limit) or from 100 "
	     "to 500000\n"},
	    {{"sched-credit", "-s", "-r", "500001"},
	     "Ratelimit out of range, valid range is 0 (no limit) or from 100 "
	     "to 500000\n"},
	    {{"sched-credit", "-s", "-t", "1", "-r", "1001"},
	     "Ratelimit cannot be greater than timeslice\n"},
	    {{"sched-credit", "-s", "-r", ""},
	     "vl sched-credit: invalid rate limit ''\n"},
	    {{"sched-credit", "demo"}, "vl sched-credit: too many arguments\n"},
	};
	int rc;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nr_sets = nr_param_sets = 0;
		free(run_args(main_sched_credit, &rc, cases[i].args, 8));
		CHECK_EQ(rc, 1);
		CHECK(nr_sets == 0 && nr_param_sets == 0);
		STR_IS(run_err, cases[i].err);
	}
	CHECK(params.tslice_us == 30000 && params.ratelimit_us == 1000);
	/* Pool-0 cannot be read: nothing is set. */
	params_fail = 1;
	free(RUN_CMD(main_sched_credit, &rc, "sched-credit", "-s", "-t", "5"));
	params_fail = 0;
	CHECK(rc == 1 && nr_param_sets == 0);
	STR_IS(run_err, "vl: cannot read Pool-0's parameters: some error\n");
}

/* Three pools: each credit pool with its domains, as xl; -p one of them. */
static void test_credit_pools(void)
{
	char *want = golden("sched-credit-pools.txt"), *s;
	int rc;

	multi_pools = 1;
	s = RUN_CMD(main_sched_credit, &rc, "sched-credit");
	CHECK_EQ(rc, 0);
	STR_IS(s, want);
	STR_IS(run_err, "");
	free(s);
	free(want);
	want = golden("sched-credit-batch.txt");
	s = RUN_CMD(main_sched_credit, &rc, "sched-credit", "-p", "batch");
	CHECK_EQ(rc, 0);
	STR_IS(s, want);
	free(s);
	s = RUN_CMD(main_sched_credit, &rc, "sched-credit", "--cpupool=4");
	STR_IS(s, want);
	free(s);
	free(want);
	s = RUN_CMD(main_sched_credit, &rc, "sched-credit", "-s", "-p",
		    "batch");
	CHECK_EQ(rc, 0);
	STR_IS(s, "Cpupool batch: tslice=5ms ratelimit=0us "
		  "migration-delay=0us\n");
	free(s);
	/* -s -p: that pool's parameters, not Pool-0's. */
	nr_param_sets = 0;
	free(RUN_CMD(main_sched_credit, &rc, "sched-credit", "-s", "-p", "4",
		     "-t", "10", "-r", "200"));
	CHECK(rc == 0 && nr_param_sets == 1 && last_param_pool == 4);
	CHECK(batch_params.tslice_us == 10000 &&
	      batch_params.ratelimit_us == 200);
	CHECK(params.tslice_us == 30000 && params.ratelimit_us == 1000);
	batch_params.tslice_us = 5000;
	batch_params.ratelimit_us = 0;
	/* A null pool is no credit pool. */
	s = RUN_CMD(main_sched_credit, &rc, "sched-credit", "-p", "rt");
	CHECK_EQ(rc, 1);
	STR_IS(s, "");
	STR_IS(run_err, "vl sched-credit: cpupool 'rt' runs the null "
			"scheduler, not credit\n");
	free(s);
	free(RUN_CMD(main_sched_credit, &rc, "sched-credit", "-s", "-p", "1",
		     "-t", "10"));
	CHECK(rc == 1 && nr_param_sets == 1);
	STR_IS(run_err, "vl sched-credit: cpupool 'rt' runs the null "
			"scheduler, not credit\n");
	multi_pools = 0;
}

int main(int argc, char **argv)
{
	if (!golden_dir_ok(argc, argv))
		return 1;
	RUN(test_vcpu_rows);
	RUN(test_vcpu_row_edges);
	RUN(test_credit_rows);
	RUN(test_vcpu_list);
	RUN(test_vcpu_list_errors);
	RUN(test_vcpu_pin);
	RUN(test_vcpu_pin_errors);
	RUN(test_credit_show);
	RUN(test_credit_set);
	RUN(test_credit_errors);
	RUN(test_credit_pools);
	free(run_err);
	TEST_DONE();
}
