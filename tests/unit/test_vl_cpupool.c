/*
 * Host tests of vl's cpupool commands (dom0-tools/vl/vl_cpupool.c) and of
 * the pool config of cpupool-create (vl_cpupool_cfg.c): xl's layouts
 * against golden text files, every config key valid and not, and the
 * order of the hypercalls each command makes, over stand-ins for the
 * CPUPOOL_OP calls of libvireo (a model host of 6 harts below) that log
 * each call and can be made to fail.
 *
 * Usage: test_vl_cpupool [DIR]   DIR holds the golden files, by default
 *                                tests/unit/golden (run from the top of
 *                                the tree, as tests/run.py does)
 *
 * The golden files were written from xl's printf formats (tools/xl/
 * xl_cpupool.c: main_cpupoollist, main_cpupoolcreate), not from vl.
 */
#define _GNU_SOURCE
#include "test.h"

#include <unistd.h>

#include "../../dom0-tools/libvireo/cpumap.c"
#include "../../dom0-tools/libvireo/cpupool.c"
#include "../../dom0-tools/libvireo/xlcfg_lex.c"
#include "../../dom0-tools/libvireo/xlcfg_value.c"
#include "../../dom0-tools/vl/vl_fmt.c"
#include "../../dom0-tools/vl/vl_cpupool_cfg.c"
#include "../../dom0-tools/vl/vl_cpupool.c"

#include "vl_cmd_harness.h"

int vl_dryrun;

/* -------------------------------------------------- the host, modelled */

#define NR_CPUS 6

/* Pool-0 has harts 0-1, rt (null) 2-3; 4 and 5 are free. */
static struct vireo_cpupool hv_pools[VIREO_CPUPOOL_MAX];
static unsigned nr_hv_pools;
static uint32_t next_id;

/* Every call that changes something, one line each: "add 3 4". */
static char call_log[4096];

/* Up to two calls made to fail: op (VIREO_CPUPOOL_*), hart or domid (-1:
 * any), and the answer. */
static struct {
	int op;
	long arg;
	int rc;
} fails[2];

static void model_reset(void)
{
	static const struct vireo_cpupool init[] = {
		{0, VIREO_SCHED_CREDIT, 0x3, 2, 0, "Pool-0"},
		{3, VIREO_SCHED_NULL, 0xc, 1, 0, "rt"},
	};

	memset(hv_pools, 0, sizeof(hv_pools));
	memcpy(hv_pools, init, sizeof(init));
	nr_hv_pools = 2;
	next_id = 4;
	call_log[0] = '\0';
	memset(fails, 0, sizeof(fails));
	fails[0].op = fails[1].op = -1;
	vl_dryrun = 0;
}

static void logf_(const char *fmt, ...)
{
	size_t n = strlen(call_log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(call_log + n, sizeof(call_log) - n, fmt, ap);
	va_end(ap);
}

static int injected(uint32_t op, uint32_t arg)
{
	for (unsigned i = 0; i < 2; i++)
		if (fails[i].op == (int)op &&
		    (fails[i].arg < 0 || fails[i].arg == (long)arg))
			return fails[i].rc;
	return 0;
}

static struct vireo_cpupool *model(uint32_t id)
{
	for (unsigned i = 0; i < nr_hv_pools; i++)
		if (hv_pools[i].id == id)
			return &hv_pools[i];
	return NULL;
}

static uint64_t used_harts(void)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < nr_hv_pools; i++)
		m |= hv_pools[i].harts;
	return m;
}

int vireo_physinfo(struct vireo *v, struct vireo_physinfo *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->nr_cpus = NR_CPUS;
	return 0;
}

/* As the ABI's INFO: the pool, or the next larger (the model is sorted). */
int vireo_cpupool_info(struct vireo *v, uint32_t id,
		       struct vireo_cpupool *pool)
{
	for (unsigned i = 0; i < nr_hv_pools; i++) {
		if (hv_pools[i].id >= id) {
			*pool = hv_pools[i];
			return 0;
		}
	}
	return VIREO_ENOENT;
}

