/*
 * ioreq servers: MMIO of a DomU forwarded to a device model in Dom0 (see
 * struct vireo_ioreq in abi/vireo_abi.h for the protocol).
 */
#ifndef VIREO_IOREQ_H
#define VIREO_IOREQ_H

#include "domain.h"
#include "types.h"

struct domain;
struct vcpu;

long ioreq_server_create(struct domain *d, uint64_t window_off, gpa_t base,
			 uint64_t size, uint64_t dom0_port, uint64_t notify_off,
			 uint32_t *domu_port);
long ioreq_complete(struct domain *d, unsigned long vcpu);
long ioreq_server_destroy(struct domain *d);
/* Does gpa belong to d's ioreq server? */
bool ioreq_claims(struct domain *d, gpa_t gpa, unsigned width);
/*
 * Hand the access to the device model: MMIO_PENDING blocks v until it
 * completes; MMIO_DONE for a posted write, which v does not wait for.
 */
enum mmio_result ioreq_send(struct vcpu *v, gpa_t gpa, unsigned width,
			    bool is_store, uint64_t *val);
/* VIREO_HC_IOREQ_ISR_SYNC: virtio slot page's line follows its isr word. */
long ioreq_isr_sync(struct domain *d, uint64_t page);

#endif
