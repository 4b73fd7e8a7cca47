/*
 * SBI STA (steal-time accounting, SBI 2.0): each vCPU may give a 64-byte
 * record in its RAM where the hypervisor keeps the time it was runnable
 * but not running (woken and waiting for its hart, or preempted by
 * another vCPU there). Linux 6.12 reads it (PARAVIRT) and reports it as
 * steal in /proc/stat.
 *
 * The record (ext-steal-time.adoc): le32 sequence, le32 flags, le64 steal
 * in nanoseconds, u8 preempted, 47 bytes of padding. The sequence is odd
 * while it is written; the guest retries a read that saw it odd or saw it
 * change. It is written on the vCPU's own hart just before the vCPU runs,
 * and only when the steal grew, so a vCPU alone on its hart costs
 * nothing. preempted stays 0: Linux on RISC-V does not read it.
 */
#include <arch/sbi.h>

#include "domain.h"
#include "sched.h"

#define STA_SET_SHMEM 0
#define STA_RECORD 64

struct sta_record {
	uint32_t sequence;
	uint32_t flags;
	uint64_t steal;
	uint8_t preempted;
	uint8_t pad[47];
};
_Static_assert(sizeof(struct sta_record) == STA_RECORD, "SBI STA record");

static uint64_t ticks_to_ns(uint64_t t)
{
	return t / timebase_hz * 1000000000ULL +
	       t % timebase_hz * 1000000000ULL / timebase_hz;
}

/* Seqlock write of v's record; a record no longer in RAM is dropped. */
static void sta_publish(struct vcpu *v)
{
	struct sta_record *r = domain_ram_page(v->dom, v->sta_gpa, STA_RECORD);

	if (!r) {
		v->sta_on = false;
		return;
	}
	__atomic_store_n(&r->sequence, r->sequence + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&r->steal, ticks_to_ns(v->steal_ticks),
			 __ATOMIC_RELAXED);
	r->preempted = 0;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&r->sequence, r->sequence + 1, __ATOMIC_RELAXED);
}

void vcpu_steal_mark(struct vcpu *v, uint64_t now)
{
	uint64_t none = 0;

	__atomic_compare_exchange_n(&v->steal_since, &none, now ? now : 1,
				    false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

void vcpu_steal_account(struct vcpu *v, uint64_t now)
{
	uint64_t since = __atomic_exchange_n(&v->steal_since, 0,
					     __ATOMIC_ACQ_REL);

	if (!since || now <= since)
		return;
	v->steal_ticks += now - since;
	if (v->sta_on)
		sta_publish(v);
}

/*
 * set_shmem(lo, hi, flags): all-ones lo and hi stop the updates; else lo
 * must be 64-byte aligned (INVALID_PARAM) and the record the guest's RAM
 * (INVALID_ADDRESS; on RV64 hi must be 0); flags are reserved (must be 0).
 * The record is written at once, with the steal so far.
 */
static struct sbi_ret sta_handle(struct vcpu *v, unsigned long fid)
{
	struct sbi_ret ret = {SBI_SUCCESS, 0};
	unsigned long lo = SBI_ARG(v, 0), hi = SBI_ARG(v, 1);

	if (fid != STA_SET_SHMEM) {
		ret.error = SBI_ERR_NOT_SUPPORTED;
	} else if (SBI_ARG(v, 2)) {
		ret.error = SBI_ERR_INVALID_PARAM;
	} else if (lo == ~0UL && hi == ~0UL) {
		v->sta_on = false;
	} else if (lo & (STA_RECORD - 1)) {
		ret.error = SBI_ERR_INVALID_PARAM;
	} else if (hi || !domain_ram_page(v->dom, lo, STA_RECORD)) {
		ret.error = SBI_ERR_INVALID_ADDRESS;
	} else {
		struct sta_record *r = domain_ram_page(v->dom, lo, STA_RECORD);
		r->sequence = 0;
		r->flags = 0;
		v->sta_gpa = lo;
		v->sta_on = true;
		sta_publish(v);
	}
	return ret;
}

const struct sbi_ext sbi_ext_sta = {
	.name = "STA",
	.eid_start = SBI_EXT_STA,
	.eid_end = SBI_EXT_STA,
	.handle = sta_handle,
};
