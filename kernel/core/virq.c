/*
 * Notifications to Dom0: a pending mask behind one level-triggered line of
 * Dom0's vPLIC (the interrupt of its vireo node). vireo.ko acks with
 * VIREO_HC_VIRQ_ACK, which lowers the line and returns the mask.
 */
#include "domain.h"

#define DOM0_VIRQ_LINE 48 /* the vireo node's interrupt (dom0.c) */

static volatile uint32_t virq_pending;

void virq_raise(uint32_t bits)
{
	__atomic_or_fetch(&virq_pending, bits, __ATOMIC_ACQ_REL);
	if (dom0)
		vplic_set_level(&dom0->vplic, DOM0_VIRQ_LINE, true);
}

uint32_t virq_ack(void)
{
	/* Lower first: a raise that races with us re-raises the line. */
	vplic_set_level(&dom0->vplic, DOM0_VIRQ_LINE, false);
	return __atomic_exchange_n(&virq_pending, 0, __ATOMIC_ACQ_REL);
}
