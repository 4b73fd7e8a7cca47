/*
 * Dom0: the privileged Linux guest. Its RAM is mapped 1:1 (GPA == HPA)
 * because QEMU virt has no IOMMU and its passed-through virtio-mmio devices
 * DMA to host-physical addresses. Kernel and initramfs come from QEMU's
 * -device guest-loader modules (/chosen/module@ADDR, "multiboot,kernel" and
 * "multiboot,ramdisk"), the Xen-on-Arm convention.
 *
 * Dom0's RAM:
 *   base            kernel Image (moved here if the module is elsewhere)
 *   base + 96 MiB   initramfs (moved here unless already inside Dom0's RAM,
 *                   clear of the kernel)
 *   top - 2 MiB     Dom0's device tree
 */
#include <string.h>

#include <arch/plic.h>

#include "bootfdt.h"
#include "console.h"
#include "domain.h"
#include "libfdt.h"
#include "memory.h"
#include "page_alloc.h"
#include "pcpu.h"
#include "printk.h"
#include "sched.h"
#include "vireo_abi.h"

#define DOM0_ID 0
#define DOM0_KERNEL_ROOM MiB(96)
#define DOM0_DTB_OFFSET_FROM_TOP MiB(2)
#define DOM0_DTB_MAX KiB(64)
#define VIREO_NODE_BASE 0x100000000UL /* above host RAM: future windows */
#define VIREO_NODE_SIZE GiB(1)
#define MAX_PASSTHROUGH 16

struct domain *dom0;
static unsigned pt_irqs[MAX_PASSTHROUGH];
static unsigned nr_pt_irqs;

static void vuart_tx(void *opaque, uint8_t c)
{
	char ch = (char)c;
	domain_console_write(opaque, &ch, 1);
}

static const struct vuart_ops dom0_vuart_ops = {
	.tx = vuart_tx,
	.set_irq = domain_vuart_irq,
};

bool domain_host_irq(unsigned src)
{
	for (unsigned i = 0; i < nr_pt_irqs; i++) {
		if (pt_irqs[i] == src) {
			virqc_inject(dom0, src);
			return true;
		}
	}
	return false;
}

/* Map every virtio-mmio slot and the RTC 1:1 and route their interrupts. */
static void passthrough_devices(const void *fdt)
{
	static const char *const compat[] = {"virtio,mmio",
					     "google,goldfish-rtc"};

	for (unsigned c = 0; c < ARRAY_SIZE(compat); c++) {
		int node = -1;
		while ((node = fdt_node_offset_by_compatible(fdt, node,
							     compat[c])) >= 0) {
			paddr_t base, size;
			const fdt32_t *irq;
			int len;
			if (!bootfdt_node_enabled(fdt, node) ||
			    bootfdt_read_reg(fdt, node, 0, &base, &size))
				continue;
			size = ALIGN_UP(size, PAGE_SIZE);
			if (p2m_map(&dom0->p2m, base, base, size,
				       P2M_PROT_R | P2M_PROT_W))
				printk("dom0: cannot map %lx\n", base);
			irq = fdt_getprop(fdt, node, "interrupts", &len);
			if (irq && len >= 4 && nr_pt_irqs < MAX_PASSTHROUGH) {
				unsigned src = fdt32_to_cpu(irq[0]);
				if (src == 0 || src >= virqc_nr_lines(dom0))
					continue;
				pt_irqs[nr_pt_irqs++] = src;
				virqc_set_hw(dom0, src);
				plic_enable(src);
			}
		}
	}
}

/* The host ISA string without 'h': Dom0 gets no nested virtualisation. */
static void guest_isa(const void *fdt, char *out, size_t size)
{
	int cpu = fdt_path_offset(fdt, "/cpus");
	const char *isa = NULL;
	size_t n = 0;
	bool base = true;

	for (cpu = fdt_first_subnode(fdt, cpu); cpu >= 0 && !isa;
	     cpu = fdt_next_subnode(fdt, cpu))
		if (bootfdt_is_cpu(fdt, cpu))
			isa = fdt_getprop(fdt, cpu, "riscv,isa", NULL);
	if (!isa)
		isa = "rv64imafdc_sstc";
	for (size_t i = 0; isa[i] && n + 1 < size; i++) {
		if (isa[i] == '_')
			base = false;
		if (base && i > 4 && isa[i] == 'h')
			continue;
		out[n++] = isa[i];
	}
	out[n] = '\0';
}

