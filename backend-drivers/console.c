/*
 * virtio-console (virtio 1.2, section 5.3), one port, over a Dom0
 * pseudo-terminal: whoever opens the pty's slave (vl console, screen,
 * minicom) talks to the guest's /dev/hvc0.
 *
 * Arguments ("key=value,..."):
 *   link=PATH	also make PATH a symlink to the slave (replacing a stale
 *		symlink; removed again at destroy)
 *
 * No VIRTIO_CONSOLE_F_MULTIPORT, so there is no control queue: queue 0 is
 * receiveq (to the guest), 1 is transmitq. VIRTIO_CONSOLE_F_SIZE gives a
 * fixed 80x25.
 *
 * vireo-dm keeps the slave open itself, in raw mode. Without an open
 * slave a pty master reads EIO and polls as hung up, which would wake the
 * main loop for ever; with it, the terminal settings stay raw for every
 * client, and what the guest writes while nobody is attached waits in the
 * tty's buffer (up to its size, then it is dropped and counted).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>
#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>

#include "virtio_backend.h"

#define CONS_RXQ 0
#define CONS_TXQ 1
#define CONS_COLS 80
#define CONS_ROWS 25
/* Bytes read from the pty at a time; a tty buffer is 4 KiB. */
#define CONS_BUF 4096
/* Reads from the pty per input() before returning to the main loop. */
#define CONS_RX_BUDGET 16

struct console {
	int master, slave;
	char slave_path[64];
	char *link;		/* our symlink to the slave, or NULL */
	bool rx_dead;
	/* Bytes read from the pty not yet given to the guest. */
	uint8_t buf[CONS_BUF];
	size_t len, off;
	unsigned long tx_dropped; /* bytes */
};

/* ------------------------------------------------------------ create */

/* Values live only during the callback: what we keep is copied. */
struct cons_args {
	char *link;
	char *err;
	size_t errlen;
};

static int cons_arg(void *opaque, const char *key, const char *value)
{
	struct cons_args *a = opaque;

	if (strcmp(key, "link") || !*value) {
		snprintf(a->err, a->errlen, "console: bad argument '%s=%s'",
			 key, value);
		return -1;
	}
	free(a->link);
	a->link = strdup(value);
	if (!a->link) {
		snprintf(a->err, a->errlen, "console: out of memory");
		return -1;
	}
	return 0;
}

/*
 * A pty pair: the master non-blocking for the main loop, the slave in
 * raw mode (no echo, no line editing, no CR/LF mapping) so that bytes
 * pass both ways unchanged.
 */
static int cons_open_pty(struct console *c, char *err, size_t errlen)
{
	struct termios t;
	const char *step;

	c->slave = -1;
	c->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	step = "posix_openpt";
	if (c->master < 0)
		goto fail;
	step = "grantpt/unlockpt";
	if (grantpt(c->master) < 0 || unlockpt(c->master) < 0)
		goto fail;
	step = "ptsname";
	if (ptsname_r(c->master, c->slave_path, sizeof(c->slave_path)))
		goto fail;
	step = c->slave_path;
	c->slave = open(c->slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->slave < 0)
		goto fail;
	step = "termios";
	if (tcgetattr(c->slave, &t) < 0)
		goto fail;
	cfmakeraw(&t);
	if (tcsetattr(c->slave, TCSANOW, &t) < 0)
		goto fail;
	step = "O_NONBLOCK";
	if (fcntl(c->master, F_SETFL, fcntl(c->master, F_GETFL) | O_NONBLOCK))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "console: %s: %s", step, strerror(errno));
	if (c->slave >= 0)
		close(c->slave);
	if (c->master >= 0)
		close(c->master);
	return -1;
}

/*
 * Point link at the slave. An existing symlink is a leftover of an
 * earlier run and is replaced; anything else at that path is not ours.
 * On success c owns link.
 */
