/* tests/unit/guest/test_insn_mov64.c - the direct path of a kept simple MOV
 * (guest/emul/insn_cache.h: insn_mov64_gpa, insn_mov64_store_val; a load's
 * register written with insn_gpr_write), driven the way guest/dev/emulate.c's
 * emulate_cached_mov drives it: the instruction kept in the cache, found
 * again by its key and bytes, then its access done on a fake device page
 * and its register written. */
#include "tests/unit/check.h"
#include "guest/emul/insn_cache.h"

#define CODE_LA  0x401000ULL               /* where the instruction is */
#define DEV_LA   0xffffc90000002000ULL     /* the device page's linear address */
#define DEV_GPA  0xfed00000ULL             /* and its guest-physical one */

static uint8_t code[4096] __attribute__((aligned(4096)));
static uint8_t dev[4096];
static struct insn_cache cache;
static uint64_t gpr[16];
static uint64_t rip;
static const uint64_t no_pdpte[4];

static void key(struct insn_cache_key *k, uint64_t gen)
{
	insn_cache_key_make(k, rip, CPU_MODE_64, false, gen, GPT_4LEVEL, 0x1000, 1ULL << 5, 1ULL << 10, no_pdpte);
}

/* The instruction in hex, decoded and kept at RIP (code offset 0x100). */
static void keep(const char *hex)
{
	struct insn_cache_walk w = { 0 };
	struct insn_cache_key k;
	unsigned int v, n = 0;
	uint8_t b[16];
	struct insn in;
	int used;

	while (n < sizeof(b) && sscanf(hex, " %2x%n", &v, &used) == 1) {
		b[n++] = (uint8_t)v;
		hex += used;
	}
	memset(code, 0x90, sizeof(code));
	memcpy(code + 0x100, b, n);
	CHECK_EQ(insn_decode(b, n, CPU_MODE_64, &in), 0);
	CHECK_EQ(in.len, n);
	key(&k, 1);
	CHECK(insn_cache_put(&cache, &k, &w, b, code + 0x100, 0x5000100, &in));
}

/* The registers and the device page in a known state, RIP at the code. */
static void setup(void)
{
	memset(&cache, 0, sizeof(cache));
	for (unsigned int i = 0; i < 16; i++)
		gpr[i] = 0x1122334455667788ULL;
	gpr[INSN_REG_RDI] = DEV_LA + 0x40;
	for (unsigned int i = 0; i < sizeof(dev); i++)
		dev[i] = (uint8_t)(0xf0 - 0x11 * (i % 8));   /* f0 df ce bd ac 9b 8a 79 */
	rip = CODE_LA + 0x100;
}

/*
 * What emulate_cached_mov does with the kept instruction at RIP, the exit
 * having been at la in the device page: 1 done (RIP advanced), 0 not done
 * here (a miss, not a simple MOV, an operand outside the exit's page).
 */
static int direct_at(uint64_t la, uint64_t gen)
{
	const struct insn_cache_entry *e;
	struct insn_cache_key k;
	const struct insn *in;
	uint64_t val = 0;
	gpa_t gpa;

	key(&k, gen);
	e = insn_cache_find(&cache, &k);
	if (!e || !e->mov64)
		return 0;
	in = &e->insn;
	if (!insn_mov64_gpa(in, gpr, rip, la, DEV_GPA, &gpa))
		return 0;
	CHECK(gpa >= DEV_GPA && gpa + in->dst.size <= DEV_GPA + sizeof(dev));
	if (in->dst.type == INSN_OPND_MEM) {
		val = insn_mov64_store_val(in, gpr);
		memcpy(dev + (gpa - DEV_GPA), &val, in->dst.size);
	} else {
		memcpy(&val, dev + (gpa - DEV_GPA), in->dst.size);
		(void)insn_gpr_write(gpr, in->dst.reg, in->dst.size, val);   /* as mov64_direct */
	}
	rip += in->len;
	return 1;
}

static int direct(void)
{
	return direct_at(DEV_LA, 1);
}

static uint64_t dev_at(unsigned int off, unsigned int size)
{
	uint64_t v = 0;

	memcpy(&v, dev + off, size);
	return v;
}

