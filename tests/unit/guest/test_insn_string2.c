/* tests/unit/guest/test_insn_string2.c - LODS, SCAS and CMPS through insn_emulate: sizes,
 * REP, REPE/REPNE ending on ZF, DF, address-size wrap, segments, faults, the REP budget. */
#include "tests/unit/guest/insn_fixture.h"

/* The arithmetic flags CMP a, b leaves (insn_alu is checked against the SDM in test_insn_flags). */
static uint64_t cmp_flags(uint64_t a, uint64_t b, unsigned int size)
{
	uint64_t fl = 2;

	insn_alu(INSN_CMP, size, a, b, &fl);
	return fl & INSN_RFLAGS_ARITH;
}

#define ARITH(c) ((c).rflags & INSN_RFLAGS_ARITH)
#define ZF(c)    (!!((c).rflags & INSN_RFLAGS_ZF))

TEST(lods_sizes)
{
	struct insn_cpu c;

	reset(&c, M64);
	wr(MEM + 0x10, 8, 0x1122334455667788ULL);
	c.gpr[INSN_REG_RSI] = MEM + 0x10;
	c.gpr[INSN_REG_RAX] = ~0ULL;
	c.gpr[INSN_REG_RCX] = 7;
	c.rflags = 2 | INSN_RFLAGS_ARITH;
	CHECK(run(&c, "ac") == 0);                           /* AL: bits 63:8 kept */
	CHECK(c.gpr[INSN_REG_RAX] == 0xffffffffffffff88ULL && c.gpr[INSN_REG_RSI] == MEM + 0x11);
	CHECK(c.rip == 0x1001 && c.gpr[INSN_REG_RCX] == 7 && fm.reads == 1 && fm.writes == 0);
	c.gpr[INSN_REG_RSI] = MEM + 0x10;
	CHECK(run(&c, "66 ad") == 0 && c.gpr[INSN_REG_RAX] == 0xffffffffffff7788ULL);
	CHECK_EQ(c.gpr[INSN_REG_RSI], MEM + 0x12);
	c.gpr[INSN_REG_RSI] = MEM + 0x10;
	CHECK(run(&c, "ad") == 0 && c.gpr[INSN_REG_RAX] == 0x55667788ULL);  /* 32 bits: zero-extended */
	CHECK_EQ(c.gpr[INSN_REG_RSI], MEM + 0x14);
	c.gpr[INSN_REG_RSI] = MEM + 0x10;
	CHECK(run(&c, "48 ad") == 0 && c.gpr[INSN_REG_RAX] == 0x1122334455667788ULL);
	CHECK_EQ(c.gpr[INSN_REG_RSI], MEM + 0x18);
	CHECK(c.rflags == (2 | INSN_RFLAGS_ARITH) && c.rip == 0x1001 + 2 + 1 + 2);   /* no flags */
	/* DF = 1: rSI goes down by the size */
	c.rflags |= INSN_RFLAGS_DF;
	c.gpr[INSN_REG_RSI] = MEM + 0x14;
	CHECK(run(&c, "66 ad") == 0 && c.gpr[INSN_REG_RAX] == 0x1122334455663344ULL);
	CHECK_EQ(c.gpr[INSN_REG_RSI], MEM + 0x12);
}

