/*
 * The only trap vector. A trap from the guest (hstatus.SPV = 1) saves the
 * guest's registers into pcpu->current's vcpu_regs. VS ecalls take a fast
 * path that saves only what the C calling convention may clobber: the C
 * handler preserves s0-s11 and gp for us, so an SBI call costs two dozen
 * stores and loads each way. Everything else takes the slow path, which saves
 * the whole register file and may resume a different vCPU.
 *
 * In HS-mode sstatus.SIE stays 0: the hypervisor is never interrupted, and
 * interrupts reach it only as traps out of the guest or as WFI wake-ups.
 */
#include <arch/asm-offsets.h>
#include <arch/csr.h>

	.section .text
	.balign 4
/* Save the registers the C calling convention lets a callee clobber. */
.macro SAVE_VOLATILE
	ld	t0, PCPU_CURRENT(tp)
	sd	ra, REGS_X(1)(t0)
	sd	sp, REGS_X(2)(t0)
	sd	t1, REGS_X(6)(t0)
	sd	t2, REGS_X(7)(t0)
	sd	a0, REGS_X(10)(t0)
	sd	a1, REGS_X(11)(t0)
	sd	a2, REGS_X(12)(t0)
	sd	a3, REGS_X(13)(t0)
	sd	a4, REGS_X(14)(t0)
	sd	a5, REGS_X(15)(t0)
	sd	a6, REGS_X(16)(t0)
	sd	a7, REGS_X(17)(t0)
	sd	t3, REGS_X(28)(t0)
	sd	t4, REGS_X(29)(t0)
	sd	t5, REGS_X(30)(t0)
	sd	t6, REGS_X(31)(t0)
	ld	t1, PCPU_SCRATCH(tp)
	sd	t1, REGS_X(5)(t0)
	csrrw	t1, sscratch, tp
	sd	t1, REGS_X(4)(t0)
	ld	sp, PCPU_STACK_TOP(tp)
.endm

	.global trap_entry
trap_entry:
	csrrw	tp, sscratch, tp
	sd	t0, PCPU_SCRATCH(tp)
	/* Cause 10 can only come from VS-mode: no need to test hstatus.SPV. */
	csrr	t0, CSR_SCAUSE
	addi	t0, t0, -EXC_VS_ECALL
	bnez	t0, not_ecall
	SAVE_VOLATILE
	mv	a0, t0
	call	vcpu_ecall_fast		/* struct sbi_ret in a0/a1 */
	ld	t0, PCPU_CURRENT(tp)
	li	t1, ASM_SBI_FAST_DECLINE
	beq	a0, t1, slow_path
	sd	a0, REGS_X(10)(t0)
	sd	a1, REGS_X(11)(t0)
	csrr	t1, CSR_SEPC
	addi	t1, t1, 4
	csrw	CSR_SEPC, t1
	j	restore_volatile

not_ecall:
	csrr	t0, CSR_HSTATUS
	andi	t0, t0, HSTATUS_SPV
	beqz	t0, hs_trap
	SAVE_VOLATILE

slow_path:
	sd	gp, REGS_X(3)(t0)
	sd	s0, REGS_X(8)(t0)
	sd	s1, REGS_X(9)(t0)
	sd	s2, REGS_X(18)(t0)
	sd	s3, REGS_X(19)(t0)
	sd	s4, REGS_X(20)(t0)
	sd	s5, REGS_X(21)(t0)
	sd	s6, REGS_X(22)(t0)
	sd	s7, REGS_X(23)(t0)
	sd	s8, REGS_X(24)(t0)
	sd	s9, REGS_X(25)(t0)
	sd	s10, REGS_X(26)(t0)
	sd	s11, REGS_X(27)(t0)
	csrr	t1, CSR_SEPC
	sd	t1, REGS_SEPC(t0)
	csrr	t1, CSR_SSTATUS
	sd	t1, REGS_SSTATUS(t0)
	csrr	t1, CSR_HSTATUS
	sd	t1, REGS_HSTATUS(t0)
	mv	a0, t0
	call	vcpu_trap_slow
	/* fall through with a0 = the vcpu_regs to run */

