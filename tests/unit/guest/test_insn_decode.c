/* tests/unit/guest/test_insn_decode.c - insn_decode on a table of encodings in 16-, 32- and
 * 64-bit code, and against Capstone (length, operands) on the table and on random bytes. */
#include "tests/unit/check.h"
#include "guest/emul/insn_decode.h"
#include <capstone/capstone.h>

#define M16 CPU_MODE_16
#define M32 CPU_MODE_32
#define M64 CPU_MODE_64

static const char *const regs64[] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "ah", "ch", "dh", "bh", "rip" };
static const char *const regs32[] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
	"r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d", "ah", "ch", "dh", "bh", "eip" };
static const char *const regs16[] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
	"r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w", "ah", "ch", "dh", "bh", "ip" };
static const char *const regs8[] = { "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
	"r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b", "ah", "ch", "dh", "bh", "?" };
static const char *const segs[] = { "es", "cs", "ss", "ds", "fs", "gs" };

static const char *reg_name(unsigned int r, unsigned int size)
{
	if (r > INSN_REG_RIP)
		return "?";
	return size == 8 ? regs64[r] : size == 4 ? regs32[r] : size == 2 ? regs16[r] : regs8[r];
}

static uint64_t mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* "ds:[rax+rsi*4-0x8]": a memory operand with registers named for the address size. */
static void fmt_mem(char *p, size_t n, const struct insn *in, const struct insn_mem *m)
{
	int k = snprintf(p, n, "%s:[", m->seg < 6 ? segs[m->seg] : "?");
	const char *sep = "";
	int64_t d = m->disp;

	if (m->base != INSN_REG_NONE) {
		k += snprintf(p + k, n - k, "%s", reg_name(m->base, in->addr_size));
		sep = "+";
	}
	if (m->index != INSN_REG_NONE) {
		k += snprintf(p + k, n - k, "%s%s*%u", sep, reg_name(m->index, in->addr_size), m->scale);
		sep = "+";
	}
	if (!*sep)
		k += snprintf(p + k, n - k, "0x%llx", (unsigned long long)(d & mask(in->addr_size)));
	else if (d < 0)
		k += snprintf(p + k, n - k, "-0x%llx", (unsigned long long)-(uint64_t)d);
	else if (d > 0 || (in->modrm >> 6) == 1 || (in->modrm >> 6) == 2)
		k += snprintf(p + k, n - k, "+0x%llx", (unsigned long long)d);
	snprintf(p + k, n - k, "]");
}

static void fmt_opnd(char *p, size_t n, const struct insn *in, const struct insn_opnd *o, bool movs_src)
{
	if (o->type == INSN_OPND_REG) {
		snprintf(p, n, "%s", reg_name(o->reg, o->size));
	} else if (o->type == INSN_OPND_IMM) {
		snprintf(p, n, "$0x%llx", (unsigned long long)(in->imm & mask(o->size)));
	} else if (o->type == INSN_OPND_MEM && movs_src) {
		unsigned int seg = in->seg_override != INSN_SEG_NONE ? in->seg_override : INSN_SEG_DS;

		snprintf(p, n, "%s:[%s]", segs[seg], reg_name(INSN_REG_RSI, in->addr_size));
	} else if (o->type == INSN_OPND_MEM) {
		fmt_mem(p, n, in, &in->mem);
	} else {
		snprintf(p, n, "-");
	}
}

/* "add.4 ds:[rax],ebx a64 rw lock": kind.size[.source size] dst,src, address size, access, prefixes. */
static void fmt_insn(char *p, size_t n, const struct insn *in)
{
	char d[64], s[64];
	int k;

	fmt_opnd(d, sizeof(d), in, &in->dst, in->kind == INSN_CMPS);
	fmt_opnd(s, sizeof(s), in, &in->src, in->kind == INSN_MOVS);
	k = snprintf(p, n, "%s.%u", insn_kind_name(in->kind), in->size);
	if (in->src.type == INSN_OPND_REG || in->src.type == INSN_OPND_MEM)
		if (in->src.size != in->size)
			k += snprintf(p + k, n - k, ".%u", in->src.size);
	k += snprintf(p + k, n - k, " %s", d);
	if (in->src.type != INSN_OPND_NONE)
		k += snprintf(p + k, n - k, ",%s", s);
	k += snprintf(p + k, n - k, " a%u", 8 * in->addr_size);
	if (in->is_read || in->is_write)
		k += snprintf(p + k, n - k, " %s%s", in->is_read ? "r" : "", in->is_write ? "w" : "");
	if (in->prefixes & INSN_PFX_LOCK)
		k += snprintf(p + k, n - k, " lock");
	if (in->prefixes & INSN_PFX_REP)
		k += snprintf(p + k, n - k, " rep");
	if (in->prefixes & INSN_PFX_REPNE)
		snprintf(p + k, n - k, " repne");
}

static size_t parse_hex(const char *h, uint8_t *b, size_t max)
{
	size_t n = 0;
	unsigned int v;
	int used;

	while (n < max && sscanf(h, " %2x%n", &v, &used) == 1) {
		b[n++] = (uint8_t)v;
		h += used;
	}
	return n;
}

struct dcase {
	enum cpu_mode mode;
	const char *hex;
	unsigned int len;
	const char *want;               /* fmt_insn of the result */
};

#define OK(m, h, l, w)  { m, h, l, w }

