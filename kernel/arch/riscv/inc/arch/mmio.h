/* Guest-page faults: emulated MMIO, or a fault handed back to the guest. */
#ifndef VIREO_MMIO_H
#define VIREO_MMIO_H

struct vcpu;

void mmio_guest_page_fault(struct vcpu *v);

#endif
