/* tests/unit/guest/test_insn_emulate.c - insn_emulate: addresses, register writes, MOV forms,
 * XCHG, BT*, STOS/MOVS with REP and DF, faults that leave no trace, RIP. */
#include "tests/unit/check.h"
#include "guest/emul/insn_decode.h"
#include "guest/emul/insn_emulate.h"

#define M16 CPU_MODE_16
#define M32 CPU_MODE_32
#define M64 CPU_MODE_64

/* Fake memory: [MEM, MEM + sizeof(mem)); accesses touching [fault_lo, fault_hi) fail. */
#define MEM 0x100000ULL
static uint8_t mem[0x20000];
static struct {
	uint64_t fault_lo, fault_hi;
	bool fault_writes_only;
	unsigned int reads, writes;
	uint64_t last_la;
} fm;

static bool faults(uint64_t la, unsigned int size, bool write)
{
	if (la < MEM || la + size > MEM + sizeof(mem) || la + size < la)
		return true;
	if (fm.fault_writes_only && !write)
		return false;
	return la < fm.fault_hi && la + size > fm.fault_lo;
}

static int fake_read(void *ctx, uint64_t la, void *buf, unsigned int size)
{
	fm.last_la = la;
	if (faults(la, size, false))
		return -EFAULT;
	memcpy(buf, mem + (la - MEM), size);
	fm.reads++;
	return 0;
}

static int fake_write(void *ctx, uint64_t la, const void *buf, unsigned int size)
{
	fm.last_la = la;
	if (faults(la, size, true))
		return -EFAULT;
	memcpy(mem + (la - MEM), buf, size);
	fm.writes++;
	return 0;
}

static const struct insn_ops ops = { fake_read, fake_write, NULL };

static void reset(struct insn_cpu *cpu, enum cpu_mode mode)
{
	memset(mem, 0, sizeof(mem));
	memset(&fm, 0, sizeof(fm));
	memset(cpu, 0, sizeof(*cpu));
	cpu->mode = mode;
	cpu->rip = 0x1000;
	cpu->rflags = 2;
}

/* Decodes hex for cpu's mode and emulates it; returns insn_emulate's result (-1000 if it does not decode). */
static int run(struct insn_cpu *cpu, const char *hex)
{
	uint8_t b[16];
	unsigned int v, n = 0;
	int used;
	struct insn in;

	while (n < sizeof(b) && sscanf(hex, " %2x%n", &v, &used) == 1) {
		b[n++] = (uint8_t)v;
		hex += used;
	}
	if (insn_decode(b, n, cpu->mode, &in) || in.len != n) {
		printf("  %s: does not decode to %u bytes\n", hex, n);
		return -1000;
	}
	return insn_emulate(&in, cpu, &ops);
}

static uint64_t rd(uint64_t la, unsigned int size)
{
	uint64_t v = 0;

	memcpy(&v, mem + (la - MEM), size);
	return v;
}

static void wr(uint64_t la, uint64_t v, unsigned int size)
{
	memcpy(mem + (la - MEM), &v, size);
}

