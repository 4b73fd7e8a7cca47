/*
 * vireo-agent's `vl vcpu-set` (dom0-tools/vireo-agent/vcpus.c): which CPUs
 * go online and offline for a count, the CPU lists of its log line, and
 * the writes themselves over a fake /sys/devices/system/cpu in /tmp.
 */
#include "test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../dom0-tools/vireo-agent/vcpus.c"

/* ---------------------------------------------------------------- plan */

static void check_plan(unsigned n, uint64_t present, uint64_t want_up,
		       uint64_t want_down)
{
	uint64_t up = 0xdead, down = 0xbeef;

	CHECK_EQ(agent_vcpus_plan(n, present, &up, &down), 0);
	CHECK_EQ(up, want_up);
	CHECK_EQ(down, want_down);
}

static void test_plan(void)
{
	uint64_t up = 1, down = 1;

	check_plan(1, 0xf, 0, 0xe); /* only CPU 0 stays */
	check_plan(2, 0xf, 0x2, 0xc);
	check_plan(4, 0xf, 0xe, 0);   /* all of them */
	check_plan(8, 0xf, 0xe, 0);   /* more than there are: all */
	check_plan(3, 0xb, 0x2, 0x8); /* cpu2 has no online file */
	check_plan(2, 0xe, 0x2, 0xc); /* nor cpu0: still never touched */
	check_plan(1, 0x1, 0, 0);
	check_plan(1, 0, 0, 0);
	check_plan(64, ~0ULL, ~0ULL & ~1ULL, 0);
	check_plan(63, ~0ULL, ~0ULL & ~1ULL & ~(1ULL << 63), 1ULL << 63);
	/* Refused: nothing to do. */
	CHECK_EQ(agent_vcpus_plan(0, 0xf, &up, &down), -1);
	CHECK(up == 0 && down == 0);
	up = down = 1;
	CHECK_EQ(agent_vcpus_plan(65, 0xf, &up, &down), -1);
	CHECK(up == 0 && down == 0);
}

static void check_list(uint64_t mask, const char *want)
{
	char buf[200];

	agent_cpulist(mask, buf, sizeof(buf));
	if (strcmp(buf, want))
		fprintf(stderr, "  cpulist %#llx: got '%s', want '%s'\n",
			(unsigned long long)mask, buf, want);
	CHECK(!strcmp(buf, want));
}

static void test_cpulist(void)
{
	char small[4];

	check_list(0, "none");
	check_list(0x1, "0");
	check_list(0x6, "1-2");
	check_list(0x2d, "0,2-3,5");
	check_list(1ULL << 63, "63");
	check_list(~0ULL, "0-63");
	check_list(0xaaULL, "1,3,5,7");
	/* Truncated, never past the buffer (ASan), always terminated. */
	agent_cpulist(0xaaULL, small, sizeof(small));
	CHECK(!strcmp(small, "1,3"));
	agent_cpulist(0xaaULL, small, 0);
}

/* ------------------------------------------------------ a fake sysfs */

static char root[] = "/tmp/test_agent_vcpus.XXXXXX";

static void make_cpu(unsigned k, int with_online, int online_is_dir)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cpu%u", root, k);
	CHECK_EQ(mkdir(path, 0755), 0);
	if (!with_online)
		return;
	snprintf(path, sizeof(path), "%s/cpu%u/online", root, k);
	if (online_is_dir) { /* a write to it fails: EISDIR */
		CHECK_EQ(mkdir(path, 0755), 0);
		return;
	}
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
}

/* The first byte of cpuK/online, '?' if it cannot be read. */
static char online_of(unsigned k)
{
	char path[256];
	int c = '?';
	FILE *f;

	snprintf(path, sizeof(path), "%s/cpu%u/online", root, k);
	f = fopen(path, "r");
	if (f) {
		c = fgetc(f);
		fclose(f);
	}
	return (char)c;
}

static void test_sysfs(void)
{
	char msg[512];

	CHECK(mkdtemp(root) != NULL);
	make_cpu(0, 1, 0);
	make_cpu(1, 1, 0);
	make_cpu(2, 1, 0);
	make_cpu(3, 1, 0);
	make_cpu(4, 0, 0); /* no online file: not a CPU to touch */
	CHECK_EQ(agent_vcpus_present(root), 0xf);
	CHECK_EQ(agent_vcpus_set(root, 2, msg, sizeof(msg)), 0);
	CHECK(!strcmp(msg, "vcpu-set 2: online 1, offline 2-3"));
	CHECK(online_of(0) == '1' && online_of(1) == '1');
	CHECK(online_of(2) == '0' && online_of(3) == '0');
	/* Back up to 4: everything online again. */
	CHECK_EQ(agent_vcpus_set(root, 4, msg, sizeof(msg)), 0);
	CHECK(!strcmp(msg, "vcpu-set 4: online 1-3, offline none"));
	CHECK(online_of(2) == '1' && online_of(3) == '1');
	/* Down to 1: cpu0 alone, and never written. */
	CHECK_EQ(agent_vcpus_set(root, 1, msg, sizeof(msg)), 0);
	CHECK(!strcmp(msg, "vcpu-set 1: online none, offline 1-3"));
	CHECK(online_of(0) == '1' && online_of(1) == '0');
	/* A count the hypervisor never sends: refused, nothing written. */
	CHECK_EQ(agent_vcpus_set(root, 0, msg, sizeof(msg)), -1);
	CHECK(!strcmp(msg, "vcpu-set 0: refused (1 to 64)"));
	CHECK(online_of(1) == '0');
	/* A write that fails: the others are still done, and it is said. */
	make_cpu(5, 1, 1);
	CHECK_EQ(agent_vcpus_set(root, 3, msg, sizeof(msg)), -1);
	CHECK(!strcmp(msg, "vcpu-set 3: online 1-2, offline 3,5, failed 5: "
			   "Is a directory"));
	CHECK(online_of(1) == '1' && online_of(2) == '1');
	CHECK(online_of(3) == '0');
	/* No CPU directory at all: nothing to do, nothing fails. */
	CHECK_EQ(agent_vcpus_set("/nonexistent", 2, msg, sizeof(msg)), 0);
	CHECK(!strcmp(msg, "vcpu-set 2: online none, offline none"));
	if (getenv("TEST_KEEP"))
		return;
	snprintf(msg, sizeof(msg), "rm -rf '%s'", root);
	CHECK(system(msg) == 0);
}

int main(void)
{
	RUN(test_plan);
	RUN(test_cpulist);
	RUN(test_sysfs);
	TEST_DONE();
}