TEST(rep_lods)
{
	struct insn_cpu c;

	reset(&c, M64);
	for (int i = 0; i < 16; i++)
		mem[i] = (uint8_t)(0x30 + i);
	c.gpr[INSN_REG_RSI] = MEM;
	c.gpr[INSN_REG_RCX] = 5;
	CHECK(run(&c, "f3 ac") == 0);                        /* REP LODS: the last element stays */
	CHECK(c.gpr[INSN_REG_RAX] == 0x34 && c.gpr[INSN_REG_RSI] == MEM + 5 && c.gpr[INSN_REG_RCX] == 0);
	CHECK(fm.reads == 5 && c.rip == 0x1002);
	/* RCX = 0: nothing read, the instruction completes */
	CHECK(run(&c, "f3 ac") == 0 && fm.reads == 5 && c.rip == 0x1004 && c.gpr[INSN_REG_RSI] == MEM + 5);
	/* F2 repeats LODS like F3, whatever ZF says */
	for (int zf = 0; zf < 2; zf++) {
		c.rflags = 2 | (zf ? INSN_RFLAGS_ZF : 0);
		c.gpr[INSN_REG_RCX] = 3;
		c.gpr[INSN_REG_RSI] = MEM;
		CHECK(run(&c, "f2 66 ad") == 0);
		CHECK(c.gpr[INSN_REG_RCX] == 0 && c.gpr[INSN_REG_RSI] == MEM + 6 && c.gpr[INSN_REG_RAX] == 0x3534);
	}
	/* REX.W, DF = 1 */
	c.rflags = 2 | INSN_RFLAGS_DF;
	c.gpr[INSN_REG_RCX] = 2;
	c.gpr[INSN_REG_RSI] = MEM + 8;
	CHECK(run(&c, "f3 48 ad") == 0);
	CHECK(c.gpr[INSN_REG_RAX] == 0x3736353433323130ULL && c.gpr[INSN_REG_RSI] == MEM - 8);
	/* 67: ECX and ESI, their 32-bit writes clear bits 63:32 */
	c.rflags = 2;
	c.gpr[INSN_REG_RCX] = 0xffffffff00000002ULL;
	c.gpr[INSN_REG_RSI] = 0xdead000000000000ULL | MEM;
	CHECK(run(&c, "67 f3 ac") == 0);
	CHECK(c.gpr[INSN_REG_RCX] == 0 && c.gpr[INSN_REG_RSI] == MEM + 2 && (c.gpr[INSN_REG_RAX] & 0xff) == 0x31);
}

TEST(lods_segments)
{
	struct insn_cpu c;

	/* 32-bit code: DS by default, any override */
	reset(&c, M32);
	c.seg_base[INSN_SEG_DS] = MEM;
	c.seg_base[INSN_SEG_ES] = MEM + 0x1000;
	c.seg_base[INSN_SEG_FS] = MEM + 0x2000;
	c.seg_base[INSN_SEG_SS] = MEM + 0x3000;
	mem[0x10] = 0x11;
	mem[0x1010] = 0x22;
	mem[0x2010] = 0x33;
	mem[0x3010] = 0x44;
	c.gpr[INSN_REG_RSI] = 0x10;
	CHECK(run(&c, "ac") == 0 && c.gpr[INSN_REG_RAX] == 0x11);
	c.gpr[INSN_REG_RSI] = 0x10;
	CHECK(run(&c, "26 ac") == 0 && c.gpr[INSN_REG_RAX] == 0x22);
	c.gpr[INSN_REG_RSI] = 0x10;
	CHECK(run(&c, "64 ac") == 0 && c.gpr[INSN_REG_RAX] == 0x33);
	c.gpr[INSN_REG_RSI] = 0x10;
	CHECK(run(&c, "36 ac") == 0 && c.gpr[INSN_REG_RAX] == 0x44);
	/* 64-bit code: GS counts, ES does not */
	reset(&c, M64);
	c.seg_base[INSN_SEG_GS] = 0x100;
	c.seg_base[INSN_SEG_ES] = 0x200;
	mem[0x100] = 0x55;
	mem[0] = 0x66;
	c.gpr[INSN_REG_RSI] = MEM;
	CHECK(run(&c, "65 ac") == 0 && c.gpr[INSN_REG_RAX] == 0x55);
	c.gpr[INSN_REG_RSI] = MEM;
	CHECK(run(&c, "26 ac") == 0 && c.gpr[INSN_REG_RAX] == 0x66);
}

