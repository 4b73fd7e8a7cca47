/*
 * Host PLIC. Register map as in kernel/core/inc/vplic.h. Context numbers are
 * not fixed by the PLIC: entry i of the node's interrupts-extended is context
 * i, and the entry whose cause is 9 (S external) on our hart is ours. On QEMU
 * virt that is 2*hart+1, but the device tree is what we trust.
 */
#include <arch/plic.h>

#include "libfdt.h"
#include "printk.h"

#define PLIC_PRIORITY(src) (4 * (src))
#define PLIC_ENABLE(ctx, src) (0x2000 + 0x80 * (ctx) + 4 * ((src) / 32))
#define PLIC_THRESHOLD(ctx) (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (0x200004 + 0x1000 * (ctx))

static volatile uint8_t *plic;
static unsigned plic_ctx;

static inline volatile uint32_t *reg(unsigned long off)
{
	return (volatile uint32_t *)(plic + off);
}

/* Hart id of the cpu node that owns interrupt controller phandle ph. */
static long intc_hartid(const void *fdt, uint32_t ph)
{
	int intc = fdt_node_offset_by_phandle(fdt, ph);
	int cpu = intc >= 0 ? fdt_parent_offset(fdt, intc) : -1;
	const fdt32_t *r;
	int len;

	if (cpu < 0)
		return -1;
	r = fdt_getprop(fdt, cpu, "reg", &len);
	return r && len >= 4 ? (long)fdt32_to_cpu(r[len / 4 - 1]) : -1;
}

int plic_init(const void *fdt, paddr_t base, unsigned long hartid)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0");
	const fdt32_t *ie;
	int len;

	if (node < 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "sifive,plic-1.0.0");
	ie = node >= 0 ? fdt_getprop(fdt, node, "interrupts-extended", &len)
		       : NULL;
	if (!ie)
		return -1;
	for (int i = 0; i < len / 8; i++) {
		if (fdt32_to_cpu(ie[2 * i + 1]) == 9 &&
		    intc_hartid(fdt, fdt32_to_cpu(ie[2 * i])) == (long)hartid) {
			plic = (volatile uint8_t *)base;
			plic_ctx = (unsigned)i;
			*reg(PLIC_THRESHOLD(plic_ctx)) = 0;
			printk("PLIC at %lx, hart %lu uses context %u\n",
			       (unsigned long)base, hartid, plic_ctx);
			return 0;
		}
	}
	return -1;
}

void plic_enable(unsigned src)
{
	*reg(PLIC_PRIORITY(src)) = 1;
	*reg(PLIC_ENABLE(plic_ctx, src)) |= 1U << (src % 32);
}

unsigned plic_claim(void)
{
	return *reg(PLIC_CLAIM(plic_ctx));
}

void plic_complete(unsigned src)
{
	*reg(PLIC_CLAIM(plic_ctx)) = src;
}
