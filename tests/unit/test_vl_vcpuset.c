/*
 * Host tests of `vl vcpu-set` (dom0-tools/vl/vl_vcpuset.c), over
 * stand-ins for vireod's "domid" request and for the hypercalls: which
 * counts are refused and with what words, that Domain-0 is refused before
 * anything is asked, and that an accepted count reaches DOMAIN_CONTROL as
 * VIREO_CONTROL_MAKE(VIREO_CONTROL_SET_VCPUS, n).
 */
#define _GNU_SOURCE
#include "test.h"

#include <unistd.h>

#include "../../dom0-tools/vl/vl_vcpuset.c"

/* ------------------------------------------------- the host, modelled */

#define HOST_CPUS 2
#define DEMO 3 /* "demo": 4 vCPUs (maxvcpus), 2 online */

static unsigned nr_requests, nr_hypercalls, nr_controls;
static uint32_t control_domid, control_cmd;
static int control_rc; /* DOMAIN_CONTROL's answer */

int vl_request(const char *const *req, unsigned nr,
	       int (*on_line)(void *arg, char **f, unsigned nr),
	       void (*on_ok)(void *arg, char **ok, unsigned nr_ok), void *arg)
{
	char *ok[2] = { "ok", "3" };

	(void)on_line;
	nr_requests++;
	CHECK(nr == 2 && !strcmp(req[0], "domid"));
	if (strcmp(req[1], "demo")) {
		fprintf(stderr, "Can't get domid of domain name '%s', maybe "
			"this domain does not exist.\n", req[1]);
		return -1;
	}
	on_ok(arg, ok, 2);
	return 0;
}

static int fake_handle;

struct vireo *vl_open_vireo(void)
{
	return (struct vireo *)&fake_handle;
}

void vireo_close(struct vireo *v)
{
	CHECK(v == (struct vireo *)&fake_handle);
}

const char *vireo_strerror(int rc)
{
	return rc == VIREO_EINVAL ? "invalid argument" : "some error";
}

int vireo_domain_getinfo(struct vireo *v, uint32_t domid,
			 struct vireo_domain_info *info)
{
	nr_hypercalls++;
	if (domid != DEMO)
		return VIREO_ENOENT;
	memset(info, 0, sizeof(*info));
	info->domid = DEMO;
	info->nr_vcpus = 4;
	return 0;
}

int vireo_vcpu_info(struct vireo *v, uint32_t domid,
		    struct vireo_vcpu_info *info, unsigned max)
{
	nr_hypercalls++;
	CHECK(domid == DEMO && max >= 4);
	memset(info, 0, 4 * sizeof(*info));
	for (unsigned i = 0; i < 4; i++) {
		info[i].vcpu = i;
		info[i].state = i < 2 ? VIREO_VCPUSTATE_ONLINE : 0;
	}
	return 4;
}

int vireo_physinfo(struct vireo *v, struct vireo_physinfo *pi)
{
	nr_hypercalls++;
	memset(pi, 0, sizeof(*pi));
	pi->nr_cpus = HOST_CPUS;
	return 0;
}

int vireo_domain_control(struct vireo *v, uint32_t domid, uint32_t cmd)
{
	nr_hypercalls++;
	nr_controls++;
	control_domid = domid;
	control_cmd = cmd;
	return control_rc;
}

/* vl.c's, without the exits: each test passes the arguments it means. */
int vl_getopt_long(int argc, char **argv, const char *opts,
		   const struct option *longopts, const char *cmd,
		   int min_args)
{
	char optstring[64];
	int opt;

	(void)cmd;
	snprintf(optstring, sizeof(optstring), "h%s", opts);
	opterr = 0;
	opt = getopt_long(argc, argv, optstring, longopts, NULL);
	CHECK(opt != '?' && opt != 'h');
	if (opt == -1)
		CHECK(argc - optind >= min_args);
	return opt;
}

int vl_usage_error(const char *cmd)
{
	fprintf(stderr, "vl %s: too many arguments\n", cmd);
	return 1;
}

/* ------------------------------------------------------------ harness */

/* Run `vl vcpu-set ARGS...`; its stderr, and the counts reset first. */
static char *run_argv(int *rc, char **argv)
{
	char *err = NULL;
	size_t len = 0;
	FILE *saved = stderr;
	int argc = 0;

	while (argv[argc])
		argc++;
	nr_requests = nr_hypercalls = nr_controls = 0;
	control_cmd = 0;
	optind = 0;
	stderr = open_memstream(&err, &len);
	*rc = main_vcpu_set(argc, argv);
	fclose(stderr);
	stderr = saved;
	return err;
}

#define VCPUSET(rc, ...) run_argv(rc, (char *[]){"vcpu-set", __VA_ARGS__, NULL})

static void expect_err(char *got, const char *want)
{
	CHECK(got && !strcmp(got, want));
	if (got && strcmp(got, want))
		fprintf(stderr, "--- want\n%s--- got\n%s---\n", want, got);
	free(got);
}

/* --------------------------------------------------------------- tests */