static int cons_make_link(struct console *c, char *link, char *err,
			  size_t errlen)
{
	struct stat st;

	if (symlink(c->slave_path, link) < 0) {
		if (errno != EEXIST || lstat(link, &st) < 0 ||
		    !S_ISLNK(st.st_mode) || unlink(link) < 0 ||
		    symlink(c->slave_path, link) < 0) {
			snprintf(err, errlen, "console: cannot link %s: %s",
				 link, errno == EEXIST ? "not a symlink" :
				 strerror(errno));
			return -1;
		}
	}
	c->link = link;
	return 0;
}

static int cons_create(const struct virtio_backend_ctx *ctx, const char *args,
		       void **priv, char *err, size_t errlen)
{
	struct console *c = calloc(1, sizeof(*c));
	struct cons_args a = { .err = err, .errlen = errlen };

	if (errlen)
		err[0] = '\0';
	if (!c) {
		snprintf(err, errlen, "console: out of memory");
		return -1;
	}
	if (virtio_backend_args(args ? args : "", cons_arg, &a)) {
		if (errlen && !err[0])
			snprintf(err, errlen,
				 "console: malformed arguments '%s'",
				 args ? args : "");
		goto fail;
	}
	if (cons_open_pty(c, err, errlen) < 0)
		goto fail;
	if (a.link && cons_make_link(c, a.link, err, errlen) < 0) {
		close(c->slave);
		close(c->master);
		goto fail;
	}
	fprintf(stderr, "vireo-dm: console %u: %s\n", ctx->index,
		c->slave_path);
	*priv = c;
	return 0;
fail:
	free(a.link);
	free(c);
	return -1;
}

static void cons_destroy(struct virtio_mmio *vm)
{
	struct console *c = vm->priv;
	char target[sizeof(c->slave_path)];
	ssize_t r;

	if (!c)
		return;
	if (c->link) {
		/* Only if it is still ours: a newer vireo-dm may own it. */
		r = readlink(c->link, target, sizeof(target) - 1);
		if (r >= 0) {
			target[r] = '\0';
			if (!strcmp(target, c->slave_path))
				unlink(c->link);
		}
		free(c->link);
	}
	if (c->tx_dropped)
		fprintf(stderr, "vireo-dm: console %s: dropped %lu bytes\n",
			c->slave_path, c->tx_dropped);
	close(c->slave);
	close(c->master);
	free(c);
	vm->priv = NULL;
}

static uint64_t cons_features(struct virtio_mmio *vm)
{
	(void)vm;
	return 1ULL << VIRTIO_CONSOLE_F_SIZE;
}

static void cons_get_config(struct virtio_mmio *vm, void *buf)
{
	struct virtio_console_config cfg = {
		.cols = CONS_COLS, /* little-endian host */
		.rows = CONS_ROWS,
	};

	(void)vm;
	memcpy(buf, &cfg, offsetof(struct virtio_console_config, max_nr_ports));
}

/* The driver reset the device: nothing is in flight but our buffer. */
static void cons_reset(struct virtio_mmio *vm)
{
	struct console *c = vm->priv;

	c->len = c->off = 0;
}

/* ------------------------------------------------------------------ TX */

/*
 * The guest's bytes, as much as the pty takes. A console must not stall
 * the guest because nobody reads the other end, so what does not fit is
 * dropped (and counted) rather than retried.
 */
