/*
 * vireo-dm: the device model of one DomU (Xen's "device model", one
 * process per guest, started and stopped by vireod).
 *
 *   vireo-dm [--ready-fd N] DOMID SLOT:TYPE[:ARGS] ...
 *   vireo-dm [--ready-fd N] --recover DOMID    (see dm_state.c)
 *
 * It maps the guest's RAM through Dom0's foreign window, creates an ioreq
 * server of the domain with one range over the virtio-mmio slots it
 * serves (slot i at VIREO_DOMU_VIRTIO_BASE + i * 4 KiB, interrupt line
 * VIREO_DOMU_VIRTIO_IRQ0 + i), QueueNotify as the range's posted write and
 * each slot's InterruptStatus/InterruptACK as a status latch, and then
 * loops: requests from the guest's vCPUs and posted QueueNotify writes
 * arrive on one event channel; backend input (taps, ptys) on their file
 * descriptors. Completions and line changes of one pass go to the
 * hypervisor in one call.
 * "ready" is written to fd N once the guest may run.
 */
#ifndef VIREO_DM_H
#define VIREO_DM_H

#include <stdint.h>

#include "guest_mem.h"
#include "libvireo.h"
#include "virtio_backend.h"
#include "virtio_mmio.h"

struct dm_device {
	struct dm *dm;
	unsigned slot;
	uint32_t latch; /* its InterruptStatus: the page's latch[latch] */
	const struct virtio_backend *backend; /* NULL when recovered */
	struct virtio_mmio vm;
	/* A recovered device (dm_state.c): what the dead model had offered. */
	struct virtio_dev_ops failed_ops;
	uint64_t saved_features;
	uint8_t saved_config[256];
};

struct dm {
	uint32_t domid;
	struct vireo *v;
	int evtchn_fd;
	uint32_t port;			/* our end of the ioreq channel */
	uint32_t domu_port;		/* the hypervisor's end, in the DomU */
	uint32_t server;		/* the ioreq server's id */
	struct vireo_ioreq_page *page;
	/* Not yet told to the hypervisor: answered slots (bit = vCPU) and
	 * latches whose word changed (bit = latch); dm_flush() tells it in
	 * one call. latches: those declared. */
	uint32_t done_vcpus, dirty_latches, latches;
	int page_adopted;		/* recovered: the server is not ours */
	int state_fd;			/* dm_state.c's file, -1 if none */
	struct guest_mem mem;		/* 1:1 if mem.direct, else the window */
	void *ram_window;		/* the RAM through the window */
	unsigned nr_slots;		/* the ioreq range covers 0..nr_slots-1 */
	struct dm_device *slots[VIREO_DOMU_VIRTIO_SLOTS];
	unsigned nr_devices;
	struct dm_device devices[VIREO_DOMU_VIRTIO_SLOTS];
};

/* dm_setup.c */
void dm_set_irq(void *opaque, bool level);
/* Complete the answered requests and sync the changed latches: one call. */
void dm_flush(struct dm *dm);
int dm_parse_device(struct dm *dm, const char *spec);
int dm_attach(struct dm *dm);
void dm_map_direct(struct dm *dm);
void dm_detach(struct dm *dm);

/* dm_state.c: the state a replacement model recovers from */
int dm_state_create(struct dm *dm);
void dm_state_save(struct dm *dm, struct dm_device *dev);
void dm_state_remove(struct dm *dm);
/* Take over from a dead model: its devices now fail every request. */
int dm_recover(struct dm *dm);

/* dm_loop.c: serve until SIGTERM/SIGINT or a fatal error; 0 on a clean stop. */
int dm_loop(struct dm *dm);

#endif
