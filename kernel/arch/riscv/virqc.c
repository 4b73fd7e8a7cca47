/*
 * The core's virtual interrupt controller (core/inc/virqc.h) on RISC-V: a
 * vPLIC per domain (vplic.c), its MMIO window in the domain's device table,
 * its outputs on the vCPUs' VSEIP, and read-only shadow pages so that the
 * guest's most frequent reads cost no trap.
 */
#include <string.h>

#include <arch/csr.h>
#include <arch/plic.h>

#include "console.h"
#include "domain.h"
#include "iodev.h"
#include "page_alloc.h"
#include "virqc.h"

/* vPLIC context ctx is vCPU ctx: its output is that vCPU's VSEIP. */
static void set_eip(void *opaque, unsigned ctx, bool level)
{
	struct domain *d = opaque;

	if (ctx < d->nr_vcpus)
		vcpu_set_irq(d->vcpus[ctx], HVIP_VSEIP, level);
}

/* Dom0 completed a host device's interrupt: complete it on the host. */
static void hw_complete(void *opaque, unsigned src)
{
	plic_complete(src);
}

static const struct vplic_ops dom0_ops = {
	.set_eip = set_eip,
	.hw_complete = hw_complete,
};
static const struct vplic_ops domu_ops = {
	.set_eip = set_eip,
	.hw_complete = NULL,
};

/* PLIC registers are 32-bit words. */
static bool plic_read(void *opaque, uint64_t off, unsigned width,
		      uint64_t *val)
{
	struct domain *d = opaque;
	uint32_t w = 0;
	bool ok = width == 4 && vplic_mmio_read(&d->irqc.plic, off, &w);

	*val = w;
	return ok;
}

static bool plic_write(void *opaque, uint64_t off, unsigned width,
		       uint64_t val)
{
	struct domain *d = opaque;

	return width == 4 &&
	       vplic_mmio_write(&d->irqc.plic, off, (uint32_t)val);
}

static const struct mmio_ops plic_ops = {.read = plic_read,
					 .write = plic_write};

/* A zeroed page mapped read-only into d at gpa; NULL if out of memory. */
static uint32_t *shadow_page(struct domain *d, gpa_t gpa)
{
	uint32_t *page = page_alloc(0);

	if (!page)
		return NULL;
	memset(page, 0, PAGE_SIZE);
	if (p2m_map(&d->p2m, gpa, (paddr_t)page, PAGE_SIZE, P2M_PROT_R)) {
		page_free(page, 0);
		return NULL;
	}
	return page;
}

/*
 * The enable bits and each context's threshold/claim block, mapped
 * read-only over the guest's window (vplic_set_enable_shadow,
 * vplic_set_ctx_shadow): Linux's reads of the enable word on every EOI and
 * of claim cost no trap. The pages are freed with the domain.
 */
static int shadows(struct domain *d)
{
	struct vplic *p = &d->irqc.plic;
	uint32_t *page = shadow_page(d, d->plic_base + VPLIC_ENABLE_BASE);

	if (!page)
		return -1;
	vplic_set_enable_shadow(p, page);
	for (unsigned c = 0; c < p->nctx; c++) {
		page = shadow_page(d, d->plic_base + VPLIC_CONTEXT_BASE +
					      c * PAGE_SIZE);
		if (!page)
			return -1;
		vplic_set_ctx_shadow(p, c, page);
	}
	return 0;
}

int virqc_init(struct domain *d, unsigned nr_lines)
{
	vplic_init(&d->irqc.plic, nr_lines, d->nr_vcpus,
		   d->is_dom0 ? &dom0_ops : &domu_ops, d);
	if (shadows(d))
		return -1;
	return domain_mmio_register(d, d->plic_base, VPLIC_SIZE, &plic_ops, d);
}

void virqc_free(struct domain *d)
{
	struct vplic *p = &d->irqc.plic;

	if (p->enable_shadow)
		page_free(p->enable_shadow, 0);
	for (unsigned c = 0; c < VPLIC_MAX_CTX; c++)
		if (p->ctx_shadow[c])
			page_free(p->ctx_shadow[c], 0);
}

unsigned virqc_nr_lines(const struct domain *d)
{
	return d->irqc.plic.nsrc;
}

void virqc_set_level(struct domain *d, unsigned line, bool level)
{
	vplic_set_level(&d->irqc.plic, line, level);
}

void virqc_inject(struct domain *d, unsigned line)
{
	vplic_inject_hw(&d->irqc.plic, line);
}

void virqc_set_hw(struct domain *d, unsigned line)
{
	vplic_set_hw(&d->irqc.plic, line);
}

void virqc_dump(struct domain *d, void (*out)(const char *s))
{
	struct vplic *p = &d->irqc.plic;
	char buf[160];

	snprintf(buf, sizeof(buf),
		 "  %u %s: vplic pend %x.%x act %x.%x lvl %x.%x\n", d->id,
		 d->name, p->pending[1], p->pending[0], p->active[1],
		 p->active[0], p->level[1], p->level[0]);
	out(buf);
	for (unsigned c = 0; c < p->nctx; c++) {
		struct vcpu *v = c < d->nr_vcpus ? d->vcpus[c] : NULL;
		snprintf(buf, sizeof(buf),
			 "    ctx %u: eip %d claim %u en %x.%x thr %u; vcpu %d "
			 "eip %d\n",
			 c, p->eip[c], p->ctx_shadow[c] ? p->ctx_shadow[c][1] : 0,
			 p->enable[c][1], p->enable[c][0], p->threshold[c],
			 v ? (int)v->id : -1, v ? v->arch.eip : 0);
		out(buf);
	}
}
