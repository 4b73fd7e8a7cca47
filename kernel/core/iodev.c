/*
 * The MMIO devices the hypervisor emulates for a domain, each a region in
 * the domain's table (iodev.h), and the dispatch of a trapped access:
 * table first, then the ioreq servers (device models in Dom0). The
 * interrupt controller registers its own region (virqc_init).
 */
#include "console.h"
#include "domain.h"
#include "ioreq.h"
#include "iodev.h"
#include "printk.h"
#include "vireo_abi.h"

bool domain_mmio_overlaps(const struct domain *d, gpa_t base, uint64_t size)
{
	for (unsigned i = 0; i < d->nr_mmio; i++)
		if (ranges_meet(base, size, d->mmio[i].base, d->mmio[i].size))
			return true;
	return false;
}

int domain_mmio_register(struct domain *d, gpa_t base, uint64_t size,
			 const struct mmio_ops *ops, void *opaque)
{
	if (!size || base + size < base || d->nr_mmio == DOMAIN_MAX_MMIO ||
	    domain_mmio_overlaps(d, base, size) ||
	    ranges_meet(base, size, d->ram_base, d->ram_size))
		return -1;
	d->mmio[d->nr_mmio++] = (struct mmio_region){base, size, ops, opaque};
	return 0;
}

const struct mmio_region *domain_mmio_find(const struct domain *d, gpa_t gpa,
					   unsigned width)
{
	for (unsigned i = 0; i < d->nr_mmio; i++) {
		const struct mmio_region *r = &d->mmio[i];
		if (gpa >= r->base && gpa - r->base < r->size &&
		    gpa - r->base + width <= r->size)
			return r;
	}
	return NULL;
}

enum mmio_result domain_mmio(struct domain *d, struct vcpu *v, gpa_t gpa,
			     unsigned width, bool is_store, uint64_t *val)
{
	const struct mmio_region *r = domain_mmio_find(d, gpa, width);

	if (r) {
		bool ok =
		    is_store
			? r->ops->write(r->opaque, gpa - r->base, width, *val)
			: r->ops->read(r->opaque, gpa - r->base, width, val);
		return ok ? MMIO_DONE : MMIO_FAULT;
	}
	if (d->is_dom0)
		return MMIO_FAULT;
	return ioreq_mmio(v, gpa, width, is_store, val);
}

/* ------------------------------------------------------------- vUART */

/* 8250 registers are bytes; wider accesses see the low byte. */
static bool uart_access(struct domain *d, uint64_t off, bool is_store,
			uint64_t *val)
{
	uint8_t b = (uint8_t)*val;
	bool ok;

	spin_lock(&d->vuart_lock);
	ok = is_store ? vuart_write(&d->vuart, (unsigned)off, b)
		      : vuart_read(&d->vuart, (unsigned)off, &b);
	spin_unlock(&d->vuart_lock);
	domain_console_notify(d); /* THR output the ring took */
	if (!is_store)
		*val = b;
	/* A read may have made room for buffered console input. */
	if (ok && !is_store && d->is_dom0)
		console_feed_dom0();
	return ok;
}

static bool uart_read(void *opaque, uint64_t off, unsigned width, uint64_t *val)
{
	return uart_access(opaque, off, false, val);
}

static bool uart_write(void *opaque, uint64_t off, unsigned width, uint64_t val)
{
	return uart_access(opaque, off, true, &val);
}

static const struct mmio_ops uart_ops = {.read = uart_read,
					 .write = uart_write};

/* ----------------------------------------------------------- pvpanic */

/*
 * QEMU's pvpanic-mmio: reading gives the events supported, writing one
 * reports it. Linux writes PANICKED from its panic notifier.
 */
#define PVPANIC_PANICKED (1U << 0)
#define PVPANIC_CRASH_LOADED (1U << 1)

static bool pvpanic_read(void *opaque, uint64_t off, unsigned width,
			 uint64_t *val)
{
	*val = PVPANIC_PANICKED | PVPANIC_CRASH_LOADED;
	return true;
}

static bool pvpanic_write(void *opaque, uint64_t off, unsigned width,
			  uint64_t val)
{
	struct domain *d = opaque;

	if (val & (PVPANIC_PANICKED | PVPANIC_CRASH_LOADED)) {
		printk("domain %u (%s) reported a panic\n", d->id, d->name);
		domain_shutdown(d, VIREO_SHUTDOWN_CRASH);
	}
	return true;
}

static const struct mmio_ops pvpanic_ops = {.read = pvpanic_read,
					    .write = pvpanic_write};

/* ---------------------------------------------------- control device */

/* The DomU control device (register map in abi/vireo_abi.h). */
static bool control_read(void *opaque, uint64_t off, unsigned width,
			 uint64_t *val)
{
	struct domain *d = opaque;

	if (width != 4)
		return false;
	if (off == VIREO_CONTROL_REG_COMMAND)
		*val = d->control_cmd;
	else if (off == VIREO_CONTROL_REG_MAGIC)
		*val = VIREO_CONTROL_MAGIC;
	else
		return false;
	return true;
}

static bool control_write(void *opaque, uint64_t off, unsigned width,
			  uint64_t val)
{
	struct domain *d = opaque;

	if (width != 4)
		return false;
	if (off == VIREO_CONTROL_REG_COMMAND) {
		d->control_cmd = VIREO_CONTROL_NONE;
		virqc_set_level(d, VIREO_DOMU_CONTROL_IRQ, false);
		return true;
	}
	return off == VIREO_CONTROL_REG_MAGIC; /* read-only: ignored */
}

static const struct mmio_ops control_ops = {.read = control_read,
					    .write = control_write};

int domain_devices_init(struct domain *d)
{
	/* The interrupt controller registered itself (virqc_init). */
	if (domain_mmio_register(d, d->uart_base, VUART_SIZE, &uart_ops, d))
		return -1;
	if (d->is_dom0)
		return 0;
	if (domain_mmio_register(d, VIREO_DOMU_PVPANIC_BASE,
				 VIREO_DOMU_PVPANIC_SIZE, &pvpanic_ops, d) ||
	    domain_mmio_register(d, VIREO_DOMU_CONTROL_BASE,
				 VIREO_DOMU_CONTROL_SIZE, &control_ops, d))
		return -1;
	return 0;
}
