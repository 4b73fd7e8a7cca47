/*
 * A fake virtio-mmio driver for host tests of the backends: it sets a
 * device up through the transport's registers, as a guest would, and
 * drives its split queues in a fake guest RAM, malloc'ed to its exact size
 * so that ASan sees any access past it. Include it, after the .c files
 * under test, in one test program; the test keeps what is its own device's.
 */
#ifndef VIREO_TEST_VIRTIO_DRIVER_H
#define VIREO_TEST_VIRTIO_DRIVER_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "test.h"
#include "virtio_backend.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (1024 * 1024)
#define QSIZE 16

struct drv_queue {
	uint64_t desc, avail, used;
	uint16_t avail_idx, used_seen, next_desc;
};

struct drv {
	struct guest_mem mem;
	struct virtio_mmio vm;
	struct drv_queue q[2];
	uint64_t heap;		/* bump allocator for buffers */
	unsigned irqs;		/* rising edges of the line */
};

struct buf {
	uint64_t gpa;
	uint32_t len;
	bool write;		/* device-writable */
};

static void drv_set_irq(void *opaque, bool level)
{
	struct drv *d = opaque;

	if (level)
		d->irqs++;
}

static void *gp(struct drv *d, uint64_t gpa)
{
	return d->mem.host + (gpa - RAM_BASE);
}

static uint64_t drv_alloc(struct drv *d, uint64_t len)
{
	uint64_t gpa = d->heap;

	d->heap = (d->heap + len + 15) & ~15ULL;
	if (d->heap > RAM_BASE + RAM_SIZE)
		abort();
	memset(gp(d, gpa), 0, len);
	return gpa;
}

static void reg_w(struct drv *d, uint32_t off, uint32_t v)
{
	virtio_mmio_write(&d->vm, off, 4, v);
}

static uint32_t reg_r(struct drv *d, uint32_t off)
{
	return virtio_mmio_read(&d->vm, off, 4);
}

static uint64_t dev_features(struct drv *d)
{
	reg_w(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	uint64_t hi = reg_r(d, VIRTIO_MMIO_DEVICE_FEATURES);
	reg_w(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return hi << 32 | reg_r(d, VIRTIO_MMIO_DEVICE_FEATURES);
}

static void drv_queue_setup(struct drv *d, unsigned i)
{
	struct drv_queue *q = &d->q[i];

	q->desc = drv_alloc(d, QSIZE * sizeof(struct vring_desc));
	q->avail = drv_alloc(d, 4 + 2 * QSIZE + 2);
	q->used = drv_alloc(d, 4 + 8 * QSIZE + 2);
	reg_w(d, VIRTIO_MMIO_QUEUE_SEL, i);
	reg_w(d, VIRTIO_MMIO_QUEUE_NUM, QSIZE);
	reg_w(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)q->desc);
	reg_w(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, q->desc >> 32);
	reg_w(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)q->avail);
	reg_w(d, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, q->avail >> 32);
	reg_w(d, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)q->used);
	reg_w(d, VIRTIO_MMIO_QUEUE_USED_HIGH, q->used >> 32);
	reg_w(d, VIRTIO_MMIO_QUEUE_READY, 1);
}

/*
 * The driver's side of initialisation (virtio 1.2, 3.1.1), taking the
 * device's features minus drop_features.
 */
static void drv_start(struct drv *d, uint64_t drop_features, unsigned nq)
{
	uint64_t f = dev_features(d) & ~drop_features;

	reg_w(d, VIRTIO_MMIO_STATUS, 0);
	reg_w(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	reg_w(d, VIRTIO_MMIO_STATUS,
	      VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	reg_w(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	reg_w(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	reg_w(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	reg_w(d, VIRTIO_MMIO_DRIVER_FEATURES, f >> 32);
	reg_w(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
	      VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	CHECK(reg_r(d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
	for (unsigned i = 0; i < nq; i++)
		drv_queue_setup(d, i);
	reg_w(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
	      VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |
	      VIRTIO_CONFIG_S_DRIVER_OK);
}

static struct drv *drv_new(const struct virtio_backend *be, void *priv)
{
	struct drv *d = calloc(1, sizeof(*d));

	d->mem.gpa_base = RAM_BASE;
	d->mem.size = RAM_SIZE;
	d->mem.host = malloc(RAM_SIZE);
	d->heap = RAM_BASE;
	CHECK_EQ(virtio_mmio_init(&d->vm, be->ops, priv, &d->mem, drv_set_irq,
				  d), 0);
	return d;
}

static void drv_free(struct drv *d)
{
	virtio_mmio_destroy(&d->vm);
	free(d->mem.host);
	free(d);
}

/* Make a chain of n buffers available on queue qi (no kick): its head. */
static uint16_t drv_post(struct drv *d, unsigned qi, const struct buf *b,
			 unsigned n)
{
	struct drv_queue *q = &d->q[qi];
	struct vring_desc *desc = gp(d, q->desc);
	struct vring_avail *avail = gp(d, q->avail);
	uint16_t head = q->next_desc % QSIZE;

	for (unsigned i = 0; i < n; i++) {
		uint16_t k = (head + i) % QSIZE;

		desc[k].addr = b[i].gpa;
		desc[k].len = b[i].len;
		desc[k].flags = (b[i].write ? VRING_DESC_F_WRITE : 0) |
				(i + 1 < n ? VRING_DESC_F_NEXT : 0);
		desc[k].next = (k + 1) % QSIZE;
	}
	q->next_desc += n;
	avail->ring[q->avail_idx % QSIZE] = head;
	__atomic_store_n(&avail->idx, ++q->avail_idx, __ATOMIC_RELEASE);
	return head;
}

static void drv_kick(struct drv *d, unsigned qi)
{
	reg_w(d, VIRTIO_MMIO_QUEUE_NOTIFY, qi);
}

/* The next used entry of queue qi: its head, or -1 if none. */
static int drv_used(struct drv *d, unsigned qi, uint32_t *len)
{
	struct drv_queue *q = &d->q[qi];
	struct vring_used *used = gp(d, q->used);
	struct vring_used_elem *e;

	if (__atomic_load_n(&used->idx, __ATOMIC_ACQUIRE) == q->used_seen)
		return -1;
	e = &used->ring[q->used_seen++ % QSIZE];
	*len = e->len;
	return e->id;
}

static bool drv_needs_reset(struct drv *d)
{
	return reg_r(d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

/* Make one device-writable buffer available on queue 0 (no kick). */
static uint16_t rx_post(struct drv *d, uint64_t gpa, uint32_t len)
{
	struct buf b = { gpa, len, true };

	return drv_post(d, 0, &b, 1);
}

#endif /* VIREO_TEST_VIRTIO_DRIVER_H */
