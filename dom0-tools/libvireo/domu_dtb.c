/*
 * libvireo: the device tree a DomU's Linux 6.1 boots with.
 *
 * Written with libfdt's sequential-write API, in one pass:
 *
 *   /                   #address-cells = #size-cells = 2, "vireo,domu"
 *   /chosen             bootargs, linux,initrd-start/end (64-bit values,
 *                       only if there is an initrd), stdout-path -> UART.
 *                       Always present: without /chosen QEMU refuses a
 *                       -dtb, and Linux looks there first.
 *   /memory@BASE        the RAM window (Linux drops an initrd that is not
 *                       in a memory region, then oopses)
 *   /cpus               timebase-frequency (6.1 reads it only here, and
 *                       panics without it); cpu@N per vCPU: reg N is the
 *                       vCPU id SBI HSM takes; riscv,isa; mmu-type (OpenSBI
 *                       <= 1.1 drops harts without it); a riscv,cpu-intc
 *                       child (else "No interrupt controller found")
 *   /hypervisor         "vireo,hypervisor-domu": the event-channel upcall,
 *                       interrupts = <VIREO_DOMU_EVTCHN_IRQ> on the vPLIC.
 *                       Always present; vireo.ko binds to it (no reg: a
 *                       DomU has no foreign window). Xen's /hypervisor node
 *                       does the same job.
 *   /soc                simple-bus, identity ranges:
 *     interrupt-controller@c000000
 *                       the vPLIC. interrupts-extended entry i is context
 *                       i, and context i is vCPU i's S-mode external
 *                       interrupt (cell 9); no M-mode placeholders.
 *                       riscv,ndev is required (else of_irq_init fails)
 *     serial@10000000   ns16550a, the vUART (stdout-path)
 *     pvpanic@10100000  qemu,pvpanic-mmio
 *     virtio_mmio@ADDR  one per slot the caller emulates, in its order
 *                       (an unbacked slot would oops the guest)
 *     vireo-control@ADDR
 *                       optional "vireo,domu-control" window
 *
 * No CLINT (the hypervisor provides IPIs and the timer through SBI and
 * Sstc) and no sifive,test/syscon node (it emulates SBI SRST).
 *
 * Parameters are checked before the buffer is touched; libfdt never
 * writes past the size it is given.
 */
#include "domu_dtb.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "libfdt.h"
#include "vireo_abi.h"

#define DOMU_RAM_ALIGN (2UL * 1024 * 1024)
#define DOMU_UART_SIZE 0x100UL
#define DOMU_UART_CLOCK 3686400
#define DOMU_INTC_S_EXT 9 /* cpu-intc cell: supervisor external interrupt */

/* Phandles: fixed, so a reader of a dump can tell them apart. */
#define DOMU_PHANDLE_PLIC 1
#define DOMU_PHANDLE_INTC(n) (2 + (n))

#define DOMU_NAME_LEN 48

struct window {
	uint64_t base, size;
};

static bool window_ok(uint64_t base, uint64_t size)
{
	return base != 0 && (base & (size - 1)) == 0 &&
	       base <= UINT64_MAX - size;
}

static bool overlaps(struct window a, struct window b)
{
	return a.base < b.base + b.size && b.base < a.base + a.size;
}

/* strlen(s) <= max, reading at most max + 1 bytes (strnlen is POSIX). */
static bool len_ok(const char *s, size_t max)
{
	size_t n = 0;

	while (n <= max && s[n])
		n++;
	return n <= max;
}

static bool irq_ok(unsigned irq)
{
	return irq >= 1 && irq <= VIREO_DOMU_PLIC_NDEV;
}

