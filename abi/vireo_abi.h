/*
 * Vireo hypercall ABI, shared by the hypervisor and Dom0 (vireo.ko,
 * libvireo). A hypercall is an SBI call from VS-mode:
 *
 *   a7 = VIREO_SBI_EXT, a6 = function (VIREO_HC_*), a0..a5 = arguments
 *   returns a0 = error (SBI_ERR_*, 0 on success), a1 = value
 *
 * Structured arguments are passed by guest-physical address and must not
 * cross a page boundary. The hypervisor copies them in, checks every field,
 * and only then acts: a call that fails changed nothing.
 *
 * Rules, as in Xen's public headers: fixed-width types, explicit padding
 * (which must be zero), function numbers are never reused (retired ones stay
 * here as comments), and VIREO_INTERFACE_VERSION changes with every change.
 * This header compiles alone as C99 for the kernel and for Dom0 userspace.
 */
#ifndef VIREO_ABI_H
#define VIREO_ABI_H

#include <stdint.h>

/* SBI extension ID, in the experimental range 0x08000000-0x08FFFFFF. */
#define VIREO_SBI_EXT 0x0856524FUL /* "\x08VRO" */

/* major << 16 | minor: a major change breaks old callers. */
#define VIREO_INTERFACE_VERSION 0x00020003U /* 2.3: nr_online_vcpus */

/* Function numbers (a6). Dom0-only calls return SBI_ERR_DENIED elsewhere. */
#define VIREO_HC_VERSION 0          /* value = VIREO_INTERFACE_VERSION */
#define VIREO_HC_PHYSINFO 1         /* Dom0: a0 = gpa of vireo_physinfo (out) */
#define VIREO_HC_DOMAIN_CREATE 2    /* Dom0: a0 = gpa of vireo_domain_create */
/* Dom0: a0 = domid; value VIREO_DESTROY_MORE: memory remains to be freed,
 * call again (the domain is dying meanwhile); 0: the domain is gone;
 * VIREO_DESTROY_QUARANTINED: gone but for its memory, which Dom0 mapped
 * 1:1 (FOREIGN_MAP_DIRECT) and which stays held until FOREIGN_RELEASE. */
#define VIREO_HC_DOMAIN_DESTROY 3
#define VIREO_DESTROY_MORE 1
#define VIREO_DESTROY_QUARANTINED 2
#define VIREO_HC_DOMAIN_PAUSE 4     /* Dom0: a0 = domid */
#define VIREO_HC_DOMAIN_UNPAUSE 5   /* Dom0: a0 = domid */
#define VIREO_HC_DOMAIN_GETINFO 6   /* Dom0: a0 = domid, a1 = gpa of vireo_domain_info */
#define VIREO_HC_DOMAIN_LIST 7      /* Dom0: a0 = gpa of uint32_t[], a1 = max; value = count */
#define VIREO_HC_MEMORY_POPULATE 8  /* Dom0: a0 = domid, a1 = gpa, a2 = bytes */
#define VIREO_HC_VCPU_SET_ENTRY 9   /* Dom0: a0 = domid, a1 = vcpu, a2 = pc, a3 = arg0, a4 = arg1 */
#define VIREO_HC_FOREIGN_MAP 10     /* Dom0: a0 = domid, a1 = gpa, a2 = bytes, a3 = window offset */
#define VIREO_HC_FOREIGN_UNMAP 11   /* Dom0: a0 = window offset, a1 = bytes */
#define VIREO_HC_CONSOLE_READ 12    /* Dom0: a0 = domid, a1 = gpa of buffer, a2 = len; value = bytes */
#define VIREO_HC_CONSOLE_WRITE 13   /* Dom0: a0 = domid, a1 = gpa of buffer, a2 = len; value = bytes */
#define VIREO_HC_LOG_READ 14        /* Dom0: a0 = offset, a1 = gpa of buffer, a2 = len; value = bytes */
/* 15 was VIRQ_ACK (interface 1.x): Dom0 hears of state changes and console
 * output on event-channel VIRQs now (VIREO_VIRQ_DOM_EXC, VIREO_VIRQ_CONSOLE). */
