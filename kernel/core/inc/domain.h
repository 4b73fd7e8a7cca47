/*
 * Domains: a G-stage address space, vCPUs, a vPLIC and a console.
 *
 * Lifetime. domains[] holds one reference to each domain; domain_get()
 * takes another for the length of one operation and refuses a dying
 * domain, so once DOMAIN_DESTROY has marked a domain dying its count only
 * falls. Destroy (domctl.c) is two-phase:
 *   1. mark dying; take every vCPU off its hart (a vCPU whose hart is
 *      still inside one of its traps is never reaped: sched_reap()); wait
 *      for the other references to go; revoke channels, the ioreq server
 *      and Dom0's foreign mappings;
 *   2. scrub and free its memory, a bounded chunk per call, then free the
 *      domain itself. Until then DOMAIN_DESTROY returns success with
 *      VIREO_DESTROY_MORE and the caller calls again.
 * Nothing the domain owns is freed while a reference or a trap holds it.
 *
 * Lock order (take left before right, never the other way):
 *   domctl_spin -> domains_lock -> d->ioreq_lock -> evtchn_lock
 *     -> d->vuart_lock -> vplic.lock -> pcpu rq_lock -> page pool locks
 *   fmap_lock (memory.c) sits beside d->ioreq_lock, under domctl_spin.
 * domctl_spin serialises Dom0's control operations (create, destroy,
 * pause, populate, map). It is never taken by a DomU, nor by Dom0's data
 * path (ioreq completion, ISR sync, IRQ level, console read/write), which
 * hold a reference and the domain's own locks instead, so that a long
 * destroy does not stall another domain's I/O. domains_lock only guards
 * the table and the dying/reference handshake.
 */
#ifndef VIREO_DOMAIN_H
#define VIREO_DOMAIN_H

#include "iodev.h"
#include "p2m.h"
#include "spinlock.h"
#include "types.h"
#include "vcpu.h"
#include "vireo_abi.h"
#include "virqc.h"
#include "vuart.h"

#define MAX_DOMAINS 16
#define MAX_VCPUS 8
#define DOMAIN_NAME_LEN 32
/*
 * A DomU's console ring (domain.c explains the size and when Dom0 is told).
 * The vUART reads as busy once fewer than CONSOLE_RING_SLACK bytes are
 * free: a driver that checked THRE may still write its FIFO's worth (16).
 */
#define CONSOLE_RING_ORDER 2
#define CONSOLE_RING_SIZE (PAGE_SIZE << CONSOLE_RING_ORDER)
#define CONSOLE_RING_SLACK 64

struct evtchn_domain;
struct ioreq_server;

struct domain {
	unsigned id;
	unsigned slot; /* index in domains[]; the VMID is slot + 1 */
	char name[DOMAIN_NAME_LEN];
	bool is_dom0;
	uint32_t own_machine_ids;       /* VIREO_CREATE_F_MVENDORID... */
	unsigned long machine_ids[3];   /* ... what SBI BASE then reports */
	unsigned suspend_vcpu;          /* SBI SUSP: its caller resumes at */
	unsigned long suspend_pc, suspend_opaque; /* ... pc, with a1 */
	volatile bool user_paused;       /* vl pause */
	volatile bool dying;             /* being destroyed: no new references */
	uint32_t refcnt;                 /* domains[]'s, plus domain_get()s */
	bool torn_down;                  /* destroy phase 1 done */
	bool direct_mapped;              /* Dom0 maps its frames 1:1 */
	bool quarantined;                /* destroyed, frames held for Dom0 */
	gpa_t relinquish_at;             /* destroy phase 2: next RAM to free */
	volatile uint32_t shutdown_reason; /* VIREO_SHUTDOWN_*: stopped */
	uint64_t mem_pages;              /* RAM pages populated */
	uint32_t sched_weight, sched_cap; /* credit: share, % of a hart */
	struct cpupool *volatile pool;   /* its cpupool (cpupool.h) */
	volatile uint32_t control_cmd;   /* pending VIREO_CONTROL_* for the agent */
	struct evtchn_domain *evtchn;    /* its ports (evtchn.c) */
	unsigned evtchn_irq;             /* vPLIC line of the upcall */
	spinlock_t ioreq_lock;           /* the servers against their users */
	struct ioreq_server *ioreq[VIREO_IOREQ_MAX_SERVERS]; /* ioreq.h */
	unsigned nr_mmio;                /* emulated devices (iodev.h) */
	struct mmio_region mmio[DOMAIN_MAX_MMIO];
	struct p2m p2m;
	gpa_t ram_base;
	uint64_t ram_size;
	unsigned nr_vcpus;
	struct vcpu *vcpus[MAX_VCPUS];
	struct virqc irqc;              /* its interrupt controller (virqc.h) */
	struct vuart vuart;
	spinlock_t vuart_lock;  /* the vUART and the console ring */
	char *con_ring;         /* DomU console output, read by Dom0 */
	uint32_t con_head, con_len;
	uint32_t con_notify;    /* Dom0 to be told (domain_console_notify) */
	gpa_t uart_base;
	unsigned uart_irq;
	gpa_t plic_base;
	uint64_t plic_size;
};

