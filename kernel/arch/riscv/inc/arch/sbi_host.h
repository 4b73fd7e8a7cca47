/* Calls from the hypervisor down to OpenSBI (M-mode). */
#ifndef VIREO_SBI_HOST_H
#define VIREO_SBI_HOST_H

#include "types.h"

struct sbiret_host {
	long error;
	long value;
};

struct sbiret_host sbi_host_call(unsigned long eid, unsigned long fid,
				 unsigned long a0, unsigned long a1,
				 unsigned long a2);
long sbi_host_hart_start(unsigned long hartid, unsigned long addr,
			 unsigned long opaque);
void sbi_host_send_ipi(unsigned long hartid);
/* Ask OpenSBI for this hart's mvendorid, marchid and mimpid (0 if it
 * does not say) and hand them to the BASE extension for guests. */
void sbi_host_machine_ids(void);

#endif
