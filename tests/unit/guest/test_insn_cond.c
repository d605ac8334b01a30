/* tests/unit/guest/test_insn_cond.c - insn_cond against the SDM's condition table and against
 * C comparisons after CMP; CMOVcc and SETcc through insn_emulate. */
#define FIXTURE_MEM_SIZE 0x1000
#include "tests/unit/guest/insn_fixture.h"

#define CF INSN_RFLAGS_CF
#define PF INSN_RFLAGS_PF
#define ZF INSN_RFLAGS_ZF
#define SF INSN_RFLAGS_SF
#define OF INSN_RFLAGS_OF

/* SDM Vol. 1, Table B-1: the flag tests of the 16 conditions; the N forms are the negations. */
static const struct {
	const char *name;
	uint64_t rflags;
	bool holds;
} sdm_table[] = {
	{ "o", OF, true }, { "o", SF | ZF | CF | PF, false },
	{ "b", CF, true }, { "b", ZF | OF | SF | PF, false },
	{ "e", ZF, true }, { "e", CF | OF | SF | PF, false },
	{ "be", CF, true }, { "be", ZF, true }, { "be", CF | ZF, true }, { "be", OF | SF | PF, false },
	{ "s", SF, true }, { "s", CF | ZF | OF | PF, false },
	{ "p", PF, true }, { "p", CF | ZF | OF | SF, false },
	{ "l", SF, true }, { "l", OF, true }, { "l", SF | OF, false }, { "l", CF | ZF | PF, false },
	{ "le", ZF, true }, { "le", SF, true }, { "le", OF, true }, { "le", SF | OF, false },
	{ "le", SF | OF | ZF, true }, { "le", CF | PF, false },
};

static const char *const cc_names[16] = {
	"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g",
};

TEST(cond_table)
{
	for (size_t i = 0; i < ARRAY_SIZE(sdm_table); i++) {
		unsigned int cc = 0;

		while (strcmp(cc_names[cc], sdm_table[i].name))
			cc++;
		for (unsigned int neg = 0; neg < 2; neg++) {
			bool want = sdm_table[i].holds != neg;
			uint64_t fl = 2 | sdm_table[i].rflags | INSN_RFLAGS_DF | INSN_RFLAGS_AF;

			if (insn_cond(cc | neg, fl) != want) {
				printf("  %s%s with rflags 0x%llx: expected %d\n", neg ? "n" : "", sdm_table[i].name,
				       (unsigned long long)fl, want);
				check_cur_failed = 1;
			}
		}
	}
	/* bits above 3:0 of the opcode do not count */
	CHECK(insn_cond(0x44, ZF) && !insn_cond(0x95, ZF));
}

/* After CMP a, b each condition means what the SDM's mnemonic says about a and b. */
TEST(cond_after_cmp)
{
	static const uint64_t vals[] = {
		0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
		0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL, 0x1234, 0xfffffffffffffffeULL,
	};
	static const unsigned int sizes[] = { 1, 2, 4, 8 };

	for (size_t si = 0; si < ARRAY_SIZE(sizes); si++) {
		unsigned int size = sizes[si], sh = 64 - 8 * size;
		uint64_t m = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;

		for (size_t i = 0; i < ARRAY_SIZE(vals); i++) {
			for (size_t k = 0; k < ARRAY_SIZE(vals); k++) {
				uint64_t a = vals[i] & m, b = vals[k] & m, fl = 2, d = (a - b) & m;
				int64_t sa = (int64_t)(a << sh) >> sh, sb = (int64_t)(b << sh) >> sh;
				/* signed overflow: the operands' signs differ and the result's is b's */
				bool ovf = ((sa < 0) != (sb < 0)) && (((int64_t)(d << sh) < 0) == (sb < 0));
				bool want[16];

				insn_alu(INSN_CMP, size, a, b, &fl);
				want[0] = ovf;
				want[2] = a < b;
				want[4] = a == b;
				want[6] = a <= b;
				want[8] = (int64_t)(d << sh) < 0;
				want[10] = !(__builtin_popcountll(d & 0xff) & 1);
				want[12] = sa < sb;
				want[14] = sa <= sb;
				for (unsigned int cc = 0; cc < 16; cc += 2) {
					want[cc + 1] = !want[cc];
					if (insn_cond(cc, fl) != want[cc] || insn_cond(cc + 1, fl) != want[cc + 1]) {
						printf("  size %u cmp 0x%llx, 0x%llx: %s wrong\n", size,
						       (unsigned long long)a, (unsigned long long)b, cc_names[cc]);
						check_cur_failed = 1;
					}
				}
			}
		}
	}
}

