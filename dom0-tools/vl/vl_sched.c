/*
 * vl vcpu-list, vcpu-pin and sched-credit: xl's commands, names, flags and
 * layouts (tools/xl/xl_vcpu.c, xl_sched.c), over the scheduling hypercalls
 * (VIREO_HC_VCPU_INFO, VCPU_AFFINITY, SCHED_CREDIT, SCHED_CREDIT_PARAMS).
 * The domains' names and IDs come from vireod's "list", as `vl list`
 * takes them (xl reads them from xenstore); the rest from /dev/vireo.
 *
 *   Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)
 *   Domain-0                             0     0    0   r--      12.3  all / all
 *   demo                                 3     1    -   --p       0.0  0-1 / all
 *
 *   Cpupool Pool-0: tslice=30ms ratelimit=1000us migration-delay=0us
 *   Name                                ID Weight  Cap
 *   Domain-0                             0    256    0
 *
 * vcpu-list's state is xl's: r running, b blocked, and p (with CPU "-")
 * for a vCPU that is offline (never started or stopped through SBI HSM).
 * sched-credit shows each cpupool that runs credit (CPUPOOL_OP INFO) with
 * the domains in it (DOMAIN_GETINFO's pool), as xl; Vireo has no
 * migration delay (shown as 0us).
 * The formats do no I/O but on the FILE given (tests/unit/test_vl_sched.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpumap.h"
#include "libvireo.h"
#include "vl.h"

#define VL_SCHED_MAX_DOMS 64
#define VL_MAX_VCPU_INFO 64 /* a host's harts, at most: one page holds 102 */
#define VL_TSLICE_MS_MAX 1000
#define VL_RATELIMIT_US_MIN 100
#define VL_RATELIMIT_US_MAX 500000
#define VL_CAP_PER_VCPU 100

/* ------------------------------------------------------------- formats */

void vl_vcpu_header(FILE *f)
{
	fprintf(f, "%-32s %5s %5s %5s %5s %9s %s\n", "Name", "ID", "VCPU",
		"CPU", "State", "Time(s)", "Affinity (Hard / Soft)");
}

void vl_vcpu_row(FILE *f, const char *name, uint32_t domid,
		 const struct vireo_vcpu_info *vi, unsigned nr_cpus)
{
	char hard[CPUMAP_STRLEN], soft[CPUMAP_STRLEN];
	char r = vi->state & VIREO_VCPUSTATE_RUNNING ? 'r' : '-';
	char b = vi->state & VIREO_VCPUSTATE_BLOCKED ? 'b' : '-';

	fprintf(f, "%-32s %5u %5u", name, (unsigned)domid, (unsigned)vi->vcpu);
	if (!(vi->state & VIREO_VCPUSTATE_ONLINE))
		fprintf(f, "%5c %3c%cp ", '-', '-', '-');
	else if (vi->hart == VIREO_HART_NONE)
		fprintf(f, "%5c %3c%c- ", '-', r, b);
	else
		fprintf(f, "%5u %3c%c- ", (unsigned)vi->hart, r, b);
	/* xl goes through a float: the same rounding, the same text. */
	fprintf(f, "%9.1f  ", (float)vi->cpu_time_ns / 1e9);
	cpumap_format(vi->hard_affinity, nr_cpus, hard, sizeof(hard));
	cpumap_format(vi->soft_affinity, nr_cpus, soft, sizeof(soft));
	fprintf(f, "%s / %s\n", hard, soft);
}

void vl_sched_credit_header(FILE *f)
{
	fprintf(f, "%-33s %4s %6s %4s\n", "Name", "ID", "Weight", "Cap");
}

void vl_sched_credit_row(FILE *f, const char *name, uint32_t domid,
			 const struct vireo_sched_credit *sc)
{
	fprintf(f, "%-33s %4d %6d %4d\n", name, (int)domid, (int)sc->weight,
		(int)sc->cap);
}