static const struct dcase cases[] = {
	/* MOV r/m,r and r,r/m in each operand size; byte registers with and without REX */
	OK(M64, "48 89 18", 3, "mov.8 ds:[rax],rbx a64 w"),
	OK(M64, "89 18", 2, "mov.4 ds:[rax],ebx a64 w"),
	OK(M64, "66 89 18", 3, "mov.2 ds:[rax],bx a64 w"),
	OK(M64, "66 48 89 18", 4, "mov.8 ds:[rax],rbx a64 w"),
	OK(M64, "88 18", 2, "mov.1 ds:[rax],bl a64 w"),
	OK(M64, "88 20", 2, "mov.1 ds:[rax],ah a64 w"),
	OK(M64, "40 88 20", 3, "mov.1 ds:[rax],spl a64 w"),
	OK(M64, "44 88 20", 3, "mov.1 ds:[rax],r12b a64 w"),
	OK(M64, "8a 78 08", 3, "mov.1 bh,ds:[rax+0x8] a64 r"),
	OK(M64, "4c 8b 0c 24", 4, "mov.8 r9,ss:[rsp] a64 r"),
	OK(M64, "8b 45 00", 3, "mov.4 eax,ss:[rbp+0x0] a64 r"),
	OK(M64, "41 8b 45 00", 4, "mov.4 eax,ds:[r13+0x0] a64 r"),
	OK(M64, "41 8b 04 24", 4, "mov.4 eax,ds:[r12] a64 r"),
	OK(M64, "4b 8b 44 e5 80", 5, "mov.8 rax,ds:[r13+r12*8-0x80] a64 r"),
	OK(M64, "42 8b 04 20", 4, "mov.4 eax,ds:[rax+r12*1] a64 r"),
	OK(M64, "8b 04 60", 3, "mov.4 eax,ds:[rax] a64 r"),                 /* index 100: none */
	OK(M64, "8b 04 25 00 10 00 00", 7, "mov.4 eax,ds:[0x1000] a64 r"),   /* SIB without base */
	OK(M64, "41 8b 04 25 00 10 00 00", 8, "mov.4 eax,ds:[0x1000] a64 r"), /* REX.B: still none */
	OK(M64, "8b 04 8d f0 ff ff ff", 7, "mov.4 eax,ds:[rcx*4-0x10] a64 r"),
	OK(M64, "8b 84 c8 00 01 00 00", 7, "mov.4 eax,ds:[rax+rcx*8+0x100] a64 r"),
	OK(M64, "8b 05 10 00 00 00", 6, "mov.4 eax,ds:[rip+0x10] a64 r"),
	OK(M64, "41 8b 05 10 00 00 00", 7, "mov.4 eax,ds:[rip+0x10] a64 r"), /* REX.B: still RIP */
	OK(M64, "67 8b 05 f0 ff ff ff", 7, "mov.4 eax,ds:[eip-0x10] a32 r"),
	OK(M64, "67 89 18", 3, "mov.4 ds:[eax],ebx a32 w"),
	OK(M64, "8b c1", 2, "mov.4 eax,ecx a64"),
	OK(M64, "4d 8b c1", 3, "mov.8 r8,r9 a64"),
	/* MOV immediate stores */
	OK(M64, "c6 00 ab", 3, "mov.1 ds:[rax],$0xab a64 w"),
	OK(M64, "66 c7 00 34 12", 5, "mov.2 ds:[rax],$0x1234 a64 w"),
	OK(M64, "c7 00 78 56 34 12", 6, "mov.4 ds:[rax],$0x12345678 a64 w"),
	OK(M64, "48 c7 00 ff ff ff ff", 7, "mov.8 ds:[rax],$0xffffffffffffffff a64 w"),
	OK(M64, "48 c7 05 08 00 00 00 01 00 00 00", 11, "mov.8 ds:[rip+0x8],$0x1 a64 w"),
	OK(M64, "41 c6 44 24 08 7f", 6, "mov.1 ds:[r12+0x8],$0x7f a64 w"),
	/* moffs: address-size offsets, 8 bytes in 64-bit mode */
	OK(M64, "a0 88 77 66 55 44 33 22 11", 9, "mov.1 al,ds:[0x1122334455667788] a64 r"),
	OK(M64, "a1 88 77 66 55 44 33 22 11", 9, "mov.4 eax,ds:[0x1122334455667788] a64 r"),
	OK(M64, "48 a3 88 77 66 55 44 33 22 11", 10, "mov.8 ds:[0x1122334455667788],rax a64 w"),
	OK(M64, "66 a3 00 00 00 00 00 00 00 00", 10, "mov.2 ds:[0x0],ax a64 w"),
	OK(M64, "67 a0 44 33 22 11", 6, "mov.1 al,ds:[0x11223344] a32 r"),
	OK(M64, "65 a2 00 10 00 00 00 00 00 00", 10, "mov.1 gs:[0x1000],al a64 w"),
	/* MOVZX, MOVSX, MOVSXD */
	OK(M64, "0f b6 00", 3, "movzx.4.1 eax,ds:[rax] a64 r"),
	OK(M64, "66 0f b6 00", 4, "movzx.2.1 ax,ds:[rax] a64 r"),
	OK(M64, "48 0f b7 00", 4, "movzx.8.2 rax,ds:[rax] a64 r"),
	OK(M64, "0f b6 c4", 3, "movzx.4.1 eax,ah a64"),
	OK(M64, "40 0f b6 c4", 4, "movzx.4.1 eax,spl a64"),
	OK(M64, "0f be 48 ff", 4, "movsx.4.1 ecx,ds:[rax-0x1] a64 r"),
	OK(M64, "48 0f bf 00", 4, "movsx.8.2 rax,ds:[rax] a64 r"),
	OK(M64, "48 63 00", 3, "movsx.8.4 rax,ds:[rax] a64 r"),
	OK(M64, "63 00", 2, "movsx.4 eax,ds:[rax] a64 r"),
	OK(M64, "66 63 00", 3, "movsx.2 ax,ds:[rax] a64 r"),
	/* ALU: r/m,r; r,r/m; accumulator,imm; group 1 */
	OK(M64, "01 18", 2, "add.4 ds:[rax],ebx a64 rw"),
	OK(M64, "48 03 18", 3, "add.8 rbx,ds:[rax] a64 r"),
	OK(M64, "08 18", 2, "or.1 ds:[rax],bl a64 rw"),
	OK(M64, "11 18", 2, "adc.4 ds:[rax],ebx a64 rw"),
	OK(M64, "1b 18", 2, "sbb.4 ebx,ds:[rax] a64 r"),
	OK(M64, "66 21 18", 3, "and.2 ds:[rax],bx a64 rw"),
	OK(M64, "2a 18", 2, "sub.1 bl,ds:[rax] a64 r"),
	OK(M64, "31 18", 2, "xor.4 ds:[rax],ebx a64 rw"),
	OK(M64, "39 18", 2, "cmp.4 ds:[rax],ebx a64 r"),
	OK(M64, "3b 18", 2, "cmp.4 ebx,ds:[rax] a64 r"),
	OK(M64, "04 10", 2, "add.1 al,$0x10 a64"),
	OK(M64, "48 05 ff ff ff ff", 6, "add.8 rax,$0xffffffffffffffff a64"),
	OK(M64, "66 3d 34 12", 4, "cmp.2 ax,$0x1234 a64"),
	OK(M64, "80 38 10", 3, "cmp.1 ds:[rax],$0x10 a64 r"),
	OK(M64, "80 08 80", 3, "or.1 ds:[rax],$0x80 a64 rw"),
	OK(M64, "81 60 04 ff 00 00 00", 7, "and.4 ds:[rax+0x4],$0xff a64 rw"),
	OK(M64, "66 81 28 34 12", 5, "sub.2 ds:[rax],$0x1234 a64 rw"),
	OK(M64, "48 81 30 00 00 00 80", 7, "xor.8 ds:[rax],$0xffffffff80000000 a64 rw"),
	OK(M64, "48 83 00 ff", 4, "add.8 ds:[rax],$0xffffffffffffffff a64 rw"),
	OK(M64, "83 50 04 01", 4, "adc.4 ds:[rax+0x4],$0x1 a64 rw"),
	OK(M64, "66 83 58 04 80", 5, "sbb.2 ds:[rax+0x4],$0xff80 a64 rw"),
	/* TEST */
	OK(M64, "85 18", 2, "test.4 ds:[rax],ebx a64 r"),
	OK(M64, "84 38", 2, "test.1 ds:[rax],bh a64 r"),
	OK(M64, "f6 00 01", 3, "test.1 ds:[rax],$0x1 a64 r"),
	OK(M64, "f6 08 01", 3, "test.1 ds:[rax],$0x1 a64 r"),   /* /1: what CPUs execute */
	OK(M64, "48 f7 00 00 00 00 80", 7, "test.8 ds:[rax],$0xffffffff80000000 a64 r"),
	OK(M64, "66 f7 00 01 80", 5, "test.2 ds:[rax],$0x8001 a64 r"),
	OK(M64, "a8 01", 2, "test.1 al,$0x1 a64"),
	OK(M64, "a9 00 00 01 00", 5, "test.4 eax,$0x10000 a64"),
	/* XCHG, NOT, NEG, INC, DEC */
	OK(M64, "87 18", 2, "xchg.4 ds:[rax],ebx a64 rw"),
	OK(M64, "86 18", 2, "xchg.1 ds:[rax],bl a64 rw"),
	OK(M64, "48 87 c3", 3, "xchg.8 rbx,rax a64"),
	OK(M64, "f6 10", 2, "not.1 ds:[rax] a64 rw"),
	OK(M64, "48 f7 18", 3, "neg.8 ds:[rax] a64 rw"),
	OK(M64, "fe 00", 2, "inc.1 ds:[rax] a64 rw"),
	OK(M64, "66 ff 08", 3, "dec.2 ds:[rax] a64 rw"),
	OK(M64, "ff c0", 2, "inc.4 eax a64"),
	/* BT, BTS, BTR, BTC with register and immediate bit offsets */
	OK(M64, "0f a3 18", 3, "bt.4 ds:[rax],ebx a64 r"),
	OK(M64, "48 0f ab 18", 4, "bts.8 ds:[rax],rbx a64 rw"),
	OK(M64, "66 0f b3 18", 4, "btr.2 ds:[rax],bx a64 rw"),
	OK(M64, "0f bb 18", 3, "btc.4 ds:[rax],ebx a64 rw"),
	OK(M64, "0f ba 20 05", 4, "bt.4 ds:[rax],$0x5 a64 r"),
	OK(M64, "0f ba 28 ff", 4, "bts.4 ds:[rax],$0xff a64 rw"),
	OK(M64, "48 0f ba 30 3f", 5, "btr.8 ds:[rax],$0x3f a64 rw"),
	OK(M64, "0f ba 38 01", 4, "btc.4 ds:[rax],$0x1 a64 rw"),
	/* STOS, MOVS: the destination is ES:[rDI]; the MOVS source takes the override */
	OK(M64, "aa", 1, "stos.1 es:[rdi],al a64 w"),
	OK(M64, "ab", 1, "stos.4 es:[rdi],eax a64 w"),
	OK(M64, "48 ab", 2, "stos.8 es:[rdi],rax a64 w"),
	OK(M64, "f3 48 ab", 3, "stos.8 es:[rdi],rax a64 w rep"),
	OK(M64, "f3 67 aa", 3, "stos.1 es:[edi],al a32 w rep"),
	OK(M64, "a4", 1, "movs.1 es:[rdi],ds:[rsi] a64 rw"),
	OK(M64, "f3 66 a5", 3, "movs.2 es:[rdi],ds:[rsi] a64 rw rep"),
	OK(M64, "f2 a5", 2, "movs.4 es:[rdi],ds:[rsi] a64 rw repne"),
	OK(M64, "64 f3 a4", 3, "movs.1 es:[rdi],fs:[rsi] a64 rw rep"),
	/* prefixes: LOCK where allowed, the last segment, REX only right before the opcode */
	OK(M64, "f0 01 18", 3, "add.4 ds:[rax],ebx a64 rw lock"),
	OK(M64, "f0 48 83 08 01", 5, "or.8 ds:[rax],$0x1 a64 rw lock"),
	OK(M64, "f0 87 18", 3, "xchg.4 ds:[rax],ebx a64 rw lock"),
	OK(M64, "f0 0f ab 18", 4, "bts.4 ds:[rax],ebx a64 rw lock"),
	OK(M64, "f0 0f ba 38 01", 5, "btc.4 ds:[rax],$0x1 a64 rw lock"),
	OK(M64, "f0 f7 18", 3, "neg.4 ds:[rax] a64 rw lock"),
	OK(M64, "f0 fe 08", 3, "dec.1 ds:[rax] a64 rw lock"),
	OK(M64, "64 65 8b 00", 4, "mov.4 eax,gs:[rax] a64 r"),
	OK(M64, "26 8b 00", 3, "mov.4 eax,es:[rax] a64 r"),
	OK(M64, "36 8b 00", 3, "mov.4 eax,ss:[rax] a64 r"),
	OK(M64, "3e 8b 45 00", 4, "mov.4 eax,ds:[rbp+0x0] a64 r"),
	OK(M64, "48 66 89 18", 4, "mov.2 ds:[rax],bx a64 w"),        /* REX then 66: REX ignored */
	OK(M64, "48 26 89 18", 4, "mov.4 es:[rax],ebx a64 w"),
	OK(M64, "48 41 89 18", 4, "mov.4 ds:[r8],ebx a64 w"),        /* the last REX counts */
	OK(M64, "f3 89 18", 3, "mov.4 ds:[rax],ebx a64 w rep"),      /* XRELEASE hint: ignored */
	OK(M64, "66 66 66 66 66 66 66 66 66 66 66 66 66 89 18", 15, "mov.2 ds:[rax],bx a64 w"),

	/* 32-bit code */
	OK(M32, "89 18", 2, "mov.4 ds:[eax],ebx a32 w"),
	OK(M32, "66 89 18", 3, "mov.2 ds:[eax],bx a32 w"),
	OK(M32, "67 89 18", 3, "mov.4 ds:[bx+si*1],ebx a16 w"),
	OK(M32, "8b 05 00 10 00 00", 6, "mov.4 eax,ds:[0x1000] a32 r"),  /* absolute, no RIP */
	OK(M32, "8b 44 24 04", 4, "mov.4 eax,ss:[esp+0x4] a32 r"),
	OK(M32, "8b 04 b5 00 10 00 00", 7, "mov.4 eax,ds:[esi*4+0x1000] a32 r"),
	OK(M32, "88 20", 2, "mov.1 ds:[eax],ah a32 w"),
	OK(M32, "c7 40 10 01 00 00 00", 7, "mov.4 ds:[eax+0x10],$0x1 a32 w"),
	OK(M32, "a1 00 10 00 00", 5, "mov.4 eax,ds:[0x1000] a32 r"),
	OK(M32, "67 a1 00 10", 4, "mov.4 eax,ds:[0x1000] a16 r"),
	OK(M32, "64 a3 00 10 00 00", 6, "mov.4 fs:[0x1000],eax a32 w"),
	OK(M32, "82 00 01", 3, "add.1 ds:[eax],$0x1 a32 rw"),
	OK(M32, "0f b7 03", 3, "movzx.4.2 eax,ds:[ebx] a32 r"),
	OK(M32, "0f ab 08", 3, "bts.4 ds:[eax],ecx a32 rw"),
	OK(M32, "f0 0f b3 08", 4, "btr.4 ds:[eax],ecx a32 rw lock"),
	OK(M32, "f3 a5", 2, "movs.4 es:[edi],ds:[esi] a32 rw rep"),
	OK(M32, "66 f3 ab", 3, "stos.2 es:[edi],ax a32 w rep"),
	OK(M32, "f7 15 00 10 00 00", 6, "not.4 ds:[0x1000] a32 rw"),
	/* 16-bit code: the eight ModRM base/index forms, [disp16], 66 and 67 */
	OK(M16, "89 18", 2, "mov.2 ds:[bx+si*1],bx a16 w"),
	OK(M16, "8b 00", 2, "mov.2 ax,ds:[bx+si*1] a16 r"),
	OK(M16, "8b 01", 2, "mov.2 ax,ds:[bx+di*1] a16 r"),
	OK(M16, "8b 02", 2, "mov.2 ax,ss:[bp+si*1] a16 r"),
	OK(M16, "8b 03", 2, "mov.2 ax,ss:[bp+di*1] a16 r"),
	OK(M16, "8b 04", 2, "mov.2 ax,ds:[si] a16 r"),
	OK(M16, "8b 05", 2, "mov.2 ax,ds:[di] a16 r"),
	OK(M16, "8b 06 34 12", 4, "mov.2 ax,ds:[0x1234] a16 r"),
	OK(M16, "8b 07", 2, "mov.2 ax,ds:[bx] a16 r"),
	OK(M16, "8b 46 fe", 3, "mov.2 ax,ss:[bp-0x2] a16 r"),
	OK(M16, "8b 86 00 01", 4, "mov.2 ax,ss:[bp+0x100] a16 r"),
	OK(M16, "8b 80 ff ff", 4, "mov.2 ax,ds:[bx+si*1-0x1] a16 r"),
	OK(M16, "2e 8b 07", 3, "mov.2 ax,cs:[bx] a16 r"),
	OK(M16, "66 89 18", 3, "mov.4 ds:[bx+si*1],ebx a16 w"),
	OK(M16, "67 89 18", 3, "mov.2 ds:[eax],bx a32 w"),
	OK(M16, "67 66 8b 44 24 04", 6, "mov.4 eax,ss:[esp+0x4] a32 r"),
	OK(M16, "a1 34 12", 3, "mov.2 ax,ds:[0x1234] a16 r"),
	OK(M16, "67 a1 78 56 34 12", 6, "mov.2 ax,ds:[0x12345678] a32 r"),
	OK(M16, "c7 06 00 10 34 12", 6, "mov.2 ds:[0x1000],$0x1234 a16 w"),
	OK(M16, "c6 47 02 ff", 4, "mov.1 ds:[bx+0x2],$0xff a16 w"),
	OK(M16, "81 0f 00 80", 4, "or.2 ds:[bx],$0x8000 a16 rw"),
	OK(M16, "66 83 27 fe", 4, "and.4 ds:[bx],$0xfffffffe a16 rw"),
	OK(M16, "0f be 07", 3, "movsx.2.1 ax,ds:[bx] a16 r"),
	OK(M16, "f3 ab", 2, "stos.2 es:[di],ax a16 w rep"),
	OK(M16, "26 a4", 2, "movs.1 es:[di],es:[si] a16 rw"),
	OK(M16, "0f ba 2f 0f", 4, "bts.2 ds:[bx],$0xf a16 rw"),
	/* LODS, SCAS, CMPS: [rSI] takes an override, ES:[rDI] does not; F3 REPE, F2 REPNE */
	OK(M64, "ac", 1, "lods.1 al,ds:[rsi] a64 r"),
	OK(M64, "f3 48 ad", 3, "lods.8 rax,ds:[rsi] a64 r rep"),
	OK(M64, "65 66 ad", 3, "lods.2 ax,gs:[rsi] a64 r"),
	OK(M32, "67 26 ad", 3, "lods.4 eax,es:[si] a16 r"),
	OK(M16, "f2 ac", 2, "lods.1 al,ds:[si] a16 r repne"),
	OK(M64, "f2 ae", 2, "scas.1 al,es:[rdi] a64 r repne"),
	OK(M64, "f3 67 af", 3, "scas.4 eax,es:[edi] a32 r rep"),
	OK(M32, "64 66 af", 3, "scas.2 ax,es:[edi] a32 r"),
	OK(M64, "f3 a6", 2, "cmps.1 ds:[rsi],es:[rdi] a64 r rep"),
	OK(M64, "f2 48 a7", 3, "cmps.8 ds:[rsi],es:[rdi] a64 r repne"),
	OK(M16, "2e 66 a7", 3, "cmps.4 cs:[si],es:[di] a16 r"),
	OK(M32, "36 67 a6", 3, "cmps.1 ss:[si],es:[di] a16 r"),
	/* CMOVcc Gv,Ev; SETcc Eb, whose ModRM.reg is ignored */
	OK(M64, "0f 44 03", 3, "cmov.4 eax,ds:[rbx] a64 r"),
	OK(M64, "4c 0f 4f 4c 24 08", 6, "cmov.8 r9,ss:[rsp+0x8] a64 r"),
	OK(M64, "66 0f 4a 05 00 01 00 00", 8, "cmov.2 ax,ds:[rip+0x100] a64 r"),
	OK(M16, "0f 42 07", 3, "cmov.2 ax,ds:[bx] a16 r"),
	OK(M32, "66 0f 40 c3", 4, "cmov.2 ax,bx a32"),
	OK(M64, "0f 94 00", 3, "setcc.1 ds:[rax] a64 w"),
	OK(M64, "0f 9f 38", 3, "setcc.1 ds:[rax] a64 w"),
	OK(M64, "41 0f 90 45 00", 5, "setcc.1 ds:[r13+0x0] a64 w"),
	OK(M32, "0f 9c 44 24 fc", 5, "setcc.1 ss:[esp-0x4] a32 w"),
	OK(M16, "64 0f 93 06 34 12", 6, "setcc.1 fs:[0x1234] a16 w"),
	OK(M64, "0f 95 c4", 3, "setcc.1 ah a64"),
	OK(M64, "40 0f 95 c4", 4, "setcc.1 spl a64"),

};

