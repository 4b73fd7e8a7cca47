/*
 * How domains end: on_poweroff / on_reboot / on_crash, and the clients of
 * `vl shutdown` / `vl reboot` waiting for a guest to go.
 *
 * On a state-change event (and every VD_STATE_CHECK_MS in case one was
 * missed) vireod reads every recorded domain's vireo_domain_info. A domain
 * found SHUTDOWN (reason POWEROFF or REBOOT) or CRASHED gets the action its
 * config names, as xl.cfg(5) defines them:
 *
 *   destroy         destroy it and forget it;
 *   restart         destroy it, build it again from the same parsed config
 *                   under the same name (new domid; console buffer and
 *                   attached consoles carry over);
 *   preserve        leave it shut down / crashed (flagged, so the action is
 *                   not taken again, even by a new vireod) until `vl destroy`;
 *   rename-restart  preserve it under NAME-N (the smallest free N) and
 *                   start a new one as NAME.
 *
 * A domain that needs restarting VD_FAST_RESTARTS times in a row, each less
 * than VD_FAST_RESTART_S after its start, is destroyed instead: a guest that
 * crashes at boot must not spin the machine.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vireod.h"

#define VD_FAST_RESTARTS 5
#define VD_FAST_RESTART_S 5

#define DOM_ENDED (VIREO_DOMSTATE_SHUTDOWN | VIREO_DOMSTATE_CRASHED)

/* Shut down or crashed: an ending, except a suspend to RAM (SBI SUSP),
 * which waits for `vl trigger NAME s3resume`, as in xl. */
static int ended(const struct vireo_domain_info *info)
{
	return (info->state & DOM_ENDED) &&
	       info->shutdown_reason != VIREO_SHUTDOWN_SUSPEND;
}

static int crashed(const struct vireo_domain_info *info)
{
	return (info->state & VIREO_DOMSTATE_CRASHED) ||
	       info->shutdown_reason == VIREO_SHUTDOWN_CRASH;
}

/* The action for how it ended; xl's defaults without a config. */
static enum xlcfg_action pick_action(const struct vd_domain *d,
				     const struct vireo_domain_info *info,
				     const char **why)
{
	int reboot = info->shutdown_reason == VIREO_SHUTDOWN_REBOOT;
	enum xlcfg_action a;

	*why = crashed(info) ? "crash" : reboot ? "reboot" : "poweroff";
	if (crashed(info))
		a = d->have_cfg ? d->cfg.on_crash : XLCFG_ACTION_DESTROY;
	else if (reboot)
		a = d->have_cfg ? d->cfg.on_reboot : XLCFG_ACTION_RESTART;
	else
		a = d->have_cfg ? d->cfg.on_poweroff : XLCFG_ACTION_DESTROY;
	if (!d->have_cfg && a != XLCFG_ACTION_DESTROY) {
		vd_log("domain %" PRIu32 " (%s): no config to restart it "
		       "from; destroying it", d->rec.domid, d->rec.name);
		a = XLCFG_ACTION_DESTROY;
	}
	return a;
}

static void destroy_forget(struct vd *vd, struct vd_domain *d)
{
	int rc;

	vd_dm_stop(vd, d);
	rc = vireo_domain_destroy(vd->v, d->rec.domid);

	if (rc < 0)
		vd_log("destroying domain %" PRIu32 ": %s", d->rec.domid,
		       vireo_strerror(rc));
	vd_dom_forget(vd, d);
}

static void restart(struct vd *vd, struct vd_domain *d)
{
	uint32_t old = d->rec.domid;
	char err[1024];

	if (time(NULL) - d->rec.ctime < VD_FAST_RESTART_S)
		d->restarts++;
	else
		d->restarts = 0;
	if (d->restarts >= VD_FAST_RESTARTS) {
		vd_log("domain %" PRIu32 " (%s) needed restarting %d times in a row "
		       "within %d s of its start: destroying it", old,
		       d->rec.name, d->restarts, VD_FAST_RESTART_S);
		destroy_forget(vd, d);
		return;
	}
	vd_dm_stop(vd, d);
	vireo_domain_destroy(vd->v, old);
	if (vd_dom_build(vd, d, 0, err, sizeof(err)) < 0) {
		vd_log("domain %s: restart failed: %s", d->rec.name, err);
		vd_dom_forget(vd, d);
		return;
	}
	vd_console_move(vd, old, d->rec.domid);
	vd_log("domain %s restarted: domid %" PRIu32 " -> %" PRIu32,
	       d->rec.name, old, d->rec.domid);
}

