/*
 * Split virtqueues, device side (virtio 1.2, section 2.7).
 *
 * A queue is three guest-owned areas in guest RAM:
 *
 *   desc[num]   16-byte descriptors {addr, len, flags, next}, 16-aligned
 *   avail       {flags, idx, ring[num], used_event}, 2-aligned (driver)
 *   used        {flags, idx, ring[num] of {id, len}, avail_event},
 *               4-aligned (device)
 *
 * The driver puts the head of a descriptor chain in avail->ring[idx % num]
 * and then bumps avail->idx; the device takes chains in order from
 * last_avail, and gives each back through used->ring[used_idx % num]
 * before bumping used->idx. Both indices are free-running 16-bit
 * counters, so "how many" is always a wrapping subtraction.
 *
 * The guest can rewrite any of this at any moment, including while the
 * device reads it. So each field is read exactly once into a local copy
 * and checked there, and the only guest bytes this file ever writes are
 * the used ring, used->flags and avail_event.
 */
#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "virtq.h"

/* Ring sizes in bytes; the trailing event fields exist only with EVENT_IDX. */
static uint64_t desc_bytes(const struct virtq *q)
{
	return (uint64_t)q->num * sizeof(struct vring_desc);
}

static uint64_t avail_bytes(const struct virtq *q)
{
	return sizeof(struct vring_avail) +
	       (uint64_t)q->num * sizeof(uint16_t) +
	       (q->event_idx ? sizeof(uint16_t) : 0);
}

static uint64_t used_bytes(const struct virtq *q)
{
	return sizeof(struct vring_used) +
	       (uint64_t)q->num * sizeof(struct vring_used_elem) +
	       (q->event_idx ? sizeof(uint16_t) : 0);
}

static struct vring_avail *q_avail(const struct virtq *q)
{
	return q->avail;
}

static struct vring_used *q_used(const struct virtq *q)
{
	return q->used;
}

/* used_event sits just past the avail ring, avail_event past the used ring. */
static uint16_t *used_event_ptr(const struct virtq *q)
{
	return &q_avail(q)->ring[q->num];
}

static uint16_t *avail_event_ptr(const struct virtq *q)
{
	return (uint16_t *)&q_used(q)->ring[q->num];
}

/*
 * A ring area: the whole range inside guest RAM and aligned as the spec
 * asks (the host pointer too, since the index fields are accessed
 * atomically).
 */
static void *ring_ptr(const struct virtq *q, uint64_t gpa, uint64_t len,
		      uint64_t align)
{
	void *p;

	if (gpa & (align - 1))
		return NULL;
	p = guest_mem_ptr(q->mem, gpa, len);
	if (!p || ((uintptr_t)p & (align - 1)))
		return NULL;
	return p;
}

static const char *rings_map(struct virtq *q)
{
	if (!q->mem)
		return "queue has no guest memory";
	if (q->num == 0 || q->num > VIRTQ_MAX_SIZE || (q->num & (q->num - 1)))
		return "queue size is not a power of 2 up to 256";
	q->desc =
	    ring_ptr(q, q->desc_gpa, desc_bytes(q), VRING_DESC_ALIGN_SIZE);
	if (!q->desc)
		return "descriptor table misaligned or outside guest RAM";
	q->avail =
	    ring_ptr(q, q->avail_gpa, avail_bytes(q), VRING_AVAIL_ALIGN_SIZE);
	if (!q->avail)
		return "avail ring misaligned or outside guest RAM";
	q->used =
	    ring_ptr(q, q->used_gpa, used_bytes(q), VRING_USED_ALIGN_SIZE);
	if (!q->used)
		return "used ring misaligned or outside guest RAM";
	return NULL;
}

int virtq_enable(struct virtq *q)
{
	const char *err;

	q->ready = false;
	q->broken = false;
	q->last_avail = 0;
	q->used_idx = 0;
	q->signalled_used = 0;
	q->signalled_valid = false;
	q->no_notify = false;
	err = rings_map(q);
	q->error = err;
	if (err) {
		q->desc = q->avail = q->used = NULL;
		return -1;
	}
	/* Publish ready last: a device thread may be polling this queue. */
	__atomic_store_n(&q->ready, true, __ATOMIC_RELEASE);
	return 0;
}

void virtq_reset(struct virtq *q)
{
	const struct guest_mem *mem = q->mem;

	memset(q, 0, sizeof(*q));
	q->mem = mem;
}

static int virtq_break(struct virtq *q, const char *why)
{
	q->broken = true;
	q->error = why;
	return VIRTQ_BROKEN;
}

/*
 * Copy one descriptor out of guest memory. The compiler barrier stops the
 * compiler from re-reading a field from guest memory later instead of
 * using the copy, which would let the guest change a field between its
 * check and its use. memcpy also copes with an indirect table that is not
 * 8-aligned (the spec sets no alignment for those).
 */
