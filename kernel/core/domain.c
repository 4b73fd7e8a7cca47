/* Domains: allocation, emulated MMIO dispatch, console and memory access. */
#include <string.h>

#include "console.h"
#include "cpupool.h"
#include "domain.h"
#include "hypercall.h"
#include "ioreq.h"
#include "page_alloc.h"
#include "pcpu.h"
#include "printk.h"
#include "sched.h"
#include "vireo_abi.h"
#include "vmid.h"

struct domain *domains[MAX_DOMAINS];
uint32_t domains_dying;
static spinlock_t domains_lock = SPINLOCK_INIT;

struct domain *domain_alloc(unsigned id, const char *name, unsigned nr_vcpus)
{
	struct domain *d;
	unsigned slot;

	_Static_assert(sizeof(struct domain) <= PAGE_SIZE, "domain > page");
	_Static_assert(sizeof(struct vcpu) <= PAGE_SIZE, "vcpu > page");
	if (!nr_vcpus || nr_vcpus > MAX_VCPUS || domain_by_id(id))
		return NULL;
	for (slot = 0; slot < MAX_DOMAINS && domains[slot]; slot++)
		;
	if (slot == MAX_DOMAINS)
		return NULL;
	d = page_alloc(0);
	if (!d)
		return NULL;
	d->id = id;
	d->slot = slot;
	strncpy(d->name, name, DOMAIN_NAME_LEN - 1);
	d->nr_vcpus = nr_vcpus;
	d->vuart_lock = (spinlock_t)SPINLOCK_INIT;
	d->ioreq_lock = (spinlock_t)SPINLOCK_INIT;
	d->refcnt = 1; /* domains[]'s */
	d->sched_weight = VIREO_SCHED_WEIGHT_DEFAULT;
	cpupool_set_domain(d, pool0); /* until told otherwise */
	if (p2m_init(&d->p2m, VMID_SHARED))
		goto fail;
	vmid_assign(&d->p2m); /* its own VMID while one is free (vmid.h) */
	for (unsigned i = 0; i < nr_vcpus; i++) {
		struct vcpu *v = page_alloc(0);
		if (!v)
			goto fail;
		v->dom = d;
		v->id = i;
		/* cycle and instret run from the start, as on a hart. */
		v->pmu.running = (1U << PMU_CYCLE) | (1U << PMU_INSTRET);
		v->state = VCPU_STOPPED;
		v->hard_aff = v->soft_aff = ~0ULL; /* every hart */
		d->vcpus[i] = v;
	}
	spin_lock(&domains_lock);
	domains[slot] = d;
	spin_unlock(&domains_lock);
	return d;
fail:
	domain_free(d);
	return NULL;
}

void domain_free(struct domain *d)
{
	/* Its vCPUs are off every queue by now (destroy waited for that). */
	if (d->dying)
		__atomic_sub_fetch(&domains_dying, 1, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i]) {
			cpupool_vcpu_gone(d->vcpus[i]);
			page_free(d->vcpus[i], 0);
		}
	cpupool_set_domain(d, NULL);
	if (d->con_ring)
		page_free(d->con_ring, CONSOLE_RING_ORDER);
	virqc_free(d);
	p2m_destroy(&d->p2m);
	vmid_release(&d->p2m); /* flushed on every hart before its reuse */
	spin_lock(&domains_lock);
	if (domains[d->slot] == d)
		domains[d->slot] = NULL;
	spin_unlock(&domains_lock);
	page_free(d, 0);
}

struct domain *domain_by_id(unsigned id)
{
	for (unsigned i = 0; i < MAX_DOMAINS; i++)
		if (domains[i] && domains[i]->id == id)
			return domains[i];
	return NULL;
}

struct domain *domain_get(unsigned id)
{
	struct domain *d;

	spin_lock(&domains_lock);
	d = domain_by_id(id);
	if (d && !d->dying)
		__atomic_add_fetch(&d->refcnt, 1, __ATOMIC_ACQ_REL);
	else
		d = NULL;
	spin_unlock(&domains_lock);
	if (d)
		this_pcpu()->refs_held++;
	return d;
}