/* Put the modules where Dom0 expects them; returns the initrd range. */
static void place_modules(const struct host_info *hi, paddr_t base,
			  uint64_t size, paddr_t *rd_start, paddr_t *rd_end)
{
	if (hi->kernel_size > DOM0_KERNEL_ROOM)
		panic("dom0: kernel module too large (%lu bytes)",
		      (unsigned long)hi->kernel_size);
	if (hi->kernel_base != base)
		memmove((void *)base, (const void *)hi->kernel_base,
			hi->kernel_size);
	*rd_start = *rd_end = 0;
	if (!hi->initrd_size)
		return;
	paddr_t rd = hi->initrd_base;
	uint64_t room = size - DOM0_KERNEL_ROOM - DOM0_DTB_OFFSET_FROM_TOP;
	if (hi->initrd_size > room)
		panic("dom0: initramfs too large (%lu bytes)",
		      (unsigned long)hi->initrd_size);
	if (rd < base + DOM0_KERNEL_ROOM ||
	    rd + hi->initrd_size > base + size - DOM0_DTB_OFFSET_FROM_TOP) {
		rd = base + DOM0_KERNEL_ROOM;
		memmove((void *)rd, (const void *)hi->initrd_base,
			hi->initrd_size);
	}
	*rd_start = rd;
	*rd_end = rd + hi->initrd_size;
}

void dom0_build(const void *fdt, const struct host_info *hi, paddr_t base,
		uint64_t size, paddr_t hyp_base, uint64_t hyp_size,
		unsigned max_vcpus)
{
	static char isa[256];
	struct dom0_dt_params dp = {0};
	unsigned nr_vcpus = MIN(nr_pcpus, MAX_VCPUS);

	/* dom0_max_vcpus=N, as Xen's: the harts past N hold no Dom0 vCPU. */
	if (max_vcpus)
		nr_vcpus = MIN(nr_vcpus, max_vcpus);
	paddr_t dtb = base + size - DOM0_DTB_OFFSET_FROM_TOP;
	int err;

	if (!hi->kernel_size)
		panic("dom0: no kernel (use -device guest-loader,kernel=...)");
	dom0 = domain_alloc(DOM0_ID, "Domain-0", nr_vcpus);
	if (!dom0)
		panic("dom0: out of memory");
	dom0->is_dom0 = true;
	dom0->ram_base = base;
	dom0->ram_size = size;
	dom0->uart_base = hi->uart_base;
	dom0->uart_irq = hi->uart_irq;
	dom0->plic_base = hi->plic_base;
	dom0->plic_size = hi->plic_size;
	if (virqc_init(dom0, MIN(hi->plic_ndev + 1, VIRQC_MAX_LINES)))
		panic("dom0: out of memory for its interrupt controller");
	vuart_init(&dom0->vuart, &dom0_vuart_ops, dom0);
	if (domain_devices_init(dom0))
		panic("dom0: its devices overlap");
	if (domain_evtchn_init(dom0, VIREO_DOM0_EVTCHN_IRQ))
		panic("dom0: out of memory for event channels");
	place_modules(hi, base, size, &dp.initrd_start, &dp.initrd_end);

	guest_isa(fdt, isa, sizeof(isa));
	dp.mem_base = base;
	dp.mem_size = size;
	dp.hyp_base = hyp_base;
	dp.hyp_size = hyp_size;
	dp.pool_base = dom_pool.base;
	dp.pool_size = dom_pool.npages << PAGE_SHIFT;
	dp.nr_vcpus = nr_vcpus;
	dp.bootargs = hi->kernel_bootargs;
	dp.vireo_base = VIREO_NODE_BASE;
	dp.vireo_size = VIREO_NODE_SIZE;
	dp.vireo_irq = VIREO_DOM0_EVTCHN_IRQ; /* its event-channel upcall */
	dp.isa = isa;
	dp.plic_ndev = virqc_nr_lines(dom0) - 1;
	err = dom0_dtb_build(fdt, (void *)dtb, DOM0_DTB_MAX, &dp);
	if (err)
		panic("dom0: device tree: %s", fdt_strerror(err));

	if (p2m_map(&dom0->p2m, base, base, size, P2M_PROT_RWX))
		panic("dom0: cannot map its RAM");
	passthrough_devices(fdt);
	for (unsigned i = 0; i < nr_vcpus; i++)
		sched_place_vcpu(dom0->vcpus[i], i);
	printk("dom0: %u vCPUs, RAM %lx-%lx (1:1), kernel %lx, initrd %lx-%lx, "
	       "dtb %lx\n",
	       nr_vcpus, base, base + size - 1, base, dp.initrd_start,
	       dp.initrd_end, dtb);
	printk("dom0: isa %s, bootargs \"%s\"\n", isa,
	       hi->kernel_bootargs ? hi->kernel_bootargs : "");
	vcpu_start(dom0->vcpus[0], base, 0, dtb);
}