static void desc_read(const struct vring_desc *src, struct vring_desc *d)
{
	memcpy(d, src, sizeof(*d));
	__asm__ __volatile__("" : : "r"(d) : "memory");
	d->addr = le64toh(d->addr);
	d->len = le32toh(d->len);
	d->flags = le16toh(d->flags);
	d->next = le16toh(d->next);
}

/* A descriptor table being walked: the ring's own, or one indirect table. */
struct desc_table {
	const struct vring_desc *desc;
	unsigned size;
	bool indirect;
};

/*
 * Switch the walk to the indirect table d refers to (section 2.7.5.3):
 * only if negotiated, only one level deep, never with NEXT (it must end
 * the chain), and a whole number of descriptors. The spec does not bound
 * the table, so we use the queue size: the whole chain may not be longer
 * than that either. The WRITE flag of d itself is ignored, as required.
 */
static const char *enter_indirect(const struct virtq *q,
				  const struct vring_desc *d,
				  struct desc_table *t)
{
	const void *p;

	if (!q->indirect)
		return "indirect descriptor not negotiated";
	if (t->indirect)
		return "indirect descriptor inside an indirect table";
	if (d->flags & VRING_DESC_F_NEXT)
		return "indirect descriptor with NEXT set";
	if (d->len == 0 || d->len % sizeof(struct vring_desc))
		return "indirect table length not a non-zero multiple of 16";
	if (d->len / sizeof(struct vring_desc) > q->num)
		return "indirect table larger than the queue";
	p = guest_mem_ptr(q->mem, d->addr, d->len);
	if (!p)
		return "indirect table outside guest RAM";
	t->desc = p;
	t->size = d->len / sizeof(struct vring_desc);
	t->indirect = true;
	return NULL;
}

/*
 * Append buffer d to e. Device-readable buffers must all come before
 * device-writable ones (section 2.7.4.2), so e's iovecs split in two.
 */
static const char *elem_add(const struct virtq *q, struct virtq_elem *e,
			    const struct vring_desc *d)
{
	unsigned n = e->n_out + e->n_in;
	void *p;

	if (d->len == 0)
		return "zero-length descriptor";
	p = guest_mem_ptr(q->mem, d->addr, d->len);
	if (!p)
		return "descriptor buffer outside guest RAM";
	if (d->flags & VRING_DESC_F_WRITE) {
		e->n_in++;
		e->in_len += d->len;
	} else {
		if (e->n_in)
			return "readable descriptor after a writable one";
		e->n_out++;
		e->out_len += d->len;
	}
	e->iov[n].iov_base = p;
	e->iov[n].iov_len = d->len;
	return NULL;
}

/*
 * Follow the chain from head. A driver may not make a chain longer than
 * the queue size (section 2.7.5.3.1), indirect entries included, so
 * counting the buffers also catches every loop: a cycle in either table
 * yields more than num buffers. The one indirect descriptor a chain may
 * have is not a buffer and ends the chain in the ring's table.
 */
static const char *walk_chain(const struct virtq *q, uint16_t head,
			      struct virtq_elem *e)
{
	struct desc_table t = {q->desc, q->num, false};
	unsigned i = head, count = 0;
	struct vring_desc d;
	const char *err;

	for (;;) {
		desc_read(&t.desc[i], &d);
		if (d.flags & VRING_DESC_F_INDIRECT) {
			err = enter_indirect(q, &d, &t);
			if (err)
				return err;
			i = 0;
			continue;
		}
		if (++count > q->num)
			return "chain longer than the queue (a loop?)";
		err = elem_add(q, e, &d);
		if (err)
			return err;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return NULL;
		if (d.next >= t.size)
			return "next descriptor index out of range";
		i = d.next;
	}
}

/* Entries the driver has made available and we have not taken. */
static uint16_t avail_pending(const struct virtq *q)
{
	uint16_t idx =
	    le16toh(__atomic_load_n(&q_avail(q)->idx, __ATOMIC_ACQUIRE));

	return (uint16_t)(idx - q->last_avail);
}

/*
 * EVENT_IDX: tell the driver to kick when it makes entry last_avail
 * available. The fence orders this store before our next read of
 * avail->idx, against the driver's "write avail->idx, fence, read
 * avail_event": one of the two sides always sees the other.
 */
