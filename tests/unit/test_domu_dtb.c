/*
 * domu_dtb_build(): the DomU device tree, read back with libfdt.
 *
 * Checks every node and property the Linux 6.1 notes call required (and
 * the ones the DomU layout promises), the PLIC's context-to-vCPU mapping,
 * phandle uniqueness, parameter validation and buffer bounds.
 */
#include "test.h"

#include "../../dom0-tools/libvireo/domu_dtb.c"

#define BUF_SIZE DOMU_DTB_MAX_SIZE
#define MiB(x) ((uint64_t)(x) << 20)
#define FILL 0xa5

#define ISA "rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc"
#define PLIC_PATH "/soc/interrupt-controller@c000000"
#define UART_PATH "/soc/serial@10000000"
#define HYP_PATH "/hypervisor"

static const struct domu_dtb_params one = {
	.nr_vcpus = 1,
	.ram_base = VIREO_DOMU_RAM_BASE,
	.ram_size = MiB(256),
	.bootargs = "console=hvc0 earlycon=sbi",
	.timebase_hz = 10000000,
	.isa = ISA,
};

static const struct domu_dtb_params two = {
	.nr_vcpus = 2,
	.ram_base = VIREO_DOMU_RAM_BASE,
	.ram_size = MiB(512),
	.bootargs = "quiet console=hvc0",
	.initrd_start = 0x84000000,
	.initrd_end = 0x841184ec,
	.timebase_hz = 10000000,
	.isa = ISA,
	.nr_virtio = 2,
	.virtio_base = { 0x10002000, 0x10001000 }, /* emitted in this order */
	.virtio_irq = { 2, 1 },
	.control_node = true,
	.control_base = 0x10200000,
	.control_irq = 31,
};

/* ------------------------------------------------------------ helpers */

static int node(const void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);

	if (off < 0)
		fprintf(stderr, "  missing node %s: %s\n", path,
			fdt_strerror(off));
	return off;
}

/* The property's bytes equal val[0..len). */
static int prop_is(const void *fdt, const char *path, const char *name,
		   const void *val, int len)
{
	int off = node(fdt, path), plen;
	const void *v;

	if (off < 0)
		return 0;
	v = fdt_getprop(fdt, off, name, &plen);
	if (!v) {
		fprintf(stderr, "  %s: no %s\n", path, name);
		return 0;
	}
	if (plen != len || memcmp(v, val, len)) {
		fprintf(stderr, "  %s: %s differs (len %d, want %d)\n", path,
			name, plen, len);
		return 0;
	}
	return 1;
}

static int str_is(const void *fdt, const char *path, const char *name,
		  const char *s)
{
	return prop_is(fdt, path, name, s, (int)strlen(s) + 1);
}

static int has_prop(const void *fdt, const char *path, const char *name)
{
	int off = node(fdt, path);

	return off >= 0 && fdt_getprop(fdt, off, name, NULL) != NULL;
}

/* Cells of a property, big-endian, or -1 on any error. */
static int cells(const void *fdt, const char *path, const char *name,
		 uint32_t *out, int max)
{
	int off = node(fdt, path), len, i;
	const fdt32_t *v;

	if (off < 0)
		return -1;
	v = fdt_getprop(fdt, off, name, &len);
	if (!v || len % 4 || len / 4 > max)
		return -1;
	for (i = 0; i < len / 4; i++)
		out[i] = fdt32_to_cpu(v[i]);
	return len / 4;
}

static int cell_is(const void *fdt, const char *path, const char *name,
		   uint32_t want)
{
	uint32_t c[1];

	return cells(fdt, path, name, c, 1) == 1 && c[0] == want;
}

static int u64_is(const void *fdt, const char *path, const char *name,
		  uint64_t want)
{
	uint32_t c[2];

	return cells(fdt, path, name, c, 2) == 2 &&
	       ((uint64_t)c[0] << 32 | c[1]) == want;
}

static int reg_is(const void *fdt, const char *path, uint64_t base,
		  uint64_t size)
{
	uint32_t c[4];

	return cells(fdt, path, "reg", c, 4) == 4 &&
	       ((uint64_t)c[0] << 32 | c[1]) == base &&
	       ((uint64_t)c[2] << 32 | c[3]) == size;
}

