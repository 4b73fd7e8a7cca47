/*
 * DomU consoles. vireod drains each recorded domain's console ring (the
 * hypervisor's vUART buffer) whenever the console event bit is raised and
 * every VD_TICK_MS anyway, until it is empty; keeps the last
 * VIREOD_CONSOLE_BUF bytes per domain; appends them to the domain's log on
 * Dom0's persistent disk (conlog.c); and copies them to the attached
 * `vl console` clients: the buffer first, on attach, then live output.
 * A domain that ends is drained before it is destroyed (lifecycle.c,
 * domain.c), and its buffer is kept for a later `vl console` until a new
 * domain takes its name. Their input is queued per domain and
 * handed to vireo_console_write, which takes what the guest's receive ring
 * has room for; the rest is retried every VD_INPUT_RETRY_MS, and while the
 * queue is full vireod stops reading from that domain's consoles.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "vireod.h"

/*
 * Bytes read from one domain per drain at most: more than the hypervisor's
 * ring holds (16 KiB), so one drain empties the ring of a domain that has
 * stopped, yet a domain that floods cannot keep vireod from the others;
 * console_due_ms makes the main loop come back at once.
 */
#define VD_DRAIN_MAX (64 * 1024)

/*
 * Whether vireod logs consoles: only onto a persistent disk. Without one,
 * /data is a directory of the initramfs, in RAM, which a guest could fill.
 */
static int conlog_enabled(struct vd *vd)
{
	struct stat data, root;

	if (vd->conlog_state)
		return vd->conlog_state > 0;
	if (stat(VD_CONLOG_DISK, &data) < 0 || stat("/", &root) < 0 ||
	    data.st_dev == root.st_dev) {
		vd_log("no persistent disk on %s: DomU console logs are not "
		       "kept", VD_CONLOG_DISK);
		vd->conlog_state = -1;
		return 0;
	}
	vd->conlog_state = 1;
	return 1;
}

static void conlog(struct vd *vd, struct vd_domain *d, const char *p,
		   size_t len)
{
	int r;

	if (d->log_failed || !conlog_enabled(vd))
		return;
	r = vd_conlog_write(&d->log, VD_CONLOG_DIR, d->rec.name, p, len);
	if (r < 0) {
		/* Said once; the console itself goes on. */
		vd_log("console log %s/%s.log: %s; not logging domain %s "
		       "further", VD_CONLOG_DIR, d->rec.name, strerror(-r),
		       d->rec.name);
		vd_conlog_close(&d->log);
		d->log_failed = 1;
	}
}

static void broadcast(struct vd *vd, uint32_t domid, const char *p,
		      size_t len)
{
	for (unsigned i = 0; i < VD_MAX_CLIENTS; i++) {
		struct vd_client *c = vd->clients[i];

		if (c && c->fd >= 0 && c->mode == VD_CLIENT_CONSOLE &&
		    c->domid == domid)
			vd_client_send(c, p, len);
	}
}

/* Read until the ring is empty or max bytes came; 1 if it stopped at max. */
static int drain_one(struct vd *vd, struct vd_domain *d, size_t max)
{
	char buf[VD_IO_CHUNK];
	size_t got = 0;

	while (got < max) {
		int r = vireo_console_read(vd->v, d->rec.domid, buf,
					   sizeof(buf));

		if (r <= 0)
			return 0; /* empty, or gone: the state check sees it */
		vd_ring_write(&d->console, buf, (size_t)r);
		conlog(vd, d, buf, (size_t)r);
		broadcast(vd, d->rec.domid, buf, (size_t)r);
		got += (size_t)r;
	}
	return 1;
}

void vd_console_drain(struct vd *vd)
{
	vd->console_due_ms = 0;
	vd->console_drained_ms = vd_now_ms();
	for (unsigned i = 0; i < VD_MAX_DOMS; i++)
		if (vd->doms[i] && drain_one(vd, vd->doms[i], VD_DRAIN_MAX))
			vd->console_due_ms = vd->console_drained_ms;
}

/*
 * The hypervisor raises the console event when a ring turns non-empty (and
 * half and nearly full). A guest printing a byte per trap would, drained at
 * once, find its ring empty at nearly every byte: one Dom0 interrupt and
 * vireod wake-up per few bytes, taken from the guest's hart. Waiting
 * VD_CONSOLE_BATCH_MS after the last drain lets output pile up (a few KiB
 * at the guest's fastest, less than half the ring) and costs an
 * interactive console no visible delay.
 */
void vd_console_event(struct vd *vd)
{
	int64_t at = vd->console_drained_ms + VD_CONSOLE_BATCH_MS;

	if (!vd->console_due_ms)
		vd->console_due_ms = at;
}

void vd_console_drain_dom(struct vd *vd, struct vd_domain *d)
{
	/* Stopped, it writes no more: the bound is only a safety net. */
	drain_one(vd, d, 4 * VD_DRAIN_MAX);
}

void vd_console_attach(struct vd *vd, struct vd_client *c,
		       struct vd_domain *d)
{
	const char *p[2];
	size_t n[2];
	unsigned pieces;

