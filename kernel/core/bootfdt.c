/*
 * The host device tree.
 *
 * OpenSBI enters the hypervisor with a1 = the physical address of a
 * flattened device tree: the tree QEMU built for the `virt` board, plus
 * OpenSBI's own edits (a /reserved-memory child over its M-mode range).
 * Everything the hypervisor learns about the board comes from it:
 *
 *   /memory@80000000            RAM, in the root's #address/#size-cells
 *   /cpus/cpu@N                 one per hart; reg = hart id (mhartid)
 *   /cpus/timebase-frequency    the rate of the `time` CSR
 *   /soc/serial@10000000        ns16550a: the hypervisor's console
 *   /soc/plic@c000000           the PLIC: reg and riscv,ndev (sources)
 *   /chosen/module@ADDR         QEMU's `-device guest-loader`: Dom0's
 *                               kernel (multiboot,kernel, with bootargs)
 *                               and initramfs (multiboot,ramdisk)
 *
 * The tree is input, not a promise: every property is length-checked
 * before it is read, and a missing one is an error rather than a default.
 */
#include "bootfdt.h"
#include "libfdt.h"
#include "printk.h"

/* PLIC sources are numbered 1..1023; source 0 means "no interrupt". */
#define PLIC_MAX_NDEV 1023

/* Read an n-cell big-endian number; n = 0 (a #size-cells of 0) reads 0. */
static int read_cells(const fdt32_t *p, int n, uint64_t *val)
{
	uint64_t v = 0;
	int i;

	if (n < 0 || n > 2)
		return -FDT_ERR_BADNCELLS;
	for (i = 0; i < n; i++)
		v = (v << 32) | fdt32_ld(&p[i]);
	*val = v;
	return 0;
}

bool bootfdt_prop_streq(const void *fdt, int node, const char *prop,
			const char *str)
{
	const char *val;
	int len;

	val = fdt_getprop(fdt, node, prop, &len);
	return val && len == (int)strlen(str) + 1 && !memcmp(val, str, len);
}

/* A node without "status" is enabled; "ok" is the older spelling of "okay". */
bool bootfdt_node_enabled(const void *fdt, int node)
{
	if (!fdt_getprop(fdt, node, "status", NULL))
		return true;
	return bootfdt_prop_streq(fdt, node, "status", "okay") ||
	       bootfdt_prop_streq(fdt, node, "status", "ok");
}

bool bootfdt_is_cpu(const void *fdt, int node)
{
	return bootfdt_prop_streq(fdt, node, "device_type", "cpu");
}

/*
 * The #address-cells (or #size-cells) that lays out node's reg: the
 * parent's, or, as Linux reads it (of_n_addr_cells), the nearest
 * ancestor's that has one. QEMU's /chosen has none, so its module@ nodes
 * are read with the root's 2 + 2 cells. libfdt's defaults (2, 1) apply
 * when even the root has none.
 */
static int bus_cells(const void *fdt, int node, bool size)
{
	const char *prop = size ? "#size-cells" : "#address-cells";
	int p = node;

	do {
		p = fdt_parent_offset(fdt, p);
		if (p < 0)
			return p;
	} while (p > 0 && !fdt_getprop(fdt, p, prop, NULL));
	return size ? fdt_size_cells(fdt, p) : fdt_address_cells(fdt, p);
}

int bootfdt_read_reg(const void *fdt, int node, int idx, paddr_t *base,
		     paddr_t *size)
{
	const fdt32_t *reg;
	uint64_t b, s;
	int ac, sc, len, rc;

	ac = bus_cells(fdt, node, false);
	if (ac < 0)
		return ac;
	sc = bus_cells(fdt, node, true);
	if (sc < 0)
		return sc;
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg)
		return len;
	if (idx < 0 || len < (idx + 1) * (ac + sc) * (int)sizeof(*reg))
		return -FDT_ERR_BADVALUE;
	reg += idx * (ac + sc);
	rc = read_cells(reg, ac, &b);
	if (!rc)
		rc = read_cells(reg + ac, sc, &s);
	if (rc)
		return rc;
	if (b + s < b) /* the range wraps around the address space */
		return -FDT_ERR_BADVALUE;
	*base = b;
	*size = s;
	return 0;
}