static int subnodes(const void *fdt, const char *path)
{
	int off = node(fdt, path), sub, n = 0;

	if (off < 0)
		return -1;
	fdt_for_each_subnode(sub, fdt, off)
		n++;
	return n;
}

static uint32_t phandle_of(const void *fdt, const char *path)
{
	int off = node(fdt, path);

	return off < 0 ? 0 : fdt_get_phandle(fdt, off);
}

/*
 * fdt_check_full() is declared, but its fdt_check.c is not in the Linux
 * tree's libfdt copy: the same walk, with the public API. The header is
 * sane, the struct block is a balanced tree with one root that ends in
 * FDT_END exactly at its size, and every property's name and value lie
 * inside the blob.
 */
static int check_full(const void *fdt, size_t bufsize)
{
	int off = 0, next, depth = 0, roots = 0, rc;
	uint32_t tag;

	rc = fdt_check_header(fdt);
	if (rc)
		return rc;
	if (fdt_totalsize(fdt) > bufsize)
		return -FDT_ERR_TRUNCATED;
	for (;;) {
		tag = fdt_next_tag(fdt, off, &next);
		if (next < 0)
			return next;
		switch (tag) {
		case FDT_BEGIN_NODE:
			if (depth == 0 && roots++)
				return -FDT_ERR_BADSTRUCTURE;
			depth++;
			break;
		case FDT_END_NODE:
			if (--depth < 0)
				return -FDT_ERR_BADSTRUCTURE;
			break;
		case FDT_PROP: {
			int len;
			const char *name;

			if (depth == 0)
				return -FDT_ERR_BADSTRUCTURE;
			if (!fdt_getprop_by_offset(fdt, off, &name, &len))
				return len;
			if (!name)
				return -FDT_ERR_BADSTRUCTURE;
			break;
		}
		case FDT_NOP:
			break;
		case FDT_END:
			if (depth || roots != 1 ||
			    (uint32_t)next != fdt_size_dt_struct(fdt))
				return -FDT_ERR_BADSTRUCTURE;
			return 0;
		default:
			return -FDT_ERR_BADSTRUCTURE;
		}
		off = next;
	}
}

static void *build(const struct domu_dtb_params *p)
{
	void *buf = malloc(BUF_SIZE);
	int rc;

	memset(buf, FILL, BUF_SIZE);
	rc = domu_dtb_build(buf, BUF_SIZE, p);
	CHECK_EQ(rc, 0);
	if (rc) {
		fprintf(stderr, "  build: %s\n", fdt_strerror(rc));
		free(buf);
		return NULL;
	}
	CHECK_EQ(check_full(buf, BUF_SIZE), 0);
	CHECK_EQ(check_full(buf, fdt_totalsize(buf)), 0);
	CHECK(fdt_totalsize(buf) <= BUF_SIZE);
	return buf;
}

/* Every phandle is unique, and every reference resolves. */
static void check_phandles(const void *fdt)
{
	uint32_t seen[64];
	int n = 0, off, i;

	for (off = fdt_next_node(fdt, -1, NULL); off >= 0;
	     off = fdt_next_node(fdt, off, NULL)) {
		uint32_t ph = fdt_get_phandle(fdt, off);
		const fdt32_t *ip;
		int len;

		if (ph) {
			CHECK(ph != 0xffffffff);
			for (i = 0; i < n; i++)
				CHECK(seen[i] != ph);
			if (n < 64)
				seen[n++] = ph;
		}
		ip = fdt_getprop(fdt, off, "interrupt-parent", &len);
		if (ip) {
			CHECK_EQ(len, 4);
			CHECK(fdt_node_offset_by_phandle(
				      fdt, fdt32_to_cpu(*ip)) >= 0);
		}
	}
	CHECK(n >= 2);
}