#define VIREO_HC_DOMAIN_CONTROL 16  /* Dom0: a0 = domid, a1 = VIREO_CONTROL_*: ask the guest agent */
/* Event channels: open to every domain (errors as SBI codes). */
#define VIREO_HC_EVTCHN_INIT 17     /* a0 = gpa of the page (struct vireo_evtchn_shared), 0 = none */
#define VIREO_HC_EVTCHN_ALLOC_UNBOUND 18 /* a0 = remote domid; value = port */
#define VIREO_HC_EVTCHN_BIND_INTERDOMAIN 19 /* a0 = remote domid, a1 = remote port; value = port */
#define VIREO_HC_EVTCHN_BIND_VIRQ 20 /* a0 = virq; value = port */
#define VIREO_HC_EVTCHN_SEND 21     /* a0 = port */
#define VIREO_HC_EVTCHN_UNMASK 22   /* a0 = port */
#define VIREO_HC_EVTCHN_CLOSE 23    /* a0 = port */
/*
 * 24..28 were interface 1.x's one server per domain: IOREQ_SERVER_CREATE
 * (24), IOREQ_COMPLETE (25), IOREQ_SERVER_DESTROY (26), IRQ_SET_LEVEL (27),
 * IOREQ_ISR_SYNC (28). Retired in 2.0 for the IOREQ_* calls from 32 on.
 */
/* Dom0: a0 = domid, a1 = VIREO_TRIGGER_* (xl trigger) */
#define VIREO_HC_DOMAIN_TRIGGER 29
/*
 * Dom0: a0 = domid, a1 = gpa, a2 = bytes (page-aligned, populated RAM),
 * a3 = gpa of struct vireo_extent[a4] (out, within one page). Maps the
 * frames behind the range into Dom0 at guest-physical = host-physical
 * (inside Dom0's /reserved-memory "vireo-pool" node, so Dom0's kernel has
 * struct pages for them and can pin them for DMA), writes the extents and
 * returns value = the bytes from gpa they cover (the whole range, or less
 * when a4 extents were not enough: call again for the rest). The frames
 * stay mapped until FOREIGN_RELEASE or the domain's destruction.
 */
#define VIREO_HC_FOREIGN_MAP_DIRECT 30
/*
 * Dom0: a0 = domid. Dom0 holds no reference (pin, DMA) on the domain's
 * frames any more: a live domain's 1:1 mappings go; a destroyed domain's
 * quarantined memory is scrubbed and freed, value VIREO_DESTROY_MORE while
 * some remains (call again), as DOMAIN_DESTROY.
 */
#define VIREO_HC_FOREIGN_RELEASE 31
/*
 * Device models: ioreq servers, as Xen's dm_op, Dom0 only. A domain has up
 * to VIREO_IOREQ_MAX_SERVERS servers, each with its request page (struct
 * vireo_ioreq_page, below) in Dom0's foreign window, its event channel and
 * its own MMIO ranges; no range overlaps another server's, RAM or a device
 * the hypervisor emulates.
 *
 * IOREQ_CREATE: a0 = domid, a1 = gpa of struct vireo_ioreq_server (in/out):
 * a server with its page at window offset page_off, signalling Dom0's port
 * dom0_port (unbound, waiting for domid). Out: its id, and domu_port, the
 * domain's end of the channel, which a successor model can bind to.
 */
#define VIREO_HC_IOREQ_CREATE 32
/*
 * IOREQ_MAP_RANGE: a0 = domid, a1 = server, a2 = base, a3 = size (both
 * page-aligned), a4 = posted-notify offset within each page of the range
 * (0 = none, else 4-byte aligned): see notify[] below. value = the index in
 * notify[] of the range's first page (0 when a4 = 0).
 */
