/*
 * Entry from OpenSBI (fw_dynamic): a0 = hart id, a1 = host DTB, S-mode with
 * satp = 0 and sstatus.SIE = 0. Only one hart arrives here; the others are
 * started later through SBI HSM at secondary_entry with a1 = their pcpu.
 */
#include <arch/asm-offsets.h>
#include <arch/csr.h>

	.section .text.boot
	.global _start
_start:
	csrw	CSR_SIE, zero
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

	.global secondary_entry
secondary_entry:
	csrw	CSR_SIE, zero
	mv	tp, a1
	ld	sp, PCPU_STACK_TOP(tp)
	csrw	CSR_SSCRATCH, tp
	la	t0, trap_entry
	csrw	CSR_STVEC, t0
	call	hyp_secondary_main
4:	wfi
	j	4b
