/* Domains: allocation, emulated MMIO dispatch, console and memory access. */
#include <string.h>

#include "console.h"
#include "domain.h"
#include "page_alloc.h"
#include "pcpu.h"
#include "printk.h"
#include "sched.h"

struct domain *domains[MAX_DOMAINS];

struct domain *domain_alloc(unsigned id, const char *name, unsigned nr_vcpus)
{
	struct domain *d;

	_Static_assert(sizeof(struct domain) <= PAGE_SIZE, "domain > page");
	_Static_assert(sizeof(struct vcpu) <= PAGE_SIZE, "vcpu > page");
	if (id >= MAX_DOMAINS || domains[id] || !nr_vcpus ||
	    nr_vcpus > MAX_VCPUS)
		return NULL;
	d = page_alloc(0);
	if (!d)
		return NULL;
	d->id = id;
	strncpy(d->name, name, DOMAIN_NAME_LEN - 1);
	d->nr_vcpus = nr_vcpus;
	if (gstage_init(&d->gs, (uint16_t)(id + 1)))
		goto fail;
	for (unsigned i = 0; i < nr_vcpus; i++) {
		struct vcpu *v = page_alloc(0);
		if (!v)
			goto fail;
		v->dom = d;
		v->id = i;
		v->state = VCPU_STOPPED;
		d->vcpus[i] = v;
	}
	domains[id] = d;
	return d;
fail:
	for (unsigned i = 0; i < nr_vcpus; i++)
		if (d->vcpus[i])
			page_free(d->vcpus[i], 0);
	gstage_destroy(&d->gs);
	page_free(d, 0);
	return NULL;
}

struct vcpu *domain_vcpu(struct domain *d, unsigned long hartid)
{
	return hartid < d->nr_vcpus ? d->vcpus[hartid] : NULL;
}

static bool in_window(gpa_t gpa, unsigned width, gpa_t base, uint64_t size)
{
	return gpa >= base && gpa - base < size && gpa - base + width <= size;
}

static bool vuart_access(struct domain *d, uint64_t off, bool is_store,
			 uint64_t *val)
{
	uint8_t b = (uint8_t)*val;
	bool ok;

	spin_lock(&d->vuart_lock);
	ok = is_store ? vuart_write(&d->vuart, (unsigned)off, b)
		      : vuart_read(&d->vuart, (unsigned)off, &b);
	spin_unlock(&d->vuart_lock);
	if (!is_store)
		*val = b;
	/* A read may have made room for buffered console input. */
	if (ok && !is_store && d->is_dom0)
		console_feed_dom0();
	return ok;
}

bool domain_mmio(struct domain *d, struct vcpu *v, gpa_t gpa, unsigned width,
		 bool is_store, uint64_t *val)
{
	if (in_window(gpa, width, d->plic_base, VPLIC_SIZE)) {
		uint32_t w = (uint32_t)*val;
		bool ok;
		if (width != 4)
			return false;
		ok = is_store ? vplic_mmio_write(&d->vplic, gpa - d->plic_base, w)
			      : vplic_mmio_read(&d->vplic, gpa - d->plic_base, &w);
		*val = w;
		return ok;
	}
	if (in_window(gpa, width, d->uart_base, VUART_SIZE)) {
		/* 8250 registers are bytes; wider accesses see the low byte. */
		return vuart_access(d, gpa - d->uart_base, is_store, val);
	}
	return false;
}

bool domain_console_rx(struct domain *d, uint8_t c)
{
	bool ok;

	spin_lock(&d->vuart_lock);
	ok = vuart_rx_push(&d->vuart, c);
	spin_unlock(&d->vuart_lock);
	return ok;
}

void domain_console_write(struct domain *d, const char *s, size_t n)
{
	if (d->is_dom0)
		console_write(s, n);
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
		if (!gstage_lookup(&d->gs, src, &pa, NULL))
			return false;
		memcpy(out, (const void *)pa, chunk);
		out += chunk;
		src += chunk;
		len -= chunk;
	}
	return true;
}
