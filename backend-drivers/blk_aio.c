/* Linux AIO for virtio-blk (see include/blk_aio.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/virtio_blk.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "blk_aio.h"

static long io_setup(unsigned nr, aio_context_t *ctx)
{
	return syscall(SYS_io_setup, nr, ctx);
}

static long io_submit(aio_context_t ctx, long n, struct iocb **cbs)
{
	return syscall(SYS_io_submit, ctx, n, cbs);
}

static long io_getevents(aio_context_t ctx, long min, long max,
			 struct io_event *ev, struct timespec *timeout)
{
	return syscall(SYS_io_getevents, ctx, min, max, ev, timeout);
}

void blk_aio_init(struct blk_aio *a)
{
	memset(a, 0, sizeof(*a));
	a->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (a->efd >= 0 && io_setup(BLK_AIO_DEPTH, &a->ctx) < 0) {
		close(a->efd);
		a->efd = -1;
	}
}

int blk_aio_submit(struct blk_aio *a, int fd, bool write,
		   const struct iovec *iov, unsigned n, off_t off, uint64_t len,
		   uint16_t head, uint32_t used_len, uint8_t *status)
{
	struct blk_aio_req *r = NULL;
	struct iocb *cb;
	long rc;

	if (a->efd < 0 || n > BLK_AIO_SEGS)
		return 1;
	for (unsigned i = 0; i < BLK_AIO_DEPTH && !r; i++)
		if (!a->req[i].busy)
			r = &a->req[i];
	if (!r)
		return 1;
	/* The iovecs must live until the completion: the request keeps them. */
	memcpy(r->iov, iov, n * sizeof(*iov));
	memset(&r->cb, 0, sizeof(r->cb));
	r->cb.aio_data = (uint64_t)(uintptr_t)r;
	r->cb.aio_lio_opcode = write ? IOCB_CMD_PWRITEV : IOCB_CMD_PREADV;
	r->cb.aio_fildes = (uint32_t)fd;
	r->cb.aio_buf = (uint64_t)(uintptr_t)r->iov;
	r->cb.aio_nbytes = n;
	r->cb.aio_offset = off;
	r->cb.aio_flags = IOCB_FLAG_RESFD;
	r->cb.aio_resfd = (uint32_t)a->efd;
	cb = &r->cb;
	do
		rc = io_submit(a->ctx, 1, &cb);
	while (rc < 0 && errno == EINTR);
	if (rc == 0 || (rc < 0 && errno == EAGAIN))
		return 1; /* the kernel's queue is full: synchronously */
	if (rc < 0)
		return -1;
	r->expected = len;
	r->head = head;
	r->used_len = used_len;
	r->status = status;
	r->busy = true;
	if (++a->inflight > a->max_inflight)
		a->max_inflight = a->inflight;
	return 0;
}

unsigned blk_aio_reap(struct blk_aio *a, bool wait,
		      void (*done)(void *ctx, uint16_t head, uint32_t len),
		      void *ctx)
{
	struct io_event ev[BLK_AIO_DEPTH];
	struct timespec zero = {0, 0};
	unsigned total = 0;
	uint64_t count;

	if (a->efd < 0)
		return 0;
	/* The eventfd only wakes the loop: the events are the truth. */
	if (read(a->efd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		return 0;
	while (a->inflight) {
		long n = io_getevents(a->ctx, wait ? 1 : 0, BLK_AIO_DEPTH, ev,
				      wait ? NULL : &zero);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (long i = 0; i < n; i++) {
			struct blk_aio_req *r =
				(struct blk_aio_req *)(uintptr_t)ev[i].data;

			*r->status = ev[i].res >= 0 &&
						     (uint64_t)ev[i].res == r->expected ?
					     VIRTIO_BLK_S_OK :
					     VIRTIO_BLK_S_IOERR;
			r->busy = false;
			a->inflight--;
			if (done)
				done(ctx, r->head, r->used_len);
		}
		total += (unsigned)n;
	}
	return total;
}

void blk_aio_fini(struct blk_aio *a)
{
	if (a->efd < 0)
		return;
	blk_aio_reap(a, true, NULL, NULL);
	syscall(SYS_io_destroy, a->ctx);
	close(a->efd);
	a->efd = -1;
}
