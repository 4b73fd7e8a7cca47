/*
 * vireod's domain records: lookup by name and domid, names, building a
 * domain from its parsed config, destroying it, and the state file.
 *
 * A record exists for every domain vireod built and that still exists in
 * the hypervisor. A domain it did not build (or whose record was lost) is
 * still listed and can be destroyed, paused or shut down by domid, under the
 * name "(null)" as in xl.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vireod.h"

struct vd_domain *vd_dom_by_id(struct vd *vd, uint32_t domid)
{
	for (unsigned i = 0; i < VD_MAX_DOMS; i++)
		if (vd->doms[i] && vd->doms[i]->rec.domid == domid)
			return vd->doms[i];
	return NULL;
}

struct vd_domain *vd_dom_by_name(struct vd *vd, const char *name)
{
	for (unsigned i = 0; i < VD_MAX_DOMS; i++)
		if (vd->doms[i] && !strcmp(vd->doms[i]->rec.name, name))
			return vd->doms[i];
	return NULL;
}

int vd_dom_resolve(struct vd *vd, const char *dom, uint32_t *domid,
		   char *err, size_t errlen)
{
	struct vireo_domain_info info;
	struct vd_domain *d;
	unsigned id;

	if (vireod_parse_domid(dom, &id)) {
		if (id == 0 || vireo_domain_getinfo(vd->v, id, &info) == 0) {
			*domid = id;
			return 0;
		}
		snprintf(err, errlen, "domain %u does not exist", id);
		return -1;
	}
	if (!strcmp(dom, VIREOD_DOM0_NAME)) {
		*domid = 0;
		return 0;
	}
	d = vd_dom_by_name(vd, dom);
	if (!d) {
		snprintf(err, errlen, "domain '%s' does not exist", dom);
		return -1;
	}
	*domid = d->rec.domid;
	return 0;
}

int vd_dom_check_name(struct vd *vd, const char *name, char *err,
		      size_t errlen)
{
	struct vd_domain *d;
	unsigned id;

	if (!*name || strlen(name) > XLCFG_NAME_MAX) {
		snprintf(err, errlen, "domain name '%s' must have 1 to %d "
			 "characters", name, XLCFG_NAME_MAX);
		return -1;
	}
	if (vireod_parse_domid(name, &id) ||
	    !strcmp(name, VIREOD_DOM0_NAME) || !strcmp(name, VIREOD_NONAME) ||
	    strpbrk(name, "\t\n/")) {
		snprintf(err, errlen, "'%s' cannot be a domain name", name);
		return -1;
	}
	d = vd_dom_by_name(vd, name);
	if (d) {
		snprintf(err, errlen, "domain with name '%s' already exists "
			 "(domid %" PRIu32 ")", name, d->rec.domid);
		return -1;
	}
	return 0;
}

/*
 * A relative kernel/ramdisk path is taken from the creating client's
 * directory if it names a file there, else from the config file's.
 */
static int resolve_path(char **path, const char *cwd, const char *cfg_path)
{
	char *cfgdir, *copy, *p = NULL;
	int r = 0;

	if (!*path || (*path)[0] == '/')
		return 0;
	copy = strdup(cfg_path);
	if (!copy)
		return -1;
	cfgdir = dirname(copy);
	if (cwd) {
		if (asprintf(&p, "%s/%s", cwd, *path) < 0) {
			p = NULL;
		} else if (access(p, F_OK) < 0) {
			free(p);
			p = NULL;
		}
	}
	if (!p && asprintf(&p, "%s/%s", cfgdir, *path) < 0)
		r = -1;
	free(copy);
	if (r == 0) {
		free(*path);
		*path = p;
	}
	return r;
}