void domain_put(struct domain *d)
{
	/* The destroyer waits for the count to fall to the table's one. */
	this_pcpu()->refs_held--;
	__atomic_sub_fetch(&d->refcnt, 1, __ATOMIC_ACQ_REL);
}

void domain_mark_dying(struct domain *d)
{
	/* Under the table lock: a domain_get() either saw dying clear and
	 * counted itself first, or sees it set. */
	spin_lock(&domains_lock);
	if (!d->dying)
		__atomic_add_fetch(&domains_dying, 1, __ATOMIC_SEQ_CST);
	d->dying = true;
	spin_unlock(&domains_lock);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

struct vcpu *domain_vcpu(struct domain *d, unsigned long hartid)
{
	return hartid < d->nr_vcpus ? d->vcpus[hartid] : NULL;
}

bool domain_console_rx(struct domain *d, uint8_t c)
{
	bool ok;

	spin_lock(&d->vuart_lock);
	ok = vuart_rx_push(&d->vuart, c);
	spin_unlock(&d->vuart_lock);
	return ok;
}

/* The vUART's interrupt output drives its line on the domain's controller. */
void domain_vuart_irq(void *opaque, bool level)
{
	struct domain *d = opaque;

	virqc_set_level(d, d->uart_irq, level);
}

/* Is cmd a request the guest agent of d can act on? */
static bool control_ok(const struct domain *d, uint32_t cmd)
{
	uint32_t arg = VIREO_CONTROL_ARG(cmd);

	if (cmd != VIREO_CONTROL_MAKE(VIREO_CONTROL_CODE(cmd), arg))
		return false; /* bits above the argument */
	switch (VIREO_CONTROL_CODE(cmd)) {
	case VIREO_CONTROL_POWEROFF:
	case VIREO_CONTROL_REBOOT:
		return !arg;
	case VIREO_CONTROL_SET_VCPUS:
		return arg >= 1 && arg <= d->nr_vcpus;
	default:
		return false;
	}
}

long domain_control(struct domain *d, uint32_t cmd)
{
	if (d->is_dom0 || !control_ok(d, cmd))
		return HC_ERR_INVALID_PARAM;
	d->control_cmd = cmd;
	virqc_set_level(d, VIREO_DOMU_CONTROL_IRQ, true);
	return HC_SUCCESS;
}

/*
 * DomU output goes to its ring, which vireod drains. Nothing is lost on the
 * vUART: when the ring is nearly full, its LSR reads THR as busy and the
 * guest waits, as for a real UART slower than its writer. (DBCN and the
 * legacy putchar cannot wait: when the ring is full their oldest bytes go.)
 *
 * How big: a guest writes THR as fast as it traps. Under QEMU TCG that is
 * two traps a byte (LSR, then THR) at about 40 us each, some 13 kB/s
 * (measured with tests/guests/burst, 2 harts shared with another QEMU);
 * on hardware it could be 100 times that. 16 KiB holds over a second of
 * TCG output and some 30 ms of the faster kind: enough that a guest rarely
 * waits for Dom0, and a wait costs it time, never bytes.
 *
 * When Dom0 is told (VIREO_VIRQ_CONSOLE): when the ring turns non-empty, and when
 * it crosses half full and nearly full. A flood, which keeps the ring
 * non-empty (vireod batches its reads), costs Dom0 a few interrupts per
 * 16 KiB, never one per byte; the 100 ms tick of vireod is only a backstop.
 */
bool domain_ring_full_locked(const struct domain *d)
{
	return d->con_len > CONSOLE_RING_SIZE - CONSOLE_RING_SLACK;
}

/* Called with vuart_lock held. */
void domain_ring_write_locked(struct domain *d, const char *s, size_t n)
{
	uint32_t before = d->con_len;
	bool was_full = domain_ring_full_locked(d);

	for (size_t i = 0; i < n; i++) {
		d->con_ring[(d->con_head + d->con_len) % CONSOLE_RING_SIZE] = s[i];
		if (d->con_len < CONSOLE_RING_SIZE)
			d->con_len++;
		else
			d->con_head = (d->con_head + 1) % CONSOLE_RING_SIZE;
	}
	if ((before == 0 && n) ||
	    (before < CONSOLE_RING_SIZE / 2 &&
	     d->con_len >= CONSOLE_RING_SIZE / 2) ||
	    (!was_full && domain_ring_full_locked(d)))
		d->con_notify = 1;
}

void domain_console_notify(struct domain *d)
{
	if (__atomic_exchange_n(&d->con_notify, 0, __ATOMIC_ACQ_REL))
		dom0_virq(VIREO_VIRQ_CONSOLE);
}

/*
 * For writers that can be told "fewer" (SBI DBCN): what fits in the ring,
 * never dropping older output; the caller reports the count and the guest
 * writes the rest later, as it waits on the vUART. Dom0's goes straight
 * to the UART.
 */
size_t domain_console_write_room(struct domain *d, const char *s, size_t n)
{
	if (d->is_dom0 || !d->con_ring) {
		domain_console_write(d, s, n);
		return n;
	}
	spin_lock(&d->vuart_lock);
	n = MIN(n, (size_t)(CONSOLE_RING_SIZE - d->con_len));
	domain_ring_write_locked(d, s, n);
	spin_unlock(&d->vuart_lock);
	domain_console_notify(d);
	return n;
}

void domain_console_write(struct domain *d, const char *s, size_t n)
{
	if (d->is_dom0) {
		console_write(s, n);
	} else if (d->con_ring) {
		spin_lock(&d->vuart_lock);
		domain_ring_write_locked(d, s, n);
		spin_unlock(&d->vuart_lock);
		domain_console_notify(d);
	}
}

size_t domain_ring_read(struct domain *d, char *buf, size_t len)
{
	size_t n, first;

	spin_lock(&d->vuart_lock);
	n = MIN(len, (size_t)d->con_len);
	first = MIN(n, (size_t)(CONSOLE_RING_SIZE - d->con_head));
	memcpy(buf, d->con_ring + d->con_head, first);
	memcpy(buf + first, d->con_ring, n - first);
	d->con_head = (d->con_head + (uint32_t)n) % CONSOLE_RING_SIZE;
	d->con_len -= (uint32_t)n;
	/* A guest waiting for THRE may go on. */
	if (n)
		vuart_tx_ready(&d->vuart);
	spin_unlock(&d->vuart_lock);
	return n;
}

void *domain_ram_page(struct domain *d, gpa_t gpa, size_t len)
{
	paddr_t pa;

	if (gpa < d->ram_base || gpa - d->ram_base >= d->ram_size ||
	    len > PAGE_SIZE - (gpa & (PAGE_SIZE - 1)) ||
	    !p2m_lookup(&d->p2m, gpa, &pa, NULL))
		return NULL;
	return (void *)pa;
}

bool domain_copy_to(struct domain *d, gpa_t dst, const void *src, size_t len)
{
	void *p = domain_ram_page(d, dst, len);

	if (!p)
		return false;
	memcpy(p, src, len);
	return true;
}

bool domain_copy_from(struct domain *d, void *dst, gpa_t src, size_t len)
{
	uint8_t *out = dst;

	/* Only RAM: device pages passed through to Dom0 are not memory. */
	if (src < d->ram_base || len > d->ram_size ||
	    src - d->ram_base > d->ram_size - len)
		return false;
	while (len) {
		paddr_t pa;
		size_t chunk = MIN(len, PAGE_SIZE - (src & (PAGE_SIZE - 1)));
		if (!p2m_lookup(&d->p2m, src, &pa, NULL))
			return false;
		memcpy(out, (const void *)pa, chunk);
		out += chunk;
		src += chunk;
		len -= chunk;
	}
	return true;
}