TEST(mov_store_load)
{
	struct insn_cpu c;

	reset(&c, M64);
	c.gpr[INSN_REG_RAX] = MEM + 0x10;
	c.gpr[INSN_REG_RBX] = 0x1122334455667788ULL;
	CHECK(run(&c, "48 89 18") == 0);                    /* mov %rbx,(%rax) */
	CHECK_EQ(rd(MEM + 0x10, 8), 0x1122334455667788ULL);
	CHECK_EQ(c.rip, 0x1003);
	CHECK(run(&c, "88 78 20") == 0);                    /* mov %bh,0x20(%rax) */
	CHECK_EQ(rd(MEM + 0x30, 1), 0x77);
	c.gpr[INSN_REG_RCX] = ~0ULL;
	CHECK(run(&c, "8b 08") == 0);                       /* 32-bit load zero-extends */
	CHECK_EQ(c.gpr[INSN_REG_RCX], 0x55667788);
	c.gpr[INSN_REG_RCX] = ~0ULL;
	CHECK(run(&c, "66 8b 08") == 0);                    /* 16-bit load keeps bits 63:16 */
	CHECK_EQ(c.gpr[INSN_REG_RCX], 0xffffffffffff7788ULL);
	CHECK(run(&c, "8a 08") == 0);                       /* 8-bit: bits 63:8 kept */
	CHECK_EQ(c.gpr[INSN_REG_RCX], 0xffffffffffff7788ULL);
	c.gpr[INSN_REG_RDX] = 0;
	CHECK(run(&c, "8a 70 01") == 0);                    /* mov 1(%rax),%dh: bits 15:8 */
	CHECK_EQ(c.gpr[INSN_REG_RDX], 0x7700);
	CHECK(run(&c, "40 8a 70 02") == 0);                 /* with REX: %sil */
	CHECK_EQ(c.gpr[INSN_REG_RSI], 0x66);
	CHECK(run(&c, "44 8a 40 07") == 0);                 /* %r8b */
	CHECK_EQ(c.gpr[INSN_REG_R8], 0x11);
	CHECK_EQ(c.rip, 0x1003 + 3 + 2 + 3 + 2 + 3 + 4 + 4);
}

TEST(mov_immediates_and_moffs)
{
	struct insn_cpu c;

	reset(&c, M64);
	c.gpr[INSN_REG_RAX] = MEM;
	CHECK(run(&c, "48 c7 00 fe ff ff ff") == 0);        /* imm32 sign-extended to 64 */
	CHECK_EQ(rd(MEM, 8), 0xfffffffffffffffeULL);
	CHECK(run(&c, "c7 40 08 78 56 34 12") == 0);
	CHECK_EQ(rd(MEM + 8, 8), 0x12345678);
	CHECK(run(&c, "66 c7 40 0c cd ab") == 0);
	CHECK_EQ(rd(MEM + 12, 4), 0xabcd);
	CHECK(run(&c, "c6 40 0f 5a") == 0);
	CHECK_EQ(rd(MEM + 15, 1), 0x5a);
	c.gpr[INSN_REG_RAX] = 0;
	CHECK(run(&c, "48 a1 08 00 10 00 00 00 00 00") == 0);   /* mov 0x100008,%rax */
	CHECK_EQ(c.gpr[INSN_REG_RAX], 0x5a00abcd12345678ULL);
	CHECK(run(&c, "a1 08 00 10 00 00 00 00 00") == 0);      /* mov 0x100008,%eax */
	CHECK_EQ(c.gpr[INSN_REG_RAX], 0x12345678);
	CHECK(run(&c, "a2 20 00 10 00 00 00 00 00") == 0);      /* mov %al,0x100020 */
	CHECK_EQ(rd(MEM + 0x20, 1), 0x78);
	/* 32-bit code: DS base applies, offsets are 32 bits, or 16 with 67 */
	reset(&c, M32);
	c.seg_base[INSN_SEG_DS] = MEM - 0x1000;
	wr(MEM + 0x10, 0xcafef00d, 4);
	CHECK(run(&c, "a1 10 10 00 00") == 0);
	CHECK_EQ(c.gpr[INSN_REG_RAX], 0xcafef00d);
	CHECK(run(&c, "67 a1 10 10") == 0);
	CHECK_EQ(c.gpr[INSN_REG_RAX], 0xcafef00d);
	c.seg_base[INSN_SEG_FS] = MEM;
	CHECK(run(&c, "64 a3 40 00 00 00") == 0);
	CHECK_EQ(rd(MEM + 0x40, 4), 0xcafef00d);
}

