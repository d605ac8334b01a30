/* tests/unit/guest/test_insn_reject.c - insn_decode's fields in detail, and what it refuses:
 * undefined and unsupported opcodes and LOCK where not allowed (#UD), over 15 bytes (#GP). */
#include "tests/unit/check.h"
#include "guest/emul/insn_decode.h"

#define M16 CPU_MODE_16
#define M32 CPU_MODE_32
#define M64 CPU_MODE_64

static const struct { enum cpu_mode mode; const char *hex; } invalid[] = {
	/* undefined or unsupported: #UD */
	{ M64, "82 00 01" },           /* invalid in 64-bit mode */
	{ M32, "63 00" },              /* ARPL */
	{ M16, "63 00" },
	{ M32, "48" },                 /* DEC eAX outside 64-bit mode: not a memory form */
	{ M64, "0f 0b" },              /* UD2 */
	{ M64, "ff 10" },              /* CALL */
	{ M64, "ff 30" },              /* PUSH */
	{ M64, "fe 10" },              /* fe /2 */
	{ M64, "f6 20" },              /* MUL */
	{ M64, "f7 38" },              /* IDIV */
	{ M64, "c6 08 00" },           /* c6 /1 */
	{ M64, "c6 f8 00" },           /* XABORT */
	{ M64, "c7 f8 00 00 00 00" },  /* XBEGIN */
	{ M64, "0f ba 00 01" },        /* 0f ba /0 */
	{ M64, "8d 00" },              /* LEA */
	{ M64, "90" },
	{ M64, "0f 0f 00 00" },        /* 3DNow! */
	{ M64, "0f 38 00 00" },
	{ M64, "c4 e1 79 6e 00" },     /* VEX */
	{ M64, "0f b1 00" },           /* CMPXCHG */
	{ M64, "0f c1 00" },           /* XADD */
	{ M64, "d1 20" },              /* SHL */
	{ M64, "0f bc 00" },           /* BSF */
	{ M64, "8f 00" },              /* POP m */
	{ M64, "0f 38 f0 00" },        /* MOVBE */
	/* LOCK only on read-modify-write forms with a memory destination */
	{ M64, "f0 89 18" },           /* MOV */
	{ M64, "f0 8b 18" },
	{ M64, "f0 39 18" },           /* CMP */
	{ M64, "f0 85 18" },           /* TEST */
	{ M64, "f0 0f a3 18" },        /* BT */
	{ M64, "f0 0f ba 20 01" },
	{ M64, "f0 01 c3" },           /* register destination */
	{ M64, "f0 03 18" },           /* ADD r, m: destination is the register */
	{ M64, "f0 87 c3" },
	{ M64, "f0 a4" },              /* MOVS */
	{ M64, "f0 aa" },
	{ M64, "f0 ac" },              /* LODS, SCAS, CMPS, CMOVcc, SETcc */
	{ M64, "f0 f3 ae" },
	{ M64, "f0 a7" },
	{ M64, "f0 0f 44 00" },
	{ M64, "f0 0f 94 00" },
	{ M64, "f0 0f b6 00" },
	{ M64, "f0 c6 00 01" },
	{ M32, "f0 82 38 01" },
};

TEST(invalid_forms)
{
	for (size_t i = 0; i < ARRAY_SIZE(invalid); i++) {
		uint8_t b[16] = { 0 };
		unsigned int v, n = 0;
		int used;
		const char *h = invalid[i].hex;
		struct insn in;
		int ret;

		while (n < sizeof(b) && sscanf(h, " %2x%n", &v, &used) == 1) {
			b[n++] = (uint8_t)v;
			h += used;
		}
		ret = insn_decode(b, sizeof(b), invalid[i].mode, &in);    /* zero bytes follow */
		if (ret != -EINVAL) {
			printf("  %s (mode %d): returned %d (len %u), expected -EINVAL\n",
			       invalid[i].hex, invalid[i].mode, ret, in.len);
			check_cur_failed = 1;
		}
	}
}

