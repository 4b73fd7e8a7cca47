/*
 * bootfdt_parse() and dom0_dtb_build() on the tree QEMU 7.2 really builds.
 *
 * Usage: test_dom0_dtb VIRT.dtb [DOM0_OUT.dtb]
 * VIRT.dtb comes from tests/unit/gen-virt-dtb.sh (virt, 2 harts, 2 GiB, a
 * guest-loader kernel at 0x82000000 and initrd at 0x88000000). If
 * DOM0_OUT.dtb is given, the sample Dom0 tree is written there for dtc.
 */
#include "test.h"

#include "../../kernel/core/bootfdt.c"
#include "../../kernel/core/dom0_dtb.c"

#define BUF_SIZE (64 * 1024)

static void *host;  /* QEMU's tree, as dumped */
static size_t host_file_size;
static const char *dump_path;

static const struct dom0_dt_params sample = {
	.mem_base = 0x90000000,
	.mem_size = MiB(512),
	.hyp_base = 0x80200000,
	.hyp_size = MiB(32),
	.pool_base = 0xb0000000,
	.pool_size = MiB(1280),
	.nr_vcpus = 2,
	.bootargs = "console=ttyS0 earlycon=sbi",
	.initrd_start = 0x98000000,
	.initrd_end = 0x98123456,
	.vireo_base = 0x200000000,
	.vireo_size = GiB(1),
	.vireo_irq = 95,
	.isa = "rv64imafdc_sstc",
};

static void *load_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0) {
		perror(path);
		exit(2);
	}
	rewind(f);
	buf = malloc(n);
	if (!buf || fread(buf, 1, n, f) != (size_t)n) {
		perror(path);
		exit(2);
	}
	fclose(f);
	*size = n;
	return buf;
}

/* A writable copy of the host tree with room for the test's own edits. */
static void *host_copy(void)
{
	void *t = malloc(BUF_SIZE);

	if (!t || fdt_open_into(host, t, BUF_SIZE))
		abort();
	return t;
}

static int count_compatible(const void *fdt, const char *compat)
{
	int n = 0, node;

	for (node = fdt_node_offset_by_compatible(fdt, -1, compat); node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, compat))
		n++;
	return n;
}

/* Read every node and property: the structure block must parse to the end. */
static int walk_tree(const void *fdt)
{
	int node = 0, prop, depth = 0, n = 0, len;

	/* fdt_next_node() leaves depth < 0 once the root node has closed. */
	while (node >= 0 && depth >= 0) {
		if (!fdt_get_name(fdt, node, NULL))
			return -1;
		fdt_for_each_property_offset(prop, fdt, node) {
			if (!fdt_getprop_by_offset(fdt, prop, NULL, &len))
				return -1;
			n++;
		}
		if (prop != -FDT_ERR_NOTFOUND)
			return prop;
		node = fdt_next_node(fdt, node, &depth);
	}
	return node < 0 && node != -FDT_ERR_NOTFOUND ? node : n;
}

static uint32_t prop_u32(const void *fdt, int node, const char *name)
{
	const fdt32_t *p = fdt_getprop(fdt, node, name, NULL);

	return p ? fdt32_ld(p) : 0xdeadbeef;
}

static void test_parse_host(void)
{
	struct host_info hi;

	CHECK_EQ(bootfdt_parse(host, &hi), 0);
	CHECK_EQ(hi.mem_base, 0x80000000);
	CHECK_EQ(hi.mem_size, GiB(2));
	CHECK_EQ(hi.nr_harts, 2);
	CHECK_EQ(hi.hart_ids[0], 0);
	CHECK_EQ(hi.hart_ids[1], 1);
	CHECK_EQ(hi.timebase_hz, 10000000);
	CHECK_EQ(hi.uart_base, 0x10000000);
	CHECK_EQ(hi.uart_irq, 10);
	CHECK_EQ(hi.plic_base, 0x0c000000);
	CHECK_EQ(hi.plic_size, 0x600000);
	/* QEMU 7.2 virt: VIRT_IRQCHIP_NUM_SOURCES = 96. */
	CHECK_EQ(hi.plic_ndev, 96);
	CHECK_EQ(hi.kernel_base, 0x82000000);
	CHECK_EQ(hi.kernel_size, 0x1000);
	CHECK(hi.kernel_bootargs &&
	      !strcmp(hi.kernel_bootargs, "console=ttyS0 root=x"));
	CHECK_EQ(hi.initrd_base, 0x88000000);
	CHECK_EQ(hi.initrd_size, 0x2000);
}

