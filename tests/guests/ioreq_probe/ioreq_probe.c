// SPDX-License-Identifier: GPL-2.0
/*
 * A DomU module that touches a device model's MMIO range (forwarded by the
 * hypervisor to Dom0 as ioreqs): `n` rounds of a 32-bit write and a 32-bit
 * read whose value the Dom0 test model derives from the address. Prints
 * "ioreq_probe: N ok M bad" and fails to load, so it can run again.
 */
#include <linux/io.h>
#include <linux/module.h>

static uint n = 100;
static ulong base = 0x10001000;
module_param(n, uint, 0444);
module_param(base, ulong, 0444);

static int __init probe_init(void)
{
	void __iomem *regs = ioremap(base, PAGE_SIZE);
	uint ok = 0, bad = 0, i;

	if (!regs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		u32 off = (i * 4) & 0xffc, want = 0xc0de0000 | off;
		writel(i, regs + off);
		if (readl(regs + off) == want)
			ok++;
		else
			bad++;
	}
	iounmap(regs);
	pr_info("ioreq_probe: %u ok %u bad\n", ok, bad);
	return -ENODEV;
}

module_init(probe_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Vireo test: MMIO forwarded to a Dom0 device model");