void vl_sched_credit_pool(FILE *f, const char *pool,
			  const struct vireo_sched_credit_params *p)
{
	if (!p)
		fprintf(f, "Cpupool %s: [sched params unavailable]\n", pool);
	else
		fprintf(f, "Cpupool %s: tslice=%dms ratelimit=%dus "
			   "migration-delay=%dus\n",
			pool, (int)(p->tslice_us / 1000), (int)p->ratelimit_us,
			0);
}

/* ------------------------------------------------ domains, from vireod */

struct sched_doms {
	struct vl_dom doms[VL_SCHED_MAX_DOMS];
	unsigned nr;
};

static int on_dom(void *arg, char **f, unsigned nr)
{
	struct sched_doms *l = arg;

	if (l->nr == VL_SCHED_MAX_DOMS ||
	    vl_dom_parse(f, nr, &l->doms[l->nr]) < 0)
		return 0; /* not a domain line, or too many: skipped */
	l->nr++;
	return 0;
}

/* Every domain, Domain-0 first; NULL once the reason is printed. */
static struct sched_doms *fetch_doms(void)
{
	static const char *const req[] = { "list" };
	struct sched_doms *l = calloc(1, sizeof(*l));

	if (!l) {
		fprintf(stderr, "vl: out of memory\n");
		return NULL;
	}
	if (vl_request(req, 1, on_dom, NULL, l) < 0) {
		free(l);
		return NULL;
	}
	return l;
}

/* DOM, a name or an ID; NULL once the reason is printed. */
static const struct vl_dom *find_dom(const struct sched_doms *l,
				     const char *dom)
{
	unsigned id;
	int byid = vireod_parse_domid(dom, &id);

	for (unsigned i = 0; i < l->nr; i++)
		if (byid ? l->doms[i].domid == id
			 : !strcmp(l->doms[i].name, dom))
			return &l->doms[i];
	fprintf(stderr, "Error: Domain '%s' does not exist.\n", dom);
	return NULL;
}

/* The host's harts, for the cpumaps; 0 once the reason is printed. */
static unsigned host_cpus(struct vireo *v)
{
	struct vireo_physinfo pi;
	int rc = vireo_physinfo(v, &pi);

	if (rc < 0) {
		fprintf(stderr, "vl: vireo_physinfo failed: %s\n",
			vireo_strerror(rc));
		return 0;
	}
	return pi.nr_cpus ? pi.nr_cpus : 1;
}

/* ----------------------------------------------------------- vcpu-list */

/* One domain's rows; a domain gone since the list has none, as in xl. */
static int list_vcpus(struct vireo *v, const struct vl_dom *d,
		      unsigned nr_cpus)
{
	struct vireo_vcpu_info info[VL_MAX_VCPU_INFO];
	int n = vireo_vcpu_info(v, d->domid, info, VL_MAX_VCPU_INFO);

	if (n == VIREO_ENOENT)
		return 0;
	if (n < 0) {
		fprintf(stderr, "vl: cannot read the vCPUs of domain %u: %s\n",
			(unsigned)d->domid, vireo_strerror(n));
		return -1;
	}
	for (int i = 0; i < n && i < VL_MAX_VCPU_INFO; i++)
		vl_vcpu_row(stdout, d->name, d->domid, &info[i], nr_cpus);
	return 0;
}

int main_vcpu_list(int argc, char **argv)
{
	const struct vl_dom *sel[VL_SCHED_MAX_DOMS];
	struct sched_doms *l;
	struct vireo *v = NULL;
	unsigned nr = 0, nr_cpus;
	int opt, rc = 1;

	VL_FOREACH_OPT(opt, "", "vcpu-list", 0) {
	}
	l = fetch_doms();
	if (!l)
		return 1;
	for (int i = optind; i < argc && nr < VL_SCHED_MAX_DOMS; i++)
		if (!(sel[nr++] = find_dom(l, argv[i])))
			goto out;
	for (unsigned i = 0; optind == argc && i < l->nr; i++)
		sel[nr++] = &l->doms[i];
	v = vl_open_vireo();
	if (!v || !(nr_cpus = host_cpus(v)))
		goto out;
	vl_vcpu_header(stdout);
	rc = 0;
	for (unsigned i = 0; i < nr; i++)
		if (list_vcpus(v, sel[i], nr_cpus) < 0)
			rc = 1;
out:
	vireo_close(v);
	free(l);
	return rc;
}