/* 16-bit addresses: SI, DI and CX only, wrapping at 64 KiB inside the segment. */
TEST(wrap_16bit)
{
	struct insn_cpu c;

	reset(&c, M16);
	c.seg_base[INSN_SEG_DS] = MEM;
	c.seg_base[INSN_SEG_ES] = MEM + 0x10000;
	mem[0xffff] = 0xa1;
	mem[0] = 0xa2;
	c.gpr[INSN_REG_RSI] = 0x77770000ffffULL;
	c.gpr[INSN_REG_RCX] = 0x4444000000000002ULL;
	CHECK(run(&c, "f3 ac") == 0);
	CHECK(c.gpr[INSN_REG_RAX] == 0xa2 && c.gpr[INSN_REG_RSI] == 0x777700000001ULL);
	CHECK(c.gpr[INSN_REG_RCX] == 0x4444000000000000ULL && fm.reads == 2);
	/* REPE CMPSB across the wrap of both pointers: equal bytes, then a difference */
	mem[0x1ffff] = 0xa1;
	mem[0x10000] = 0xa2;
	mem[1] = 0x01;
	mem[0x10001] = 0x02;
	c.gpr[INSN_REG_RSI] = 0xffff;
	c.gpr[INSN_REG_RDI] = 0xffff;
	c.gpr[INSN_REG_RCX] = 10;
	CHECK(run(&c, "f3 a6") == 0);
	CHECK(c.gpr[INSN_REG_RCX] == 7 && c.gpr[INSN_REG_RSI] == 2 && c.gpr[INSN_REG_RDI] == 2);
	CHECK(ARITH(c) == cmp_flags(1, 2, 1) && c.rip == 0x1000 + 2 + 2);
	/* 67 in 16-bit code: ESI and ECX, past 64 KiB */
	c.gpr[INSN_REG_RSI] = 0x10000;
	c.gpr[INSN_REG_RCX] = 0x100000002ULL;
	CHECK(run(&c, "67 f3 ac") == 0 && (c.gpr[INSN_REG_RAX] & 0xff) == 0x02);
	CHECK(c.gpr[INSN_REG_RCX] == 0 && c.gpr[INSN_REG_RSI] == 0x10002);
}

/* 32-bit addresses wrap at 4 GiB: offset 0xffffffff then 0, the linear address in 32 bits too. */
TEST(wrap_32bit)
{
	struct insn_cpu c;

	reset(&c, M32);
	c.seg_base[INSN_SEG_DS] = MEM + 1;
	c.seg_base[INSN_SEG_ES] = MEM + 0x101;
	mem[0] = 0x10, mem[1] = 0x11, mem[2] = 0x12;
	mem[0x100] = 0x10, mem[0x101] = 0x11, mem[0x102] = 0x13;
	c.gpr[INSN_REG_RSI] = 0xffffffff;
	c.gpr[INSN_REG_RDI] = 0xffffffff;
	c.gpr[INSN_REG_RCX] = 5;
	CHECK(run(&c, "f3 a6") == 0);                        /* [MEM], [MEM + 1], then 0x12 vs 0x13 */
	CHECK(c.gpr[INSN_REG_RCX] == 2 && c.gpr[INSN_REG_RSI] == 2 && c.gpr[INSN_REG_RDI] == 2 && !ZF(c));
	/* DF = 1 from 0 down to 0xffffffff */
	c.rflags = 2 | INSN_RFLAGS_DF;
	c.gpr[INSN_REG_RSI] = 0;
	c.gpr[INSN_REG_RCX] = 2;
	CHECK(run(&c, "f3 ac") == 0 && (c.gpr[INSN_REG_RAX] & 0xff) == 0x10 && c.gpr[INSN_REG_RSI] == 0xfffffffe);
}

