/* tests/unit/guest/test_insn_flags.c - ALU results and flags of insn_alu and insn_emulate
 * against the host CPU running the same instruction: the CPU is the ground truth. */
#include "tests/unit/check.h"
#include "guest/emul/insn_decode.h"
#include "guest/emul/insn_emulate.h"

#define ARITH INSN_RFLAGS_ARITH

/*
 * One host instruction on x and y with RFLAGS = *fl before; *fl = RFLAGS after.
 * The red zone is stepped over before pushing: the compiler may keep data there.
 */
#define HOST_BIN(name, insn, T)                                                     \
	static uint64_t name(uint64_t a, uint64_t b, uint64_t *fl)                  \
	{                                                                           \
		T x = (T)a, y = (T)b;                                               \
		uint64_t f = *fl;                                                   \
		__asm__ volatile("lea -128(%%rsp), %%rsp\n\tpush %[f]\n\tpopfq\n\t"  \
				 insn " %[y], %[x]\n\tpushfq\n\tpop %[f]\n\t"       \
				 "lea 128(%%rsp), %%rsp"                            \
				 : [x] "+r"(x), [f] "+r"(f) : [y] "r"(y) : "cc", "memory"); \
		*fl = f;                                                            \
		return x;                                                           \
	}
#define HOST_UN(name, insn, T)                                                      \
	static uint64_t name(uint64_t a, uint64_t b, uint64_t *fl)                  \
	{                                                                           \
		T x = (T)a;                                                         \
		uint64_t f = *fl;                                                   \
		(void)b;                                                            \
		__asm__ volatile("lea -128(%%rsp), %%rsp\n\tpush %[f]\n\tpopfq\n\t"  \
				 insn " %[x]\n\tpushfq\n\tpop %[f]\n\t"             \
				 "lea 128(%%rsp), %%rsp"                            \
				 : [x] "+r"(x), [f] "+r"(f) : : "cc", "memory");    \
		*fl = f;                                                            \
		return x;                                                           \
	}