int vireo_cpupool_create(struct vireo *v, const char *name, uint32_t sched,
			 uint32_t *id)
{
	int rc = injected(VIREO_CPUPOOL_CREATE, 0);

	logf_("create %s %u\n", name, (unsigned)sched);
	if (rc)
		return rc;
	CHECK(nr_hv_pools < VIREO_CPUPOOL_MAX);
	memset(&hv_pools[nr_hv_pools], 0, sizeof(hv_pools[0]));
	hv_pools[nr_hv_pools].id = *id = next_id++;
	hv_pools[nr_hv_pools].sched = sched;
	snprintf(hv_pools[nr_hv_pools].name, sizeof(hv_pools[0].name), "%s", name);
	nr_hv_pools++;
	return 0;
}

int vireo_cpupool_destroy(struct vireo *v, uint32_t id)
{
	struct vireo_cpupool *p = model(id);
	int rc = injected(VIREO_CPUPOOL_DESTROY, id);

	logf_("destroy %u\n", (unsigned)id);
	if (rc)
		return rc;
	if (!p || p->harts || p->nr_domains || !id)
		return VIREO_EINVAL;
	*p = hv_pools[--nr_hv_pools];
	return 0;
}

int vireo_cpupool_cpu_add(struct vireo *v, uint32_t id, uint32_t hart)
{
	struct vireo_cpupool *p = model(id);
	int rc = injected(VIREO_CPUPOOL_CPU_ADD, hart);

	logf_("add %u %u\n", (unsigned)id, (unsigned)hart);
	if (rc)
		return rc;
	if (!p || hart >= NR_CPUS || used_harts() >> hart & 1)
		return VIREO_EINVAL;
	p->harts |= UINT64_C(1) << hart;
	return 0;
}

int vireo_cpupool_cpu_remove(struct vireo *v, uint32_t id, uint32_t hart)
{
	struct vireo_cpupool *p = model(id);
	int rc = injected(VIREO_CPUPOOL_CPU_REMOVE, hart);

	logf_("remove %u %u\n", (unsigned)id, (unsigned)hart);
	if (rc)
		return rc;
	if (!p || hart >= 64 || !(p->harts >> hart & 1))
		return VIREO_EINVAL;
	p->harts &= ~(UINT64_C(1) << hart);
	return 0;
}

int vireo_cpupool_migrate(struct vireo *v, uint32_t id, uint32_t domid)
{
	int rc = injected(VIREO_CPUPOOL_MIGRATE, domid);

	logf_("migrate %u %u\n", (unsigned)id, (unsigned)domid);
	return rc ? rc : model(id) ? 0 : VIREO_EINVAL;
}

/* Each domain's pool: Domain-0 and demo in Pool-0, web in rt. */
int vireo_domain_getinfo(struct vireo *v, uint32_t domid,
			 struct vireo_domain_info *info)
{
	if (domid != 0 && domid != 3 && domid != 5)
		return VIREO_ENOENT;
	memset(info, 0, sizeof(*info));
	info->domid = domid;
	info->pool = domid == 5 ? 3 : 0;
	return 0;
}

