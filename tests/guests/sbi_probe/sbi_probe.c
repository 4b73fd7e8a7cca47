// SPDX-License-Identifier: GPL-2.0
/*
 * sbi_probe: feed the SBI implementation below Linux calls it must refuse,
 * and check each error code against the SBI specification (v2.0, chapter 3:
 * "Binary Encoding", and the chapter of each extension).
 *
 * One kernel-log line per case:
 *     sbi_probe: <case> err=<n> expect=<m> PASS|FAIL
 * then
 *     sbi_probe: done <N> passed <M> failed
 *
 * Loading always fails with -ENODEV once the cases have run, so that the
 * module never stays resident and `insmod sbi_probe.ko` can be repeated; the
 * verdict is read from the kernel log.
 *
 * No case may change machine state: every call is one the implementation
 * must reject, apart from BASE probes and a DBCN write of one byte.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/smp.h>
#include <asm/page.h>
#include <asm/sbi.h>

/* Not in Linux 6.1's <asm/sbi.h>. */
#define PROBE_EXT_DBCN			0x4442434E	/* "DBCN" */
#define PROBE_DBCN_WRITE_BYTE		2
#define PROBE_HSM_HART_GET_STATUS	2		/* SBI_EXT_HSM_HART_STATUS */

#define PROBE_EID_UNKNOWN	0x0ABCDEF0	/* in no SBI-defined range */
#define PROBE_FID_UNKNOWN	0x7FFF		/* BASE defines FIDs 0..6 */
#define PROBE_HART_NONE		1000		/* far beyond QEMU virt's 8 harts */
#define PROBE_MASK_HIGH		0xffff0000UL	/* harts 16..31, none exist */
#define PROBE_MASK_HART8	0x100UL		/* hart 8, beyond -smp 8 */
#define PROBE_SRST_RESERVED	0x00000003	/* reserved reset type */
#define PROBE_SRST_VENDOR	0xF0000000	/* vendor type; Vireo has none */

struct probe_case {
	const char *name;
	int eid;
	int fid;
	unsigned long arg[3];
	long expect;		/* sbiret.error */
	bool check_value;	/* also compare sbiret.value */
	long expect_value;
	bool self_hart;		/* arg[0] = running hart, arg[1] = kernel text */
};

static struct probe_case cases[] __initdata = {
	{ "unknown_eid", PROBE_EID_UNKNOWN, 0, { 0 }, SBI_ERR_NOT_SUPPORTED },
	{ "base_unknown_fid", SBI_EXT_BASE, PROBE_FID_UNKNOWN, { 0 },
	  SBI_ERR_NOT_SUPPORTED },
	{ "base_probe_unknown", SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT,
	  { PROBE_EID_UNKNOWN }, 0, true, 0 },
	{ "hsm_start_bad_hart", SBI_EXT_HSM, SBI_EXT_HSM_HART_START,
	  { PROBE_HART_NONE }, SBI_ERR_INVALID_PARAM },
	{ "hsm_start_running", SBI_EXT_HSM, SBI_EXT_HSM_HART_START,
	  { 0 }, SBI_ERR_ALREADY_AVAILABLE, .self_hart = true },
	{ "hsm_status_bad_hart", SBI_EXT_HSM, PROBE_HSM_HART_GET_STATUS,
	  { PROBE_HART_NONE }, SBI_ERR_INVALID_PARAM },
	{ "rfence_sfence_vma_bad_mask", SBI_EXT_RFENCE,
	  SBI_EXT_RFENCE_REMOTE_SFENCE_VMA, { PROBE_MASK_HIGH, 0, 0 },
	  SBI_ERR_INVALID_PARAM },
	{ "ipi_bad_mask", SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI,
	  { PROBE_MASK_HART8, 0 }, SBI_ERR_INVALID_PARAM },
	{ "srst_reserved_type", SBI_EXT_SRST, SBI_EXT_SRST_RESET,
	  { PROBE_SRST_RESERVED, 0 }, SBI_ERR_INVALID_PARAM },
	{ "srst_vendor_type", SBI_EXT_SRST, SBI_EXT_SRST_RESET,
	  { PROBE_SRST_VENDOR, 0 }, SBI_ERR_INVALID_PARAM },
	{ "dbcn_write_byte", PROBE_EXT_DBCN, PROBE_DBCN_WRITE_BYTE, { 'x' }, 0 },
};

/* The hart id of @cpu, from its device-tree node ("reg" of /cpus/cpu@N). */
static long __init probe_hartid(int cpu)
{
	struct device_node *np = of_get_cpu_node(cpu, NULL);
	const __be32 *reg;
	int len;
	long hartid = -1;

	if (!np)
		return -1;
	reg = of_get_property(np, "reg", &len);
	if (reg && len >= (int)sizeof(*reg))
		hartid = of_read_number(reg, len / sizeof(*reg));
	of_node_put(np);
	return hartid;
}

static bool __init probe_run(const struct probe_case *c)
{
	struct sbiret ret;
	bool pass;

	ret = sbi_ecall(c->eid, c->fid, c->arg[0], c->arg[1], c->arg[2], 0, 0, 0);
	pass = ret.error == c->expect &&
	       (!c->check_value || ret.value == c->expect_value);
	pr_info("sbi_probe: %s err=%ld expect=%ld %s\n", c->name, ret.error,
		c->expect, pass ? "PASS" : "FAIL");
	if (c->check_value && ret.value != c->expect_value)
		pr_info("sbi_probe: %s value=%ld expect_value=%ld\n", c->name,
			ret.value, c->expect_value);
	return pass;
}

static void __init probe_print_impl(void)
{
	struct sbiret ver, id, impv;

	ver = sbi_ecall(SBI_EXT_BASE, SBI_EXT_BASE_GET_SPEC_VERSION, 0, 0, 0, 0, 0, 0);
	id = sbi_ecall(SBI_EXT_BASE, SBI_EXT_BASE_GET_IMP_ID, 0, 0, 0, 0, 0, 0);
	impv = sbi_ecall(SBI_EXT_BASE, SBI_EXT_BASE_GET_IMP_VERSION, 0, 0, 0, 0, 0, 0);
	pr_info("sbi_probe: info spec_version=%lu.%lu impl_id=%ld impl_version=0x%lx\n",
		(ver.value >> SBI_SPEC_VERSION_MAJOR_SHIFT) & SBI_SPEC_VERSION_MAJOR_MASK,
		ver.value & SBI_SPEC_VERSION_MINOR_MASK, id.value, impv.value);
}

static int __init sbi_probe_init(void)
{
	unsigned int passed = 0, failed = 0;
	unsigned long start_pa = __pa_symbol(sbi_ecall);
	long self;
	size_t i;

	/* Any online hart is running; this one is at least for now. */
	self = probe_hartid(get_cpu());
	put_cpu();
	probe_print_impl();

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct probe_case *c = &cases[i];

		if (c->self_hart) {
			c->arg[0] = self;
			c->arg[1] = start_pa;
		}
		if (probe_run(c))
			passed++;
		else
			failed++;
	}
	pr_info("sbi_probe: done %u passed %u failed\n", passed, failed);
	return -ENODEV;
}

module_init(sbi_probe_init);
MODULE_DESCRIPTION("Check the SBI implementation's answers to invalid calls");
MODULE_LICENSE("GPL");
