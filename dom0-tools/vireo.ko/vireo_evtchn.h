/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo.ko's in-kernel event-channel API (exported, GPL), the same in Dom0
 * and in a DomU. See docs/events.md.
 *
 * A port belongs to the caller from a successful alloc/bind until close.
 * cb(port, arg) runs in hard-interrupt context, once per upcall that found
 * the port pending (several sends before the upcall ran count once), and
 * may call vireo_evtchn_send(). Errors are negative errnos: -EINVAL (bad
 * domain or port), -EACCES (denied), -EBUSY, -EIO (anything else).
 *
 * A module that calls these links against vireo.ko: build it with
 * KBUILD_EXTRA_SYMBOLS=<vireo.ko build dir>/Module.symvers (build/modules.sh
 * does) and load vireo.ko first.
 */
#ifndef VIREO_EVTCHN_H
#define VIREO_EVTCHN_H

#include <linux/types.h>

typedef void (*vireo_evtchn_cb)(u32 port, void *arg);

/* A new port that waits for remote_domid to bind to it. */
int vireo_evtchn_alloc_unbound(u32 remote_domid, vireo_evtchn_cb cb,
			       void *arg, u32 *port);
/* A new port linked to remote_domid's unbound remote_port. */
int vireo_evtchn_bind_interdomain(u32 remote_domid, u32 remote_port,
				  vireo_evtchn_cb cb, void *arg, u32 *port);
/* Pend the peer's port (a no-op while the port is still unbound). */
/* The hypervisor's VIRQ virq (VIREO_VIRQ_*) on a new port, fired to cb. */
int vireo_evtchn_bind_virq(u32 virq, vireo_evtchn_cb cb, void *arg, u32 *port);
int vireo_evtchn_send(u32 port);
/* Close the port; its peer goes back to unbound, waiting for us. Sleeps:
 * once it returns, cb is not running and will not be called again. */
void vireo_evtchn_close(u32 port);

#endif