TEST(scas)
{
	static const char s[] = "hello\0world";
	struct insn_cpu c;

	reset(&c, M64);
	memcpy(mem, s, sizeof(s));
	/* REPNE SCASB: strlen; stops after the iteration that found the byte */
	c.gpr[INSN_REG_RDI] = MEM;
	c.gpr[INSN_REG_RCX] = 100;
	c.gpr[INSN_REG_RAX] = 0x1234500;                     /* AL = 0 */
	CHECK(run(&c, "f2 ae") == 0);
	CHECK(c.gpr[INSN_REG_RCX] == 94 && c.gpr[INSN_REG_RDI] == MEM + 6 && ZF(c) && c.rip == 0x1002);
	CHECK(fm.reads == 6 && fm.writes == 0 && c.gpr[INSN_REG_RAX] == 0x1234500);
	/* not found before the count ends: ZF clear, RCX 0 */
	c.gpr[INSN_REG_RDI] = MEM;
	c.gpr[INSN_REG_RCX] = 3;
	CHECK(run(&c, "f2 ae") == 0 && c.gpr[INSN_REG_RCX] == 0 && !ZF(c) && c.gpr[INSN_REG_RDI] == MEM + 3);
	CHECK_EQ(ARITH(c), cmp_flags(0, 'l', 1));
	/* REPE SCASB: skips the 'l's, stops on the 'o' with ZF clear */
	c.gpr[INSN_REG_RDI] = MEM + 2;
	c.gpr[INSN_REG_RCX] = 50;
	c.gpr[INSN_REG_RAX] = 'l';
	CHECK(run(&c, "f3 ae") == 0);
	CHECK(c.gpr[INSN_REG_RCX] == 47 && c.gpr[INSN_REG_RDI] == MEM + 5 && !ZF(c));
	CHECK_EQ(ARITH(c), cmp_flags('l', 'o', 1));
	/* the count reaching 0 ends it before ZF is looked at */
	c.gpr[INSN_REG_RDI] = MEM + 4;
	c.gpr[INSN_REG_RCX] = 1;
	CHECK(run(&c, "f3 ae") == 0 && c.gpr[INSN_REG_RCX] == 0 && !ZF(c) && c.gpr[INSN_REG_RDI] == MEM + 5);
	/* RCX = 0: nothing read, flags kept, completed */
	c.rflags = 2 | INSN_RFLAGS_ZF | INSN_RFLAGS_CF;
	fm.reads = 0;
	CHECK(run(&c, "f3 ae") == 0 && fm.reads == 0 && c.rflags == (2 | INSN_RFLAGS_ZF | INSN_RFLAGS_CF));
	/* no prefix: one compare, RCX untouched */
	c.gpr[INSN_REG_RCX] = 9;
	c.gpr[INSN_REG_RDI] = MEM;
	c.gpr[INSN_REG_RAX] = 'a';
	c.rip = 0x1000;
	CHECK(run(&c, "ae") == 0 && c.gpr[INSN_REG_RCX] == 9 && c.gpr[INSN_REG_RDI] == MEM + 1 && c.rip == 0x1001);
	CHECK_EQ(ARITH(c), cmp_flags('a', 'h', 1));
	/* DF = 1: backwards, strrchr-like */
	c.rflags = 2 | INSN_RFLAGS_DF;
	c.gpr[INSN_REG_RDI] = MEM + 10;
	c.gpr[INSN_REG_RCX] = 11;
	c.gpr[INSN_REG_RAX] = 'o';
	CHECK(run(&c, "f2 ae") == 0);
	CHECK(c.gpr[INSN_REG_RDI] == MEM + 6 && c.gpr[INSN_REG_RCX] == 7 && ZF(c));
}

/* SCAS: rAX of the operand size against ES:[rDI], the flags of CMP rAX, m. */
TEST(scas_sizes)
{
	static const struct { const char *hex; unsigned int size; } f[] = {
		{ "ae", 1 }, { "66 af", 2 }, { "af", 4 }, { "48 af", 8 },
	};
	static const uint64_t vals[][2] = {
		{ 0x8000000000000000ULL, 0x7fffffffffffffffULL }, { 1, 2 }, { 0x80, 0x7f },
		{ 0x12345678, 0x12345678 }, { 0xffffffff00008000ULL, 0x8000 }, { 0, ~0ULL },
	};
	struct insn_cpu c;

	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		for (size_t k = 0; k < ARRAY_SIZE(vals); k++) {
			reset(&c, M64);
			wr(MEM + 0x40, 8, vals[k][1]);
			c.gpr[INSN_REG_RAX] = vals[k][0];
			c.gpr[INSN_REG_RDI] = MEM + 0x40;
			CHECK(run(&c, f[i].hex) == 0);
			CHECK_EQ(ARITH(c), cmp_flags(vals[k][0], vals[k][1], f[i].size));
			CHECK(c.gpr[INSN_REG_RDI] == MEM + 0x40 + f[i].size && c.gpr[INSN_REG_RAX] == vals[k][0]);
		}
	}
	/* REPE SCASD over equal dwords, then one that differs in bit 31 */
	reset(&c, M64);
	for (int i = 0; i < 4; i++)
		wr(MEM + 4 * i, 4, 0x0badf00d);
	wr(MEM + 16, 4, 0x8badf00d);
	c.gpr[INSN_REG_RAX] = 0xffffffff0badf00dULL;          /* bits 63:32 do not take part */
	c.gpr[INSN_REG_RDI] = MEM;
	c.gpr[INSN_REG_RCX] = 8;
	CHECK(run(&c, "f3 af") == 0);
	CHECK(c.gpr[INSN_REG_RCX] == 3 && c.gpr[INSN_REG_RDI] == MEM + 20 && !ZF(c));
	CHECK_EQ(ARITH(c), cmp_flags(0x0badf00d, 0x8badf00d, 4));
}

