/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/vireo, Dom0's interface to the Vireo hypervisor (vireo.ko).
 * Usable from userspace and from the module: fixed-width types only.
 *
 *   ioctl(fd, VIREO_IOCTL_HYPERCALL, &hc)
 *	one hypercall (abi/vireo_abi.h). Needs CAP_SYS_ADMIN. If buf_arg is
 *	0..5, buf_len bytes at buf are staged in a page-aligned kernel page
 *	(VIREO_BUF_IN copies them in first; the page is zeroed otherwise),
 *	arg[buf_arg] is replaced by the page's guest-physical address, and
 *	VIREO_BUF_OUT copies buf_len bytes back after the call, whatever its
 *	result. ret_error/ret_value are the SBI a0/a1. The ioctl itself fails
 *	only with EFAULT, EINVAL, EPERM (or ENOMEM).
 *
 *   mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off)
 *	the foreign-mapping window: off is a byte offset inside the window,
 *	page aligned; off + len must stay inside it. Needs CAP_SYS_ADMIN.
 *
 *   ioctl(fd, VIREO_IOCTL_MAP_DIRECT, &md)
 *	map a DomU's RAM [gpa, gpa+size) 1:1 (FOREIGN_MAP_DIRECT): the frames
 *	get struct pages in Dom0, so an mmap of them can be pinned, and
 *	O_DIRECT I/O reaches guest memory without a bounce buffer. Returns
 *	in offset the mmap offset of the mapping (MAP_SHARED, its whole size
 *	or part). Needs CAP_SYS_ADMIN. ENXIO: the hypervisor gives Dom0 no
 *	struct pages for its pool (then use the window). The frames stay
 *	mapped until this file is closed and every mmap of them is gone, and
 *	no pin is left: only then does vireo.ko give them back
 *	(FOREIGN_RELEASE), which is what lets a destroyed domain's memory be
 *	freed. The raw hypercall ioctl refuses FOREIGN_MAP_DIRECT and
 *	FOREIGN_RELEASE.
 *
 *   read(fd, &mask, 8), poll(POLLIN)
 *	what the hypervisor's VIRQs said (VIREO_EVENT_*): read returns the
 *	__u64 mask of events accumulated since the last read and clears it
 *	(blocks unless O_NONBLOCK); poll reports POLLIN while it is non-zero.
 */
#ifndef VIREO_IOCTL_H
#define VIREO_IOCTL_H

#include <linux/ioctl.h>

/* /dev/vireo read mask bits: VIREO_VIRQ_DOM_EXC and VIREO_VIRQ_CONSOLE. */
#define VIREO_EVENT_STATE	(1U << 0)	/* a domain changed state */
#define VIREO_EVENT_CONSOLE	(1U << 1)	/* a DomU wrote to its console */
#include <linux/types.h>

#define VIREO_DEVICE		"/dev/vireo"

#define VIREO_BUF_NONE		0xffffffffU	/* buf_arg: no buffer */
#define VIREO_BUF_IN		(1U << 0)	/* copy buf to the hypervisor */
#define VIREO_BUF_OUT		(1U << 1)	/* copy the result back to buf */
#define VIREO_BUF_MAX		4096U		/* buf_len limit: one page */

struct vireo_ioctl_hypercall {
	__u32 fid;		/* VIREO_HC_*, passed in a6 */
	__u32 buf_arg;		/* 0..5: arg[] that gets buf's address */
	__u64 arg[6];		/* a0..a5 */
	__u64 buf;		/* user pointer */
	__u32 buf_len;		/* <= VIREO_BUF_MAX */
	__u32 flags;		/* VIREO_BUF_IN | VIREO_BUF_OUT */
	__s64 ret_error;	/* out: SBI error (a0), 0 on success */
	__s64 ret_value;	/* out: SBI value (a1) */
};

#define VIREO_IOCTL_HYPERCALL	_IOWR('V', 0, struct vireo_ioctl_hypercall)

struct vireo_ioctl_map_direct {
	__u32 domid;
	__u32 pad;		/* 0 */
	__u64 gpa;		/* page aligned */
	__u64 size;		/* page aligned, populated */
	__u64 offset;		/* out: for mmap() */
};

#define VIREO_IOCTL_MAP_DIRECT	_IOWR('V', 1, struct vireo_ioctl_map_direct)

/*
 * /dev/vireo_evtchn: event channels for Dom0 userspace (backends).
 * A port bound through a file belongs to it and is closed with it.
 *   ioctl BIND_INTERDOMAIN / ALLOC_UNBOUND: fill domid (and remote_port),
 *	get port back; NOTIFY / UNBIND: port.
 *   read(): __u32 port numbers that fired; each is masked until written
 *	back: write() of __u32 ports unmasks them (Xen's evtchn device).
 */
#define VIREO_EVTCHN_DEVICE	"/dev/vireo_evtchn"

struct vireo_evtchn_ioctl {
	__u32 domid;		/* remote domain */
	__u32 remote_port;	/* BIND_INTERDOMAIN */
	__u32 port;		/* out: the local port; in: NOTIFY/UNBIND */
	__u32 _pad;
};

#define VIREO_EVTCHN_BIND_INTERDOMAIN _IOWR('E', 0, struct vireo_evtchn_ioctl)
#define VIREO_EVTCHN_ALLOC_UNBOUND    _IOWR('E', 1, struct vireo_evtchn_ioctl)
#define VIREO_EVTCHN_NOTIFY           _IOW('E', 2, struct vireo_evtchn_ioctl)
#define VIREO_EVTCHN_UNBIND           _IOW('E', 3, struct vireo_evtchn_ioctl)
/* domid holds the VIRQ number (VIREO_VIRQ_*) */
#define VIREO_EVTCHN_BIND_VIRQ        _IOWR('E', 4, struct vireo_evtchn_ioctl)

#endif