/* Everything the tree holds for p, checked against p. */
static void check_tree(const void *fdt, const struct domu_dtb_params *p)
{
	static const char plic_compat[] = "sifive,plic-1.0.0\0riscv,plic0";
	char path[64], want[64];
	uint32_t ie[2 * VIREO_MAX_VCPUS + 2], plic_ph, intc_ph;
	unsigned n, i;
	int len;

	/* root */
	CHECK(cell_is(fdt, "/", "#address-cells", 2));
	CHECK(cell_is(fdt, "/", "#size-cells", 2));
	CHECK(str_is(fdt, "/", "compatible", "vireo,domu"));
	CHECK(str_is(fdt, "/", "model", "Vireo DomU"));
	CHECK_EQ(subnodes(fdt, "/"), 5); /* chosen memory cpus hypervisor soc */

	/* /chosen */
	if (p->bootargs)
		CHECK(str_is(fdt, "/chosen", "bootargs", p->bootargs));
	else
		CHECK(!has_prop(fdt, "/chosen", "bootargs"));
	if (p->initrd_start || p->initrd_end) {
		CHECK(u64_is(fdt, "/chosen", "linux,initrd-start",
			     p->initrd_start));
		CHECK(u64_is(fdt, "/chosen", "linux,initrd-end",
			     p->initrd_end));
	} else {
		CHECK(!has_prop(fdt, "/chosen", "linux,initrd-start"));
		CHECK(!has_prop(fdt, "/chosen", "linux,initrd-end"));
	}
	CHECK(str_is(fdt, "/chosen", "stdout-path", UART_PATH));
	CHECK(node(fdt, UART_PATH) >= 0);

	/* /memory */
	snprintf(path, sizeof(path), "/memory@%" PRIx64, p->ram_base);
	CHECK(str_is(fdt, path, "device_type", "memory"));
	CHECK(reg_is(fdt, path, p->ram_base, p->ram_size));

	/* /cpus */
	CHECK(cell_is(fdt, "/cpus", "#address-cells", 1));
	CHECK(cell_is(fdt, "/cpus", "#size-cells", 0));
	CHECK(cell_is(fdt, "/cpus", "timebase-frequency", p->timebase_hz));
	CHECK_EQ(subnodes(fdt, "/cpus"), p->nr_vcpus);
	for (n = 0; n < p->nr_vcpus; n++) {
		snprintf(path, sizeof(path), "/cpus/cpu@%u", n);
		CHECK(str_is(fdt, path, "device_type", "cpu"));
		CHECK(str_is(fdt, path, "compatible", "riscv"));
		CHECK(cell_is(fdt, path, "reg", n));
		CHECK(str_is(fdt, path, "riscv,isa", p->isa));
		CHECK(str_is(fdt, path, "mmu-type", "riscv,sv48"));
		CHECK(str_is(fdt, path, "status", "okay"));
		CHECK_EQ(subnodes(fdt, path), 1);
		snprintf(path, sizeof(path),
			 "/cpus/cpu@%u/interrupt-controller", n);
		CHECK(str_is(fdt, path, "compatible", "riscv,cpu-intc"));
		CHECK(cell_is(fdt, path, "#interrupt-cells", 1));
		CHECK(prop_is(fdt, path, "interrupt-controller", "", 0));
		CHECK(phandle_of(fdt, path) != 0);
	}

	/* /soc */
	CHECK(cell_is(fdt, "/soc", "#address-cells", 2));
	CHECK(cell_is(fdt, "/soc", "#size-cells", 2));
	CHECK(str_is(fdt, "/soc", "compatible", "simple-bus"));
	CHECK(prop_is(fdt, "/soc", "ranges", "", 0));
	CHECK_EQ(subnodes(fdt, "/soc"),
		 3 + p->nr_virtio + (p->control_node ? 1 : 0));

	/* PLIC: context n is vCPU n's S-mode external interrupt */
	CHECK(prop_is(fdt, PLIC_PATH, "compatible", plic_compat,
		      sizeof(plic_compat)));
	CHECK(reg_is(fdt, PLIC_PATH, VIREO_DOMU_PLIC_BASE, 0x600000));
	CHECK(prop_is(fdt, PLIC_PATH, "interrupt-controller", "", 0));
	CHECK(cell_is(fdt, PLIC_PATH, "#interrupt-cells", 1));
	CHECK(cell_is(fdt, PLIC_PATH, "#address-cells", 0));
	CHECK(cell_is(fdt, PLIC_PATH, "riscv,ndev", VIREO_DOMU_PLIC_NDEV));
	plic_ph = phandle_of(fdt, PLIC_PATH);
	CHECK(plic_ph != 0);
	len = cells(fdt, PLIC_PATH, "interrupts-extended", ie,
		    (int)(sizeof(ie) / 4));
	CHECK_EQ(len, 2 * p->nr_vcpus);
	for (n = 0; len == (int)(2 * p->nr_vcpus) && n < p->nr_vcpus; n++) {
		snprintf(path, sizeof(path),
			 "/cpus/cpu@%u/interrupt-controller", n);
		intc_ph = phandle_of(fdt, path);
		CHECK_EQ(ie[2 * n], intc_ph);
		CHECK_EQ(ie[2 * n + 1], 9);
		CHECK_EQ(fdt_node_offset_by_phandle(fdt, ie[2 * n]),
			 fdt_path_offset(fdt, path));
	}

	/* UART */
	CHECK(str_is(fdt, UART_PATH, "compatible", "ns16550a"));
	CHECK(reg_is(fdt, UART_PATH, VIREO_DOMU_UART_BASE, 0x100));
	CHECK(cell_is(fdt, UART_PATH, "clock-frequency", 3686400));
	CHECK(cell_is(fdt, UART_PATH, "interrupt-parent", plic_ph));
	CHECK(cell_is(fdt, UART_PATH, "interrupts", VIREO_DOMU_UART_IRQ));

	/* the event-channel upcall, for vireo.ko: always there */
	CHECK(str_is(fdt, HYP_PATH, "compatible", "vireo,hypervisor-domu"));
	CHECK(cell_is(fdt, HYP_PATH, "interrupt-parent", plic_ph));
	CHECK(cell_is(fdt, HYP_PATH, "interrupts", VIREO_DOMU_EVTCHN_IRQ));
	CHECK(!has_prop(fdt, HYP_PATH, "reg"));
	CHECK_EQ(subnodes(fdt, HYP_PATH), 0);
	CHECK_EQ(fdt_node_offset_by_compatible(fdt, -1, "vireo,hypervisor-domu"),
		 fdt_path_offset(fdt, HYP_PATH));
	/* Dom0's node (foreign window, /dev/vireo) is never in a DomU tree. */
	CHECK_EQ(fdt_node_offset_by_compatible(fdt, -1, "vireo,hypervisor"),
		 -FDT_ERR_NOTFOUND);

	/* pvpanic */
	CHECK(str_is(fdt, "/soc/pvpanic@10100000", "compatible",
		     "qemu,pvpanic-mmio"));
	CHECK(reg_is(fdt, "/soc/pvpanic@10100000", VIREO_DOMU_PVPANIC_BASE,
		     2));

	/* virtio-mmio: one node per slot, in the caller's order */
	{
		int soc = fdt_path_offset(fdt, "/soc"), sub, k = 0;

		fdt_for_each_subnode(sub, fdt, soc) {
			const char *nm = fdt_get_name(fdt, sub, NULL);

			if (strncmp(nm, "virtio_mmio@", 12))
				continue;
			snprintf(want, sizeof(want), "virtio_mmio@%" PRIx64,
				 k < (int)p->nr_virtio ? p->virtio_base[k] : 0);
			CHECK(strcmp(nm, want) == 0);
			k++;
		}
		CHECK_EQ(k, p->nr_virtio);
	}
	for (i = 0; i < p->nr_virtio; i++) {
		snprintf(path, sizeof(path), "/soc/virtio_mmio@%" PRIx64,
			 p->virtio_base[i]);
		CHECK(str_is(fdt, path, "compatible", "virtio,mmio"));
		CHECK(reg_is(fdt, path, p->virtio_base[i], 0x1000));
		CHECK(cell_is(fdt, path, "interrupt-parent", plic_ph));
		CHECK(cell_is(fdt, path, "interrupts", p->virtio_irq[i]));
	}

	/* control */
	snprintf(path, sizeof(path), "/soc/vireo-control@%" PRIx64,
		 p->control_base);
	if (p->control_node) {
		CHECK(str_is(fdt, path, "compatible", "vireo,domu-control"));
		CHECK(reg_is(fdt, path, p->control_base, 0x1000));
		CHECK(cell_is(fdt, path, "interrupt-parent", plic_ph));
		CHECK(cell_is(fdt, path, "interrupts", p->control_irq));
	}
	CHECK_EQ(fdt_node_offset_by_compatible(fdt, -1, "vireo,domu-control"),
		 p->control_node ? fdt_path_offset(fdt, path)
				 : -FDT_ERR_NOTFOUND);

	/* Nothing the hypervisor does not emulate. */
	CHECK_EQ(fdt_node_offset_by_compatible(fdt, -1, "riscv,clint0"),
		 -FDT_ERR_NOTFOUND);
	CHECK_EQ(fdt_node_offset_by_compatible(fdt, -1, "sifive,clint0"),
		 -FDT_ERR_NOTFOUND);
	CHECK_EQ(fdt_node_offset_by_compatible(fdt, -1, "sifive,test0"),
		 -FDT_ERR_NOTFOUND);
	CHECK_EQ(fdt_node_offset_by_compatible(fdt, -1, "sifive,test1"),
		 -FDT_ERR_NOTFOUND);
	CHECK_EQ(fdt_node_offset_by_compatible(fdt, -1, "syscon"),
		 -FDT_ERR_NOTFOUND);
	CHECK_EQ(fdt_num_mem_rsv(fdt), 0);

	check_phandles(fdt);
}

