/*
 * Split virtqueues (virtio 1.2, section 2.7), device side, with
 * VIRTIO_RING_F_INDIRECT_DESC and VIRTIO_RING_F_EVENT_IDX. The ring layouts
 * are Linux's (include/uapi/linux/virtio_ring.h); all fields are
 * little-endian, which is the host's order on riscv64 and x86-64.
 *
 * The guest owns the rings and may change them at any time, so every
 * index, address, length and chain is checked on each use. A queue that
 * breaks a rule (descriptor outside guest RAM, a loop, a chain longer than
 * the queue, a nested indirect table, a device-readable descriptor after a
 * device-writable one, an avail index more than num ahead) is marked
 * broken: virtq_pop() returns VIRTQ_BROKEN from then on, and q->error
 * says why. Nothing is ever read or written outside guest RAM.
 */
#ifndef VIREO_VIRTQ_H
#define VIREO_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "guest_mem.h"

#define VIRTQ_MAX_SIZE 256 /* queue sizes offered to drivers: a power of 2 */
#define VIRTQ_MAX_SEGS VIRTQ_MAX_SIZE /* iovecs in one element */

struct virtq {
	/* Set by the transport from the driver's registers. */
	uint16_t num;	    /* queue size, power of 2, <= VIRTQ_MAX_SIZE */
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool event_idx;	    /* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool indirect;	    /* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	const struct guest_mem *mem;
	/* Device state, owned by virtq.c. */
	bool ready;	    /* virtq_enable() succeeded */
	bool broken;
	const char *error;  /* why it broke (a static string) */
	void *desc, *avail, *used; /* host pointers, valid when ready */
	uint16_t last_avail; /* next avail entry to take */
	uint16_t used_idx;   /* next used entry to fill */
	uint16_t signalled_used; /* used_idx at the last notification */
	bool signalled_valid;
	bool no_notify;	     /* virtq_set_notify(q, false) is in force */
};

/* One request: its chain's buffers, device-readable ones first. */
struct virtq_elem {
	uint16_t head;	     /* give back with virtq_push() */
	unsigned n_out;	     /* iov[0 .. n_out): device-readable */
	unsigned n_in;	     /* iov[n_out .. n_out + n_in): device-writable */
	uint64_t out_len, in_len; /* byte totals of each part */
	struct iovec iov[VIRTQ_MAX_SEGS];
};

#define VIRTQ_EMPTY 0
#define VIRTQ_GOT 1
#define VIRTQ_BROKEN (-1)

/*
 * Check the ring addresses against guest RAM (and alignment: desc 16,
 * avail 2, used 4) and start using the queue from index 0. Returns 0, or
 * -1 with q->error set (the queue stays not ready).
 */
int virtq_enable(struct virtq *q);
/* Forget the rings (driver reset or queue reset). */
void virtq_reset(struct virtq *q);

/* Take the next available chain: VIRTQ_GOT, VIRTQ_EMPTY or VIRTQ_BROKEN. */
int virtq_pop(struct virtq *q, struct virtq_elem *e);
/* Hand the chain back with len bytes written into its device-writable part. */
void virtq_push(struct virtq *q, uint16_t head, uint32_t len);
/*
 * The same in two steps, for chains the driver must see together (a
 * mergeable-rx frame spread over several): fill each, then publish the
 * used index once.
 */
void virtq_fill(struct virtq *q, uint16_t head, uint32_t len);
void virtq_publish(struct virtq *q);
/*
 * Must the driver be interrupted now, for the entries pushed since the
 * last call that returned true? (EVENT_IDX: used_event; else the avail
 * ring's NO_INTERRUPT flag.)
 */
bool virtq_should_notify(struct virtq *q);
/*
 * Ask the driver to kick (or not) on new buffers: sets the used ring's
 * NO_NOTIFY flag, or with EVENT_IDX publishes avail_event. After enabling,
 * the device must check for work again (virtq_pop) before it sleeps.
 */
void virtq_set_notify(struct virtq *q, bool enable);
/* Are there entries to pop (no side effects)? */
bool virtq_has_work(struct virtq *q);

/* Copy helpers over an element's iovecs. Return bytes copied. */
size_t virtq_iov_to_buf(const struct iovec *iov, unsigned n, size_t skip,
			void *buf, size_t len);
size_t virtq_buf_to_iov(const struct iovec *iov, unsigned n, size_t skip,
			const void *buf, size_t len);

#endif
