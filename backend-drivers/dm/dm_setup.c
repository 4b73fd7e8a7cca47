/*
 * vireo-dm set-up: devices from the command line, the guest's RAM, the
 * ioreq server and its event channel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/virtio_mmio.h>

#include "dm.h"
#include "vireo_ioctl.h"

/*
 * InterruptStatus is a status latch in the request page: the hypervisor
 * reads and acknowledges it for the guest, and the line follows it once
 * told that the word changed; level is what the transport saw. Told at
 * once, with whatever register accesses are answered by then: a backend
 * raises its interrupt after it has pushed every request it found, and
 * the guest it wakes may queue the next while this pass still runs, which
 * the backend then finds in its ring without another event. Held back to
 * the end of the pass, that next request would need an upcall of its own.
 */
void dm_set_irq(void *opaque, bool level)
{
	struct dm_device *dev = opaque;

	(void)level;
	dev->dm->dirty_latches |= 1U << dev->latch;
	dm_flush(dev->dm);
}

void dm_flush(struct dm *dm)
{
	uint32_t vcpus = dm->done_vcpus, latches = dm->dirty_latches & dm->latches;
	int rc;

	if (!vcpus && !latches)
		return;
	dm->done_vcpus = dm->dirty_latches = 0;
	rc = vireo_ioreq_complete(dm->v, dm->domid, dm->server, vcpus, latches);
	if (!rc)
		return;
	/* A batch fails whole: find the bad one, let the others through. */
	for (unsigned i = 0; i < 32; i++) {
		if ((vcpus >> i) & 1)
			rc = vireo_ioreq_complete(dm->v, dm->domid, dm->server,
						  1U << i, 0);
		else if ((latches >> i) & 1)
			rc = vireo_ioreq_complete(dm->v, dm->domid, dm->server,
						  0, 1U << i);
		else
			continue;
		if (rc)
			fprintf(stderr, "vireo-dm: complete %s %u: %s\n",
				(vcpus >> i) & 1 ? "vcpu" : "latch", i,
				vireo_strerror(rc));
	}
}

/* "SLOT:TYPE[:ARGS]": the backend is created now, the transport later. */
int dm_parse_device(struct dm *dm, const char *spec)
{
	struct virtio_backend_ctx ctx = {.domid = dm->domid};
	char type[16], err[256] = "";
	const char *colon, *args = "";
	struct dm_device *dev;
	void *priv = NULL;
	char *end;
	unsigned long slot = strtoul(spec, &end, 10);
	size_t n;

	if (end == spec || *end != ':' || slot >= VIREO_DOMU_VIRTIO_SLOTS) {
		fprintf(stderr, "vireo-dm: bad device \"%s\" (SLOT:TYPE[:ARGS], "
			"slot 0..%d)\n", spec, VIREO_DOMU_VIRTIO_SLOTS - 1);
		return -1;
	}
	if (dm->slots[slot]) {
		fprintf(stderr, "vireo-dm: slot %lu given twice\n", slot);
		return -1;
	}
	colon = strchr(end + 1, ':');
	n = colon ? (size_t)(colon - end - 1) : strlen(end + 1);
	if (colon)
		args = colon + 1;
	if (n == 0 || n >= sizeof(type)) {
		fprintf(stderr, "vireo-dm: bad device type in \"%s\"\n", spec);
		return -1;
	}
	memcpy(type, end + 1, n);
	type[n] = '\0';
	dev = &dm->devices[dm->nr_devices];
	dev->backend = virtio_backend_find(type);
	if (!dev->backend) {
		fprintf(stderr, "vireo-dm: unknown device type \"%s\"\n", type);
		return -1;
	}
	ctx.slot = (unsigned)slot;
	for (unsigned i = 0; i < dm->nr_devices; i++)
		ctx.index += dm->devices[i].backend == dev->backend;
	if (dev->backend->create(&ctx, args, &priv, err, sizeof(err))) {
		fprintf(stderr, "vireo-dm: slot %lu: %s\n", slot, err);
		return -1;
	}
	dev->dm = dm;
	dev->slot = (unsigned)slot;
	dev->vm.priv = priv;
	dm->slots[slot] = dev;
	dm->nr_devices++;
	if (slot + 1 > dm->nr_slots)
		dm->nr_slots = (unsigned)slot + 1;
	return 0;
}

/*
 * Besides the window (kept: a model that takes over after this one dies
 * finds the RAM there, dm_state.c), the RAM 1:1 if the hypervisor and
 * vireo.ko can: the backends then do O_DIRECT I/O straight into it.
 */
void dm_map_direct(struct dm *dm)
{
	int rc;
	void *p = vireo_foreign_map_direct(dm->v, dm->domid, dm->mem.gpa_base,
					   dm->mem.size, &rc);

	if (p) {
		dm->mem.host = p;
		dm->mem.direct = 1;
	} else if (rc != VIREO_ENOTSUP) {
		fprintf(stderr, "vireo-dm: domain %u: no 1:1 mapping of its RAM "
			"(%s): data goes through a bounce buffer\n", dm->domid,
			vireo_strerror(rc));
	}
}