TEST(addresses)
{
	struct insn_cpu c;

	/* base + index * scale + disp */
	reset(&c, M64);
	c.gpr[INSN_REG_R13] = MEM + 0x100;
	c.gpr[INSN_REG_R12] = 0x10;
	wr(MEM + 0x100 + 0x80 - 0x80, 0x1234, 8);
	wr(MEM + 0x100 + 0x10 * 8 - 0x80, 0xabcd, 8);
	CHECK(run(&c, "4b 8b 44 e5 80") == 0);              /* mov -0x80(%r13,%r12,8),%rax */
	CHECK_EQ(c.gpr[INSN_REG_RAX], 0xabcd);
	CHECK_EQ(fm.last_la, MEM + 0x100);
	/* RIP-relative: from the next instruction */
	c.rip = MEM + 0x200;
	wr(MEM + 0x200 + 6 + 0x10, 0x77, 4);
	CHECK(run(&c, "8b 05 10 00 00 00") == 0);
	CHECK_EQ(c.gpr[INSN_REG_RAX], 0x77);
	CHECK_EQ(c.rip, MEM + 0x206);
	/* 67 in 64-bit mode: EIP-relative, the sum truncated to 32 bits */
	c.rip = 0x500000000ULL + MEM - 0x20;
	wr(MEM, 0x99, 4);
	CHECK(run(&c, "67 8b 05 19 00 00 00") == 0);
	CHECK_EQ(c.gpr[INSN_REG_RAX], 0x99);
	CHECK_EQ(fm.last_la, MEM);
	c.gpr[INSN_REG_RBX] = 0xffffffff00000000ULL | MEM;      /* (%ebx): upper bits ignored */
	CHECK(run(&c, "67 8b 03") == 0 && fm.last_la == MEM);
	/* 64-bit mode: only FS and GS bases count */
	c.seg_base[INSN_SEG_ES] = c.seg_base[INSN_SEG_DS] = c.seg_base[INSN_SEG_SS] = 0x1000;
	c.seg_base[INSN_SEG_GS] = 0x8;
	c.gpr[INSN_REG_RBX] = MEM;
	CHECK(run(&c, "26 8b 03") == 0 && fm.last_la == MEM);
	CHECK(run(&c, "8b 04 1c") == 0 && fm.last_la == MEM);   /* (%rsp,%rbx): SS, no base either */
	CHECK(run(&c, "65 8b 03") == 0 && fm.last_la == MEM + 8);
	/* 16-bit: [bx+si] wraps at 64 KiB before the segment base is added */
	reset(&c, M16);
	c.seg_base[INSN_SEG_DS] = MEM - 1;
	c.gpr[INSN_REG_RBX] = 0x12340000ffffULL;
	c.gpr[INSN_REG_RSI] = 2;
	wr(MEM, 0xbeef, 2);
	CHECK(run(&c, "8b 00") == 0);
	CHECK_EQ(fm.last_la, MEM);
	CHECK_EQ(c.gpr[INSN_REG_RAX], 0xbeef);
	/* [bp+disp] uses SS; an override wins */
	c.seg_base[INSN_SEG_SS] = MEM;
	c.gpr[INSN_REG_RBP] = 0x10;
	CHECK(run(&c, "8b 46 fe") == 0 && fm.last_la == MEM + 0xe);
	c.seg_base[INSN_SEG_ES] = MEM + 0x100;
	CHECK(run(&c, "26 8b 46 fe") == 0 && fm.last_la == MEM + 0x10e);
	/* 32-bit: the linear address wraps at 4 GiB */
	reset(&c, M32);
	c.seg_base[INSN_SEG_DS] = 0xfffff000;
	c.gpr[INSN_REG_RAX] = MEM + 0x1000;
	CHECK(run(&c, "8b 00") == 0 && fm.last_la == MEM);
	struct insn in;
	static const uint8_t b[] = { 0x8b, 0x00 };
	c.gpr[INSN_REG_RAX] = MEM + 0x1000;                 /* the load replaced it */
	CHECK(insn_decode(b, 2, M32, &in) == 0 && insn_mem_linear(&in, &c) == MEM);
}

