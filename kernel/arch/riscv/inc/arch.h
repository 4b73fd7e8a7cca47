/* Arch services the portable core calls (implemented in arch/riscv/). */
#ifndef VIREO_ARCH_H
#define VIREO_ARCH_H

#include "types.h"

struct vcpu;
struct pcpu;

void arch_halt(void) __attribute__((noreturn));
/* Per-hart HS-mode setup: delegation, counters, interrupt enables. */
void arch_hart_init(void);
/* Put v's guest state into a fresh reset: pc, a0, a1, VS CSRs. */
void vcpu_arch_reset(struct vcpu *v, unsigned long pc, unsigned long a0,
		     unsigned long a1);
/* Move VS state into / out of this hart's CSRs. */
void vcpu_arch_load(struct vcpu *v);
/* The CSRs of a non-retentive resume (SBI HSM): satp = 0, sstatus.SIE = 0. */
void vcpu_arch_resume_state(struct vcpu *v);
void vcpu_arch_put(struct vcpu *v);
/* Before entering v (loaded): lines into hvip, pending fences. */
void vcpu_arch_prepare_entry(struct vcpu *v);
/* After a trap out of v: sync what the guest changed itself (VSSIP). */
void vcpu_arch_after_exit(struct vcpu *v);
/* An interrupt for v is pending and enabled (wakes it from WFI). */
bool vcpu_arch_irq_pending(struct vcpu *v);
/*
 * Whether v's WFI traps (hstatus.VTW). A vCPU alone on its hart waits in
 * the hardware instead: no trap per idle period, and any host interrupt
 * still takes the hart back.
 */
void vcpu_arch_trap_wfi(struct vcpu *v, bool trap);
/* Guest timer deadline of v, ~0 if none. */
uint64_t vcpu_arch_timer(struct vcpu *v);
/*
 * When v's own timer would wake it from WFI: its deadline if the guest
 * enabled the timer interrupt (vsie.STIE), else ~0. A deadline that
 * cannot wake it must not arm the hart's timer: it would fire at once,
 * again and again, and starve the vCPU that runs there.
 */
uint64_t vcpu_arch_wakeup(struct vcpu *v);

/* Arm this hart's own timer (stimecmp); ~0 disarms. */
void arch_timer_arm(uint64_t when);
/* Wait for an interrupt in HS-mode (SIE stays 0) and dispatch it. */
void arch_idle(void);
/* Handle pending host interrupts (SSIP, STIP, SEIP) of this hart. */
void arch_handle_host_irqs(void);

void vcpu_resume_full(void *regs) __attribute__((noreturn));
long hlvx_fetch(unsigned long gva, uint32_t *insn);
void fp_save(uint64_t *fp, unsigned long *fcsr);
void fp_restore(const uint64_t *fp, const unsigned long *fcsr);

#endif
