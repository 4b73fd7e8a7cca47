/*
 * DomU lifecycle. Domains are created paused, as in Xen: the toolstack
 * populates memory, loads the kernel through a foreign mapping, sets vCPU 0's
 * entry and then unpauses. Destroy always succeeds, in two phases (see
 * domain.h): it takes every vCPU off its hart, waits out references and
 * revokes channels and Dom0's foreign mappings; then it scrubs and frees
 * the memory a bounded chunk per call, as Xen's domain_relinquish_resources
 * is preemptible, so that no single call holds the domctl lock for long.
 */
#include "console.h"
#include "cpupool.h"
#include "domctl.h"
#include "hypercall.h"
#include "ioreq.h"
#include "memory.h"
#include "page_alloc.h"
#include "pcpu.h"
#include "printk.h"
#include "sched.h"

#define DOMID_FIRST 1
#define DOMID_LAST 0x7fef /* Xen's DOMID_FIRST_RESERVED - 1 */

static spinlock_t domctl_spin = SPINLOCK_INIT;
static unsigned next_domid = DOMID_FIRST;

void domctl_lock(void)
{
	/* A destroyer waits for references with this lock held: a holder
	 * that waited for it would deadlock them both (domain.h). */
	BUG_ON(this_pcpu()->refs_held);
	/* Another hart may be destroying and need us to let a vCPU go (not
	 * our current one: this very trap is still using it). */
	while (!spin_trylock(&domctl_spin)) {
		arch_handle_host_irqs();
		sched_reap(this_pcpu(), false);
	}
}

bool domctl_trylock(void)
{
	return spin_trylock(&domctl_spin);
}

void domctl_unlock(void)
{
	spin_unlock(&domctl_spin);
}

/* vuart_write holds vuart_lock when it transmits. */
static void domu_tx(void *opaque, uint8_t c)
{
	char ch = (char)c;
	domain_ring_write_locked(opaque, &ch, 1);
}

static bool domu_tx_full(void *opaque)
{
	return domain_ring_full_locked(opaque);
}

static const struct vuart_ops domu_vuart_ops = {
	.tx = domu_tx,
	.set_irq = domain_vuart_irq,
	.tx_full = domu_tx_full,
};

static unsigned alloc_domid(void)
{
	for (unsigned n = 0; n <= DOMID_LAST; n++) {
		unsigned id = next_domid;
		next_domid = next_domid == DOMID_LAST ? DOMID_FIRST : next_domid + 1;
		if (!domain_by_id(id))
			return id;
	}
	return 0;
}

/*
 * Home d's vCPUs in pool: every hart is chosen (and, in a null pool,
 * claimed) before any vCPU is queued, so a failure leaves no vCPU queued.
 */
static int place(struct domain *d, struct cpupool *pool)
{
	struct pcpu *home[MAX_VCPUS];

	cpupool_set_domain(d, pool);
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		home[i] = pool->ops->pick_cpu(d->vcpus[i], d->slot + i);
		if (!home[i])
			return -1;
	}
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		sched_add(home[i], d->vcpus[i]);
	return 0;
}

long domu_create(uint32_t nr_vcpus, uint64_t ram_bytes, uint32_t pool_id,
		 struct domain **out)
{
	struct cpupool *pool = cpupool_by_id(pool_id);
	struct domain *d;
	char name[16];
	unsigned id;

	if (!nr_vcpus || nr_vcpus > MAX_VCPUS || !ram_bytes ||
	    !IS_ALIGNED(ram_bytes, MEGAPAGE_SIZE) || ram_bytes > GiB(16))
		return HC_ERR_INVALID_PARAM;
	if (!pool)
		return HC_ERR_INVALID_PARAM;
	if (!cpupool_room(pool, nr_vcpus))
		return HC_ERR_INVALID_PARAM;
	if (ram_bytes / PAGE_SIZE > dom_pool.nfree)
		return HC_ERR_FAILED;
	id = alloc_domid();
	snprintf(name, sizeof(name), "domain-%u", id);
	d = id ? domain_alloc(id, name, nr_vcpus) : NULL;
	if (!d)
		return HC_ERR_FAILED;
	d->con_ring = page_alloc(CONSOLE_RING_ORDER);
	if (!d->con_ring || domain_evtchn_init(d, VIREO_DOMU_EVTCHN_IRQ)) {
		domain_evtchn_teardown(d);
		domain_free(d);
		return HC_ERR_FAILED;
	}
	d->user_paused = true;
	d->ram_base = VIREO_DOMU_RAM_BASE;
	d->ram_size = ram_bytes;
	d->uart_base = VIREO_DOMU_UART_BASE;
	d->uart_irq = VIREO_DOMU_UART_IRQ;
	d->plic_base = VIREO_DOMU_PLIC_BASE;
	d->plic_size = VIREO_DOMU_PLIC_SIZE;
	if (virqc_init(d, VIREO_DOMU_PLIC_NDEV + 1)) {
		domain_evtchn_teardown(d);
		domain_free(d);
		return HC_ERR_FAILED;
	}
	vuart_init(&d->vuart, &domu_vuart_ops, d);
	if (domain_devices_init(d)) {
		domain_evtchn_teardown(d);
		domain_free(d);
		return HC_ERR_FAILED;
	}
	if (place(d, pool)) {
		domain_evtchn_teardown(d);
		domain_free(d); /* drops the claims place() made */
		return HC_ERR_INVALID_PARAM;
	}
	*out = d;
	return HC_SUCCESS;
}