/* vireod's "list": Domain-0, demo (3, 2 vCPUs), web (5, 1 vCPU). */
int vl_request(const char *const *req, unsigned nr,
	       int (*on_line)(void *arg, char **f, unsigned nr),
	       void (*on_ok)(void *arg, char **ok, unsigned nr_ok), void *arg)
{
	static const char *const lines[] = {
		"dom\t0\tDomain-0\t1\t0\t2\t131072\t21000000000\t0\t",
		"dom\t3\tdemo\t2\t0\t2\t16384\t1234567890\t1700000000\t/a.cfg",
		"dom\t5\tweb\t4\t0\t1\t16384\t0\t1700000000\t/b.cfg",
	};
	char line[VIREOD_LINE_MAX + 1], *f[VIREOD_FIELDS_MAX];

	(void)on_ok;
	CHECK(nr == 1 && !strcmp(req[0], "list"));
	for (unsigned i = 0; i < 3; i++) {
		int n;

		snprintf(line, sizeof(line), "%s", lines[i]);
		n = vireod_line_split(line, f, VIREOD_FIELDS_MAX);
		CHECK(n == 10);
		if (on_line(arg, f, (unsigned)n) < 0)
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------- harness */

/* Run it, expecting status want_rc, stdout out, stderr err, and the calls
 * log (each NULL: not checked). */
#define EXPECT(fn, want_rc, out, err, log, ...)                              \
	do {                                                                 \
		int rc_;                                                     \
		char *s_;                                                    \
		call_log[0] = '\0';                                          \
		s_ = RUN_CMD(fn, &rc_, __VA_ARGS__);                         \
		CHECK_EQ(rc_, want_rc);                                      \
		if ((out) != NULL)                                           \
			STR_IS(s_, (const char *)(out));                     \
		if ((err) != NULL)                                           \
			STR_IS(run_err, (const char *)(err));                \
		if ((log) != NULL)                                           \
			STR_IS(call_log, (const char *)(log));               \
		free(s_);                                                    \
	} while (0)

/* ------------------------------------------------------- cpupool-list */

/* The formats alone: header and rows. */
static void test_list_formats(void)
{
	char *want = golden("cpupool-list.txt"), *want_c =
		golden("cpupool-list-c.txt"), *s;
	size_t len;
	FILE *f;

	model_reset();
	for (int c = 0; c < 2; c++) {
		f = open_memstream(&s, &len);
		pool_list_header(f, c);
		pool_list_row(f, &hv_pools[0], c);
		pool_list_row(f, &hv_pools[1], c);
		fclose(f);
		STR_IS(s, c ? want_c : want);
		free(s);
	}
	/* No CPU: an empty list, as xl prints it. */
	hv_pools[1].harts = 0;
	f = open_memstream(&s, &len);
	pool_list_row(f, &hv_pools[1], 1);
	pool_list_row(f, &hv_pools[1], 0);
	fclose(f);
	STR_IS(s, "rt                 \n"
		  "rt                   0      null       y          1\n");
	free(s);
	free(want);
	free(want_c);
}

static void test_list(void)
{
	char *all = golden("cpupool-list.txt"), *c = golden("cpupool-list-c.txt"),
	     *rt = golden("cpupool-list-rt.txt");

	model_reset();
	EXPECT(main_cpupool_list, 0, all, "", "", "cpupool-list");
	EXPECT(main_cpupool_list, 0, c, "", "", "cpupool-list", "-c");
	EXPECT(main_cpupool_list, 0, c, "", "", "cpupool-list", "--cpus");
	EXPECT(main_cpupool_list, 0, rt, "", "", "cpupool-list", "rt");
	EXPECT(main_cpupool_list, 0, rt, "", "", "cpupool-list", "3");
	EXPECT(main_cpupool_list, 1, "", "Pool 'nosuch' does not exist\n", "",
	       "cpupool-list", "nosuch");
	EXPECT(main_cpupool_list, 1, "", "Pool '1' does not exist\n", "",
	       "cpupool-list", "1");
	EXPECT(main_cpupool_list, 1, "",
	       "vl cpupool-list: too many arguments\n", "", "cpupool-list",
	       "rt", "Pool-0");
	free(all);
	free(c);
	free(rt);
}

/* ------------------------------------------------- the pool config */

static void test_cfg_valid(void)
{
	static const struct {
		const char *file, *text, *vars[4];
		const char *name;
		uint32_t sched;
		uint64_t cpus;
		const char *warn;
	} cases[] = {
	    {"t.cfg", "name = \"rt2\"\nsched = \"null\"\ncpus = \"4-5\"\n",
	     {NULL}, "rt2", VIREO_SCHED_NULL, 0x30, ""},
	    {"t.cfg", "# a pool\nname = 'b'  # quoted\ncpus = [ \"4\",\n"
		      "  \"5\", ]\n", {NULL}, "b", VIREO_SCHED_CREDIT, 0x30, ""},
	    /* No name: the file's, without its directory (as xl). */
	    {"/etc/vireo/p1.cfg", "cpus = 4\n", {NULL}, "p1.cfg",
	     VIREO_SCHED_CREDIT, 0x10, ""},
	    {"t.cfg", "name = \"c\"\nsched = \"credit\"\ncpus = \"all,^0-3\"\n",
	     {NULL}, "c", VIREO_SCHED_CREDIT, 0x30, ""},
	    {"t.cfg", "name = \"e\"\ncpus = []\n", {NULL}, "e",
	     VIREO_SCHED_CREDIT, 0, ""},
	    /* Overrides replace the file's keys, bare words and all. */
	    {"t.cfg", "name = \"a\"\nsched = \"credit\"\n",
	     {"name=b", "sched=null", "cpus=4,5", NULL}, "b", VIREO_SCHED_NULL,
	     0x30, ""},
	    {NULL, "", {"name=x", "cpus=[\"5\"]", NULL}, "x",
	     VIREO_SCHED_CREDIT, 0x20, ""},
	    {"t.cfg", "name = \"w\"\nfoo = 1\n", {"bar=2", NULL}, "w",
	     VIREO_SCHED_CREDIT, 0,
	     "t.cfg:2: warning: unknown key 'foo' ignored\n"
	     "override 'bar=2': warning: unknown key 'bar' ignored\n"},
	    {"t.cfg", "name = \"Pool_1.a-b\"\n", {NULL}, "Pool_1.a-b",
	     VIREO_SCHED_CREDIT, 0, ""},
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *vars[4] = {NULL}, err[256] = "", *w = NULL;
		struct vl_pool_cfg cfg;
		unsigned n = 0;
		size_t len;
		FILE *f = open_memstream(&w, &len);

		while (n < 4 && cases[i].vars[n]) {
			vars[n] = (char *)cases[i].vars[n];
			n++;
		}
		CHECK_EQ(vl_pool_cfg_parse(cases[i].file, cases[i].text, vars,
					   n, NR_CPUS, &cfg, f, err,
					   sizeof(err)), 0);
		fclose(f);
		STR_IS(err, "");
		STR_IS(cfg.name, cases[i].name);
		CHECK_EQ(cfg.sched, cases[i].sched);
		CHECK_EQ(cfg.cpus, cases[i].cpus);
		STR_IS(w, cases[i].warn);
		free(w);
	}
}

static void test_cfg_invalid(void)
{
	static const struct {
		const char *file, *text, *var, *err;
	} cases[] = {
	    {NULL, "", NULL, "Missing cpupool name!"},
	    {NULL, "sched = \"null\"\n", NULL, "Missing cpupool name!"},
	    {"t.cfg", "name = 5\n", NULL, "t.cfg:1: name must be a string"},
	    {"t.cfg", "name = [\"a\"]\n", NULL,
	     "t.cfg:1: name must be a string"},
	    {"t.cfg", "name = \"a b\"\n", NULL,
	     "t.cfg:1: cpupool name 'a b' must be 1 to 31 characters from "
	     "A-Z a-z 0-9 _ . -"},
	    {"t.cfg", "name = \"\"\n", NULL,
	     "t.cfg:1: cpupool name '' must be 1 to 31 characters from A-Z "
	     "a-z 0-9 _ . -"},
	    {"t.cfg", "name = \"abcdefghijklmnopqrstuvwxyz789012\"\n", NULL,
	     "t.cfg:1: cpupool name 'abcdefghijklmnopqrstuvwxyz789012' must "
	     "be 1 to 31 characters from A-Z a-z 0-9 _ . -"},
	    {"dir/my pool", "", NULL,
	     "dir/my pool: cpupool name 'my pool' must be 1 to 31 characters "
	     "from A-Z a-z 0-9 _ . -"},
	    {"t.cfg", "\nname = \"12\"\n", NULL,
	     "t.cfg:2: cpupool name '12' is a number, which names a pool by "
	     "its id"},
	    {"t.cfg", "name = \"a\"\nsched = \"credit2\"\n", NULL,
	     "t.cfg:2: Unknown scheduler 'credit2': a cpupool runs \"credit\" "
	     "or \"null\""},
	    {"t.cfg", "name = \"a\"\nsched = 1\n", NULL,
	     "t.cfg:2: sched must be a string"},
	    {"t.cfg", "name = \"a\"\ncpus = \"4-9\"\n", NULL,
	     "t.cfg:2: cpus '4-9': CPU 9 is out of range: CPUs are 0-5"},
	    {"t.cfg", "name = \"a\"\ncpus = \"x\"\n", NULL,
	     "t.cfg:2: cpus 'x': Invalid pcpu range: x."},
	    {"t.cfg", "name = \"a\"\ncpus = \"node:0\"\n", NULL,
	     "t.cfg:2: cpus 'node:0': NUMA nodes are not supported: 'node:0'"},
	    {"t.cfg", "name = \"a\"\ncpus = [\"4\", \"5-6\"]\n", NULL,
	     "t.cfg:2: cpus: list item '5-6' is not a CPU number"},
	    {"t.cfg", "name = \"a\"\ncpus = [\n  \"4\",\n  \"9\"\n]\n", NULL,
	     "t.cfg:4: cpus: CPU 9 is out of range: CPUs are 0-5"},
	    {"t.cfg", "name = \"a\"\ncpus = [\"\"]\n", NULL,
	     "t.cfg:2: cpus: list item '' is not a CPU number"},
	    {"t.cfg", "name = \"a\"\nnodes = [\"0\"]\n", NULL,
	     "t.cfg:2: nodes: Vireo has no NUMA nodes: give the pool's CPUs "
	     "with cpus="},
	    {"t.cfg", "name = \"a\"\nname = \"b\"\n", NULL,
	     "t.cfg:2: duplicate key 'name'"},
	    {"t.cfg", "name = rt\n", NULL,
	     "t.cfg:1: invalid value for 'name' (strings must be quoted)"},
	    {"t.cfg", "name = \"a\"\n", "sched=rtds",
	     "override 'sched=rtds': Unknown scheduler 'rtds': a cpupool runs "
	     "\"credit\" or \"null\""},
	    {"t.cfg", "name = \"a\"\n", "cpus=1-",
	     "override 'cpus=1-': cpus '1-': Invalid pcpu range: 1-."},
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *vars[1] = {(char *)cases[i].var}, err[256] = "";
		struct vl_pool_cfg cfg;

		CHECK_EQ(vl_pool_cfg_parse(cases[i].file, cases[i].text, vars,
					   cases[i].var ? 1 : 0, NR_CPUS, &cfg,
					   stderr, err, sizeof(err)), -1);
		STR_IS(err, cases[i].err);
	}
}

/* ----------------------------------------------------- cpupool-create */

static void test_create(void)
{
	char *want = golden("cpupool-create-n.txt"), path[] = "/tmp/vlpoolXXXXXX";
	char first[128];
	int fd;

	/* Dry runs (-n, --dryrun, vl -N): checked and shown, no call. */
	model_reset();
	EXPECT(main_cpupool_create, 0, want, "", "", "cpupool-create", "-n",
	       "name=rt2", "sched=null", "cpus=4-5");
	EXPECT(main_cpupool_create, 0, want, "", "", "cpupool-create",
	       "name=rt2", "--dryrun", "sched=null", "cpus=[\"4\", \"5\"]");
	vl_dryrun = 1;
	EXPECT(main_cpupool_create, 0, want, "", "", "cpupool-create",
	       "name=rt2", "sched=null", "cpus=4,5");
	vl_dryrun = 0;
	/* CREATE, then CPU_ADD for each hart. */
	EXPECT(main_cpupool_create, 0, want, "",
	       "create rt2 1\nadd 4 4\nadd 4 5\n", "cpupool-create",
	       "name=rt2", "sched=null", "cpus=4-5");
	CHECK(model(4) && model(4)->harts == 0x30);
	/* From a file, given as an argument or with -f. */
	model_reset();
	fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, "name = \"f\"\ncpus = [\"4\"]\n", 24) == 24);
	close(fd);
	snprintf(first, sizeof(first), "Using config file \"%s\"\n"
		 "cpupool name:   f\nscheduler:      credit\n"
		 "number of cpus: 1\n", path);
	EXPECT(main_cpupool_create, 0, first, "", "create f 0\nadd 4 4\n",
	       "cpupool-create", path);
	model_reset();
	EXPECT(main_cpupool_create, 0, NULL, "", "create g 0\nadd 4 5\n",
	       "cpupool-create", "-f", path, "name=g", "cpus=5");
	unlink(path);
	free(want);
}