static void check_case(const struct dcase *c)
{
	uint8_t b[32];
	size_t n = parse_hex(c->hex, b, sizeof(b));
	struct insn in;
	char got[160];
	int ret = insn_decode(b, n, c->mode, &in);

	if (ret) {
		printf("  %s (mode %d): returned %d\n", c->hex, c->mode, ret);
		check_cur_failed = 1;
		return;
	}
	fmt_insn(got, sizeof(got), &in);
	if (in.len != c->len || strcmp(got, c->want)) {
		printf("  %s (mode %d): len %u \"%s\", expected len %u \"%s\"\n", c->hex, c->mode,
		       in.len, got, c->len, c->want);
		check_cur_failed = 1;
	}
}

TEST(table)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check_case(&cases[i]);
}

/* Every proper prefix of an instruction is -ERANGE (fetch more), never a wrong decode. */
TEST(truncated)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct dcase *c = &cases[i];
		uint8_t b[32], *copy;
		size_t n = parse_hex(c->hex, b, sizeof(b));
		struct insn in;

		for (size_t k = 0; k < n; k++) {
			/* exactly k bytes on the heap: ASan catches any read past avail */
			copy = malloc(k ? k : 1);
			memcpy(copy, b, k);
			if (insn_decode(copy, k, c->mode, &in) != -ERANGE) {
				printf("  %s: %zu bytes do not give -ERANGE\n", c->hex, k);
				check_cur_failed = 1;
			}
			free(copy);
		}
	}
	CHECK_EQ(insn_decode(NULL, 0, M64, &(struct insn){ 0 }), -ERANGE);
	CHECK_EQ(insn_decode((const uint8_t *)"\x89", 1, (enum cpu_mode)7, &(struct insn){ 0 }), -EINVAL);
}