/* Parse a copy of the host tree after edit() changed it. */
static int parse_edited(void (*edit)(void *fdt), struct host_info *hi)
{
	void *t = host_copy();
	int rc;

	edit(t);
	rc = bootfdt_parse(t, hi);
	free(t);
	return rc;
}

static void del_ndev(void *t)
{
	fdt_delprop(t, bootfdt_find_plic(t), "riscv,ndev");
}

static void del_timebase(void *t)
{
	fdt_delprop(t, fdt_path_offset(t, "/cpus"), "timebase-frequency");
}

static void del_uart_irq(void *t)
{
	fdt_delprop(t, fdt_path_offset(t, "/soc/serial@10000000"),
		    "interrupts");
}

static void short_memory_reg(void *t)
{
	fdt_setprop_u32(t, fdt_path_offset(t, "/memory@80000000"), "reg", 1);
}

static void unterminated_bootargs(void *t)
{
	fdt_setprop(t, fdt_path_offset(t, "/chosen/module@0x82000000"),
		    "bootargs", "abc", 3);
}

static void module_outside_ram(void *t)
{
	int node = fdt_path_offset(t, "/chosen/module@0x88000000");

	fdt_delprop(t, node, "reg");
	fdt_appendprop_addrrange(t, 0, node, "reg", 0x7ffff000, 0x2000);
}

static void overlapping_modules(void *t)
{
	int node = fdt_path_offset(t, "/chosen/module@0x88000000");

	fdt_delprop(t, node, "reg");
	fdt_appendprop_addrrange(t, 0, node, "reg", 0x82000800, 0x2000);
}

static void no_modules(void *t)
{
	fdt_del_node(t, fdt_path_offset(t, "/chosen/module@0x88000000"));
	fdt_del_node(t, fdt_path_offset(t, "/chosen/module@0x82000000"));
}

static void disable_cpu0(void *t)
{
	fdt_setprop_string(t, fdt_path_offset(t, "/cpus/cpu@0"), "status",
			   "disabled");
}

/* 9 more harts, ids 10..18: 11 in all, above HOST_MAX_HARTS. */
static void many_cpus(void *t)
{
	char name[16];
	int i;

	for (i = 10; i < 19; i++) {
		int node;

		snprintf(name, sizeof(name), "cpu@%x", i);
		node = fdt_add_subnode(t, fdt_path_offset(t, "/cpus"), name);
		fdt_setprop_string(t, node, "device_type", "cpu");
		fdt_setprop_u32(t, node, "reg", i);
	}
}

static void test_parse_bad(void)
{
	struct host_info hi;
	char junk[64] = "not a device tree";

	CHECK(bootfdt_parse(junk, &hi) < 0);
	CHECK_EQ(parse_edited(del_ndev, &hi), -FDT_ERR_NOTFOUND);
	CHECK_EQ(parse_edited(del_timebase, &hi), -FDT_ERR_NOTFOUND);
	CHECK_EQ(parse_edited(del_uart_irq, &hi), -FDT_ERR_NOTFOUND);
	CHECK_EQ(parse_edited(short_memory_reg, &hi), -FDT_ERR_BADVALUE);
	CHECK_EQ(parse_edited(unterminated_bootargs, &hi), -FDT_ERR_BADVALUE);
	CHECK_EQ(parse_edited(module_outside_ram, &hi), -FDT_ERR_BADVALUE);
	CHECK_EQ(parse_edited(overlapping_modules, &hi), -FDT_ERR_BADVALUE);
}