/* -------------------------------------------------------------- cases */

static void test_one_vcpu(void)
{
	void *fdt = build(&one);

	if (!fdt)
		return;
	check_tree(fdt, &one);
	free(fdt);
}

static void test_two_vcpus_full(void)
{
	void *fdt = build(&two);

	if (!fdt)
		return;
	check_tree(fdt, &two);
	free(fdt);
}

static void test_variants(void)
{
	struct domu_dtb_params p = two;
	void *fdt;

	/* 2 vCPUs, no initrd, no devices, no bootargs */
	p.initrd_start = p.initrd_end = 0;
	p.nr_virtio = 0;
	p.control_node = false;
	p.control_irq = 0; /* ignored without control_node */
	p.bootargs = NULL;
	fdt = build(&p);
	if (fdt) {
		check_tree(fdt, &p);
		free(fdt);
	}

	/* 1 vCPU with an initrd filling RAM's last byte */
	p = one;
	p.initrd_start = p.ram_base + p.ram_size - 0x1000;
	p.initrd_end = p.ram_base + p.ram_size;
	fdt = build(&p);
	if (fdt) {
		check_tree(fdt, &p);
		free(fdt);
	}

	/* RAM above 4 GiB: the high cells are used */
	p = one;
	p.ram_base = 0x100000000ULL + MiB(2);
	p.ram_size = 0x100000000ULL;
	p.initrd_start = p.ram_base + 0x12345000;
	p.initrd_end = p.ram_base + p.ram_size - 1;
	fdt = build(&p);
	if (fdt) {
		check_tree(fdt, &p);
		free(fdt);
	}
}

