/*
 * A domain's virtual interrupt controller as the core sees it (Bao's
 * irqc.h). The model is the architecture's, chosen at build time; on
 * RISC-V the vPLIC (arch/riscv/virqc.c over arch/riscv/vplic.c), which an
 * AIA/IMSIC model could sit beside. <arch/virqc.h> defines struct virqc
 * (a domain's d->irqc) and VIRQC_MAX_LINES. Lines are the guest's
 * interrupt numbers; one context per vCPU.
 */
#ifndef VIREO_VIRQC_H
#define VIREO_VIRQC_H

#include <arch/virqc.h>

#include "types.h"

struct domain;

/*
 * Set up d's controller with nr_lines lines (line 0 is none) at
 * d->plic_base, one context per vCPU, and register its MMIO region in d's
 * device table. -1 if out of memory or the region does not fit; what was
 * allocated goes with virqc_free().
 */
int virqc_init(struct domain *d, unsigned nr_lines);
void virqc_free(struct domain *d);
unsigned virqc_nr_lines(const struct domain *d);
/* A device's level-triggered output. */
void virqc_set_level(struct domain *d, unsigned line, bool level);
/* An edge: the event-channel upcall, or a host interrupt passed through. */
void virqc_inject(struct domain *d, unsigned line);
/* Line is a host device's (Dom0): the guest's completion of it completes
 * it on the host. */
void virqc_set_hw(struct domain *d, unsigned line);
/* The monitor's view of the controller, its contexts and their vCPUs. */
void virqc_dump(struct domain *d, void (*out)(const char *s));

#endif
