/* Domains: a G-stage address space, vCPUs, a vPLIC and a console. */
#ifndef VIREO_DOMAIN_H
#define VIREO_DOMAIN_H

#include "gstage.h"
#include "types.h"
#include "vcpu.h"
#include "vplic.h"
#include "vuart.h"

#define MAX_DOMAINS 16
#define MAX_VCPUS 8
#define DOMAIN_NAME_LEN 32
#define CONSOLE_RING_SIZE PAGE_SIZE

struct evtchn_domain;

struct domain {
	unsigned id;
	unsigned slot; /* index in domains[]; the VMID is slot + 1 */
	char name[DOMAIN_NAME_LEN];
	bool is_dom0;
	volatile bool user_paused;       /* vl pause */
	volatile bool dying;             /* being destroyed */
	volatile uint32_t shutdown_reason; /* VIREO_SHUTDOWN_*: stopped */
	uint64_t mem_pages;              /* RAM pages populated */
	volatile uint32_t control_cmd;   /* pending VIREO_CONTROL_* for the agent */
	struct evtchn_domain *evtchn;    /* its ports (evtchn.c) */
	unsigned evtchn_irq;             /* vPLIC line of the upcall */
	spinlock_t ioreq_lock;           /* the server against its users */
	struct vireo_ioreq_page *ioreq;  /* ioreq server page, or NULL */
	gpa_t ioreq_base;
	uint64_t ioreq_size, ioreq_off;  /* range; offset in Dom0's window */
	uint64_t ioreq_notify_off;       /* posted writes' offset, 0 = none */
	bool ioreq_virtio_isr;           /* VIREO_IOREQ_F_VIRTIO_ISR */
	uint32_t ioreq_port;             /* our end of the server's channel */
	struct gstage gs;
	gpa_t ram_base;
	uint64_t ram_size;
	unsigned nr_vcpus;
	struct vcpu *vcpus[MAX_VCPUS];
	struct vplic vplic;
	struct vuart vuart;
	spinlock_t vuart_lock;  /* the vUART and the console ring */
	char *con_ring;         /* DomU console output, read by Dom0 */
	uint32_t con_head, con_len;
	gpa_t uart_base;
	unsigned uart_irq;
	gpa_t plic_base;
	uint64_t plic_size;
};

extern struct domain *domains[MAX_DOMAINS];

/* Allocate a domain (no memory, vCPUs stopped); NULL if out of slots/memory. */
struct domain *domain_alloc(unsigned id, const char *name, unsigned nr_vcpus);
/* Free what domain_alloc made (the caller has unlinked the vCPUs). */
void domain_free(struct domain *d);
struct domain *domain_by_id(unsigned id);
/* May v's domain run now (not paused, shut down or dying)? */
static inline bool domain_may_run(const struct domain *d)
{
	return !d->user_paused && !d->shutdown_reason && !d->dying;
}
/* Look up a vCPU by the guest's hart id; NULL if out of range. */
struct vcpu *domain_vcpu(struct domain *d, unsigned long hartid);
enum mmio_result {
	MMIO_FAULT,   /* nothing there: an access fault for the guest */
	MMIO_DONE,    /* emulated; *val holds a load's value */
	MMIO_PENDING, /* forwarded to a device model: v waits (ioreq) */
};

/* Emulate a guest access to gpa that the G-stage does not map. */
/* Map the vPLIC's enable shadow into d (after vplic_init); 0 or -1. */
int domain_vplic_shadow(struct domain *d);
long domain_irq_set_level(struct domain *d, uint64_t line, uint64_t level);
enum mmio_result domain_mmio(struct domain *d, struct vcpu *v, gpa_t gpa,
			     unsigned width, bool is_store, uint64_t *val);
/* Device callbacks shared by every domain (vplic_ops / vuart_ops). */
void domain_vplic_eip(void *opaque, unsigned ctx, bool level);
void domain_vuart_irq(void *opaque, bool level);
/* Queue one input byte on the domain's vUART; false if its FIFO is full. */
bool domain_console_rx(struct domain *d, uint8_t c);
/* Output from the domain's console (vUART, DBCN, legacy putchar). */
void domain_console_write(struct domain *d, const char *s, size_t n);
/* DomU console ring: append (vuart_lock held) and drain. */
void domain_ring_write_locked(struct domain *d, const char *s, size_t n);
size_t domain_ring_read(struct domain *d, char *buf, size_t len);
/* Copy between guest-physical memory and the hypervisor; false if unmapped. */
bool domain_copy_from(struct domain *d, void *dst, gpa_t src, size_t len);
/* Copy into d's RAM; the destination must lie within one page. */
bool domain_copy_to(struct domain *d, gpa_t dst, const void *src, size_t len);

struct host_info;
/* Build and start Dom0 in [base, base+size), 1:1, from the boot modules. */
void dom0_build(const void *host_fdt, const struct host_info *hi,
		paddr_t base, uint64_t size, paddr_t hyp_base, uint64_t hyp_size);
extern struct domain *dom0;
/* A host interrupt of a device passed through to Dom0: true if taken. */
bool domain_host_irq(unsigned src);

/* Dom0 notifications on its vireo node's line (VIREO_HC_VIRQ_ACK). */
#define VIRQ_DOMAIN_STATE (1U << 0) /* a domain shut down or crashed */
#define VIRQ_CONSOLE (1U << 1)      /* DomU console output */
void virq_raise(uint32_t bits);
uint32_t virq_ack(void);

/* Event channels of d: allocate (line = its upcall) and tear down. */
int domain_evtchn_init(struct domain *d, unsigned line);
void domain_evtchn_teardown(struct domain *d);
/* Ask d's guest agent to power off or reboot (its control interrupt). */
long domain_control(struct domain *d, uint32_t cmd);
/* A guest ended itself (SRST, pvpanic, fatal fault): stop it, tell Dom0. */
void domain_shutdown(struct domain *d, uint32_t reason);

#endif