TEST(cmps)
{
	struct insn_cpu c;

	reset(&c, M64);
	/* the first source is [rSI]: the flags of [rSI] - ES:[rDI] */
	mem[0] = 1;
	mem[0x100] = 2;
	c.gpr[INSN_REG_RSI] = MEM;
	c.gpr[INSN_REG_RDI] = MEM + 0x100;
	CHECK(run(&c, "a6") == 0 && (c.rflags & INSN_RFLAGS_CF) && ARITH(c) == cmp_flags(1, 2, 1));
	CHECK(c.gpr[INSN_REG_RSI] == MEM + 1 && c.gpr[INSN_REG_RDI] == MEM + 0x101 && fm.reads == 2);
	c.gpr[INSN_REG_RSI] = MEM + 0x100;
	c.gpr[INSN_REG_RDI] = MEM;
	CHECK(run(&c, "a6") == 0 && !(c.rflags & INSN_RFLAGS_CF) && ARITH(c) == cmp_flags(2, 1, 1));
	CHECK(fm.writes == 0);
	/* REPE CMPSB: memcmp, stops after the first difference */
	memcpy(mem + 0x200, "abcdefgh", 8);
	memcpy(mem + 0x300, "abcDefgh", 8);
	c.gpr[INSN_REG_RSI] = MEM + 0x200;
	c.gpr[INSN_REG_RDI] = MEM + 0x300;
	c.gpr[INSN_REG_RCX] = 8;
	CHECK(run(&c, "f3 a6") == 0);
	CHECK(c.gpr[INSN_REG_RCX] == 4 && c.gpr[INSN_REG_RSI] == MEM + 0x204 && c.gpr[INSN_REG_RDI] == MEM + 0x304);
	CHECK(!ZF(c) && ARITH(c) == cmp_flags('d', 'D', 1) && c.rip == 0x1000 + 1 + 1 + 2);
	/* equal to the end: ZF set, RCX 0 */
	c.gpr[INSN_REG_RCX] = 4;
	CHECK(run(&c, "f3 a6") == 0 && c.gpr[INSN_REG_RCX] == 0 && ZF(c) && c.gpr[INSN_REG_RSI] == MEM + 0x208);
	/* REPNE CMPSW: stops at the first equal word */
	wr(MEM + 0x400, 8, 0x4444333322221111ULL);
	wr(MEM + 0x500, 8, 0x4444333300001111ULL + 1);
	c.gpr[INSN_REG_RSI] = MEM + 0x400;
	c.gpr[INSN_REG_RDI] = MEM + 0x500;
	c.gpr[INSN_REG_RCX] = 4;
	CHECK(run(&c, "f2 66 a7") == 0);
	CHECK(c.gpr[INSN_REG_RCX] == 1 && c.gpr[INSN_REG_RSI] == MEM + 0x406 && ZF(c));
	/* REX.W and 32-bit sizes, DF = 1 */
	c.rflags = 2 | INSN_RFLAGS_DF;
	c.gpr[INSN_REG_RSI] = MEM + 0x400;
	c.gpr[INSN_REG_RDI] = MEM + 0x500;
	CHECK(run(&c, "48 a7") == 0 && ARITH(c) == cmp_flags(0x4444333322221111ULL, 0x4444333300001112ULL, 8));
	CHECK(c.gpr[INSN_REG_RSI] == MEM + 0x3f8 && c.gpr[INSN_REG_RDI] == MEM + 0x4f8);
	c.gpr[INSN_REG_RSI] = MEM + 0x404;
	c.gpr[INSN_REG_RDI] = MEM + 0x504;
	CHECK(run(&c, "a7") == 0 && ZF(c) && c.gpr[INSN_REG_RSI] == MEM + 0x400);
}

