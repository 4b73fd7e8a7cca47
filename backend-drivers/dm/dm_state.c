/*
 * What a device model leaves behind for the one that replaces it.
 *
 * If vireo-dm dies (killed, crashed), the guest's drivers still own rings
 * with requests the dead process took and never answered. vireod then
 * starts `vireo-dm --recover DOMID`, which finds in the state file what it
 * needs to take over without the guest's help: the window offsets of the
 * guest's RAM and of the request page (both stay mapped: the mappings
 * belong to the hypervisor, not to the process), the domain's end of the
 * ioreq channel to bind to, and each device's negotiated transport state.
 * Its backends are gone, so it answers every request with an error (blk
 * VIRTIO_BLK_S_IOERR; transmitted packets and console output are dropped)
 * instead of leaving the guest to wait forever: the guest sees I/O errors,
 * not a hang.
 *
 * Every device here completes requests in order and synchronously, so the
 * requests the dead process took and never answered are exactly the
 * avail entries from the used ring's index on; recovery starts there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "dm.h"
#include "vireo_ioctl.h"

#define STATE_MAGIC 0x534d4456U /* "VDMS" */
#define STATE_VERSION 2
#define CONFIG_SAVE 256

struct saved_queue {
	uint64_t desc, avail, used;
	uint32_t num, ready;
	uint32_t event_idx, indirect;
};

struct saved_dev {
	uint32_t present, device_id;
	uint32_t nr_queues, queue_max;
	uint32_t latch, _pad; /* its InterruptStatus latch */
	uint64_t device_features, driver_features;
	uint32_t status, config_size;
	uint8_t config[CONFIG_SAVE];
	struct saved_queue q[VIRTIO_MMIO_MAX_QUEUES];
};

struct saved {
	uint32_t magic, version, domid, domu_port;
	uint64_t ram_off, ram_size, ioreq_off;
	uint32_t nr_slots, server;
	struct saved_dev dev[VIREO_DOMU_VIRTIO_SLOTS];
};

static void state_path(uint32_t domid, char *buf, size_t len)
{
	snprintf(buf, len, "/run/vireo/dm-%u.state", domid);
}

static void save_dev(struct saved_dev *s, struct virtio_mmio *vm)
{
	s->present = 1;
	s->latch = ((struct dm_device *)vm->irq_opaque)->latch;
	s->device_id = vm->ops->device_id;
	s->nr_queues = vm->ops->nr_queues;
	s->queue_max = vm->ops->queue_max;
	s->device_features = vm->device_features;
	s->driver_features = vm->driver_features;
	s->status = vm->status;
	s->config_size = vm->ops->config_size <= CONFIG_SAVE
				 ? (uint32_t)vm->ops->config_size : 0;
	if (s->config_size && vm->ops->get_config)
		vm->ops->get_config(vm, s->config);
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		struct virtq *q = &vm->vq[i];
		s->q[i] = (struct saved_queue){q->desc_gpa, q->avail_gpa,
					       q->used_gpa, q->num, q->ready,
					       q->event_idx, q->indirect};
	}
}

/* Record slot's transport after a register write changed it. */
void dm_state_save(struct dm *dm, struct dm_device *dev)
{
	struct saved_dev s = {0};

	if (dm->state_fd < 0)
		return;
	save_dev(&s, &dev->vm);
	if (pwrite(dm->state_fd, &s, sizeof(s),
		   (off_t)offsetof(struct saved, dev[dev->slot])) != sizeof(s))
		fprintf(stderr, "vireo-dm: state file: %s\n", strerror(errno));
}

