/* VMID allocation and the flushes VMID reuse needs (see vmid.h). */
#include <string.h>

#include "memory.h"
#include "pcpu.h"
#include "printk.h"
#include "spinlock.h"
#include "vmid.h"

#define NR_VMIDS_MAX (1U << VMID_BITS_MAX)
#define WORD_BITS 64

static spinlock_t vmid_lock = SPINLOCK_INIT;
static unsigned nr_vmids;  /* 2^VMIDLEN; 0 before vmid_init() */
static unsigned vmid_len;
static unsigned next_vmid; /* round-robin cursor over 1 .. nr_vmids - 1 */
static uint32_t last_tag;
static uint64_t used[NR_VMIDS_MAX / WORD_BITS];
/* Held by an earlier domain since the last flush of it on every hart. */
static uint64_t dirty[NR_VMIDS_MAX / WORD_BITS];
/* Per hart: the holder of VMID_SHARED whose translations it may cache. */
static uint32_t shared_holder[MAX_PCPUS];

static bool bit_get(const uint64_t *map, unsigned i)
{
	return map[i / WORD_BITS] >> (i % WORD_BITS) & 1;
}

static void bit_put(uint64_t *map, unsigned i, bool v)
{
	uint64_t m = 1ULL << (i % WORD_BITS);

	map[i / WORD_BITS] = v ? map[i / WORD_BITS] | m : map[i / WORD_BITS] & ~m;
}

void vmid_init(void)
{
	vmid_len = MIN(vmid_arch_probe_bits(), (unsigned)VMID_BITS_MAX);
	nr_vmids = 1U << vmid_len;
	next_vmid = 1;
	last_tag = 0;
	memset(used, 0, sizeof(used));
	memset(dirty, 0, sizeof(dirty));
	memset(shared_holder, 0, sizeof(shared_holder));
	printk("VMID: %u bits, %u domains with their own\n", vmid_len,
	       vmid_exclusive());
}

unsigned vmid_bits(void)
{
	return vmid_len;
}

unsigned vmid_exclusive(void)
{
	return nr_vmids - 1;
}

/* A free VMID of its own, round-robin (so reuse comes late); 0 if none. */
static unsigned take_free(void)
{
	for (unsigned i = 0; i + 1 < nr_vmids; i++) {
		unsigned id = next_vmid;
		next_vmid = id + 1 < nr_vmids ? id + 1 : 1;
		if (!bit_get(used, id)) {
			bit_put(used, id, true);
			return id;
		}
	}
	return VMID_SHARED;
}

void vmid_assign(struct p2m *gs)
{
	bool flush;

	spin_lock(&vmid_lock);
	BUG_ON(!nr_vmids); /* vmid_init() first */
	if (!++last_tag)
		last_tag = 1; /* 0 means "no holder" */
	gs->vmid_tag = last_tag;
	gs->vmid = (uint16_t)take_free();
	flush = gs->vmid != VMID_SHARED && bit_get(dirty, gs->vmid);
	if (flush)
		bit_put(dirty, gs->vmid, false);
	spin_unlock(&vmid_lock);
	/* Ours alone now: nothing runs with it before we return. */
	if (flush)
		p2m_flush_all_harts();
}

void vmid_release(struct p2m *gs)
{
	if (!gs->vmid_tag)
		return; /* never had one (a domain that failed to build) */
	spin_lock(&vmid_lock);
	if (gs->vmid != VMID_SHARED) {
		bit_put(used, gs->vmid, false);
		bit_put(dirty, gs->vmid, true);
	}
	spin_unlock(&vmid_lock);
	gs->vmid_tag = 0;
}

void vmid_load(const struct p2m *gs)
{
	uint32_t *holder;

	if (gs->vmid != VMID_SHARED || !gs->vmid_tag)
		return;
	holder = &shared_holder[this_pcpu()->id];
	if (*holder != gs->vmid_tag) {
		vmid_arch_flush_local(VMID_SHARED);
		*holder = gs->vmid_tag;
	}
}
