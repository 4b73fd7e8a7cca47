/*
 * The devices a domain's hypervisor emulates (vPLIC, vUART, pvpanic, the
 * control device): a table of MMIO regions per domain, filled while the
 * domain is built and fixed once it runs, so a trap reads it without a
 * lock. An access no region takes goes to the domain's ioreq servers.
 */
#ifndef VIREO_IODEV_H
#define VIREO_IODEV_H

#include "types.h"

struct domain;

struct mmio_ops {
	/* off: within the region; width 1, 2, 4 or 8. False: no such
	 * register, an access fault for the guest. */
	bool (*read)(void *opaque, uint64_t off, unsigned width, uint64_t *val);
	bool (*write)(void *opaque, uint64_t off, unsigned width, uint64_t val);
};

struct mmio_region {
	gpa_t base;
	uint64_t size;
	const struct mmio_ops *ops;
	void *opaque;
};

#define DOMAIN_MAX_MMIO 8

/* Whether [a, a+asize) and [b, b+bsize) share an address. */
static inline bool ranges_meet(gpa_t a, uint64_t asize, gpa_t b,
			       uint64_t bsize)
{
	return a < b + bsize && b < a + asize;
}

/* Add a region before d runs; -1 if it is empty, overlaps one of d's
 * regions or RAM, or the table is full. */
int domain_mmio_register(struct domain *d, gpa_t base, uint64_t size,
			 const struct mmio_ops *ops, void *opaque);
/* The region holding the whole access, or NULL. */
const struct mmio_region *domain_mmio_find(const struct domain *d, gpa_t gpa,
					   unsigned width);
/* Whether [base, base+size) meets one of d's regions. */
bool domain_mmio_overlaps(const struct domain *d, gpa_t base, uint64_t size);

#endif