static void publish_avail_event(struct virtq *q)
{
	__atomic_store_n(avail_event_ptr(q), htole16(q->last_avail),
			 __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

int virtq_pop(struct virtq *q, struct virtq_elem *e)
{
	uint16_t pending, slot, head;
	const char *err;

	if (q->broken)
		return VIRTQ_BROKEN;
	if (!__atomic_load_n(&q->ready, __ATOMIC_ACQUIRE))
		return VIRTQ_EMPTY;
	pending = avail_pending(q);
	if (pending == 0)
		return VIRTQ_EMPTY;
	if (pending > q->num)
		return virtq_break(q, "avail index more than num ahead");
	/* The acquire load of avail->idx orders this read after it. */
	slot = q->last_avail & (q->num - 1);
	head =
	    le16toh(__atomic_load_n(&q_avail(q)->ring[slot], __ATOMIC_RELAXED));
	if (head >= q->num)
		return virtq_break(q, "avail ring entry out of range");
	e->head = head;
	e->n_out = e->n_in = 0;
	e->out_len = e->in_len = 0;
	err = walk_chain(q, head, e);
	if (err)
		return virtq_break(q, err);
	q->last_avail++;
	/*
	 * Keep avail_event at last_avail while notifications are on, so the
	 * driver kicks for the next entry even if the device never calls
	 * virtq_set_notify().
	 */
	if (q->event_idx && !q->no_notify)
		publish_avail_event(q);
	return VIRTQ_GOT;
}

void virtq_fill(struct virtq *q, uint16_t head, uint32_t len)
{
	struct vring_used_elem *slot;

	if (!q->ready || q->broken)
		return;
	if (head >= q->num) {
		virtq_break(q, "device returned a chain head out of range");
		return;
	}
	slot = &q_used(q)->ring[q->used_idx & (q->num - 1)];
	__atomic_store_n(&slot->id, htole32(head), __ATOMIC_RELAXED);
	__atomic_store_n(&slot->len, htole32(len), __ATOMIC_RELAXED);
	q->used_idx++;
}

void virtq_publish(struct virtq *q)
{
	if (!q->ready || q->broken)
		return;
	/* The entries must be visible before the index that covers them. */
	__atomic_store_n(&q_used(q)->idx, htole16(q->used_idx),
			 __ATOMIC_RELEASE);
}

void virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
	virtq_fill(q, head, len);
	virtq_publish(q);
}

/* Without EVENT_IDX the driver can only say "never" (NO_INTERRUPT). */
static bool flags_allow_interrupt(const struct virtq *q)
{
	uint16_t flags =
	    le16toh(__atomic_load_n(&q_avail(q)->flags, __ATOMIC_RELAXED));

	return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
}

bool virtq_should_notify(struct virtq *q)
{
	uint16_t old = q->signalled_used, new = q->used_idx, event;
	bool valid = q->signalled_valid;

	if (!q->ready || q->broken || old == new)
		return false;
	/*
	 * We published used->idx; the driver publishes used_event (or the
	 * NO_INTERRUPT flag) and then re-reads used->idx. The full fence
	 * makes sure one of us sees the other's write.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!q->event_idx) {
		/* Suppressed entries stay pending for the next call. */
		if (!flags_allow_interrupt(q))
			return false;
		q->signalled_used = new;
		q->signalled_valid = true;
		return true;
	}
	/*
	 * EVENT_IDX (section 2.7.10): interrupt if used_event lies in
	 * [old, new), the entries added since the last check. The first
	 * check after enable always interrupts, as used_event may be stale.
	 */
	q->signalled_used = new;
	q->signalled_valid = true;
	event = le16toh(__atomic_load_n(used_event_ptr(q), __ATOMIC_RELAXED));
	return !valid || vring_need_event(event, new, old);
}

void virtq_set_notify(struct virtq *q, bool enable)
{
	if (!q->ready || q->broken)
		return;
	q->no_notify = !enable;
	if (q->event_idx) {
		/*
		 * Turning off just stops moving avail_event: the driver
		 * kicks at most once more, when it passes the old value.
		 */
		if (enable)
			publish_avail_event(q);
		return;
	}
	__atomic_store_n(&q_used(q)->flags,
			 htole16(enable ? 0 : VRING_USED_F_NO_NOTIFY),
			 __ATOMIC_RELAXED);
	/* As for avail_event: the caller's next virtq_pop must see new work. */
	if (enable)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

bool virtq_has_work(struct virtq *q)
{
	if (q->broken || !__atomic_load_n(&q->ready, __ATOMIC_ACQUIRE))
		return false;
	return avail_pending(q) != 0;
}

/* Copy between a flat buffer and iovecs, starting skip bytes into them. */
static size_t iov_copy(const struct iovec *iov, unsigned n, size_t skip,
		       uint8_t *buf, size_t len, bool to_iov)
{
	size_t done = 0, chunk;
	uint8_t *p;
	unsigned i;

	for (i = 0; i < n && done < len; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		p = (uint8_t *)iov[i].iov_base + skip;
		chunk = iov[i].iov_len - skip;
		if (chunk > len - done)
			chunk = len - done;
		if (to_iov)
			memcpy(p, buf + done, chunk);
		else
			memcpy(buf + done, p, chunk);
		done += chunk;
		skip = 0;
	}
	return done;
}

size_t virtq_iov_to_buf(const struct iovec *iov, unsigned n, size_t skip,
			void *buf, size_t len)
{
	return iov_copy(iov, n, skip, buf, len, false);
}

size_t virtq_buf_to_iov(const struct iovec *iov, unsigned n, size_t skip,
			const void *buf, size_t len)
{
	return iov_copy(iov, n, skip, (uint8_t *)buf, len, true);
}