/*
 * Capstone (4.0.2, Debian's libcapstone-dev) as the reference: for every
 * instruction insn_decode accepts, Capstone must decode the same bytes to the
 * same length and, for ModRM and moffs forms, to the same operands.
 */
/* Prefixes, REX and opcodes of the supported forms, to build likely-valid random strings. */
static const uint8_t pfx_pool[] = { 0x66, 0x67, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0xf0, 0xf2, 0xf3 };
static const uint8_t op_pool[] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x10, 0x11, 0x12,
	0x13, 0x14, 0x15, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25,
	0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x38, 0x39, 0x3a,
	0x3b, 0x3c, 0x3d, 0x63, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a,
	0x8b, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad,
	0xae, 0xaf, 0xc6, 0xc7, 0xf6, 0xf7, 0xfe, 0xff,
};
static const uint8_t op0f_pool[] = {
	0xa3, 0xab, 0xb3, 0xbb, 0xb6, 0xb7, 0xba, 0xbe, 0xbf,
	0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
	0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f,
};

static csh cs_handle[3];

static csh cs_for(enum cpu_mode mode)
{
	static const cs_mode modes[3] = { CS_MODE_16, CS_MODE_32, CS_MODE_64 };

	if (!cs_handle[mode]) {
		if (cs_open(CS_ARCH_X86, modes[mode], &cs_handle[mode]) != CS_ERR_OK) {
			printf("  capstone: cs_open failed\n");
			exit(1);
		}
		cs_option(cs_handle[mode], CS_OPT_DETAIL, CS_OPT_ON);
	}
	return cs_handle[mode];
}

