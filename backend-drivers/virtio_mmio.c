/*
 * The virtio-mmio transport, version 2 (virtio 1.2, section 4.2.2),
 * device side. Register map of the 4 KiB window:
 *
 *   0x000 MagicValue "virt"          0x044 QueueReady
 *   0x004 Version (2)                0x050 QueueNotify          (W)
 *   0x008 DeviceID                   0x060 InterruptStatus
 *   0x00c VendorID                   0x064 InterruptACK         (W)
 *   0x010 DeviceFeatures             0x070 Status
 *   0x014 DeviceFeaturesSel    (W)   0x080 QueueDescLow/High    (W)
 *   0x020 DriverFeatures       (W)   0x090 QueueDriverLow/High  (W)
 *   0x024 DriverFeaturesSel    (W)   0x0a0 QueueDeviceLow/High  (W)
 *   0x030 QueueSel             (W)   0x0ac SHMSel..SHMBase      (none here)
 *   0x034 QueueNumMax                0x0fc ConfigGeneration
 *   0x038 QueueNum             (W)   0x100 device configuration space
 *
 * The driver may only make aligned 32-bit accesses below 0x100; config
 * space takes any width that stays inside the device's config.
 *
 * Threads: the ioreq loop calls virtio_mmio_read/write; a device's I/O
 * thread may call notify_used, config_changed, fail and queue_live.
 * vm->lock covers the state both touch (status, interrupts, error) and
 * the set_irq calls, so the line always matches InterruptStatus. It is
 * never held across a call into the device's ops.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "virtio_mmio.h"

#define MMIO_MAGIC 0x74726976 /* "virt", little-endian */
#define MMIO_VERSION 2
#define CONFIG_MAX (VIRTIO_MMIO_SIZE - VIRTIO_MMIO_CONFIG)

#define BIT64(n) (1ULL << (n))

/* What the transport itself implements. */
#define TRANSPORT_FEATURES                                                     \
	(BIT64(VIRTIO_F_VERSION_1) | BIT64(VIRTIO_RING_F_INDIRECT_DESC) |      \
	 BIT64(VIRTIO_RING_F_EVENT_IDX))
/* Bits 28..40 describe the transport; a device may not offer them. */
#define TRANSPORT_RANGE                                                        \
	(BIT64(VIRTIO_TRANSPORT_F_END) - BIT64(VIRTIO_TRANSPORT_F_START))

static void lock(struct virtio_mmio *vm)
{
	pthread_mutex_lock(&vm->lock);
}

static void unlock(struct virtio_mmio *vm)
{
	pthread_mutex_unlock(&vm->lock);
}

/* Follow InterruptStatus with the level-triggered line; lock held. */
static void irq_update_locked(struct virtio_mmio *vm)
{
	bool level = __atomic_load_n(vm->isr, __ATOMIC_ACQUIRE) != 0;

	/*
	 * A shared InterruptStatus is also cleared by the hypervisor (see
	 * virtio_mmio.h), so the cached level may be stale: always tell.
	 */
	if (level == vm->irq_level && vm->isr == &vm->interrupt_status)
		return;
	vm->irq_level = level;
	if (vm->set_irq)
		vm->set_irq(vm->irq_opaque, level);
}

static void irq_raise(struct virtio_mmio *vm, uint32_t bits)
{
	lock(vm);
	__atomic_or_fetch(vm->isr, bits, __ATOMIC_ACQ_REL);
	irq_update_locked(vm);
	unlock(vm);
}

static uint32_t read_locked(struct virtio_mmio *vm, const uint32_t *reg)
{
	uint32_t v;

	lock(vm);
	v = *reg;
	unlock(vm);
	return v;
}