static void cons_tx_one(struct console *c, struct virtq_elem *e)
{
	struct iovec *iov = e->iov;
	unsigned n = e->n_out;
	uint64_t left = e->out_len;
	ssize_t r;

	while (n && left) {
		r = writev(c->master, iov, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		left -= r;
		while (n && (size_t)r >= iov->iov_len) {
			r -= iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			/* Resume inside this iovec (the element is scratch). */
			iov->iov_base = (uint8_t *)iov->iov_base + r;
			iov->iov_len -= r;
		}
	}
	c->tx_dropped += left;
}

static void cons_tx(struct virtio_mmio *vm)
{
	struct virtq *vq = &vm->vq[CONS_TXQ];
	struct virtq_elem *e = vm->elem;

	do {
		int r;

		virtq_set_notify(vq, false);
		while ((r = virtq_pop(vq, e)) == VIRTQ_GOT) {
			cons_tx_one(vm->priv, e);
			virtq_push(vq, e->head, 0);
		}
		if (r == VIRTQ_BROKEN) {
			virtio_mmio_fail(vm, vq->error);
			return;
		}
		virtq_set_notify(vq, true);
		virtio_mmio_notify_used(vm, CONS_TXQ);
	} while (virtq_has_work(vq));
}

/* ------------------------------------------------------------------ RX */

/* Refill the buffer from the pty: 1 got bytes, 0 none now, -1 finished. */
static int cons_read(struct console *c)
{
	ssize_t r;

	do
		r = read(c->master, c->buf, sizeof(c->buf));
	while (r < 0 && errno == EINTR);
	if (r > 0) {
		c->len = r;
		c->off = 0;
		return 1;
	}
	if (r < 0 && errno == EAGAIN)
		return 0;
	fprintf(stderr, "vireo-dm: console %s: %s\n", c->slave_path,
		r ? strerror(errno) : "end of file");
	return -1;
}

/*
 * Bytes from the pty into the guest's receive buffers. Unlike a network
 * frame, console input is a byte stream: a read may be spread over
 * several buffers, and a buffer is given back as soon as it has bytes.
 * Kicks are wanted only when the guest has run dry.
 */
static void cons_rx(struct virtio_mmio *vm)
{
	struct console *c = vm->priv;
	struct virtq *vq = &vm->vq[CONS_RXQ];
	struct virtq_elem *e = vm->elem;
	unsigned reads = 0;
	size_t n;
	int r;

	if (!virtio_mmio_queue_live(vm, CONS_RXQ))
		return;
	for (;;) {
		if (c->off == c->len) {
			if (c->rx_dead || reads++ == CONS_RX_BUDGET ||
			    !virtq_has_work(vq))
				break;
			r = cons_read(c);
			if (r < 0)
				c->rx_dead = true;
			if (r <= 0)
				break;
		}
		r = virtq_pop(vq, e);
		if (r == VIRTQ_BROKEN) {
			virtio_mmio_fail(vm, vq->error);
			return;
		}
		if (r == VIRTQ_EMPTY)
			break; /* keep the bytes for the next kick */
		n = virtq_buf_to_iov(e->iov + e->n_out, e->n_in, 0,
				     c->buf + c->off, c->len - c->off);
		c->off += n;
		virtq_push(vq, e->head, n);
	}
	virtio_mmio_notify_used(vm, CONS_RXQ);
}

static void cons_notify(struct virtio_mmio *vm, unsigned q)
{
	if (q == CONS_TXQ)
		cons_tx(vm);
	else if (q == CONS_RXQ)
		cons_rx(vm);
}

/* Watch the pty only while the guest has somewhere to put its bytes. */
static int cons_input_fd(struct virtio_mmio *vm)
{
	struct console *c = vm->priv;

	if (c->rx_dead || c->off < c->len ||
	    !virtio_mmio_queue_live(vm, CONS_RXQ) ||
	    !virtq_has_work(&vm->vq[CONS_RXQ]))
		return -1;
	return c->master;
}

static const struct virtio_dev_ops cons_ops = {
	.name = "console",
	.device_id = VIRTIO_ID_CONSOLE,
	.nr_queues = 2,
	.queue_max = VIRTQ_MAX_SIZE,
	.features = cons_features,
	.config_size = offsetof(struct virtio_console_config, max_nr_ports),
	.get_config = cons_get_config,
	.notify = cons_notify,
	.reset = cons_reset,
	.destroy = cons_destroy,
};

const struct virtio_backend virtio_console_backend = {
	.type = "console",
	.ops = &cons_ops,
	.create = cons_create,
	.input_fd = cons_input_fd,
	.input = cons_rx,
};
