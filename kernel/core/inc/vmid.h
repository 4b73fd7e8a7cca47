/*
 * VMIDs tag the G-stage translations a hart caches (hgatp.VMID, bits
 * 57:44 on RV64), so that switching domains needs no flush. The hardware
 * may implement fewer than the 14 bits (VMIDLEN, found at boot by writing
 * ones and reading back), down to none at all.
 *
 *   VMID 0        shared: every domain that got no VMID of its own. A
 *                 hart flushes it whenever it loads a different holder
 *                 than the last one it ran with it (with VMIDLEN 0 that
 *                 is every switch between domains).
 *   1 .. 2^N - 1  one domain each, handed out round-robin; one that held
 *                 an earlier domain is flushed on every hart before it is
 *                 handed out again.
 */
#ifndef VIREO_VMID_H
#define VIREO_VMID_H

#include "p2m.h"
#include "types.h"

#define VMID_BITS_MAX 14
#define VMID_SHARED 0

/* Boot hart, before any domain: probe VMIDLEN. */
void vmid_init(void);
/* VMIDLEN, and how many domains can have a VMID of their own. */
unsigned vmid_bits(void);
unsigned vmid_exclusive(void);
/*
 * Give gs (a new domain's, from p2m_init) a VMID: its own while any is
 * free, else VMID_SHARED. Sets gs->vmid and gs->vmid_tag. May flush every
 * hart (a VMID an earlier domain had), so call it where that may wait.
 */
void vmid_assign(struct p2m *gs);
/* The domain is gone: its VMID may go to another (flushed first). */
void vmid_release(struct p2m *gs);
/* On this hart, just after hgatp was loaded with gs: flush if need be. */
void vmid_load(const struct p2m *gs);

/* Must be implemented by architecture */
/* VMIDLEN: write all-ones to hgatp.VMID with MODE = Bare, read back. */
unsigned vmid_arch_probe_bits(void);
/* hfence.gvma for every GPA of one VMID, on this hart. */
void vmid_arch_flush_local(uint16_t vmid);

#endif