#define VIREO_HC_IOREQ_MAP_RANGE 33
/* a0 = domid, a1 = server, a2 = base, a3 = size: a range mapped before,
 * exactly; its latches go with it (their lines lowered). */
#define VIREO_HC_IOREQ_UNMAP_RANGE 34
/* a0 = domid, a1 = server, a2 = gpa of struct vireo_ioreq_latch: declare a
 * status latch; value = its index in latch[]. */
#define VIREO_HC_IOREQ_LATCH 35
/*
 * IOREQ_COMPLETE: a0 = domid, a1 = server, a2 = vCPU mask (bit i: vCPU i's
 * slot holds its response, state RESP; each must be waiting on this
 * server), a3 = latch mask (bit i: latch[i] changed, its line follows it
 * again). One call for a batch: every bit is checked before any acts.
 */
#define VIREO_HC_IOREQ_COMPLETE 36
/* a0 = domid, a1 = server: its accesses in flight fail (reads return all
 * ones), its ranges are no device, its latches' lines fall. */
#define VIREO_HC_IOREQ_DESTROY 37
/*
 * Scheduling, Dom0 only (xl's vcpu-list, vcpu-pin, sched-credit).
 *
 * VCPU_INFO: a0 = domid, a1 = gpa of struct vireo_vcpu_info[a2] (out,
 * within one page); value = the domain's vCPU count (min(a2, count)
 * entries filled).
 */
#define VIREO_HC_VCPU_INFO 38
/*
 * VCPU_AFFINITY: a0 = domid, a1 = vCPU, a2 = hard mask, a3 = soft mask
 * (bit h: hart h), a4 = which to set (VIREO_AFFINITY_HARD | _SOFT). A mask
 * set must be non-empty and name only harts that exist and run vCPUs; a
 * vCPU whose hart leaves its hard mask moves (it keeps running).
 */
#define VIREO_HC_VCPU_AFFINITY 39
/* SCHED_CREDIT: a0 = domid, a1 = gpa of struct vireo_sched_credit (in/out),
 * a2 = VIREO_SCHED_SET_* (0: only read). Out: the values now in force. */
#define VIREO_HC_SCHED_CREDIT 40
/* SCHED_CREDIT_PARAMS: a0 = a credit cpupool's id, a1 = gpa of struct
 * vireo_sched_credit_params (in/out), a2 = VIREO_SCHED_SET_PARAMS or 0. */
#define VIREO_HC_SCHED_CREDIT_PARAMS 41
/*
 * CPUPOOL_OP: a0 = VIREO_CPUPOOL_*, a1 = gpa of struct vireo_cpupool
 * (in/out), a2 = hart (CPU_ADD / CPU_REMOVE) or domid (MIGRATE). Dom0
 * only. Harts are partitioned into pools, each with its own scheduler;
 * Pool-0 (id 0) holds Dom0 and the boot hart, is created at boot and can
 * never be destroyed. A domain belongs to one pool.
 *   CREATE:  in name, sched; out id (the pool starts with no hart)
 *   DESTROY: in id; it must hold no hart and no domain
 *   INFO:    in id; out the pool with the smallest id >= it (list them
 *            all by asking again with id + 1); INVALID_PARAM if none
 *   CPU_ADD: in id; a2 = a hart in no pool (free)
 *   CPU_REMOVE: in id; a2 = one of its harts, which becomes free; refused
 *            if a vCPU could then run nowhere (its pool's last hart, or
 *            the hard affinity of a vCPU left without one) or it is the
 *            boot hart of Pool-0; the vCPUs there move to the pool's others
 *   MIGRATE: in id; a2 = domid: the domain's vCPUs move to the pool's
 *            harts (their affinity is reset to all); refused for Dom0
 * A null pool gives each vCPU a hart of its own: CPU_REMOVE, MIGRATE and
 * DOMAIN_CREATE into it are refused (INVALID_PARAM, with
 * value = VIREO_CPUPOOL_ERR_FULL) when a vCPU would have to share a hart.
 */