TEST(movzx_movsx)
{
	struct insn_cpu c;

	reset(&c, M64);
	c.gpr[INSN_REG_RAX] = MEM;
	wr(MEM, 0x80, 1);
	wr(MEM + 2, 0x8001, 2);
	wr(MEM + 4, 0x80000000, 4);
	c.gpr[INSN_REG_RCX] = ~0ULL;
	CHECK(run(&c, "0f b6 08") == 0 && c.gpr[INSN_REG_RCX] == 0x80);
	CHECK(run(&c, "0f be 08") == 0 && c.gpr[INSN_REG_RCX] == 0xffffff80);
	CHECK(run(&c, "48 0f be 08") == 0 && c.gpr[INSN_REG_RCX] == 0xffffffffffffff80ULL);
	c.gpr[INSN_REG_RCX] = 0x1111111111111111ULL;
	CHECK(run(&c, "66 0f be 08") == 0 && c.gpr[INSN_REG_RCX] == 0x111111111111ff80ULL);
	CHECK(run(&c, "0f b7 48 02") == 0 && c.gpr[INSN_REG_RCX] == 0x8001);
	CHECK(run(&c, "48 0f bf 48 02") == 0 && c.gpr[INSN_REG_RCX] == 0xffffffffffff8001ULL);
	CHECK(run(&c, "48 63 48 04") == 0 && c.gpr[INSN_REG_RCX] == 0xffffffff80000000ULL);
	CHECK(run(&c, "63 48 04") == 0 && c.gpr[INSN_REG_RCX] == 0x80000000);   /* no REX.W: a move */
	c.gpr[INSN_REG_RBX] = 0x1234;
	CHECK(run(&c, "0f b6 cf") == 0 && c.gpr[INSN_REG_RCX] == 0x12);         /* movzx %bh,%ecx */
	reset(&c, M16);
	c.gpr[INSN_REG_RBX] = 0;
	c.seg_base[INSN_SEG_DS] = MEM;
	wr(MEM, 0xfe, 1);
	c.gpr[INSN_REG_RAX] = 0xaaaa0000;
	CHECK(run(&c, "0f be 07") == 0 && c.gpr[INSN_REG_RAX] == 0xaaaafffe);   /* movsx (%bx),%ax */
	CHECK(run(&c, "66 0f b6 07") == 0 && c.gpr[INSN_REG_RAX] == 0xfe);
}

TEST(register_writes)
{
	struct insn_cpu c;

	reset(&c, M64);
	c.gpr[INSN_REG_RAX] = MEM;
	wr(MEM, 0x01, 8);
	c.gpr[INSN_REG_RBX] = 0xffffffff00000001ULL;
	CHECK(run(&c, "03 18") == 0 && c.gpr[INSN_REG_RBX] == 2);               /* add: zero-extends */
	c.gpr[INSN_REG_RBX] = 0xffffffff00000001ULL;
	CHECK(run(&c, "3b 18") == 0 && c.gpr[INSN_REG_RBX] == 0xffffffff00000001ULL);  /* cmp: no write */
	CHECK(run(&c, "85 18") == 0 && c.gpr[INSN_REG_RBX] == 0xffffffff00000001ULL);
	c.gpr[INSN_REG_RBX] = 0xffffffffffffffffULL;
	CHECK(run(&c, "02 38") == 0 && c.gpr[INSN_REG_RBX] == 0xffffffffffff00ffULL);  /* add (%rax),%bh */
	CHECK(run(&c, "66 03 18") == 0 && c.gpr[INSN_REG_RBX] == 0xffffffffffff0100ULL);
	/* 32-bit code: a 32-bit write clears bits 63:32 as well */
	reset(&c, M32);
	c.gpr[INSN_REG_RAX] = MEM;
	c.gpr[INSN_REG_RCX] = 0xdead000000000000ULL;
	CHECK(run(&c, "8b 08") == 0 && c.gpr[INSN_REG_RCX] == 0);
}

