/*
 * Host test of the MMIO load/store decoder. Instructions are built by small
 * encoders that follow the ISA manual's field layouts; a table of encodings
 * produced by GNU as (riscv64-linux-gnu-as -march=rv64gc_zfh) checks the
 * encoders themselves.
 */
#include "test.h"
#include "../../kernel/arch/riscv/insn_decode.c"
#include "../../kernel/arch/riscv/mmio.c"

/* ------------------------------------------- stubs for the mmio.c trap path */
static struct {
	unsigned fetches, injects, mmio_calls;
	uint32_t fetch_insn;       /* what HLVX "reads" at sepc */
	unsigned long inj_cause, inj_tval;
	gpa_t gpa;
	unsigned width;
	bool is_store;
	uint64_t store_val, load_val;
} M;

long hlvx_fetch(unsigned long gva, uint32_t *insn)
{
	M.fetches++;
	*insn = M.fetch_insn;
	return 0;
}

void vcpu_inject_exception(struct vcpu *v, unsigned long cause,
			   unsigned long tval)
{
	M.injects++;
	M.inj_cause = cause;
	M.inj_tval = tval;
}

enum mmio_result domain_mmio(struct domain *d, struct vcpu *v, gpa_t gpa,
			     unsigned width, bool is_store, uint64_t *val)
{
	M.mmio_calls++;
	M.gpa = gpa;
	M.width = width;
	M.is_store = is_store;
	if (is_store)
		M.store_val = *val;
	else
		*val = M.load_val;
	return MMIO_DONE;
}

/* ------------------------------------------------------------ encoders */

static uint32_t encode_load(unsigned f3, unsigned rd, unsigned rs1, int imm)
{
	return ((uint32_t)imm & 0xfffU) << 20 | rs1 << 15 | f3 << 12 | rd << 7 |
	       OPC_LOAD;
}