/* ------------------------------------------------------------ vcpu-pin */

/* "N" or "all" (-1); 0, or -1 once the reason is printed. */
static int parse_vcpu(const char *s, int force, long *vcpu)
{
	unsigned id;

	if (!strcmp(s, "all")) {
		if (force) {
			fprintf(stderr,
				"Error: --force and 'all' as VCPU not allowed.\n");
			return -1;
		}
		*vcpu = -1;
		return 0;
	}
	if (!vireod_parse_domid(s, &id)) {
		fprintf(stderr, "Error: Invalid argument %s as VCPU.\n", s);
		return -1;
	}
	*vcpu = id;
	return 0;
}

/* One affinity argument: "-" (leave it), else a CPU list into *mask. */
static int parse_affinity(const char *s, const char *what, unsigned nr_cpus,
			  uint64_t *mask, uint32_t bit, uint32_t *which)
{
	char err[256];

	if (!s || !strcmp(s, "-"))
		return 0;
	if (cpumap_parse(s, nr_cpus, mask, err, sizeof(err)) < 0) {
		fprintf(stderr, "vl vcpu-pin: %s affinity '%s': %s\n", what, s,
			err);
		return -1;
	}
	*which |= bit;
	return 0;
}

struct pin {
	uint32_t domid;
	long vcpu; /* -1: all */
	uint32_t nr_vcpus;
	uint64_t hard, soft;
	uint32_t which; /* VIREO_AFFINITY_* */
};

static int pin_vcpus(struct vireo *v, const struct pin *p)
{
	uint32_t first = p->vcpu < 0 ? 0 : (uint32_t)p->vcpu;
	uint32_t end = p->vcpu < 0 ? p->nr_vcpus : first + 1;
	int rc = 0;

	for (uint32_t i = first; i < end; i++) {
		int r = vireo_vcpu_affinity(v, p->domid, i, p->hard, p->soft,
					    p->which);

		if (r < 0) {
			fprintf(stderr, "Could not set affinity for vcpu "
				"`%u': %s.\n", (unsigned)i, vireo_strerror(r));
			rc = -1;
		}
	}
	return rc;
}

/* The arguments after the flags, DOM VCPU HARD [SOFT], VCPU parsed. */
static int pin_args(char **a, int n, struct vireo *v, const struct vl_dom *d,
		    struct pin *p)
{
	unsigned nr_cpus = host_cpus(v);

	if (!nr_cpus ||
	    parse_affinity(a[2], "hard", nr_cpus, &p->hard,
			   VIREO_AFFINITY_HARD, &p->which) < 0 ||
	    parse_affinity(n > 3 ? a[3] : NULL, "soft", nr_cpus, &p->soft,
			   VIREO_AFFINITY_SOFT, &p->which) < 0)
		return -1;
	p->domid = d->domid;
	p->nr_vcpus = d->vcpus;
	if (p->vcpu >= (long)d->vcpus) {
		fprintf(stderr, "vl vcpu-pin: domain '%s' has no vCPU %ld (it "
			"has %u)\n", a[0], p->vcpu, (unsigned)d->vcpus);
		return -1;
	}
	if (!p->which) {
		fprintf(stderr, "vl vcpu-pin: both affinities are '-': "
			"nothing to set\n");
		return -1;
	}
	return 0;
}

/*
 * xl vcpu-pin: -f (--force) undoes a pinning Dom0's kernel made in Xen;
 * Vireo's Dom0 makes none, so it only forbids "all", as in xl.
 */