/* Everything at its limit fits DOMU_DTB_MAX_SIZE. */
static void test_max(void)
{
	static char isa[DOMU_DTB_MAX_ISA + 1], args[DOMU_DTB_MAX_BOOTARGS + 1];
	struct domu_dtb_params p = two;
	void *fdt;
	unsigned i;

	memset(isa, 'x', DOMU_DTB_MAX_ISA);
	memcpy(isa, "rv64imafdc_", 11);
	memset(args, 'a', DOMU_DTB_MAX_BOOTARGS);
	p.isa = isa;
	p.bootargs = args;
	p.nr_vcpus = VIREO_MAX_VCPUS;
	p.nr_virtio = DOMU_DTB_MAX_VIRTIO;
	for (i = 0; i < p.nr_virtio; i++) {
		p.virtio_base[i] = 0xfffffffffff00000ULL + i * 0x1000;
		p.virtio_irq[i] = 11 + i; /* clear of 5, 6 and 10 */
	}
	p.control_base = 0xffffffffffffe000ULL;
	fdt = build(&p);
	if (fdt) {
		check_tree(fdt, &p);
		free(fdt);
	}
}

static int fails_clean(const struct domu_dtb_params *p, const char *what)
{
	unsigned char *buf = malloc(BUF_SIZE);
	int rc, i, clean = 1;

	memset(buf, FILL, BUF_SIZE);
	rc = domu_dtb_build(buf, BUF_SIZE, p);
	for (i = 0; i < BUF_SIZE; i++)
		if (buf[i] != FILL)
			clean = 0;
	free(buf);
	if (rc != -FDT_ERR_BADVALUE || !clean)
		fprintf(stderr, "  %s: rc %d, buffer %s\n", what, rc,
			clean ? "clean" : "WRITTEN");
	return rc == -FDT_ERR_BADVALUE && clean;
}

