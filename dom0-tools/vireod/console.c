/*
 * DomU consoles. vireod drains each recorded domain's console ring (the
 * hypervisor's vUART buffer) whenever the console event bit is raised and
 * every VD_TICK_MS anyway, keeps the last VIREOD_CONSOLE_BUF bytes per
 * domain, and copies them to the attached `vl console` clients: the buffer
 * first, on attach, then live output. Their input is queued per domain and
 * handed to vireo_console_write, which takes what the guest's receive ring
 * has room for; the rest is retried every VD_INPUT_RETRY_MS, and while the
 * queue is full vireod stops reading from that domain's consoles.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>

#include "vireod.h"

/* At most this many reads per domain per drain, so one cannot starve all. */
#define VD_DRAIN_MAX_READS 16

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

static void drain_one(struct vd *vd, struct vd_domain *d)
{
	char buf[VD_IO_CHUNK];

	for (int i = 0; i < VD_DRAIN_MAX_READS; i++) {
		int r = vireo_console_read(vd->v, d->rec.domid, buf,
					   sizeof(buf));

		if (r <= 0)
			return; /* empty, or gone: the state check sees it */
		vd_ring_write(&d->console, buf, (size_t)r);
		broadcast(vd, d->rec.domid, buf, (size_t)r);
		if ((size_t)r < sizeof(buf))
			return;
	}
}

void vd_console_drain(struct vd *vd)
{
	for (unsigned i = 0; i < VD_MAX_DOMS; i++)
		if (vd->doms[i])
			drain_one(vd, vd->doms[i]);
}

void vd_console_attach(struct vd *vd, struct vd_client *c,
		       struct vd_domain *d)
{
	const char *p[2];
	size_t n[2];
	unsigned pieces;

	/* Bring the buffer up to date before it is replayed. */
	drain_one(vd, d);
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
