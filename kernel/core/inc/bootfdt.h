/*
 * What the hypervisor reads from the host device tree that OpenSBI passes in
 * a1, and the Dom0 device tree derived from it.
 */
#ifndef VIREO_BOOTFDT_H
#define VIREO_BOOTFDT_H

#include "types.h"

#define HOST_MAX_HARTS 8

struct host_info {
	paddr_t mem_base, mem_size;     /* first /memory node */
	unsigned nr_harts;
	unsigned long hart_ids[HOST_MAX_HARTS]; /* enabled cpu@N reg values */
	uint32_t timebase_hz;           /* /cpus/timebase-frequency */
	paddr_t uart_base;              /* first ns16550a */
	unsigned uart_irq;
	paddr_t plic_base, plic_size;
	unsigned plic_ndev;             /* riscv,ndev */
	/* -device guest-loader modules under /chosen */
	paddr_t kernel_base, kernel_size; /* multiboot,kernel */
	paddr_t initrd_base, initrd_size; /* multiboot,ramdisk; size 0 if none */
	const char *kernel_bootargs;      /* points into the fdt; NULL if none */
};

/*
 * Fill *hi from the host fdt. Returns 0, or a negative libfdt error
 * (-FDT_ERR_NOTFOUND: a required node or property is missing;
 * -FDT_ERR_BADVALUE: one is malformed or out of range). More than
 * HOST_MAX_HARTS enabled harts is not an error: the first ones are kept and
 * a warning is printed. No guest-loader kernel module gives kernel_size 0.
 */
int bootfdt_parse(const void *fdt, struct host_info *hi);

/* Helpers shared with the Dom0 DT builder (and usable by other fdt code). */
/* prop is exactly the string str (one NUL-terminated string). */
bool bootfdt_prop_streq(const void *fdt, int node, const char *prop,
			const char *str);
/* No "status", or status "okay" / "ok". */
bool bootfdt_node_enabled(const void *fdt, int node);
/* device_type = "cpu". */
bool bootfdt_is_cpu(const void *fdt, int node);
/*
 * Entry idx of node's reg, decoded with the #address-cells / #size-cells
 * (each at most 2) of the nearest ancestor that has them, as Linux reads
 * them: QEMU's /chosen has none, so module@ nodes use the root's.
 * 0 or a negative libfdt error.
 */
int bootfdt_read_reg(const void *fdt, int node, int idx, paddr_t *base,
		     paddr_t *size);
/* Offset of the first enabled PLIC node, or -FDT_ERR_NOTFOUND. */
int bootfdt_find_plic(const void *fdt);

struct dom0_dt_params {
	paddr_t mem_base, mem_size;     /* Dom0's 1:1 RAM */
	paddr_t hyp_base, hyp_size;     /* reserved: the hypervisor image + heap */
	paddr_t pool_base, pool_size;   /* DomU memory: listed as Dom0 memory and
					 * reserved (without no-map), so Dom0 has
					 * struct pages for frames mapped 1:1;
					 * size 0: not listed */
	unsigned nr_vcpus;              /* cpu nodes kept: the first nr_vcpus */
	const char *bootargs;           /* /chosen/bootargs; NULL keeps none */
	paddr_t initrd_start, initrd_end; /* 0,0: no initrd */
	paddr_t vireo_base, vireo_size;  /* reg of the vireo node */
	unsigned vireo_irq;              /* its vPLIC line */
	const char *isa;                 /* riscv,isa for every cpu node;
					  * NULL keeps the host's */
	unsigned plic_ndev;              /* riscv,ndev of Dom0's vPLIC;
					  * 0 keeps the host's */
};

/*
 * Build Dom0's device tree into out (out_size bytes) from the host's:
 * memory trimmed to Dom0's range; OpenSBI's /reserved-memory kept and the
 * hypervisor added there; the PLIC node's interrupts-extended rewritten to
 * one S-mode (9) entry per vCPU; the CLINT, sifive,test, syscon-poweroff /
 * reboot, fw_cfg, flash and PCI nodes removed (the UART stays: Dom0's vUART
 * sits at the same address); /chosen's modules removed and bootargs and
 * linux,initrd-* set; a /vireo node (compatible "vireo,hypervisor") added.
 * Returns 0 or a negative libfdt error: -FDT_ERR_NOSPACE if out is too
 * small, -FDT_ERR_BADVALUE for bad params (nr_vcpus 0, above HOST_MAX_HARTS
 * or above the host's enabled harts; an initrd outside Dom0's RAM; a
 * vireo_irq of 0 or above riscv,ndev). out holds garbage after an error.
 * Both trees must be 8-byte aligned (libfdt: -FDT_ERR_ALIGNMENT).
 */
int dom0_dtb_build(const void *host_fdt, void *out, size_t out_size,
		   const struct dom0_dt_params *p);

#endif
