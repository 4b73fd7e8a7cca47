/*
 * Virtual performance counters of a vCPU (SBI PMU, kernel/arch/riscv/sbi/sbi_pmu.c).
 *
 * Counter indices are the guest's SBI PMU indices: 0 is cycle (CSR
 * 0xC00) and 2 is instret (0xC02), as OpenSBI numbers them and Linux
 * assumes; 1 (time) is not a PMU counter; PMU_FW_FIRST.. are firmware
 * counters of SBI events. The hardware two count only this vCPU's time in
 * the guest: the arch code adds the host's cycle and instret deltas
 * between each entry and exit to hw_acc, and the guest's reads of the CSRs
 * trap (hcounteren.CY/IR clear) to vcpu_pmu_read_csr().
 */
#ifndef VIREO_PMU_H
#define VIREO_PMU_H

#include "types.h"

#define PMU_CYCLE 0
#define PMU_INSTRET 2
#define PMU_FW_FIRST 3
#define PMU_NR_FW 8
#define PMU_NR_COUNTERS (PMU_FW_FIRST + PMU_NR_FW)

/* SBI firmware events Vireo counts (SBI_PMU_FW_*). */
#define PMU_FW_ILLEGAL_INSN 4
#define PMU_FW_SET_TIMER 5
#define PMU_FW_IPI_SENT 6
#define PMU_FW_FENCE_I_SENT 8
#define PMU_FW_SFENCE_VMA_SENT 10
#define PMU_FW_SFENCE_VMA_ASID_SENT 12

struct vcpu_pmu {
	uint64_t hw_acc[2];    /* cycle, instret: this vCPU's, from the arch */
	uint64_t hw_offset[2]; /* the guest's value = hw_acc + offset ... */
	uint64_t hw_frozen[2]; /* ... or this, while stopped */
	uint32_t configured;   /* bit i: counter i given an event */
	uint32_t running;      /* bit i: counter i counts */
	uint32_t fw_event[PMU_NR_FW];
	uint64_t fw_value[PMU_NR_FW];
};

struct vcpu;
/* The value the guest reads from cycle or instret (csr 0xC00 / 0xC02);
 * false for any other counter CSR. */
bool vcpu_pmu_read_csr(struct vcpu *v, unsigned csr, uint64_t *val);
/* An SBI firmware event of v's (counted if a counter of v counts it). */
void vcpu_pmu_fw_event(struct vcpu *v, uint32_t event);

#endif