static void test_parse_variants(void)
{
	struct host_info hi;

	CHECK_EQ(parse_edited(no_modules, &hi), 0);
	CHECK_EQ(hi.kernel_size, 0);
	CHECK_EQ(hi.initrd_size, 0);
	CHECK(hi.kernel_bootargs == NULL);

	CHECK_EQ(parse_edited(disable_cpu0, &hi), 0);
	CHECK_EQ(hi.nr_harts, 1);
	CHECK_EQ(hi.hart_ids[0], 1);

	CHECK_EQ(parse_edited(many_cpus, &hi), 0);
	CHECK_EQ(hi.nr_harts, HOST_MAX_HARTS);
	/* fdt_add_subnode() puts each new node first: tree order 18..10, 0, 1. */
	CHECK_EQ(hi.hart_ids[0], 18);
	CHECK_EQ(hi.hart_ids[HOST_MAX_HARTS - 1], 18 - HOST_MAX_HARTS + 1);
}

static void check_memory(const void *fdt, const struct dom0_dt_params *p)
{
	paddr_t base = 0, size = 0;
	int node;

	node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory",
					     sizeof("memory"));
	CHECK_EQ(bootfdt_read_reg(fdt, node, 0, &base, &size), 0);
	CHECK_EQ(base, p->mem_base);
	CHECK_EQ(size, p->mem_size);
	CHECK_EQ(fdt_node_offset_by_prop_value(fdt, node, "device_type",
					       "memory", sizeof("memory")),
		 -FDT_ERR_NOTFOUND);

	node = fdt_path_offset(fdt, "/reserved-memory");
	CHECK(node >= 0);
	CHECK_EQ(prop_u32(fdt, node, "#address-cells"), 2);
	CHECK(fdt_getprop(fdt, node, "ranges", NULL) != NULL);
	node = fdt_subnode_offset(fdt, node, "vireo");
	CHECK_EQ(bootfdt_read_reg(fdt, node, 0, &base, &size), 0);
	CHECK_EQ(base, p->hyp_base);
	CHECK_EQ(size, p->hyp_size);
	CHECK(fdt_getprop(fdt, node, "no-map", NULL) != NULL);
	if (!p->pool_size)
		return;
	/* The DomU pool: Dom0 memory (a second reg range), and reserved
	 * without no-map, so Dom0's kernel has struct pages for it. */
	node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory",
					     sizeof("memory"));
	CHECK_EQ(bootfdt_read_reg(fdt, node, 1, &base, &size), 0);
	CHECK_EQ(base, p->pool_base);
	CHECK_EQ(size, p->pool_size);
	node = fdt_subnode_offset(fdt, fdt_path_offset(fdt, "/reserved-memory"),
				  "vireo-pool");
	CHECK(node >= 0);
	CHECK_EQ(bootfdt_read_reg(fdt, node, 0, &base, &size), 0);
	CHECK_EQ(base, p->pool_base);
	CHECK_EQ(size, p->pool_size);
	CHECK(fdt_getprop(fdt, node, "no-map", NULL) == NULL);
}

/* cpu@0..n-1 with reg = i and the isa; intc[i] = their intc phandles. */
static void check_cpus(const void *fdt, const struct dom0_dt_params *p,
		       uint32_t *intc)
{
	char name[16];
	unsigned n = 0;
	int cpus, node, sub;

	cpus = fdt_path_offset(fdt, "/cpus");
	CHECK_EQ(fdt_subnode_offset(fdt, cpus, "cpu-map"), -FDT_ERR_NOTFOUND);
	CHECK_EQ(prop_u32(fdt, cpus, "timebase-frequency"), 10000000);
	fdt_for_each_subnode(node, fdt, cpus) {
		if (!bootfdt_is_cpu(fdt, node))
			continue;
		snprintf(name, sizeof(name), "cpu@%x", n);
		CHECK(!strcmp(fdt_get_name(fdt, node, NULL), name));
		CHECK_EQ(prop_u32(fdt, node, "reg"), n);
		CHECK(bootfdt_prop_streq(fdt, node, "riscv,isa", p->isa));
		sub = fdt_subnode_offset(fdt, node, "interrupt-controller");
		CHECK(sub >= 0);
		if (n < HOST_MAX_HARTS)
			intc[n] = fdt_get_phandle(fdt, sub);
		n++;
	}
	CHECK_EQ(n, p->nr_vcpus);
}