#define BAD(field_edits, what)                                               \
	do {                                                                 \
		struct domu_dtb_params b_ = two;                             \
		field_edits;                                                 \
		CHECK(fails_clean(&b_, what));                               \
	} while (0)

static void test_bad_params(void)
{
	static char long_isa[DOMU_DTB_MAX_ISA + 2];
	static char long_args[DOMU_DTB_MAX_BOOTARGS + 2];
	char buf[64];

	memset(long_isa, 'x', DOMU_DTB_MAX_ISA + 1);
	memcpy(long_isa, "rv64", 4);
	memset(long_args, 'a', DOMU_DTB_MAX_BOOTARGS + 1);

	/* the base is good */
	{
		void *fdt = build(&two);
		free(fdt);
	}

	BAD(b_.nr_vcpus = 0, "0 vcpus");
	BAD(b_.nr_vcpus = 9, "9 vcpus");
	BAD(b_.nr_vcpus = ~0u, "-1 vcpus");
	BAD(b_.ram_base += MiB(1), "unaligned ram base");
	BAD(b_.ram_size += 0x1000, "unaligned ram size");
	BAD(b_.ram_size = 0, "no ram");
	BAD((b_.ram_base = 0xffffffffffe00000ULL, b_.ram_size = MiB(4)),
	    "ram wraps");
	BAD((b_.ram_base = 0, b_.ram_size = MiB(512),
	     b_.initrd_start = b_.initrd_end = 0),
	    "ram over the plic");
	BAD(b_.initrd_start = b_.ram_base - 0x1000, "initrd below ram");
	BAD(b_.initrd_end = b_.ram_base + b_.ram_size + 1, "initrd past ram");
	BAD((b_.initrd_start = b_.ram_base + b_.ram_size,
	     b_.initrd_end = b_.initrd_start + 0x1000),
	    "initrd after ram");
	BAD(b_.initrd_end = b_.initrd_start, "empty initrd");
	BAD(b_.initrd_end = b_.initrd_start - 1, "initrd end < start");
	BAD(b_.initrd_start = 0, "initrd start 0 end set");
	BAD(b_.timebase_hz = 0, "timebase 0");
	BAD(b_.isa = NULL, "no isa");
	BAD(b_.isa = "rv32imafdc", "rv32 isa");
	BAD(b_.isa = "imafdc", "isa without rv");
	BAD(b_.isa = long_isa, "isa too long");
	BAD(b_.bootargs = long_args, "bootargs too long");
	BAD(b_.virtio_irq[0] = 0, "virtio irq 0");
	BAD(b_.virtio_irq[1] = VIREO_DOMU_PLIC_NDEV + 1, "virtio irq > ndev");
	BAD(b_.virtio_irq[1] = b_.virtio_irq[0], "virtio irq twice");
	BAD(b_.virtio_irq[1] = VIREO_DOMU_UART_IRQ, "virtio irq = uart");
	BAD(b_.virtio_irq[0] = VIREO_DOMU_EVTCHN_IRQ, "virtio irq = evtchn");
	BAD(b_.control_irq = VIREO_DOMU_EVTCHN_IRQ, "control irq = evtchn");
	BAD(b_.control_irq = 0, "control irq 0");
	BAD(b_.control_irq = 32, "control irq 32");
	BAD(b_.control_irq = b_.virtio_irq[0], "control irq = virtio");
	BAD(b_.nr_virtio = DOMU_DTB_MAX_VIRTIO + 1, "9 virtio slots");
	BAD(b_.virtio_base[0] = 0, "virtio at 0");
	BAD(b_.virtio_base[0] += 0x800, "unaligned virtio");
	BAD(b_.virtio_base[1] = b_.virtio_base[0], "virtio slot twice");
	BAD(b_.virtio_base[0] = VIREO_DOMU_UART_BASE, "virtio on uart");
	BAD(b_.virtio_base[0] = VIREO_DOMU_PVPANIC_BASE, "virtio on pvpanic");
	BAD(b_.virtio_base[0] = VIREO_DOMU_PLIC_BASE + 0x100000,
	    "virtio in plic");
	BAD(b_.virtio_base[0] = b_.ram_base + MiB(4), "virtio in ram");
	BAD(b_.virtio_base[0] = 0xfffffffffffff000ULL,
	    "virtio wraps");
	BAD(b_.control_base = 0x10201000 - 0x800, "unaligned control");
	BAD(b_.control_base = b_.virtio_base[1], "control on virtio");
	BAD(b_.control_base = 0, "control at 0");

	/* NULLs */
	CHECK_EQ(domu_dtb_build(NULL, BUF_SIZE, &two), -FDT_ERR_BADVALUE);
	memset(buf, FILL, sizeof(buf));
	CHECK_EQ(domu_dtb_build(buf, sizeof(buf), NULL), -FDT_ERR_BADVALUE);
	CHECK_EQ((unsigned char)buf[0], FILL);
}

