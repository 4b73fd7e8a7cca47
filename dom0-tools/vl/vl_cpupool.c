/*
 * vl cpupool-list, cpupool-create, cpupool-destroy, cpupool-cpu-add,
 * cpupool-cpu-remove and cpupool-migrate: xl's commands, names, flags and
 * layouts (tools/xl/xl_cpupool.c, xl_cmdtable.c), over CPUPOOL_OP
 * (libvireo.h). A pool is named by its name or its id, as in xl.
 *
 *   Name               CPUs   Sched     Active   Domain count
 *   Pool-0               2    credit       y          2
 *   rt                   2      null       y          1
 *
 *   Name               CPU list
 *   Pool-0             0,1
 *   rt                 2,3
 *
 * The hypervisor partitions the harts: one joins a pool only while it is
 * free, so a hart goes from Pool-0 to another pool by cpupool-cpu-remove,
 * then cpupool-cpu-add or cpupool-create, as in xl. Each command checks
 * all it can before it acts, and a command that fails half-way undoes
 * what it did (cpupool-create, cpupool-destroy) or says what it did.
 *
 * cpupool-create reads xlcpupool.cfg(5) (name, sched, cpus): see
 * vl_cpupool_cfg.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpumap.h"
#include "libvireo.h"
#include "vl.h"
#include "vl_cpupool.h"

#define POOL_MAX_VARS 32

/* ------------------------------------------------------------- formats */

/* xl's header: "Name" in 19 columns, then the columns or "CPU list". */
static void pool_list_header(FILE *f, int cpus)
{
	fprintf(f, "%-19s", "Name");
	fputs(cpus ? "CPU list\n" : "CPUs   Sched     Active   Domain count\n",
	      f);
}

/* xl's row: every CPU (not runs) with -c, else the counts. */
static void pool_list_row(FILE *f, const struct vireo_cpupool *p, int cpus)
{
	const char *sched = vireo_sched_name(p->sched);
	int n = 0;

	fprintf(f, "%-19s", p->name);
	for (unsigned c = 0; c < 64; c++) {
		if (!(p->harts >> c & 1))
			continue;
		if (cpus)
			fprintf(f, "%s%u", n ? "," : "", c);
		n++;
	}
	if (!cpus)
		fprintf(f, "%3d %9s       y       %4d", n,
			sched ? sched : "unknown", (int)p->nr_domains);
	fputc('\n', f);
}

/* ---------------------------------------------------------- the host */

struct pool_host {
	unsigned nr_cpus;
	struct vireo_cpupool pools[VIREO_CPUPOOL_MAX];
	unsigned nr;
};

/* The host's harts and pools; -1 once the reason is printed. */
static int host_read(struct vireo *v, struct pool_host *h)
{
	struct vireo_physinfo pi;
	int rc = vireo_physinfo(v, &pi);

	if (rc < 0) {
		fprintf(stderr, "vl: vireo_physinfo failed: %s\n",
			vireo_strerror(rc));
		return -1;
	}
	h->nr_cpus = pi.nr_cpus ? pi.nr_cpus : 1;
	rc = vireo_cpupool_list(v, h->pools, VIREO_CPUPOOL_MAX);
	if (rc < 0) {
		fprintf(stderr, "error getting cpupool info: %s\n",
			vireo_strerror(rc));
		return -1;
	}
	h->nr = rc < VIREO_CPUPOOL_MAX ? (unsigned)rc : VIREO_CPUPOOL_MAX;
	return 0;
}

/* The pool holding hart c, or NULL if it is free. */
static const struct vireo_cpupool *hart_pool(const struct pool_host *h,
					     unsigned c)
{
	for (unsigned i = 0; i < h->nr; i++)
		if (h->pools[i].harts >> c & 1)
			return &h->pools[i];
	return NULL;
}

/* The pool q names, as xl's words say when there is none. */
static const struct vireo_cpupool *find_pool(const struct pool_host *h,
					     const char *q)
{
	const struct vireo_cpupool *p = vireo_cpupool_find(h->pools, h->nr, q);

	if (!p)
		fprintf(stderr, "unknown cpupool '%s'\n", q);
	return p;
}

/* Open /dev/vireo and read the host; NULL once the reason is printed. */
static struct vireo *host_open(struct pool_host *h)
{
	struct vireo *v = vl_open_vireo();