enum cs_verdict { CS_SAME, CS_QUIRK, CS_LENGTH, CS_INVALID, CS_OPERANDS };

/*
 * Capstone 4 (LLVM 7's tables) is wrong for two families, where its operands
 * are not compared: with 66 and F2/F3 together it takes 66 as part of the
 * opcode, so it shows 32-bit operands (the length still counts an imm16) and
 * rejects the moffs forms; and it has no MOVSXD r32, r/m32 (63 without REX.W),
 * showing a 64-bit destination. The SDM: F2/F3 do not change these
 * instructions, and MOVSXD without REX.W writes 32 bits.
 */
static bool cs_quirk(const struct insn *in)
{
	return ((in->prefixes & INSN_PFX_OPSIZE) && (in->prefixes & (INSN_PFX_REP | INSN_PFX_REPNE))) ||
	       (!in->two_byte && in->opcode == 0x63 && !(in->rex & 8));
}

static bool cs_same_opnd(csh h, const struct insn *in, const struct insn_opnd *o, const cs_x86_op *c,
			 char *why, size_t n)
{
	const struct insn_mem *m = &in->mem;
	uint64_t am = mask(in->addr_size);

	switch (o->type) {
	case INSN_OPND_REG:
		if (c->type == X86_OP_REG && !strcmp(cs_reg_name(h, c->reg), reg_name(o->reg, o->size)))
			return true;
		break;
	case INSN_OPND_IMM:
		if (c->type == X86_OP_IMM && ((uint64_t)c->imm & mask(o->size)) == (in->imm & mask(o->size)))
			return true;
		break;
	case INSN_OPND_MEM:
		if (c->type != X86_OP_MEM || c->size != o->size)
			break;
		if (strcmp(c->mem.base ? cs_reg_name(h, c->mem.base) : "-",
			   m->base != INSN_REG_NONE ? reg_name(m->base, in->addr_size) : "-"))
			break;
		if (strcmp(c->mem.index ? cs_reg_name(h, c->mem.index) : "-",
			   m->index != INSN_REG_NONE ? reg_name(m->index, in->addr_size) : "-"))
			break;
		if ((m->index != INSN_REG_NONE && c->mem.scale != m->scale) ||
		    ((uint64_t)c->mem.disp & am) != ((uint64_t)m->disp & am))
			break;
		if (c->mem.segment ? strcmp(cs_reg_name(h, c->mem.segment), segs[m->seg]) != 0
				   : in->seg_override != INSN_SEG_NONE && in->mode != CPU_MODE_64)
			break;
		return true;
	}
	snprintf(why, n, "operand type %d size %u differs", c->type, c->size);
	return false;
}