static void test_create_refused(void)
{
	model_reset();
	EXPECT(main_cpupool_create, 1, "", "Pool name \"rt\" already exists\n",
	       "", "cpupool-create", "name=rt");
	/* xl's rule: a CPU must be free (out of Pool-0) first. */
	EXPECT(main_cpupool_create, 1, "",
	       "cpu 1 illegal or not free: it is in cpupool 'Pool-0' (take it "
	       "out first: vl cpupool-cpu-remove Pool-0 1)\n"
	       "cpu 2 illegal or not free: it is in cpupool 'rt' (take it out "
	       "first: vl cpupool-cpu-remove rt 2)\n",
	       "", "cpupool-create", "name=x", "cpus=1-2,4");
	EXPECT(main_cpupool_create, 1, "", "Missing cpupool name!\n", "",
	       "cpupool-create", "cpus=4");
	EXPECT(main_cpupool_create, 1, "",
	       "override 'sched = \"rtds\"': Unknown scheduler 'rtds': a "
	       "cpupool runs \"credit\" or \"null\"\n", "",
	       "cpupool-create", "sched = \"rtds\"", "name=x");
	EXPECT(main_cpupool_create, 1, "",
	       "Failed to read config file: /nonexistent/p.cfg: No such file "
	       "or directory\n", "", "cpupool-create", "/nonexistent/p.cfg");
	EXPECT(main_cpupool_create, 1, "",
	       "vl cpupool-create: too many arguments\n", "",
	       "cpupool-create", "a.cfg", "b.cfg");
}

