/* The RISC-V part of a vCPU: guest registers and VS-level CSRs. */
#ifndef VIREO_VCPU_ARCH_H
#define VIREO_VCPU_ARCH_H

#include <arch/csr.h>

#include "types.h"

/* GPR indices in vcpu_regs.x[] (x0 is never stored). */
enum {
	REG_ZERO, REG_RA, REG_SP, REG_GP, REG_TP, REG_T0, REG_T1, REG_T2,
	REG_S0, REG_S1, REG_A0, REG_A1, REG_A2, REG_A3, REG_A4, REG_A5,
	REG_A6, REG_A7, REG_S2, REG_S3, REG_S4, REG_S5, REG_S6, REG_S7,
	REG_S8, REG_S9, REG_S10, REG_S11, REG_T3, REG_T4, REG_T5, REG_T6,
};

/*
 * Saved by trap.S. The fast path (VS ecall) saves only the registers the C
 * calling convention does not preserve; the slow path saves all of them plus
 * the trap CSRs. Offsets are mirrored in asm-offsets below.
 */
struct vcpu_regs {
	unsigned long x[32];
	unsigned long sepc;    /* 256 */
	unsigned long sstatus; /* 264 */
	unsigned long hstatus; /* 272 */
	/* filled by the slow path in C */
	unsigned long scause, stval, htval, htinst;
};

/*
 * A trapped load or store waiting for its device (emulated MMIO or a
 * device model): how to finish it when the value comes. mmio.c fills it;
 * vcpu_arch_mmio_finish() completes it, whoever answers.
 */
struct mmio_pending {
	uint8_t reg, len, width; /* destination GPR, insn bytes, access bytes */
	bool sign, read;         /* sign-extend; a load */
};

struct vcpu_arch {
	struct mmio_pending mmio;
	/* VS CSRs, valid while the vCPU is not loaded on a hart */
	unsigned long vsstatus, vsie, vstvec, vsscratch, vsepc, vscause,
		vstval, vsatp, scounteren, senvcfg;
	uint64_t vstimecmp;
	unsigned long hvip; /* VSSIP as last seen; VSEIP comes from eip */
	volatile uint32_t ssip_req; /* another hart raised VSSIP */
	volatile bool eip;          /* vPLIC line level */
	unsigned long hgatp, henvcfg, hcounteren;
	uint64_t cycle_at_entry, instret_at_entry; /* for the vCPU's PMU */
	uint64_t fp[32];
	unsigned long fcsr;
	bool fp_saved;
};

struct vcpu;
/* Set or clear a VS interrupt line (HVIP_VSSIP / HVIP_VSEIP) of v
 * (vcpu_irq.c): what the vPLIC and SBI IPIs drive. */
void vcpu_set_irq(struct vcpu *v, unsigned long hvip_bit, bool level);

#endif
