/* RISC-V services the arch code shares (the core's are declared in core
 * headers: vcpu.h, pcpu.h). */
#ifndef VIREO_ARCH_H
#define VIREO_ARCH_H

#include "types.h"

struct vcpu_regs;

/* trap_entry.S: enter the guest with every register from r. */
void vcpu_resume_full(struct vcpu_regs *r) __attribute__((noreturn));
long hlvx_fetch(unsigned long gva, uint32_t *insn);
void fp_save(uint64_t *fp, unsigned long *fcsr);
void fp_restore(const uint64_t *fp, const unsigned long *fcsr);

#endif
