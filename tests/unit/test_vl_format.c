/*
 * Host tests of vl's output formats (dom0-tools/vl/vl_fmt.c: xl's `list`
 * layout, the `list -l` JSON, uptime strings, `info` lines) and of the
 * vireod protocol's line codec (dom0-tools/include/vireod_proto.h).
 */
#define _GNU_SOURCE
#include "test.h"

#include "../../dom0-tools/vl/vl_fmt.c"

/* Run fn into a string; the caller frees it. */
#define CAPTURE(buf, call)                                                   \
	do {                                                                 \
		size_t len_;                                                 \
		FILE *f_ = open_memstream(&(buf), &len_);                    \
		call;                                                        \
		fclose(f_);                                                  \
	} while (0)

static struct vl_dom dom(uint32_t id, const char *name, uint32_t state,
			 uint64_t pages, uint32_t vcpus, uint64_t ns)
{
	struct vl_dom d = { .domid = id, .state = state, .vcpus = vcpus,
			    .online = vcpus, .mem_pages = pages, .cpu_ns = ns };

	snprintf(d.name, sizeof(d.name), "%s", name);
	return d;
}

static void test_list_layout(void)
{
	struct vl_dom d0 = dom(0, "Domain-0", VIREO_DOMSTATE_RUNNING,
			       512 * 256, 2, 12345678901ULL);
	struct vl_dom d1 = dom(3, "demo", VIREO_DOMSTATE_BLOCKED, 64 * 256, 1,
			       50000000);
	char *s;

	CAPTURE(s, vl_list_header(f_));
	CHECK(!strcmp(s, "Name                                        ID   Mem "
			 "VCPUs\tState\tTime(s)\n"));
	free(s);
	CAPTURE(s, vl_list_row(f_, &d0));
	CHECK(!strcmp(s, "Domain-0                                     0   512"
			 "     2     r-----      12.3\n"));
	free(s);
	CAPTURE(s, vl_list_row(f_, &d1));
	CHECK(!strcmp(s, "demo                                         3    64"
			 "     1     -b----       0.1\n"));
	free(s);
	/* maxvcpus=4, one online: xl list shows the online count. */
	d1.vcpus = 4;
	CAPTURE(s, vl_list_row(f_, &d1));
	CHECK(!strcmp(s, "demo                                         3    64"
			 "     1     -b----       0.1\n"));
	free(s);
}

static void test_state_letters(void)
{
	char s[7];

	vl_state_letters(0, 0, s);
	CHECK(!strcmp(s, "------"));
	vl_state_letters(VIREO_DOMSTATE_PAUSED, 0, s);
	CHECK(!strcmp(s, "--p---"));
	vl_state_letters(VIREO_DOMSTATE_SHUTDOWN, VIREO_SHUTDOWN_POWEROFF, s);
	CHECK(!strcmp(s, "---s--"));
	vl_state_letters(VIREO_DOMSTATE_CRASHED, VIREO_SHUTDOWN_CRASH, s);
	CHECK(!strcmp(s, "----c-"));
	vl_state_letters(VIREO_DOMSTATE_DYING, 0, s);
	CHECK(!strcmp(s, "-----d"));
	vl_state_letters(0x3f, 0, s);
	CHECK(!strcmp(s, "rbpscd"));
}

static void test_list_json(void)
{
	struct vl_dom d[2] = {
		dom(0, "Domain-0", VIREO_DOMSTATE_RUNNING, 512 * 256, 2,
		    1500000000ULL),
		dom(1, "we\"b\\1", VIREO_DOMSTATE_PAUSED, 128 * 256, 1, 7),
	};
	char *s;

	strcpy(d[1].config, "/etc/vireo/web.cfg");
	CAPTURE(s, vl_list_json(f_, d, 2));
	CHECK(!strcmp(s,
		      "[\n    {\n"
		      "        \"domid\": 0,\n"
		      "        \"name\": \"Domain-0\",\n"
		      "        \"state\": \"r-----\",\n"
		      "        \"memory_mib\": 512,\n"
		      "        \"vcpus\": 2,\n"
		      "        \"cpu_time\": 1.500000000,\n"
		      "        \"config\": null\n"
		      "    },\n    {\n"
		      "        \"domid\": 1,\n"
		      "        \"name\": \"we\\\"b\\\\1\",\n"
		      "        \"state\": \"--p---\",\n"
		      "        \"memory_mib\": 128,\n"
		      "        \"vcpus\": 1,\n"
		      "        \"cpu_time\": 0.000000007,\n"
		      "        \"config\": \"/etc/vireo/web.cfg\"\n"
		      "    }\n]\n"));
	free(s);
	CAPTURE(s, vl_list_json(f_, d, 0));
	CHECK(!strcmp(s, "[]\n"));
	free(s);
}

