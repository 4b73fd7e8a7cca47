/*
 * The xl.cfg parser (dom0-tools/libvireo/xlcfg*.c), driven by golden files.
 *
 * Usage: test_xlcfg [DIR]     DIR defaults to tests/unit/xlcfg (run from
 *                             the top of the tree, as tests/run.py does)
 *
 * For each DIR/NAME.cfg there is either NAME.json, the exact output of
 * xlcfg_to_json() (`vl -N create`), or NAME.err, the exact error message;
 * NAME.warn, if present, holds the expected warnings one a line (no file:
 * no warnings). NAME.dev lists the parsed devices (struct xlcfg's disks,
 * vifs and virtios), one a line, and must be there if and only if the
 * config has any:
 *   disk VDEV rw|ro TARGET
 *   vif MAC|random BRIDGE VIFNAME|-
 *   virtio ID NAME
 * The test parses from inside DIR, so messages read
 * "NAME.cfg:LINE: ...". Overrides, file errors and the API's edges are
 * checked in code below, and every allocation of a parse is made to fail
 * in turn, which must give "out of memory" and leak nothing (ASan).
 */
#define TEST_NO_PRINTK
#include "test.h"

#include <dirent.h>
#include <errno.h>
#include <unistd.h>

#define DEFAULT_DIR "tests/unit/xlcfg"

/* Fail the allocation that brings the countdown to zero; -1: never. */
static long alloc_countdown = -1;

static int alloc_should_fail(void)
{
	return alloc_countdown >= 0 && alloc_countdown-- == 0;
}

static void *test_malloc(size_t n)
{
	return alloc_should_fail() ? NULL : malloc(n);
}

static void *test_realloc(void *p, size_t n)
{
	return alloc_should_fail() ? NULL : realloc(p, n);
}

#define malloc(n) test_malloc(n)
#define realloc(p, n) test_realloc(p, n)
#include "../../dom0-tools/libvireo/xlcfg_lex.c"
#include "../../dom0-tools/libvireo/xlcfg_value.c"
#include "../../dom0-tools/libvireo/xlcfg.c"
#include "../../dom0-tools/libvireo/xlcfg_parse.c"
#include "../../dom0-tools/libvireo/xlcfg_json.c"
#include "../../dom0-tools/libvireo/xlcfg_dev.c"
#include "../../dom0-tools/libvireo/xlcfg_vif.c"
#include "../../dom0-tools/libvireo/xlcfg_devlist.c"
#include "../../dom0-tools/libvireo/xlcfg_sched.c"
#include "../../dom0-tools/libvireo/cpumap.c"
#undef malloc
#undef realloc

#define ERRLEN 512
#define ALLOC_TRIES_MAX 10000 /* a parse that never succeeds fails, not hangs */

/* ------------------------------------------------------------- helpers */

static void check_str(const char *what, const char *got, const char *want)
{
	test_checks++;
	if (got && want && !strcmp(got, want))
		return;
	test_failures++;
	fprintf(stderr, "%s:\n--- expected\n%s\n--- got\n%s\n---\n", what,
		want ? want : "(none)", got ? got : "(none)");
}

static int is_zeroed(const struct xlcfg *c)
{
	static const struct xlcfg zero;

	return !memcmp(c, &zero, sizeof(zero));
}

/* The whole file, or NULL if it does not exist. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	buf = calloc(1, 1 << 20);
	if (buf)
		len = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

static void chomp(char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n && s[n - 1] == '\n')
		s[n - 1] = '\0';
}

static char *to_json(const struct xlcfg *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	CHECK_EQ(xlcfg_to_json(c, f), 0);
	fclose(f);
	return buf;
}

/* The warnings, one a line, as in NAME.warn. */
static char *join_warnings(const struct xlcfg *c)
{
	size_t n = 1;
	unsigned i;
	char *s;

	for (i = 0; i < c->nr_warnings; i++)
		n += strlen(c->warnings[i]) + 1;
	s = calloc(1, n);
	for (i = 0; s && i < c->nr_warnings; i++) {
		strcat(s, c->warnings[i]);
		strcat(s, "\n");
	}
	return s;
}