TEST(style_example)
{
	static const uint8_t b[] = { 0x48, 0x89, 0x18 };    /* mov %rbx,(%rax) */
	struct insn in;

	CHECK(insn_decode(b, sizeof(b), CPU_MODE_64, &in) == 0);
	CHECK(in.len == 3 && in.size == 8 && in.is_write && !in.is_read && in.reg == INSN_REG_RBX);
	CHECK(in.kind == INSN_MOV && in.has_mem && in.mem.base == INSN_REG_RAX);
	CHECK(in.mem.index == INSN_REG_NONE && in.mem.disp == 0 && in.mem.seg == INSN_SEG_DS);
	CHECK(in.rex == 0x48 && in.opcode == 0x89 && !in.two_byte && in.modrm == 0x18);
}

TEST(fields)
{
	static const uint8_t lock_rex[] = { 0xf0, 0x4c, 0x0f, 0xab, 0x54, 0x8e, 0xf8 };  /* lock bts %r10,-8(%rsi,%rcx,4) */
	static const uint8_t imm[] = { 0x48, 0xc7, 0x40, 0x08, 0xfe, 0xff, 0xff, 0xff };
	struct insn in;

	CHECK(insn_decode(lock_rex, sizeof(lock_rex), M64, &in) == 0);
	CHECK(in.len == 7 && in.kind == INSN_BTS && in.two_byte && in.opcode == 0xab);
	CHECK(in.prefixes == INSN_PFX_LOCK && in.rex == 0x4c && in.reg == INSN_REG_R10);
	CHECK(in.mem.base == INSN_REG_RSI && in.mem.index == INSN_REG_RCX && in.mem.scale == 4);
	CHECK(in.mem.disp == -8 && in.dst.type == INSN_OPND_MEM && in.src.type == INSN_OPND_REG);
	CHECK(insn_decode(imm, sizeof(imm), M64, &in) == 0);
	CHECK(in.imm == (uint64_t)-2 && in.src.type == INSN_OPND_IMM && in.reg == INSN_REG_NONE);
	CHECK(in.mem.disp == 8 && in.is_write && !in.is_read && in.size == 8);
	CHECK(strcmp(insn_kind_name(INSN_MOVZX), "movzx") == 0 && strcmp(insn_kind_name(999), "bad") == 0);
}

TEST(length_limit)
{
	uint8_t b[32];
	struct insn in;

	/* 13 prefixes + 2 = 15 bytes decodes; one more prefix is 16: #GP */
	memset(b, 0x66, sizeof(b));
	b[13] = 0x89, b[14] = 0x18;
	CHECK(insn_decode(b, 15, M64, &in) == 0 && in.len == 15);
	memset(b, 0x66, sizeof(b));
	b[14] = 0x89, b[15] = 0x18;
	CHECK_EQ(insn_decode(b, 16, M64, &in), -E2BIG);
	CHECK_EQ(insn_decode(b, sizeof(b), M64, &in), -E2BIG);
	/* 16 bytes by displacement and immediate; the same without one prefix is 15 */
	static const uint8_t longest[] = { 0x2e, 0x2e, 0x2e, 0x66, 0x48, 0xc7, 0x84, 0x88,
					   0, 1, 0, 0, 0x78, 0x56, 0x34, 0x12 };
	CHECK_EQ(insn_decode(longest, sizeof(longest), M64, &in), -E2BIG);
	CHECK(insn_decode(longest + 1, sizeof(longest) - 1, M64, &in) == 0 && in.len == 15);
	/* nothing but prefixes */
	memset(b, 0xf3, sizeof(b));
	CHECK_EQ(insn_decode(b, sizeof(b), M32, &in), -E2BIG);
	CHECK_EQ(insn_decode(b, 10, M32, &in), -ERANGE);
}