#define VIREO_HC_CPUPOOL_OP 42
#define VIREO_HC_MAX 42
/* Calls EVTCHN_INIT..EVTCHN_CLOSE: any domain; all others Dom0 only. */
#define VIREO_HC_FIRST_OPEN VIREO_HC_EVTCHN_INIT
#define VIREO_HC_LAST_OPEN VIREO_HC_EVTCHN_CLOSE

/* Dom0 VIRQs (bind with EVTCHN_BIND_VIRQ) */
/* 1 was VIREO_VIRQ_IOREQ (interface 1.4): each server has its own port now. */
/* Xen's numbers. Raised in Dom0 only; nobody bound: the event is dropped. */
#define VIREO_VIRQ_CONSOLE 2 /* a DomU's console ring has output to drain */
#define VIREO_VIRQ_DOM_EXC 3 /* a domain shut down, crashed or suspended */

/* Guest-physical layout of a DomU (mirrors QEMU virt). */
#define VIREO_DOMU_PLIC_BASE 0x0c000000UL
#define VIREO_DOMU_PLIC_SIZE 0x00600000UL
#define VIREO_DOMU_UART_BASE 0x10000000UL
#define VIREO_DOMU_UART_IRQ 10
#define VIREO_DOMU_PVPANIC_BASE 0x10100000UL /* qemu,pvpanic-mmio */
#define VIREO_DOMU_PVPANIC_SIZE 0x2UL
#define VIREO_DOMU_CONTROL_BASE 0x10200000UL /* vireo,domu-control */
#define VIREO_DOMU_CONTROL_SIZE 0x1000UL
#define VIREO_DOMU_CONTROL_IRQ 5
#define VIREO_DOMU_EVTCHN_IRQ 6 /* event-channel upcall line */
#define VIREO_DOM0_EVTCHN_IRQ 49 /* Dom0's upcall line */
#define VIREO_DOMU_VIRTIO_BASE 0x10001000UL /* slot i at + i * SIZE */
#define VIREO_DOMU_VIRTIO_SIZE 0x1000UL
#define VIREO_DOMU_VIRTIO_SLOTS 8
#define VIREO_DOMU_VIRTIO_IRQ0 11 /* slot i interrupts on line IRQ0 + i */
#define VIREO_DOMU_RAM_BASE 0x80000000UL
#define VIREO_DOMU_PLIC_NDEV 31
/* Lines a device model may drive (IOREQ_LATCH): every line above the
 * hypervisor's own devices'. */
#define VIREO_DOMU_DM_IRQ_FIRST VIREO_DOMU_VIRTIO_IRQ0
#define VIREO_DOMU_DM_IRQ_LAST VIREO_DOMU_PLIC_NDEV

/*
 * The DomU control device (for the guest agent, through Linux's
 * uio_pdrv_genirq): 32-bit registers.
 *   0x0 COMMAND  read: the pending VIREO_CONTROL_* (0 = none);
 *                write anything: acknowledge, lowering the interrupt
 *   0x4 MAGIC    reads VIREO_CONTROL_MAGIC
 */
#define VIREO_CONTROL_REG_COMMAND 0x0
#define VIREO_CONTROL_REG_MAGIC 0x4
#define VIREO_CONTROL_MAGIC 0x56524354U /* "VRCT" */
#define VIREO_CONTROL_NONE 0
#define VIREO_CONTROL_POWEROFF 1
#define VIREO_CONTROL_REBOOT 2
/* xl vcpu-set: bits 8..15 hold how many vCPUs should be online (1 to the
 * domain's vCPU count); the agent onlines vCPUs below that and offlines
 * the others (Linux CPU hotplug, which SBI HSM carries out). */