extern struct domain *domains[MAX_DOMAINS];
/* Domains marked dying and not yet freed: sched_reap()'s cheap test. */
extern uint32_t domains_dying;

/* Allocate a domain (no memory, vCPUs stopped); NULL if out of slots/memory. */
struct domain *domain_alloc(unsigned id, const char *name, unsigned nr_vcpus);
/* Free what domain_alloc made (the caller has unlinked the vCPUs). */
void domain_free(struct domain *d);
/* Under domctl_lock (or at boot): the table entry for id, dying or not. */
struct domain *domain_by_id(unsigned id);
/* A reference to a live domain, or NULL if there is none or it is dying. */
struct domain *domain_get(unsigned id);
void domain_put(struct domain *d);
/* Refuse new references to d; returns once no domain_get() can succeed. */
void domain_mark_dying(struct domain *d);
/* References other than the table's. */
static inline uint32_t domain_extra_refs(const struct domain *d)
{
	return __atomic_load_n(&d->refcnt, __ATOMIC_ACQUIRE) - 1;
}
/* May v's domain run now (not paused, shut down or dying)? */
static inline bool domain_may_run(const struct domain *d)
{
	return !d->user_paused && !d->shutdown_reason && !d->dying;
}
/* May v be entered now: runnable, its domain running, not being moved?
 * (The scheduler's test, inline: policies call it in their loops.) */
static inline bool sched_can_run(const struct vcpu *v)
{
	return v->state == VCPU_RUNNABLE && domain_may_run(v->dom) &&
	       !__atomic_load_n(&v->moving, __ATOMIC_ACQUIRE);
}
/* Look up a vCPU by the guest's hart id; NULL if out of range. */
struct vcpu *domain_vcpu(struct domain *d, unsigned long hartid);
enum mmio_result {
	MMIO_FAULT,   /* nothing there: an access fault for the guest */
	MMIO_DONE,    /* emulated; *val holds a load's value */
	MMIO_PENDING, /* forwarded to a device model: v waits (ioreq) */
};

/* A guest access to gpa that the G-stage does not map: an emulated device
 * (iodev.c), else a device model (ioreq.c), else nothing. */
enum mmio_result domain_mmio(struct domain *d, struct vcpu *v, gpa_t gpa,
			     unsigned width, bool is_store, uint64_t *val);
/* Register d's emulated devices (iodev.c); -1 if one does not fit. */
int domain_devices_init(struct domain *d);
/* The vUART's interrupt output (vuart_ops), every domain's. */
void domain_vuart_irq(void *opaque, bool level);
/* Queue one input byte on the domain's vUART; false if its FIFO is full. */
bool domain_console_rx(struct domain *d, uint8_t c);
/* Output from the domain's console (vUART, DBCN, legacy putchar). */
void domain_console_write(struct domain *d, const char *s, size_t n);
/* As much of s as the ring has room for, dropping nothing; the count. */
size_t domain_console_write_room(struct domain *d, const char *s, size_t n);
/* DomU console ring: append (vuart_lock held) and drain. */
void domain_ring_write_locked(struct domain *d, const char *s, size_t n);
bool domain_ring_full_locked(const struct domain *d);
size_t domain_ring_read(struct domain *d, char *buf, size_t len);
/* Copy between guest-physical memory and the hypervisor; false if unmapped. */
bool domain_copy_from(struct domain *d, void *dst, gpa_t src, size_t len);
/* Copy into d's RAM; the destination must lie within one page. */
bool domain_copy_to(struct domain *d, gpa_t dst, const void *src, size_t len);
/* The host address of [gpa, gpa+len) of d's RAM if one page holds it. */
void *domain_ram_page(struct domain *d, gpa_t gpa, size_t len);

struct host_info;
/* Build and start Dom0 in [base, base+size), 1:1, from the boot modules. */
void dom0_build(const void *host_fdt, const struct host_info *hi,
		paddr_t base, uint64_t size, paddr_t hyp_base,
		uint64_t hyp_size, unsigned max_vcpus);
extern struct domain *dom0;
/* A host interrupt of a device passed through to Dom0: true if taken. */
bool domain_host_irq(unsigned src);

/* Raise one of Dom0's VIRQs (VIREO_VIRQ_*, an event channel it bound). */
void dom0_virq(unsigned virq);
/* Tell Dom0 of console output the ring took (VIREO_VIRQ_CONSOLE), once
 * vuart_lock is dropped: the event-channel lock comes before it. */
void domain_console_notify(struct domain *d);

/* Event channels of d: allocate (line = its upcall) and tear down. */
int domain_evtchn_init(struct domain *d, unsigned line);
void domain_evtchn_teardown(struct domain *d);
/* Ask d's guest agent to power off or reboot (its control interrupt). */
long domain_control(struct domain *d, uint32_t cmd);
/* A guest ended itself (SRST, pvpanic, fatal fault): stop it, tell Dom0. */
void domain_shutdown(struct domain *d, uint32_t reason);
/* xl trigger (VIREO_TRIGGER_*): resume from SBI SUSP. domctl lock held. */
long domain_trigger(struct domain *d, unsigned long trigger);

#endif
