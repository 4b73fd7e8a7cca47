/* vCPU state changes that other harts and devices trigger. */
#include "domain.h"
#include "pcpu.h"
#include "sched.h"
#include "vcpu.h"

/*
 * Make v's hart look at it. A real wake-up (woke: this call took v out of
 * a wait) is the policy's to reward (sched_ops.wake: the wake-up boost); a
 * vCPU that was runnable already waits for its turn.
 */
static void kick(struct vcpu *v, bool woke)
{
	/* Read once: a dying vCPU's hart clears it (sched_reap). */
	struct pcpu *p = __atomic_load_n(&v->pcpu, __ATOMIC_ACQUIRE);

	if (woke)
		vcpu_steal_mark(v, time_now());
	if (woke && p)
		sched_wake(v, p);
	if (p && p != this_pcpu() && v->state != VCPU_STOPPED)
		pcpu_ipi(p, IPI_KICK);
}

void vcpu_kick(struct vcpu *v)
{
	enum vcpu_state blocked = VCPU_BLOCKED;

	kick(v, __atomic_compare_exchange_n(&v->state, &blocked, VCPU_RUNNABLE,
					    false, __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE));
}

/* v's device-model access is finished: VCPU_WAIT_IO -> RUNNABLE, a wake-up. */
void vcpu_io_done(struct vcpu *v)
{
	enum vcpu_state wait_io = VCPU_WAIT_IO;

	kick(v, __atomic_compare_exchange_n(&v->state, &wait_io, VCPU_RUNNABLE,
					    false, __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE));
}

bool vcpu_start(struct vcpu *v, unsigned long pc, unsigned long a0,
		unsigned long a1)
{
	/*
	 * Claim the start first, so two callers cannot both start v; but v
	 * stays STOPPED until its start values and the reset request are in
	 * place. Leaving STOPPED first (as OpenSBI 1.1 does, boot.S) let its
	 * hart wake it in between (an interrupt pending from before it
	 * stopped) and enter it with its old registers.
	 */
	if (__atomic_exchange_n(&v->starting, 1, __ATOMIC_ACQ_REL))
		return false;
	/* Only a start leaves STOPPED: while we hold the claim, it stays. */
	if (__atomic_load_n(&v->state, __ATOMIC_ACQUIRE) != VCPU_STOPPED) {
		__atomic_store_n(&v->starting, 0, __ATOMIC_RELEASE);
		return false;
	}
	v->start_pc = pc;
	v->start_a0 = a0;
	v->start_a1 = a1;
	__atomic_or_fetch(&v->requests, VCPU_REQ_RESET, __ATOMIC_RELEASE);
	__atomic_store_n(&v->state, VCPU_BLOCKED, __ATOMIC_RELEASE);
	__atomic_store_n(&v->starting, 0, __ATOMIC_RELEASE);
	/* BLOCKED -> RUNNABLE, and the IPI if v lives on another hart. */
	vcpu_kick(v);
	return true;
}

/*
 * SBI remote fences are synchronous: when the call returns, the targets
 * must not use stale translations. A target flushes before it next enters
 * the guest; for one inside the guest now, interrupt its hart and wait until
 * it has left the guest (it then flushes before going back in).
 */
void vcpu_request_fence(struct domain *d, unsigned long mask, uint32_t req)
{
	struct pcpu *self = this_pcpu();

	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *t = d->vcpus[i];
		if (!(mask & (1UL << i)))
			continue;
		struct pcpu *p = __atomic_load_n(&t->pcpu, __ATOMIC_ACQUIRE);
		__atomic_or_fetch(&t->requests, req, __ATOMIC_ACQ_REL);
		if (p && p != self && t->in_guest)
			pcpu_ipi(p, IPI_KICK);
	}
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *t = d->vcpus[i];
		if (!(mask & (1UL << i)) || t->pcpu == self)
			continue;
		while ((READ_ONCE(t->requests) & req) && READ_ONCE(t->in_guest))
			arch_handle_host_irqs();
	}
}
