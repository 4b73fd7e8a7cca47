/*
 * A vCPU's VS-level interrupt lines (hvip.VSSIP, VSEIP) as other harts and
 * devices raise them: the vPLIC's output (virqc.c) and SBI IPIs (sbi_ipi.c).
 * The levels are kept in struct vcpu_arch; the vCPU's own hart moves them
 * into hvip before it enters the guest (vcpu_arch.c).
 */
#include <arch/csr.h>

#include "pcpu.h"
#include "vcpu.h"

void vcpu_set_irq(struct vcpu *v, unsigned long hvip_bit, bool level)
{
	if (hvip_bit == HVIP_VSEIP) {
		v->arch.eip = level;
	} else if (hvip_bit == HVIP_VSSIP) {
		if (!level)
			return; /* the guest clears its own VSSIP */
		/*
		 * Still pending from an earlier call, so v has not entered
		 * the guest since: that call's kick (woke it, or interrupts
		 * its hart) delivers this one too. A flood of IPIs then costs
		 * v's hart one interruption, not one per IPI.
		 */
		if (__atomic_exchange_n(&v->arch.ssip_req, 1, __ATOMIC_ACQ_REL))
			return;
	}
	if (level) {
		vcpu_kick(v);
	} else {
		struct pcpu *p = __atomic_load_n(&v->pcpu, __ATOMIC_ACQUIRE);
		if (p && p != this_pcpu() && v->in_guest)
			pcpu_ipi(p, IPI_KICK); /* lower the line it runs with */
	}
}
