/*
 * Decoding of the guest load/store behind an MMIO guest-page fault.
 *
 * The fault already gives the guest-physical address (htval/stval), so only
 * four things are needed from the instruction: its length, load or store,
 * access width with signedness, and the register that supplies or receives
 * the data. The base register and offset are never looked at.
 *
 * Formats used (RISC-V unprivileged ISA, chapters "RV32I" and "C"):
 *
 * I-type load (opcode LOAD = 0000011):
 *   31          20 19   15 14  12 11    7 6      0
 *  +--------------+-------+------+-------+--------+
 *  |  imm[11:0]   |  rs1  |funct3|  rd   | opcode |
 *  +--------------+-------+------+-------+--------+
 *
 * S-type store (opcode STORE = 0100011):
 *   31      25 24   20 19   15 14  12 11       7 6      0
 *  +----------+-------+-------+------+----------+--------+
 *  |imm[11:5] |  rs2  |  rs1  |funct3| imm[4:0] | opcode |
 *  +----------+-------+-------+------+----------+--------+
 *
 * Compressed (16-bit, quadrant op = bits 1:0 != 11):
 *
 *   CL (C.LW, C.LD; quadrant 0)        CS (C.SW, C.SD; quadrant 0)
 *   15  13 12  10 9  7 6  5 4  2 1 0   15  13 12  10 9  7 6  5 4  2 1 0
 *  +------+------+----+----+----+---+ +------+------+----+----+----+---+
 *  |funct3| imm  |rs1'|imm |rd' |00 | |funct3| imm  |rs1'|imm |rs2'|00 |
 *  +------+------+----+----+----+---+ +------+------+----+----+----+---+
 *
 *   CI (C.LWSP, C.LDSP; quadrant 2)    CSS (C.SWSP, C.SDSP; quadrant 2)
 *   15  13 12  11    7 6     2 1 0     15  13 12        7 6     2 1 0
 *  +------+---+-------+-------+---+   +------+-----------+-------+---+
 *  |funct3|imm|  rd   |  imm  |10 |   |funct3|    imm    |  rs2  |10 |
 *  +------+---+-------+-------+---+   +------+-----------+-------+---+
 *
 * rd'/rs1'/rs2' are 3-bit fields naming x8..x15 (register = 8 + field).
 * C.LWSP and C.LDSP with rd = x0 are reserved encodings and are rejected.
 */
#include <arch/insn.h>

#include "vcpu.h"

/* 32-bit major opcodes (bits 6:0). */
#define OPC_MASK	0x7fU
#define OPC_LOAD	0x03U	/* LB LH LW LD LBU LHU LWU */
#define OPC_LOAD_FP	0x07U	/* FLW FLD, vector loads: rejected */
#define OPC_STORE	0x23U	/* SB SH SW SD */
#define OPC_STORE_FP	0x27U	/* FSW FSD, vector stores: rejected */
#define OPC_AMO		0x2fU	/* AMO*, LR, SC: rejected */

/* funct3 (bits 14:12) of LOAD. */
#define F3_LB		0U
#define F3_LH		1U
#define F3_LW		2U
#define F3_LD		3U
#define F3_LBU		4U
#define F3_LHU		5U
#define F3_LWU		6U
/* 7 is reserved (LDU in RV128). */

/* funct3 (bits 14:12) of STORE; 4..7 are reserved (SQ in RV128). */
#define F3_SB		0U
#define F3_SH		1U
#define F3_SW		2U
#define F3_SD		3U

#define INSN_RD(i)	(((i) >> 7) & 0x1fU)
#define INSN_FUNCT3(i)	(((i) >> 12) & 0x7U)
#define INSN_RS2(i)	(((i) >> 20) & 0x1fU)

/* Compressed quadrants (bits 1:0). */
#define C_Q0		0U
#define C_Q1		1U
#define C_Q2		2U

/* Compressed funct3 (bits 15:13), quadrants 0 and 2 (RV64C). */
#define C_F3_FLD	1U	/* C.FLD (q0), C.FLDSP (q2): rejected */
#define C_F3_LW		2U	/* C.LW (q0), C.LWSP (q2) */
#define C_F3_LD		3U	/* C.LD (q0), C.LDSP (q2) */
#define C_F3_FSD	5U	/* C.FSD (q0), C.FSDSP (q2): rejected */
#define C_F3_SW		6U	/* C.SW (q0), C.SWSP (q2) */
#define C_F3_SD		7U	/* C.SD (q0), C.SDSP (q2) */

