/*
 * Dom0's device tree, derived from the host's.
 *
 * Dom0 runs 1:1 (guest-physical == host-physical) and gets most of the
 * board passed through, so its tree is the host tree with edits:
 *
 *   /memory            Dom0's RAM range, and the DomU pool
 *   /reserved-memory   OpenSBI's M-mode range kept, the hypervisor's added
 *                      (no-map), the DomU pool's added (mapped: see
 *                      dom0_reserved())
 *   /cpus              the first nr_vcpus harts, renumbered cpu@0..n-1:
 *                      reg is a vCPU id (what SBI HSM takes), not a hart id
 *   PLIC               interrupts-extended = <&cpuI_intc 9> per vCPU: the
 *                      vPLIC's context i is vCPU i's S-mode external
 *                      interrupt; the host PLIC's M-mode contexts have no
 *                      counterpart, so no placeholders
 *   gone               CLINT/ACLINT (M-mode timer and IPI; Dom0 gets both
 *                      through SBI), the sifive,test and syscon power
 *                      controls (Dom0 must not reset the board; its SBI
 *                      SRST goes through the hypervisor), fw_cfg, flash,
 *                      PCI (no IOMMU) and the dynamic platform bus
 *   kept               the UART (Dom0's vUART sits at the same address),
 *                      virtio-mmio and the RTC (passed through)
 *   /chosen            guest-loader modules removed; bootargs and
 *                      linux,initrd-start/end written for Dom0
 *   /vireo@BASE        compatible "vireo,hypervisor": the foreign-mapping
 *                      window (reg) and the event-channel upcall line
 *
 * libfdt offsets are positions in the blob: any edit moves every node after
 * it. Each step looks its nodes up again, and a search that deletes a node
 * starts over from the top of the tree.
 */
#include "bootfdt.h"
#include "libfdt.h"
#include "printk.h"

/* The interrupt number of "supervisor external" in a cpu-intc's cell. */
#define INTC_S_EXT 9

#define DOM0_NAME_LEN 32

/* "prefix@hex": a node name with its unit address, spelled as dtc does. */
static int unit_name(char *buf, size_t len, const char *prefix, uint64_t addr)
{
	static const char hex[] = "0123456789abcdef";
	char digits[16];
	size_t n = strlen(prefix), nd = 0;

	do {
		digits[nd++] = hex[addr & 0xf];
		addr >>= 4;
	} while (addr);
	if (n + 1 + nd + 1 > len)
		return -FDT_ERR_NOSPACE;
	memcpy(buf, prefix, n);
	buf[n++] = '@';
	while (nd)
		buf[n++] = digits[--nd];
	buf[n] = '\0';
	return 0;
}

/* Replace node's reg with one (base, size) entry in parent's cell sizes. */
static int set_reg(void *fdt, int parent, int node, paddr_t base,
		   paddr_t size)
{
	int rc;

	rc = fdt_delprop(fdt, node, "reg");
	if (rc && rc != -FDT_ERR_NOTFOUND)
		return rc;
	return fdt_appendprop_addrrange(fdt, parent, node, "reg", base, size);
}

static int del_prop(void *fdt, int node, const char *name)
{
	int rc = fdt_delprop(fdt, node, name);

	return rc == -FDT_ERR_NOTFOUND ? 0 : rc;
}

/* node's phandle, giving it a fresh one if nothing referred to it yet. */
static int ensure_phandle(void *fdt, int node, uint32_t *phandle)
{
	int rc;

	*phandle = fdt_get_phandle(fdt, node);
	if (*phandle)
		return 0;
	rc = fdt_generate_phandle(fdt, phandle);
	if (rc)
		return rc;
	return fdt_setprop_u32(fdt, node, "phandle", *phandle);
}

static int check_params(const struct dom0_dt_params *p)
{
	paddr_t mem_end = p->mem_base + p->mem_size;

	if (!p->nr_vcpus || p->nr_vcpus > HOST_MAX_HARTS)
		return -FDT_ERR_BADVALUE;
	if (!p->mem_size || mem_end < p->mem_base || !p->hyp_size ||
	    !p->vireo_irq)
		return -FDT_ERR_BADVALUE;
	if (!p->initrd_start && !p->initrd_end)
		return 0;
	/* Linux drops an initrd that is not inside its memory. */
	if (p->initrd_end <= p->initrd_start || p->initrd_start < p->mem_base ||
	    p->initrd_end > mem_end)
		return -FDT_ERR_BADVALUE;
	return 0;
}

