/* Structure offsets used by the assembly files, checked in trap.c. */
#ifndef VIREO_ASM_OFFSETS_H
#define VIREO_ASM_OFFSETS_H

#define REGS_X(i) (8 * (i))
#define REGS_SEPC 256
#define REGS_SSTATUS 264
#define REGS_HSTATUS 272

#define PCPU_CURRENT 0
#define PCPU_STACK_TOP 8
#define PCPU_SCRATCH 16
#define PCPU_HARTID 32
#define PCPU_SIZE 1192 /* sizeof(struct pcpu) */

#define ASM_SBI_FAST_DECLINE 1 /* SBI_FAST_DECLINE in sbi.h */
#define HYP_STACK_SIZE (16 * 1024)
#define HS_FRAME_SIZE 288 /* x1..x31, sepc, scause, stval, pad */

#endif
