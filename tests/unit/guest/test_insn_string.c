/* tests/unit/guest/test_insn_string.c - STOS and MOVS through insn_emulate: REP counts in the
 * address size, DF, segments, a fault in iteration k, the per-call iteration budget. */
#include "tests/unit/guest/insn_fixture.h"

TEST(stos_single)
{
	struct insn_cpu c;

	reset(&c, M64);
	c.gpr[INSN_REG_RDI] = MEM + 0x10;
	c.gpr[INSN_REG_RAX] = 0x1122334455667788ULL;
	c.gpr[INSN_REG_RCX] = 7;
	CHECK(run(&c, "aa") == 0);
	CHECK(rd(MEM + 0x10, 2) == 0x88 && c.gpr[INSN_REG_RDI] == MEM + 0x11 && c.rip == 0x1001);
	CHECK_EQ(c.gpr[INSN_REG_RCX], 7);                    /* no REP: RCX untouched */
	c.rflags |= INSN_RFLAGS_DF;
	CHECK(run(&c, "48 ab") == 0);
	CHECK(rd(MEM + 0x11, 8) == 0x1122334455667788ULL && c.gpr[INSN_REG_RDI] == MEM + 0x11 - 8);
	CHECK(run(&c, "66 ab") == 0 && rd(MEM + 0x9, 2) == 0x7788 && c.gpr[INSN_REG_RDI] == MEM + 0x7);
	CHECK_EQ(c.rip, 0x1001 + 2 + 2);
}

TEST(rep_stos)
{
	struct insn_cpu c;

	reset(&c, M64);
	c.gpr[INSN_REG_RDI] = MEM;
	c.gpr[INSN_REG_RAX] = 0xaabbccdd;
	c.gpr[INSN_REG_RCX] = 4;
	CHECK(run(&c, "f3 ab") == 0);
	CHECK(rd(MEM, 8) == 0xaabbccddaabbccddULL && rd(MEM + 8, 8) == 0xaabbccddaabbccddULL && rd(MEM + 16, 4) == 0);
	CHECK(c.gpr[INSN_REG_RCX] == 0 && c.gpr[INSN_REG_RDI] == MEM + 16 && c.rip == 0x1002);
	/* RCX = 0: nothing, but the instruction completes */
	CHECK(run(&c, "f3 ab") == 0 && fm.writes == 4 && c.rip == 0x1004 && c.gpr[INSN_REG_RDI] == MEM + 16);
	/* F2 repeats STOS like F3 */
	c.gpr[INSN_REG_RCX] = 2;
	CHECK(run(&c, "f2 aa") == 0 && c.gpr[INSN_REG_RCX] == 0 && rd(MEM + 16, 4) == 0xdddd);
	/* 67: ECX, EDI; the 32-bit writes clear bits 63:32 */
	c.gpr[INSN_REG_RCX] = 0xffffffff00000003ULL;
	c.gpr[INSN_REG_RDI] = 0xdead000000000000ULL | (MEM + 0x40);
	CHECK(run(&c, "67 f3 aa") == 0);
	CHECK(c.gpr[INSN_REG_RCX] == 0 && c.gpr[INSN_REG_RDI] == MEM + 0x43 && rd(MEM + 0x40, 4) == 0xdddddd);
	/* DF = 1: downwards */
	c.rflags |= INSN_RFLAGS_DF;
	c.gpr[INSN_REG_RCX] = 3;
	c.gpr[INSN_REG_RDI] = MEM + 0x100;
	CHECK(run(&c, "f3 48 ab") == 0);
	CHECK(rd(MEM + 0xf0, 8) == 0xaabbccdd && rd(MEM + 0x100, 8) == 0xaabbccdd && rd(MEM + 0x108, 8) == 0);
	CHECK(c.gpr[INSN_REG_RDI] == MEM + 0xe8 && rd(MEM + 0xe8, 8) == 0);
}

