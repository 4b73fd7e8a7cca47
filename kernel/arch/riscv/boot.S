/*
 * Entry from OpenSBI (fw_dynamic): a0 = hart id, a1 = host DTB, S-mode with
 * satp = 0 and sstatus.SIE = 0. One hart should arrive here; the others are
 * started later through SBI HSM at secondary_entry with a1 = their pcpu.
 *
 * OpenSBI 1.1 can send a started hart here instead: sbi_hsm_hart_start()
 * marks the hart START_PENDING before it stores the start address and
 * argument, and a hart waiting in sbi_hsm_hart_wait() that wakes in that
 * window jumps to the address it was given at boot (this _start) with the
 * DTB in a1 (later OpenSBI stores first, then marks). A second hart that ran
 * the boot path would clear .bss under the first and build Dom0 again (seen
 * once in ~400 boots: "dom0: out of memory"). So the first hart here claims
 * the boot path; a later one is such a hart, and goes the secondary way with
 * the pcpu the boot hart gave its hart id (docs/boot-and-memory.md).
 */
#include <arch/asm-offsets.h>
#include <arch/csr.h>

	.section .text.boot
	.global _start
_start:
	csrw	CSR_SIE, zero
	la	t0, boot_claimed
	li	t1, 1
	amoswap.w.aqrl t1, t1, (t0)
	bnez	t1, started_early
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	la	tp, pcpus
	la	sp, hyp_stacks
	li	t0, HYP_STACK_SIZE
	add	sp, sp, t0
	sd	sp, PCPU_STACK_TOP(tp)
	csrw	CSR_SSCRATCH, tp
	la	t0, trap_entry
	csrw	CSR_STVEC, t0
	call	hyp_main
3:	wfi
	j	3b

/*
 * A hart HSM started that arrived at _start: the boot hart set up pcpus[]
 * before it started any, so look for a0 among pcpus[1..nr_pcpus) (again
 * and again, should it come early) and enter as secondary_entry would.
 */
started_early:
	la	t0, pcpus + PCPU_SIZE
	la	t2, nr_pcpus
	lwu	t2, 0(t2)
	li	t3, 1
5:	bgeu	t3, t2, started_early
	ld	t1, PCPU_HARTID(t0)
	beq	t1, a0, 6f
	addi	t0, t0, PCPU_SIZE
	addi	t3, t3, 1
	j	5b
6:	mv	a1, t0
	li	a2, 1
	j	secondary_common

	.global secondary_entry
secondary_entry:
	li	a2, 0
secondary_common:
	csrw	CSR_SIE, zero
	mv	tp, a1
	ld	sp, PCPU_STACK_TOP(tp)
	csrw	CSR_SSCRATCH, tp
	la	t0, trap_entry
	csrw	CSR_STVEC, t0
	call	hyp_secondary_main
4:	wfi
	j	4b

	.data
	.p2align 2
/* Not in .bss: the boot hart claims it before it clears .bss. */
boot_claimed:
	.word	0
