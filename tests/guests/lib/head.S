/*
 * Entry of a freestanding test guest (XTF-style). The domain builder
 * requires a RISC-V Linux Image header (Documentation/riscv/boot-image-
 * header.rst): 64 bytes, code0 a jump over it, magic2 "RSC\x05" at 0x38.
 * The boot vCPU enters at _start with a0 = hart id, a1 = device tree; the
 * others are started through SBI HSM at guest_secondary_entry with a1 =
 * the opaque word. Both run in S-mode (VS), MMU off, interrupts off.
 */
#include "guest_asm.h"

	.section .text.head, "ax"
	.globl _start
_start:
	.option push
	.option norvc
	j	boot_entry		/* code0 */
	.option pop
	.word	0			/* code1 */
	.dword	0x200000		/* text_offset */
	.dword	_image_size		/* image_size: code, data, bss, stacks */
	.dword	0			/* flags: little-endian */
	.word	2			/* version 0.2 */
	.word	0			/* res1 */
	.dword	0			/* res2 */
	.ascii	"RISCV\0\0\0"		/* magic (deprecated) */
	.ascii	"RSC\x05"		/* magic2 */
	.word	0			/* res3 */

boot_entry:
	li	a2, 1
	j	common_entry

	.globl guest_secondary_entry
guest_secondary_entry:
	li	a2, 0

common_entry:
	csrw	sie, zero
	mv	tp, a0
	la	t0, guest_trap_entry
	csrw	stvec, t0
	li	t1, GUEST_MAX_HARTS
	bgeu	a0, t1, 1f
	/* sp = guest_stacks + (hartid + 1) * GUEST_STACK_SIZE */
	la	sp, guest_stacks
	addi	t0, a0, 1
	slli	t0, t0, GUEST_STACK_SHIFT
	add	sp, sp, t0
	call	guest_start
1:	wfi
	j	1b

/* Save every register but sp in a frame on the stack; sret afterwards. */
	.balign 4
	.globl guest_trap_entry
guest_trap_entry:
	addi	sp, sp, -FRAME_SIZE
	.irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, (\n * 8)(sp)
	.endr
	csrr	t0, sepc
	sd	t0, 0(sp)
	mv	a0, sp
	call	guest_trap
	ld	t0, 0(sp)
	csrw	sepc, t0
	.irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, (\n * 8)(sp)
	.endr
	addi	sp, sp, FRAME_SIZE
	sret

	.section .stacks, "aw", @nobits
	.balign 16
	.globl guest_stacks
guest_stacks:
	.space	GUEST_MAX_HARTS << GUEST_STACK_SHIFT