TEST(loads_of_each_size_write_the_register_as_the_cpu_does)
{
	static const struct { const char *hex; unsigned int reg; uint64_t want; } t[] = {
		{ "8a 07",    INSN_REG_RAX, 0x11223344556677f0ULL },   /* mov (%rdi),%al: bits 63:8 kept */
		{ "66 8b 07", INSN_REG_RAX, 0x112233445566dff0ULL },   /* mov (%rdi),%ax: bits 63:16 kept */
		{ "8b 07",    INSN_REG_RAX, 0x00000000bdcedff0ULL },   /* mov (%rdi),%eax: zero-extended */
		{ "48 8b 07", INSN_REG_RAX, 0x798a9bacbdcedff0ULL },   /* mov (%rdi),%rax */
		{ "44 8b 07", INSN_REG_R8,  0x00000000bdcedff0ULL },   /* mov (%rdi),%r8d */
		{ "44 8a 3f", INSN_REG_R15, 0x11223344556677f0ULL },   /* mov (%rdi),%r15b */
		{ "8b 0f",    INSN_REG_RCX, 0x00000000bdcedff0ULL },   /* mov (%rdi),%ecx */
	};

	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		setup();
		keep(t[i].hex);
		CHECK_EQ(direct(), 1);
		if (gpr[t[i].reg] != t[i].want)
			printf("  %s: reg %u = 0x%llx\n", t[i].hex, t[i].reg, (unsigned long long)gpr[t[i].reg]);
		CHECK_EQ(gpr[t[i].reg], t[i].want);
		CHECK_EQ(rip, CODE_LA + 0x100 + strlen(t[i].hex) / 3 + 1);
		CHECK_EQ(gpr[INSN_REG_RDI], DEV_LA + 0x40);          /* the address register untouched */
		CHECK_EQ(dev_at(0x40, 8), 0x798a9bacbdcedff0ULL);    /* a load writes nothing */
	}
}

TEST(high_byte_registers_without_rex)
{
	setup();
	keep("8a 27");                                       /* mov (%rdi),%ah */
	CHECK_EQ(direct(), 1);
	CHECK_EQ(gpr[INSN_REG_RAX], 0x112233445566f088ULL);
	setup();
	gpr[INSN_REG_RBX] = 0xa5c3;
	keep("88 3f");                                       /* mov %bh,(%rdi) */
	CHECK_EQ(direct(), 1);
	CHECK_EQ(dev_at(0x40, 2), 0xdfa5);                   /* one byte stored, the next kept */
	setup();
	gpr[INSN_REG_RSI] = 0x5a;
	keep("40 88 37");                                    /* with REX, 6 is %sil, not %dh */
	CHECK_EQ(direct(), 1);
	CHECK_EQ(dev_at(0x40, 2), 0xdf5a);
	setup();
	keep("40 8a 27");                                    /* with REX, 4 is %spl: RSP, not direct */
	CHECK_EQ(direct(), 0);
	CHECK_EQ(rip, CODE_LA + 0x100);
}

TEST(stores_of_each_size_from_a_register)
{
	static const struct { const char *hex; unsigned int size; } t[] = {
		{ "88 07", 1 }, { "66 89 07", 2 }, { "89 07", 4 }, { "48 89 07", 8 },
	};

	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t want = t[i].size == 8 ? 0x1122334455667788ULL :
				0x1122334455667788ULL & ((1ULL << (8 * t[i].size)) - 1);

		setup();
		keep(t[i].hex);
		CHECK_EQ(direct(), 1);
		CHECK_EQ(dev_at(0x40, t[i].size), want);
		/* Nothing past the operand's size. */
		CHECK_EQ(dev[0x40 + t[i].size], (uint8_t)(0xf0 - 0x11 * (t[i].size % 8)));
		CHECK_EQ(gpr[INSN_REG_RAX], 0x1122334455667788ULL);
	}
}

TEST(stores_of_immediates_sign_extended_as_the_cpu_does)
{
	setup();
	keep("c6 07 80");                                    /* movb $0x80,(%rdi) */
	CHECK_EQ(direct(), 1);
	CHECK_EQ(dev_at(0x40, 2), 0xdf80);
	setup();
	keep("66 c7 07 34 92");                              /* movw $0x9234,(%rdi) */
	CHECK_EQ(direct(), 1);
	CHECK_EQ(dev_at(0x40, 4), 0xbdce9234);
	setup();
	keep("c7 07 78 56 34 92");                           /* movl $0x92345678,(%rdi) */
	CHECK_EQ(direct(), 1);
	CHECK_EQ(dev_at(0x40, 8), 0x798a9bac92345678ULL);
	setup();
	keep("48 c7 07 00 00 00 80");                        /* movq $-0x80000000,(%rdi): imm32 sign-extended */
	CHECK_EQ(direct(), 1);
	CHECK_EQ(dev_at(0x40, 8), 0xffffffff80000000ULL);
	setup();
	keep("48 c7 07 ff ff ff 7f");
	CHECK_EQ(direct(), 1);
	CHECK_EQ(dev_at(0x40, 8), 0x000000007fffffffULL);
}