/* Keep the first memory node, set to Dom0's RAM; drop the others. */
static int dom0_memory(void *fdt, const struct dom0_dt_params *p)
{
	char name[DOM0_NAME_LEN];
	int first, rc;

	first = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory",
					      sizeof("memory"));
	if (first < 0)
		return first;
	/* Deleting nodes after first leaves first's offset as it was. */
	for (;;) {
		int node = fdt_node_offset_by_prop_value(fdt, first, "device_type",
						     "memory", sizeof("memory"));
		if (node == -FDT_ERR_NOTFOUND)
			break;
		if (node < 0)
			return node;
		rc = fdt_del_node(fdt, node);
		if (rc)
			return rc;
	}
	rc = set_reg(fdt, fdt_parent_offset(fdt, first), first, p->mem_base,
		     p->mem_size);
	if (!rc && p->pool_size)
		rc = fdt_appendprop_addrrange(fdt, fdt_parent_offset(fdt, first),
					      first, "reg", p->pool_base,
					      p->pool_size);
	if (!rc)
		rc = unit_name(name, sizeof(name), "memory", p->mem_base);
	if (!rc)
		rc = fdt_set_name(fdt, first, name);
	return rc;
}

/* /reserved-memory, created with the root's address cells if missing. */
static int reserved_memory_node(void *fdt)
{
	int resv, ac, sc, rc;

	resv = fdt_path_offset(fdt, "/reserved-memory");
	if (resv != -FDT_ERR_NOTFOUND)
		return resv;
	ac = fdt_address_cells(fdt, 0);
	sc = fdt_size_cells(fdt, 0);
	if (ac < 0 || sc < 0)
		return ac < 0 ? ac : sc;
	resv = fdt_add_subnode(fdt, 0, "reserved-memory");
	if (resv < 0)
		return resv;
	/* The binding: same cells as the root, and an identity "ranges". */
	rc = fdt_setprop_u32(fdt, resv, "#address-cells", ac);
	if (!rc)
		rc = fdt_setprop_u32(fdt, resv, "#size-cells", sc);
	if (!rc)
		rc = fdt_setprop_empty(fdt, resv, "ranges");
	return rc ? rc : resv;
}

/* A child NAME@BASE of /reserved-memory over [base, base+size): its offset. */
static int reserved_child(void *fdt, int resv, const char *prefix,
			  paddr_t base, paddr_t size)
{
	char name[DOM0_NAME_LEN];
	int node, rc = unit_name(name, sizeof(name), prefix, base);

	if (rc)
		return rc;
	node = fdt_add_subnode(fdt, resv, name);
	if (node < 0)
		return node;
	rc = set_reg(fdt, resv, node, base, size);
	return rc ? rc : node;
}

/*
 * OpenSBI's child (mmode_resv0@80000000) stays: Linux must never map
 * M-mode memory. The hypervisor's range is added, no-map so that Linux
 * neither maps nor touches it even if it lies inside Dom0's /memory.
 */
static int dom0_reserved(void *fdt, const struct dom0_dt_params *p)
{
	int resv, node, rc;

	resv = reserved_memory_node(fdt);
	if (resv < 0)
		return resv;
	node = reserved_child(fdt, resv, "vireo", p->hyp_base, p->hyp_size);
	rc = node < 0 ? node : fdt_setprop_empty(fdt, node, "no-map");
	if (rc || !p->pool_size)
		return rc;
	/*
	 * The DomU pool: Linux gives it struct pages but never allocates from
	 * it. Its G-stage maps none of it, except the frames of a DomU that
	 * Dom0 maps 1:1 (FOREIGN_MAP_DIRECT), which it can then pin for DMA.
	 */
	node = reserved_child(fdt, resv, "vireo-pool", p->pool_base,
			      p->pool_size);
	return node < 0 ? node : 0;
}

/*
 * One pass over /cpus: delete the first child that Dom0 must not see (the
 * cpu-map, which names host cpus by phandle; a disabled cpu; a cpu beyond
 * nr_vcpus). Returns 1 if it deleted one (offsets moved: call it again),
 * 0 when the node holds exactly what Dom0 keeps, or a negative error.
 */
static int cpus_trim_one(void *fdt, unsigned nr_vcpus)
{
	unsigned kept = 0;
	int cpus, node, rc;

	cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return cpus;
	fdt_for_each_subnode(node, fdt, cpus) {
		bool cpu = bootfdt_is_cpu(fdt, node);
		const char *name = fdt_get_name(fdt, node, NULL);

		if (cpu && bootfdt_node_enabled(fdt, node) && kept < nr_vcpus) {
			kept++;
			continue;
		}
		if (!cpu && (!name || strcmp(name, "cpu-map")))
			continue;
		rc = fdt_del_node(fdt, node);
		return rc ? rc : 1;
	}
	if (node != -FDT_ERR_NOTFOUND)
		return node;
	return kept == nr_vcpus ? 0 : -FDT_ERR_BADVALUE;
}

