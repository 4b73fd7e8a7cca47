/* Constants shared by head.S and the C harness. */
#ifndef GUEST_ASM_H
#define GUEST_ASM_H

#define GUEST_MAX_HARTS 8
#define GUEST_STACK_SHIFT 14 /* 16 KiB per hart */
#define FRAME_SIZE 256       /* sepc, then x1..x31 at 8 * n */

#endif