/* NAME-N, N >= 1 the smallest free, NAME shortened to fit. */
static void preserved_name(struct vd *vd, const char *name, char *out)
{
	char cand[XLCFG_NAME_MAX + 1], err[128];

	for (unsigned n = 1;; n++) {
		char suffix[16];
		int sl = snprintf(suffix, sizeof(suffix), "-%u", n);
		int keep = (int)strlen(name);

		if (keep + sl > XLCFG_NAME_MAX)
			keep = XLCFG_NAME_MAX - sl;
		snprintf(cand, sizeof(cand), "%.*s%s", keep, name, suffix);
		/* Never ends without a free name: there are few domains. */
		if (vd_dom_check_name(vd, cand, err, sizeof(err)) == 0)
			break;
	}
	memcpy(out, cand, sizeof(cand));
}

static void rename_restart(struct vd *vd, struct vd_domain *d)
{
	struct vd_domain *n = calloc(1, sizeof(*n));
	char err[1024];

	if (!n || !vd_dom_room(vd) || vd_record_copy(&n->rec, &d->rec) < 0) {
		vd_log("domain %s: no room to rename-restart it; preserving",
		       d->rec.name);
		free(n);
		d->rec.flags |= VD_REC_PRESERVED;
		return;
	}
	/* The new domain takes the config; the old one needs it no more. */
	n->cfg = d->cfg;
	n->have_cfg = 1;
	memset(&d->cfg, 0, sizeof(d->cfg));
	d->have_cfg = 0;
	preserved_name(vd, d->rec.name, d->rec.name);
	d->rec.flags |= VD_REC_PRESERVED;
	vd_log("domain %" PRIu32 " preserved as '%s'", d->rec.domid,
	       d->rec.name);
	if (vd_dom_build(vd, n, 0, err, sizeof(err)) < 0) {
		vd_log("domain %s: restart failed: %s", n->rec.name, err);
		vd_dom_free(n);
		return;
	}
	vd_dom_add(vd, n);
}

static void apply_action(struct vd *vd, struct vd_domain *d,
			 const struct vireo_domain_info *info)
{
	const char *why;
	enum xlcfg_action a = pick_action(d, info, &why);

	/*
	 * It has stopped: all it wrote is in the hypervisor's ring. Read it
	 * before any action frees the domain, so that its last words (a
	 * panic, a test's verdict) reach the log and `vl console`.
	 */
	vd_console_drain_dom(vd, d);
	vd_log("domain %" PRIu32 " (%s): %s, on_%s = %s", d->rec.domid,
	       d->rec.name, crashed(info) ? "crashed" : "shut down", why,
	       xlcfg_action_name(a));
	switch (a) {
	case XLCFG_ACTION_DESTROY:
		destroy_forget(vd, d);
		break;
	case XLCFG_ACTION_RESTART:
		restart(vd, d);
		break;
	case XLCFG_ACTION_RENAME_RESTART:
		rename_restart(vd, d);
		break;
	case XLCFG_ACTION_PRESERVE:
	default:
		d->rec.flags |= VD_REC_PRESERVED;
		break;
	}
}