TEST(alu_memory_destination)
{
	struct insn_cpu c;

	reset(&c, M64);
	c.gpr[INSN_REG_RAX] = MEM;
	wr(MEM, 0xffffffff, 4);
	c.gpr[INSN_REG_RBX] = 1;
	CHECK(run(&c, "01 18") == 0);                        /* add %ebx,(%rax) */
	CHECK_EQ(rd(MEM, 8), 0);
	CHECK_EQ(c.rflags & INSN_RFLAGS_ARITH, INSN_RFLAGS_CF | INSN_RFLAGS_ZF | INSN_RFLAGS_AF | INSN_RFLAGS_PF);
	CHECK(run(&c, "83 10 05") == 0);                     /* adc $5,(%rax): 0 + 5 + CF */
	CHECK_EQ(rd(MEM, 4), 6);
	CHECK(run(&c, "f0 83 28 07") == 0);                  /* lock sub $7 */
	CHECK_EQ(rd(MEM, 4), 0xffffffff);
	CHECK(c.rflags & INSN_RFLAGS_CF);
	CHECK(run(&c, "80 38 ff") == 0);                     /* cmpb $0xff: equal */
	CHECK(c.rflags & INSN_RFLAGS_ZF);
	CHECK_EQ(rd(MEM, 4), 0xffffffff);
	CHECK(run(&c, "f7 00 00 00 00 80") == 0);            /* test */
	CHECK((c.rflags & (INSN_RFLAGS_SF | INSN_RFLAGS_ZF)) == INSN_RFLAGS_SF);
	c.rflags |= INSN_RFLAGS_CF;
	CHECK(run(&c, "ff 00") == 0);                        /* inc: CF kept */
	CHECK(rd(MEM, 4) == 0 && (c.rflags & INSN_RFLAGS_CF) && (c.rflags & INSN_RFLAGS_ZF));
	CHECK(run(&c, "fe 08") == 0 && rd(MEM, 4) == 0xff);  /* decb */
	uint64_t fl = c.rflags;
	CHECK(run(&c, "f7 10") == 0 && rd(MEM, 4) == 0xffffff00 && c.rflags == fl);   /* not */
	CHECK(run(&c, "f7 18") == 0 && rd(MEM, 4) == 0x100 && (c.rflags & INSN_RFLAGS_CF));  /* neg */
	CHECK(run(&c, "66 81 08 01 80") == 0 && rd(MEM, 4) == 0x8101);
	CHECK(run(&c, "48 81 20 ff 00 00 00") == 0 && rd(MEM, 8) == 0x01);
	CHECK(run(&c, "30 38") == 0 && rd(MEM, 1) == 0x01);  /* xor %bh,(%rax): bh = 0 */
}

TEST(xchg)
{
	struct insn_cpu c;

	reset(&c, M64);
	c.gpr[INSN_REG_RAX] = MEM;
	wr(MEM, 0x1111111122222222ULL, 8);
	c.gpr[INSN_REG_RBX] = 0xaaaaaaaabbbbbbbbULL;
	CHECK(run(&c, "87 18") == 0);                        /* 32-bit: rbx zero-extended */
	CHECK_EQ(rd(MEM, 8), 0x11111111bbbbbbbbULL);
	CHECK_EQ(c.gpr[INSN_REG_RBX], 0x22222222);
	CHECK(run(&c, "f0 48 87 18") == 0);
	CHECK_EQ(rd(MEM, 8), 0x22222222);
	CHECK_EQ(c.gpr[INSN_REG_RBX], 0x11111111bbbbbbbbULL);
	CHECK(run(&c, "86 38") == 0);                        /* xchg %bh,(%rax) */
	CHECK_EQ(rd(MEM, 8), 0x222222bb);
	CHECK_EQ(c.gpr[INSN_REG_RBX], 0x11111111bbbb22bbULL);
	c.gpr[INSN_REG_RCX] = 5;
	CHECK(run(&c, "48 87 cb") == 0 && c.gpr[INSN_REG_RCX] == 0x11111111bbbb22bbULL && c.gpr[INSN_REG_RBX] == 5);
	CHECK(run(&c, "87 c0") == 0 && c.gpr[INSN_REG_RAX] == MEM);   /* xchg %eax,%eax zero-extends */
}