int vd_dom_load_cfg(struct vd_domain *d, char *err, size_t errlen)
{
	const struct vd_record *r = &d->rec;

	xlcfg_free(&d->cfg);
	d->have_cfg = 0;
	if (!r->cfg_path) {
		snprintf(err, errlen, "no config file recorded");
		return -1;
	}
	if (xlcfg_parse_file(r->cfg_path, (const char *const *)r->overrides,
			     r->nr_overrides, &d->cfg, err, errlen) < 0)
		return -1;
	if (resolve_path(&d->cfg.kernel, r->cwd, r->cfg_path) < 0 ||
	    resolve_path(&d->cfg.ramdisk, r->cwd, r->cfg_path) < 0) {
		xlcfg_free(&d->cfg);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->have_cfg = 1;
	return 0;
}

_Static_assert(XLCFG_VCPUS_MAX <= VIREO_MAX_VCPUS,
	       "a config's vCPUs fit vireo_build's affinity arrays");

/*
 * The config's scheduling into b: its CPU lists as masks of this host's
 * harts (an error names a CPU the host lacks; nothing is created then),
 * cpu_weight and cap. The builder sets them before the domain first runs.
 */
static int build_sched(struct vd *vd, const struct vd_domain *d,
		       struct vireo_build *b, char *err, size_t errlen)
{
	const struct xlcfg *cfg = &d->cfg;

	if (cfg->cpus.nr || cfg->cpus_soft.nr) {
		struct vireo_physinfo pi;
		int rc = vireo_physinfo(vd->v, &pi);

		if (rc < 0) {
			snprintf(err, errlen, "cannot read the host's CPU "
				 "count: %s", vireo_strerror(rc));
			return -1;
		}
		if (xlcfg_affinity(cfg, pi.nr_cpus, b->hard_affinity,
				   b->soft_affinity, err, errlen) < 0)
			return -1;
	}
	b->sched_set = (cfg->cpu_weight_set ? VIREO_SCHED_SET_WEIGHT : 0) |
		       (cfg->cap_set ? VIREO_SCHED_SET_CAP : 0);
	b->sched.weight = cfg->cpu_weight;
	b->sched.cap = cfg->cap;
	return 0;
}

int vd_dom_build(struct vd *vd, struct vd_domain *d, int paused, char *err,
		 size_t errlen)
{
	struct vireo_build b = {
		.nr_vcpus = d->cfg.maxvcpus,	/* offline from vcpus on */
		.online_vcpus = d->cfg.vcpus,
		.pool = d->cfg.pool,
		.ram_bytes = d->cfg.memory_mib << 20,
		.kernel = d->cfg.kernel,
		.ramdisk = d->cfg.ramdisk,
		.cmdline = d->cfg.cmdline,
		.machine_id_flags = d->cfg.machine_id_set,
		.machine_ids = {d->cfg.machine_id[0], d->cfg.machine_id[1],
				d->cfg.machine_id[2]},
	};
	uint32_t domid, old;
	int rc;

	if (!d->have_cfg) {
		snprintf(err, errlen, "no configuration to build from");
		return -1;
	}
	if (!d->console.buf && vd_ring_init(&d->console, VIREOD_CONSOLE_BUF)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	err[0] = '\0';
	b.nr_virtio = vd_dev_count(&d->cfg);
	if (build_sched(vd, d, &b, err, errlen) < 0)
		return -1;
	rc = vireo_build_domain(vd->v, &b, &domid, err, errlen);
	if (rc < 0) {
		if (!err[0])
			snprintf(err, errlen, "%s", vireo_strerror(rc));
		return -1;
	}
	old = d->rec.domid;
	d->rec.domid = domid; /* the device model's paths name it */
	if (vd_dm_start(vd, d, err, errlen) < 0) {
		vireo_domain_destroy(vd->v, domid);
		d->rec.domid = old;
		return -1;
	}
	if (!paused && (rc = vireo_domain_unpause(vd->v, domid)) < 0) {
		snprintf(err, errlen, "cannot start domain %" PRIu32 ": %s",
			 domid, vireo_strerror(rc));
		vd_dm_stop(vd, d);
		vireo_domain_destroy(vd->v, domid);
		d->rec.domid = old;
		return -1;
	}
	d->rec.domid = domid;
	d->rec.ctime = (int64_t)time(NULL);
	vd_console_forget_ended(vd, d->rec.name);
	d->rec.flags &= ~VD_REC_PRESERVED;
	d->gen = ++vd->gen;
	vd_log("domain %" PRIu32 " (%s) built from %s%s: %" PRIu64 " MiB, "
	       "%u vCPUs (%u online), kernel %s", domid, d->rec.name,
	       d->rec.cfg_path, paused ? ", paused" : "", d->cfg.memory_mib,
	       d->cfg.maxvcpus, d->cfg.vcpus, d->cfg.kernel);
	return 0;
}

int vd_dom_room(struct vd *vd)
{
	for (unsigned i = 0; i < VD_MAX_DOMS; i++)
		if (!vd->doms[i])
			return 1;
	return 0;
}

int vd_dom_any(struct vd *vd)
{
	for (unsigned i = 0; i < VD_MAX_DOMS; i++)
		if (vd->doms[i])
			return 1;
	return 0;
}

int vd_dom_add(struct vd *vd, struct vd_domain *d)
{
	for (unsigned i = 0; i < VD_MAX_DOMS; i++) {
		if (!vd->doms[i]) {
			vd->doms[i] = d;
			return 0;
		}
	}
	return -1;
}

void vd_dom_free(struct vd_domain *d)
{
	vd_record_free(&d->rec);
	xlcfg_free(&d->cfg);
	vd_ring_free(&d->console);
	vd_conlog_close(&d->log);
	free(d);
}

void vd_dom_forget(struct vd *vd, struct vd_domain *d)
{
	for (unsigned i = 0; i < VD_MAX_DOMS; i++)
		if (vd->doms[i] == d)
			vd->doms[i] = NULL;
	vd_console_detach_all(vd, d->rec.domid);
	vd_console_keep(vd, d);
	vd_dom_free(d);
}

int vd_dom_destroy(struct vd *vd, uint32_t domid, char *err, size_t errlen)
{
	struct vireo_domain_info info;
	struct vd_domain *d = vd_dom_by_id(vd, domid);
	int rc;

	if (d) {
		/* What it wrote so far reaches its log and buffer. */
		vd_console_drain_dom(vd, d);
		vd_dm_stop(vd, d);
	}
	rc = vireo_domain_destroy(vd->v, domid);

	/* Failing because it is gone already is success. */
	if (rc < 0 && vireo_domain_getinfo(vd->v, domid, &info) == 0) {
		snprintf(err, errlen, "cannot destroy domain %" PRIu32 ": %s",
			 domid, vireo_strerror(rc));
		return -1;
	}
	vd_log("domain %" PRIu32 " (%s) destroyed", domid,
	       d ? d->rec.name : VIREOD_NONAME);
	if (d) {
		vd_dom_forget(vd, d);
		vd_dom_save(vd);
	}
	return 0;
}

void vd_dom_save(struct vd *vd)
{
	const struct vd_record *recs[VD_MAX_DOMS];
	unsigned nr = 0;
	int r;

	for (unsigned i = 0; i < VD_MAX_DOMS; i++)
		if (vd->doms[i])
			recs[nr++] = &vd->doms[i]->rec;
	r = vd_state_save(vd->state_path, recs, nr);
	if (r < 0)
		vd_log("cannot save %s: %s", vd->state_path, strerror(-r));
}

/* n < 0: the list is unknown, so every domain counts as listed. */
static int id_listed(const uint32_t *ids, int n, uint32_t domid)
{
	if (n < 0)
		return 1;
	for (int i = 0; i < n; i++)
		if (ids[i] == domid)
			return 1;
	return 0;
}

/* Take one record of the state file back; it is consumed either way. */
static void reload_one(struct vd *vd, struct vd_record *r, const uint32_t *ids,
		       int n)
{
	const char *why = NULL;
	struct vd_domain *d;
	char err[1024];

	if (r->domid == 0)
		why = "it names Domain-0";
	else if (!id_listed(ids, n, r->domid))
		why = "the domain no longer exists";
	else if (vd_dom_by_id(vd, r->domid) || vd_dom_by_name(vd, r->name))
		why = "a duplicate";
	if (why) {
		vd_log("dropping the record of domain %" PRIu32 " (%s): %s",
		       r->domid, r->name, why);
		vd_record_free(r);
		return;
	}
	d = calloc(1, sizeof(*d));
	if (!d || vd_ring_init(&d->console, VIREOD_CONSOLE_BUF) < 0) {
		vd_log("out of memory reloading domain %" PRIu32, r->domid);
		free(d);
		vd_record_free(r);
		return;
	}
	d->rec = *r;
	d->gen = ++vd->gen;
	if (vd_dom_load_cfg(d, err, sizeof(err)) < 0)
		vd_log("domain %" PRIu32 " (%s): its config no longer "
		       "parses (%s): it will not be restarted", d->rec.domid,
		       d->rec.name, err);
	vd_dm_adopt(d); /* after the config: it takes back the vifs' MACs */
	vd_dom_add(vd, d);
	vd_log("domain %" PRIu32 " (%s) taken back from %s", d->rec.domid,
	       d->rec.name, vd->state_path);
}

void vd_dom_reload(struct vd *vd)
{
	struct vd_record recs[VD_MAX_DOMS];
	uint32_t ids[4 * VD_MAX_DOMS];
	unsigned nr, bad;
	int r, n;

	r = vd_state_load(vd->state_path, recs, VD_MAX_DOMS, &nr, &bad);
	if (r < 0) {
		vd_log("cannot read %s: %s", vd->state_path, strerror(-r));
		return;
	}
	if (bad)
		vd_log("%s: %u bad lines skipped", vd->state_path, bad);
	n = vireo_domain_list(vd->v, ids, 4 * VD_MAX_DOMS);
	if (n < 0)
		vd_log("cannot list domains (%s): keeping every record",
		       vireo_strerror(n));
	for (unsigned i = 0; i < nr; i++)
		reload_one(vd, &recs[i], ids, n);
	vd_dom_save(vd);
}