static int map_ram(struct dm *dm)
{
	struct vireo_domain_info info;
	int rc = vireo_domain_getinfo(dm->v, dm->domid, &info);

	if (rc) {
		fprintf(stderr, "vireo-dm: domain %u: %s\n", dm->domid,
			vireo_strerror(rc));
		return -1;
	}
	dm->mem.gpa_base = VIREO_DOMU_RAM_BASE;
	dm->mem.size = info.ram_bytes;
	dm->mem.host = vireo_foreign_map(dm->v, dm->domid, VIREO_DOMU_RAM_BASE,
					 info.ram_bytes, &rc);
	if (!dm->mem.host) {
		fprintf(stderr, "vireo-dm: cannot map domain %u's RAM: %s\n",
			dm->domid, vireo_strerror(rc));
		return -1;
	}
	dm->ram_window = dm->mem.host;
	dm_map_direct(dm);
	return 0;
}

static int open_channel(struct dm *dm)
{
	struct vireo_evtchn_ioctl io = {.domid = dm->domid};

	dm->evtchn_fd = open(VIREO_EVTCHN_DEVICE, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (dm->evtchn_fd < 0 ||
	    ioctl(dm->evtchn_fd, VIREO_EVTCHN_ALLOC_UNBOUND, &io)) {
		fprintf(stderr, "vireo-dm: event channel: %s\n", strerror(errno));
		return -1;
	}
	dm->port = io.port;
	return 0;
}

static int start_devices(struct dm *dm)
{
	for (unsigned i = 0; i < dm->nr_devices; i++) {
		struct dm_device *dev = &dm->devices[i];

		if (virtio_mmio_init(&dev->vm, dev->backend->ops, dev->vm.priv,
				     &dm->mem, dm_set_irq, dev)) {
			fprintf(stderr, "vireo-dm: out of memory\n");
			return -1;
		}
	}
	return 0;
}

/* virtio-mmio's InterruptStatus (read) and InterruptACK (write 1 to clear)
 * of dev's slot, served by the hypervisor, driving the slot's line. */
static int declare_latch(struct dm *dm, struct dm_device *dev)
{
	uint64_t base = VIREO_DOMU_VIRTIO_BASE +
			(uint64_t)dev->slot * VIREO_DOMU_VIRTIO_SIZE;
	struct vireo_ioreq_latch l = {
		.read_addr = base + VIRTIO_MMIO_INTERRUPT_STATUS,
		.clear_addr = base + VIRTIO_MMIO_INTERRUPT_ACK,
		.width = 4,
		.line = VIREO_DOMU_VIRTIO_IRQ0 + dev->slot,
	};
	int rc = vireo_ioreq_latch(dm->v, dm->domid, dm->server, &l, &dev->latch);

	if (rc)
		return rc;
	/* What the transport raised before goes on in the page's word. */
	dm->page->latch[dev->latch] = dev->vm.interrupt_status;
	dev->vm.isr = &dm->page->latch[dev->latch];
	dm->latches |= 1U << dev->latch;
	dm->dirty_latches |= 1U << dev->latch;
	return 0;
}

int dm_attach(struct dm *dm)
{
	int rc;

	dm->v = vireo_open();
	if (!dm->v) {
		fprintf(stderr, "vireo-dm: cannot open %s: %s\n", VIREO_DEVICE,
			strerror(errno));
		return -1;
	}
	if (map_ram(dm) || open_channel(dm) || start_devices(dm))
		return -1;
	dm->page = vireo_ioreq_server_create(dm->v, dm->domid, dm->port,
					     &dm->server, &dm->domu_port, &rc);
	if (!dm->page) {
		fprintf(stderr, "vireo-dm: ioreq server for domain %u: %s\n",
			dm->domid, vireo_strerror(rc));
		return -1;
	}
	rc = vireo_ioreq_map_range(dm->v, dm->domid, dm->server,
				   VIREO_DOMU_VIRTIO_BASE,
				   dm->nr_slots * VIREO_DOMU_VIRTIO_SIZE,
				   VIRTIO_MMIO_QUEUE_NOTIFY, NULL);
	for (unsigned i = 0; !rc && i < dm->nr_devices; i++)
		rc = declare_latch(dm, &dm->devices[i]);
	if (rc) {
		fprintf(stderr, "vireo-dm: ioreq range of domain %u: %s\n",
			dm->domid, vireo_strerror(rc));
		return -1;
	}
	return dm_state_create(dm);
}

void dm_detach(struct dm *dm)
{
	for (unsigned i = 0; i < dm->nr_devices; i++)
		virtio_mmio_destroy(&dm->devices[i].vm);
	if (dm->page && !dm->page_adopted)
		vireo_ioreq_server_destroy(dm->v, dm->domid, dm->server,
					   dm->page);
	if (dm->evtchn_fd >= 0)
		close(dm->evtchn_fd);
	if (dm->state_fd >= 0) {
		close(dm->state_fd);
		dm_state_remove(dm);
	}
	vireo_close(dm->v);
}