static void check_plic(const void *fdt, const struct dom0_dt_params *p,
		       const uint32_t *intc, uint32_t ndev)
{
	const fdt32_t *ext;
	unsigned i;
	int node, len;

	node = bootfdt_find_plic(fdt);
	CHECK(node >= 0);
	CHECK_EQ(prop_u32(fdt, node, "riscv,ndev"), ndev);
	ext = fdt_getprop(fdt, node, "interrupts-extended", &len);
	CHECK(ext != NULL);
	CHECK_EQ(len, 2 * 4 * p->nr_vcpus);
	for (i = 0; ext && i < p->nr_vcpus && i < (unsigned)len / 8; i++) {
		CHECK_EQ(fdt32_ld(&ext[2 * i]), intc[i]);
		CHECK_EQ(fdt32_ld(&ext[2 * i + 1]), 9);
	}
}

static void check_devices(const void *fdt)
{
	static const char *const gone[] = {
		"riscv,clint0", "sifive,clint0", "sifive,test0",
		"sifive,test1", "syscon-poweroff", "syscon-reboot",
		"qemu,fw-cfg-mmio", "cfi-flash", "pci-host-ecam-generic",
		"qemu,platform",
	};
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(gone); i++)
		CHECK_EQ(count_compatible(fdt, gone[i]), 0);
	CHECK_EQ(count_compatible(fdt, "ns16550a"), 1);
	CHECK_EQ(count_compatible(fdt, "virtio,mmio"), 8);
	CHECK_EQ(count_compatible(fdt, "google,goldfish-rtc"), 1);
}

static void check_chosen(const void *fdt, const struct dom0_dt_params *p)
{
	const fdt64_t *v;
	int node, len;

	node = fdt_path_offset(fdt, "/chosen");
	CHECK(node >= 0);
	CHECK_EQ(fdt_first_subnode(fdt, node), -FDT_ERR_NOTFOUND);
	CHECK(bootfdt_prop_streq(fdt, node, "stdout-path",
				 "/soc/serial@10000000"));
	if (p->bootargs)
		CHECK(bootfdt_prop_streq(fdt, node, "bootargs", p->bootargs));
	else
		CHECK(!fdt_getprop(fdt, node, "bootargs", NULL));
	v = fdt_getprop(fdt, node, "linux,initrd-start", &len);
	if (!p->initrd_start) {
		CHECK(v == NULL);
		return;
	}
	CHECK(v && len == 8 && fdt64_ld(v) == p->initrd_start);
	v = fdt_getprop(fdt, node, "linux,initrd-end", &len);
	CHECK(v && len == 8 && fdt64_ld(v) == p->initrd_end);
}

static void check_vireo(const void *fdt, const struct dom0_dt_params *p)
{
	paddr_t base = 0, size = 0;
	int node;

	node = fdt_path_offset(fdt, "/vireo");
	CHECK(node >= 0);
	CHECK(!fdt_node_check_compatible(fdt, node, "vireo,hypervisor"));
	CHECK_EQ(bootfdt_read_reg(fdt, node, 0, &base, &size), 0);
	CHECK_EQ(base, p->vireo_base);
	CHECK_EQ(size, p->vireo_size);
	CHECK_EQ(prop_u32(fdt, node, "interrupt-parent"),
		 fdt_get_phandle(fdt, bootfdt_find_plic(fdt)));
	CHECK_EQ(prop_u32(fdt, node, "interrupts"), p->vireo_irq);
}