/* The bits that identify a compressed instruction: funct3 and quadrant. */
#define C_MATCH_MASK	0xe003U
#define C_MATCH(f3, q)	(((f3) << 13) | (q))
#define C_LW		C_MATCH(C_F3_LW, C_Q0)
#define C_LD		C_MATCH(C_F3_LD, C_Q0)
#define C_SW		C_MATCH(C_F3_SW, C_Q0)
#define C_SD		C_MATCH(C_F3_SD, C_Q0)
#define C_LWSP		C_MATCH(C_F3_LW, C_Q2)
#define C_LDSP		C_MATCH(C_F3_LD, C_Q2)
#define C_SWSP		C_MATCH(C_F3_SW, C_Q2)
#define C_SDSP		C_MATCH(C_F3_SD, C_Q2)

#define C_RD_RS2P(c)	(8U + (((c) >> 2) & 0x7U)) /* CL rd', CS rs2' */
#define C_RD(c)		(((c) >> 7) & 0x1fU)       /* CI rd */
#define C_RS2(c)	(((c) >> 2) & 0x1fU)       /* CSS rs2 */

/* Width and signedness of each LOAD funct3; width 0 marks a reserved one. */
static const struct {
	uint8_t width;
	bool sign_ext;
} load_forms[8] = {
	[F3_LB] = { 1, true },	[F3_LH] = { 2, true },	[F3_LW] = { 4, true },
	[F3_LD] = { 8, false }, [F3_LBU] = { 1, false }, [F3_LHU] = { 2, false },
	[F3_LWU] = { 4, false },
};

static bool insn_set(struct mmio_insn *out, unsigned len, bool is_store,
		     unsigned width, bool sign_ext, unsigned reg)
{
	out->len = len;
	out->is_store = is_store;
	out->width = width;
	out->sign_ext = sign_ext;
	out->reg = reg;
	return true;
}

static bool decode_32(uint32_t insn, struct mmio_insn *out)
{
	unsigned f3 = INSN_FUNCT3(insn);

	switch (insn & OPC_MASK) {
	case OPC_LOAD:
		if (!load_forms[f3].width)
			return false;
		return insn_set(out, 4, false, load_forms[f3].width,
				load_forms[f3].sign_ext, INSN_RD(insn));
	case OPC_STORE:
		if (f3 > F3_SD)
			return false;
		/* SB/SH/SW/SD are funct3 0..3: the width is 1 << funct3. */
		return insn_set(out, 4, true, 1U << f3, false, INSN_RS2(insn));
	default:
		return false;
	}
}

static bool decode_16(uint32_t c, struct mmio_insn *out)
{
	switch (c & C_MATCH_MASK) {
	case C_LW:
		return insn_set(out, 2, false, 4, true, C_RD_RS2P(c));
	case C_LD:
		return insn_set(out, 2, false, 8, false, C_RD_RS2P(c));
	case C_SW:
		return insn_set(out, 2, true, 4, false, C_RD_RS2P(c));
	case C_SD:
		return insn_set(out, 2, true, 8, false, C_RD_RS2P(c));
	case C_LWSP:
		if (!C_RD(c))
			return false; /* reserved */
		return insn_set(out, 2, false, 4, true, C_RD(c));
	case C_LDSP:
		if (!C_RD(c))
			return false; /* reserved */
		return insn_set(out, 2, false, 8, false, C_RD(c));
	case C_SWSP:
		return insn_set(out, 2, true, 4, false, C_RS2(c));
	case C_SDSP:
		return insn_set(out, 2, true, 8, false, C_RS2(c));
	default:
		return false;
	}
}

bool insn_decode_mmio(uint32_t insn, struct mmio_insn *out)
{
	if (insn_length(insn) == 4)
		return decode_32(insn, out);
	return decode_16(insn & 0xffffU, out);
}

/* htinst bit 1: clear when the transformed instruction was 16 bits long */
#define HTINST_WAS_32BIT 2U

bool insn_decode_htinst(unsigned long htinst, struct mmio_insn *out)
{
	uint32_t insn = (uint32_t)htinst | HTINST_WAS_32BIT;

	if (!(htinst & 1) || !decode_32(insn, out))
		return false;
	out->len = (htinst & HTINST_WAS_32BIT) ? 4 : 2;
	return true;
}

uint64_t insn_load_extend(const struct mmio_insn *d, uint64_t raw)
{
	unsigned bits = d->width * 8;
	uint64_t sign;

	if (bits == 0 || bits >= 64)
		return raw; /* LD/SD, or a width no decode produces */
	raw &= (1ULL << bits) - 1;
	if (!d->sign_ext)
		return raw;
	/* Two's-complement sign extension without signed shifts. */
	sign = 1ULL << (bits - 1);
	return (raw ^ sign) - sign;
}

void vcpu_arch_mmio_finish(struct vcpu *v, uint64_t value)
{
	const struct mmio_pending *p = &v->arch.mmio;

	if (p->read && p->reg) { /* x0 stays zero */
		struct mmio_insn d = {.width = p->width, .sign_ext = p->sign};
		v->regs.x[p->reg] = insn_load_extend(&d, value);
	}
	v->regs.sepc += p->len;
}
