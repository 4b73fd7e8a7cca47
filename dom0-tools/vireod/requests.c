/*
 * vireod's request handlers, one per verb of the protocol (vireod_proto.h),
 * dispatched from one table. Each checks its arguments, resolves DOM, and
 * then acts through domain.c / lifecycle.c / console.c; each ends with
 * exactly one "ok" or "err" line, unless it hands the connection over (a
 * pending shutdown, an attached console).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vireod.h"

#define ERRLEN 1024

/* The record of a create request: PATH CWD FLAGS [OVERRIDE...]. */
static struct vd_domain *create_record(char **a, unsigned nr)
{
	struct vd_domain *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->rec.overrides = calloc(nr - 3 + 1, sizeof(char *));
	if (!d->rec.overrides || !(d->rec.cfg_path = strdup(a[0])) ||
	    (*a[1] && !(d->rec.cwd = strdup(a[1]))))
		goto oom;
	for (unsigned i = 3; i < nr; i++) {
		d->rec.overrides[i - 3] = strdup(a[i]);
		if (!d->rec.overrides[i - 3])
			goto oom;
		d->rec.nr_overrides = i - 2;
	}
	return d;
oom:
	vd_dom_free(d);
	return NULL;
}

static void req_create(struct vd *vd, struct vd_client *c, char **a,
		       unsigned nr)
{
	struct vd_domain *d = NULL;
	char err[ERRLEN] = "", id[16];

	if (a[0][0] != '/') {
		snprintf(err, sizeof(err), "config path '%s' is not absolute",
			 a[0]);
		goto fail;
	}
	d = create_record(a, nr);
	if (!d) {
		snprintf(err, sizeof(err), "out of memory");
		goto fail;
	}
	if (vd_dom_load_cfg(d, err, sizeof(err)) < 0)
		goto fail;
	for (unsigned i = 0; i < d->cfg.nr_warnings; i++) {
		const char *w[2] = { "warn", d->cfg.warnings[i] };

		vd_client_line(c, w, 2);
	}
	if (!d->cfg.name[0]) {
		snprintf(err, sizeof(err), "%s: no domain name (name = ...)",
			 a[0]);
		goto fail;
	}
	if (vd_dom_check_name(vd, d->cfg.name, err, sizeof(err)) < 0)
		goto fail;
	strcpy(d->rec.name, d->cfg.name);
	if (!vd_dom_room(vd)) {
		snprintf(err, sizeof(err), "vireod manages %d domains already",
			 VD_MAX_DOMS);
		goto fail;
	}
	if (vd_dom_build(vd, d, strchr(a[2], 'p') != NULL, err,
			 sizeof(err)) < 0)
		goto fail;
	vd_dom_add(vd, d);
	vd_dom_save(vd);
	snprintf(id, sizeof(id), "%" PRIu32, d->rec.domid);
	vd_client_ok(c, id, d->rec.name);
	return;
fail:
	if (d)
		vd_dom_free(d);
	vd_client_err(c, "%s", err);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void list_one(struct vd *vd, struct vd_client *c, uint32_t domid)
{
	struct vireo_domain_info info;
	struct vd_domain *d = vd_dom_by_id(vd, domid);
	char f[8][24];
	const char *l[11];

	if (vireo_domain_getinfo(vd->v, domid, &info) < 0)
		return; /* gone since the list: skip it */
	snprintf(f[0], 24, "%" PRIu32, domid);
	snprintf(f[1], 24, "%" PRIu32, info.state);
	snprintf(f[2], 24, "%" PRIu32, info.shutdown_reason);
	snprintf(f[3], 24, "%" PRIu32, info.nr_vcpus);
	snprintf(f[4], 24, "%" PRIu64, info.mem_pages);
	snprintf(f[5], 24, "%" PRIu64, info.cpu_time_ns);
	snprintf(f[6], 24, "%" PRId64, d ? d->rec.ctime : (int64_t)0);
	snprintf(f[7], 24, "%" PRIu32, info.nr_online_vcpus);
	l[0] = "dom";
	l[1] = f[0];
	l[2] = domid == 0 ? VIREOD_DOM0_NAME : d ? d->rec.name : VIREOD_NONAME;
	l[3] = f[1];
	l[4] = f[2];
	l[5] = f[3];
	l[6] = f[4];
	l[7] = f[5];
	l[8] = f[6];
	l[9] = d && d->rec.cfg_path ? d->rec.cfg_path : "";
	l[10] = f[7]; /* last: a vl that knows ten fields still reads it */
	vd_client_line(c, l, 11);
}

static void req_list(struct vd *vd, struct vd_client *c, char **a,
		     unsigned nr)
{
	uint32_t ids[4 * VD_MAX_DOMS];
	int n = vireo_domain_list(vd->v, ids, 4 * VD_MAX_DOMS);

	(void)a;
	(void)nr;
	if (n < 0) {
		vd_client_err(c, "cannot list domains: %s", vireo_strerror(n));
		return;
	}
	qsort(ids, (size_t)n, sizeof(ids[0]), cmp_u32);
	/* Domain-0 first, even if the hypervisor's list leaves it out. */
	if (!n || ids[0] != 0)
		list_one(vd, c, 0);
	for (int i = 0; i < n; i++)
		list_one(vd, c, ids[i]);
	vd_client_ok(c, NULL, NULL);
}

/* Resolve a[0] to a DomU; 0, or -1 with the error sent. */
static int domu_arg(struct vd *vd, struct vd_client *c, const char *dom,
		    const char *what, uint32_t *domid)
{
	char err[ERRLEN];

	if (vd_dom_resolve(vd, dom, domid, err, sizeof(err)) < 0) {
		vd_client_err(c, "%s", err);
		return -1;
	}
	if (*domid == 0) {
		vd_client_err(c, "cannot %s Domain-0", what);
		return -1;
	}
	return 0;
}

static void req_destroy(struct vd *vd, struct vd_client *c, char **a,
			unsigned nr)
{
	char err[ERRLEN];
	uint32_t domid;

	(void)nr;
	if (domu_arg(vd, c, a[0], "destroy", &domid) < 0)
		return;
	if (vd_dom_destroy(vd, domid, err, sizeof(err)) < 0)
		vd_client_err(c, "%s", err);
	else
		vd_client_ok(c, NULL, NULL);
}

static void pause_unpause(struct vd *vd, struct vd_client *c, const char *dom,
			  int pause)
{
	const char *what = pause ? "pause" : "unpause";
	uint32_t domid;
	int rc;

	if (domu_arg(vd, c, dom, what, &domid) < 0)
		return;
	rc = pause ? vireo_domain_pause(vd->v, domid)
		   : vireo_domain_unpause(vd->v, domid);
	if (rc < 0) {
		vd_client_err(c, "cannot %s domain %" PRIu32 ": %s", what,
			      domid, vireo_strerror(rc));
		return;
	}
	vd_log("domain %" PRIu32 " %sd", domid, what);
	vd_client_ok(c, NULL, NULL);
}

static void req_pause(struct vd *vd, struct vd_client *c, char **a,
		      unsigned nr)
{
	(void)nr;
	pause_unpause(vd, c, a[0], 1);
}

static void req_unpause(struct vd *vd, struct vd_client *c, char **a,
			unsigned nr)
{
	(void)nr;
	pause_unpause(vd, c, a[0], 0);
}

/*
 * xl trigger. Of xl's nmi, reset, init, power, sleep and s3resume, Vireo
 * has s3resume: a DomU suspended to RAM (SBI SUSP) goes on at its resume
 * address.
 */
static void req_trigger(struct vd *vd, struct vd_client *c, char **a,
			unsigned nr)
{
	static const char *const xl_has[] = {"nmi", "reset", "init", "power",
					     "sleep"};
	uint32_t domid;
	int rc;

	(void)nr;
	if (strcmp(a[1], "s3resume")) {
		for (unsigned i = 0; i < sizeof(xl_has) / sizeof(xl_has[0]); i++)
			if (!strcmp(a[1], xl_has[i])) {
				vd_client_err(c, "trigger %s is not supported "
					      "(Vireo has s3resume)", a[1]);
				return;
			}
		vd_client_err(c, "Invalid trigger \"%s\"", a[1]);
		return;
	}
	if (domu_arg(vd, c, a[0], "trigger", &domid) < 0)
		return;
	rc = vireo_domain_trigger(vd->v, domid, VIREO_TRIGGER_S3RESUME);
	if (rc < 0) {
		vd_client_err(c, "cannot resume domain %" PRIu32 ": %s", domid,
			      rc == VIREO_EINVAL ? "it is not suspended"
						 : vireo_strerror(rc));
		return;
	}
	vd_log("domain %" PRIu32 " resumed (s3resume)", domid);
	vd_client_ok(c, NULL, NULL);
}

static void req_rename(struct vd *vd, struct vd_client *c, char **a,
		       unsigned nr)
{
	char err[ERRLEN];
	struct vd_domain *d;
	uint32_t domid;

	(void)nr;
	if (domu_arg(vd, c, a[0], "rename", &domid) < 0)
		return;
	d = vd_dom_by_id(vd, domid);
	if (!d) {
		vd_client_err(c, "domain %" PRIu32 " was not created by "
			      "vireod; it cannot be renamed", domid);
		return;
	}
	if (strcmp(d->rec.name, a[1]) &&
	    vd_dom_check_name(vd, a[1], err, sizeof(err)) < 0) {
		vd_client_err(c, "%s", err);
		return;
	}
	vd_log("domain %" PRIu32 " renamed from '%s' to '%s'", domid,
	       d->rec.name, a[1]);
	strcpy(d->rec.name, a[1]);
	/* Its log follows the name; a gone domain's buffer yields to it. */
	vd_conlog_close(&d->log);
	d->log_failed = 0;
	vd_console_forget_ended(vd, d->rec.name);
	vd_dom_save(vd);
	vd_client_ok(c, NULL, NULL);
}

static void shutdown_reboot(struct vd *vd, struct vd_client *c, char **a,
			    int reboot)
{
	uint32_t domid;

	if (strcmp(a[1], "0") && strcmp(a[1], "1")) {
		vd_client_err(c, "WAIT must be 0 or 1");
		return;
	}
	if (domu_arg(vd, c, a[0], reboot ? "reboot" : "shut down",
		     &domid) < 0)
		return;
	vd_wait_begin(vd, c, domid, reboot, a[1][0] == '1');
}

static void req_shutdown(struct vd *vd, struct vd_client *c, char **a,
			 unsigned nr)
{
	(void)nr;
	shutdown_reboot(vd, c, a, 0);
}

static void req_reboot(struct vd *vd, struct vd_client *c, char **a,
		       unsigned nr)
{
	(void)nr;
	shutdown_reboot(vd, c, a, 1);
}

static void req_console(struct vd *vd, struct vd_client *c, char **a,
			unsigned nr)
{
	struct vd_domain *d;
	struct vd_ended *e;
	uint32_t domid;
	char id[16], err[ERRLEN];

	(void)nr;
	/* A domain that has gone: what it wrote last, then end of file. */
	if (vd_dom_resolve(vd, a[0], &domid, err, sizeof(err)) < 0 &&
	    (e = vd_console_ended(vd, a[0]))) {
		snprintf(id, sizeof(id), "%" PRIu32, e->domid);
		vd_client_ok(c, id, e->name);
		vd_console_replay_ended(c, e);
		return;
	}
	if (domu_arg(vd, c, a[0], "attach to the console of", &domid) < 0)
		return;
	d = vd_dom_by_id(vd, domid);
	if (!d) {
		vd_client_err(c, "domain %" PRIu32 " was not created by "
			      "vireod: no console buffer", domid);
		return;
	}
	snprintf(id, sizeof(id), "%" PRIu32, domid);
	vd_client_ok(c, id, d->rec.name);
	vd_console_attach(vd, c, d);
}

static void req_domid(struct vd *vd, struct vd_client *c, char **a,
		      unsigned nr)
{
	struct vd_domain *d = vd_dom_by_name(vd, a[0]);
	char id[16];

	(void)nr;
	if (!strcmp(a[0], VIREOD_DOM0_NAME)) {
		vd_client_ok(c, "0", NULL);
		return;
	}
	if (!d) {
		vd_client_err(c, "Can't get domid of domain name '%s', maybe "
			      "this domain does not exist.", a[0]);
		return;
	}
	snprintf(id, sizeof(id), "%" PRIu32, d->rec.domid);
	vd_client_ok(c, id, NULL);
}

static void req_domname(struct vd *vd, struct vd_client *c, char **a,
			unsigned nr)
{
	struct vireo_domain_info info;
	struct vd_domain *d;
	unsigned domid;

	(void)nr;
	if (!vireod_parse_domid(a[0], &domid)) {
		vd_client_err(c, "Invalid domain id.");
		return;
	}
	d = vd_dom_by_id(vd, domid);
	if (domid == 0 || d) {
		vd_client_ok(c, domid ? d->rec.name : VIREOD_DOM0_NAME, NULL);
		return;
	}
	if (vireo_domain_getinfo(vd->v, domid, &info) == 0) {
		vd_client_ok(c, VIREOD_NONAME, NULL);
		return;
	}
	vd_client_err(c, "Can't get domain name of domain id '%u', maybe "
		      "this domain does not exist.", domid);
}

static void req_version(struct vd *vd, struct vd_client *c, char **a,
			unsigned nr)
{
	char v[16];

	(void)vd;
	(void)a;
	(void)nr;
	snprintf(v, sizeof(v), "%d", VIREOD_PROTO_VERSION);
	vd_client_ok(c, v, NULL);
}

struct vd_verb {
	const char *verb;
	unsigned min_args, max_args;
	void (*fn)(struct vd *vd, struct vd_client *c, char **args,
		   unsigned nr);
};

static const struct vd_verb vd_verbs[] = {
	{ "create", 3, VIREOD_FIELDS_MAX - 1, req_create },
	{ "list", 0, 0, req_list },
	{ "destroy", 1, 1, req_destroy },
	{ "pause", 1, 1, req_pause },
	{ "unpause", 1, 1, req_unpause },
	{ "rename", 2, 2, req_rename },
	{ "trigger", 2, 2, req_trigger },
	{ "shutdown", 2, 2, req_shutdown },
	{ "reboot", 2, 2, req_reboot },
	{ "console", 1, 1, req_console },
	{ "domid", 1, 1, req_domid },
	{ "domname", 1, 1, req_domname },
	{ "version", 0, 0, req_version },
	{ "devices", 1, 1, vd_req_devices },
};

void vd_request(struct vd *vd, struct vd_client *c, char **fields,
		unsigned nr)
{
	const struct vd_verb *v = NULL;

	for (size_t i = 0; i < sizeof(vd_verbs) / sizeof(vd_verbs[0]); i++)
		if (!strcmp(vd_verbs[i].verb, fields[0]))
			v = &vd_verbs[i];
	if (!v) {
		vd_client_err(c, "unknown request '%s'", fields[0]);
		return;
	}
	if (nr - 1 < v->min_args || nr - 1 > v->max_args) {
		vd_client_err(c, "'%s' takes %u to %u arguments, not %u",
			      v->verb, v->min_args, v->max_args, nr - 1);
		return;
	}
	v->fn(vd, c, fields + 1, nr - 1);
}