/* Read a one-cell property that must be there. */
static int read_u32(const void *fdt, int node, const char *prop,
		    uint32_t *val)
{
	const fdt32_t *p;
	int len;

	p = fdt_getprop(fdt, node, prop, &len);
	if (!p)
		return len;
	if (len < (int)sizeof(*p))
		return -FDT_ERR_BADVALUE;
	*val = fdt32_ld(p);
	return 0;
}

int bootfdt_find_plic(const void *fdt)
{
	/* QEMU lists both; older trees carry only one of the two names. */
	static const char *const compat[] = { "riscv,plic0",
					      "sifive,plic-1.0.0" };
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(compat); i++) {
		int node = fdt_node_offset_by_compatible(fdt, -1, compat[i]);

		while (node >= 0 && !bootfdt_node_enabled(fdt, node))
			node = fdt_node_offset_by_compatible(fdt, node,
							     compat[i]);
		if (node != -FDT_ERR_NOTFOUND)
			return node;
	}
	return -FDT_ERR_NOTFOUND;
}

static int parse_memory(const void *fdt, struct host_info *hi)
{
	int node, rc;

	node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory",
					     sizeof("memory"));
	if (node < 0)
		return node;
	rc = bootfdt_read_reg(fdt, node, 0, &hi->mem_base, &hi->mem_size);
	if (rc)
		return rc;
	return hi->mem_size ? 0 : -FDT_ERR_BADVALUE;
}

/* Record one enabled hart; hart ids must be unique. */
static int add_hart(struct host_info *hi, unsigned long id, unsigned *seen)
{
	unsigned i;

	for (i = 0; i < hi->nr_harts; i++)
		if (hi->hart_ids[i] == id)
			return -FDT_ERR_BADVALUE;
	(*seen)++;
	if (hi->nr_harts < HOST_MAX_HARTS)
		hi->hart_ids[hi->nr_harts++] = id;
	return 0;
}

static int parse_timebase(const void *fdt, int cpus, struct host_info *hi)
{
	const fdt32_t *p;
	uint64_t hz;
	int len, rc;

	/* One cell on QEMU; the binding allows two. Linux 6.1 reads only /cpus. */
	p = fdt_getprop(fdt, cpus, "timebase-frequency", &len);
	if (!p)
		return len;
	if (len != 4 && len != 8)
		return -FDT_ERR_BADVALUE;
	rc = read_cells(p, len / 4, &hz);
	if (rc)
		return rc;
	if (!hz || hz > UINT32_MAX)
		return -FDT_ERR_BADVALUE;
	hi->timebase_hz = (uint32_t)hz;
	return 0;
}

static int parse_cpus(const void *fdt, struct host_info *hi)
{
	paddr_t id, unused;
	unsigned seen = 0;
	int cpus, node, rc;

	cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return cpus;
	fdt_for_each_subnode(node, fdt, cpus) {
		if (!bootfdt_is_cpu(fdt, node) ||
		    !bootfdt_node_enabled(fdt, node))
			continue;
		rc = bootfdt_read_reg(fdt, node, 0, &id, &unused);
		if (!rc)
			rc = add_hart(hi, id, &seen);
		if (rc)
			return rc;
	}
	if (node != -FDT_ERR_NOTFOUND)
		return node;
	if (!hi->nr_harts)
		return -FDT_ERR_NOTFOUND;
	if (seen > HOST_MAX_HARTS)
		printk("bootfdt: %u harts, using the first %u (HOST_MAX_HARTS)\n",
		       seen, HOST_MAX_HARTS);
	return parse_timebase(fdt, cpus, hi);
}

static int parse_uart(const void *fdt, struct host_info *hi)
{
	paddr_t size;
	uint32_t irq = 0;
	int node, rc;

	node = fdt_node_offset_by_compatible(fdt, -1, "ns16550a");
	while (node >= 0 && !bootfdt_node_enabled(fdt, node))
		node = fdt_node_offset_by_compatible(fdt, node, "ns16550a");
	if (node < 0)
		return node;
	rc = bootfdt_read_reg(fdt, node, 0, &hi->uart_base, &size);
	if (!rc)
		rc = read_u32(fdt, node, "interrupts", &irq);
	if (rc)
		return rc;
	/* One interrupt cell: the PLIC source number, which is never 0. */
	if (!irq || !size)
		return -FDT_ERR_BADVALUE;
	hi->uart_irq = irq;
	return 0;
}