int virtio_mmio_init(struct virtio_mmio *vm, const struct virtio_dev_ops *ops,
		     void *priv, struct guest_mem *mem,
		     void (*set_irq)(void *opaque, bool level), void *opaque)
{
	uint64_t dev_features = 0;
	unsigned i;

	memset(vm, 0, sizeof(*vm));
	if (!ops || ops->nr_queues == 0 ||
	    ops->nr_queues > VIRTIO_MMIO_MAX_QUEUES || ops->queue_max == 0 ||
	    ops->queue_max > VIRTQ_MAX_SIZE ||
	    (ops->queue_max & (ops->queue_max - 1)) ||
	    ops->config_size > CONFIG_MAX) {
		errno = EINVAL;
		return -1;
	}
	vm->elem = calloc(1, sizeof(*vm->elem));
	if (!vm->elem)
		return -1;
	if (pthread_mutex_init(&vm->lock, NULL)) {
		free(vm->elem);
		vm->elem = NULL;
		return -1;
	}
	vm->isr = &vm->interrupt_status;
	vm->ops = ops;
	vm->priv = priv;
	vm->mem = mem;
	vm->set_irq = set_irq;
	vm->irq_opaque = opaque;
	for (i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		vm->vq[i].mem = mem;
	if (ops->features)
		dev_features = ops->features(vm) & ~TRANSPORT_RANGE;
	vm->device_features = dev_features | TRANSPORT_FEATURES;
	return 0;
}

void virtio_mmio_destroy(struct virtio_mmio *vm)
{
	if (!vm->elem)
		return; /* never initialised, or destroyed already */
	if (vm->ops->destroy)
		vm->ops->destroy(vm);
	free(vm->elem);
	vm->elem = NULL;
	pthread_mutex_destroy(&vm->lock);
}

void virtio_mmio_fail(struct virtio_mmio *vm, const char *why)
{
	lock(vm);
	if (!(vm->status & VIRTIO_CONFIG_S_NEEDS_RESET)) {
		vm->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
		vm->error = why;
		fprintf(stderr, "vireo-dm: %s: %s\n", vm->ops->name, why);
		/* Section 2.1.2: NEEDS_RESET comes with a config interrupt. */
		__atomic_or_fetch(vm->isr, VIRTIO_MMIO_INT_CONFIG,
				  __ATOMIC_ACQ_REL);
		irq_update_locked(vm);
	}
	unlock(vm);
}

bool virtio_mmio_queue_live(struct virtio_mmio *vm, unsigned q)
{
	uint32_t status;

	if (q >= vm->ops->nr_queues)
		return false;
	status = read_locked(vm, &vm->status);
	return (status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(status & VIRTIO_CONFIG_S_NEEDS_RESET) && vm->vq[q].ready &&
	       !vm->vq[q].broken;
}

void virtio_mmio_notify_used(struct virtio_mmio *vm, unsigned q)
{
	struct virtq *vq;

	if (q >= vm->ops->nr_queues)
		return;
	vq = &vm->vq[q];
	if (vq->broken) {
		virtio_mmio_fail(vm, vq->error);
		return;
	}
	if (virtq_should_notify(vq))
		irq_raise(vm, VIRTIO_MMIO_INT_VRING);
}

void virtio_mmio_serve(struct virtio_mmio *vm, unsigned q,
		       int (*handle)(struct virtio_mmio *vm,
				     struct virtq_elem *e, uint32_t *len))
{
	struct virtq *vq = &vm->vq[q];
	struct virtq_elem *e = vm->elem;
	uint32_t len;

	if (!virtio_mmio_queue_live(vm, q))
		return;
	/*
	 * Kicks off while draining (EVENT_IDX: avail_event not advanced),
	 * back on before the last look, so a chain the driver adds meanwhile
	 * is either seen here or kicked.
	 */
	do {
		int r;

		virtq_set_notify(vq, false);
		while ((r = virtq_pop(vq, e)) == VIRTQ_GOT) {
			int h = handle(vm, e, &len);

			if (h < 0)
				return;
			if (h == 0) /* 1: in flight, the backend pushes it */
				virtq_push(vq, e->head, len);
		}
		if (r == VIRTQ_BROKEN) {
			virtio_mmio_fail(vm, vq->error);
			return;
		}
		virtq_set_notify(vq, true);
		virtio_mmio_notify_used(vm, q);
	} while (virtq_has_work(vq));
}

void virtio_mmio_config_changed(struct virtio_mmio *vm)
{
	lock(vm);
	/* A driver reading config across the change sees it move. */
	vm->config_generation++;
	__atomic_or_fetch(vm->isr, VIRTIO_MMIO_INT_CONFIG, __ATOMIC_ACQ_REL);
	irq_update_locked(vm);
	unlock(vm);
}

/*
 * Driver reset (Status written 0, section 2.1): the device drops its
 * in-flight work first, while the rings are still mapped, so it can stop
 * any thread that uses them; then every register returns to its initial
 * value and the line goes down.
 */
static void device_reset(struct virtio_mmio *vm)
{
	unsigned i;

	if (vm->ops->reset)
		vm->ops->reset(vm);
	for (i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		virtq_reset(&vm->vq[i]);
	vm->driver_features = 0;
	vm->device_features_sel = 0;
	vm->driver_features_sel = 0;
	vm->queue_sel = 0;
	lock(vm);
	vm->status = 0;
	vm->error = NULL;
	__atomic_store_n(vm->isr, 0, __ATOMIC_RELEASE);
	irq_update_locked(vm);
	unlock(vm);
}

/*
 * DRIVER_OK: features are final. Buffers the driver queued before this
 * point got no dispatched kick (notify goes only to a live device), so
 * every live queue is given one now; a spurious kick costs nothing.
 */
static void device_start(struct virtio_mmio *vm)
{
	unsigned i;

	if (vm->ops->start)
		vm->ops->start(vm);
	for (i = 0; i < vm->ops->nr_queues; i++)
		if (vm->ops->notify && virtio_mmio_queue_live(vm, i))
			vm->ops->notify(vm, i);
}

/*
 * FEATURES_OK (section 2.2.2, 6.1): the driver may take only offered
 * bits, and a version 2 transport is useless without VIRTIO_F_VERSION_1.
 */
static bool features_acceptable(const struct virtio_mmio *vm)
{
	return !(vm->driver_features & ~vm->device_features) &&
	       (vm->driver_features & BIT64(VIRTIO_F_VERSION_1));
}

/*
 * Status bits only accumulate until a reset (the driver never clears
 * one); FEATURES_OK is refused by not keeping it, which the driver sees
 * when it reads Status back.
 */
static void status_write(struct virtio_mmio *vm, uint32_t val)
{
	const char *bad = NULL;
	bool start;
	uint32_t old;

	if (val == 0) {
		device_reset(vm);
		return;
	}
	lock(vm);
	old = vm->status;
	if ((val & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(old & VIRTIO_CONFIG_S_FEATURES_OK) && !features_acceptable(vm))
		val &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	val |= old;
	if ((val & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(val & VIRTIO_CONFIG_S_FEATURES_OK)) {
		val &= ~VIRTIO_CONFIG_S_DRIVER_OK;
		bad = "DRIVER_OK without FEATURES_OK";
	}
	vm->status = val;
	start = (val & VIRTIO_CONFIG_S_DRIVER_OK) &&
		!(old & VIRTIO_CONFIG_S_DRIVER_OK) &&
		!(val & VIRTIO_CONFIG_S_NEEDS_RESET);
	unlock(vm);
	if (bad)
		virtio_mmio_fail(vm, bad);
	if (start)
		device_start(vm);
}

/* The queue QueueSel points at, or NULL past the device's queues. */
static struct virtq *sel_queue(struct virtio_mmio *vm)
{
	if (vm->queue_sel >= vm->ops->nr_queues)
		return NULL;
	return &vm->vq[vm->queue_sel];
}

static void queue_num_write(struct virtio_mmio *vm, uint32_t val)
{
	struct virtq *q = sel_queue(vm);

	/* A live queue's size and addresses are fixed until it is reset. */
	if (!q || q->ready)
		return;
	if (val == 0 || val > vm->ops->queue_max || (val & (val - 1))) {
		virtio_mmio_fail(vm,
				 "QueueNum not a power of 2 up to QueueNumMax");
		return;
	}
	q->num = val;
}

static void queue_addr_write(struct virtio_mmio *vm, uint32_t off, uint32_t val)
{
	struct virtq *q = sel_queue(vm);
	uint64_t *gpa;

	if (!q || q->ready)
		return;
	if (off <= VIRTIO_MMIO_QUEUE_DESC_HIGH)
		gpa = &q->desc_gpa;
	else if (off <= VIRTIO_MMIO_QUEUE_AVAIL_HIGH)
		gpa = &q->avail_gpa;
	else
		gpa = &q->used_gpa;
	if (off & 4)
		*gpa = (*gpa & 0xffffffffULL) | (uint64_t)val << 32;
	else
		*gpa = (*gpa & ~0xffffffffULL) | val;
}

/*
 * QueueReady 1 maps the rings with the negotiated ring features. Taking
 * a queue away (0) is honoured only before DRIVER_OK: afterwards the
 * device may be using the rings from its own thread, and the driver has
 * to reset the whole device instead (Linux always does).
 */
static void queue_ready_write(struct virtio_mmio *vm, uint32_t val)
{
	struct virtq *q = sel_queue(vm);

	if (!q)
		return;
	if (!val) {
		if (!(read_locked(vm, &vm->status) & VIRTIO_CONFIG_S_DRIVER_OK))
			virtq_reset(q);
		return;
	}
	if (q->ready)
		return;
	q->event_idx = vm->driver_features & BIT64(VIRTIO_RING_F_EVENT_IDX);
	q->indirect = vm->driver_features & BIT64(VIRTIO_RING_F_INDIRECT_DESC);
	if (virtq_enable(q))
		virtio_mmio_fail(vm, q->error);
}

static void queue_notify(struct virtio_mmio *vm, uint32_t val)
{
	if (val >= vm->ops->nr_queues)
		return;
	/* A queue found broken by the device earlier stops the device now. */
	if (vm->vq[val].broken) {
		virtio_mmio_fail(vm, vm->vq[val].error);
		return;
	}
	if (vm->ops->notify && virtio_mmio_queue_live(vm, val))
		vm->ops->notify(vm, val);
}

static void driver_features_write(struct virtio_mmio *vm, uint32_t val)
{
	uint32_t shift;

	/* After FEATURES_OK the negotiated set is final. */
	if (read_locked(vm, &vm->status) & VIRTIO_CONFIG_S_FEATURES_OK)
		return;
	if (vm->driver_features_sel > 1)
		return;
	shift = vm->driver_features_sel * 32;
	vm->driver_features &= ~(0xffffffffULL << shift);
	vm->driver_features |= (uint64_t)val << shift;
}

static void interrupt_ack(struct virtio_mmio *vm, uint32_t val)
{
	lock(vm);
	__atomic_and_fetch(vm->isr, ~val, __ATOMIC_ACQ_REL);
	irq_update_locked(vm);
	unlock(vm);
}

static void reg_write(struct virtio_mmio *vm, uint32_t off, uint32_t val)
{
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		vm->device_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		driver_features_write(vm, val);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		vm->driver_features_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		vm->queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		queue_num_write(vm, val);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		queue_ready_write(vm, val);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		queue_notify(vm, val);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		interrupt_ack(vm, val);
		break;
	case VIRTIO_MMIO_STATUS:
		status_write(vm, val);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		queue_addr_write(vm, off, val);
		break;
	default:
		/* Read-only, legacy-only or unknown: ignored. */
		break;
	}
}

static uint32_t reg_read(struct virtio_mmio *vm, uint32_t off)
{
	struct virtq *q = sel_queue(vm);

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return MMIO_VERSION;
	case VIRTIO_MMIO_DEVICE_ID:
		return vm->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (vm->device_features_sel > 1)
			return 0;
		return vm->device_features >> (vm->device_features_sel * 32);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		/* 0 tells the driver the queue does not exist. */
		return q ? vm->ops->queue_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q && q->ready;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return __atomic_load_n(vm->isr, __ATOMIC_ACQUIRE);
	case VIRTIO_MMIO_STATUS:
		return read_locked(vm, &vm->status);
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return read_locked(vm, &vm->config_generation);
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		/* No shared memory regions: section 4.2.2.1 says length -1. */
		return 0xffffffff;
	default:
		return 0;
	}
}

/*
 * Config space, little-endian as every virtio 1 field. Accesses outside
 * the device's config read 0 and are dropped without failing the device:
 * drivers may probe fields a device does not have.
 */
static uint64_t config_read(struct virtio_mmio *vm, uint32_t off, unsigned size)
{
	uint8_t buf[CONFIG_MAX];
	uint64_t v = 0;
	unsigned i;

	if (!vm->ops->get_config || off + size > vm->ops->config_size)
		return 0;
	vm->ops->get_config(vm, buf);
	for (i = 0; i < size; i++)
		v |= (uint64_t)buf[off + i] << (8 * i);
	return v;
}

static void config_write(struct virtio_mmio *vm, uint32_t off, unsigned size,
			 uint64_t val)
{
	uint8_t buf[8];
	unsigned i;

	if (!vm->ops->set_config || off + size > vm->ops->config_size)
		return;
	for (i = 0; i < size; i++)
		buf[i] = val >> (8 * i);
	vm->ops->set_config(vm, off, buf, size);
}

/*
 * Section 4.2.2.2: registers take aligned 32-bit accesses only. Anything
 * else is a driver bug; it is dropped and the device asks for a reset.
 */
static bool access_ok(struct virtio_mmio *vm, uint64_t off, unsigned size)
{
	const char *why = NULL;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		why = "access of a size other than 1, 2, 4 or 8 bytes";
	else if (off >= VIRTIO_MMIO_SIZE || size > VIRTIO_MMIO_SIZE - off)
		why = "access outside the register window";
	else if (off < VIRTIO_MMIO_CONFIG && (size != 4 || off % 4))
		why = "register access not 32-bit and aligned";
	if (!why)
		return true;
	virtio_mmio_fail(vm, why);
	return false;
}

uint64_t virtio_mmio_read(struct virtio_mmio *vm, uint64_t off, unsigned size)
{
	if (!access_ok(vm, off, size))
		return 0;
	if (off >= VIRTIO_MMIO_CONFIG)
		return config_read(vm, off - VIRTIO_MMIO_CONFIG, size);
	return reg_read(vm, off);
}

void virtio_mmio_write(struct virtio_mmio *vm, uint64_t off, unsigned size,
		       uint64_t val)
{
	if (!access_ok(vm, off, size))
		return;
	if (off >= VIRTIO_MMIO_CONFIG)
		config_write(vm, off - VIRTIO_MMIO_CONFIG, size, val);
	else
		reg_write(vm, off, val);
}
