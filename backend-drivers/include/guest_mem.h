/*
 * A DomU's RAM as vireo-dm sees it: one contiguous guest-physical range
 * [gpa_base, gpa_base + size) mapped at host (Dom0 userspace) address
 * host, through Dom0's foreign window or 1:1 (direct).
 *
 * Every address a guest hands to a device goes through guest_mem_ptr(),
 * which returns NULL unless the whole range lies inside the guest's RAM:
 * a device can never touch memory outside it, whatever the guest writes.
 */
#ifndef VIREO_GUEST_MEM_H
#define VIREO_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

struct guest_mem {
	uint64_t gpa_base;
	uint64_t size;
	uint8_t *host;
	/* host is a 1:1 mapping of ordinary (pinnable) pages, not the
	 * window's PFN mapping: O_DIRECT can read into it. */
	int direct;
};

/* Host pointer for [gpa, gpa + len), or NULL if any byte is outside RAM. */
static inline void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa,
				  uint64_t len)
{
	if (gpa < m->gpa_base)
		return NULL;
	gpa -= m->gpa_base;
	if (gpa > m->size || len > m->size - gpa)
		return NULL;
	return m->host + gpa;
}

#endif