	if (v && host_read(v, h) < 0) {
		vireo_close(v);
		return NULL;
	}
	return v;
}

/* -------------------------------------------------------- cpupool-list */

int main_cpupool_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpus", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct vireo_cpupool *sel = NULL;
	struct pool_host h;
	struct vireo *v;
	int opt, cpus = 0;

	VL_FOREACH_OPT_LONG(opt, "c", opts, "cpupool-list", 0) {
	case 'c':
		cpus = 1;
		break;
	}
	if (argc - optind > 1)
		return vl_usage_error("cpupool-list");
	v = host_open(&h);
	if (!v)
		return 1;
	vireo_close(v);
	if (optind < argc &&
	    !(sel = vireo_cpupool_find(h.pools, h.nr, argv[optind]))) {
		fprintf(stderr, "Pool '%s' does not exist\n", argv[optind]);
		return 1;
	}
	pool_list_header(stdout, cpus);
	for (unsigned i = 0; i < h.nr; i++)
		if (!sel || sel == &h.pools[i])
			pool_list_row(stdout, &h.pools[i], cpus);
	return 0;
}

/* ------------------------------------------------------ cpupool-create */

/* The name is new and each CPU free (xl's rule); else say why. */
static int create_check(const struct pool_host *h, const struct vl_pool_cfg *cfg)
{
	int rc = 0;

	if (vireo_cpupool_find(h->pools, h->nr, cfg->name)) {
		fprintf(stderr, "Pool name \"%s\" already exists\n", cfg->name);
		return -1;
	}
	for (unsigned c = 0; c < 64; c++) {
		const struct vireo_cpupool *p = hart_pool(h, c);

		if (!(cfg->cpus >> c & 1) || !p)
			continue;
		fprintf(stderr, "cpu %u illegal or not free: it is in cpupool "
			"'%s' (take it out first: vl cpupool-cpu-remove %s "
			"%u)\n", c, p->name, p->name, c);
		rc = -1;
	}
	return rc;
}

/* Take the harts in added back out of the new pool id, and destroy it. */
static void create_undo(struct vireo *v, uint32_t id, uint64_t added,
			const char *name)
{
	int rc = 0;

	for (unsigned c = 0; c < 64; c++) {
		int r = added >> c & 1 ? vireo_cpupool_cpu_remove(v, id, c) : 0;

		if (r < 0) {
			fprintf(stderr, "vl cpupool-create: cannot take cpu "
				"%u back out of cpupool '%s': %s\n", c, name,
				vireo_strerror(r));
			rc = r;
		}
	}
	if (!rc)
		rc = vireo_cpupool_destroy(v, id);
	if (rc < 0)
		fprintf(stderr, "vl cpupool-create: cpupool '%s' is left "
			"half-made (%s): 'vl cpupool-destroy %s' removes "
			"it\n", name, vireo_strerror(rc), name);
	else
		fprintf(stderr, "vl cpupool-create: cpupool '%s' removed "
			"again\n", name);
}

/* CREATE, then CPU_ADD for each hart; undone if one fails. */
static int create_pool(struct vireo *v, const struct vl_pool_cfg *cfg)
{
	uint32_t id;
	unsigned c;
	int rc = vireo_cpupool_create(v, cfg->name, cfg->sched, &id);

	if (rc < 0) {
		fprintf(stderr, "vl cpupool-create: cannot create cpupool "
			"'%s': %s\nerror on creating cpupool\n", cfg->name,
			vireo_strerror(rc));
		return -1;
	}
	for (c = 0; c < 64 && !rc; c++)
		if (cfg->cpus >> c & 1)
			rc = vireo_cpupool_cpu_add(v, id, c);
	if (!rc)
		return 0;
	c--; /* the hart that failed */
	fprintf(stderr, "vl cpupool-create: cannot add cpu %u to cpupool "
		"'%s': %s\n", c, cfg->name, vireo_strerror(rc));
	create_undo(v, id, cfg->cpus & ((UINT64_C(1) << c) - 1), cfg->name);
	fprintf(stderr, "error on creating cpupool\n");
	return -1;
}