/* Compares insn_decode's result for b[0..n) with Capstone's; why says how they differ. */
static enum cs_verdict cs_compare(const uint8_t *b, size_t n, const struct insn *in, char *why, size_t wn)
{
	csh h = cs_for(in->mode);
	cs_insn *ci;
	size_t cnt = cs_disasm(h, b, n, 0x1000, 1, &ci);
	enum cs_verdict v = CS_SAME;

	why[0] = 0;
	if (!cnt) {
		snprintf(why, wn, "Capstone: invalid");
		return cs_quirk(in) && !(in->prefixes & INSN_PFX_LOCK) ? CS_QUIRK : CS_INVALID;
	}
	if (ci->size != in->len) {
		snprintf(why, wn, "Capstone: %u bytes, %s %s", ci->size, ci->mnemonic, ci->op_str);
		v = CS_LENGTH;
	} else if (cs_quirk(in)) {
		v = CS_QUIRK;
	} else if (in->kind != INSN_STOS && in->kind != INSN_MOVS && in->kind != INSN_CMPS) {
		const cs_x86 *x = &ci->detail->x86;
		unsigned int nops = 1 + (in->src.type != INSN_OPND_NONE);

		if (x->op_count != nops ||
		    !cs_same_opnd(h, in, &in->dst, &x->operands[0], why, wn) ||
		    (nops == 2 && !cs_same_opnd(h, in, &in->src, &x->operands[1], why, wn)))
			v = CS_OPERANDS;
		if (v != CS_SAME)
			snprintf(why, wn, "Capstone: %s %s (%u operands)", ci->mnemonic, ci->op_str, x->op_count);
	}
	cs_free(ci, cnt);
	return v;
}

