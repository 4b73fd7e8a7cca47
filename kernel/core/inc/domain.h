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

struct mmio_region;

struct domain {
	unsigned id;
	char name[DOMAIN_NAME_LEN];
	bool is_dom0;
	struct gstage gs;
	gpa_t ram_base;
	uint64_t ram_size;
	unsigned nr_vcpus;
	struct vcpu *vcpus[MAX_VCPUS];
	struct vplic vplic;
	struct vuart vuart;
	spinlock_t vuart_lock;
	gpa_t uart_base;
	unsigned uart_irq;
	gpa_t plic_base;
	uint64_t plic_size;
};

extern struct domain *domains[MAX_DOMAINS];

struct domain *domain_alloc(unsigned id, const char *name, unsigned nr_vcpus);
/* Look up a vCPU by the guest's hart id; NULL if out of range. */
struct vcpu *domain_vcpu(struct domain *d, unsigned long hartid);
/*
 * Emulated MMIO of a domain: returns true if gpa belongs to an emulated
 * device (the access is then done, or refused with *ok = false).
 */
bool domain_mmio(struct domain *d, struct vcpu *v, gpa_t gpa, unsigned width,
		 bool is_store, uint64_t *val);
/* Queue one input byte on the domain's vUART; false if its FIFO is full. */
bool domain_console_rx(struct domain *d, uint8_t c);
/* Output from the domain's console (vUART, DBCN, legacy putchar). */
void domain_console_write(struct domain *d, const char *s, size_t n);
/* Copy between guest-physical memory and the hypervisor; false if unmapped. */
bool domain_copy_from(struct domain *d, void *dst, gpa_t src, size_t len);

struct host_info;
/* Build and start Dom0 in [base, base+size), 1:1, from the boot modules. */
void dom0_build(const void *host_fdt, const struct host_info *hi,
		paddr_t base, uint64_t size, paddr_t hyp_base, uint64_t hyp_size);
extern struct domain *dom0;
/* A host interrupt of a device passed through to Dom0: true if taken. */
bool domain_host_irq(unsigned src);

#endif