static void test_accepted(void)
{
	int rc;

	/* Down to 1, by ID: within what is online, no host limit applies. */
	expect_err(VCPUSET(&rc, "3", "1"), "");
	CHECK(rc == 0 && nr_controls == 1 && nr_requests == 0);
	CHECK_EQ(control_domid, DEMO);
	CHECK_EQ(control_cmd, VIREO_CONTROL_MAKE(VIREO_CONTROL_SET_VCPUS, 1));
	CHECK_EQ(control_cmd, 0x103);
	/* By name, through vireod; 2 is what is online: not overcommitting. */
	expect_err(VCPUSET(&rc, "demo", "2"), "");
	CHECK(rc == 0 && nr_controls == 1 && nr_requests == 1);
	CHECK_EQ(control_cmd, 0x203);
	/* -i (--ignore-host): all 4 on a 2-CPU host. */
	expect_err(VCPUSET(&rc, "-i", "demo", "4"), "");
	CHECK(rc == 0 && nr_controls == 1);
	CHECK_EQ(control_cmd, 0x403);
	expect_err(VCPUSET(&rc, "--ignore-host", "demo", "3"), "");
	CHECK(rc == 0 && control_cmd == 0x303);
}

static void test_refused(void)
{
	int rc;

	expect_err(VCPUSET(&rc, "demo", "5"),
		   "vl vcpu-set: cannot set 5 vCPUs online: domain 'demo' has "
		   "4 (its maxvcpus); give 1 to 4\n");
	CHECK(rc == 1 && nr_controls == 0);
	expect_err(VCPUSET(&rc, "-i", "3", "0"),
		   "vl vcpu-set: cannot set 0 vCPUs online: domain '3' has 4 "
		   "(its maxvcpus); give 1 to 4\n");
	CHECK(rc == 1 && nr_controls == 0);
	/* xl's host check: above both the online vCPUs and the CPUs. */
	expect_err(VCPUSET(&rc, "demo", "3"),
		   "You are overcommitting! You have 2 physical CPUs and want "
		   "3 vCPUs! Aborting, use --ignore-host to continue\n");
	CHECK(rc == 1 && nr_controls == 0);
	expect_err(VCPUSET(&rc, "demo", "two"),
		   "Error: Invalid argument 'two' as a number of vCPUs.\n");
	CHECK(rc == 1 && nr_requests == 0 && nr_hypercalls == 0);
	expect_err(VCPUSET(&rc, "demo", "1x"),
		   "Error: Invalid argument '1x' as a number of vCPUs.\n");
	CHECK(rc == 1 && nr_hypercalls == 0);
	expect_err(VCPUSET(&rc, "demo", "1", "2"),
		   "vl vcpu-set: too many arguments\n");
	CHECK(rc == 1 && nr_hypercalls == 0);
}

static void test_domains(void)
{
	int rc;

	/* Domain-0, by name or ID: refused before anything is asked. */
	expect_err(VCPUSET(&rc, "Domain-0", "1"),
		   "vl vcpu-set: Domain-0's vCPUs cannot be set: Vireo's Dom0 "
		   "runs no guest agent to bring them online or offline\n");
	CHECK(rc == 1 && nr_requests == 0 && nr_hypercalls == 0);
	expect_err(VCPUSET(&rc, "0", "2"),
		   "vl vcpu-set: Domain-0's vCPUs cannot be set: Vireo's Dom0 "
		   "runs no guest agent to bring them online or offline\n");
	CHECK(rc == 1 && nr_hypercalls == 0);
	/* A name vireod does not know: its words. */
	expect_err(VCPUSET(&rc, "nosuch", "1"),
		   "Can't get domid of domain name 'nosuch', maybe this "
		   "domain does not exist.\n");
	CHECK(rc == 1 && nr_hypercalls == 0);
	/* An ID the hypervisor does not know: xl's words. */
	expect_err(VCPUSET(&rc, "7", "1"), "Domain 7 does not exist.\n");
	CHECK(rc == 1 && nr_controls == 0);
	/* The hypervisor refuses the request. */
	control_rc = VIREO_EINVAL;
	expect_err(VCPUSET(&rc, "demo", "1"),
		   "vl vcpu-set: domain 3 refused the request for 1 vCPUs: "
		   "invalid argument\n");
	control_rc = 0;
	CHECK(rc == 1 && nr_controls == 1);
}

/* The check alone, at its edges. */
static void test_check(void)
{
	struct vl_vcpuset_facts f = { 8, 1, 4 };
	char *err = NULL;
	size_t len = 0;
	FILE *saved = stderr;

	stderr = open_memstream(&err, &len);
	CHECK_EQ(vl_vcpuset_check("d", 1, &f, 1), 0);
	CHECK_EQ(vl_vcpuset_check("d", 4, &f, 1), 0);  /* = host CPUs */
	CHECK_EQ(vl_vcpuset_check("d", 5, &f, 1), -1); /* above both */
	CHECK_EQ(vl_vcpuset_check("d", 5, &f, 0), 0);
	CHECK_EQ(vl_vcpuset_check("d", 8, &f, 0), 0);
	CHECK_EQ(vl_vcpuset_check("d", 9, &f, 0), -1);
	CHECK_EQ(vl_vcpuset_check("d", 0, &f, 0), -1);
	f.online = 6; /* more online than CPUs already: up to that is fine */
	CHECK_EQ(vl_vcpuset_check("d", 6, &f, 1), 0);
	CHECK_EQ(vl_vcpuset_check("d", 7, &f, 1), -1);
	fclose(stderr);
	stderr = saved;
	free(err);
}

int main(void)
{
	RUN(test_accepted);
	RUN(test_refused);
	RUN(test_domains);
	RUN(test_check);
	TEST_DONE();
}