TEST(bit_tests)
{
	struct insn_cpu c;
	uint64_t keep = INSN_RFLAGS_ZF | INSN_RFLAGS_SF | INSN_RFLAGS_OF;

	reset(&c, M64);
	c.gpr[INSN_REG_RAX] = MEM + 0x100;
	c.rflags |= keep;
	wr(MEM + 0x104, 1u << 3, 4);
	c.gpr[INSN_REG_RCX] = 35;                            /* dword at +4, bit 3 */
	CHECK(run(&c, "0f a3 08") == 0 && (c.rflags & INSN_RFLAGS_CF) && fm.last_la == MEM + 0x104);
	CHECK((c.rflags & keep) == keep);                   /* only CF written */
	CHECK(run(&c, "0f b3 08") == 0 && rd(MEM + 0x104, 4) == 0 && (c.rflags & INSN_RFLAGS_CF));
	CHECK(run(&c, "0f b3 08") == 0 && !(c.rflags & INSN_RFLAGS_CF));
	c.gpr[INSN_REG_RCX] = (uint64_t)-1;                  /* dword at -4, bit 31 */
	CHECK(run(&c, "0f ab 08") == 0 && rd(MEM + 0xfc, 4) == 0x80000000 && !(c.rflags & INSN_RFLAGS_CF));
	c.gpr[INSN_REG_RCX] = (uint64_t)-17;                 /* word at -4, bit 15 */
	CHECK(run(&c, "66 0f bb 08") == 0 && rd(MEM + 0xfc, 4) == 0x80008000);
	c.gpr[INSN_REG_RCX] = 0xffffffff00000000ULL | 33;    /* 32-bit offset: the upper half is not part of it */
	CHECK(run(&c, "0f ab 08") == 0 && rd(MEM + 0x104, 4) == 2);
	c.gpr[INSN_REG_RCX] = 64 * 3 + 5;                    /* qword at +24, bit 5 */
	CHECK(run(&c, "f0 48 0f ab 08") == 0 && rd(MEM + 0x118, 8) == 0x20);
	/* imm8: modulo the operand size, no displacement */
	CHECK(run(&c, "0f ba 28 25") == 0 && rd(MEM + 0x100, 4) == 0x20);    /* bts $37 -> bit 5 */
	CHECK(run(&c, "0f ba 38 05") == 0 && rd(MEM + 0x100, 4) == 0 && (c.rflags & INSN_RFLAGS_CF));
	CHECK(run(&c, "48 0f ba 20 3f") == 0 && !(c.rflags & INSN_RFLAGS_CF) && fm.last_la == MEM + 0x100);
	/* register operand: offset modulo the size */
	c.gpr[INSN_REG_RBX] = 0xffffffff00000000ULL;
	c.gpr[INSN_REG_RCX] = 35;
	CHECK(run(&c, "0f ab cb") == 0 && c.gpr[INSN_REG_RBX] == 8);         /* bts %ecx,%ebx */
	/* 16-bit addressing: the byte offset wraps with the address */
	reset(&c, M16);
	c.seg_base[INSN_SEG_DS] = MEM;
	c.gpr[INSN_REG_RBX] = 2;
	c.gpr[INSN_REG_RCX] = (uint64_t)-33;                 /* word at -6 -> 0xfffc */
	CHECK(run(&c, "0f ab 0f") == 0 && fm.last_la == MEM + 0xfffc && rd(MEM + 0xfffc, 2) == 0x8000);
}

TEST(rip_advance)
{
	struct insn_cpu c;

	reset(&c, M16);
	c.seg_base[INSN_SEG_SS] = MEM;
	c.rip = 0xfffe;
	CHECK(run(&c, "8b 46 00") == 0 && c.rip == 1);       /* IP wraps at 64 KiB */
	reset(&c, M32);
	c.gpr[INSN_REG_RAX] = MEM;
	c.rip = 0xffffffff;
	CHECK(run(&c, "89 18") == 0 && c.rip == 1);
	reset(&c, M64);
	c.gpr[INSN_REG_RAX] = MEM;
	c.rip = 0xfffffffffffffffeULL;
	CHECK(run(&c, "f0 48 0f ab 18") == 0 && c.rip == 3);
}