/*
 * void vcpu_resume_full(struct vcpu_regs *r): enter the guest with every
 * register from r. Needs tp = this pcpu and pcpu->current = r's vCPU.
 */
	.global vcpu_resume_full
vcpu_resume_full:
	mv	t0, a0
	ld	t1, REGS_SEPC(t0)
	csrw	CSR_SEPC, t1
	ld	t1, REGS_SSTATUS(t0)
	csrw	CSR_SSTATUS, t1
	ld	t1, REGS_HSTATUS(t0)
	csrw	CSR_HSTATUS, t1
	csrw	CSR_SSCRATCH, tp
	ld	gp, REGS_X(3)(t0)
	ld	s0, REGS_X(8)(t0)
	ld	s1, REGS_X(9)(t0)
	ld	s2, REGS_X(18)(t0)
	ld	s3, REGS_X(19)(t0)
	ld	s4, REGS_X(20)(t0)
	ld	s5, REGS_X(21)(t0)
	ld	s6, REGS_X(22)(t0)
	ld	s7, REGS_X(23)(t0)
	ld	s8, REGS_X(24)(t0)
	ld	s9, REGS_X(25)(t0)
	ld	s10, REGS_X(26)(t0)
	ld	s11, REGS_X(27)(t0)

restore_volatile:
	ld	ra, REGS_X(1)(t0)
	ld	sp, REGS_X(2)(t0)
	ld	tp, REGS_X(4)(t0)
	ld	t1, REGS_X(6)(t0)
	ld	t2, REGS_X(7)(t0)
	ld	a0, REGS_X(10)(t0)
	ld	a1, REGS_X(11)(t0)
	ld	a2, REGS_X(12)(t0)
	ld	a3, REGS_X(13)(t0)
	ld	a4, REGS_X(14)(t0)
	ld	a5, REGS_X(15)(t0)
	ld	a6, REGS_X(16)(t0)
	ld	a7, REGS_X(17)(t0)
	ld	t3, REGS_X(28)(t0)
	ld	t4, REGS_X(29)(t0)
	ld	t5, REGS_X(30)(t0)
	ld	t6, REGS_X(31)(t0)
	ld	t0, REGS_X(5)(t0)
	sret

/*
 * A trap taken in HS-mode is a hypervisor bug (guest faults never land
 * here): save everything on the current stack and let C report it.
 */
hs_trap:
	ld	t0, PCPU_SCRATCH(tp)
	addi	sp, sp, -HS_FRAME_SIZE
	sd	x1, 0(sp)
	sd	x3, 16(sp)
	sd	x5, 32(sp)
	sd	x6, 40(sp)
	sd	x7, 48(sp)
	sd	x8, 56(sp)
	sd	x9, 64(sp)
	sd	x10, 72(sp)
	sd	x11, 80(sp)
	sd	x12, 88(sp)
	sd	x13, 96(sp)
	sd	x14, 104(sp)
	sd	x15, 112(sp)
	sd	x16, 120(sp)
	sd	x17, 128(sp)
	sd	x18, 136(sp)
	sd	x19, 144(sp)
	sd	x20, 152(sp)
	sd	x21, 160(sp)
	sd	x22, 168(sp)
	sd	x23, 176(sp)
	sd	x24, 184(sp)
	sd	x25, 192(sp)
	sd	x26, 200(sp)
	sd	x27, 208(sp)
	sd	x28, 216(sp)
	sd	x29, 224(sp)
	sd	x30, 232(sp)
	sd	x31, 240(sp)
	addi	t0, sp, HS_FRAME_SIZE
	sd	t0, 8(sp)
	sd	tp, 24(sp)
	csrr	t0, CSR_SEPC
	sd	t0, 248(sp)
	csrr	t0, CSR_SCAUSE
	sd	t0, 256(sp)
	csrr	t0, CSR_STVAL
	sd	t0, 264(sp)
	mv	a0, sp
	call	hs_trap_handler
