// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile DomU kernel module: it calls every Dom0-only Vireo hypercall
 * with arguments that would hurt if they were obeyed (destroy Dom0, map
 * Dom0's memory, read its console) and expects SBI_ERR_DENIED for each.
 * VERSION is open to everyone; an unknown function is NOT_SUPPORTED.
 * Prints "hostile: done N denied M wrong" and fails to load, so it can be
 * run again.
 */
#include <linux/module.h>
#include <asm/sbi.h>

#include "vireo_abi.h"

#define SBI_ERR_NOT_SUPPORTED -2
#define SBI_ERR_DENIED -4

static int __init hostile_init(void)
{
	unsigned int denied = 0, wrong = 0;
	struct sbiret r;
	unsigned long fid;

	r = sbi_ecall(VIREO_SBI_EXT, VIREO_HC_VERSION, 0, 0, 0, 0, 0, 0);
	if (r.error || r.value != VIREO_INTERFACE_VERSION) {
		pr_info("hostile: VERSION err=%ld value=%lx WRONG\n", r.error, r.value);
		wrong++;
	}
	for (fid = VIREO_HC_VERSION + 1; fid <= VIREO_HC_MAX; fid++) {
		if (fid >= VIREO_HC_FIRST_OPEN && fid <= VIREO_HC_LAST_OPEN)
			continue; /* event channels: open to every domain */
		/* domid 0 = Dom0, gpa 0x82000000 = Dom0's kernel, big sizes */
		r = sbi_ecall(VIREO_SBI_EXT, fid, 0, 0x82000000UL, 1UL << 30,
			      0, 0, 0);
		if (r.error == SBI_ERR_DENIED) {
			denied++;
		} else {
			pr_info("hostile: fid %lu err=%ld WRONG\n", fid, r.error);
			wrong++;
		}
	}
	r = sbi_ecall(VIREO_SBI_EXT, 1000, 0, 0, 0, 0, 0, 0);
	if (r.error != SBI_ERR_NOT_SUPPORTED) {
		pr_info("hostile: fid 1000 err=%ld WRONG\n", r.error);
		wrong++;
	}
	pr_info("hostile: done %u denied %u wrong\n", denied, wrong);
	return -ENODEV;
}

module_init(hostile_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Vireo test: Dom0-only hypercalls from a DomU");