#define VIREO_CONTROL_SET_VCPUS 3
#define VIREO_CONTROL_CODE(c) ((c) & 0xffU)
#define VIREO_CONTROL_ARG(c) (((c) >> 8) & 0xffU)
#define VIREO_CONTROL_MAKE(code, arg) ((uint32_t)(code) | ((uint32_t)(arg) << 8))

/* FOREIGN_MAP_DIRECT's output: a run of guest frames, host-contiguous. */
struct vireo_extent {
	uint64_t gpa;  /* the DomU's guest-physical address */
	uint64_t hpa;  /* host-physical, = Dom0's guest-physical */
	uint64_t size; /* bytes, a multiple of 4 KiB */
};

/*
 * Event channels: the page a domain registers with EVTCHN_INIT. Bit p of
 * pending is set by the hypervisor when port p is signalled; the guest
 * clears it. Bit p of mask, set by the guest, holds back the upcall (a
 * vPLIC interrupt on the domain's event-channel line, edge-like: raised
 * when an unmasked port goes from clear to pending).
 */
#define VIREO_EVTCHN_PORTS 256
struct vireo_evtchn_shared {
	uint64_t pending[VIREO_EVTCHN_PORTS / 64];
	uint64_t mask[VIREO_EVTCHN_PORTS / 64];
};

/*
 * ioreq: a DomU access to a device model's MMIO range. The hypervisor
 * fills the slot of the accessing vCPU (state READY), signals the server's
 * event channel and blocks the vCPU; the device model performs the
 * access, puts a read's value in data, sets state RESP and calls
 * IOREQ_COMPLETE. The page (struct vireo_ioreq_page) lives in Dom0's
 * foreign window.
 */
#define VIREO_MAX_VCPUS 8

#define VIREO_IOREQ_NONE 0
#define VIREO_IOREQ_READY 1
#define VIREO_IOREQ_RESP 3
#define VIREO_IOREQ_READ 0
#define VIREO_IOREQ_WRITE 1
struct vireo_ioreq {
	uint64_t addr;  /* guest-physical */
	uint64_t data;  /* write: value; read: response */
	uint32_t size;  /* 1, 2, 4 or 8 */
	uint32_t dir;   /* VIREO_IOREQ_READ / _WRITE */
	uint32_t state; /* VIREO_IOREQ_* */
	uint32_t vcpu;
};

/*
 * Posted writes (virtio's QueueNotify): a 4-byte store of a value v < 32 at
 * the range's notify offset of its page j does not block the vCPU; the
 * hypervisor sets bit v of notify[first + j] (first: what MAP_RANGE
 * returned) and signals the event channel. The device model takes the
 * bits with an atomic exchange.
 */
#define VIREO_IOREQ_NOTIFY_PAGES 64
#define VIREO_IOREQ_MAX_SERVERS 4
#define VIREO_IOREQ_MAX_RANGES 8
/*
 * Status latches: interrupt-status words the hypervisor serves for the
 * guest without waking the device model, which declares them (IOREQ_LATCH)
 * and knows what they mean; the hypervisor does not. latch[i] holds the
 * value; line is raised while it is non-zero. A load of width bytes at
 * read_addr returns it (and clears it with VIREO_LATCH_F_READ_CLEARS); a
 * store of width bytes at clear_addr clears the bits stored (write 1 to
 * clear). An address of 0 is not served. Both lie in a range of the
 * server, width-aligned; other accesses there go to the device model (a
 * posted write at the same address is taken as a posted write). The
 * guest can only read and clear; the model sets bits (atomic OR) and then
 * names the latch in IOREQ_COMPLETE's latch mask. One latch per line;
 * lines are the device models' (VIREO_DOMU_DM_IRQ_FIRST..LAST). A latch
 * that goes (UNMAP_RANGE, DESTROY) leaves its word zero. Notify words of
 * an unmapped range are not handed out again.
 */
