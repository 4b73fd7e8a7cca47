// SPDX-License-Identifier: GPL-2.0
/*
 * sbi_null: the cost of the cheapest SBI call, BASE get_spec_version, made
 * `iters` times back to back on one hart with interrupts off.
 *
 *     sbi_null: iters=<N> instret=<M> per_call=<X.Y>
 *     sbi_null: iters=<N> ns=<T> ns_per_call=<X.Y>
 *
 * instret counts every instruction the hart retires, in every privilege mode
 * (Linux's loop, the trap into the SBI implementation, its handler and the
 * sret/mret back), so per_call is the full round trip. Under QEMU TCG it is
 * an exact count only with -icount; without it QEMU returns host ticks.
 * Under a hypervisor, reading instret from VS-mode needs hcounteren.IR.
 *
 * Loading always fails with -ENODEV, so the benchmark can be run again.
 */
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/timekeeping.h>
#include <asm/csr.h>
#include <asm/sbi.h>

static unsigned int iters = 100000;
module_param(iters, uint, 0444);
MODULE_PARM_DESC(iters, "number of SBI calls to time (default 100000)");

/* "<whole>.<tenth>" of total / n, printed without floating point. */
static void sbi_null_report(const char *what, const char *per,
			    u64 total, unsigned int n)
{
	u64 tenths = div_u64(total * 10, n);
	u32 frac;
	u64 whole = div_u64_rem(tenths, 10, &frac);

	pr_info("sbi_null: iters=%u %s=%llu %s=%llu.%u\n", n, what, total, per,
		whole, frac);
}

static int __init sbi_null_init(void)
{
	unsigned long flags, i0, i1;
	u64 t0, t1;
	unsigned int i;

	if (iters == 0)
		return -EINVAL;

	local_irq_save(flags);
	t0 = ktime_get_ns();
	i0 = csr_read(CSR_INSTRET);
	for (i = 0; i < iters; i++)
		sbi_ecall(SBI_EXT_BASE, SBI_EXT_BASE_GET_SPEC_VERSION,
			  0, 0, 0, 0, 0, 0);
	i1 = csr_read(CSR_INSTRET);
	t1 = ktime_get_ns();
	local_irq_restore(flags);

	sbi_null_report("instret", "per_call", i1 - i0, iters);
	sbi_null_report("ns", "ns_per_call", t1 - t0, iters);
	return -ENODEV;
}

module_init(sbi_null_init);
MODULE_DESCRIPTION("Instructions and time per null SBI call");
MODULE_LICENSE("GPL");