/* The parsed devices, as in NAME.dev; "" if there are none. */
static char *dump_devices(const struct xlcfg *c)
{
	char *buf = NULL, mac[XLCFG_MAC_STRLEN];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	unsigned i;

	if (!f)
		return NULL;
	for (i = 0; i < c->nr_disks; i++)
		fprintf(f, "disk %s %s %s\n", c->disks[i].vdev,
			c->disks[i].readonly ? "ro" : "rw", c->disks[i].target);
	for (i = 0; i < c->nr_vifs; i++) {
		const struct xlcfg_vif *v = &c->vifs[i];

		CHECK_EQ(xlcfg_format_mac(v->mac, mac, sizeof(mac)), 0);
		fprintf(f, "vif %s %s %s\n", v->mac_set ? mac : "random",
			v->bridge, v->vifname[0] ? v->vifname : "-");
	}
	for (i = 0; i < c->nr_virtios; i++)
		fprintf(f, "virtio %u %s\n", c->virtios[i].device_id,
			xlcfg_virtio_name(c->virtios[i].device_id));
	fclose(f);
	return buf;
}

/* --------------------------------------------------------- golden files */

static void check_golden(const char *base)
{
	char cfg[256], path[256], err[ERRLEN], *want_json, *want_err, *warn;
	char *want_dev, *got;
	struct xlcfg c;
	int rc;

	snprintf(cfg, sizeof(cfg), "%s.cfg", base);
	snprintf(path, sizeof(path), "%s.json", base);
	want_json = slurp(path);
	snprintf(path, sizeof(path), "%s.err", base);
	want_err = slurp(path);
	snprintf(path, sizeof(path), "%s.warn", base);
	warn = slurp(path);
	snprintf(path, sizeof(path), "%s.dev", base);
	want_dev = slurp(path);
	chomp(want_err);
	if (!want_json == !want_err || (want_err && want_dev)) {
		fprintf(stderr,
			"%s: needs exactly one of .json and .err, and no "
			".dev with .err\n",
			cfg);
		CHECK(0);
		goto out;
	}
	rc = xlcfg_parse_file(cfg, NULL, 0, &c, err, sizeof(err));
	if (want_err) {
		CHECK_EQ(rc, -1);
		check_str(cfg, rc ? err : "(parsed)", want_err);
		CHECK(is_zeroed(&c));
		goto out;
	}
	check_str(cfg, rc ? err : "(parsed)", "(parsed)");
	snprintf(path, sizeof(path), "%s.json", base);
	got = rc ? NULL : to_json(&c);
	check_str(path, got, want_json);
	free(got);
	snprintf(path, sizeof(path), "%s.warn", base);
	got = join_warnings(&c);
	check_str(path, got, warn ? warn : "");
	free(got);
	snprintf(path, sizeof(path), "%s.dev", base);
	got = dump_devices(&c);
	check_str(path, got, want_dev ? want_dev : "");
	CHECK(!want_dev == !(c.nr_disks + c.nr_vifs + c.nr_virtios));
	free(got);
	xlcfg_free(&c);
out:
	free(want_dev);
	free(want_json);
	free(want_err);
	free(warn);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every NAME.cfg in the current directory, in name order. */
static void test_golden_files(void)
{
	char *names[256];
	unsigned n = 0, i;
	struct dirent *d;
	DIR *dir = opendir(".");

	CHECK(dir != NULL);
	while (dir && (d = readdir(dir)) && n < 256) {
		size_t len = strlen(d->d_name);

		if (len > 4 && !strcmp(d->d_name + len - 4, ".cfg"))
			names[n++] = strndup(d->d_name, len - 4);
	}
	if (dir)
		closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (i = 0; i < n; i++) {
		check_golden(names[i]);
		free(names[i]);
	}
	printf("     %u golden files\n", n);
	CHECK(n >= 18 && n < 256);
}

/* ------------------------------------------------------------ overrides */

static const char base_cfg[] = "name = 'base'\n"
			       "memory = 256\n"
			       "kernel = '/boot/Image'\n"
			       "ramdisk = '/boot/initrd'\n"
			       "vif = [ 'bridge=br0' ]\n";

static int parse_with(const char *text, const char *const *ov, unsigned n,
		      struct xlcfg *c, char *err)
{
	return xlcfg_parse_string("base.cfg", text, ov, n, c, err, ERRLEN);
}

static void test_override_replace_and_add(void)
{
	static const char *const ov[] = {
	    "memory=512",	    /* replaces, bare number */
	    "name=\"web1\"",	    /* replaces, quoted as in the file */
	    "vcpus=2",		    /* adds */
	    "extra='console=hvc0'", /* adds, single quotes */
	    "disk=['phy:/dev/vdb,xvda,w']",
	    "maxmem=0x400",	 /* bare hex */
	    "on_crash=preserve", /* bare word as a string */
	    "vif=[]",		 /* replaces a list with an empty one */
	};
	char err[ERRLEN];
	struct xlcfg c;

	CHECK_EQ(parse_with(base_cfg, ov, 8, &c, err), 0);
	check_str("name", c.name, "web1");
	CHECK_EQ(c.memory_mib, 512);
	CHECK_EQ(c.maxmem_mib, 1024);
	CHECK_EQ(c.vcpus, 2);
	check_str("cmdline", c.cmdline, "console=hvc0");
	CHECK_EQ(c.nr_disk, 1);
	CHECK_EQ(c.nr_disks, 1);
	if (c.nr_disks) {
		check_str("disk", c.disk[0], "phy:/dev/vdb,xvda,w");
		check_str("vdev", c.disks[0].vdev, "xvda");
		check_str("target", c.disks[0].target, "/dev/vdb");
	}
	CHECK_EQ(c.nr_vif, 0);
	CHECK_EQ(c.nr_vifs, 0);
	CHECK(c.vifs == NULL);
	CHECK_EQ(c.on_crash, XLCFG_ACTION_PRESERVE);
	CHECK_EQ(c.nr_warnings, 0);
	xlcfg_free(&c);
}

static void test_override_forms(void)
{
	static const char *const bare_words[] = {"extra=console=hvc0 quiet  ",
						 "ramdisk=\"\""};
	static const char *const last_wins[] = {"vcpus=2", "vcpus=3"};
	static const char *const two_lines[] = {"vcpus=4\nmemory = 128"};
	static const char *const unknown[] = {"builder='generic'"};
	static const char *const kernel[] = {"kernel=/boot/Image"};
	char err[ERRLEN];
	struct xlcfg c;

	/* A bare word is the rest of the line; "" removes the ramdisk. */
	CHECK_EQ(parse_with(base_cfg, bare_words, 2, &c, err), 0);
	check_str("bare cmdline", c.cmdline, "console=hvc0 quiet");
	CHECK(c.ramdisk == NULL);
	xlcfg_free(&c);
	CHECK_EQ(parse_with(base_cfg, last_wins, 2, &c, err), 0);
	CHECK_EQ(c.vcpus, 3);
	xlcfg_free(&c);
	CHECK_EQ(parse_with(base_cfg, two_lines, 1, &c, err), 0);
	CHECK_EQ(c.vcpus, 4);
	CHECK_EQ(c.memory_mib, 128);
	xlcfg_free(&c);
	CHECK_EQ(parse_with(base_cfg, unknown, 1, &c, err), 0);
	CHECK_EQ(c.nr_warnings, 1);
	if (c.nr_warnings)
		check_str("override warning", c.warnings[0],
			  "override 'builder='generic'': warning: unknown key "
			  "'builder' ignored");
	xlcfg_free(&c);
	/* An override may supply a required key the file lacks. */
	CHECK_EQ(parse_with("name='x'\nmemory=64\n", kernel, 1, &c, err), 0);
	check_str("kernel", c.kernel, "/boot/Image");
	xlcfg_free(&c);
}

static void test_override_errors(void)
{
	static const struct {
		const char *ov, *err;
	} cases[] = {
	    {"memory=abc",
	     "override 'memory=abc': memory must be a positive integer"},
	    {"memory=0",
	     "override 'memory=0': memory must be a positive integer"},
	    {"vcpus=9",
	     "override 'vcpus=9': vcpus must be an integer from 1 to 8"},
	    {"memory=99999999999999999999",
	     "override 'memory=99999999999999999999': number "
	     "'99999999999999999999' is out of range"},
	    {"memory", "override 'memory': expected '=' after 'memory'"},
	    {"=5", "override '=5': syntax error: expected 'key = value'"},
	    {"name=", "override 'name=': missing value for 'name'"},
	    {"name=\"web", "override 'name=\"web': unterminated string"},
	    {"name='a' b",
	     "override 'name='a' b': unexpected text after the value"},
	    {"name=has space", "override 'name=has space': name must be 1 to "
			       "31 characters from A-Z a-z 0-9 _ . -"},
	    {"on_crash=explode",
	     "override 'on_crash=explode': on_crash must be one of destroy, "
	     "restart, preserve, rename-restart"},
	    {"disk='a'", "override 'disk='a'': disk must be a list of strings"},
	    {"maxmem=128", "override 'maxmem=128': maxmem (128 MiB) is less "
			   "than memory (256 MiB)"},
	    {"kernel=''", "override 'kernel=''': kernel must not be empty"},
	    {"cap=101", "override 'cap=101': cap (101) is more than 100 per "
			"vCPU: at most 100 with vcpus = 1"},
	    {"cpus=0-x",
	     "override 'cpus=0-x': cpus '0-x': Invalid pcpu range: 0-x."},
	    {"cpus_soft=['0', '^0']", "override 'cpus_soft=['0', '^0']': "
				      "cpus_soft '^0': CPU list '^0' leaves "
				      "no CPU"},
	    {"cpu_weight=65536", "override 'cpu_weight=65536': cpu_weight "
				 "must be an integer from 1 to 65535"},
	    {"vif=['mac=01:00:00:00:00:01']",
	     "override 'vif=['mac=01:00:00:00:00:01']': vif "
	     "'mac=01:00:00:00:00:01': mac 01:00:00:00:00:01 is a multicast "
	     "address (the first byte must be even)"},
	    {"disk=['/a,,xvda','/b,,xvdb','/c,,xvdc','/d,,xvdd','/e,,xvde',"
	     "'/f,,xvdf','/g,,xvdg','/h,,xvdh']",
	     "override 'disk=['/a,,xvda','/b,,xvdb','/c,,xvdc','/d,,xvdd',"
	     "'/e,,xvde','/f,,xvdf','/g,,xvdg','/h,,xvdh']': too many devices: "
	     "8 disk + 1 vif + 0 virtio = 9, but a domain has 8 virtio-mmio "
	     "slots"},
	};
	char err[ERRLEN];
	struct xlcfg c;
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_EQ(parse_with(base_cfg, &cases[i].ov, 1, &c, err), -1);
		check_str(cases[i].ov, err, cases[i].err);
		CHECK(is_zeroed(&c));
	}
}