/* Build from tree `from` and check everything; returns the result. */
static void *build_and_check(const void *from, const struct dom0_dt_params *p,
			     uint32_t ndev)
{
	uint32_t intc[HOST_MAX_HARTS] = { 0 };
	struct host_info hi;
	void *out = malloc(BUF_SIZE);

	CHECK_EQ(dom0_dtb_build(from, out, BUF_SIZE, p), 0);
	CHECK_EQ(fdt_check_header(out), 0);
	CHECK(fdt_totalsize(out) <= BUF_SIZE);
	CHECK(walk_tree(out) > 0);
	check_memory(out, p);
	check_cpus(out, p, intc);
	check_plic(out, p, intc, ndev);
	check_devices(out);
	check_chosen(out, p);
	check_vireo(out, p);
	/* The hypervisor's own parser must accept what it gives Dom0. */
	CHECK_EQ(bootfdt_parse(out, &hi), 0);
	CHECK_EQ(hi.nr_harts, p->nr_vcpus);
	CHECK_EQ(hi.mem_base, p->mem_base);
	CHECK_EQ(hi.kernel_size, 0);
	return out;
}

static void test_build_sample(void)
{
	void *out = build_and_check(host, &sample, 96);
	FILE *f;

	if (dump_path && (f = fopen(dump_path, "wb"))) {
		fwrite(out, 1, fdt_totalsize(out), f);
		fclose(f);
	}
	free(out);
}

static void test_build_one_vcpu(void)
{
	struct dom0_dt_params p = sample;

	p.nr_vcpus = 1;
	p.plic_ndev = 95;
	free(build_and_check(host, &p, 95));
}

/* Host chosen/bootargs and initrd must not leak into Dom0's tree. */
static void test_build_no_args(void)
{
	struct dom0_dt_params p = sample;
	void *t = host_copy();
	int chosen = fdt_path_offset(t, "/chosen");

	fdt_setprop_string(t, chosen, "bootargs", "hypervisor args");
	fdt_setprop_u32(t, chosen, "linux,initrd-start", 0x84000000);
	fdt_setprop_u32(t, chosen, "linux,initrd-end", 0x84100000);
	p.bootargs = NULL;
	p.initrd_start = p.initrd_end = 0;
	free(build_and_check(t, &p, 96));
	free(t);
}

/* Hart 0 disabled: hart 1 becomes vCPU 0 and keeps its intc phandle. */
static void test_build_renumber(void)
{
	struct dom0_dt_params p = sample;
	uint32_t intc1;
	void *t = host_copy(), *out;
	int node;

	disable_cpu0(t);
	intc1 = fdt_get_phandle(t, fdt_path_offset(t,
				"/cpus/cpu@1/interrupt-controller"));
	CHECK(intc1 != 0);
	p.nr_vcpus = 1;
	out = build_and_check(t, &p, 96);
	node = fdt_path_offset(out, "/cpus/cpu@0/interrupt-controller");
	CHECK_EQ(fdt_get_phandle(out, node), intc1);
	CHECK_EQ(fdt_path_offset(out, "/cpus/cpu@1"), -FDT_ERR_NOTFOUND);
	free(out);
	free(t);
}