int main_vcpu_pin(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct vl_dom *d;
	struct sched_doms *l = NULL;
	struct vireo *v = NULL;
	struct pin p = { 0 };
	int opt, force = 0, rc = 1;

	VL_FOREACH_OPT_LONG(opt, "f", opts, "vcpu-pin", 3) {
	case 'f':
		force = 1;
		break;
	}
	if (argc - optind > 4)
		return vl_usage_error("vcpu-pin");
	if (parse_vcpu(argv[optind + 1], force, &p.vcpu) < 0)
		return 1;
	l = fetch_doms();
	if (!l || !(d = find_dom(l, argv[optind])))
		goto out;
	v = vl_open_vireo();
	if (!v || pin_args(argv + optind, argc - optind, v, d, &p) < 0)
		goto out;
	rc = pin_vcpus(v, &p) < 0;
out:
	vireo_close(v);
	free(l);
	return rc;
}

/* -------------------------------------------------------- sched-credit */

struct credit {
	const char *dom, *pool;
	long weight, cap, tslice, ratelimit;
	int opt_w, opt_c, opt_s, opt_t, opt_r;
};

/* A decimal integer (xl takes strtol's reading; a typo is an error here). */
static int parse_long(const char *s, const char *what, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	if (!*s || *end || errno || *out < -1000000000L ||
	    *out > 1000000000L) {
		fprintf(stderr, "vl sched-credit: invalid %s '%s'\n", what, s);
		return -1;
	}
	return 0;
}

static int credit_opts(int argc, char **argv, struct credit *o)
{
	static const struct option opts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "weight", required_argument, NULL, 'w' },
		{ "cap", required_argument, NULL, 'c' },
		{ "schedparam", no_argument, NULL, 's' },
		{ "tslice_ms", required_argument, NULL, 't' },
		{ "ratelimit_us", required_argument, NULL, 'r' },
		{ "cpupool", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	VL_FOREACH_OPT_LONG(opt, "d:w:c:st:r:p:", opts, "sched-credit", 0) {
	case 'd':
		o->dom = optarg;
		break;
	case 'w':
		o->opt_w = 1;
		if (parse_long(optarg, "weight", &o->weight) < 0)
			return -1;
		break;
	case 'c':
		o->opt_c = 1;
		if (parse_long(optarg, "cap", &o->cap) < 0)
			return -1;
		break;
	case 's':
		o->opt_s = 1;
		break;
	case 't':
		o->opt_t = 1;
		if (parse_long(optarg, "time slice", &o->tslice) < 0)
			return -1;
		break;
	case 'r':
		o->opt_r = 1;
		if (parse_long(optarg, "rate limit", &o->ratelimit) < 0)
			return -1;
		break;
	case 'p':
		o->pool = optarg;
		break;
	}
	if (optind != argc) {
		vl_usage_error("sched-credit");
		return -1;
	}
	return 0;
}

/* The combinations xl refuses, with its words. */
static int credit_check(const struct credit *o)
{
	if ((o->pool || o->opt_s) && (o->dom || o->opt_w || o->opt_c)) {
		fprintf(stderr, "Specifying a cpupool or schedparam is not "
			"allowed with domain options.\n");
		return -1;
	}
	if (!o->dom && (o->opt_w || o->opt_c)) {
		fprintf(stderr, "Must specify a domain.\n");
		return -1;
	}
	if (!o->opt_s && (o->opt_t || o->opt_r)) {
		fprintf(stderr, "Must specify schedparam to set schedule "
			"parameter values.\n");
		return -1;
	}
	return 0;
}

/*
 * The pool -p names (Pool-0 without -p), which must run credit: xl would
 * print nothing for a pool of another scheduler, or say its parameters
 * are unavailable; the reason is clearer. -1 once it is printed.
 */
static int credit_find_pool(struct vireo *v, const char *q,
			    struct vireo_cpupool *pool)
{
	int rc = vireo_cpupool_lookup(v, q ? q : "0", pool);

