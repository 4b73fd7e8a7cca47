/*
 * Linux AIO for virtio-blk's zero-copy requests (blk_aio.c): several
 * O_DIRECT reads and writes into guest memory in flight at once, their
 * completions reaped when an eventfd fires (vireo-dm's main loop watches
 * it) and pushed to the used ring together, so one interrupt can cover
 * several (EVENT_IDX). Raw system calls: Debian has no riscv64 liburing,
 * and io_uring is off in the kernel config.
 */
#ifndef VIREO_BLK_AIO_H
#define VIREO_BLK_AIO_H

#include <linux/aio_abi.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#define BLK_AIO_DEPTH 32
#define BLK_AIO_SEGS 254 /* = BLK_SEG_MAX */

struct blk_aio_req {
	struct iocb cb;
	struct iovec iov[BLK_AIO_SEGS];
	uint64_t expected;	/* bytes: anything else is an error */
	uint16_t head;		/* the chain to push when it completes */
	uint32_t used_len;
	uint8_t *status;	/* its status byte, in guest memory */
	bool busy;
};

struct blk_aio {
	aio_context_t ctx;
	int efd;		/* -1: no AIO (requests go synchronously) */
	unsigned inflight, max_inflight;
	struct blk_aio_req req[BLK_AIO_DEPTH];
};

/* Set up; on failure efd stays -1 and every submit returns 1. */
void blk_aio_init(struct blk_aio *a);
/*
 * Start a read or write of iov[0..n) (len bytes) at off on fd. Returns 0
 * (in flight), 1 (no AIO or no free slot: do it synchronously) or -1
 * with errno (the request failed).
 */
int blk_aio_submit(struct blk_aio *a, int fd, bool write,
		   const struct iovec *iov, unsigned n, off_t off, uint64_t len,
		   uint16_t head, uint32_t used_len, uint8_t *status);
/*
 * Reap completions: write each status byte (VIRTIO_BLK_S_OK or IOERR) and
 * call done(ctx, head, used_len). With wait, until none is in flight.
 * Returns how many completed.
 */
unsigned blk_aio_reap(struct blk_aio *a, bool wait,
		      void (*done)(void *ctx, uint16_t head, uint32_t len),
		      void *ctx);
/* Wait for everything in flight (discarding it), then tear down. */
void blk_aio_fini(struct blk_aio *a);

#endif