void vd_check_domains(struct vd *vd)
{
	uint32_t ids[4 * VD_MAX_DOMS];
	int n = vireo_domain_list(vd->v, ids, 4 * VD_MAX_DOMS), changed = 0;
	uint64_t gen = vd->gen;

	if (n < 0) {
		vd_log("cannot list domains: %s", vireo_strerror(n));
		return;
	}
	for (unsigned i = 0; i < VD_MAX_DOMS; i++) {
		struct vd_domain *d = vd->doms[i];
		struct vireo_domain_info info;
		int listed = 0;

		/* None of ours, or built by rename-restart after the list. */
		if (!d || d->gen > gen)
			continue;
		for (int j = 0; j < n; j++)
			listed |= ids[j] == d->rec.domid;
		if (!listed) {
			vd_log("domain %" PRIu32 " (%s) has gone",
			       d->rec.domid, d->rec.name);
			vd_dom_forget(vd, d);
			changed = 1;
		} else if (!(d->rec.flags & VD_REC_PRESERVED) &&
			   vireo_domain_getinfo(vd->v, d->rec.domid,
						&info) == 0 &&
			   ended(&info)) {
			apply_action(vd, d, &info);
			changed = 1;
		}
	}
	if (changed)
		vd_dom_save(vd);
	vd_wait_check(vd);
}

/*
 * Ask the guest agent (vireo-agent in the DomU, woken through the control
 * device) to power off or reboot; the client waits for the guest to do it.
 * A guest without the agent never does, and the client gets xl's error for
 * a guest without PV drivers when the time is up.
 */
void vd_wait_begin(struct vd *vd, struct vd_client *c, uint32_t domid,
		   int reboot, int full)
{
	struct vd_domain *d = vd_dom_by_id(vd, domid);
	const char *what = reboot ? "reboot" : "shutdown";
	int rc = vireo_domain_control(vd->v, domid, reboot ?
				      VIREO_CONTROL_REBOOT :
				      VIREO_CONTROL_POWEROFF);

	if (rc < 0) {
		vd_client_err(c, "cannot send the %s request to domain "
			      "%" PRIu32 ": %s", what, domid,
			      vireo_strerror(rc));
		return;
	}
	vd_log("domain %" PRIu32 ": %s requested", domid, what);
	c->mode = VD_CLIENT_WAIT;
	c->wait = (struct vd_wait){
		.domid = domid,
		.reboot = reboot,
		.full = full,
		.gen = d ? d->gen : 0,
		.deadline_ms = vd_now_ms() + VIREOD_SHUTDOWN_TIMEOUT_S * 1000,
	};
	vd_wait_check(vd);
}

/* 1: done, 0: not yet. */
static int wait_done(struct vd *vd, const struct vd_wait *w)
{
	struct vd_domain *d = vd_dom_by_id(vd, w->domid);
	struct vireo_domain_info info;

	if (vireo_domain_getinfo(vd->v, w->domid, &info) < 0)
		return 1; /* gone (destroyed, or restarted as a new domid) */
	if (d && d->gen != w->gen)
		return 1; /* restarted, and the domid was used again */
	if (!ended(&info))
		return 0;
	if (!w->full)
		return 1;
	/* -w: until vireod has applied the action (only preserve stays). */
	return !d || (d->rec.flags & VD_REC_PRESERVED);
}

void vd_wait_check(struct vd *vd)
{
	int64_t now = vd_now_ms();

	for (unsigned i = 0; i < VD_MAX_CLIENTS; i++) {
		struct vd_client *c = vd->clients[i];

		if (!c || c->fd < 0 || c->mode != VD_CLIENT_WAIT)
			continue;
		if (wait_done(vd, &c->wait)) {
			c->mode = VD_CLIENT_REQUEST;
			vd_client_ok(c, NULL, NULL);
		} else if (now >= c->wait.deadline_ms) {
			c->mode = VD_CLIENT_REQUEST;
			vd_client_err(c, "domain %" PRIu32 " did not respond to "
				      "the %s request within %d s (no guest "
				      "agent?)", c->wait.domid,
				      c->wait.reboot ? "reboot" : "shutdown",
				      VIREOD_SHUTDOWN_TIMEOUT_S);
		}
	}
}

int64_t vd_wait_next_deadline(struct vd *vd)
{
	int64_t next = -1;

	for (unsigned i = 0; i < VD_MAX_CLIENTS; i++) {
		struct vd_client *c = vd->clients[i];

		if (c && c->fd >= 0 && c->mode == VD_CLIENT_WAIT &&
		    (next < 0 || c->wait.deadline_ms < next))
			next = c->wait.deadline_ms;
	}
	return next;
}