static uint32_t encode_store(unsigned f3, unsigned rs2, unsigned rs1, int imm)
{
	uint32_t u = (uint32_t)imm & 0xfffU;

	return (u >> 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
	       (u & 0x1fU) << 7 | OPC_STORE;
}

/* An R-type AMO / LR / SC: funct5, aq, rl, rs2, rs1, width funct3, rd. */
static uint32_t encode_amo(unsigned funct5, unsigned f3, unsigned rd,
			   unsigned rs1, unsigned rs2)
{
	return funct5 << 27 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 |
	       OPC_AMO;
}

static uint32_t set_opcode(uint32_t insn, uint32_t opc)
{
	return (insn & ~OPC_MASK) | opc;
}

/* CL/CS: C.LW C.SW (word offsets) or C.LD C.SD (doubleword offsets). */
static uint16_t encode_cl_cs(unsigned f3, unsigned rdp, unsigned rs1p,
			     unsigned uimm)
{
	bool word = f3 == C_F3_LW || f3 == C_F3_SW;
	unsigned lo = word ? ((uimm >> 2) & 1) << 1 | ((uimm >> 6) & 1)
			   : (uimm >> 6) & 3; /* bits 6:5 */

	return (uint16_t)(f3 << 13 | ((uimm >> 3) & 7) << 10 |
			  (rs1p - 8) << 7 | lo << 5 | (rdp - 8) << 2 | C_Q0);
}

static uint16_t encode_c_lwsp(unsigned rd, unsigned uimm)
{
	return (uint16_t)(C_F3_LW << 13 | ((uimm >> 5) & 1) << 12 | rd << 7 |
			  ((uimm >> 2) & 7) << 4 | ((uimm >> 6) & 3) << 2 |
			  C_Q2);
}

static uint16_t encode_c_ldsp(unsigned rd, unsigned uimm)
{
	return (uint16_t)(C_F3_LD << 13 | ((uimm >> 5) & 1) << 12 | rd << 7 |
			  ((uimm >> 3) & 3) << 5 | ((uimm >> 6) & 7) << 2 |
			  C_Q2);
}

static uint16_t encode_c_swsp(unsigned rs2, unsigned uimm)
{
	return (uint16_t)(C_F3_SW << 13 | ((uimm >> 2) & 0xf) << 9 |
			  ((uimm >> 6) & 3) << 7 | rs2 << 2 | C_Q2);
}

static uint16_t encode_c_sdsp(unsigned rs2, unsigned uimm)
{
	return (uint16_t)(C_F3_SD << 13 | ((uimm >> 3) & 7) << 10 |
			  ((uimm >> 6) & 7) << 7 | rs2 << 2 | C_Q2);
}

/* ------------------------------------------------------------- helpers */

static void check_decode(uint32_t insn, unsigned len, bool is_store,
			 unsigned width, bool sign_ext, unsigned reg)
{
	struct mmio_insn d;

	memset(&d, 0xa5, sizeof(d));
	CHECK(insn_decode_mmio(insn, &d));
	CHECK_EQ(d.len, len);
	CHECK_EQ(d.is_store, is_store);
	CHECK_EQ(d.width, width);
	CHECK_EQ(d.sign_ext, sign_ext);
	CHECK_EQ(d.reg, reg);
	CHECK_EQ(insn_length(insn), len);
}

static bool decodes(uint32_t insn)
{
	struct mmio_insn d;

	return insn_decode_mmio(insn, &d);
}

/* --------------------------------------------------------------- cases */

/* The encoders agree with GNU as. */
static void test_encoders_match_assembler(void)
{
	CHECK_EQ(encode_load(F3_LB, 10, 2, -1), 0xfff10503);
	CHECK_EQ(encode_load(F3_LH, 31, 9, 2047), 0x7ff49f83);
	CHECK_EQ(encode_load(F3_LW, 31, 1, -2048), 0x8000af83);
	CHECK_EQ(encode_load(F3_LD, 1, 15, 8), 0x0087b083);
	CHECK_EQ(encode_load(F3_LBU, 27, 10, 1), 0x00154d83);
	CHECK_EQ(encode_load(F3_LHU, 0, 0, 0), 0x00005003);
	CHECK_EQ(encode_load(F3_LWU, 3, 4, -4), 0xffc26183);
	CHECK_EQ(encode_store(F3_SB, 11, 2, -1), 0xfeb10fa3);
	CHECK_EQ(encode_store(F3_SH, 31, 9, 2047), 0x7ff49fa3);
	CHECK_EQ(encode_store(F3_SW, 31, 1, -2048), 0x81f0a023);
	CHECK_EQ(encode_store(F3_SD, 1, 15, 8), 0x0017b423);
	CHECK_EQ(encode_cl_cs(C_F3_LW, 15, 10, 124), 0x5d7c);
	CHECK_EQ(encode_cl_cs(C_F3_LD, 8, 9, 248), 0x7ce0);
	CHECK_EQ(encode_cl_cs(C_F3_SW, 12, 13, 64), 0xc2b0);
	CHECK_EQ(encode_cl_cs(C_F3_SD, 14, 15, 8), 0xe798);
	CHECK_EQ(encode_c_lwsp(1, 252), 0x50fe);
	CHECK_EQ(encode_c_ldsp(31, 504), 0x7ffe);
	CHECK_EQ(encode_c_swsp(0, 252), 0xdf82);
	CHECK_EQ(encode_c_sdsp(27, 504), 0xffee);
	CHECK_EQ(encode_amo(0x02, 2, 10, 11, 0), 0x1005a52f);	/* lr.w */
	CHECK_EQ(encode_amo(0x03, 3, 10, 11, 12), 0x18c5b52f);	/* sc.d */
}

/* One instance of every accepted form, straight from the assembler. */
static void test_every_form(void)
{
	check_decode(0xfff10503, 4, false, 1, true, 10);	/* lb a0 */
	check_decode(0x7ff49f83, 4, false, 2, true, 31);	/* lh t6 */
	check_decode(0x8000af83, 4, false, 4, true, 31);	/* lw t6 */
	check_decode(0x0087b083, 4, false, 8, false, 1);	/* ld ra */
	check_decode(0x00154d83, 4, false, 1, false, 27);	/* lbu s11 */
	check_decode(0x00005003, 4, false, 2, false, 0);	/* lhu zero */
	check_decode(0xffc26183, 4, false, 4, false, 3);	/* lwu gp */
	check_decode(0xfeb10fa3, 4, true, 1, false, 11);	/* sb a1 */
	check_decode(0x7ff49fa3, 4, true, 2, false, 31);	/* sh t6 */
	check_decode(0x81f0a023, 4, true, 4, false, 31);	/* sw t6 */
	check_decode(0x0017b423, 4, true, 8, false, 1);		/* sd ra */
	check_decode(0x5d7c, 2, false, 4, true, 15);		/* c.lw a5 */
	check_decode(0x7ce0, 2, false, 8, false, 8);		/* c.ld s0 */
	check_decode(0xc2b0, 2, true, 4, false, 12);		/* c.sw a2 */
	check_decode(0xe798, 2, true, 8, false, 14);		/* c.sd a4 */
	check_decode(0x50fe, 2, false, 4, true, 1);		/* c.lwsp ra */
	check_decode(0x7ffe, 2, false, 8, false, 31);		/* c.ldsp t6 */
	check_decode(0xdf82, 2, true, 4, false, 0);		/* c.swsp zero */
	check_decode(0xffee, 2, true, 8, false, 27);		/* c.sdsp s11 */
}

/* rd of every load and rs2 of every store, for all 32 registers. */
static void test_registers_32bit(void)
{
	static const struct {
		unsigned f3, width;
		bool sign;
	} loads[] = {
		{ F3_LB, 1, true },   { F3_LH, 2, true },   { F3_LW, 4, true },
		{ F3_LD, 8, false },  { F3_LBU, 1, false }, { F3_LHU, 2, false },
		{ F3_LWU, 4, false },
	};
	static const int imms[] = { -2048, -1, 0, 1, 2047 };
	unsigned i, r, k;

	for (i = 0; i < ARRAY_SIZE(loads); i++)
		for (r = 0; r < 32; r++)
			for (k = 0; k < ARRAY_SIZE(imms); k++)
				check_decode(encode_load(loads[i].f3, r,
							 31 - r, imms[k]),
					     4, false, loads[i].width,
					     loads[i].sign, r);
	for (i = F3_SB; i <= F3_SD; i++)
		for (r = 0; r < 32; r++)
			for (k = 0; k < ARRAY_SIZE(imms); k++)
				check_decode(encode_store(i, r, r ^ 0x15,
							  imms[k]),
					     4, true, 1U << i, false, r);
}

/* CL/CS name x8..x15; CI/CSS name all 32 (CI minus x0). */
static void test_registers_compressed(void)
{
	unsigned r, b;

	for (r = 8; r < 16; r++) {
		for (b = 8; b < 16; b++) {
			check_decode(encode_cl_cs(C_F3_LW, r, b, 124), 2,
				     false, 4, true, r);
			check_decode(encode_cl_cs(C_F3_LD, r, b, 248), 2,
				     false, 8, false, r);
			check_decode(encode_cl_cs(C_F3_SW, r, b, 4), 2,
				     true, 4, false, r);
			check_decode(encode_cl_cs(C_F3_SD, r, b, 0), 2,
				     true, 8, false, r);
		}
	}
	for (r = 1; r < 32; r++) {
		check_decode(encode_c_lwsp(r, 4 * r), 2, false, 4, true, r);
		check_decode(encode_c_ldsp(r, 8 * r), 2, false, 8, false, r);
	}
	for (r = 0; r < 32; r++) {
		check_decode(encode_c_swsp(r, 4 * r), 2, true, 4, false, r);
		check_decode(encode_c_sdsp(r, 8 * r), 2, true, 8, false, r);
	}
}

/* Only the low 16 bits of a compressed instruction count. */
static void test_compressed_ignores_upper_half(void)
{
	check_decode(0xdead0000U | 0x5d7c, 2, false, 4, true, 15);
	check_decode(0xffff0000U | 0xffee, 2, true, 8, false, 27);
	CHECK(!decodes(0x50fe0000U | 0x2500)); /* c.fld below a c.lwsp */
}

static void test_rejects_fp_amo_lrsc(void)
{
	unsigned f3;

	CHECK(!decodes(0x00452087));	/* flw */
	CHECK(!decodes(0x00853107));	/* fld */
	CHECK(!decodes(0x00152227));	/* fsw */
	CHECK(!decodes(0x00253427));	/* fsd */
	CHECK(!decodes(0x00251087));	/* flh (Zfh) */
	CHECK(!decodes(0x1005a52f));	/* lr.w */
	CHECK(!decodes(0x1005b52f));	/* lr.d */
	CHECK(!decodes(0x18c5a52f));	/* sc.w */
	CHECK(!decodes(0x18c5b52f));	/* sc.d */
	CHECK(!decodes(0x00c5a52f));	/* amoadd.w */
	CHECK(!decodes(0x0ec5b52f));	/* amoswap.d.aqrl */
	CHECK(!decodes(0x2500));	/* c.fld */
	CHECK(!decodes(0xa500));	/* c.fsd */
	CHECK(!decodes(0x2422));	/* c.fldsp */
	CHECK(!decodes(0xa422));	/* c.fsdsp */
	/* Every funct3 of LOAD-FP/STORE-FP (FP and vector) and of AMO. */
	for (f3 = 0; f3 < 8; f3++) {
		CHECK(!decodes(set_opcode(encode_load(f3, 5, 6, 8),
					  OPC_LOAD_FP)));
		CHECK(!decodes(set_opcode(encode_store(f3, 5, 6, 8),
					  OPC_STORE_FP)));
		CHECK(!decodes(encode_amo(0x00, f3, 5, 6, 7)));
		CHECK(!decodes(encode_amo(0x02, f3, 5, 6, 0)));
		CHECK(!decodes(encode_amo(0x03, f3, 5, 6, 7)));
	}
}

static void test_rejects_reserved_and_other(void)
{
	unsigned f3;

	CHECK(!decodes(encode_load(7, 5, 6, 0)));	/* LDU (RV128) */
	for (f3 = 4; f3 < 8; f3++)
		CHECK(!decodes(encode_store(f3, 5, 6, 0)));	/* SQ etc. */
	CHECK(!decodes(encode_c_lwsp(0, 4)));	/* c.lwsp rd=x0: reserved */
	CHECK(!decodes(encode_c_ldsp(0, 8)));	/* c.ldsp rd=x0: reserved */
	CHECK(!decodes(0x0000));		/* defined illegal */
	CHECK(!decodes(0xffffffff));
	CHECK(!decodes(0x0040));		/* c.addi4spn */
	CHECK(!decodes(0x8000));		/* quadrant 0 funct3 4 */
	CHECK(!decodes(0x0505));		/* c.addi a0, 1 */
	CHECK(!decodes(0x8082));		/* c.jr ra (ret) */
	CHECK(!decodes(0x00150513));		/* addi a0, a0, 1 */
	CHECK(!decodes(0x00000073));		/* ecall */
	CHECK(!decodes(0x10500073));		/* wfi */
	CHECK(!decodes(0x0000100f));		/* fence.i */
	CHECK(!decodes(0x0000501f));		/* 48-bit prefix */
}

/* Exhaustive: exactly the expected 16-bit patterns decode. */
static void test_compressed_sweep(void)
{
	unsigned c, accepted = 0, wrong = 0;

	for (c = 0; c < 0x10000; c++) {
		unsigned m = c & C_MATCH_MASK;
		bool want;

		if ((c & 3) == 3)
			continue;
		want = m == C_LW || m == C_LD || m == C_SW || m == C_SD ||
		       m == C_SWSP || m == C_SDSP ||
		       ((m == C_LWSP || m == C_LDSP) && C_RD(c) != 0);
		accepted += decodes(c);
		wrong += decodes(c) != want;
	}
	/* 6 forms with 11 free bits, 2 forms minus their 64 rd=x0 codes. */
	CHECK_EQ(accepted, 6 * 2048 + 2 * (2048 - 64));
	CHECK_EQ(wrong, 0);
}

/* Exhaustive over opcode x funct3 with the other fields fixed. */
static void test_opcode_sweep(void)
{
	unsigned opc, f3, accepted = 0;

	for (opc = 3; opc < 0x80; opc += 4) {
		for (f3 = 0; f3 < 8; f3++) {
			uint32_t insn = 0x7ab50500U | f3 << 12 | opc;
			bool want = (opc == OPC_LOAD && f3 != 7) ||
				    (opc == OPC_STORE && f3 <= F3_SD);

			CHECK_EQ(decodes(insn), want);
			accepted += decodes(insn);
		}
	}
	CHECK_EQ(accepted, 7 + 4);
}

static uint64_t extend(uint32_t insn, uint64_t raw)
{
	struct mmio_insn d;

	CHECK(insn_decode_mmio(insn, &d));
	return insn_load_extend(&d, raw);
}

static void test_load_extend(void)
{
	/* Top bit set at each width; upper garbage in raw is discarded. */
	CHECK_EQ(extend(encode_load(F3_LB, 1, 2, 0), 0x80),
		 0xffffffffffffff80ULL);
	CHECK_EQ(extend(encode_load(F3_LB, 1, 2, 0), 0xabcdef12345678ffULL),
		 0xffffffffffffffffULL);
	CHECK_EQ(extend(encode_load(F3_LBU, 1, 2, 0), 0xabcdef12345678ffULL),
		 0xff);
	CHECK_EQ(extend(encode_load(F3_LH, 1, 2, 0), 0x8001),
		 0xffffffffffff8001ULL);
	CHECK_EQ(extend(encode_load(F3_LHU, 1, 2, 0), 0xffff8001),
		 0x8001);
	CHECK_EQ(extend(encode_load(F3_LW, 1, 2, 0), 0x80000000),
		 0xffffffff80000000ULL);
	CHECK_EQ(extend(encode_load(F3_LWU, 1, 2, 0), 0xffffffff80000000ULL),
		 0x80000000);
	CHECK_EQ(extend(encode_load(F3_LD, 1, 2, 0), 0x8000000000000001ULL),
		 0x8000000000000001ULL);
	CHECK_EQ(extend(0x5d7c, 0xdeadbeef), 0xffffffffdeadbeefULL); /* c.lw */
	CHECK_EQ(extend(0x50fe, 0x80000000), 0xffffffff80000000ULL); /* lwsp */
	CHECK_EQ(extend(0x7ffe, 0xfedcba9876543210ULL),		     /* ldsp */
		 0xfedcba9876543210ULL);
	/* Top bit clear: sign extension leaves the value alone. */
	CHECK_EQ(extend(encode_load(F3_LB, 1, 2, 0), 0x17f), 0x7f);
	CHECK_EQ(extend(encode_load(F3_LH, 1, 2, 0), 0x7fff), 0x7fff);
	CHECK_EQ(extend(encode_load(F3_LW, 1, 2, 0), 0x17fffffffULL),
		 0x7fffffff);
}

/* ------------------------------------------- transformed htinst (host-only) */

/* The spec's transformed form of a compressed access: its 32-bit
 * equivalent with bit 1 clear. The rs1 field holds the address offset. */
static unsigned long transformed_16(uint32_t insn32)
{
	return insn32 & ~2U;
}

static void check_htinst(unsigned long htinst, unsigned len, bool is_store,
			 unsigned width, bool sign_ext, unsigned reg)
{
	struct mmio_insn d;

	memset(&d, 0xa5, sizeof(d));
	CHECK(insn_decode_htinst(htinst, &d));
	CHECK_EQ(d.len, len);
	CHECK_EQ(d.is_store, is_store);
	CHECK_EQ(d.width, width);
	CHECK_EQ(d.sign_ext, sign_ext);
	CHECK_EQ(d.reg, reg);
}

static void test_htinst_transformed(void)
{
	struct mmio_insn d;

	/* 32-bit accesses: bit 1 set, length 4; imm is 0, rs1 an offset. */
	check_htinst(encode_load(F3_LW, 5, 0, 0), 4, false, 4, true, 5);
	check_htinst(encode_load(F3_LBU, 31, 3, 0), 4, false, 1, false, 31);
	check_htinst(encode_store(F3_SD, 7, 0, 0), 4, true, 8, false, 7);
	/* Compressed ones, as the 32-bit form with bit 1 clear: length 2. */
	check_htinst(transformed_16(encode_load(F3_LW, 9, 0, 0)), 2, false, 4,
		     true, 9);                                  /* c.lw */
	check_htinst(transformed_16(encode_load(F3_LD, 20, 0, 0)), 2, false, 8,
		     false, 20);                                /* c.ldsp */
	check_htinst(transformed_16(encode_store(F3_SW, 12, 0, 0)), 2, true, 4,
		     false, 12);                                /* c.sw */
	check_htinst(transformed_16(encode_store(F3_SD, 1, 2, 0)), 2, true, 8,
		     false, 1);                                 /* c.sdsp */
	/* Every load and store form and register, in both lengths. */
	for (unsigned f3 = 0; f3 < 8; f3++) {
		for (unsigned r = 0; r < 32; r++) {
			uint32_t l = encode_load(f3, r, r ^ 7, 0);
			uint32_t st = encode_store(f3, r, r ^ 7, 0);
			struct mmio_insn want;
			if (insn_decode_mmio(l, &want)) {
				check_htinst(l, 4, false, want.width,
					     want.sign_ext, r);
				check_htinst(transformed_16(l), 2, false,
					     want.width, want.sign_ext, r);
			}
			if (insn_decode_mmio(st, &want)) {
				check_htinst(st, 4, true, want.width, false, r);
				check_htinst(transformed_16(st), 2, true,
					     want.width, false, r);
			}
		}
	}
	/* Not transformed (bit 0 clear): nothing to decode from htinst. */
	CHECK(!insn_decode_htinst(0, &d));
	CHECK(!insn_decode_htinst(encode_load(F3_LW, 5, 0, 0) & ~1U, &d));
	CHECK(!insn_decode_htinst(0x3000, &d)); /* implicit PTW read */
	/* Transformed, but no MMIO load or store. */
	CHECK(!insn_decode_htinst(encode_amo(0x02, 2, 10, 0, 0), &d));
	CHECK(!insn_decode_htinst(transformed_16(encode_amo(0x00, 3, 1, 0, 2)),
				  &d));
	CHECK(!insn_decode_htinst(set_opcode(encode_load(F3_LD, 1, 0, 0),
					     OPC_LOAD_FP), &d));
	CHECK(!insn_decode_htinst(transformed_16(encode_load(7, 1, 0, 0)), &d));
}

static struct domain MD;
static struct vcpu MV;

/* One guest-page fault through mmio_guest_page_fault(); M.load_val and
 * M.fetch_insn are the inputs it keeps. */
static void fault(unsigned long cause, unsigned long htinst, gpa_t gpa)
{
	uint64_t load_val = M.load_val;
	uint32_t fetch_insn = M.fetch_insn;

	memset(&M, 0, sizeof(M));
	M.load_val = load_val;
	M.fetch_insn = fetch_insn;
	memset(&MV, 0, sizeof(MV));
	MV.dom = &MD;
	MV.regs.scause = cause;
	MV.regs.htinst = htinst;
	MV.regs.htval = gpa >> 2;
	MV.regs.stval = 0xffffffc000001000UL | (gpa & 0xfff);
	MV.regs.sepc = 0x80200000;
	for (unsigned r = 1; r < 32; r++)
		MV.regs.x[r] = 0x1111111111111111UL * (r & 0xf);
	mmio_guest_page_fault(&MV);
}

/* The trap path with htinst as hardware other than QEMU 7.2 fills it. */
static void test_mmio_htinst_sepc(void)
{
	/* c.lw a0 (x10) from 0x10000004: sepc advances by 2, no fetch. */
	M.load_val = 0x80000001;
	fault(EXC_LOAD_GUEST_PAGE_FAULT,
	      transformed_16(encode_load(F3_LW, 10, 0, 0)), 0x10000004);
	CHECK_EQ(M.fetches, 0);
	CHECK_EQ(M.injects, 0);
	CHECK_EQ(M.mmio_calls, 1);
	CHECK_EQ(M.gpa, 0x10000004);
	CHECK_EQ(M.width, 4);
	CHECK_EQ(MV.regs.x[10], 0xffffffff80000001UL); /* sign-extended */
	CHECK_EQ(MV.regs.sepc, 0x80200002);

	/* c.sd s1 (x9): a store of 8 bytes, sepc + 2. */
	fault(EXC_STORE_GUEST_PAGE_FAULT,
	      transformed_16(encode_store(F3_SD, 9, 0, 0)), 0x10000008);
	CHECK_EQ(M.fetches, 0);
	CHECK_EQ(M.injects, 0);
	CHECK(M.is_store);
	CHECK_EQ(M.width, 8);
	CHECK_EQ(M.store_val, 0x9999999999999999UL);
	CHECK_EQ(MV.regs.sepc, 0x80200002);

	/* A 32-bit lb t0 (x5): sepc + 4. */
	fault(EXC_LOAD_GUEST_PAGE_FAULT, encode_load(F3_LB, 5, 0, 0), 0x10000003);
	CHECK_EQ(M.fetches, 0);
	CHECK_EQ(M.width, 1);
	CHECK_EQ(MV.regs.sepc, 0x80200004);

	/* htinst 0 (QEMU 7.2): the instruction is fetched, c.lw here. */
	M.fetch_insn = encode_cl_cs(C_F3_LW, 10, 8, 4);
	fault(EXC_LOAD_GUEST_PAGE_FAULT, 0, 0x10000004);
	CHECK_EQ(M.fetches, 1);
	CHECK_EQ(M.mmio_calls, 1);
	CHECK_EQ(MV.regs.sepc, 0x80200002);

	/* A transformed store on a load fault, or no load/store at all:
	 * an access fault, nothing emulated, sepc unchanged. */
	fault(EXC_LOAD_GUEST_PAGE_FAULT,
	      transformed_16(encode_store(F3_SW, 9, 0, 0)), 0x10000004);
	CHECK_EQ(M.injects, 1);
	CHECK_EQ(M.inj_cause, EXC_LOAD_ACCESS);
	CHECK_EQ(M.mmio_calls, 0);
	CHECK_EQ(MV.regs.sepc, 0x80200000);
	fault(EXC_STORE_GUEST_PAGE_FAULT, encode_amo(0x01, 2, 1, 0, 2),
	      0x10000004);
	CHECK_EQ(M.injects, 1);
	CHECK_EQ(M.mmio_calls, 0);
	CHECK_EQ(M.fetches, 0);
}

int main(void)
{
	RUN(test_encoders_match_assembler);
	RUN(test_every_form);
	RUN(test_registers_32bit);
	RUN(test_registers_compressed);
	RUN(test_compressed_ignores_upper_half);
	RUN(test_rejects_fp_amo_lrsc);
	RUN(test_rejects_reserved_and_other);
	RUN(test_compressed_sweep);
	RUN(test_opcode_sweep);
	RUN(test_load_extend);
	RUN(test_htinst_transformed);
	RUN(test_mmio_htinst_sepc);
	TEST_DONE();
}