static int check_params(const struct domu_dtb_params *p)
{
	/* RAM, PLIC, UART, pvpanic, up to 8 virtio slots, control */
	struct window w[4 + DOMU_DTB_MAX_VIRTIO + 1];
	/* UART, event channels, virtio slots, control */
	unsigned irq[2 + DOMU_DTB_MAX_VIRTIO + 1];
	unsigned nw = 0, nirq = 0, i, j;

	if (p->nr_vcpus < 1 || p->nr_vcpus > VIREO_MAX_VCPUS)
		return -FDT_ERR_BADVALUE;
	if (p->ram_size == 0 || (p->ram_base & (DOMU_RAM_ALIGN - 1)) ||
	    (p->ram_size & (DOMU_RAM_ALIGN - 1)) ||
	    p->ram_base > UINT64_MAX - p->ram_size)
		return -FDT_ERR_BADVALUE;
	if (p->initrd_start || p->initrd_end) {
		if (p->initrd_start >= p->initrd_end ||
		    p->initrd_start < p->ram_base ||
		    p->initrd_end > p->ram_base + p->ram_size)
			return -FDT_ERR_BADVALUE;
	}
	if (p->timebase_hz == 0)
		return -FDT_ERR_BADVALUE;
	/* 6.1 wants "rv" first, and f,d spelt out (not "g"): see the notes. */
	if (!p->isa || strncmp(p->isa, "rv64", 4) ||
	    !len_ok(p->isa, DOMU_DTB_MAX_ISA))
		return -FDT_ERR_BADVALUE;
	if (p->bootargs && !len_ok(p->bootargs, DOMU_DTB_MAX_BOOTARGS))
		return -FDT_ERR_BADVALUE;
	if (p->nr_virtio > DOMU_DTB_MAX_VIRTIO)
		return -FDT_ERR_BADVALUE;

	w[nw++] = (struct window){ p->ram_base, p->ram_size };
	w[nw++] = (struct window){ VIREO_DOMU_PLIC_BASE, VIREO_DOMU_PLIC_SIZE };
	w[nw++] = (struct window){ VIREO_DOMU_UART_BASE, DOMU_UART_SIZE };
	w[nw++] = (struct window){ VIREO_DOMU_PVPANIC_BASE,
				   VIREO_DOMU_PVPANIC_SIZE };
	irq[nirq++] = VIREO_DOMU_UART_IRQ;
	irq[nirq++] = VIREO_DOMU_EVTCHN_IRQ;
	for (i = 0; i < p->nr_virtio; i++) {
		if (!window_ok(p->virtio_base[i], DOMU_DTB_MMIO_SIZE) ||
		    !irq_ok(p->virtio_irq[i]))
			return -FDT_ERR_BADVALUE;
		w[nw++] = (struct window){ p->virtio_base[i],
					   DOMU_DTB_MMIO_SIZE };
		irq[nirq++] = p->virtio_irq[i];
	}
	if (p->control_node) {
		if (!window_ok(p->control_base, DOMU_DTB_MMIO_SIZE) ||
		    !irq_ok(p->control_irq))
			return -FDT_ERR_BADVALUE;
		w[nw++] = (struct window){ p->control_base,
					   DOMU_DTB_MMIO_SIZE };
		irq[nirq++] = p->control_irq;
	}
	/* No two windows (hence no two node names) and no two lines alike. */
	for (i = 0; i < nw; i++)
		for (j = i + 1; j < nw; j++)
			if (overlaps(w[i], w[j]))
				return -FDT_ERR_BADVALUE;
	for (i = 0; i < nirq; i++)
		for (j = i + 1; j < nirq; j++)
			if (irq[i] == irq[j])
				return -FDT_ERR_BADVALUE;
	return 0;
}

#define TRY(x)                                                               \
	do {                                                                 \
		int rc_ = (x);                                               \
		if (rc_)                                                     \
			return rc_;                                          \
	} while (0)

/* reg = <base size> in 2+2 cells. */
static int prop_reg(void *fdt, uint64_t base, uint64_t size)
{
	fdt32_t v[4] = {
		cpu_to_fdt32(base >> 32), cpu_to_fdt32((uint32_t)base),
		cpu_to_fdt32(size >> 32), cpu_to_fdt32((uint32_t)size),
	};

	return fdt_property(fdt, "reg", v, sizeof(v));
}

static int begin_unit(void *fdt, const char *prefix, uint64_t addr)
{
	char name[DOMU_NAME_LEN];

	snprintf(name, sizeof(name), "%s@%" PRIx64, prefix, addr);
	return fdt_begin_node(fdt, name);
}