/* A CPU_ADD that fails undoes the rest: the harts out, the pool gone. */
static void test_create_undo(void)
{
	model_reset();
	fails[0].op = VIREO_CPUPOOL_CPU_ADD;
	fails[0].arg = 5;
	fails[0].rc = VIREO_EINVAL;
	EXPECT(main_cpupool_create, 1, NULL,
	       "vl cpupool-create: cannot add cpu 5 to cpupool 'rt2': invalid "
	       "argument\nvl cpupool-create: cpupool 'rt2' removed again\n"
	       "error on creating cpupool\n",
	       "create rt2 1\nadd 4 4\nadd 4 5\nremove 4 4\ndestroy 4\n",
	       "cpupool-create", "name=rt2", "sched=null", "cpus=4-5");
	CHECK(nr_hv_pools == 2 && !model(4) && used_harts() == 0xf);
	/* The first hart: nothing to take back. */
	fails[0].arg = 4;
	EXPECT(main_cpupool_create, 1, NULL, NULL,
	       "create rt2 1\nadd 5 4\ndestroy 5\n", "cpupool-create",
	       "name=rt2", "sched=null", "cpus=4-5");
	CHECK(nr_hv_pools == 2 && used_harts() == 0xf);
	/* The undo fails too: said, with how to finish it. */
	fails[0].arg = 5;
	fails[1].op = VIREO_CPUPOOL_CPU_REMOVE;
	fails[1].arg = 4;
	fails[1].rc = VIREO_EFAILED;
	EXPECT(main_cpupool_create, 1, NULL,
	       "vl cpupool-create: cannot add cpu 5 to cpupool 'rt2': invalid "
	       "argument\nvl cpupool-create: cannot take cpu 4 back out of "
	       "cpupool 'rt2': some error\nvl cpupool-create: cpupool 'rt2' is "
	       "left half-made (some error): 'vl cpupool-destroy rt2' removes "
	       "it\nerror on creating cpupool\n",
	       "create rt2 1\nadd 6 4\nadd 6 5\nremove 6 4\n", "cpupool-create",
	       "name=rt2", "sched=null", "cpus=4-5");
	/* CREATE itself refused. */
	model_reset();
	fails[0].op = VIREO_CPUPOOL_CREATE;
	fails[0].arg = -1;
	fails[0].rc = VIREO_EFAILED;
	EXPECT(main_cpupool_create, 1, NULL,
	       "vl cpupool-create: cannot create cpupool 'rt2': some error\n"
	       "error on creating cpupool\n", "create rt2 0\n",
	       "cpupool-create", "name=rt2", "cpus=4-5");
}