static int parse_plic(const void *fdt, struct host_info *hi)
{
	uint32_t ndev = 0;
	int node, rc;

	node = bootfdt_find_plic(fdt);
	if (node < 0)
		return node;
	rc = bootfdt_read_reg(fdt, node, 0, &hi->plic_base, &hi->plic_size);
	if (!rc)
		rc = read_u32(fdt, node, "riscv,ndev", &ndev);
	if (rc)
		return rc;
	if (!hi->plic_size || !ndev || ndev > PLIC_MAX_NDEV)
		return -FDT_ERR_BADVALUE;
	hi->plic_ndev = ndev;
	return 0;
}

/* A module must be a non-empty range inside the RAM found above. */
static int parse_module(const void *fdt, int node, const struct host_info *hi,
			paddr_t *base, paddr_t *size)
{
	int rc;

	rc = bootfdt_read_reg(fdt, node, 0, base, size);
	if (rc)
		return rc;
	if (!*size || *base < hi->mem_base ||
	    *base + *size > hi->mem_base + hi->mem_size)
		return -FDT_ERR_BADVALUE;
	return 0;
}

static int parse_kernel(const void *fdt, int node, struct host_info *hi)
{
	const char *args;
	int rc, len;

	if (hi->kernel_size) {
		printk("bootfdt: ignoring a second multiboot,kernel module\n");
		return 0;
	}
	rc = parse_module(fdt, node, hi, &hi->kernel_base, &hi->kernel_size);
	if (rc)
		return rc;
	args = fdt_getprop(fdt, node, "bootargs", &len);
	if (!args)
		return len == -FDT_ERR_NOTFOUND ? 0 : len;
	/* The string must end inside the property, not run past it. */
	if (len < 1 || args[len - 1] != '\0')
		return -FDT_ERR_BADVALUE;
	hi->kernel_bootargs = args;
	return 0;
}

static int parse_initrd(const void *fdt, int node, struct host_info *hi)
{
	if (hi->initrd_size) {
		printk("bootfdt: ignoring a second multiboot,ramdisk module\n");
		return 0;
	}
	return parse_module(fdt, node, hi, &hi->initrd_base, &hi->initrd_size);
}

/*
 * QEMU's guest-loader adds /chosen/module@ADDR nodes, the Xen-on-Arm
 * multiboot convention. A tree without them is not an error here: the
 * caller sees kernel_size == 0 and may fall back to an -initrd bundle.
 */
static int parse_modules(const void *fdt, struct host_info *hi)
{
	int chosen, node, rc = 0;

	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen < 0)
		return chosen == -FDT_ERR_NOTFOUND ? 0 : chosen;
	fdt_for_each_subnode(node, fdt, chosen) {
		if (!fdt_node_check_compatible(fdt, node, "multiboot,kernel"))
			rc = parse_kernel(fdt, node, hi);
		else if (!fdt_node_check_compatible(fdt, node,
						    "multiboot,ramdisk"))
			rc = parse_initrd(fdt, node, hi);
		if (rc)
			return rc;
	}
	if (node != -FDT_ERR_NOTFOUND)
		return node;
	if (hi->kernel_size && hi->initrd_size &&
	    hi->kernel_base < hi->initrd_base + hi->initrd_size &&
	    hi->initrd_base < hi->kernel_base + hi->kernel_size)
		return -FDT_ERR_BADVALUE; /* the two modules overlap */
	return 0;
}

int bootfdt_parse(const void *fdt, struct host_info *hi)
{
	int rc;

	memset(hi, 0, sizeof(*hi));
	rc = fdt_check_header(fdt);
	if (!rc)
		rc = parse_memory(fdt, hi);
	if (!rc)
		rc = parse_cpus(fdt, hi);
	if (!rc)
		rc = parse_uart(fdt, hi);
	if (!rc)
		rc = parse_plic(fdt, hi);
	if (!rc && hi->uart_irq > hi->plic_ndev)
		rc = -FDT_ERR_BADVALUE;
	if (!rc)
		rc = parse_modules(fdt, hi);
	if (rc) {
		printk("bootfdt: bad host device tree: %s\n",
		       fdt_strerror(rc));
		return rc;
	}
	printk("bootfdt: RAM %lx+%lx, %u harts, timebase %u Hz, "
	       "PLIC %lx (%u sources), UART %lx irq %u\n",
	       (unsigned long)hi->mem_base, (unsigned long)hi->mem_size,
	       hi->nr_harts, (unsigned)hi->timebase_hz,
	       (unsigned long)hi->plic_base, hi->plic_ndev,
	       (unsigned long)hi->uart_base, hi->uart_irq);
	return 0;
}