/* A boolean property (no value). Not fdt_property(NULL, 0): memcpy(NULL). */
static int prop_empty(void *fdt, const char *name)
{
	void *val;

	return fdt_property_placeholder(fdt, name, 0, &val);
}

static int add_chosen(void *fdt, const struct domu_dtb_params *p)
{
	char path[DOMU_NAME_LEN];

	TRY(fdt_begin_node(fdt, "chosen"));
	if (p->bootargs)
		TRY(fdt_property_string(fdt, "bootargs", p->bootargs));
	if (p->initrd_start || p->initrd_end) {
		TRY(fdt_property_u64(fdt, "linux,initrd-start",
				     p->initrd_start));
		TRY(fdt_property_u64(fdt, "linux,initrd-end", p->initrd_end));
	}
	snprintf(path, sizeof(path), "/soc/serial@%lx",
		 (unsigned long)VIREO_DOMU_UART_BASE);
	TRY(fdt_property_string(fdt, "stdout-path", path));
	return fdt_end_node(fdt);
}

static int add_memory(void *fdt, const struct domu_dtb_params *p)
{
	TRY(begin_unit(fdt, "memory", p->ram_base));
	TRY(fdt_property_string(fdt, "device_type", "memory"));
	TRY(prop_reg(fdt, p->ram_base, p->ram_size));
	return fdt_end_node(fdt);
}

static int add_cpus(void *fdt, const struct domu_dtb_params *p)
{
	unsigned n;

	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_cell(fdt, "#address-cells", 1));
	TRY(fdt_property_cell(fdt, "#size-cells", 0));
	TRY(fdt_property_cell(fdt, "timebase-frequency", p->timebase_hz));
	for (n = 0; n < p->nr_vcpus; n++) {
		TRY(begin_unit(fdt, "cpu", n));
		TRY(fdt_property_string(fdt, "device_type", "cpu"));
		TRY(fdt_property_string(fdt, "compatible", "riscv"));
		TRY(fdt_property_cell(fdt, "reg", n));
		TRY(fdt_property_string(fdt, "riscv,isa", p->isa));
		TRY(fdt_property_string(fdt, "mmu-type", "riscv,sv48"));
		TRY(fdt_property_string(fdt, "status", "okay"));
		TRY(fdt_begin_node(fdt, "interrupt-controller"));
		TRY(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
		TRY(fdt_property_cell(fdt, "#interrupt-cells", 1));
		TRY(prop_empty(fdt, "interrupt-controller"));
		TRY(fdt_property_cell(fdt, "phandle", DOMU_PHANDLE_INTC(n)));
		TRY(fdt_end_node(fdt)); /* interrupt-controller */
		TRY(fdt_end_node(fdt)); /* cpu@n */
	}
	return fdt_end_node(fdt);
}

static int add_plic(void *fdt, const struct domu_dtb_params *p)
{
	static const char compat[] = "sifive,plic-1.0.0\0riscv,plic0";
	fdt32_t ie[2 * VIREO_MAX_VCPUS];
	unsigned n;

	for (n = 0; n < p->nr_vcpus; n++) {
		ie[2 * n] = cpu_to_fdt32(DOMU_PHANDLE_INTC(n));
		ie[2 * n + 1] = cpu_to_fdt32(DOMU_INTC_S_EXT);
	}
	TRY(begin_unit(fdt, "interrupt-controller", VIREO_DOMU_PLIC_BASE));
	TRY(fdt_property(fdt, "compatible", compat, sizeof(compat)));
	TRY(prop_reg(fdt, VIREO_DOMU_PLIC_BASE, VIREO_DOMU_PLIC_SIZE));
	TRY(prop_empty(fdt, "interrupt-controller"));
	TRY(fdt_property_cell(fdt, "#interrupt-cells", 1));
	TRY(fdt_property_cell(fdt, "#address-cells", 0));
	TRY(fdt_property_cell(fdt, "riscv,ndev", VIREO_DOMU_PLIC_NDEV));
	TRY(fdt_property(fdt, "interrupts-extended", ie,
			 2 * p->nr_vcpus * sizeof(fdt32_t)));
	TRY(fdt_property_cell(fdt, "phandle", DOMU_PHANDLE_PLIC));
	return fdt_end_node(fdt);
}