/* ---------------------------------------------------- cpupool-destroy */

static void test_destroy(void)
{
	model_reset();
	EXPECT(main_cpupool_destroy, 1, "",
	       "vl cpupool-destroy: cpupool 'rt' still has 1 domain(s): move "
	       "them out first (vl cpupool-migrate)\nCan't destroy cpupool "
	       "'rt'\n", "", "cpupool-destroy", "rt");
	EXPECT(main_cpupool_destroy, 1, "",
	       "vl cpupool-destroy: Pool-0 holds Domain-0 and is never "
	       "destroyed\nCan't destroy cpupool '0'\n", "", "cpupool-destroy",
	       "0");
	EXPECT(main_cpupool_destroy, 1, "", "unknown cpupool 'x'\n", "",
	       "cpupool-destroy", "x");
	/* Its harts out first, then the pool, as xl. */
	model(3)->nr_domains = 0;
	EXPECT(main_cpupool_destroy, 0, "", "",
	       "remove 3 2\nremove 3 3\ndestroy 3\n", "cpupool-destroy", "3");
	CHECK(nr_hv_pools == 1 && used_harts() == 0x3);
	/* A hart that cannot go: the others come back. */
	model_reset();
	model(3)->nr_domains = 0;
	fails[0].op = VIREO_CPUPOOL_CPU_REMOVE;
	fails[0].arg = 3;
	fails[0].rc = VIREO_EDENIED;
	EXPECT(main_cpupool_destroy, 1, "",
	       "vl cpupool-destroy: cannot take cpu 3 out of cpupool 'rt': "
	       "some error\nCan't destroy cpupool 'rt'\n",
	       "remove 3 2\nremove 3 3\nadd 3 2\n", "cpupool-destroy", "rt");
	CHECK(model(3) && model(3)->harts == 0xc);
	fails[0].op = VIREO_CPUPOOL_DESTROY;
	fails[0].arg = -1;
	EXPECT(main_cpupool_destroy, 1, "",
	       "vl cpupool-destroy: some error\nCan't destroy cpupool 'rt'\n",
	       "remove 3 2\nremove 3 3\ndestroy 3\nadd 3 2\nadd 3 3\n",
	       "cpupool-destroy", "rt");
	CHECK(model(3) && model(3)->harts == 0xc);
}