/* ------------------------------------------------ scheduling keys */

static void test_override_sched(void)
{
	static const char *const bare[] = {"cpus=all,^1", "cpu_weight=7",
					   "cap=100", "cpus_soft=[]"};
	static const char text[] = "name = 's'\nmemory = 64\n"
				   "kernel = '/k'\ncpus_soft = '1'\n";
	char err[ERRLEN];
	struct xlcfg c;

	/* A bare word is the CPU list; [] takes the file's list away. */
	CHECK_EQ(parse_with(text, bare, 4, &c, err), 0);
	CHECK(c.cpus.nr == 1 && !c.cpus.per_vcpu);
	if (c.cpus.nr)
		check_str("bare cpus", c.cpus.items[0], "all,^1");
	CHECK_EQ(c.cpus_soft.nr, 0);
	CHECK(c.cpu_weight_set && c.cpu_weight == 7);
	CHECK(c.cap_set && c.cap == 100);
	xlcfg_free(&c);
	/* Neither given: nothing set, nothing shown. */
	CHECK_EQ(parse_with("name='s'\nmemory=64\nkernel='/k'\n", NULL, 0,
			    &c, err),
		 0);
	CHECK(!c.cpus.nr && !c.cpus_soft.nr && !c.cpu_weight_set &&
	      !c.cap_set);
	xlcfg_free(&c);
}