	/* Bring the buffer up to date before it is replayed. */
	drain_one(vd, d, VD_DRAIN_MAX);
	c->mode = VD_CLIENT_CONSOLE;
	c->domid = d->rec.domid;
	pieces = vd_ring_pieces(&d->console, p, n);
	for (unsigned i = 0; i < pieces; i++)
		vd_client_send(c, p[i], n[i]);
}

/* Hand queued input to the guest while it takes some. */
static void flush_input(struct vd *vd, struct vd_domain *d)
{
	while (d->input_len) {
		size_t len = d->input_len < VD_IO_CHUNK ? d->input_len
							: VD_IO_CHUNK;
		int r = vireo_console_write(vd->v, d->rec.domid, d->input, len);

		if (r < 0) {
			vd_log("console input to domain %" PRIu32 ": %s; "
			       "%zu bytes dropped", d->rec.domid,
			       vireo_strerror(r), d->input_len);
			d->input_len = 0;
			return;
		}
		if (r == 0)
			return; /* its ring is full: retry later */
		memmove(d->input, d->input + r, d->input_len - (size_t)r);
		d->input_len -= (size_t)r;
	}
}

void vd_console_input(struct vd *vd, struct vd_client *c)
{
	struct vd_domain *d = vd_dom_by_id(vd, c->domid);
	size_t room;
	ssize_t r;

	if (!d) {
		vd_client_close(vd, c);
		return;
	}
	room = sizeof(d->input) - d->input_len;
	if (!room) {
		/*
		 * POLLIN is not asked for while the queue is full, so this is
		 * a hang-up (or error): the client's last bytes are lost.
		 */
		vd_client_close(vd, c);
		return;
	}
	r = recv(c->fd, d->input + d->input_len, room, 0);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		vd_client_close(vd, c); /* detached */
		return;
	}
	d->input_len += (size_t)r;
	flush_input(vd, d);
}

void vd_console_flush_input(struct vd *vd)
{
	for (unsigned i = 0; i < VD_MAX_DOMS; i++)
		if (vd->doms[i] && vd->doms[i]->input_len)
			flush_input(vd, vd->doms[i]);
}

int vd_console_input_pending(struct vd *vd)
{
	for (unsigned i = 0; i < VD_MAX_DOMS; i++)
		if (vd->doms[i] && vd->doms[i]->input_len)
			return 1;
	return 0;
}

void vd_console_detach_all(struct vd *vd, uint32_t domid)
{
	for (unsigned i = 0; i < VD_MAX_CLIENTS; i++) {
		struct vd_client *c = vd->clients[i];

		/* They get what is queued, then end of file. */
		if (c && c->fd >= 0 && c->mode == VD_CLIENT_CONSOLE &&
		    c->domid == domid) {
			c->mode = VD_CLIENT_REQUEST;
			c->closing = 1;
		}
	}
}

void vd_console_move(struct vd *vd, uint32_t from, uint32_t to)
{
	for (unsigned i = 0; i < VD_MAX_CLIENTS; i++) {
		struct vd_client *c = vd->clients[i];

		if (c && c->fd >= 0 && c->mode == VD_CLIENT_CONSOLE &&
		    c->domid == from)
			c->domid = to;
	}
}

/* ------------------------------------------------ domains that have gone */

void vd_console_forget_ended(struct vd *vd, const char *name)
{
	for (unsigned i = 0; i < VD_ENDED_MAX; i++) {
		struct vd_ended *e = &vd->ended[i];

		if (e->console.buf && !strcmp(e->name, name))
			vd_ring_free(&e->console);
	}
}

void vd_console_keep(struct vd *vd, struct vd_domain *d)
{
	struct vd_ended *e = NULL;

	vd_conlog_close(&d->log);
	if (!d->console.buf || !d->console.total)
		return;
	vd_console_forget_ended(vd, d->rec.name);
	for (unsigned i = 0; i < VD_ENDED_MAX; i++) {
		struct vd_ended *x = &vd->ended[i];

		if (!x->console.buf) {
			e = x;
			break;
		}
		if (!e || x->seq < e->seq)
			e = x; /* the oldest, if every slot is used */
	}
	vd_ring_free(&e->console);
	snprintf(e->name, sizeof(e->name), "%s", d->rec.name);
	e->domid = d->rec.domid;
	e->seq = ++vd->ended_seq;
	/* The buffer moves: d is freed next. */
	e->console = d->console;
	d->console = (struct vd_ring){ 0 };
}

struct vd_ended *vd_console_ended(struct vd *vd, const char *dom)
{
	uint32_t domid;
	int by_id = vireod_parse_domid(dom, &domid);
	struct vd_ended *best = NULL;

	for (unsigned i = 0; i < VD_ENDED_MAX; i++) {
		struct vd_ended *e = &vd->ended[i];

		if (!e->console.buf ||
		    (by_id ? e->domid != domid : strcmp(e->name, dom)))
			continue;
		if (!best || e->seq > best->seq)
			best = e;
	}
	return best;
}

/* The whole buffer, then end of file: the domain will write no more. */
void vd_console_replay_ended(struct vd_client *c, struct vd_ended *e)
{
	const char *p[2];
	size_t n[2];
	unsigned pieces = vd_ring_pieces(&e->console, p, n);

	for (unsigned i = 0; i < pieces; i++)
		vd_client_send(c, p[i], n[i]);
	c->closing = 1;
}
