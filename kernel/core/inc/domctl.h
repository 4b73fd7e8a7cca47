/* Domain lifecycle operations behind the Dom0 hypercalls. */
#ifndef VIREO_DOMCTL_H
#define VIREO_DOMCTL_H

#include "domain.h"
#include "vireo_abi.h"

/* Serialises Dom0's domain operations against destroy. */
void domctl_lock(void);
void domctl_unlock(void);
/* For the monitor, which runs from interrupt handling and must not wait. */
bool domctl_trylock(void);

/* A paused DomU with stopped vCPUs and an empty RAM window. */
long domu_create(uint32_t nr_vcpus, uint64_t ram_bytes, uint32_t pool,
		 struct domain **out);
/*
 * Destroy d, one bounded step per call (see domain.h): *more is set while
 * memory remains to be freed, and the caller calls again. d is gone when a
 * call returns HC_SUCCESS with *more clear.
 */
long domain_destroy(struct domain *d, bool *more);
/* FOREIGN_RELEASE: see abi/vireo_abi.h. */
long domain_release(struct domain *d, bool *more);
/* Pages scrubbed and freed per DOMAIN_DESTROY call: 16 MiB. */
#define DESTROY_CHUNK_PAGES 4096
long domain_pause(struct domain *d);
long domain_unpause(struct domain *d);
void domain_getinfo(struct domain *d, struct vireo_domain_info *info);

#endif