	if (rc == VIREO_ENOENT) {
		fprintf(stderr, "unknown cpupool '%s'\n", q ? q : "0");
		return -1;
	}
	if (rc < 0) {
		fprintf(stderr, "error getting cpupool info: %s\n",
			vireo_strerror(rc));
		return -1;
	}
	if (pool->sched != VIREO_SCHED_CREDIT) {
		const char *name = vireo_sched_name(pool->sched);

		fprintf(stderr, "vl sched-credit: cpupool '%s' runs the %s "
			"scheduler, not credit\n", pool->name,
			name ? name : "unknown");
		return -1;
	}
	return 0;
}

/* -s [-t MS] [-r US]: the pool's line, or its new time slice and rate limit. */
static int credit_pool(struct vireo *v, const struct credit *o,
		       const struct vireo_cpupool *pool)
{
	struct vireo_sched_credit_params p = { 0 };
	int rc = vireo_sched_credit_params(v, pool->id, &p, 0);

	if (!o->opt_t && !o->opt_r) {
		vl_sched_credit_pool(stdout, pool->name, rc < 0 ? NULL : &p);
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "vl: cannot read %s's parameters: %s\n",
			pool->name, vireo_strerror(rc));
		return -1;
	}
	if (o->opt_t && (o->tslice < 1 || o->tslice > VL_TSLICE_MS_MAX)) {
		fprintf(stderr, "Time slice out of range, valid range is from "
			"1 to %d\n", VL_TSLICE_MS_MAX);
		return -1;
	}
	if (o->opt_r && o->ratelimit != 0 &&
	    (o->ratelimit < VL_RATELIMIT_US_MIN ||
	     o->ratelimit > VL_RATELIMIT_US_MAX)) {
		fprintf(stderr, "Ratelimit out of range, valid range is 0 (no "
			"limit) or from %d to %d\n", VL_RATELIMIT_US_MIN,
			VL_RATELIMIT_US_MAX);
		return -1;
	}
	if (o->opt_t)
		p.tslice_us = (uint32_t)o->tslice * 1000;
	if (o->opt_r)
		p.ratelimit_us = (uint32_t)o->ratelimit;
	if (p.ratelimit_us > p.tslice_us) {
		fprintf(stderr, "Ratelimit cannot be greater than timeslice\n");
		return -1;
	}
	rc = vireo_sched_credit_params(v, pool->id, &p,
				       VIREO_SCHED_SET_PARAMS);
	if (rc < 0) {
		fprintf(stderr, "vl: cannot set %s's parameters: %s\n",
			pool->name, vireo_strerror(rc));
		return -1;
	}
	return 0;
}

/* One domain's row; -1 (said why) if its parameters cannot be read. */
static int credit_row(struct vireo *v, const struct vl_dom *d)
{
	struct vireo_sched_credit sc = { 0 };
	int rc = vireo_sched_credit(v, d->domid, &sc, 0);

	if (rc < 0) {
		fprintf(stderr, "vl: cannot read the credit parameters of "
			"domain %u: %s\n", (unsigned)d->domid,
			vireo_strerror(rc));
		return -1;
	}
	vl_sched_credit_row(stdout, d->name, d->domid, &sc);
	return 0;
}

/* The id of the pool domain d is in; Pool-0's if it is gone meanwhile. */
static uint32_t dom_pool(struct vireo *v, const struct vl_dom *d)
{
	struct vireo_domain_info info;

	return vireo_domain_getinfo(v, d->domid, &info) == 0 ? info.pool : 0;
}

/* One pool's line, as xl's (its parameters unavailable: said so). */
static void credit_pool_line(struct vireo *v,
			     const struct vireo_cpupool *pool)
{
	struct vireo_sched_credit_params p = { 0 };
	int rc = vireo_sched_credit_params(v, pool->id, &p, 0);

	vl_sched_credit_pool(stdout, pool->name, rc < 0 ? NULL : &p);
}

/*
 * No -d, no -s: for each pool that runs credit (only `only`, if given),
 * its line, the header and the rows of its domains, as xl.
 */
