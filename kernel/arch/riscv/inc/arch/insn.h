/*
 * Decoding of the load/store instruction behind a guest-page fault on MMIO.
 * Hardware may hand over a transformed instruction in htinst; QEMU 7.2
 * leaves htinst at 0 for ordinary loads and stores, so the trap path then
 * fetches the instruction with HLVX.HU and hands the raw bits here.
 */
#ifndef VIREO_INSN_H
#define VIREO_INSN_H

#include "types.h"

struct mmio_insn {
	unsigned len;   /* instruction length in bytes: 2 or 4 */
	bool is_store;
	unsigned width; /* access width in bytes: 1, 2, 4 or 8 */
	bool sign_ext;  /* loads: sign-extend (LB/LH/LW) or zero-extend */
	unsigned reg;   /* loads: rd; stores: rs2 (0..31) */
};

/*
 * Decode insn (the low 16 bits only when (insn & 3) != 3). Accepts the integer
 * loads and stores of RV64I and their compressed forms (C.LW, C.LD, C.SW,
 * C.SD, C.LWSP, C.LDSP, C.SWSP, C.SDSP). Returns false for anything else,
 * including FP, AMO and LR/SC accesses, which MMIO does not support.
 */
bool insn_decode_mmio(uint32_t insn, struct mmio_insn *out);

/*
 * Decode a transformed instruction, as the hardware may write it to htinst
 * on a guest-page fault (htinst bit 0 set). For a load or store the spec
 * gives the 32-bit form even when the trapping instruction was compressed,
 * with bit 1 cleared to say so: htinst | 2 is decoded as a 32-bit
 * instruction, and out->len is 2 if bit 1 was clear, else 4 (what sepc
 * must advance by). False if htinst is not a transformed load or store.
 */
bool insn_decode_htinst(unsigned long htinst, struct mmio_insn *out);

/* Extend a raw loaded value of d->width bytes to 64 bits as the load would. */
uint64_t insn_load_extend(const struct mmio_insn *d, uint64_t raw);

/* Instruction length from its low bits: 4 if (insn & 3) == 3, else 2. */
static inline unsigned insn_length(uint32_t insn)
{
	return (insn & 3) == 3 ? 4 : 2;
}

#endif
