/*
 * vl vcpu-set: xl's command (tools/xl/xl_vcpu.c): how many of a domain's
 * vCPUs are to be online.
 *
 *   vl vcpu-set [-i|--ignore-host] <Domain> <vCPUs>
 *
 * A domain has maxvcpus vCPUs (xl.cfg), vcpus of them online at boot. The
 * count must be 1 to that number (DOMAIN_GETINFO's nr_vcpus); it goes to
 * the guest agent as VIREO_CONTROL_SET_VCPUS (abi/vireo_abi.h), which
 * brings CPUs 1..count-1 online and takes the others offline through
 * Linux's CPU hotplug (dom0-tools/vireo-agent/vcpus.c). As in xl, the
 * command returns once the request is posted; the guest acts on it in its
 * own time (`vl vcpu-list` shows the result). Domain-0 is refused: Vireo's
 * Dom0 runs no agent.
 *
 * As xl, a count above both the vCPUs online now and the host's CPUs is
 * refused as overcommitting unless -i (--ignore-host) is given.
 */
#include <stdio.h>
#include <string.h>

#include "libvireo.h"
#include "vl.h"

#define VL_MAX_VCPU_INFO 64 /* as vl_sched.c: more than a domain has */

int vl_vcpuset_check(const char *dom, unsigned n,
		     const struct vl_vcpuset_facts *f, int check_host)
{
	if (n < 1 || n > f->nr_vcpus) {
		fprintf(stderr,
			"vl vcpu-set: cannot set %u vCPUs online: domain '%s' "
			"has %u (its maxvcpus); give 1 to %u\n",
			n, dom, f->nr_vcpus, f->nr_vcpus);
		return -1;
	}
	if (check_host && n > f->online && n > f->host_cpus) {
		fprintf(stderr,
			"You are overcommitting! You have %u physical CPUs and "
			"want %u vCPUs! Aborting, use --ignore-host to "
			"continue\n",
			f->host_cpus, n);
		return -1;
	}
	return 0;
}

/* The count: decimal digits only. 0, or -1 once the reason is printed. */
static int parse_count(const char *s, unsigned *n)
{
	if (vireod_parse_domid(s, n))
		return 0;
	fprintf(stderr, "Error: Invalid argument '%s' as a number of vCPUs.\n",
		s);
	return -1;
}

struct domid_answer {
	unsigned id;
	int ok;
};

static void on_domid(void *arg, char **ok, unsigned nr_ok)
{
	struct domid_answer *a = arg;

	a->ok = nr_ok > 1 && vireod_parse_domid(ok[1], &a->id);
}

/* DOM, an ID as it is, a name through vireod; -1 once the reason is said. */
static int resolve(const char *dom, uint32_t *domid)
{
	const char *req[2] = { "domid", dom };
	struct domid_answer a = { 0, 0 };

	if (!strcmp(dom, VIREOD_DOM0_NAME)) {
		*domid = 0; /* needs no vireod */
		return 0;
	}
	if (vireod_parse_domid(dom, &a.id)) {
		*domid = a.id;
		return 0;
	}
	if (vl_request(req, 2, NULL, on_domid, &a) < 0)
		return -1;
	if (!a.ok) {
		fprintf(stderr, "vl vcpu-set: vireod gave no ID for '%s'\n",
			dom);
		return -1;
	}
	*domid = a.id;
	return 0;
}

/* What the checks need: the domain's vCPUs and, for xl's host check, how
 * many are online and the host's CPUs. -1 once the reason is printed. */
static int facts(struct vireo *v, uint32_t domid, int check_host,
		 struct vl_vcpuset_facts *f)
{
	struct vireo_vcpu_info info[VL_MAX_VCPU_INFO];
	struct vireo_domain_info di;
	struct vireo_physinfo pi;
	int rc = vireo_domain_getinfo(v, domid, &di);

	if (rc == VIREO_ENOENT) {
		fprintf(stderr, "Domain %u does not exist.\n", (unsigned)domid);
		return -1;
	}
	if (rc < 0) {
		fprintf(stderr, "vl vcpu-set: cannot read domain %u: %s\n",
			(unsigned)domid, vireo_strerror(rc));
		return -1;
	}
	f->nr_vcpus = di.nr_vcpus;
	f->online = f->host_cpus = 0;
	if (!check_host)
		return 0;
	rc = vireo_vcpu_info(v, domid, info, VL_MAX_VCPU_INFO);
	for (int i = 0; i < rc && i < VL_MAX_VCPU_INFO; i++)
		f->online += !!(info[i].state & VIREO_VCPUSTATE_ONLINE);
	if (rc >= 0)
		rc = vireo_physinfo(v, &pi);
	if (rc < 0) {
		fprintf(stderr, "vl vcpu-set: cannot read the vCPUs of domain "
			"%u or the host's CPUs: %s\n", (unsigned)domid,
			vireo_strerror(rc));
		return -1;
	}
	f->host_cpus = pi.nr_cpus;
	return 0;
}

static int vcpuset(const char *dom, uint32_t domid, unsigned n,
		   int check_host)
{
	struct vl_vcpuset_facts f;
	struct vireo *v = vl_open_vireo();
	int rc = -1;

	if (!v)
		return -1;
	if (facts(v, domid, check_host, &f) < 0 ||
	    vl_vcpuset_check(dom, n, &f, check_host) < 0)
		goto out;
	rc = vireo_domain_control(v, domid, VIREO_CONTROL_MAKE(
					    VIREO_CONTROL_SET_VCPUS, n));
	if (rc < 0)
		fprintf(stderr, "vl vcpu-set: domain %u refused the request "
			"for %u vCPUs: %s\n", (unsigned)domid, n,
			vireo_strerror(rc));
out:
	vireo_close(v);
	return rc < 0 ? -1 : 0;
}

int main_vcpu_set(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ignore-host", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, check_host = 1;
	uint32_t domid;
	unsigned n;

	VL_FOREACH_OPT_LONG(opt, "i", opts, "vcpu-set", 2) {
	case 'i':
		check_host = 0;
		break;
	}
	if (argc - optind != 2)
		return vl_usage_error("vcpu-set");
	if (parse_count(argv[optind + 1], &n) < 0 ||
	    resolve(argv[optind], &domid) < 0)
		return 1;
	if (domid == 0) {
		fprintf(stderr, "vl vcpu-set: Domain-0's vCPUs cannot be set: "
			"Vireo's Dom0 runs no guest agent to bring them "
			"online or offline\n");
		return 1;
	}
	return vcpuset(argv[optind], domid, n, check_host) < 0;
}