/* CMPS: an override changes the [rSI] segment only; ES:[rDI] has none. */
TEST(cmps_segments)
{
	struct insn_cpu c;

	reset(&c, M32);
	c.seg_base[INSN_SEG_DS] = MEM;
	c.seg_base[INSN_SEG_ES] = MEM + 0x1000;
	c.seg_base[INSN_SEG_FS] = MEM + 0x2000;
	mem[0x10] = 5;
	mem[0x1020] = 7;
	mem[0x2010] = 7;
	c.gpr[INSN_REG_RSI] = 0x10;
	c.gpr[INSN_REG_RDI] = 0x20;
	CHECK(run(&c, "a6") == 0 && !ZF(c) && ARITH(c) == cmp_flags(5, 7, 1));
	c.gpr[INSN_REG_RSI] = 0x10;
	c.gpr[INSN_REG_RDI] = 0x20;
	CHECK(run(&c, "64 a6") == 0 && ZF(c));
	/* the override is not the destination's: with FS bases equal to DS, ES still differs */
	c.gpr[INSN_REG_RSI] = 0x10;
	c.gpr[INSN_REG_RDI] = 0x10;
	CHECK(run(&c, "26 a6") == 0 && ARITH(c) == cmp_flags(0, 0, 1));   /* ES:[0x10] both */
	/* SCAS takes no override for ES:[rDI] */
	c.gpr[INSN_REG_RDI] = 0x20;
	c.gpr[INSN_REG_RAX] = 7;
	CHECK(run(&c, "64 ae") == 0 && ZF(c));
}

/* A fault in iteration k: the iterations before it are done, flags included; RIP stays. */
TEST(fault_in_iteration)
{
	struct insn_cpu c;

	/* REPE CMPSB, the ES:[rDI] read of iteration 2 faults */
	reset(&c, M64);
	memcpy(mem, "aaaa", 4);
	memcpy(mem + 0x100, "aaaa", 4);
	c.gpr[INSN_REG_RSI] = MEM;
	c.gpr[INSN_REG_RDI] = MEM + 0x100;
	c.gpr[INSN_REG_RCX] = 4;
	fm.fault_lo = MEM + 0x102;
	fm.fault_hi = MEM + 0x103;
	CHECK_EQ(run(&c, "f3 a6"), -EFAULT);
	CHECK(c.gpr[INSN_REG_RCX] == 2 && c.gpr[INSN_REG_RSI] == MEM + 2 && c.gpr[INSN_REG_RDI] == MEM + 0x102);
	CHECK(ZF(c) && c.rip == 0x1000);
	fm.fault_lo = fm.fault_hi = 0;
	CHECK(run(&c, "f3 a6") == 0 && c.gpr[INSN_REG_RCX] == 0 && ZF(c) && c.rip == 0x1002);
	/* REPNE SCASW, DF = 1, the read of iteration 1 faults: flags of iteration 0 kept */
	reset(&c, M64);
	c.rflags = 2 | INSN_RFLAGS_DF;
	wr(MEM + 0x10, 2, 0x8000);
	c.gpr[INSN_REG_RAX] = 1;
	c.gpr[INSN_REG_RDI] = MEM + 0x10;
	c.gpr[INSN_REG_RCX] = 3;
	fm.fault_lo = MEM + 0xe;
	fm.fault_hi = MEM + 0xf;
	CHECK_EQ(run(&c, "f2 66 af"), -EFAULT);
	CHECK(c.gpr[INSN_REG_RCX] == 2 && c.gpr[INSN_REG_RDI] == MEM + 0xe && c.rip == 0x1000);
	CHECK_EQ(ARITH(c), cmp_flags(1, 0x8000, 2));
	/* REP LODSD, the read of iteration 3 faults: EAX holds iteration 2's element */
	reset(&c, M64);
	for (int i = 0; i < 4; i++)
		wr(MEM + 4 * i, 4, 0x100u + (unsigned int)i);
	c.gpr[INSN_REG_RSI] = MEM;
	c.gpr[INSN_REG_RCX] = 4;
	c.gpr[INSN_REG_RAX] = ~0ULL;
	fm.fault_lo = MEM + 12;
	fm.fault_hi = MEM + 13;
	CHECK_EQ(run(&c, "f3 ad"), -EFAULT);
	CHECK(c.gpr[INSN_REG_RAX] == 0x102 && c.gpr[INSN_REG_RCX] == 1 && c.gpr[INSN_REG_RSI] == MEM + 12);
	/* the [rSI] read of CMPS faults: nothing of that iteration */
	reset(&c, M64);
	c.rflags = 2 | INSN_RFLAGS_CF;
	c.gpr[INSN_REG_RSI] = MEM;
	c.gpr[INSN_REG_RDI] = MEM + 0x100;
	fm.fault_lo = MEM;
	fm.fault_hi = MEM + 1;
	CHECK_EQ(run(&c, "a7"), -EFAULT);
	CHECK(c.rflags == (2 | INSN_RFLAGS_CF) && c.gpr[INSN_REG_RSI] == MEM && fm.reads == 0);
}

