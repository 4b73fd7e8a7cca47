/*
 * Host tests of vireod's persisted records (dom0-tools/vireod/state.c: the
 * line format, atomic save, load with bad lines) and of its console ring
 * (ring.c).
 */
#define _GNU_SOURCE
#include "test.h"

#include <sys/stat.h>
#include <unistd.h>

#include "../../dom0-tools/vireod/ring.c"
#include "../../dom0-tools/vireod/state.c"

static char *overrides[] = { "memory=128", "extra=\"a\tb\\c\"" };

static struct vd_record record(uint32_t domid, const char *name)
{
	struct vd_record r = {
		.domid = domid,
		.ctime = 1700000000 + domid,
		.cfg_path = "/etc/vireo/demo.cfg",
		.cwd = "/root",
		.overrides = overrides,
		.nr_overrides = 2,
	};

	snprintf(r.name, sizeof(r.name), "%s", name);
	return r;
}

static void test_format_parse(void)
{
	struct vd_record r = record(3, "demo"), p;
	char line[VIREOD_LINE_MAX + 1];
	int n;

	r.flags = VD_REC_PRESERVED;
	n = vd_state_format(&r, line, sizeof(line));
	CHECK(n > 0);
	CHECK(!strcmp(line, "3\tdemo\t1700000003\tp\t/etc/vireo/demo.cfg\t"
			    "/root\tmemory=128\textra=\"a\\tb\\\\c\"\n"));
	line[n - 1] = '\0';
	CHECK_EQ(vd_state_parse(line, &p), 0);
	CHECK_EQ(p.domid, 3);
	CHECK(!strcmp(p.name, "demo"));
	CHECK_EQ(p.ctime, 1700000003);
	CHECK_EQ(p.flags, VD_REC_PRESERVED);
	CHECK(!strcmp(p.cfg_path, "/etc/vireo/demo.cfg"));
	CHECK(!strcmp(p.cwd, "/root"));
	CHECK_EQ(p.nr_overrides, 2);
	CHECK(!strcmp(p.overrides[1], overrides[1]));
	vd_record_free(&p);

	/* No config, no directory, no override. */
	r = (struct vd_record){ .domid = 9, .name = "bare" };
	n = vd_state_format(&r, line, sizeof(line));
	CHECK(!strcmp(line, "9\tbare\t0\t-\t\t\n"));
	line[n - 1] = '\0';
	CHECK_EQ(vd_state_parse(line, &p), 0);
	CHECK(!p.cfg_path && !p.cwd && !p.nr_overrides && !p.flags);
	vd_record_free(&p);
}

static void test_parse_bad(void)
{
	static const char *const bad[] = {
		"",
		"3\tdemo\t0\t-\t/c",		/* 5 fields */
		"x\tdemo\t0\t-\t\t",		/* domid */
		"3\t\t0\t-\t\t",		/* empty name */
		"3\tdemo\tnow\t-\t\t",		/* ctime */
		"3\tdemo\t0\tq\t\t",		/* flags */
		"3\tdemo\t0\t-\t\\q\t",		/* escape */
		"3\tabcdefghijabcdefghijabcdefghijXY\t0\t-\t\t", /* name */
	};
	struct vd_record p;
	char line[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "%s", bad[i]);
		CHECK_EQ(vd_state_parse(line, &p), -1);
	}
}

static void test_copy(void)
{
	struct vd_record r = record(5, "copy"), c;

	CHECK_EQ(vd_record_copy(&c, &r), 0);
	CHECK(c.cfg_path != r.cfg_path && !strcmp(c.cfg_path, r.cfg_path));
	CHECK(c.overrides != r.overrides && c.nr_overrides == 2);
	CHECK(!strcmp(c.overrides[0], "memory=128"));
	CHECK(!strcmp(c.name, "copy") && c.domid == 5);
	vd_record_free(&c);
	CHECK(!c.cfg_path && !c.nr_overrides);
}

static void test_save_load(void)
{
	char dir[] = "/tmp/vireod-state-XXXXXX", path[64], tmp[80];
	struct vd_record a = record(1, "a"), b = record(2, "b"), out[4];
	const struct vd_record *recs[2] = { &a, &b };
	unsigned nr, bad;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/domains", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	CHECK_EQ(vd_state_load(path, out, 4, &nr, &bad), 0); /* no file */
	CHECK_EQ(nr, 0);
	CHECK_EQ(vd_state_save(path, recs, 2), 0);
	CHECK(access(tmp, F_OK) != 0);
	CHECK_EQ(vd_state_load(path, out, 4, &nr, &bad), 0);
	CHECK_EQ(nr, 2);
	CHECK_EQ(bad, 0);
	CHECK(out[0].domid == 1 && !strcmp(out[1].name, "b"));
	for (unsigned i = 0; i < nr; i++)
		vd_record_free(&out[i]);

	/* A broken line is skipped and counted; so is one past max. */
	f = fopen(path, "a");
	fputs("garbage\n3\tc\t0\t-\t\t\n", f);
	fclose(f);
	CHECK_EQ(vd_state_load(path, out, 2, &nr, &bad), 0);
	CHECK_EQ(nr, 2);
	CHECK_EQ(bad, 2);
	for (unsigned i = 0; i < nr; i++)
		vd_record_free(&out[i]);

	/* Saving nothing leaves the header only. */
	CHECK_EQ(vd_state_save(path, recs, 0), 0);
	CHECK_EQ(vd_state_load(path, out, 4, &nr, &bad), 0);
	CHECK_EQ(nr, 0);
	unlink(path);
	rmdir(dir);
}

static void test_ring(void)
{
	struct vd_ring r;
	const char *p[2];
	size_t n[2];
	char big[40];

	CHECK_EQ(vd_ring_init(&r, 16), 0);
	CHECK_EQ(vd_ring_pieces(&r, p, n), 0);
	vd_ring_write(&r, "hello", 5);
	CHECK_EQ(vd_ring_pieces(&r, p, n), 1);
	CHECK(n[0] == 5 && !memcmp(p[0], "hello", 5));
	vd_ring_write(&r, "0123456789AB", 12); /* 17 bytes: wraps */
	CHECK_EQ(vd_ring_pieces(&r, p, n), 2);
	CHECK(n[0] + n[1] == 16);
	CHECK(!memcmp(p[0], "ello0123456789AB", n[0]));
	CHECK(!memcmp(p[1], "ello0123456789AB" + n[0], n[1]));
	for (int i = 0; i < 40; i++)
		big[i] = (char)('a' + i % 26);
	vd_ring_write(&r, big, 40); /* more than it holds: the tail */
	CHECK_EQ(r.total, 57);
	{
		char got[16];
		unsigned k = vd_ring_pieces(&r, p, n);

		memcpy(got, p[0], n[0]);
		if (k == 2)
			memcpy(got + n[0], p[1], n[1]);
		CHECK(n[0] + (k == 2 ? n[1] : 0) == 16);
		CHECK(!memcmp(got, big + 24, 16));
	}
	vd_ring_free(&r);
}

int main(void)
{
	RUN(test_format_parse);
	RUN(test_parse_bad);
	RUN(test_copy);
	RUN(test_save_load);
	RUN(test_ring);
	TEST_DONE();
}