/* -------------------------------------------- cpupool-cpu-add, -remove */

static void test_cpu_add(void)
{
	model_reset();
	EXPECT(main_cpupool_cpu_add, 0, "", "", "add 3 4\n", "cpupool-cpu-add",
	       "rt", "4");
	model_reset();
	EXPECT(main_cpupool_cpu_add, 0, "", "", "add 3 4\nadd 3 5\n",
	       "cpupool-cpu-add", "3", "4-5");
	/* One already there: left as it is. */
	model_reset();
	EXPECT(main_cpupool_cpu_add, 0, "", "", "add 3 4\n", "cpupool-cpu-add",
	       "rt", "2,4");
	/* Decoded first: one not free, nothing added. */
	EXPECT(main_cpupool_cpu_add, 1, "",
	       "vl cpupool-cpu-add: cpu 1 is in cpupool 'Pool-0': take it out "
	       "first (vl cpupool-cpu-remove Pool-0 1)\n", "",
	       "cpupool-cpu-add", "rt", "1,5");
	EXPECT(main_cpupool_cpu_add, 1, "",
	       "vl cpupool-cpu-add: 'node:0': Vireo has no NUMA nodes: give "
	       "CPU numbers (2, 2-3, 2,3)\n", "", "cpupool-cpu-add", "rt",
	       "node:0");
	EXPECT(main_cpupool_cpu_add, 1, "",
	       "vl cpupool-cpu-add: CPU list '9': CPU 9 is out of range: CPUs "
	       "are 0-5\n", "", "cpupool-cpu-add", "rt", "9");
	EXPECT(main_cpupool_cpu_add, 1, "", "unknown cpupool 'nosuch'\n", "",
	       "cpupool-cpu-add", "nosuch", "5");
	EXPECT(main_cpupool_cpu_add, 1, "",
	       "vl cpupool-cpu-add: too many arguments\n", "",
	       "cpupool-cpu-add", "rt", "5", "4");
	fails[0].op = VIREO_CPUPOOL_CPU_ADD;
	fails[0].arg = 5;
	fails[0].rc = VIREO_EINVAL;
	EXPECT(main_cpupool_cpu_add, 1, "",
	       "vl cpupool-cpu-add: cannot add cpu 5 to cpupool 'rt': invalid "
	       "argument\nsome cpus may not have been added to rt\n",
	       "add 3 5\n", "cpupool-cpu-add", "rt", "5");
}

static void test_cpu_remove(void)
{
	static const char xl_words[] =
	    "Some cpus may have not or only partially been removed from "
	    "'rt'.\nIf a cpu can't be added to another cpupool, add it to "
	    "'rt' again and retry.\n";
	char err[512];

	model_reset();
	EXPECT(main_cpupool_cpu_remove, 0, "", "", "remove 0 1\n",
	       "cpupool-cpu-remove", "Pool-0", "1");
	CHECK_EQ(model(0)->harts, 0x1);
	EXPECT(main_cpupool_cpu_remove, 1, "",
	       "vl cpupool-cpu-remove: cpu 4 is not in cpupool 'Pool-0'\n", "",
	       "cpupool-cpu-remove", "0", "0,4");
	EXPECT(main_cpupool_cpu_remove, 1, "",
	       "vl cpupool-cpu-remove: 'nodes:1': Vireo has no NUMA nodes: "
	       "give CPU numbers (2, 2-3, 2,3)\n", "", "cpupool-cpu-remove",
	       "rt", "nodes:1");
	/* The hypervisor refuses: why, for a null pool and otherwise. */
	fails[0].op = VIREO_CPUPOOL_CPU_REMOVE;
	fails[0].arg = 3;
	fails[0].rc = VIREO_EPOOLFULL;
	snprintf(err, sizeof(err), "vl cpupool-cpu-remove: cpu 3 cannot leave "
		 "cpupool 'rt': it runs the null scheduler and its vCPUs need "
		 "every CPU it has\n%s", xl_words);
	EXPECT(main_cpupool_cpu_remove, 1, "", err, "remove 3 2\nremove 3 3\n",
	       "cpupool-cpu-remove", "rt", "2-3");
	model_reset();
	fails[0].op = VIREO_CPUPOOL_CPU_REMOVE;
	fails[0].arg = 3;
	fails[0].rc = VIREO_EINVAL;
	snprintf(err, sizeof(err), "vl cpupool-cpu-remove: cpu 3 cannot leave "
		 "cpupool 'rt': a vCPU would be left with no CPU to run on (the "
		 "pool's last CPU, the only CPU of a vCPU's hard affinity, or "
		 "the boot CPU of Pool-0)\n%s", xl_words);
	EXPECT(main_cpupool_cpu_remove, 1, "", err, "remove 3 3\n",
	       "cpupool-cpu-remove", "rt", "3");
}