TEST(rep_16bit)
{
	struct insn_cpu c;

	/* CX and DI only: bits 63:16 kept, DI wraps at 64 KiB inside ES */
	reset(&c, M16);
	c.seg_base[INSN_SEG_ES] = MEM;
	c.gpr[INSN_REG_RCX] = 0x1234000000000002ULL;
	c.gpr[INSN_REG_RDI] = 0x55550000fffeULL;
	c.gpr[INSN_REG_RAX] = 0xbeef;
	CHECK(run(&c, "f3 ab") == 0);
	CHECK(rd(MEM + 0xfffe, 2) == 0xbeef && rd(MEM, 2) == 0xbeef);
	CHECK(c.gpr[INSN_REG_RCX] == 0x1234000000000000ULL && c.gpr[INSN_REG_RDI] == 0x555500000002ULL);
	/* 66 67: 32-bit data with ECX/EDI */
	c.gpr[INSN_REG_RCX] = 1;
	c.gpr[INSN_REG_RDI] = 0x10000;
	c.gpr[INSN_REG_RAX] = 0x12345678;
	CHECK(run(&c, "66 67 f3 ab") == 0 && rd(MEM + 0x10000, 4) == 0x12345678 && c.gpr[INSN_REG_RDI] == 0x10004);
}

TEST(movs)
{
	struct insn_cpu c;

	reset(&c, M64);
	for (int i = 0; i < 16; i++)
		mem[i] = (uint8_t)(0x10 + i);
	c.gpr[INSN_REG_RSI] = MEM;
	c.gpr[INSN_REG_RDI] = MEM + 0x100;
	c.gpr[INSN_REG_RCX] = 10;
	CHECK(run(&c, "f3 a4") == 0);
	CHECK(memcmp(mem + 0x100, mem, 10) == 0 && mem[0x10a] == 0);
	CHECK(c.gpr[INSN_REG_RSI] == MEM + 10 && c.gpr[INSN_REG_RDI] == MEM + 0x10a && c.gpr[INSN_REG_RCX] == 0);
	/* overlapping, DF = 1: element by element from the top, as the CPU does */
	c.rflags |= INSN_RFLAGS_DF;
	c.gpr[INSN_REG_RSI] = MEM + 7;
	c.gpr[INSN_REG_RDI] = MEM + 8;
	c.gpr[INSN_REG_RCX] = 8;
	CHECK(run(&c, "f3 a4") == 0);
	CHECK(mem[8] == 0x17 && mem[1] == 0x10 && mem[0] == 0x10 && mem[9] == 0x19);
	CHECK(c.gpr[INSN_REG_RSI] == MEM - 1 && c.gpr[INSN_REG_RDI] == MEM);
	/* source segment override: FS applies in 64-bit mode; the destination stays ES */
	c.rflags &= ~INSN_RFLAGS_DF;
	c.seg_base[INSN_SEG_FS] = 0x200;
	c.seg_base[INSN_SEG_ES] = 0x400;                     /* ignored in 64-bit mode */
	mem[0x200] = 0xab;
	c.gpr[INSN_REG_RSI] = MEM;
	c.gpr[INSN_REG_RDI] = MEM + 0x300;
	c.gpr[INSN_REG_RCX] = 99;
	CHECK(run(&c, "64 a4") == 0 && mem[0x300] == 0xab && c.gpr[INSN_REG_RCX] == 99);
	/* 32-bit code: DS for the source, ES for the destination, an override for the source */
	reset(&c, M32);
	c.seg_base[INSN_SEG_DS] = MEM;
	c.seg_base[INSN_SEG_ES] = MEM + 0x1000;
	c.seg_base[INSN_SEG_GS] = MEM + 0x2000;
	mem[0x10] = 0x5a;
	mem[0x2010] = 0xa5;
	c.gpr[INSN_REG_RSI] = 0x10;
	c.gpr[INSN_REG_RDI] = 0x20;
	CHECK(run(&c, "a5") == 0 && rd(MEM + 0x1020, 4) == 0x5a && c.gpr[INSN_REG_RSI] == 0x14);
	c.gpr[INSN_REG_RSI] = 0x10;
	CHECK(run(&c, "65 66 a5") == 0 && rd(MEM + 0x1024, 2) == 0xa5 && c.gpr[INSN_REG_RDI] == 0x26);
}

