/*
 * vireo-dm's loop. One thread: the ioreq channel, backend input and
 * signals are polled together. Each pass over the request page answers
 * every READY slot (a vCPU blocked on a register access) and takes the
 * posted QueueNotify bits; what the pass answered and the interrupt lines
 * it changed go to the hypervisor in one call (dm_flush). The port is
 * unmasked (written back) only after the scan, so an event that arrives
 * during it fires again and is never lost, and before that call.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <linux/virtio_mmio.h>

#include "dm.h"

static struct dm_device *device_at(struct dm *dm, uint64_t addr, uint64_t *off)
{
	uint64_t rel = addr - VIREO_DOMU_VIRTIO_BASE;
	unsigned slot = (unsigned)(rel / VIREO_DOMU_VIRTIO_SIZE);

	if (addr < VIREO_DOMU_VIRTIO_BASE || slot >= dm->nr_slots)
		return NULL;
	*off = rel % VIREO_DOMU_VIRTIO_SIZE;
	return dm->slots[slot];
}

static void serve_slot(struct dm *dm, unsigned vcpu)
{
	volatile struct vireo_ioreq *s = &dm->page->slot[vcpu];
	struct dm_device *dev;
	uint64_t off = 0;

	switch (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE)) {
	case VIREO_IOREQ_READY:
		break;
	case VIREO_IOREQ_RESP:
		/* Answered by a model that died before completing it. */
		dm->done_vcpus |= 1U << vcpu;
		return;
	default:
		return;
	}
	dev = device_at(dm, s->addr, &off);
	if (s->dir == VIREO_IOREQ_READ)
		/* An empty slot reads as no device (MagicValue 0). */
		s->data = dev ? virtio_mmio_read(&dev->vm, off, s->size) : 0;
	else if (dev) {
		virtio_mmio_write(&dev->vm, off, s->size, s->data);
		/* Set-up and reset writes change what recovery needs. */
		if (off < VIRTIO_MMIO_CONFIG && off != VIRTIO_MMIO_INTERRUPT_ACK &&
		    off != VIRTIO_MMIO_QUEUE_NOTIFY)
			dm_state_save(dm, dev);
	}
	__atomic_store_n(&s->state, VIREO_IOREQ_RESP, __ATOMIC_RELEASE);
	dm->done_vcpus |= 1U << vcpu;
}

static void take_notifies(struct dm *dm)
{
	for (unsigned i = 0; i < dm->nr_slots; i++) {
		uint32_t bits = __atomic_exchange_n(&dm->page->notify[i], 0,
						    __ATOMIC_ACQ_REL);
		struct dm_device *dev = dm->slots[i];

		for (unsigned q = 0; bits && dev; q++, bits >>= 1)
			if (bits & 1)
				virtio_mmio_write(&dev->vm,
						  VIRTIO_MMIO_QUEUE_NOTIFY, 4, q);
	}
}

static int channel_event(struct dm *dm)
{
	uint32_t ports[16];
	ssize_t n = read(dm->evtchn_fd, ports, sizeof(ports));

	if (n < 0 && errno != EAGAIN && errno != EINTR)
		return -1;
	/* Scanned even without an event: at start-up, requests may have
	 * been posted while no one was bound to hear them. */
	for (unsigned v = 0; v < VIREO_MAX_VCPUS; v++)
		serve_slot(dm, v);
	take_notifies(dm);
	/*
	 * Unmasked before the completions go: the guest they wake may post
	 * its next request at once, and that must raise a fresh upcall, not
	 * wait pending behind the mask for an unmask hypercall.
	 */
	if (n > 0 && write(dm->evtchn_fd, ports, (size_t)n) != n)
		return -1;
	dm_flush(dm);
	return 0;
}

static int signals_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

int dm_loop(struct dm *dm)
{
	struct pollfd fds[2 + VIREO_DOMU_VIRTIO_SLOTS];
	struct dm_device *owner[2 + VIREO_DOMU_VIRTIO_SLOTS];
	int sfd = signals_fd();

	if (sfd < 0)
		return -1;
	/* Requests posted before we listened. */
	channel_event(dm);
	for (;;) {
		unsigned nfds = 2;

		fds[0] = (struct pollfd){.fd = dm->evtchn_fd, .events = POLLIN};
		fds[1] = (struct pollfd){.fd = sfd, .events = POLLIN};
		for (unsigned i = 0; i < dm->nr_devices; i++) {
			struct dm_device *dev = &dm->devices[i];
			int fd = dev->backend && dev->backend->input_fd
					 ? dev->backend->input_fd(&dev->vm) : -1;
			if (fd < 0)
				continue;
			owner[nfds] = dev;
			fds[nfds++] = (struct pollfd){.fd = fd, .events = POLLIN};
		}
		if (poll(fds, nfds, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("vireo-dm: poll");
			return -1;
		}
		if (fds[1].revents)
			return 0;
		if (fds[0].revents && channel_event(dm)) {
			perror("vireo-dm: event channel");
			return -1;
		}
		for (unsigned i = 2; i < nfds; i++)
			if (fds[i].revents)
				owner[i]->backend->input(&owner[i]->vm);
		dm_flush(dm);
	}
}