#define VIREO_IOREQ_MAX_LATCHES 16
#define VIREO_LATCH_F_READ_CLEARS (1U << 0)
struct vireo_ioreq_latch {
	uint64_t read_addr;
	uint64_t clear_addr;
	uint32_t width; /* 1, 2 or 4 */
	uint32_t line;
	uint32_t flags; /* VIREO_LATCH_F_* */
	uint32_t _pad;
};
struct vireo_ioreq_server {
	uint64_t page_off;  /* window offset of the request page */
	uint32_t dom0_port;
	uint32_t id;        /* out */
	uint32_t domu_port; /* out */
	uint32_t _pad;
};
struct vireo_ioreq_page {
	struct vireo_ioreq slot[VIREO_MAX_VCPUS];
	uint32_t notify[VIREO_IOREQ_NOTIFY_PAGES];
	uint32_t latch[VIREO_IOREQ_MAX_LATCHES];
};
#define VIREO_MAX_DOMAINS 16

struct vireo_physinfo {
	uint32_t nr_cpus;
	uint32_t timebase_hz;
	uint64_t total_pages;  /* host RAM, 4 KiB pages */
	uint64_t free_pages;   /* free pool */
	uint64_t pool_pages;   /* free pool size */
	uint64_t heap_used;    /* hypervisor heap pages in use */
	uint64_t heap_pages;   /* hypervisor heap size */
	uint64_t log_head;     /* bytes ever written to the hypervisor log */
	uint64_t log_size;     /* its ring: offsets below head - size are gone */
};

struct vireo_domain_create {
	uint32_t domid;     /* out */
	uint32_t nr_vcpus;  /* 1..VIREO_MAX_VCPUS */
	uint64_t ram_bytes; /* RAM window at VIREO_DOMU_RAM_BASE, 2 MiB multiple */
	uint32_t flags;     /* VIREO_CREATE_F_*; other bits must be 0 */
	uint32_t pool;      /* cpupool id (xl.cfg pool=); 0 = Pool-0 */
	/*
	 * What SBI BASE reports to the guest as its harts' mvendorid, marchid
	 * and mimpid (xl.cfg keys of ours), each with its flag; a value
	 * without its flag must be 0, and the guest sees the host hart's.
	 */
	uint64_t mvendorid, marchid, mimpid;
};
#define VIREO_CREATE_F_MVENDORID (1U << 0)
#define VIREO_CREATE_F_MARCHID (1U << 1)
#define VIREO_CREATE_F_MIMPID (1U << 2)
#define VIREO_CREATE_F_ALL 0x7U

/* VIREO_HC_DOMAIN_TRIGGER events */
/* A domain suspended to RAM (VIREO_SHUTDOWN_SUSPEND) resumes at the
 * address it gave SBI SUSP, as xl's s3resume. */
#define VIREO_TRIGGER_S3RESUME 1

/* vireo_domain_info.state bits, as xl's state letters */
#define VIREO_DOMSTATE_RUNNING (1U << 0)  /* r: a vCPU is on a hart */
#define VIREO_DOMSTATE_BLOCKED (1U << 1)  /* b */
#define VIREO_DOMSTATE_PAUSED (1U << 2)   /* p */
#define VIREO_DOMSTATE_SHUTDOWN (1U << 3) /* s: see shutdown_reason */
#define VIREO_DOMSTATE_CRASHED (1U << 4)  /* c */
#define VIREO_DOMSTATE_DYING (1U << 5)    /* d */

#define VIREO_SHUTDOWN_NONE 0
#define VIREO_SHUTDOWN_POWEROFF 1
#define VIREO_SHUTDOWN_REBOOT 2
#define VIREO_SHUTDOWN_CRASH 3
/* SBI SUSP system_suspend: its vCPUs are stopped; not an ending (no
 * on_* action), VIREO_TRIGGER_S3RESUME resumes it. */