/* A fault in iteration k: k iterations done, RCX/RSI/RDI say so, RIP stays; the restart finishes. */
TEST(fault_in_iteration)
{
	struct insn_cpu c;

	for (int df = 0; df < 2; df++) {
		int64_t dir = df ? -4 : 4;
		uint64_t src = df ? MEM + 0x1c : MEM, dst = df ? MEM + 0x11c : MEM + 0x100;

		reset(&c, M64);
		for (int i = 0; i < 0x20; i++)
			mem[i] = (uint8_t)(i + 1);
		c.rflags |= df ? INSN_RFLAGS_DF : 0;
		c.gpr[INSN_REG_RSI] = src;
		c.gpr[INSN_REG_RDI] = dst;
		c.gpr[INSN_REG_RCX] = 8;
		fm.fault_lo = src + 3 * dir;                     /* the source of iteration 3 */
		fm.fault_hi = fm.fault_lo + 4;
		CHECK_EQ(run(&c, "f3 a5"), -EFAULT);
		CHECK_EQ(c.gpr[INSN_REG_RCX], 5);
		CHECK_EQ(c.gpr[INSN_REG_RSI], src + 3 * dir);
		CHECK_EQ(c.gpr[INSN_REG_RDI], dst + 3 * dir);
		CHECK_EQ(c.rip, 0x1000);
		CHECK(fm.writes == 3);
		for (int k = 0; k < 3; k++)
			CHECK_EQ(rd(dst + k * dir, 4), rd(src + k * dir, 4));
		CHECK_EQ(rd(dst + 3 * dir, 4), 0);
		fm.fault_lo = fm.fault_hi = 0;                   /* the guest's #PF handler fixed it */
		CHECK(run(&c, "f3 a5") == 0 && c.gpr[INSN_REG_RCX] == 0 && c.rip == 0x1002);
		for (int k = 0; k < 8; k++)
			CHECK_EQ(rd(dst + k * dir, 4), rd(src + k * dir, 4));
	}
	/* the write of iteration 2 faults: STOS */
	reset(&c, M64);
	c.gpr[INSN_REG_RDI] = MEM;
	c.gpr[INSN_REG_RCX] = 5;
	c.gpr[INSN_REG_RAX] = 0x77;
	fm.fault_lo = MEM + 2;
	fm.fault_hi = MEM + 3;
	CHECK_EQ(run(&c, "f3 aa"), -EFAULT);
	CHECK(c.gpr[INSN_REG_RCX] == 3 && c.gpr[INSN_REG_RDI] == MEM + 2 && c.rip == 0x1000);
	CHECK(rd(MEM, 4) == 0x7777);
	/* the write of MOVS faults after its read: that iteration leaves nothing */
	reset(&c, M64);
	c.gpr[INSN_REG_RSI] = MEM + 0x100;
	c.gpr[INSN_REG_RDI] = MEM;
	c.gpr[INSN_REG_RCX] = 2;
	fm.fault_lo = MEM;
	fm.fault_hi = MEM + 1;
	CHECK_EQ(run(&c, "f3 a4"), -EFAULT);
	CHECK(c.gpr[INSN_REG_RCX] == 2 && c.gpr[INSN_REG_RSI] == MEM + 0x100 && c.gpr[INSN_REG_RDI] == MEM);
	CHECK(fm.reads == 1 && fm.writes == 0 && c.rip == 0x1000);
}

/* A long REP stops after INSN_REP_MAX iterations with RIP on the instruction: the guest re-executes it. */
TEST(rep_budget)
{
	struct insn_cpu c;

	reset(&c, M64);
	c.gpr[INSN_REG_RDI] = MEM;
	c.gpr[INSN_REG_RCX] = INSN_REP_MAX + 5;
	c.gpr[INSN_REG_RAX] = 1;
	CHECK(run(&c, "f3 aa") == 0);
	CHECK(c.gpr[INSN_REG_RCX] == 5 && c.rip == 0x1000 && c.gpr[INSN_REG_RDI] == MEM + INSN_REP_MAX);
	CHECK(run(&c, "f3 aa") == 0);
	CHECK(c.gpr[INSN_REG_RCX] == 0 && c.rip == 0x1002 && c.gpr[INSN_REG_RDI] == MEM + INSN_REP_MAX + 5);
	CHECK(mem[INSN_REP_MAX + 4] == 1 && mem[INSN_REP_MAX + 5] == 0);
}