/* maxvcpus and pool from overrides: forms, defaults and refusals. */
static void test_override_vcpus_pool(void)
{
	static const char *const bare[] = {"pool=Pool-0", "maxvcpus=8",
					   "vcpus=8"};
	static const char *const longest[] = {
	    "pool='a-cpupool-name-of-31-chars-....'", "maxvcpus=0x2"};
	static const char *const number[] = {"pool=3"};
	static const char *const less[] = {"maxvcpus=2", "vcpus=3"};
	static const char *const cap[] = {"vcpus=2", "cap=300"};
	char err[ERRLEN];
	struct xlcfg c;

	/* Not given: maxvcpus is vcpus, no pool, neither shown. */
	CHECK_EQ(parse_with(base_cfg, NULL, 0, &c, err), 0);
	CHECK(c.maxvcpus == 1 && !c.maxvcpus_set && c.pool == NULL);
	xlcfg_free(&c);
	CHECK_EQ(parse_with(base_cfg, bare, 3, &c, err), 0);
	check_str("bare pool", c.pool, "Pool-0");
	CHECK(c.maxvcpus == 8 && c.maxvcpus_set && c.vcpus == 8);
	xlcfg_free(&c);
	CHECK_EQ(parse_with(base_cfg, longest, 2, &c, err), 0);
	check_str("31 characters", c.pool, "a-cpupool-name-of-31-chars-....");
	CHECK(c.maxvcpus == 2 && c.vcpus == 1);
	xlcfg_free(&c);
	CHECK_EQ(parse_with(base_cfg, number, 1, &c, err), 0);
	check_str("pool id", c.pool, "3");
	xlcfg_free(&c);
	CHECK_EQ(parse_with(base_cfg, less, 2, &c, err), -1);
	check_str("maxvcpus < vcpus", err,
		  "override 'maxvcpus=2': maxvcpus (2) is less than vcpus (3)");
	CHECK(is_zeroed(&c));
	CHECK_EQ(parse_with(base_cfg, cap, 2, &c, err), -1);
	check_str("cap, vcpus", err,
		  "override 'cap=300': cap (300) is more than 100 per vCPU: "
		  "at most 200 with vcpus = 2");
}

