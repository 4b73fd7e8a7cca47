/*
 * The virtio-mmio transport, version 2 (virtio 1.2, section 4.2.2), device
 * side, kept apart from the devices as in kvmtool: a device is an ops
 * table (struct virtio_dev_ops, one file per device) plus its private
 * state; the transport owns the registers, feature negotiation, status,
 * the queues and the interrupt line. Register offsets and status bits are
 * Linux's (include/uapi/linux/virtio_mmio.h, virtio_config.h).
 *
 * The transport offers VIRTIO_F_VERSION_1, VIRTIO_RING_F_INDIRECT_DESC and
 * VIRTIO_RING_F_EVENT_IDX on top of the device's own features. Interrupts
 * are level-triggered: the transport calls set_irq(level) whenever
 * InterruptStatus goes from zero to non-zero or back.
 *
 * A queue that breaks (see virtq.h), a bad register access or a device
 * error sets DEVICE_NEEDS_RESET in Status and raises a configuration
 * change interrupt, as the spec asks; the device stops using its queues
 * until the driver resets it. vm->error keeps the reason for the log.
 */
#ifndef VIREO_VIRTIO_MMIO_H
#define VIREO_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtq.h"

#define VIRTIO_MMIO_SIZE 0x1000 /* one 4 KiB window per device */
#define VIRTIO_MMIO_MAX_QUEUES 4
#define VIRTIO_MMIO_VENDOR 0x4f524956 /* "VIRO" */

struct virtio_mmio;

struct virtio_dev_ops {
	const char *name;      /* "blk", "net", "console", "rng" */
	uint32_t device_id;    /* VIRTIO_ID_* (linux/virtio_ids.h) */
	unsigned nr_queues;    /* 1..VIRTIO_MMIO_MAX_QUEUES */
	uint16_t queue_max;    /* QueueNumMax, power of 2 <= VIRTQ_MAX_SIZE */
	/* Device feature bits (transport bits are added by the transport). */
	uint64_t (*features)(struct virtio_mmio *vm);
	/*
	 * Device configuration space (offset 0x100 on): copy config_size
	 * bytes of the current config into buf. NULL: no config space.
	 */
	size_t config_size;
	void (*get_config)(struct virtio_mmio *vm, void *buf);
	/* A driver write to config space; NULL: writes are ignored. */
	void (*set_config)(struct virtio_mmio *vm, size_t off, const void *buf,
			   size_t len);
	/* Queue q has new buffers (QueueNotify, or a backend became ready). */
	void (*notify)(struct virtio_mmio *vm, unsigned q);
	/* The driver set DRIVER_OK (features are final). May be NULL. */
	void (*start)(struct virtio_mmio *vm);
	/* The driver reset the device: drop in-flight state. May be NULL. */
	void (*reset)(struct virtio_mmio *vm);
	/* Release the backend (files, taps). May be NULL. */
	void (*destroy)(struct virtio_mmio *vm);
};

struct virtio_mmio {
	const struct virtio_dev_ops *ops;
	void *priv;		     /* the device's state */
	struct guest_mem *mem;
	/* Raise or lower the device's interrupt line. */
	void (*set_irq)(void *opaque, bool level);
	void *irq_opaque;
	/* Registers */
	uint64_t device_features, driver_features;
	uint32_t device_features_sel, driver_features_sel;
	uint32_t queue_sel;
	uint32_t status;
	uint32_t interrupt_status;
	/*
	 * Where InterruptStatus lives: &interrupt_status, or a word the
	 * caller shares with the hypervisor (vireo-dm points it into the
	 * ioreq page), which then answers InterruptStatus reads and applies
	 * InterruptACK writes itself, without a round trip to the device
	 * model. Updated atomically; with a shared word, set_irq() is called
	 * on every change and must make the line follow the word.
	 */
	uint32_t *isr;
	uint32_t config_generation;
	bool irq_level;
	struct virtq vq[VIRTIO_MMIO_MAX_QUEUES];
	struct virtq_elem *elem; /* scratch for devices, one per transport */
	const char *error;	 /* why the device needs a reset, or NULL */
	/*
	 * Guards status, interrupt_status, irq_level, config_generation and
	 * error, so that a device's I/O thread may call notify_used,
	 * config_changed, fail and queue_live while the ioreq loop handles
	 * register accesses. Never held while calling into ops.
	 */
	pthread_mutex_t lock;
};

/*
 * Set up vm for ops with private state priv over guest memory mem.
 * Returns 0 or -1 (out of memory).
 */
int virtio_mmio_init(struct virtio_mmio *vm, const struct virtio_dev_ops *ops,
		     void *priv, struct guest_mem *mem,
		     void (*set_irq)(void *opaque, bool level), void *opaque);
void virtio_mmio_destroy(struct virtio_mmio *vm);

/*
 * A guest access at offset off of the window, size 1, 2, 4 or 8. Reads
 * return the value; unknown registers read 0 and ignore writes (as the
 * spec lets a device do), and a broken access is logged.
 */
uint64_t virtio_mmio_read(struct virtio_mmio *vm, uint64_t off, unsigned size);
void virtio_mmio_write(struct virtio_mmio *vm, uint64_t off, unsigned size,
		       uint64_t val);

/* For devices: interrupt the driver about used buffers on queue q, if the
 * queue's notification rules say so. */
void virtio_mmio_notify_used(struct virtio_mmio *vm, unsigned q);
/*
 * Answer every chain queue q holds with handle() (which sets the bytes
 * written in *len, or returns < 0 when the device has failed and must
 * stop, or 1 when the request is in flight and the backend will push it
 * itself with virtq_push() and virtio_mmio_notify_used()), push each
 * answered one, and interrupt the driver as the queue's rules say, until
 * the queue stays empty. Nothing happens unless the queue is live.
 */
void virtio_mmio_serve(struct virtio_mmio *vm, unsigned q,
		       int (*handle)(struct virtio_mmio *vm,
				     struct virtq_elem *e, uint32_t *len));
/* For devices: the configuration changed (net link status, console size). */
void virtio_mmio_config_changed(struct virtio_mmio *vm);
/* For devices and the transport: mark the device broken (see above). */
void virtio_mmio_fail(struct virtio_mmio *vm, const char *why);
/* Is queue q ready and the driver running (DRIVER_OK, not failed)? */
bool virtio_mmio_queue_live(struct virtio_mmio *vm, unsigned q);

#endif
