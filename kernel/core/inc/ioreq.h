/*
 * ioreq servers: MMIO of a DomU forwarded to device models in Dom0, as
 * Xen's (abi/vireo_abi.h has the protocol). A domain has up to
 * VIREO_IOREQ_MAX_SERVERS; each has its request page, its event channel,
 * its MMIO ranges, the posted-notify words of those ranges and the status
 * latches its model declared.
 *
 * Locking: servers are created, given ranges and latches and destroyed
 * under the domctl lock; the fields the data path reads change only under
 * d->ioreq_lock too, which the data path (a guest's access, a completion)
 * holds while it looks.
 */
#ifndef VIREO_IOREQ_H
#define VIREO_IOREQ_H

#include "domain.h"
#include "types.h"
#include "vireo_abi.h"

struct ioreq_range {
	gpa_t base;
	uint64_t size;
	uint32_t notify_off;   /* posted-notify offset in each page; 0: none */
	uint32_t notify_first; /* its first page's word in notify[] */
};

struct ioreq_latch {
	gpa_t read_addr, clear_addr; /* 0: not served */
	uint8_t width, flags;	     /* VIREO_LATCH_F_* */
	uint16_t line;		     /* 0: a free entry */
};

struct ioreq_server {
	struct vireo_ioreq_page *page;
	uint64_t page_off; /* in Dom0's foreign window */
	uint32_t port;	   /* the domain's end of the server's channel */
	unsigned nr_ranges, nr_notify;
	uint32_t latches; /* bit i: latch[i] is declared */
	struct ioreq_range range[VIREO_IOREQ_MAX_RANGES];
	struct ioreq_latch latch[VIREO_IOREQ_MAX_LATCHES];
};

long ioreq_create(struct domain *d, uint64_t page_off, uint64_t dom0_port,
		  uint32_t *id, uint32_t *domu_port);
long ioreq_map_range(struct domain *d, uint64_t id, gpa_t base, uint64_t size,
		     uint64_t notify_off, uint32_t *notify_first);
long ioreq_unmap_range(struct domain *d, uint64_t id, gpa_t base,
		       uint64_t size);
long ioreq_latch(struct domain *d, uint64_t id,
		 const struct vireo_ioreq_latch *l, uint32_t *index);
/* The responses in the slots of vcpus (a mask) and the latches' lines. */
long ioreq_complete(struct domain *d, uint64_t id, uint64_t vcpus,
		    uint64_t latches);
long ioreq_destroy(struct domain *d, uint64_t id);
/* Every server of a dying domain. */
void ioreq_destroy_all(struct domain *d);
/*
 * A DomU access that no emulated device took: MMIO_FAULT if no server
 * claims gpa; MMIO_DONE if served here (a latch, a posted write);
 * MMIO_PENDING when v now waits for the device model.
 */
enum mmio_result ioreq_mmio(struct vcpu *v, gpa_t gpa, unsigned width,
			    bool is_store, uint64_t *val);

#endif