/*
 * Every size short of the blob fails with NOSPACE and writes nothing past
 * it: the buffer is exactly that size (ASan) and followed by a guard.
 */
static void test_small_buffers(void)
{
	enum { GUARD = 256 };
	const struct domu_dtb_params *cases[] = { &one, &two };
	unsigned c;

	for (c = 0; c < 2; c++) {
		void *fdt = build(cases[c]);
		size_t need, size;
		unsigned bad_rc = 0, bad_guard = 0;

		if (!fdt)
			continue;
		need = fdt_totalsize(fdt);
		for (size = 0; size < need; size++) {
			unsigned char *b = malloc(size + GUARD);
			size_t i;
			int rc;

			memset(b, FILL, size + GUARD);
			rc = domu_dtb_build(b, size, cases[c]);
			if (rc != -FDT_ERR_NOSPACE)
				bad_rc++;
			for (i = size; i < size + GUARD; i++)
				if (b[i] != FILL)
					bad_guard++;
			free(b);
		}
		CHECK_EQ(bad_rc, 0);
		CHECK_EQ(bad_guard, 0);

		/* the exact size is enough, and gives the same blob */
		{
			unsigned char *b = malloc(need);

			CHECK_EQ(domu_dtb_build(b, need, cases[c]), 0);
			CHECK_EQ(check_full(b, need), 0);
			CHECK(memcmp(b, fdt, need) == 0);
			free(b);
		}
		free(fdt);
	}
}

/* Optional: write sample trees for `dtc -I dtb -O dts`. */
static void dump(const char *dir)
{
	const struct domu_dtb_params *cases[] = { &one, &two };
	const char *names[] = { "domu-1.dtb", "domu-2.dtb" };
	char path[512];
	unsigned c;

	for (c = 0; c < 2; c++) {
		void *fdt = build(cases[c]);
		FILE *f;

		if (!fdt)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[c]);
		f = fopen(path, "wb");
		if (!f || fwrite(fdt, 1, fdt_totalsize(fdt), f) !=
				  fdt_totalsize(fdt)) {
			perror(path);
			test_failures++;
		}
		if (f)
			fclose(f);
		free(fdt);
	}
}

int main(int argc, char **argv)
{
	RUN(test_one_vcpu);
	RUN(test_two_vcpus_full);
	RUN(test_variants);
	RUN(test_max);
	RUN(test_bad_params);
	RUN(test_small_buffers);
	if (argc > 1)
		dump(argv[1]);
	TEST_DONE();
}