/* The CPU lists as masks of a host's CPUs (at build time). */
static void test_affinity(void)
{
	static const char text[] = "name = 'a'\nmemory = 64\n"
				   "kernel = '/k'\nvcpus = 3\n"
				   "cpus = ['0', '1-2']\n"
				   "cpus_soft = 'all,^3'\n";
	uint64_t hard[XLCFG_VCPUS_MAX], soft[XLCFG_VCPUS_MAX];
	char err[ERRLEN];
	struct xlcfg c;

	CHECK_EQ(parse_with(text, NULL, 0, &c, err), 0);
	memset(hard, 0xa5, sizeof(hard));
	memset(soft, 0xa5, sizeof(soft));
	CHECK_EQ(xlcfg_affinity(&c, 4, hard, soft, err, sizeof(err)), 0);
	CHECK(hard[0] == 0x1 && hard[1] == 0x6 && hard[2] == 0);
	CHECK(soft[0] == 0x7 && soft[1] == 0x7 && soft[2] == 0x7);
	for (unsigned i = 3; i < XLCFG_VCPUS_MAX; i++)
		CHECK(hard[i] == 0 && soft[i] == 0);
	/* A host too small for a list: which one, and why. */
	CHECK_EQ(xlcfg_affinity(&c, 3, hard, soft, err, sizeof(err)), -1);
	check_str("3 CPUs", err,
		  "cpus_soft 'all,^3': CPU 3 is out of range: CPUs are 0-2");
	c.cpus_soft.nr = 0; /* (the items stay for xlcfg_free) */
	CHECK_EQ(xlcfg_affinity(&c, 2, hard, soft, err, sizeof(err)), -1);
	check_str("2 CPUs", err,
		  "cpus '1-2': CPU 2 is out of range: CPUs are 0-1");
	c.cpus_soft.nr = 1;
	CHECK_EQ(xlcfg_affinity(&c, 64, hard, soft, err, sizeof(err)), 0);
	CHECK_EQ(soft[2], ~0ULL & ~0x8ULL);
	xlcfg_free(&c);
	CHECK_EQ(parse_with("name='a'\nmemory=64\nkernel='/k'\n"
			    "cpus_soft='all,^0'\n",
			    NULL, 0, &c, err),
		 0);
	CHECK_EQ(xlcfg_affinity(&c, 1, hard, soft, err, sizeof(err)), -1);
	check_str("1 CPU", err,
		  "cpus_soft 'all,^0': CPU list 'all,^0' leaves no CPU");
	CHECK_EQ(xlcfg_affinity(&c, 2, hard, soft, NULL, 0), 0);
	CHECK(hard[0] == 0 && soft[0] == 0x2);
	xlcfg_free(&c);
	/* Every vCPU the domain has, the offline ones (maxvcpus) too. */
	CHECK_EQ(parse_with("name='a'\nmemory=64\nkernel='/k'\nvcpus=1\n"
			    "maxvcpus=3\ncpus='1'\ncpus_soft=['0','1','2','3']\n",
			    NULL, 0, &c, err),
		 0);
	CHECK_EQ(c.nr_warnings, 1);
	CHECK_EQ(xlcfg_affinity(&c, 4, hard, soft, err, sizeof(err)), 0);
	for (unsigned i = 0; i < 3; i++)
		CHECK(hard[i] == 0x2 && soft[i] == 1ULL << i);
	CHECK(hard[3] == 0 && soft[3] == 0);
	xlcfg_free(&c);
}