/* At run time OpenSBI has added its M-mode range: it must stay reserved. */
static void test_build_keeps_opensbi_resv(void)
{
	paddr_t base = 0, size = 0;
	void *t = host_copy(), *out;
	int resv, node;

	resv = fdt_add_subnode(t, 0, "reserved-memory");
	fdt_setprop_u32(t, resv, "#address-cells", 2);
	fdt_setprop_u32(t, resv, "#size-cells", 2);
	fdt_setprop_empty(t, resv, "ranges");
	node = fdt_add_subnode(t, resv, "mmode_resv0@80000000");
	fdt_appendprop_addrrange(t, resv, node, "reg", 0x80000000, KiB(512));
	out = build_and_check(t, &sample, 96);
	node = fdt_path_offset(out, "/reserved-memory/mmode_resv0");
	CHECK_EQ(bootfdt_read_reg(out, node, 0, &base, &size), 0);
	CHECK_EQ(base, 0x80000000);
	CHECK_EQ(size, KiB(512));
	/* One /reserved-memory, holding OpenSBI's, ours and the pool's. */
	resv = fdt_path_offset(out, "/reserved-memory");
	CHECK(fdt_subnode_offset(out, resv, "vireo") >= 0);
	CHECK(fdt_subnode_offset(out, resv, "vireo-pool") >= 0);
	CHECK_EQ(fdt_next_subnode(out, fdt_next_subnode(out, fdt_next_subnode(
			out, fdt_first_subnode(out, resv)))), -FDT_ERR_NOTFOUND);
	free(out);
	free(t);
}

static void test_build_bad_params(void)
{
	struct dom0_dt_params p;
	void *out = malloc(BUF_SIZE);

	p = sample;
	p.nr_vcpus = 0;
	CHECK_EQ(dom0_dtb_build(host, out, BUF_SIZE, &p), -FDT_ERR_BADVALUE);
	p.nr_vcpus = 3; /* the host has 2 harts */
	CHECK_EQ(dom0_dtb_build(host, out, BUF_SIZE, &p), -FDT_ERR_BADVALUE);
	p = sample;
	p.initrd_end = p.mem_base + p.mem_size + 1;
	CHECK_EQ(dom0_dtb_build(host, out, BUF_SIZE, &p), -FDT_ERR_BADVALUE);
	p = sample;
	p.plic_ndev = 94; /* vireo_irq 95 is not a source any more */
	CHECK_EQ(dom0_dtb_build(host, out, BUF_SIZE, &p), -FDT_ERR_BADVALUE);
	p = sample;
	p.vireo_irq = 0;
	CHECK_EQ(dom0_dtb_build(host, out, BUF_SIZE, &p), -FDT_ERR_BADVALUE);
	free(out);
}

/*
 * Every buffer size from 0 up: an exact-size heap buffer, so ASan sees any
 * write past it. Too small must give an error, never a crash; sizes just
 * above the host tree fail half-way through the edits.
 */
static void test_build_small_buffers(void)
{
	size_t size, host_size;
	int fails_midway = 0, ok = 0;

	/* QEMU dumps its whole 1 MiB buffer: start from the packed size. */
	host_size = fdt_off_dt_strings(host) + fdt_size_dt_strings(host);
	for (size = 0; size < host_size + 4096; size += size < 1024 ? 64 : 8) {
		void *out = malloc(size ? size : 1);
		int rc = dom0_dtb_build(host, out, size, &sample);

		if (rc) {
			CHECK(rc < 0);
			if (size >= host_size)
				fails_midway++;
		} else {
			CHECK_EQ(fdt_check_header(out), 0);
			CHECK(fdt_totalsize(out) <= size);
			ok++;
		}
		if (size < 1024)
			CHECK_EQ(rc, -FDT_ERR_NOSPACE);
		free(out);
	}
	CHECK(fails_midway > 0);
	CHECK(ok > 0);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s VIRT.dtb [DOM0_OUT.dtb]\n", argv[0]);
		return 2;
	}
	host = load_file(argv[1], &host_file_size);
	dump_path = argc > 2 ? argv[2] : NULL;
	if (fdt_check_header(host) || fdt_totalsize(host) > host_file_size) {
		fprintf(stderr, "%s: not a device tree\n", argv[1]);
		return 2;
	}
	RUN(test_parse_host);
	RUN(test_parse_bad);
	RUN(test_parse_variants);
	RUN(test_build_sample);
	RUN(test_build_one_vcpu);
	RUN(test_build_no_args);
	RUN(test_build_renumber);
	RUN(test_build_keeps_opensbi_resv);
	RUN(test_build_bad_params);
	RUN(test_build_small_buffers);
	free(host);
	TEST_DONE();
}
