/*
 * vl's side of the vireod protocol (vireod_proto.h): connect, send a
 * request line, read reply lines until the final "ok" or "err".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vl.h"

static const char *sock_path(void)
{
	const char *p = getenv(VIREOD_SOCKET_ENV);

	return p && *p ? p : VIREOD_SOCKET;
}

int vl_connect(struct vl_conn *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = sock_path();

	c->len = 0;
	c->no_warn = 0;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		goto fail;
	strcpy(sa.sun_path, path);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return 0;
fail:
	if (errno == EACCES || errno == EPERM)
		fprintf(stderr, "vl: cannot reach vireod at %s: %s (are you "
			"root?)\n", path, strerror(errno));
	else
		fprintf(stderr, "vl: cannot reach vireod at %s: start it with "
			"'vireod'\n", path);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	return -1;
}

void vl_close(struct vl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int vl_send(struct vl_conn *c, const char *const *fields, unsigned nr)
{
	char line[VIREOD_LINE_MAX + 1];
	int n = vireod_line_build(line, sizeof(line), fields, nr);
	size_t done = 0;

	if (n < 0) {
		fprintf(stderr, "vl: request too long (over %d bytes)\n",
			VIREOD_LINE_MAX);
		return -1;
	}
	while (done < (size_t)n) {
		ssize_t r = send(c->fd, line + done, (size_t)n - done,
				 MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "vl: lost vireod: %s\n",
				strerror(errno));
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

/* One line into c->line, split into f; returns the count or -1. */
static int read_line(struct vl_conn *c, char **f, unsigned max)
{
	char *nl;
	size_t n;

	while (!(nl = memchr(c->buf, '\n', c->len))) {
		ssize_t r;

		if (c->len == sizeof(c->buf))
			goto bad;
		r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "vl: vireod closed the connection\n");
			return -1;
		}
		c->len += (size_t)r;
	}
	n = (size_t)(nl - c->buf);
	if (n > VIREOD_LINE_MAX)
		goto bad;
	memcpy(c->line, c->buf, n);
	c->line[n] = '\0';
	memmove(c->buf, nl + 1, c->len - n - 1);
	c->len -= n + 1;
	return vireod_line_split(c->line, f, max);
bad:
	fprintf(stderr, "vl: bad reply from vireod\n");
	return -1;
}

int vl_reply(struct vl_conn *c, int (*on_line)(void *arg, char **f,
					       unsigned nr),
	     void *arg, char **ok, unsigned *nr_ok)
{
	for (;;) {
		int nr = read_line(c, ok, VIREOD_FIELDS_MAX);

		if (nr < 0)
			return -1;
		if (!strcmp(ok[0], "ok")) {
			*nr_ok = (unsigned)nr;
			return 0;
		}
		if (!strcmp(ok[0], "err")) {
			fprintf(stderr, "%s\n",
				nr > 1 ? ok[1] : "vireod: error");
			return -1;
		}
		if (!strcmp(ok[0], "warn")) {
			if (nr > 1 && !c->no_warn)
				fprintf(stderr, "%s\n", ok[1]);
		}
		else if (on_line && on_line(arg, ok, (unsigned)nr) < 0)
			return -1;
	}
}

int vl_call(struct vl_conn *c, const char *const *req, unsigned nr,
	    int (*on_line)(void *arg, char **f, unsigned nr), void *arg,
	    char **ok, unsigned *nr_ok)
{
	if (vl_send(c, req, nr) < 0)
		return -1;
	return vl_reply(c, on_line, arg, ok, nr_ok);
}

int vl_request(const char *const *req, unsigned nr,
	       int (*on_line)(void *arg, char **f, unsigned nr),
	       void (*on_ok)(void *arg, char **ok, unsigned nr_ok), void *arg)
{
	char *ok[VIREOD_FIELDS_MAX];
	struct vl_conn c;
	unsigned nr_ok;
	int r;

	if (vl_connect(&c) < 0)
		return -1;
	r = vl_call(&c, req, nr, on_line, arg, ok, &nr_ok);
	if (r == 0 && on_ok)
		on_ok(arg, ok, nr_ok); /* before close: ok[] lives in c */
	vl_close(&c);
	return r;
}

int vl_simple(const char *const *req, unsigned nr)
{
	return vl_request(req, nr, NULL, NULL, NULL);
}