#define HOST_SIZES(M, op)                                                           \
	M(host_##op##1, #op "b", uint8_t) M(host_##op##2, #op "w", uint16_t)        \
	M(host_##op##4, #op "l", uint32_t) M(host_##op##8, #op "q", uint64_t)

HOST_SIZES(HOST_BIN, add) HOST_SIZES(HOST_BIN, or) HOST_SIZES(HOST_BIN, adc)
HOST_SIZES(HOST_BIN, sbb) HOST_SIZES(HOST_BIN, and) HOST_SIZES(HOST_BIN, sub)
HOST_SIZES(HOST_BIN, xor) HOST_SIZES(HOST_BIN, cmp) HOST_SIZES(HOST_BIN, test)
HOST_SIZES(HOST_UN, not) HOST_SIZES(HOST_UN, neg) HOST_SIZES(HOST_UN, inc)
HOST_SIZES(HOST_UN, dec)

typedef uint64_t (*host_fn)(uint64_t, uint64_t, uint64_t *);

#define ROW(op) { host_##op##1, host_##op##2, host_##op##4, host_##op##8 }
static const struct { unsigned int kind; const char *name; host_fn fn[4]; } ops[] = {
	{ INSN_ADD, "add", ROW(add) }, { INSN_OR, "or", ROW(or) }, { INSN_ADC, "adc", ROW(adc) },
	{ INSN_SBB, "sbb", ROW(sbb) }, { INSN_AND, "and", ROW(and) }, { INSN_SUB, "sub", ROW(sub) },
	{ INSN_XOR, "xor", ROW(xor) }, { INSN_CMP, "cmp", ROW(cmp) }, { INSN_TEST, "test", ROW(test) },
	{ INSN_NOT, "not", ROW(not) }, { INSN_NEG, "neg", ROW(neg) }, { INSN_INC, "inc", ROW(inc) },
	{ INSN_DEC, "dec", ROW(dec) },
};

static const unsigned int sizes[4] = { 1, 2, 4, 8 };

/* The flags the SDM defines for kind: AF is undefined after the logical operations. */
static uint64_t defined_flags(unsigned int kind)
{
	if (kind == INSN_AND || kind == INSN_OR || kind == INSN_XOR || kind == INSN_TEST)
		return ARITH & ~INSN_RFLAGS_AF;
	return ARITH;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Operands: random, or near the edges where flags change (0, 1, 0x0f/0x10, sign bit, all ones). */
static uint64_t operand(unsigned int size)
{
	static const uint64_t edges[] = { 0, 1, 2, 0x0f, 0x10, 0x7f, 0x80, 0xff };
	uint64_t msb = 1ULL << (8 * size - 1), r = rng();

	switch (r % 8) {
	case 0: return edges[(r >> 8) % 8];
	case 1: return msb;
	case 2: return msb - 1 - ((r >> 8) & 3);
	case 3: return ~0ULL - ((r >> 8) & 3);
	case 4: return msb + ((r >> 8) & 3);
	default: return rng();
	}
}

/* A starting RFLAGS: reserved bit 1, random arithmetic flags (CF feeds ADC/SBB; INC/DEC keep it). */
static uint64_t flags_in(void)
{
	return 2 | (rng() & ARITH);
}

#define ITERATIONS 100000

TEST(alu_against_host)
{
	unsigned long compared = 0, bad = 0;

	for (size_t o = 0; o < ARRAY_SIZE(ops); o++) {
		for (int s = 0; s < 4; s++) {
			unsigned int size = sizes[s];
			uint64_t m = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;

			for (int i = 0; i < ITERATIONS; i++) {
				uint64_t a = operand(size), b = operand(size), fin = flags_in();
				uint64_t hf = fin, ef = fin, df = defined_flags(ops[o].kind);
				uint64_t hr = ops[o].fn[s](a, b, &hf) & m;
				uint64_t er = insn_alu(ops[o].kind, size, a, b, &ef);

				compared++;
				if (ops[o].kind == INSN_CMP || ops[o].kind == INSN_TEST)
					hr = er;        /* insn_alu returns what it computed; the host keeps x */
				if (hr != er || ((hf ^ ef) & df) || ((ef ^ fin) & ~ARITH)) {
					if (++bad <= 10)
						printf("  %s.%u %#llx, %#llx flags %#llx: host %#llx flags %#llx, "
						       "insn_alu %#llx flags %#llx\n", ops[o].name, size,
						       (unsigned long long)(a & m), (unsigned long long)(b & m),
						       (unsigned long long)fin, (unsigned long long)hr,
						       (unsigned long long)hf, (unsigned long long)er,
						       (unsigned long long)ef);
				}
			}
		}
	}
	printf("  host: %lu operations compared (13 kinds x 4 sizes), %lu differ\n", compared, bad);
	CHECK(bad == 0);
}

/* Whole instructions through insn_decode and insn_emulate, memory operand at MEM. */
#define MEM 0x4000ULL
static uint8_t mem[16];

static int mem_read(void *ctx, uint64_t la, void *buf, unsigned int size)
{
	if (la < MEM || la + size > MEM + sizeof(mem))
		return -EFAULT;
	memcpy(buf, mem + (la - MEM), size);
	return 0;
}

static int mem_write(void *ctx, uint64_t la, const void *buf, unsigned int size)
{
	if (la < MEM || la + size > MEM + sizeof(mem))
		return -EFAULT;
	memcpy(mem + (la - MEM), buf, size);
	return 0;
}

static const struct insn_ops mem_ops = { mem_read, mem_write, NULL };

enum form { RM_R, R_RM, RM_IMM, RM_IMM8, UNARY, FORM_COUNT };

/*
 * Encodes `kind` of `size` in 64-bit code: [rax] with rbx, or [rax] with an
 * immediate (81/83 or f6/f7 for TEST), or the unary group. Returns the length, 0 if no such form.
 */
static size_t encode(unsigned int kind, unsigned int size, enum form f, uint64_t imm, uint8_t *b)
{
	size_t n = 0;
	bool byte = size == 1, alu = kind >= INSN_ADD && kind <= INSN_CMP;
	unsigned int ext = (kind - INSN_ADD) & 7;

	if (size == 2)
		b[n++] = 0x66;
	if (size == 8)
		b[n++] = 0x48;
	switch (f) {
	case RM_R:
	case R_RM:
		if (alu)
			b[n++] = (uint8_t)((ext << 3) | (f == R_RM ? 2 : 0) | !byte);
		else if (kind == INSN_TEST && f == RM_R)
			b[n++] = byte ? 0x84 : 0x85;
		else
			return 0;
		b[n++] = 0x18;                              /* [rax], ebx */
		return n;
	case RM_IMM:
	case RM_IMM8:
		if (f == RM_IMM8 && (byte || !alu))
			return 0;
		if (alu)
			b[n++] = byte ? 0x80 : f == RM_IMM8 ? 0x83 : 0x81;
		else if (kind == INSN_TEST)
			b[n++] = byte ? 0xf6 : 0xf7, ext = 0;
		else
			return 0;
		b[n++] = (uint8_t)(ext << 3);               /* [rax] */
		for (unsigned int i = 0; i < (f == RM_IMM8 || byte ? 1u : size == 2 ? 2u : 4u); i++)
			b[n++] = (uint8_t)(imm >> (8 * i));
		return n;
	case UNARY:
		if (kind == INSN_NOT || kind == INSN_NEG)
			b[n++] = byte ? 0xf6 : 0xf7, b[n++] = kind == INSN_NOT ? 0x10 : 0x18;
		else if (kind == INSN_INC || kind == INSN_DEC)
			b[n++] = byte ? 0xfe : 0xff, b[n++] = kind == INSN_INC ? 0x00 : 0x08;
		else
			return 0;
		return n;
	default:
		return 0;
	}
}

TEST(emulate_against_host)
{
	unsigned long compared = 0, bad = 0;

	for (size_t o = 0; o < ARRAY_SIZE(ops); o++) {
		for (int s = 0; s < 4; s++) {
			unsigned int size = sizes[s], kind = ops[o].kind;
			uint64_t m = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;

			for (int f = 0; f < FORM_COUNT; f++) {
				for (int i = 0; i < 2000; i++) {
					uint64_t mv = operand(size), rv = operand(size), imm = rng(), fin = flags_in();
					uint64_t hf = fin, hr, mem_after, a, b2, df = defined_flags(kind);
					struct insn_cpu cpu = { .mode = CPU_MODE_64, .rip = 0x1000, .rflags = fin };
					uint8_t code[16];
					size_t n = encode(kind, size, (enum form)f, imm, code);
					struct insn in;

					if (!n)
						break;
					if (insn_decode(code, n, CPU_MODE_64, &in) || in.len != n) {
						printf("  %s.%u form %d: does not decode\n", ops[o].name, size, f);
						bad++;
						break;
					}
					/* the host's operands: imm as the CPU extends it */
					a = f == R_RM ? rv : mv;
					b2 = f == R_RM ? mv : f == RM_R ? rv : in.imm;
					hr = ops[o].fn[s](a, b2, &hf) & m;

					memset(mem, 0, sizeof(mem));
					memcpy(mem, &mv, size);
					cpu.gpr[INSN_REG_RAX] = MEM;
					cpu.gpr[INSN_REG_RBX] = 0x5a5a5a5a5a5a5a5aULL & ~m;
					cpu.gpr[INSN_REG_RBX] |= rv & m;
					compared++;
					if (insn_emulate(&in, &cpu, &mem_ops)) {
						bad++;
						continue;
					}
					mem_after = 0;
					memcpy(&mem_after, mem, size);
					if (f == R_RM && kind != INSN_CMP) {
						/* a 32-bit register destination is zero-extended */
						uint64_t want = size == 4 ? hr : (0x5a5a5a5a5a5a5a5aULL & ~m) | hr;

						if (cpu.gpr[INSN_REG_RBX] != want || mem_after != (mv & m))
							goto differ;
					} else if (kind != INSN_CMP && kind != INSN_TEST) {
						if (mem_after != hr)
							goto differ;
					} else if (mem_after != (mv & m)) {
						goto differ;
					}
					if (((hf ^ cpu.rflags) & df) || cpu.rip != 0x1000 + n)
						goto differ;
					continue;
differ:
					if (++bad <= 10)
						printf("  %s.%u form %d: mem %#llx reg %#llx imm %#llx flags %#llx: "
						       "host %#llx flags %#llx; emulated mem %#llx rbx %#llx flags %#llx\n",
						       ops[o].name, size, f, (unsigned long long)mv,
						       (unsigned long long)rv, (unsigned long long)in.imm,
						       (unsigned long long)fin, (unsigned long long)hr,
						       (unsigned long long)hf, (unsigned long long)mem_after,
						       (unsigned long long)cpu.gpr[INSN_REG_RBX],
						       (unsigned long long)cpu.rflags);
				}
			}
		}
	}
	printf("  host: %lu emulated instructions compared, %lu differ\n", compared, bad);
	CHECK(compared > 200000 && bad == 0);
}

/* The SDM's own statements, independent of the host. */
TEST(flag_definitions)
{
	uint64_t fl = 2;

	CHECK_EQ(insn_alu(INSN_ADD, 1, 0xff, 1, &fl), 0);
	CHECK_EQ(fl, 2 | INSN_RFLAGS_CF | INSN_RFLAGS_ZF | INSN_RFLAGS_AF | INSN_RFLAGS_PF);
	fl = 2;
	CHECK_EQ(insn_alu(INSN_ADD, 4, 0x7fffffff, 1, &fl), 0x80000000);
	CHECK_EQ(fl, 2 | INSN_RFLAGS_OF | INSN_RFLAGS_SF | INSN_RFLAGS_AF | INSN_RFLAGS_PF);
	fl = 2 | INSN_RFLAGS_CF;
	CHECK_EQ(insn_alu(INSN_SBB, 2, 0, 0, &fl), 0xffff);                 /* 0 - 0 - CF */
	CHECK_EQ(fl, 2 | INSN_RFLAGS_CF | INSN_RFLAGS_SF | INSN_RFLAGS_AF | INSN_RFLAGS_PF);
	fl = 2 | INSN_RFLAGS_CF | INSN_RFLAGS_DF;
	CHECK_EQ(insn_alu(INSN_INC, 8, ~0ULL, 0, &fl), 0);                 /* CF kept, DF untouched */
	CHECK_EQ(fl, 2 | INSN_RFLAGS_CF | INSN_RFLAGS_DF | INSN_RFLAGS_ZF | INSN_RFLAGS_AF | INSN_RFLAGS_PF);
	fl = 2 | ARITH;
	CHECK_EQ(insn_alu(INSN_NOT, 2, 0x00ff, 0, &fl), 0xff00);            /* NOT: no flags */
	CHECK_EQ(fl, 2 | ARITH);
	fl = 2 | INSN_RFLAGS_CF | INSN_RFLAGS_OF;
	CHECK_EQ(insn_alu(INSN_XOR, 1, 0x0f, 0x0e, &fl), 1);                /* logic: CF = OF = 0 */
	CHECK_EQ(fl, 2);
	fl = 2;
	CHECK_EQ(insn_alu(INSN_NEG, 1, 0x80, 0, &fl), 0x80);
	CHECK_EQ(fl, 2 | INSN_RFLAGS_CF | INSN_RFLAGS_OF | INSN_RFLAGS_SF);
}