int dm_state_create(struct dm *dm)
{
	struct saved s = {.magic = STATE_MAGIC, .version = STATE_VERSION,
			  .domid = dm->domid, .domu_port = dm->domu_port};
	char path[64];

	if (vireo_window_offset(dm->v, dm->ram_window, &s.ram_off) ||
	    vireo_window_offset(dm->v, dm->page, &s.ioreq_off))
		return -1;
	s.ram_size = dm->mem.size;
	s.nr_slots = dm->nr_slots;
	s.server = dm->server;
	for (unsigned i = 0; i < dm->nr_devices; i++)
		save_dev(&s.dev[dm->devices[i].slot], &dm->devices[i].vm);
	mkdir("/run/vireo", 0755);
	state_path(dm->domid, path, sizeof(path));
	dm->state_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (dm->state_fd < 0 || pwrite(dm->state_fd, &s, sizeof(s), 0) != sizeof(s)) {
		fprintf(stderr, "vireo-dm: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

void dm_state_remove(struct dm *dm)
{
	char path[64];

	state_path(dm->domid, path, sizeof(path));
	unlink(path);
}

/* ------------------------------------------------------------ recovery */

/* The last device-writable byte of the chain: a blk request's status. */
static void fail_blk(struct virtq_elem *e)
{
	const struct iovec *last;

	if (!e->n_in)
		return;
	last = &e->iov[e->n_out + e->n_in - 1];
	((uint8_t *)last->iov_base)[last->iov_len - 1] = VIRTIO_BLK_S_IOERR;
}

/*
 * Answer what the guest queued on q: blk requests fail, transmit queues
 * are drained unsent. Receive queues and rng requests keep their buffers
 * (nothing will come), which costs the guest nothing.
 */
static int failed_request(struct virtio_mmio *vm, struct virtq_elem *e,
			  uint32_t *len)
{
	*len = 0;
	if (vm->ops->device_id == VIRTIO_ID_BLOCK && e->n_in) {
		fail_blk(e);
		*len = 1;
	}
	return 0;
}

static void failed_notify(struct virtio_mmio *vm, unsigned q)
{
	uint32_t id = vm->ops->device_id;

	if (id == VIRTIO_ID_BLOCK ||
	    ((id == VIRTIO_ID_NET || id == VIRTIO_ID_CONSOLE) && q == 1))
		virtio_mmio_serve(vm, q, failed_request);
}

static uint64_t failed_features(struct virtio_mmio *vm)
{
	struct dm_device *dev = vm->irq_opaque;

	return dev->saved_features;
}

static void failed_get_config(struct virtio_mmio *vm, void *buf)
{
	struct dm_device *dev = vm->irq_opaque;

	memcpy(buf, dev->saved_config, vm->ops->config_size);
}

static int restore_dev(struct dm *dm, struct dm_device *dev,
		       const struct saved_dev *s)
{
	struct virtio_dev_ops *ops = &dev->failed_ops;

	if (s->latch >= VIREO_IOREQ_MAX_LATCHES)
		return -1;
	*ops = (struct virtio_dev_ops){
		.name = "failed", .device_id = s->device_id,
		.nr_queues = s->nr_queues, .queue_max = (uint16_t)s->queue_max,
		.features = failed_features, .config_size = s->config_size,
		.get_config = s->config_size ? failed_get_config : NULL,
		.notify = failed_notify,
	};
	dev->saved_features = s->device_features;
	memcpy(dev->saved_config, s->config, sizeof(dev->saved_config));
	if (virtio_mmio_init(&dev->vm, ops, NULL, &dm->mem, dm_set_irq, dev))
		return -1;
	/*
	 * The dead model's InterruptStatus is in the request page: keep it,
	 * and make the line agree with it.
	 */
	dev->latch = s->latch;
	dev->vm.isr = &dm->page->latch[dev->latch];
	dm->latches |= 1U << dev->latch;
	dm_set_irq(dev, false);
	dev->vm.driver_features = s->driver_features;
	dev->vm.status = s->status;
	for (unsigned i = 0; i < s->nr_queues && i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		struct virtq *q = &dev->vm.vq[i];
		const struct vring_used *used;

		q->num = (uint16_t)s->q[i].num;
		q->desc_gpa = s->q[i].desc;
		q->avail_gpa = s->q[i].avail;
		q->used_gpa = s->q[i].used;
		q->event_idx = s->q[i].event_idx;
		q->indirect = s->q[i].indirect;
		if (!s->q[i].ready || virtq_enable(q))
			continue;
		used = q->used;
		q->last_avail = q->used_idx =
			__atomic_load_n(&used->idx, __ATOMIC_ACQUIRE);
	}
	return 0;
}

static int bind_channel(struct dm *dm, uint32_t domu_port)
{
	struct vireo_evtchn_ioctl io = {.domid = dm->domid,
					.remote_port = domu_port};

	dm->evtchn_fd = open(VIREO_EVTCHN_DEVICE, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (dm->evtchn_fd < 0 ||
	    ioctl(dm->evtchn_fd, VIREO_EVTCHN_BIND_INTERDOMAIN, &io)) {
		fprintf(stderr, "vireo-dm: cannot bind to domain %u port %u: %s\n",
			dm->domid, domu_port, strerror(errno));
		return -1;
	}
	dm->port = io.port;
	return 0;
}

static int load(uint32_t domid, struct saved *s)
{
	char path[64];
	int fd;
	ssize_t n;

	state_path(domid, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, s, sizeof(*s));
	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof(*s) || s->magic != STATE_MAGIC ||
	    s->version != STATE_VERSION || s->domid != domid ||
	    s->nr_slots > VIREO_DOMU_VIRTIO_SLOTS) {
		fprintf(stderr, "vireo-dm: %s: no usable state\n", path);
		return -1;
	}
	return 0;
}

int dm_recover(struct dm *dm)
{
	static struct saved s;

	dm->v = vireo_open();
	if (!dm->v || load(dm->domid, &s))
		return -1;
	dm->mem = (struct guest_mem){VIREO_DOMU_RAM_BASE, s.ram_size,
				     vireo_window_mmap(dm->v, s.ram_off, s.ram_size),
				     0};
	dm->page = vireo_window_mmap(dm->v, s.ioreq_off, 4096);
	dm->page_adopted = 1;
	if (!dm->mem.host || !dm->page) {
		fprintf(stderr, "vireo-dm: cannot map the dead model's windows: %s\n",
			strerror(errno));
		return -1;
	}
	dm->ram_window = dm->mem.host;
	dm_map_direct(dm);
	dm->nr_slots = s.nr_slots;
	dm->server = s.server;
	for (unsigned i = 0; i < s.nr_slots; i++) {
		struct dm_device *dev = &dm->devices[dm->nr_devices];
		if (!s.dev[i].present)
			continue;
		dev->dm = dm;
		dev->slot = i;
		dev->backend = NULL;
		if (restore_dev(dm, dev, &s.dev[i]))
			return -1;
		dm->slots[i] = dev;
		dm->nr_devices++;
	}
	if (bind_channel(dm, s.domu_port))
		return -1;
	/* Fail what the dead model left unanswered. */
	for (unsigned i = 0; i < dm->nr_devices; i++)
		for (unsigned q = 0; q < dm->devices[i].vm.ops->nr_queues; q++)
			if (virtio_mmio_queue_live(&dm->devices[i].vm, q))
				failed_notify(&dm->devices[i].vm, q);
	return 0;
}