/* SETcc for all 16 conditions and flag patterns: one byte written, 1 or 0; memory not read. */
TEST(setcc)
{
	static const uint64_t pats[] = { 0, CF, ZF, SF, OF, PF, SF | OF, CF | ZF, ZF | SF, 0x8d5 };
	struct insn_cpu c;
	char hex[32];

	for (unsigned int cc = 0; cc < 16; cc++) {
		for (size_t p = 0; p < ARRAY_SIZE(pats); p++) {
			reset(&c, M64);
			memset(mem, 0xee, 0x20);
			c.gpr[INSN_REG_RBX] = MEM + 0x10;
			c.rflags = 2 | pats[p];
			snprintf(hex, sizeof(hex), "0f %02x %02x", 0x90 + cc, 0x03 | (cc & 7) << 3);  /* any reg */
			CHECK(run(&c, hex) == 0);
			CHECK_EQ(mem[0x10], insn_cond(cc, pats[p]));
			CHECK(mem[0xf] == 0xee && mem[0x11] == 0xee && fm.reads == 0 && fm.writes == 1);
			CHECK(c.rflags == (2 | pats[p]) && c.rip == 0x1003);
		}
	}
	/* register forms: AH without REX, SPL with it; the other bits kept */
	reset(&c, M64);
	c.gpr[INSN_REG_RSP] = 0x1111111111111111ULL;
	c.rflags = 2 | ZF;
	CHECK(run(&c, "0f 94 c4") == 0 && c.gpr[INSN_REG_RSP] == 0x1111111111111111ULL);
	CHECK_EQ(c.gpr[INSN_REG_RAX], 0x100);
	CHECK(run(&c, "40 0f 95 c4") == 0 && c.gpr[INSN_REG_RSP] == 0x1111111111111100ULL);
	CHECK(run(&c, "41 0f 94 c0") == 0 && c.gpr[INSN_REG_R8] == 1);
	/* 16-bit code with an override; a fault writes nothing */
	reset(&c, M16);
	c.seg_base[INSN_SEG_FS] = MEM;
	c.rflags = 2 | CF;
	CHECK(run(&c, "64 0f 92 06 34 02") == 0 && mem[0x234] == 1 && c.rip == 0x1006);
	fm.fault_lo = MEM;
	fm.fault_hi = MEM + 0x1000;
	CHECK_EQ(run(&c, "64 0f 92 06 34 02"), -EFAULT);
	CHECK(c.rip == 0x1006);
}

/* CMOVcc: the source is read whatever the condition; a false 32-bit one still clears bits 63:32. */
TEST(cmov)
{
	struct insn_cpu c;

	reset(&c, M64);
	memcpy(mem + 0x10, "\x88\x77\x66\x55\x44\x33\x22\x11", 8);
	c.gpr[INSN_REG_RBX] = MEM + 0x10;
	for (int zf = 0; zf < 2; zf++) {
		c.rflags = 2 | (zf ? ZF : 0);
		c.gpr[INSN_REG_RAX] = 0xaaaaaaaabbbbbbbbULL;
		fm.reads = 0;
		CHECK(run(&c, "0f 44 03") == 0 && fm.reads == 1);        /* cmove eax,[rbx] */
		CHECK_EQ(c.gpr[INSN_REG_RAX], zf ? 0x55667788ULL : 0xbbbbbbbbULL);
		c.gpr[INSN_REG_RAX] = 0xaaaaaaaabbbbbbbbULL;
		CHECK(run(&c, "48 0f 44 03") == 0 && fm.reads == 2);
		CHECK_EQ(c.gpr[INSN_REG_RAX], zf ? 0x1122334455667788ULL : 0xaaaaaaaabbbbbbbbULL);
		c.gpr[INSN_REG_RAX] = 0xaaaaaaaabbbbbbbbULL;
		CHECK(run(&c, "66 0f 44 03") == 0 && fm.reads == 3);    /* 16 bits: the rest kept */
		CHECK_EQ(c.gpr[INSN_REG_RAX], zf ? 0xaaaaaaaabbbb7788ULL : 0xaaaaaaaabbbbbbbbULL);
		/* register source: the same rule */
		c.gpr[INSN_REG_RCX] = 0xffffffff00000005ULL;
		c.gpr[INSN_REG_RAX] = 0xaaaaaaaabbbbbbbbULL;
		CHECK(run(&c, "0f 45 c1") == 0);                         /* cmovne eax,ecx */
		CHECK_EQ(c.gpr[INSN_REG_RAX], zf ? 0xbbbbbbbbULL : 5);
		CHECK(c.rflags == (2 | (zf ? ZF : 0)));
	}
	/* every condition: taken exactly when insn_cond says so */
	for (unsigned int cc = 0; cc < 16; cc++) {
		char hex[16];

		snprintf(hex, sizeof(hex), "4c 0f %02x 0b", 0x40 + cc);  /* cmovcc r9,[rbx] */
		c.rflags = 2 | CF | SF;
		c.gpr[INSN_REG_R9] = 7;
		CHECK(run(&c, hex) == 0);
		CHECK_EQ(c.gpr[INSN_REG_R9], insn_cond(cc, CF | SF) ? 0x1122334455667788ULL : 7);
	}
	/* a fault on the source is raised even when the condition is false: nothing changes */
	c.rflags = 2;
	c.gpr[INSN_REG_RAX] = 0xaaaaaaaabbbbbbbbULL;
	c.rip = 0x1000;
	fm.fault_lo = MEM + 0x10;
	fm.fault_hi = MEM + 0x11;
	CHECK_EQ(run(&c, "0f 44 03"), -EFAULT);
	CHECK(c.gpr[INSN_REG_RAX] == 0xaaaaaaaabbbbbbbbULL && c.rip == 0x1000);
	/* 32-bit code, segment limit checked on the source whatever the condition */
	reset(&c, M32);
	c.seg_limits = true;
	c.seg_limit[INSN_SEG_DS] = 0xfff;
	c.seg_base[INSN_SEG_DS] = MEM;
	c.gpr[INSN_REG_RBX] = 0xffe;
	CHECK_EQ(run(&c, "0f 40 03"), INSN_FAULT_GP);
	c.gpr[INSN_REG_RBX] = 0xffc;
	mem[0xffc] = 0x42;
	c.rflags = 2 | OF;
	CHECK(run(&c, "0f 40 03") == 0 && c.gpr[INSN_REG_RAX] == 0x42 && c.rip == 0x1003);
}