/* ---------------------------------------------------- cpupool-migrate */

static void test_migrate(void)
{
	model_reset();
	EXPECT(main_cpupool_migrate, 0, "", "", "migrate 3 3\n",
	       "cpupool-migrate", "demo", "rt");
	EXPECT(main_cpupool_migrate, 0, "", "", "migrate 0 5\n",
	       "cpupool-migrate", "5", "0");
	/* Where it is already (Domain-0 too): nothing to do, as in Xen. */
	EXPECT(main_cpupool_migrate, 0, "", "", "", "cpupool-migrate", "web",
	       "rt");
	EXPECT(main_cpupool_migrate, 0, "", "", "", "cpupool-migrate",
	       "Domain-0", "Pool-0");
	EXPECT(main_cpupool_migrate, 1, "", "unknown domain 'x'\n", "",
	       "cpupool-migrate", "x", "rt");
	EXPECT(main_cpupool_migrate, 1, "", "unknown cpupool 'x'\n", "",
	       "cpupool-migrate", "demo", "x");
	EXPECT(main_cpupool_migrate, 1, "",
	       "vl cpupool-migrate: Domain-0 cannot leave Pool-0\n", "",
	       "cpupool-migrate", "Domain-0", "rt");
	/* A pool without a CPU: nothing could run the domain. */
	hv_pools[nr_hv_pools++] = (struct vireo_cpupool){4, 0, 0, 0, 0, "empty"};
	EXPECT(main_cpupool_migrate, 1, "",
	       "vl cpupool-migrate: cpupool 'empty' has no CPU: give it some "
	       "first (vl cpupool-cpu-add empty CPUS)\n", "",
	       "cpupool-migrate", "demo", "4");
	fails[0].op = VIREO_CPUPOOL_MIGRATE;
	fails[0].arg = 3;
	fails[0].rc = VIREO_EPOOLFULL;
	EXPECT(main_cpupool_migrate, 1, "",
	       "vl cpupool-migrate: pool 'rt' runs the null scheduler and has "
	       "no free CPU for domain 'demo''s 2 vCPUs\n", "migrate 3 3\n",
	       "cpupool-migrate", "demo", "rt");
	fails[0].op = VIREO_CPUPOOL_MIGRATE;
	fails[0].arg = 5;
	fails[0].rc = VIREO_EINVAL;
	EXPECT(main_cpupool_migrate, 1, "",
	       "vl cpupool-migrate: cannot move domain 'web' to cpupool "
	       "'Pool-0': invalid argument\n", "migrate 0 5\n",
	       "cpupool-migrate", "web", "Pool-0");
	EXPECT(main_cpupool_migrate, 1, "",
	       "vl cpupool-migrate: too many arguments\n", "",
	       "cpupool-migrate", "demo", "rt", "x");
}

int main(int argc, char **argv)
{
	if (!golden_dir_ok(argc, argv))
		return 1;
	RUN(test_list_formats);
	RUN(test_list);
	RUN(test_cfg_valid);
	RUN(test_cfg_invalid);
	RUN(test_create);
	RUN(test_create_refused);
	RUN(test_create_undo);
	RUN(test_destroy);
	RUN(test_cpu_add);
	RUN(test_cpu_remove);
	RUN(test_migrate);
	free(run_err);
	TEST_DONE();
}