1:	wfi
	j	1b

/*
 * long hlvx_fetch(unsigned long gva, uint32_t *insn): read the guest
 * instruction at gva with HLVX.HU (as the guest's privilege would execute it,
 * through its own page tables and the G-stage). Returns 0, or the scause of
 * the fault the read took; a temporary stvec catches that fault.
 */
	.global hlvx_fetch
hlvx_fetch:
	la	t0, hlvx_fault
	csrrw	t0, CSR_STVEC, t0
	li	t2, 0
	.insn r 0x73, 4, 0x32, t1, a0, x3	/* hlvx.hu t1, (a0) */
	andi	t3, t1, 3
	li	t4, 3
	bne	t3, t4, 1f
	addi	a0, a0, 2
	.insn r 0x73, 4, 0x32, t3, a0, x3	/* hlvx.hu t3, (a0) */
	slli	t3, t3, 16
	or	t1, t1, t3
1:	sw	t1, 0(a1)
2:	csrw	CSR_STVEC, t0
	mv	a0, t2
	ret
	.balign 4
hlvx_fault:
	csrr	t2, CSR_SCAUSE
	la	t3, 2b
	csrw	CSR_SEPC, t3
	sret

/* void fp_save(uint64_t fp[32], unsigned long *fcsr) and fp_restore */
	.global fp_save
fp_save:
	fsd	f0, 0(a0)
	fsd	f1, 8(a0)
	fsd	f2, 16(a0)
	fsd	f3, 24(a0)
	fsd	f4, 32(a0)
	fsd	f5, 40(a0)
	fsd	f6, 48(a0)
	fsd	f7, 56(a0)
	fsd	f8, 64(a0)
	fsd	f9, 72(a0)
	fsd	f10, 80(a0)
	fsd	f11, 88(a0)
	fsd	f12, 96(a0)
	fsd	f13, 104(a0)
	fsd	f14, 112(a0)
	fsd	f15, 120(a0)
	fsd	f16, 128(a0)
	fsd	f17, 136(a0)
	fsd	f18, 144(a0)
	fsd	f19, 152(a0)
	fsd	f20, 160(a0)
	fsd	f21, 168(a0)
	fsd	f22, 176(a0)
	fsd	f23, 184(a0)
	fsd	f24, 192(a0)
	fsd	f25, 200(a0)
	fsd	f26, 208(a0)
	fsd	f27, 216(a0)
	fsd	f28, 224(a0)
	fsd	f29, 232(a0)
	fsd	f30, 240(a0)
	fsd	f31, 248(a0)
	frcsr	t0
	sd	t0, 0(a1)
	ret

	.global fp_restore
fp_restore:
	fld	f0, 0(a0)
	fld	f1, 8(a0)
	fld	f2, 16(a0)
	fld	f3, 24(a0)
	fld	f4, 32(a0)
	fld	f5, 40(a0)
	fld	f6, 48(a0)
	fld	f7, 56(a0)
	fld	f8, 64(a0)
	fld	f9, 72(a0)
	fld	f10, 80(a0)
	fld	f11, 88(a0)
	fld	f12, 96(a0)
	fld	f13, 104(a0)
	fld	f14, 112(a0)
	fld	f15, 120(a0)
	fld	f16, 128(a0)
	fld	f17, 136(a0)
	fld	f18, 144(a0)
	fld	f19, 152(a0)
	fld	f20, 160(a0)
	fld	f21, 168(a0)
	fld	f22, 176(a0)
	fld	f23, 184(a0)
	fld	f24, 192(a0)
	fld	f25, 200(a0)
	fld	f26, 208(a0)
	fld	f27, 216(a0)
	fld	f28, 224(a0)
	fld	f29, 232(a0)
	fld	f30, 240(a0)
	fld	f31, 248(a0)
	ld	t0, 0(a1)
	fscsr	t0
	ret