/* Parse, check, show what it will be (as xl), then make it. */
static int create_run(const char *file, char *const *vars, unsigned nr_vars,
		      int dryrun)
{
	char *text = file ? vl_pool_cfg_read(file) : NULL;
	struct pool_host h;
	struct vl_pool_cfg cfg;
	struct vireo *v = NULL;
	char err[1024];
	int rc = -1;

	if ((file && !text) || !(v = host_open(&h)))
		goto out;
	if (vl_pool_cfg_parse(file, text ? text : "", vars, nr_vars,
			      h.nr_cpus, &cfg, stderr, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (create_check(&h, &cfg) < 0)
		goto out;
	printf("Using config file \"%s\"\n", file ? file : "command line");
	printf("cpupool name:   %s\n", cfg.name);
	printf("scheduler:      %s\n", vireo_sched_name(cfg.sched));
	printf("number of cpus: %d\n", __builtin_popcountll(cfg.cpus));
	fflush(stdout);
	rc = dryrun ? 0 : create_pool(v, &cfg);
out:
	vireo_close(v);
	free(text);
	return rc;
}

int main_cpupool_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "defconfig", required_argument, NULL, 'f' },
		{ "dryrun", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *vars[POOL_MAX_VARS];
	const char *file = NULL;
	unsigned nr_vars = 0;
	int opt, dryrun = vl_dryrun;

	VL_FOREACH_OPT_LONG(opt, "nf:", opts, "cpupool-create", 0) {
	case 'f':
		file = optarg;
		break;
	case 'n':
		dryrun = 1;
		break;
	}
	for (int i = optind; i < argc; i++) {
		if (strchr(argv[i], '=') && nr_vars < POOL_MAX_VARS)
			vars[nr_vars++] = argv[i];
		else if (!strchr(argv[i], '=') && !file)
			file = argv[i];
		else
			return vl_usage_error("cpupool-create");
	}
	return create_run(file, vars, nr_vars, dryrun) < 0;
}

/* ----------------------------------------------------- cpupool-destroy */

/* Every hart out of pool p (put back if one cannot go), then DESTROY. */
static int destroy_pool(struct vireo *v, const struct vireo_cpupool *p)
{
	uint64_t out = 0;
	int rc = 0;

	for (unsigned c = 0; c < 64 && !rc; c++) {
		if (!(p->harts >> c & 1))
			continue;
		rc = vireo_cpupool_cpu_remove(v, p->id, c);
		if (rc < 0)
			fprintf(stderr, "vl cpupool-destroy: cannot take cpu "
				"%u out of cpupool '%s': %s\n", c, p->name,
				vireo_strerror(rc));
		else
			out |= UINT64_C(1) << c;
	}
	if (!rc && (rc = vireo_cpupool_destroy(v, p->id)) < 0)
		fprintf(stderr, "vl cpupool-destroy: %s\n", vireo_strerror(rc));
	for (unsigned c = 0; rc < 0 && c < 64; c++)
		if (out >> c & 1 && vireo_cpupool_cpu_add(v, p->id, c) < 0)
			fprintf(stderr, "vl cpupool-destroy: and cannot give "
				"cpu %u back to it\n", c);
	return rc;
}

int main_cpupool_destroy(int argc, char **argv)
{
	const struct vireo_cpupool *p;
	struct pool_host h;
	struct vireo *v;
	int opt, rc = 1;

	VL_FOREACH_OPT(opt, "", "cpupool-destroy", 1) {
	}
	if (argc - optind > 1)
		return vl_usage_error("cpupool-destroy");
	v = host_open(&h);
	if (!v)
		return 1;
	p = find_pool(&h, argv[optind]);
	if (!p)
		goto out;
	if (p->id == 0)
		fprintf(stderr, "vl cpupool-destroy: %s holds Domain-0 and is "
			"never destroyed\n", p->name);
	else if (p->nr_domains)
		fprintf(stderr, "vl cpupool-destroy: cpupool '%s' still has "
			"%u domain(s): move them out first (vl "
			"cpupool-migrate)\n", p->name, (unsigned)p->nr_domains);
	else
		rc = destroy_pool(v, p) < 0;
	if (rc)
		fprintf(stderr, "Can't destroy cpupool '%s'\n", argv[optind]);
out:
	vireo_close(v);
	return rc;
}

/* ------------------------------------ cpupool-cpu-add, cpu-remove */

/* The CPU list argument; "node:N" has a clear refusal of its own. */
static int parse_cpus(const char *cmd, const char *s, unsigned nr_cpus,
		      uint64_t *mask)
{
	char err[256];

	if (!strncmp(s, "node:", 5) || !strncmp(s, "nodes:", 6)) {
		fprintf(stderr, "vl %s: '%s': Vireo has no NUMA nodes: give "
			"CPU numbers (2, 2-3, 2,3)\n", cmd, s);
		return -1;
	}
	if (cpumap_parse(s, nr_cpus, mask, err, sizeof(err)) < 0) {
		fprintf(stderr, "vl %s: CPU list '%s': %s\n", cmd, s, err);
		return -1;
	}
	return 0;
}

/* Decode for cpu-add: each hart free or already in p (left as it is). */
static int add_check(const struct pool_host *h, const struct vireo_cpupool *p,
		     uint64_t *mask)
{
	int rc = 0;

	for (unsigned c = 0; c < 64; c++) {
		const struct vireo_cpupool *in = hart_pool(h, c);

		if (!(*mask >> c & 1) || !in)
			continue;
		*mask &= ~(UINT64_C(1) << c);
		if (in == p)
			continue;
		fprintf(stderr, "vl cpupool-cpu-add: cpu %u is in cpupool "
			"'%s': take it out first (vl cpupool-cpu-remove %s "
			"%u)\n", c, in->name, in->name, c);
		rc = -1;
	}
	return rc;
}

/* Decode for cpu-remove: each hart in p. */
static int remove_check(const struct vireo_cpupool *p, uint64_t mask)
{
	int rc = 0;

	for (unsigned c = 0; c < 64; c++) {
		if (mask >> c & 1 && !(p->harts >> c & 1)) {
			fprintf(stderr, "vl cpupool-cpu-remove: cpu %u is not "
				"in cpupool '%s'\n", c, p->name);
			rc = -1;
		}
	}
	return rc;
}

/* Why hart c could not leave pool p. */
static void remove_error(const struct vireo_cpupool *p, unsigned c, int rc)
{
	fprintf(stderr, "vl cpupool-cpu-remove: cpu %u cannot leave cpupool "
		"'%s': ", c, p->name);
	if (rc == VIREO_EPOOLFULL)
		fprintf(stderr, "it runs the null scheduler and its vCPUs need "
			"every CPU it has\n");
	else if (rc == VIREO_EINVAL)
		fprintf(stderr, "a vCPU would be left with no CPU to run on "
			"(the pool's last CPU, the only CPU of a vCPU's hard "
			"affinity, or the boot CPU of Pool-0)\n");
	else
		fprintf(stderr, "%s\n", vireo_strerror(rc));
}

/* Each hart of mask in (add) or out of pool p; xl's words if one fails. */
static int move_cpus(struct vireo *v, const struct vireo_cpupool *p,
		     uint64_t mask, int add)
{
	int failed = 0;

	for (unsigned c = 0; c < 64; c++) {
		int rc;

		if (!(mask >> c & 1))
			continue;
		rc = add ? vireo_cpupool_cpu_add(v, p->id, c)
			 : vireo_cpupool_cpu_remove(v, p->id, c);
		if (rc < 0 && add)
			fprintf(stderr, "vl cpupool-cpu-add: cannot add cpu %u "
				"to cpupool '%s': %s\n", c, p->name,
				vireo_strerror(rc));
		else if (rc < 0)
			remove_error(p, c, rc);
		failed |= rc < 0;
	}
	if (failed && add)
		fprintf(stderr, "some cpus may not have been added to %s\n",
			p->name);
	else if (failed)
		fprintf(stderr, "Some cpus may have not or only partially been "
			"removed from '%s'.\nIf a cpu can't be added to "
			"another cpupool, add it to '%s' again and retry.\n",
			p->name, p->name);
	return failed ? -1 : 0;
}

static int pool_cpus_cmd(int argc, char **argv, const char *cmd, int add)
{
	const struct vireo_cpupool *p;
	struct pool_host h;
	struct vireo *v;
	uint64_t mask;
	int opt, rc = 1;

	VL_FOREACH_OPT(opt, "", cmd, 2) {
	}
	if (argc - optind > 2)
		return vl_usage_error(cmd);
	v = host_open(&h);
	if (!v)
		return 1;
	if (parse_cpus(cmd, argv[optind + 1], h.nr_cpus, &mask) < 0 ||
	    !(p = find_pool(&h, argv[optind])))
		goto out;
	if (add ? add_check(&h, p, &mask) < 0 : remove_check(p, mask) < 0)
		goto out;
	rc = move_cpus(v, p, mask, add) < 0;
out:
	vireo_close(v);
	return rc;
}

int main_cpupool_cpu_add(int argc, char **argv)
{
	return pool_cpus_cmd(argc, argv, "cpupool-cpu-add", 1);
}

int main_cpupool_cpu_remove(int argc, char **argv)
{
	return pool_cpus_cmd(argc, argv, "cpupool-cpu-remove", 0);
}

/* ----------------------------------------------------- cpupool-migrate */

struct dom_find {
	const char *q;
	struct vl_dom d;
	int found;
};

static int migrate_on_dom(void *arg, char **f, unsigned nr)
{
	struct dom_find *df = arg;
	struct vl_dom d;
	unsigned id;

	if (df->found || vl_dom_parse(f, nr, &d) < 0)
		return 0;
	if (vireod_parse_domid(df->q, &id) ? d.domid == id
					   : !strcmp(d.name, df->q)) {
		df->d = d;
		df->found = 1;
	}
	return 0;
}

/* DOM, a name or an ID, from vireod's list; -1 once the reason is printed. */
static int migrate_find_dom(const char *q, struct vl_dom *d)
{
	static const char *const req[] = { "list" };
	struct dom_find *df = calloc(1, sizeof(*df));
	int rc = -1;

	if (!df) {
		fprintf(stderr, "vl: out of memory\n");
		return -1;
	}
	df->q = q;
	if (vl_request(req, 1, migrate_on_dom, NULL, df) < 0)
		goto out;
	if (!df->found) {
		fprintf(stderr, "unknown domain '%s'\n", q);
		goto out;
	}
	*d = df->d;
	rc = 0;
out:
	free(df);
	return rc;
}

static int migrate_dom(struct vireo *v, const struct vl_dom *d,
		   const struct vireo_cpupool *p)
{
	struct vireo_domain_info info;
	int rc;

	/* There already: nothing to do, as in Xen (the hypervisor refuses). */
	if (vireo_domain_getinfo(v, d->domid, &info) == 0 &&
	    info.pool == p->id)
		return 0;
	if (d->domid == 0) {
		fprintf(stderr, "vl cpupool-migrate: Domain-0 cannot leave "
			"Pool-0\n");
		return -1;
	}
	if (!p->harts) {
		fprintf(stderr, "vl cpupool-migrate: cpupool '%s' has no CPU: "
			"give it some first (vl cpupool-cpu-add %s CPUS)\n",
			p->name, p->name);
		return -1;
	}
	rc = vireo_cpupool_migrate(v, p->id, d->domid);
	if (rc == VIREO_EPOOLFULL)
		fprintf(stderr, "vl cpupool-migrate: pool '%s' runs the null "
			"scheduler and has no free CPU for domain '%s''s %u "
			"vCPUs\n", p->name, d->name, (unsigned)d->vcpus);
	else if (rc < 0)
		fprintf(stderr, "vl cpupool-migrate: cannot move domain '%s' "
			"to cpupool '%s': %s\n", d->name, p->name,
			vireo_strerror(rc));
	return rc < 0 ? -1 : 0;
}

int main_cpupool_migrate(int argc, char **argv)
{
	const struct vireo_cpupool *p;
	struct pool_host h;
	struct vl_dom *d;
	struct vireo *v = NULL;
	int opt, rc = 1;

	VL_FOREACH_OPT(opt, "", "cpupool-migrate", 2) {
	}
	if (argc - optind > 2)
		return vl_usage_error("cpupool-migrate");
	d = malloc(sizeof(*d));
	if (!d) {
		fprintf(stderr, "vl: out of memory\n");
		return 1;
	}
	if (migrate_find_dom(argv[optind], d) < 0 || !(v = host_open(&h)))
		goto out;
	p = find_pool(&h, argv[optind + 1]);
	if (p)
		rc = migrate_dom(v, d, p) < 0;
out:
	vireo_close(v);
	free(d);
	return rc;
}