/* Interrupt every hart running one of d's vCPUs, and wait until none is. */
static void evict(struct domain *d)
{
	struct pcpu *self = this_pcpu();

	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];
		struct pcpu *p = v->pcpu;
		if (p && p != self)
			pcpu_ipi(p, IPI_KICK);
	}
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		while (READ_ONCE(d->vcpus[i]->in_guest))
			arch_handle_host_irqs();
}

/* Phase 1: nothing of d runs, nobody holds it, no channel or mapping. */
static void destroy_detach(struct domain *d)
{
	domain_mark_dying(d);
	evict(d);
	/* Each hart unlinks d's vCPUs from its run queue in sched_reap(),
	 * and never while it is still inside a trap of that vCPU. */
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];
		while (READ_ONCE(v->pcpu)) {
			struct pcpu *p = v->pcpu;
			if (p == this_pcpu())
				sched_reap(p, false);
			else if (p)
				pcpu_ipi_wait(p, IPI_KICK);
		}
	}
	/* Holders never wait for the domctl lock, so this ends. */
	while (domain_extra_refs(d))
		arch_handle_host_irqs(); /* a holder may be flushing us */
	/* Peers' ports go back to unbound before the shared page is freed. */
	domain_evtchn_teardown(d);
	ioreq_destroy_all(d);
	foreign_revoke(d);
	/*
	 * Dom0's 1:1 mappings go now, so its CPUs can no longer reach the
	 * frames; but a device it gave them to may still be writing into
	 * them (DMA bypasses the G-stage). They stay out of the pool until
	 * Dom0 says no pin is left (FOREIGN_RELEASE).
	 */
	if (d->direct_mapped) {
		direct_revoke(d);
		d->quarantined = true;
	}
	d->relinquish_at = d->ram_base;
	d->torn_down = true;
}

long domain_destroy(struct domain *d, bool *more)
{
	unsigned id = d->id;

	*more = false;
	if (d->is_dom0)
		return HC_ERR_INVALID_PARAM;
	if (!d->torn_down)
		destroy_detach(d);
	if (d->quarantined)
		return HC_SUCCESS; /* until domain_release() */
	/* Phase 2, one chunk per call. */
	if (memory_relinquish(d, &d->relinquish_at, DESTROY_CHUNK_PAGES)) {
		*more = true;
		return HC_SUCCESS;
	}
	/* No fence here: harts may still cache d's translations, but only
	 * under its VMID, which vmid_assign() flushes before reusing it. */
	domain_free(d);
	printk("domain %u destroyed\n", id);
	return HC_SUCCESS;
}

/*
 * Dom0 holds no reference on d's frames any more: a live domain's 1:1
 * mappings go; a quarantined one's memory is freed, as domain_destroy().
 */
long domain_release(struct domain *d, bool *more)
{
	*more = false;
	if (d->is_dom0)
		return HC_ERR_INVALID_PARAM;
	if (!d->dying) {
		direct_revoke(d);
		return HC_SUCCESS;
	}
	d->quarantined = false;
	return domain_destroy(d, more);
}

long domain_pause(struct domain *d)
{
	if (d->is_dom0)
		return HC_ERR_INVALID_PARAM;
	d->user_paused = true;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	evict(d);
	return HC_SUCCESS;
}

long domain_unpause(struct domain *d)
{
	if (d->is_dom0)
		return HC_ERR_INVALID_PARAM;
	d->user_paused = false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i]->state != VCPU_STOPPED)
			vcpu_kick(d->vcpus[i]);
	return HC_SUCCESS;
}

void domain_shutdown(struct domain *d, uint32_t reason)
{
	if (d->is_dom0 || d->shutdown_reason)
		return;
	d->shutdown_reason = reason;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct pcpu *p = __atomic_load_n(&d->vcpus[i]->pcpu, __ATOMIC_ACQUIRE);
		if (p && p != this_pcpu())
			pcpu_ipi(p, IPI_KICK);
	}
	dom0_virq(VIREO_VIRQ_DOM_EXC);
}

void domain_getinfo(struct domain *d, struct vireo_domain_info *info)
{
	uint32_t st = 0;
	uint64_t ticks = 0;
	bool runnable = false;
	uint32_t online = 0;

	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];
		if (v->in_guest)
			st |= VIREO_DOMSTATE_RUNNING;
		if (v->state == VCPU_BLOCKED)
			st |= VIREO_DOMSTATE_BLOCKED;
		runnable |= v->state == VCPU_RUNNABLE;
		online += v->state != VCPU_STOPPED;
		ticks += vcpu_run_ticks(v, time_now());
	}
	/* Dom0 is running: one of its vCPUs is making this very call. */
	if (d->is_dom0)
		st |= VIREO_DOMSTATE_RUNNING;
	if (runnable || (st & VIREO_DOMSTATE_RUNNING))
		st &= ~VIREO_DOMSTATE_BLOCKED;
	if (d->user_paused)
		st |= VIREO_DOMSTATE_PAUSED;
	if (d->shutdown_reason == VIREO_SHUTDOWN_CRASH)
		st |= VIREO_DOMSTATE_CRASHED;
	else if (d->shutdown_reason)
		st |= VIREO_DOMSTATE_SHUTDOWN;
	if (d->dying)
		st |= VIREO_DOMSTATE_DYING;
	*info = (struct vireo_domain_info){
		.domid = d->id,
		.state = st,
		.shutdown_reason = d->shutdown_reason,
		.nr_vcpus = d->nr_vcpus,
		.ram_bytes = d->ram_size,
		.mem_pages = d->is_dom0 ? d->ram_size / PAGE_SIZE : d->mem_pages,
		.cpu_time_ns = ticks * (1000000000UL / timebase_hz),
		.pool = d->pool ? d->pool->id : 0,
		.nr_online_vcpus = online,
	};
}