static void hex_of(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 3 * i, "%02x ", b[i]);
}

TEST(capstone_table)
{
	unsigned int total = 0, same = 0, quirks = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct dcase *c = &cases[i];
		uint8_t b[32];
		size_t n = parse_hex(c->hex, b, sizeof(b));
		struct insn in;
		char why[160];
		enum cs_verdict v;

		if (insn_decode(b, n, c->mode, &in))
			continue;
		total++;
		v = cs_compare(b, n, &in, why, sizeof(why));
		same += v == CS_SAME;
		quirks += v == CS_QUIRK;
		if (v > CS_QUIRK) {
			printf("  %s (mode %d): %s\n", c->hex, c->mode, why);
			check_cur_failed = 1;
		}
	}
	printf("  capstone: table: %u encodings decoded: %u same length and operands, %u same length"
	       " (Capstone quirks)\n", total, same, quirks);
}

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct cs_tally {
	unsigned long strings, decoded, same, quirk, quirk_invalid, length, invalid, operands;
	unsigned long missed, missed_lock;      /* rejected, though Capstone decodes a supported form */
};

/* Whether an f0 is among the prefixes (Capstone's detail keeps only one of f0, f2, f3). */
static bool lock_prefixed(const uint8_t *b, size_t n, enum cpu_mode mode)
{
	for (size_t i = 0; i < n; i++) {
		if (b[i] == 0xf0)
			return true;
		if (!memchr(pfx_pool, b[i], sizeof(pfx_pool)) && !(mode == M64 && (b[i] & 0xf0) == 0x40))
			return false;
	}
	return false;
}

/*
 * The other direction: Capstone decodes one of the supported instructions
 * with a memory operand that insn_decode rejected. Expected only where LOCK is
 * not allowed (Capstone decodes LOCK anywhere) and for segment-register moves.
 */
