/*
 * xl's CPU lists (dom0-tools/libvireo/cpumap.c): what `vl vcpu-pin` and
 * xl.cfg's cpus / cpus_soft accept, the message for each thing they refuse,
 * and the text `vl vcpu-list` writes a mask as (xl's print_bitmap()).
 */
#define TEST_NO_PRINTK
#include "test.h"

#include "../../dom0-tools/libvireo/cpumap.c"

#define STR_IS(got, want)                                                    \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		CHECK(!strcmp(g_, w_));                                      \
		if (strcmp(g_, w_))                                          \
			fprintf(stderr, "  want '%s'\n  got  '%s'\n", w_, g_); \
	} while (0)

/* s on a host of n CPUs must give mask. */
static void parses(const char *s, unsigned n, uint64_t mask)
{
	char err[128] = "";
	uint64_t m = 0xdead;

	CHECK_EQ(cpumap_parse(s, n, &m, err, sizeof(err)), 0);
	CHECK_EQ(m, mask);
	if (m != mask || err[0])
		fprintf(stderr, "  '%s' on %u CPUs: %s\n", s, n, err);
}

/* s on a host of n CPUs must be refused with msg, *mask untouched. */
static void refuses(const char *s, unsigned n, const char *msg)
{
	char err[128] = "";
	uint64_t m = 0xdead;

	CHECK_EQ(cpumap_parse(s, n, &m, err, sizeof(err)), -1);
	CHECK_EQ(m, 0xdead);
	STR_IS(err, msg);
}

static void test_parse(void)
{
	parses("all", 4, 0xf);
	parses("all", 64, ~0ULL);
	parses("all", 200, ~0ULL); /* clamped to what a mask names */
	parses("0", 4, 0x1);
	parses("3", 4, 0x8);
	parses("0-1", 4, 0x3);
	parses("1-1", 4, 0x2);
	parses("0,2", 4, 0x5);
	parses("0-3,^1", 4, 0xd);
	parses("all,^1", 4, 0xd);
	parses("all,^0-2", 4, 0x8);
	parses("^1,2", 4, 0x4);	 /* applied in order, from nothing */
	parses("2,^2,2", 4, 0x4); /* and again */
	parses(" 0 , 2-3 ", 4, 0xd);
	parses("63", 64, 1ULL << 63);
	parses("0-63", 64, ~0ULL);
	parses("0", 0, 0x1); /* a host that says 0 CPUs has one */
}

static void test_refuse(void)
{
	refuses("", 4, "CPU list '' has an empty item");
	refuses("0,,1", 4, "CPU list '0,,1' has an empty item");
	refuses("0,", 4, "CPU list '0,' has an empty item");
	refuses(" ", 4, "CPU list ' ' has an empty item");
	refuses("4", 4, "CPU 4 is out of range: CPUs are 0-3");
	refuses("2-9", 4, "CPU 9 is out of range: CPUs are 0-3");
	refuses("1", 1, "CPU 1 is out of range: the only CPU is 0");
	refuses("64", 64, "CPU 64 is out of range: CPUs are 0-63");
	refuses("99999999999999999999", 64,
		"CPU 99999999999999999999 is out of range: CPUs are 0-63");
	refuses("^0-070", 64, "CPU 070 is out of range: CPUs are 0-63");
	refuses("3-1", 4, "Invalid pcpu range: 3-1.");
	refuses("a", 4, "Invalid pcpu range: a.");
	refuses("1-", 4, "Invalid pcpu range: 1-.");
	refuses("-1", 4, "Invalid pcpu range: -1.");
	refuses("0x1", 4, "Invalid pcpu range: 0x1.");
	refuses("1 2", 4, "Invalid pcpu range: 1 2.");
	refuses("^^1", 4, "Invalid pcpu range: ^^1.");
	refuses("^all", 4, "Can't combine \"^\" and \"all\".");
	refuses("alls", 4, "Invalid pcpu range: alls.");
	refuses("node:0", 4, "NUMA nodes are not supported: 'node:0'");
	refuses("all,^nodes:1", 4, "NUMA nodes are not supported: '^nodes:1'");
	refuses("^1", 4, "CPU list '^1' leaves no CPU");
	refuses("all,^0-3", 4, "CPU list 'all,^0-3' leaves no CPU");
}

static void test_err_edges(void)
{
	char err[8];
	uint64_t m = 0;

	/* No room for the message, or a truncated one. */
	CHECK_EQ(cpumap_parse("9", 4, &m, NULL, 0), -1);
	CHECK_EQ(cpumap_parse("9", 4, &m, err, sizeof(err)), -1);
	STR_IS(err, "CPU 9 i");
	CHECK_EQ(cpumap_all(1), 1);
	CHECK_EQ(cpumap_all(63), ~0ULL >> 1);
}

/* mask over n CPUs must read as want. */
static void formats(uint64_t mask, unsigned n, const char *want)
{
	char buf[CPUMAP_STRLEN];
	int r = cpumap_format(mask, n, buf, sizeof(buf));

	STR_IS(buf, want);
	CHECK_EQ(r, strlen(want));
}

static void test_format(void)
{
	formats(0xf, 4, "all");
	formats(~0ULL, 4, "all"); /* harts the host lacks are not shown */
	formats(~0ULL, 64, "all");
	formats(0, 4, "none");
	formats(0xf0, 4, "none");
	formats(0x1, 4, "0");
	formats(0x1, 1, "all");
	formats(0x3, 4, "0-1");
	formats(0x5, 4, "0,2");
	formats(0xe, 4, "1-3"); /* a run to the end that is not all */
	formats(0xd, 4, "0,2-3");
	formats(0xb, 4, "0-1,3");
	formats(0x7fffffffffffffffULL, 64, "0-62");
	formats(0x8000000000000001ULL, 64, "0,63");
	formats(0x5555555555555555ULL, 64,
		"0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30,32,34,36,38,40,"
		"42,44,46,48,50,52,54,56,58,60,62");
	formats(0xaaaaaaaaaaaaaaaaULL, 64,
		"1,3,5,7,9,11,13,15,17,19,21,23,25,27,29,31,33,35,37,39,41,"
		"43,45,47,49,51,53,55,57,59,61,63");
}

/* Short buffers: snprintf's contract, never a byte past len. */
static void test_format_short(void)
{
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(cpumap_format(0x15, 8, buf, 4), strlen("0,2,4"));
	STR_IS(buf, "0,2");
	CHECK(buf[4] == 'x');
	CHECK_EQ(cpumap_format(0x15, 8, NULL, 0), strlen("0,2,4"));
	CHECK_EQ(cpumap_format(0x3, 8, buf, 1), 3);
	STR_IS(buf, "");
}

/* Every mask written and read back is itself (on each host size). */
static void test_round_trip(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	unsigned bad = 0;

	for (unsigned i = 0; i < 20000; i++) {
		unsigned n = 1 + (unsigned)(x % 64);
		uint64_t m, got = 0;
		char buf[CPUMAP_STRLEN];

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		m = x & cpumap_all(n);
		if (!m)
			continue;
		cpumap_format(m, n, buf, sizeof(buf));
		if (cpumap_parse(buf, n, &got, NULL, 0) || got != m)
			bad++;
	}
	CHECK_EQ(bad, 0);
}

int main(void)
{
	RUN(test_parse);
	RUN(test_refuse);
	RUN(test_err_edges);
	RUN(test_format);
	RUN(test_format_short);
	RUN(test_round_trip);
	TEST_DONE();
}