static int add_irq(void *fdt, unsigned irq)
{
	TRY(fdt_property_cell(fdt, "interrupt-parent", DOMU_PHANDLE_PLIC));
	return fdt_property_cell(fdt, "interrupts", irq);
}

/* The hypervisor's own node: what vireo.ko needs in a DomU. */
static int add_hypervisor(void *fdt)
{
	TRY(fdt_begin_node(fdt, "hypervisor"));
	TRY(fdt_property_string(fdt, "compatible", "vireo,hypervisor-domu"));
	TRY(add_irq(fdt, VIREO_DOMU_EVTCHN_IRQ));
	return fdt_end_node(fdt);
}

static int add_soc(void *fdt, const struct domu_dtb_params *p)
{
	static const char virtio[] = "virtio,mmio";
	unsigned i;

	TRY(fdt_begin_node(fdt, "soc"));
	TRY(fdt_property_cell(fdt, "#address-cells", 2));
	TRY(fdt_property_cell(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "simple-bus"));
	TRY(prop_empty(fdt, "ranges"));

	TRY(add_plic(fdt, p));

	TRY(begin_unit(fdt, "serial", VIREO_DOMU_UART_BASE));
	TRY(fdt_property_string(fdt, "compatible", "ns16550a"));
	TRY(prop_reg(fdt, VIREO_DOMU_UART_BASE, DOMU_UART_SIZE));
	TRY(fdt_property_cell(fdt, "clock-frequency", DOMU_UART_CLOCK));
	TRY(add_irq(fdt, VIREO_DOMU_UART_IRQ));
	TRY(fdt_end_node(fdt));

	TRY(begin_unit(fdt, "pvpanic", VIREO_DOMU_PVPANIC_BASE));
	TRY(fdt_property_string(fdt, "compatible", "qemu,pvpanic-mmio"));
	TRY(prop_reg(fdt, VIREO_DOMU_PVPANIC_BASE, VIREO_DOMU_PVPANIC_SIZE));
	TRY(fdt_end_node(fdt));

	for (i = 0; i < p->nr_virtio; i++) {
		TRY(begin_unit(fdt, "virtio_mmio", p->virtio_base[i]));
		TRY(fdt_property_string(fdt, "compatible", virtio));
		TRY(prop_reg(fdt, p->virtio_base[i], DOMU_DTB_MMIO_SIZE));
		TRY(add_irq(fdt, p->virtio_irq[i]));
		TRY(fdt_end_node(fdt));
	}

	if (p->control_node) {
		TRY(begin_unit(fdt, "vireo-control", p->control_base));
		TRY(fdt_property_string(fdt, "compatible",
					"vireo,domu-control"));
		TRY(prop_reg(fdt, p->control_base, DOMU_DTB_MMIO_SIZE));
		TRY(add_irq(fdt, p->control_irq));
		TRY(fdt_end_node(fdt));
	}
	return fdt_end_node(fdt);
}

int domu_dtb_build(void *buf, size_t size, const struct domu_dtb_params *p)
{
	int rc;

	if (!buf || !p)
		return -FDT_ERR_BADVALUE;
	rc = check_params(p);
	if (rc)
		return rc;

	TRY(fdt_create(buf, size > INT_MAX ? INT_MAX : (int)size));
	TRY(fdt_finish_reservemap(buf));
	TRY(fdt_begin_node(buf, ""));
	TRY(fdt_property_cell(buf, "#address-cells", 2));
	TRY(fdt_property_cell(buf, "#size-cells", 2));
	TRY(fdt_property_string(buf, "compatible", "vireo,domu"));
	TRY(fdt_property_string(buf, "model", "Vireo DomU"));
	TRY(add_chosen(buf, p));
	TRY(add_memory(buf, p));
	TRY(add_cpus(buf, p));
	TRY(add_hypervisor(buf));
	TRY(add_soc(buf, p));
	TRY(fdt_end_node(buf)); /* / */
	return fdt_finish(buf);
}