/* The cpu's riscv,cpu-intc child, whose phandle the PLIC refers to. */
static int cpu_intc_phandle(void *fdt, int cpu, uint32_t *phandle)
{
	int node;

	fdt_for_each_subnode(node, fdt, cpu)
		if (!fdt_node_check_compatible(fdt, node, "riscv,cpu-intc"))
			return ensure_phandle(fdt, node, phandle);
	return node == -FDT_ERR_NOTFOUND ? -FDT_ERR_NOTFOUND : node;
}

/* Make cpu node `cpu` vCPU `vcpu`: reg, name and riscv,isa. */
static int cpu_renumber(void *fdt, int cpus, int cpu, unsigned vcpu,
			const char *isa)
{
	char name[DOM0_NAME_LEN];
	fdt32_t reg[2] = { 0, 0 };
	int ac, rc;

	/* /cpus has #size-cells = 0: reg is the id alone, 1 or 2 cells. */
	ac = fdt_address_cells(fdt, cpus);
	if (ac < 0)
		return ac;
	if (ac < 1 || ac > 2)
		return -FDT_ERR_BADNCELLS;
	reg[ac - 1] = cpu_to_fdt32(vcpu);
	rc = fdt_setprop(fdt, cpu, "reg", reg, ac * sizeof(fdt32_t));
	if (!rc && isa)
		rc = fdt_setprop_string(fdt, cpu, "riscv,isa", isa);
	if (!rc)
		rc = unit_name(name, sizeof(name), "cpu", vcpu);
	/* Names may clash until the last rename: libfdt does not mind. */
	if (!rc)
		rc = fdt_set_name(fdt, cpu, name);
	return rc;
}

/* Keep the first nr_vcpus enabled cpus as vCPUs 0..n-1; intc[i] = phandles. */
static int dom0_cpus(void *fdt, const struct dom0_dt_params *p,
		     uint32_t *intc)
{
	unsigned i = 0;
	int cpus, node, rc;

	do {
		rc = cpus_trim_one(fdt, p->nr_vcpus);
	} while (rc == 1);
	if (rc)
		return rc;
	cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return cpus;
	/* Edits inside a node leave its own offset, and the walk, valid. */
	fdt_for_each_subnode(node, fdt, cpus) {
		if (!bootfdt_is_cpu(fdt, node))
			continue;
		rc = cpu_renumber(fdt, cpus, node, i, p->isa);
		if (!rc)
			rc = cpu_intc_phandle(fdt, node, &intc[i]);
		if (rc)
			return rc;
		i++;
	}
	if (node != -FDT_ERR_NOTFOUND)
		return node;
	return i == p->nr_vcpus ? 0 : -FDT_ERR_BADVALUE;
}

/*
 * The PLIC node now describes Dom0's vPLIC: context i = vCPU i's S-mode
 * external interrupt, which is exactly one <&cpuI_intc 9> entry per vCPU
 * (Linux takes entry i as context i and skips entries that are not 9).
 */
static int dom0_plic(void *fdt, const struct dom0_dt_params *p,
		     const uint32_t *intc, uint32_t *plic_phandle)
{
	fdt32_t ext[2 * HOST_MAX_HARTS];
	uint32_t ndev = p->plic_ndev;
	const fdt32_t *cur;
	unsigned i;
	int node, rc, len;

	node = bootfdt_find_plic(fdt);
	if (node < 0)
		return node;
	for (i = 0; i < p->nr_vcpus; i++) {
		ext[2 * i] = cpu_to_fdt32(intc[i]);
		ext[2 * i + 1] = cpu_to_fdt32(INTC_S_EXT);
	}
	rc = fdt_setprop(fdt, node, "interrupts-extended", ext,
			 2 * p->nr_vcpus * sizeof(fdt32_t));
	if (!rc && ndev)
		rc = fdt_setprop_u32(fdt, node, "riscv,ndev", ndev);
	if (rc)
		return rc;
	cur = fdt_getprop(fdt, node, "riscv,ndev", &len);
	if (!cur || len < (int)sizeof(*cur))
		return cur ? -FDT_ERR_BADVALUE : len;
	/* The upcall line must be a source the vPLIC has. */
	if (p->vireo_irq > fdt32_ld(cur))
		return -FDT_ERR_BADVALUE;
	return ensure_phandle(fdt, node, plic_phandle);
}

