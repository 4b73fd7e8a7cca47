/* The hypervisor's own SBI calls to OpenSBI. */
#include <arch/sbi.h>
#include <arch/sbi_host.h>

#include "printk.h"

#define HSM_HART_START 0
#define IPI_SEND_IPI 0
#define SRST_SYSTEM_RESET 0

struct sbiret_host sbi_host_call(unsigned long eid, unsigned long fid,
				 unsigned long a0, unsigned long a1,
				 unsigned long a2)
{
	register unsigned long r0 __asm__("a0") = a0;
	register unsigned long r1 __asm__("a1") = a1;
	register unsigned long r2 __asm__("a2") = a2;
	register unsigned long r6 __asm__("a6") = fid;
	register unsigned long r7 __asm__("a7") = eid;

	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1)
			 : "r"(r2), "r"(r6), "r"(r7)
			 : "memory");
	return (struct sbiret_host){(long)r0, (long)r1};
}

long sbi_host_hart_start(unsigned long hartid, unsigned long addr,
			 unsigned long opaque)
{
	return sbi_host_call(SBI_EXT_HSM, HSM_HART_START, hartid, addr, opaque)
		.error;
}

#define BASE_GET_MVENDORID 4

void sbi_host_machine_ids(void)
{
	unsigned long id[3];

	for (unsigned i = 0; i < 3; i++) {
		struct sbiret_host r = sbi_host_call(SBI_EXT_BASE,
						     BASE_GET_MVENDORID + i, 0, 0, 0);
		id[i] = r.error ? 0 : (unsigned long)r.value;
	}
	sbi_base_set_machine_ids(id[0], id[1], id[2]);
	printk("host mvendorid %lx marchid %lx mimpid %lx\n", id[0], id[1],
	       id[2]);
}

void sbi_host_send_ipi(unsigned long hartid)
{
	/* hart_mask_base = hartid, mask bit 0: works for any hart id. */
	sbi_host_call(SBI_EXT_IPI, IPI_SEND_IPI, 1, hartid, 0);
}

void host_system_reset(unsigned long type, unsigned long reason)
{
	printk("Dom0 requested %s: %s the host\n",
	       type == 0 ? "shutdown" : "reboot",
	       type == 0 ? "powering off" : "resetting");
	sbi_host_call(SBI_EXT_SRST, SRST_SYSTEM_RESET, type, reason, 0);
	panic("SBI system reset returned");
}

void arch_halt(void)
{
	for (;;)
		__asm__ volatile("wfi");
}
