// SPDX-License-Identifier: GPL-2.0
/*
 * Event-channel ping-pong between kernel modules in two domains, through
 * vireo.ko's in-kernel event-channel API (vireo_evtchn.h) on both sides:
 *
 *   DomU:  insmod evtchn_pp.ko role=client       -> "evtchn_pp: client port P"
 *   Dom0:  insmod evtchn_pp.ko role=server domid=D port=P iters=N
 *          -> "evtchn_pp: N round trips in T us, instret I", then fails to
 *             load (by design)
 *
 * The client allocates a port for Dom0 and echoes every event back; the
 * server binds to it and counts round trips. vireo.ko must be loaded first
 * in both domains (the DomU's /init loads it).
 *
 * instret counts what the hart retired in every mode from the first send
 * to the server's wake-up: under -icount on one hart (bench_evtchn.py),
 * both guests and the hypervisor; otherwise QEMU returns host ticks.
 */
#include <linux/completion.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <asm/csr.h>

#include "vireo_evtchn.h"

static char *role = "client";
static uint domid, port, iters = 10000;
module_param(role, charp, 0444);
module_param(domid, uint, 0444);
module_param(port, uint, 0444);
module_param(iters, uint, 0444);

static u32 local_port;
static atomic_t count;
static DECLARE_COMPLETION(done);

static void server_event(u32 p, void *arg)
{
	if (atomic_inc_return(&count) < iters)
		vireo_evtchn_send(p);
	else
		complete(&done);
}

static int server(void)
{
	unsigned long i0;
	int rc;
	u64 t0;

	rc = vireo_evtchn_bind_interdomain(domid, port, server_event, NULL,
					   &local_port);
	if (rc) {
		pr_info("evtchn_pp: bind to %u:%u: error %d\n", domid, port,
			rc);
		return -ENODEV;
	}
	t0 = ktime_get_ns();
	i0 = csr_read(CSR_INSTRET);
	vireo_evtchn_send(local_port);
	if (!wait_for_completion_timeout(&done, 60 * HZ))
		pr_info("evtchn_pp: timeout after %d round trips\n",
			atomic_read(&count));
	else
		pr_info("evtchn_pp: %d round trips in %llu us, instret %lu\n",
			atomic_read(&count), (ktime_get_ns() - t0) / 1000,
			csr_read(CSR_INSTRET) - i0);
	vireo_evtchn_close(local_port);
	local_port = 0;
	return -ENODEV; /* done: unload at once */
}

static void client_event(u32 p, void *arg)
{
	vireo_evtchn_send(p); /* echo */
}

static int __init pp_init(void)
{
	int rc;

	if (!strcmp(role, "server"))
		return server();
	/* The client: wait for the server on a port for Dom0. */
	rc = vireo_evtchn_alloc_unbound(0, client_event, NULL, &local_port);
	if (rc) {
		pr_info("evtchn_pp: alloc_unbound: error %d\n", rc);
		return rc;
	}
	pr_info("evtchn_pp: client port %u\n", local_port);
	return 0;
}

static void __exit pp_exit(void)
{
	if (local_port)
		vireo_evtchn_close(local_port);
}

module_init(pp_init);
module_exit(pp_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Vireo test: event-channel ping-pong between domains");
