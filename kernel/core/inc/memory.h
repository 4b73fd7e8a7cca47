/*
 * Guest memory: DomU RAM from the free pool, and foreign mappings of DomU
 * RAM into Dom0's window (the vireo node's reg), through which the toolstack
 * loads kernels and backends reach virtqueues.
 */
#ifndef VIREO_MEMORY_H
#define VIREO_MEMORY_H

#include "page_alloc.h"
#include "types.h"

struct domain;

#define FOREIGN_WINDOW_BASE 0x100000000UL
#define FOREIGN_WINDOW_SIZE GiB(1)
#define MAX_FOREIGN_MAPS 64

extern struct page_pool dom_pool;

/* Back [gpa, gpa+size) of d's RAM window with zeroed pool memory. */
long memory_populate(struct domain *d, gpa_t gpa, uint64_t size);
/* Free (scrubbed) every page of d's RAM. */
void memory_release(struct domain *d);
/* Free d's RAM from *at on, about max_pages at most; true if more remains. */
bool memory_relinquish(struct domain *d, gpa_t *at, uint64_t max_pages);
/* Map d's [gpa, gpa+size) at Dom0's window + off. */
long foreign_map(struct domain *d, gpa_t gpa, uint64_t size, uint64_t off);
long foreign_unmap(uint64_t off, uint64_t size);
/* Remove every window mapping of d (before its memory is freed). */
void foreign_revoke(struct domain *d);

/*
 * Direct (1:1) mappings: d's frames mapped into Dom0 at guest-physical =
 * host-physical, so that Dom0's kernel, which has struct pages for the pool
 * (its /reserved-memory), can pin them and hand them to its devices.
 */
struct vireo_extent;
/* Whether [gpa, gpa+size) is d's populated RAM. */
bool memory_populated(struct domain *d, gpa_t gpa, uint64_t size);
/*
 * The extents behind [gpa, gpa+size), at most max, each passed to emit
 * (NULL: count only); returns the bytes from gpa they cover.
 */
uint64_t direct_extents(struct domain *d, gpa_t gpa, uint64_t size,
			unsigned max,
			void (*emit)(void *ctx, const struct vireo_extent *e),
			void *ctx);
/* Map d's frames behind [gpa, gpa+covered) into Dom0 1:1. */
long direct_map(struct domain *d, gpa_t gpa, uint64_t size);
/* Remove every 1:1 mapping of d's frames from Dom0 and fence. */
void direct_revoke(struct domain *d);

#endif