/* Builds the same state twice, runs one instruction on the first with a fault, compares. */
static void check_no_trace(enum cpu_mode mode, const char *hex, bool writes_only)
{
	struct insn_cpu c, before;
	uint8_t *mem_before = malloc(sizeof(mem));
	int ret;

	reset(&c, mode);
	for (int i = 0; i < 16; i++)
		c.gpr[i] = 0x0123456789abcdefULL * (i + 1);
	c.gpr[INSN_REG_RAX] = MEM + 0x100;
	c.gpr[INSN_REG_RBX] = 0x10;
	c.rflags = 2 | INSN_RFLAGS_CF;
	for (size_t i = 0; i < 0x200; i++)
		mem[i] = (uint8_t)(i * 7);
	fm.fault_lo = MEM;
	fm.fault_hi = MEM + 0x1000;
	fm.fault_writes_only = writes_only;
	memcpy(&before, &c, sizeof(c));             /* with the padding, for memcmp */
	memcpy(mem_before, mem, sizeof(mem));
	ret = run(&c, hex);
	if (ret != -EFAULT || memcmp(&c, &before, sizeof(c)) || memcmp(mem, mem_before, sizeof(mem))) {
		printf("  %s (%s fault): returned %d, state %s, memory %s\n", hex,
		       writes_only ? "write" : "any", ret,
		       memcmp(&c, &before, sizeof(c)) ? "changed" : "same",
		       memcmp(mem, mem_before, sizeof(mem)) ? "changed" : "same");
		check_cur_failed = 1;
	}
	free(mem_before);
}

TEST(fault_leaves_no_trace)
{
	static const char *const forms[] = {
		"48 89 18", "8b 18", "0f b6 18", "48 63 18", "c7 00 01 00 00 00", "a3 00 01 10 00 00 00 00 00",
		"01 18", "03 18", "f0 11 18", "19 18", "21 18", "29 18", "31 18", "39 18", "3b 18",
		"85 18", "f6 00 01", "80 30 01", "48 83 00 01", "81 28 01 00 00 00",
		"87 18", "86 38", "0f a3 18", "0f ab 18", "0f b3 18", "f0 0f bb 18", "0f ba 28 01",
		"f7 10", "f7 18", "fe 00", "ff 08", "aa", "48 ab", "a4", "f3 a5",
	};

	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		uint8_t b[16];
		unsigned int v, n = 0;
		int used;
		const char *h = forms[i];
		struct insn in;

		while (n < sizeof(b) && sscanf(h, " %2x%n", &v, &used) == 1) {
			b[n++] = (uint8_t)v;
			h += used;
		}
		check_no_trace(M64, forms[i], false);
		/* read-modify-write, MOVS: the read succeeds, the write faults */
		if (insn_decode(b, n, M64, &in) == 0 && in.is_read && in.is_write)
			check_no_trace(M64, forms[i], true);
	}
}

TEST(rejects_malformed)
{
	static const uint8_t b[] = { 0x48, 0x89, 0x18 };
	struct insn in;
	struct insn_cpu c, before;

	reset(&c, M32);
	memcpy(&before, &c, sizeof(c));
	CHECK(insn_decode(b, sizeof(b), M64, &in) == 0);
	CHECK_EQ(insn_emulate(&in, &c, &ops), -EINVAL);     /* decoded for another mode */
	c.mode = M64;
	before.mode = M64;
	in.src.reg = 40;
	CHECK_EQ(insn_emulate(&in, &c, &ops), -EINVAL);
	in.src.reg = INSN_REG_RBX;
	in.mem.base = 30;
	CHECK_EQ(insn_emulate(&in, &c, &ops), -EINVAL);
	in.mem.base = INSN_REG_RAX;
	in.kind = INSN_KIND_COUNT;
	CHECK_EQ(insn_emulate(&in, &c, &ops), -EINVAL);
	CHECK(memcmp(&c, &before, sizeof(c)) == 0 && fm.reads == 0 && fm.writes == 0);
}