#define VIREO_SHUTDOWN_SUSPEND 4

struct vireo_domain_info {
	uint32_t domid;
	uint32_t state;           /* VIREO_DOMSTATE_* */
	uint32_t shutdown_reason; /* VIREO_SHUTDOWN_* */
	uint32_t nr_vcpus;
	uint64_t ram_bytes;       /* RAM window */
	uint64_t mem_pages;       /* pages populated */
	uint64_t cpu_time_ns;     /* summed over vCPUs */
	uint32_t pool;            /* its cpupool's id */
	uint32_t nr_online_vcpus; /* started (SBI HSM), not stopped (2.3) */
};

/* vireo_vcpu_info.state bits */
#define VIREO_VCPUSTATE_ONLINE (1U << 0)  /* started (SBI HSM), not stopped */
#define VIREO_VCPUSTATE_RUNNING (1U << 1) /* in the guest on a hart now */
#define VIREO_VCPUSTATE_BLOCKED (1U << 2) /* waiting (WFI, a device model) */
#define VIREO_HART_NONE 0xffffffffU

struct vireo_vcpu_info {
	uint32_t vcpu;
	uint32_t hart;     /* the hart it is homed on; VIREO_HART_NONE: none */
	uint32_t state;    /* VIREO_VCPUSTATE_* */
	uint32_t pad;
	uint64_t cpu_time_ns;
	uint64_t hard_affinity; /* bit h: may run on hart h */
	uint64_t soft_affinity; /* bit h: prefers hart h */
};

#define VIREO_AFFINITY_HARD (1U << 0)
#define VIREO_AFFINITY_SOFT (1U << 1)

/* Credit scheduler, per domain (Xen's credit1: weight 1..65535, default
 * 256; cap in % of one hart, 0 = none, at most 100 x the vCPU count). */
#define VIREO_SCHED_SET_WEIGHT (1U << 0)
#define VIREO_SCHED_SET_CAP (1U << 1)
#define VIREO_SCHED_SET_PARAMS (1U << 2)
#define VIREO_SCHED_WEIGHT_DEFAULT 256
#define VIREO_SCHED_WEIGHT_MAX 65535

struct vireo_sched_credit {
	uint32_t weight;
	uint32_t cap;
};

/* Credit scheduler, per cpupool: the time slice (1..1000 ms, default 30),
 * the rate limit (0 = none, else 100..500000 us and at most the slice,
 * default 1000 us); the accounting tick (10 ms) is read-only. */
struct vireo_sched_credit_params {
	uint32_t tslice_us;
	uint32_t ratelimit_us;
	uint32_t tick_us;
	uint32_t pad;
};

/* CPUPOOL_OP operations */
#define VIREO_CPUPOOL_CREATE 0
#define VIREO_CPUPOOL_DESTROY 1
#define VIREO_CPUPOOL_INFO 2
#define VIREO_CPUPOOL_CPU_ADD 3
#define VIREO_CPUPOOL_CPU_REMOVE 4
#define VIREO_CPUPOOL_MIGRATE 5
/* Schedulers a pool can run */
#define VIREO_SCHED_CREDIT 0 /* Xen's credit: weights, caps, balancing */
#define VIREO_SCHED_NULL 1   /* one vCPU per hart, never preempted */
#define VIREO_CPUPOOL_MAX 8
#define VIREO_CPUPOOL_NAME_LEN 32
/* value of a refused CPUPOOL_OP or DOMAIN_CREATE: a null pool is full */
#define VIREO_CPUPOOL_ERR_FULL 1

struct vireo_cpupool {
	uint32_t id;
	uint32_t sched;        /* VIREO_SCHED_* */
	uint64_t harts;        /* out: bit h: hart h is in the pool */
	uint32_t nr_domains;   /* out */
	uint32_t pad;
	char name[VIREO_CPUPOOL_NAME_LEN]; /* NUL-terminated, unique */
};

#endif
