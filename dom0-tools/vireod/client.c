/*
 * vireod's clients: accepting, reading request lines, queueing output.
 *
 * Sockets are non-blocking. What a client cannot take at once waits in its
 * output queue (POLLOUT flushes it); a client that lets VD_OUT_MAX pile up
 * (a stuck `vl console`) is dropped rather than let it stall the daemon.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vireod.h"

void vd_client_accept(struct vd *vd)
{
	struct vd_client *c;
	unsigned slot;
	int fd;

	fd = accept4(vd->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			vd_log("accept: %s", strerror(errno));
		return;
	}
	for (slot = 0; slot < VD_MAX_CLIENTS && vd->clients[slot]; slot++)
		;
	c = slot < VD_MAX_CLIENTS ? calloc(1, sizeof(*c)) : NULL;
	if (!c) {
		static const char busy[] = "err\tvireod: too many clients\n";

		if (write(fd, busy, sizeof(busy) - 1) < 0)
			(void)0; /* it goes away either way */
		close(fd);
		return;
	}
	c->fd = fd;
	c->mode = VD_CLIENT_REQUEST;
	vd->clients[slot] = c;
}

void vd_client_close(struct vd *vd, struct vd_client *c)
{
	(void)vd;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

void vd_client_reap(struct vd *vd)
{
	for (unsigned i = 0; i < VD_MAX_CLIENTS; i++) {
		struct vd_client *c = vd->clients[i];

		if (c && c->closing && !c->out_len)
			vd_client_close(vd, c);
		if (c && c->fd < 0) {
			free(c->out);
			free(c);
			vd->clients[i] = NULL;
		}
	}
}

/* Write what the socket takes; 0, or -1 if the client is gone. */
int vd_client_flush(struct vd_client *c)
{
	size_t done = 0;

	while (done < c->out_len) {
		ssize_t r = send(c->fd, c->out + done, c->out_len - done,
				 MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	memmove(c->out, c->out + done, c->out_len - done);
	c->out_len -= done;
	return (c->closing && !c->out_len) ? -1 : 0;
}

int vd_client_send(struct vd_client *c, const char *data, size_t len)
{
	if (c->fd < 0)
		return -1;
	if (c->out_len + len > VD_OUT_MAX) {
		vd_log("client fd %d: %zu bytes unread, dropping it", c->fd,
		       c->out_len);
		vd_client_close(NULL, c);
		return -1;
	}
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *p;

		while (cap < c->out_len + len)
			cap *= 2;
		p = realloc(c->out, cap);
		if (!p)
			return -1;
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	/* Try at once; POLLOUT takes the rest. */
	if (vd_client_flush(c) < 0)
		c->closing = 1;
	return 0;
}

int vd_client_line(struct vd_client *c, const char *const *fields,
		   unsigned nr)
{
	char line[VIREOD_LINE_MAX + 1];
	int n = vireod_line_build(line, sizeof(line), fields, nr);

	if (n < 0) {
		vd_log("reply line too long (%s ...)", nr ? fields[0] : "");
		return -1;
	}
	return vd_client_send(c, line, (size_t)n);
}

void vd_client_ok(struct vd_client *c, const char *a, const char *b)
{
	const char *f[3] = { "ok", a, b };

	vd_client_line(c, f, b ? 3 : a ? 2 : 1);
}

void vd_client_err(struct vd_client *c, const char *fmt, ...)
{
	char msg[VIREOD_LINE_MAX / 2];
	const char *f[2] = { "err", msg };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vd_client_line(c, f, 2);
}

/* Take every complete line in c->in; the rest stays for the next read. */
static void client_lines(struct vd *vd, struct vd_client *c)
{
	char *fields[VIREOD_FIELDS_MAX];
	size_t start = 0;

	while (c->fd >= 0 && c->mode == VD_CLIENT_REQUEST) {
		char *nl = memchr(c->in + start, '\n', c->in_len - start);
		char *line = c->in + start;
		int nr;

		if (!nl)
			break;
		*nl = '\0';
		start = (size_t)(nl - c->in) + 1;
		nr = vireod_line_split(line, fields, VIREOD_FIELDS_MAX);
		if (nr < 1 || !*fields[0])
			vd_client_err(c, "malformed request");
		else
			vd_request(vd, c, fields, (unsigned)nr);
	}
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
	if (c->in_len == sizeof(c->in)) {
		vd_client_err(c, "request longer than %d bytes",
			      VIREOD_LINE_MAX);
		c->closing = 1;
		c->in_len = 0;
	}
}

void vd_client_input(struct vd *vd, struct vd_client *c)
{
	ssize_t r;

	if (c->mode == VD_CLIENT_CONSOLE) {
		vd_console_input(vd, c);
		return;
	}
	if (c->mode == VD_CLIENT_WAIT) {
		/*
		 * POLLIN is not asked for while the request is pending: a
		 * hang-up. Bytes sent before it break the protocol: dropped.
		 */
		char b[256];

		r = recv(c->fd, b, sizeof(b), 0);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			vd_client_close(vd, c);
		return;
	}
	r = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		vd_client_close(vd, c);
		return;
	}
	c->in_len += (size_t)r;
	client_lines(vd, c);
	/*
	 * A request may have switched the connection to raw console bytes;
	 * vl sends none before it has read the "ok", so nothing is lost.
	 */
	if (c->mode != VD_CLIENT_REQUEST)
		c->in_len = 0;
}