static void test_uptime(void)
{
	char b[64];

	vl_uptime_string(0, 0, b, sizeof(b));
	CHECK(!strcmp(b, " 0:00:00"));
	vl_uptime_string(3600 * 13 + 62, 0, b, sizeof(b));
	CHECK(!strcmp(b, "13:01:02"));
	vl_uptime_string(86400 + 3661, 0, b, sizeof(b));
	CHECK(!strcmp(b, "1 day,  1:01:01"));
	vl_uptime_string(3 * 86400 + 59, 1, b, sizeof(b));
	CHECK(!strcmp(b, "3 days,  0:00"));
}

static void test_info_line(void)
{
	char *s;

	CAPTURE(s, vl_info_line(f_, NULL, "free_pages", "1234"));
	CHECK(!strcmp(s, "free_pages             : 1234\n"));
	free(s);
	CAPTURE(s, vl_info_line(f_, "free_p", "free_pages", "1234");
		vl_info_line(f_, "free_p", "free_memory", "5"));
	CHECK(!strcmp(s, "1234\n"));
	free(s);
}

static void test_dom_line(void)
{
	const char *in[10] = { "dom", "7", "name\twith tab", "2", "0", "2",
			       "32768", "999", "1700000000", "" };
	char line[VIREOD_LINE_MAX + 1], *f[VIREOD_FIELDS_MAX];
	struct vl_dom d;
	int n = vireod_line_build(line, sizeof(line), in, 10);

	CHECK(n > 0 && line[n - 1] == '\n');
	line[n - 1] = '\0';
	CHECK_EQ(vireod_line_split(line, f, VIREOD_FIELDS_MAX), 10);
	CHECK_EQ(vl_dom_parse(f, 10, &d), 0);
	CHECK_EQ(d.domid, 7);
	CHECK(!strcmp(d.name, "name\twith tab"));
	CHECK_EQ(d.state, 2);
	CHECK_EQ(d.vcpus, 2);
	CHECK_EQ(vl_mem_mib(&d), 128);
	CHECK_EQ(d.cpu_ns, 999);
	CHECK_EQ(d.ctime, 1700000000);
	CHECK(d.config[0] == '\0');
	CHECK_EQ(d.online, 2); /* a vireod without the field: all */
	f[1] = "x";
	CHECK_EQ(vl_dom_parse(f, 10, &d), -1);
	CHECK_EQ(vl_dom_parse(f, 9, &d), -1);
	f[1] = "7";
	/* The online count, last; never more than the vCPUs. */
	f[10] = "1";
	CHECK_EQ(vl_dom_parse(f, 11, &d), 0);
	CHECK_EQ(d.online, 1);
	f[10] = "3";
	CHECK_EQ(vl_dom_parse(f, 11, &d), -1);
	f[10] = "";
	CHECK_EQ(vl_dom_parse(f, 11, &d), -1);
}

static void test_codec(void)
{
	const char *in[4] = { "", "a\\b", "t\tn\n", "" };
	char line[64], *f[8];
	unsigned id;
	size_t len = 0;
	int n = vireod_line_build(line, sizeof(line), in, 4);

	CHECK(n > 0);
	CHECK(!strcmp(line, "\ta\\\\b\tt\\tn\\n\t\n"));
	line[n - 1] = '\0';
	CHECK_EQ(vireod_line_split(line, f, 8), 4);
	CHECK(!strcmp(f[0], "") && !strcmp(f[1], "a\\b"));
	CHECK(!strcmp(f[2], "t\tn\n") && !strcmp(f[3], ""));
	/* Too many fields, a bad escape, a line that does not fit. */
	strcpy(line, "a\tb\tc");
	CHECK_EQ(vireod_line_split(line, f, 2), -1);
	strcpy(line, "a\\x");
	CHECK_EQ(vireod_line_split(line, f, 2), -1);
	CHECK_EQ(vireod_line_build(line, 4, in + 1, 1), -1);
	CHECK_EQ(vireod_field_append(line, 6, &len, "abc"), 0);
	CHECK_EQ(vireod_field_append(line, 6, &len, "d"), -1);
	CHECK(!strcmp(line, "abc") && len == 3);
	CHECK(vireod_parse_domid("0", &id) && id == 0);
	CHECK(vireod_parse_domid("4294967295", &id) && id == 4294967295U);
	CHECK(!vireod_parse_domid("4294967296", &id));
	CHECK(!vireod_parse_domid("", &id) && !vireod_parse_domid("1a", &id));
	CHECK(!vireod_parse_domid("-1", &id) && !vireod_parse_domid(" 1", &id));
}

int main(void)
{
	RUN(test_list_layout);
	RUN(test_state_letters);
	RUN(test_list_json);
	RUN(test_uptime);
	RUN(test_info_line);
	RUN(test_dom_line);
	RUN(test_codec);
	TEST_DONE();
}