static void cs_missed(const uint8_t *b, size_t n, enum cpu_mode mode, struct cs_tally *t)
{
	static const unsigned int ids[] = {
		X86_INS_MOV, X86_INS_MOVABS, X86_INS_MOVZX, X86_INS_MOVSX, X86_INS_MOVSXD,
		X86_INS_ADD, X86_INS_OR, X86_INS_ADC, X86_INS_SBB, X86_INS_AND, X86_INS_SUB,
		X86_INS_XOR, X86_INS_CMP, X86_INS_TEST, X86_INS_XCHG, X86_INS_BT, X86_INS_BTS,
		X86_INS_BTR, X86_INS_BTC, X86_INS_NOT, X86_INS_NEG, X86_INS_INC, X86_INS_DEC,
		X86_INS_STOSB, X86_INS_STOSW, X86_INS_STOSD, X86_INS_STOSQ,
		X86_INS_MOVSB, X86_INS_MOVSW, X86_INS_MOVSD, X86_INS_MOVSQ,
		X86_INS_LODSB, X86_INS_LODSW, X86_INS_LODSD, X86_INS_LODSQ,
		X86_INS_SCASB, X86_INS_SCASW, X86_INS_SCASD, X86_INS_SCASQ,
		X86_INS_CMPSB, X86_INS_CMPSW, X86_INS_CMPSD, X86_INS_CMPSQ,
		X86_INS_CMOVO, X86_INS_CMOVNO, X86_INS_CMOVB, X86_INS_CMOVAE, X86_INS_CMOVE,
		X86_INS_CMOVNE, X86_INS_CMOVBE, X86_INS_CMOVA, X86_INS_CMOVS, X86_INS_CMOVNS,
		X86_INS_CMOVP, X86_INS_CMOVNP, X86_INS_CMOVL, X86_INS_CMOVGE, X86_INS_CMOVLE,
		X86_INS_CMOVG,
		X86_INS_SETO, X86_INS_SETNO, X86_INS_SETB, X86_INS_SETAE, X86_INS_SETE, X86_INS_SETNE,
		X86_INS_SETBE, X86_INS_SETA, X86_INS_SETS, X86_INS_SETNS, X86_INS_SETP, X86_INS_SETNP,
		X86_INS_SETL, X86_INS_SETGE, X86_INS_SETLE, X86_INS_SETG,
	};
	csh h = cs_for(mode);
	cs_insn *ci;
	size_t cnt = cs_disasm(h, b, n, 0x1000, 1, &ci);
	const cs_x86 *x;
	bool ours = false, mem = false, sreg = false;
	char hex[64];

	if (!cnt)
		return;
	x = &ci->detail->x86;
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		ours |= ci->id == ids[i];
	for (unsigned int i = 0; i < x->op_count; i++) {
		mem |= x->operands[i].type == X86_OP_MEM;
		sreg |= x->operands[i].type == X86_OP_REG && strlen(cs_reg_name(h, x->operands[i].reg)) == 2 &&
			cs_reg_name(h, x->operands[i].reg)[1] == 's';
	}
	if (ours && mem && !sreg && ci->size <= INSN_MAX_LEN) {
		if (lock_prefixed(b, ci->size, mode)) {
			t->missed_lock++;
		} else {
			t->missed++;
			hex_of(b, ci->size, hex);
			if (t->missed <= 10)
				printf("  mode %d: rejected, Capstone: %s %s: %s\n", mode, ci->mnemonic, ci->op_str, hex);
		}
	}
	cs_free(ci, cnt);
}

static void cs_random_one(const uint8_t *b, size_t n, enum cpu_mode mode, struct cs_tally *t)
{
	struct insn in;
	char why[160], hex[64];
	enum cs_verdict v;

	t->strings++;
	if (insn_decode(b, n, mode, &in)) {
		cs_missed(b, n, mode, t);
		return;
	}
	t->decoded++;
	v = cs_compare(b, n, &in, why, sizeof(why));
	if (v == CS_SAME) {
		t->same++;
		return;
	}
	if (v == CS_QUIRK) {
		t->quirk++;
		t->quirk_invalid += !strcmp(why, "Capstone: invalid");
		return;
	}
	if (v == CS_LENGTH)
		t->length++;
	else if (v == CS_INVALID)
		t->invalid++;
	else
		t->operands++;
	if (t->length + t->invalid + t->operands <= 400) {
		fmt_insn(hex, sizeof(hex), &in);
		printf("  mode %d: ours: len %u %s; %s\n", mode, in.len, hex, why);
		hex_of(b, in.len, hex);
		printf("    bytes: %s\n", hex);
	}
}

static void cs_report(const char *what, const struct cs_tally *t)
{
	printf("  capstone: %s: %lu strings, %lu decoded: %lu same length and operands, %lu Capstone"
	       " quirks (%lu same length, %lu rejected), %lu other length, %lu invalid for Capstone,"
	       " %lu other operands\n", what, t->strings, t->decoded, t->same, t->quirk,
	       t->quirk - t->quirk_invalid, t->quirk_invalid, t->length, t->invalid, t->operands);
	printf("  capstone: %s: rejected where Capstone decodes a supported form with memory: %lu"
	       " with LOCK not allowed, %lu other\n", what, t->missed_lock, t->missed);
	CHECK(t->decoded > 0 && t->same + t->quirk == t->decoded && t->missed == 0);
}

#define RANDOM_STRINGS 100000

/* Uniformly random bytes: what insn_decode accepts, Capstone must decode alike. */
TEST(capstone_random)
{
	struct cs_tally t = { 0 };
	uint8_t b[INSN_MAX_LEN + 1];

	for (int mode = M16; mode <= M64; mode++) {
		for (int i = 0; i < RANDOM_STRINGS; i++) {
			for (size_t k = 0; k < sizeof(b); k++)
				b[k] = (uint8_t)rng();
			cs_random_one(b, sizeof(b), (enum cpu_mode)mode, &t);
		}
	}
	cs_report("random bytes", &t);
}

/* Random prefixes, REX and a supported opcode followed by random bytes. */
TEST(capstone_random_forms)
{
	struct cs_tally t = { 0 };
	uint8_t b[INSN_MAX_LEN + 1];

	for (int mode = M16; mode <= M64; mode++) {
		for (int i = 0; i < RANDOM_STRINGS; i++) {
			size_t k = 0, np = rng() % 4;

			for (size_t p = 0; p < np; p++)
				b[k++] = pfx_pool[rng() % sizeof(pfx_pool)];
			if (mode == M64 && rng() % 2)
				b[k++] = 0x40 | (rng() & 15);
			if (rng() % 6 == 0) {
				b[k++] = 0x0f;
				b[k++] = op0f_pool[rng() % sizeof(op0f_pool)];
			} else {
				b[k++] = op_pool[rng() % sizeof(op_pool)];
			}
			while (k < sizeof(b))
				b[k++] = (uint8_t)rng();
			cs_random_one(b, sizeof(b), (enum cpu_mode)mode, &t);
		}
	}
	cs_report("random supported forms", &t);
}