/* ---------------------------------------------------- files and the API */

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_EQ(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void test_file_errors(void)
{
	static const char nul[] = "name = 'a'\nmemory = 1\nker\0nel = 'x'\n";
	char err[ERRLEN], want[ERRLEN], path[] = "/tmp/test_xlcfg.XXXXXX";
	struct xlcfg c;
	char *big;
	int fd = mkstemp(path);

	CHECK_EQ(xlcfg_parse_file("no-such.cfg", NULL, 0, &c, err, ERRLEN), -1);
	check_str("missing file", err,
		  "no-such.cfg: cannot open: No such file or directory");
	CHECK_EQ(xlcfg_parse_file(".", NULL, 0, &c, err, ERRLEN), -1);
	check_str("directory", err, ".: cannot read: Is a directory");
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	write_file(path, nul, sizeof(nul) - 1);
	CHECK_EQ(xlcfg_parse_file(path, NULL, 0, &c, err, ERRLEN), -1);
	snprintf(want, sizeof(want), "%s:3: NUL byte in file", path);
	check_str("NUL byte", err, want);
	big = malloc(XLCFG_FILE_MAX + 2);
	memset(big, '#', XLCFG_FILE_MAX + 1);
	big[XLCFG_FILE_MAX + 1] = '\0';
	write_file(path, big, XLCFG_FILE_MAX + 1);
	CHECK_EQ(xlcfg_parse_file(path, NULL, 0, &c, err, ERRLEN), -1);
	snprintf(want, sizeof(want), "%s: file is larger than 1048576 bytes",
		 path);
	check_str("big file", err, want);
	CHECK(is_zeroed(&c));
	free(big);
	unlink(path);
}

static void test_api_edges(void)
{
	char err[8];
	struct xlcfg c;
	FILE *full;

	check_str("destroy", xlcfg_action_name(XLCFG_ACTION_DESTROY),
		  "destroy");
	check_str("rename-restart",
		  xlcfg_action_name(XLCFG_ACTION_RENAME_RESTART),
		  "rename-restart");
	CHECK(xlcfg_action_name((enum xlcfg_action)4) == NULL);
	/* No room for the message, then a truncated one. */
	CHECK_EQ(
	    xlcfg_parse_string("x.cfg", "memory = 0\n", NULL, 0, &c, NULL, 0),
	    -1);
	CHECK_EQ(xlcfg_parse_string("x.cfg", "memory = 0\n", NULL, 0, &c, err,
				    sizeof(err)),
		 -1);
	check_str("truncated", err, "x.cfg:1");
	/* Empty text: the first required key is missing. */
	CHECK_EQ(xlcfg_parse_string("x.cfg", "", NULL, 0, &c, NULL, 0), -1);
	xlcfg_free(&c);
	xlcfg_free(&c);
	CHECK(is_zeroed(&c));
	/* A write error is reported. */
	full = fopen("/dev/full", "w");
	if (full) {
		CHECK_EQ(
		    xlcfg_parse_string("x.cfg", base_cfg, NULL, 0, &c, NULL, 0),
		    0);
		CHECK_EQ(xlcfg_to_json(&c, full), -1);
		fclose(full);
		xlcfg_free(&c);
	}
}

/*
 * Fail the 1st, 2nd, ... allocation of a parse that uses every path: each
 * must fail with "out of memory", leave *out zeroed and leak nothing.
 */
static void test_alloc_failures(void)
{
	static const char text[] =
	    "name = 'oom'  # c\n"
	    "memory = 0x100\n"
	    "kernel = \"/boot/Image\"\n"
	    "cmdline = 'console=hvc0'\nroot = '/dev/vda'\n"
	    "disk = [ '/a.img,,xvda',\n  'vdev=xvdb,specification=xen,"
	    "target=/b.img', ]\nbuilder = 'generic'\n"
	    "virtio = [ 'type=virtio,device4' ]\n"
	    "cpus = 'all,^1'\ncpus_soft = [ '0' ]\ncpu_weight = 9\n"
	    "maxvcpus = 2\npool = 'web'\n";
	static const char *const ov[] = {
	    "memory=512", "vif=['mac=00:16:3e:00:00:01','model=e1000']",
	    "foo=1", "name=bare"};
	char err[ERRLEN];
	struct xlcfg c;
	long n;
	int rc;

	for (n = 0; n < ALLOC_TRIES_MAX; n++) {
		alloc_countdown = n;
		rc =
		    xlcfg_parse_string("oom.cfg", text, ov, 4, &c, err, ERRLEN);
		alloc_countdown = -1;
		if (!rc)
			break;
		CHECK(strstr(err, "out of memory") != NULL);
		CHECK(is_zeroed(&c));
	}
	CHECK(n > 20 && n < ALLOC_TRIES_MAX);
	CHECK_EQ(c.nr_warnings, 5);
	CHECK_EQ(c.nr_disks + c.nr_vifs + c.nr_virtios, 5);
	xlcfg_free(&c);
	for (n = 0; n < ALLOC_TRIES_MAX; n++) {
		alloc_countdown = n;
		rc = xlcfg_parse_file("full.cfg", NULL, 0, &c, err, ERRLEN);
		alloc_countdown = -1;
		if (!rc)
			break;
		CHECK(strstr(err, "out of memory") != NULL);
	}
	CHECK(n < ALLOC_TRIES_MAX);
	xlcfg_free(&c);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : DEFAULT_DIR;

	if (chdir(dir)) {
		fprintf(stderr,
			"%s: %s (run from the top of the tree, or pass "
			"the golden directory)\n",
			dir, strerror(errno));
		return 1;
	}
	RUN(test_golden_files);
	RUN(test_override_replace_and_add);
	RUN(test_override_forms);
	RUN(test_override_errors);
	RUN(test_override_sched);
	RUN(test_override_vcpus_pool);
	RUN(test_affinity);
	RUN(test_file_errors);
	RUN(test_api_edges);
	RUN(test_alloc_failures);
	TEST_DONE();
}