static int credit_all(struct vireo *v, const struct sched_doms *l,
		      const struct vireo_cpupool *only)
{
	struct vireo_cpupool pools[VIREO_CPUPOOL_MAX];
	uint32_t in[VL_SCHED_MAX_DOMS];
	int n = vireo_cpupool_list(v, pools, VIREO_CPUPOOL_MAX), rc = 0;

	if (n < 0) {
		fprintf(stderr, "error getting cpupool info: %s\n",
			vireo_strerror(n));
		return -1;
	}
	n = n < VIREO_CPUPOOL_MAX ? n : VIREO_CPUPOOL_MAX;
	for (unsigned i = 0; i < l->nr; i++)
		in[i] = dom_pool(v, &l->doms[i]);
	for (int p = 0; p < n; p++) {
		if (pools[p].sched != VIREO_SCHED_CREDIT ||
		    (only && only->id != pools[p].id))
			continue;
		credit_pool_line(v, &pools[p]);
		vl_sched_credit_header(stdout);
		for (unsigned i = 0; i < l->nr; i++) {
			if (in[i] != pools[p].id)
				continue;
			fflush(stdout); /* rows before a later error message */
			if (credit_row(v, &l->doms[i]) < 0)
				rc = -1;
		}
	}
	return rc;
}

/* -d DOM [-w W] [-c C]: its row, or its new weight and cap. */
static int credit_domain(struct vireo *v, const struct vl_dom *d,
			 const struct credit *o)
{
	long max_cap = (long)VL_CAP_PER_VCPU * d->vcpus;
	struct vireo_sched_credit sc = { 0 };
	uint32_t set = 0;
	int rc;

	if (!o->opt_w && !o->opt_c) {
		vl_sched_credit_header(stdout);
		return credit_row(v, d);
	}
	if (o->opt_w && (o->weight < 1 || o->weight > VIREO_SCHED_WEIGHT_MAX)) {
		fprintf(stderr, "Cpu weight out of range, valid values are "
			"within range from 1 to %d\n", VIREO_SCHED_WEIGHT_MAX);
		return -1;
	}
	if (o->opt_c && (o->cap < 0 || o->cap > max_cap)) {
		fprintf(stderr, "Cpu cap out of range, valid range is from 0 "
			"to %ld for specified number of vcpus\n", max_cap);
		return -1;
	}
	if (o->opt_w) {
		sc.weight = (uint32_t)o->weight;
		set |= VIREO_SCHED_SET_WEIGHT;
	}
	if (o->opt_c) {
		sc.cap = (uint32_t)o->cap;
		set |= VIREO_SCHED_SET_CAP;
	}
	rc = vireo_sched_credit(v, d->domid, &sc, set);
	if (rc < 0) {
		fprintf(stderr, "vl: cannot set the credit parameters of "
			"domain %u: %s\n", (unsigned)d->domid,
			vireo_strerror(rc));
		return -1;
	}
	return 0;
}

int main_sched_credit(int argc, char **argv)
{
	struct credit o = { 0 };
	struct sched_doms *l = NULL;
	const struct vl_dom *d = NULL;
	struct vireo_cpupool pool;
	struct vireo *v = NULL;
	int rc = 1;

	if (credit_opts(argc, argv, &o) < 0 || credit_check(&o) < 0)
		return 1;
	if (!o.opt_s) {
		l = fetch_doms();
		if (!l || (o.dom && !(d = find_dom(l, o.dom))))
			goto out;
	}
	v = vl_open_vireo();
	if (!v || ((o.opt_s || o.pool) &&
		   credit_find_pool(v, o.pool, &pool) < 0))
		goto out;
	if (o.opt_s)
		rc = credit_pool(v, &o, &pool) < 0;
	else if (!d)
		rc = credit_all(v, l, o.pool ? &pool : NULL) < 0;
	else
		rc = credit_domain(v, d, &o) < 0;
out:
	vireo_close(v);
	free(l);
	return rc;
}