TEST(effective_addresses)
{
	setup();
	/* mov 0x20(%rip),%eax: from the next instruction's address. */
	rip = DEV_LA + 0x300 - 0x20 - 6;
	keep("8b 05 20 00 00 00");
	CHECK_EQ(direct(), 1);
	CHECK_EQ(gpr[INSN_REG_RAX], dev_at(0x300, 4));

	setup();
	/* mov 0x8(%rsi,%rcx,4),%eax */
	gpr[INSN_REG_RSI] = DEV_LA + 0x100;
	gpr[INSN_REG_RCX] = 0x10;
	dev[0x148] = 0x42;
	keep("8b 44 8e 08");
	CHECK_EQ(direct(), 1);
	CHECK_EQ(gpr[INSN_REG_RAX], dev_at(0x148, 4));
	CHECK_EQ(gpr[INSN_REG_RAX] & 0xff, 0x42);

	setup();
	/* mov (%edi),%eax: a 32-bit address drops bits 63:32 of RDI. */
	gpr[INSN_REG_RDI] = 0xdead000000000000ULL | 0xfee00080ULL;
	keep("67 8b 07");
	CHECK_EQ(direct_at(0xfee00000, 1), 1);
	CHECK_EQ(gpr[INSN_REG_RAX], dev_at(0x80, 4));

	setup();
	/* mov %eax,0xfee000f0: the absolute form (moffs). */
	gpr[INSN_REG_RAX] = 0xcafe;
	keep("a3 f0 00 e0 fe 00 00 00 00");
	CHECK_EQ(direct_at(0xfee00000, 1), 1);
	CHECK_EQ(dev_at(0xf0, 4), 0xcafe);
}

TEST(operand_outside_the_exits_page_is_not_done_here)
{
	struct insn in;
	gpa_t gpa = 0;

	setup();
	keep("8b 07");
	/* The exit was in another page than the operand's address. */
	CHECK_EQ(direct_at(DEV_LA + 4096, 1), 0);
	CHECK_EQ(rip, CODE_LA + 0x100);
	CHECK_EQ(gpr[INSN_REG_RAX], 0x1122334455667788ULL);
	/* The operand crosses the page's end: two pages, the general path's. */
	gpr[INSN_REG_RDI] = DEV_LA + 4094;
	CHECK_EQ(direct(), 0);
	gpr[INSN_REG_RDI] = DEV_LA + 4092;
	CHECK_EQ(direct(), 1);
	CHECK_EQ(gpr[INSN_REG_RAX], dev_at(4092, 4));
	CHECK_EQ(rip, CODE_LA + 0x102);
	/* The exit's address anywhere in the page; the GPA keeps the operand's offset. */
	gpr[INSN_REG_RDI] = DEV_LA + 0x123;
	CHECK_EQ(insn_decode(code + 0x100, 2, CPU_MODE_64, &in), 0);
	CHECK(insn_mov64_gpa(&in, gpr, rip, DEV_LA + 0xff8, DEV_GPA + 0x777, &gpa));
	CHECK_EQ(gpa, DEV_GPA + 0x123);
}

TEST(mismatching_entries_are_rejected)
{
	setup();
	keep("8b 07");
	/* Another map generation: the key differs. */
	CHECK_EQ(direct_at(DEV_LA, 2), 0);
	/* Another RIP: another key (and maybe another way). */
	rip += 0x10;
	CHECK_EQ(direct(), 0);
	rip -= 0x10;
	/* The code rewritten since it was kept: mov became add. */
	code[0x100] = 0x03;
	CHECK_EQ(direct(), 0);
	CHECK_EQ(gpr[INSN_REG_RAX], 0x1122334455667788ULL);
	/* Written back as it was: the same bytes hit again. */
	code[0x100] = 0x8b;
	CHECK_EQ(direct(), 1);
	CHECK_EQ(gpr[INSN_REG_RAX], 0x00000000bdcedff0ULL);

	/* Kept, found, but not a simple MOV: left to the general path. */
	setup();
	keep("0f b6 07");                                    /* movzbl (%rdi),%eax */
	CHECK_EQ(direct(), 0);
	CHECK_EQ(cache.hits, 1);
	CHECK_EQ(gpr[INSN_REG_RAX], 0x1122334455667788ULL);
	setup();
	keep("65 8b 07");                                    /* mov %gs:(%rdi),%eax */
	CHECK_EQ(direct(), 0);
	CHECK_EQ(cache.hits, 1);
}