/* Compatibles of the host devices Dom0 must not see (see the top). */
static const char *const dom0_hidden[] = {
	"riscv,clint0", "sifive,clint0",
	"riscv,aclint-mswi", "riscv,aclint-mtimer", "riscv,aclint-sswi",
	"sifive,test0", "sifive,test1", "syscon-poweroff", "syscon-reboot",
	"qemu,fw-cfg-mmio", "cfi-flash", "pci-host-ecam-generic",
	"qemu,platform",
};

static int dom0_strip_devices(void *fdt)
{
	unsigned i;
	int node, rc;

	for (i = 0; i < ARRAY_SIZE(dom0_hidden); i++) {
		for (;;) {
			node = fdt_node_offset_by_compatible(fdt, -1,
							     dom0_hidden[i]);
			if (node == -FDT_ERR_NOTFOUND)
				break;
			if (node < 0)
				return node;
			rc = fdt_del_node(fdt, node);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* Delete the guest-loader modules: they are the hypervisor's, not Dom0's. */
static int chosen_del_modules(void *fdt, int chosen)
{
	int node, rc;

restart:
	fdt_for_each_subnode(node, fdt, chosen) {
		const char *name = fdt_get_name(fdt, node, NULL);

		if (fdt_node_check_compatible(fdt, node, "multiboot,module") &&
		    (!name || strncmp(name, "module@", 7)))
			continue;
		rc = fdt_del_node(fdt, node);
		if (rc)
			return rc;
		goto restart; /* chosen itself did not move */
	}
	return node == -FDT_ERR_NOTFOUND ? 0 : node;
}

static int dom0_chosen(void *fdt, const struct dom0_dt_params *p)
{
	int chosen, rc;

	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen == -FDT_ERR_NOTFOUND)
		chosen = fdt_add_subnode(fdt, 0, "chosen");
	if (chosen < 0)
		return chosen;
	rc = chosen_del_modules(fdt, chosen);
	if (rc)
		return rc;
	/* The host's own command line and initrd are not Dom0's. */
	if (p->bootargs)
		rc = fdt_setprop_string(fdt, chosen, "bootargs", p->bootargs);
	else
		rc = del_prop(fdt, chosen, "bootargs");
	if (rc)
		return rc;
	if (!p->initrd_start && !p->initrd_end) {
		rc = del_prop(fdt, chosen, "linux,initrd-start");
		return rc ? rc : del_prop(fdt, chosen, "linux,initrd-end");
	}
	/* Two cells each: Linux reads the cell count from the length. */
	rc = fdt_setprop_u64(fdt, chosen, "linux,initrd-start",
			     p->initrd_start);
	if (!rc)
		rc = fdt_setprop_u64(fdt, chosen, "linux,initrd-end",
				     p->initrd_end);
	return rc;
}

/* The node vireo.ko binds to. */
static int dom0_vireo_node(void *fdt, const struct dom0_dt_params *p,
			   uint32_t plic_phandle)
{
	char name[DOM0_NAME_LEN];
	int node, rc;

	rc = unit_name(name, sizeof(name), "vireo", p->vireo_base);
	if (rc)
		return rc;
	node = fdt_add_subnode(fdt, 0, name);
	if (node < 0)
		return node;
	rc = fdt_setprop_string(fdt, node, "compatible", "vireo,hypervisor");
	if (!rc)
		rc = set_reg(fdt, 0, node, p->vireo_base, p->vireo_size);
	if (!rc)
		rc = fdt_setprop_u32(fdt, node, "interrupt-parent",
				     plic_phandle);
	if (!rc)
		rc = fdt_setprop_u32(fdt, node, "interrupts", p->vireo_irq);
	return rc;
}

int dom0_dtb_build(const void *host_fdt, void *out, size_t out_size,
		   const struct dom0_dt_params *p)
{
	uint32_t intc[HOST_MAX_HARTS], plic_phandle = 0;
	int rc;

	rc = check_params(p);
	if (!rc)
		rc = fdt_open_into(host_fdt, out, (int)MIN(out_size, INT_MAX));
	if (!rc)
		rc = dom0_memory(out, p);
	if (!rc)
		rc = dom0_reserved(out, p);
	if (!rc)
		rc = dom0_cpus(out, p, intc);
	if (!rc)
		rc = dom0_plic(out, p, intc, &plic_phandle);
	if (!rc)
		rc = dom0_strip_devices(out);
	if (!rc)
		rc = dom0_chosen(out, p);
	if (!rc)
		rc = dom0_vireo_node(out, p, plic_phandle);
	if (!rc) {
		/* vCPU 0 is the boot vCPU. */
		fdt_set_boot_cpuid_phys(out, 0);
		rc = fdt_pack(out);
	}
	if (rc)
		printk("dom0_dtb: %s\n", fdt_strerror(rc));
	return rc;
}