/* Segment limits in 32-bit code: #GP(0) for DS and ES, #SS(0) for an SS override; nothing done. */
TEST(seg_limits)
{
	struct insn_cpu c;

	reset(&c, M32);
	c.seg_limits = true;
	for (int s = 0; s < 6; s++) {
		c.seg_base[s] = MEM;
		c.seg_limit[s] = 0xfff;
	}
	c.gpr[INSN_REG_RSI] = 0xffe;
	c.gpr[INSN_REG_RDI] = 0x10;
	CHECK_EQ(run(&c, "ad"), INSN_FAULT_GP);
	CHECK_EQ(run(&c, "36 ad"), INSN_FAULT_SS);
	CHECK(run(&c, "36 66 ad") == 0 && c.gpr[INSN_REG_RSI] == 0x1000);
	c.gpr[INSN_REG_RSI] = 0x10;
	c.gpr[INSN_REG_RDI] = 0xffd;
	c.gpr[INSN_REG_RCX] = 3;
	CHECK_EQ(run(&c, "f3 a7"), INSN_FAULT_GP);            /* ES:[0xffd] dword */
	CHECK(c.gpr[INSN_REG_RCX] == 3 && c.gpr[INSN_REG_RSI] == 0x10 && fm.reads == 2);
	CHECK_EQ(run(&c, "f3 af"), INSN_FAULT_GP);
	CHECK(c.rip == 0x1000 + 3);
}

/* A long REPE stops after INSN_REP_MAX iterations with RIP on the instruction; flags as far as it got. */
TEST(rep_budget)
{
	struct insn_cpu c;

	reset(&c, M64);
	c.gpr[INSN_REG_RDI] = MEM;
	c.gpr[INSN_REG_RCX] = INSN_REP_MAX + 5;
	mem[INSN_REP_MAX + 2] = 1;
	CHECK(run(&c, "f3 ae") == 0);                        /* AL = 0 over zeroes */
	CHECK(c.gpr[INSN_REG_RCX] == 5 && c.rip == 0x1000 && c.gpr[INSN_REG_RDI] == MEM + INSN_REP_MAX && ZF(c));
	CHECK(run(&c, "f3 ae") == 0);
	CHECK(c.gpr[INSN_REG_RCX] == 2 && c.rip == 0x1002 && c.gpr[INSN_REG_RDI] == MEM + INSN_REP_MAX + 3);
	CHECK(!ZF(c));
	/* REP LODS and REPNE CMPS keep to the budget too */
	reset(&c, M64);
	c.gpr[INSN_REG_RSI] = MEM;
	c.gpr[INSN_REG_RCX] = INSN_REP_MAX + 1;
	CHECK(run(&c, "f3 ac") == 0 && c.gpr[INSN_REG_RCX] == 1 && c.rip == 0x1000 && fm.reads == INSN_REP_MAX);
	c.gpr[INSN_REG_RSI] = MEM;
	c.gpr[INSN_REG_RDI] = MEM + 0x8000;
	c.gpr[INSN_REG_RCX] = 2 * INSN_REP_MAX;
	for (unsigned int i = 0; i < 2 * INSN_REP_MAX; i++)
		mem[0x8000 + i] = 0xff;                   /* never equal: no early end */
	CHECK(run(&c, "f2 a6") == 0 && c.gpr[INSN_REG_RCX] == INSN_REP_MAX && c.rip == 0x1000 && !ZF(c));
	CHECK(run(&c, "f2 a6") == 0 && c.gpr[INSN_REG_RCX] == 0 && c.rip == 0x1002);
}
