/* tests/unit/guest/test_insn_cache.c - the decoded-instruction cache
 * (guest/emul/insn_cache.c) over hand-built guest page tables in a fake guest
 * RAM, used the way guest/dev/emulate.c uses it: a hit only while the key,
 * every paging-structure entry of the walk and the code bytes are what they
 * were, and then exactly what a fresh walk, fetch and decode gives. */
#include "tests/unit/check.h"
#include "guest/emul/insn_cache.h"
#include "guest/emul/insn_emulate.h"

#define RAM_SIZE (64 * 4096ULL)
#define P  (1ULL << 0)
#define W  (1ULL << 1)
#define U  (1ULL << 2)
#define A  (1ULL << 5)
#define PS (1ULL << 7)
#define XD (1ULL << 63)
#define UPPER (P | W | U)

static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static gpa_t next_page;
static struct gpt_cpu cpu;
static struct insn_cache cache;
static uint64_t gen = 1;
static enum cpu_mode code_mode = CPU_MODE_64;
static bool user;

static int fake_read(void *ctx, gpa_t pa, uint64_t *v)
{
	if (pa >= RAM_SIZE || RAM_SIZE - pa < 8)
		return -EFAULT;
	memcpy(v, ram + pa, 8);
	return 0;
}

static int fake_write(void *ctx, gpa_t pa, uint64_t v)
{
	if (pa >= RAM_SIZE || RAM_SIZE - pa < 8)
		return -EFAULT;
	memcpy(ram + pa, &v, 8);
	return 0;
}

static const struct gpt_mem mem = { fake_read, fake_write, NULL };

static uint64_t get64(gpa_t a) { uint64_t v; memcpy(&v, ram + a, 8); return v; }
static void set64(gpa_t a, uint64_t v) { memcpy(ram + a, &v, 8); }
static void set32(gpa_t a, uint32_t v) { memcpy(ram + a, &v, 4); }

static gpa_t new_page(void)
{
	gpa_t p = next_page;

	next_page += 4096;
	return p;
}

/* 4-level paging, CR3 at a fresh PML4, the cache empty. */
static void setup(void)
{
	memset(ram, 0, sizeof(ram));
	memset(&cache, 0, sizeof(cache));
	next_page = 4096;
	cpu = (struct gpt_cpu){
		.cr0 = GPT_CR0_PG | GPT_CR0_WP, .cr4 = GPT_CR4_PAE,
		.efer = GPT_EFER_LMA | GPT_EFER_NXE, .maxphyaddr = 39,
	};
	cpu.cr3 = new_page();
	gen = 1;
	code_mode = CPU_MODE_64;
	user = false;
}

/* Maps the 4 KiB page at va to pa under the 4-level tables at cr3 (upper
 * tables made as needed); returns the PTE's address. */
static gpa_t map4(uint64_t cr3, uint64_t va, gpa_t pa, uint64_t flags)
{
	gpa_t table = cr3;

	for (unsigned int lvl = 4; lvl > 1; lvl--) {
		gpa_t slot = table + ((va >> (12 + 9 * (lvl - 1))) & 511) * 8;

		if (!(get64(slot) & P))
			set64(slot, new_page() | UPPER);
		table = get64(slot) & 0x7ffffff000ULL;
	}
	set64(table + ((va >> 12) & 511) * 8, pa | flags);
	return table + ((va >> 12) & 511) * 8;
}

/* What emulate.c does: a hit, or walk + fetch + decode (+ put). Returns 1
 * for a hit, 0 for a miss decoded fresh, -1 if the walk or decode failed;
 * *out is the instruction either way. */
static int lookup(uint64_t la, struct insn *out)
{
	struct insn_cache_key k;
	const struct insn_cache_entry *e;
	struct gpt_result r;
	const void *ptr[INSN_CACHE_LEVELS] = { NULL };
	struct insn_cache_walk w;
	unsigned int access = GPT_ACCESS_FETCH | (user ? GPT_ACCESS_USER : 0);
	unsigned int first = (unsigned int)(4096 - (la & 4095));

	insn_cache_key_of(&cpu, la, code_mode, user, gen, &k);
	e = insn_cache_find(&cache, &k);
	if (e) {
		*out = e->insn;
		return 1;
	}
	if (gpt_translate(&cpu, &mem, la, access, &r))
		return -1;
	if (first > INSN_MAX_LEN)
		first = INSN_MAX_LEN;
	if (insn_decode(ram + r.gpa, first, code_mode, out))
		return -1;
	for (unsigned int i = 0; i < r.levels; i++)
		ptr[i] = ram + r.entry_addrs[i];
	insn_cache_walk_of(&r, ptr, &w);
	(void)insn_cache_put(&cache, &k, &w, ram + r.gpa, ram + r.gpa, r.gpa, out);
	return 0;
}

/* The fresh decode at la, for comparing with a hit. */
static int fresh(uint64_t la, struct insn *out)
{
	struct gpt_result r;

	if (gpt_translate(&cpu, &mem, la, GPT_ACCESS_FETCH | (user ? GPT_ACCESS_USER : 0), &r))
		return -1;
	return insn_decode(ram + r.gpa, INSN_MAX_LEN, code_mode, out);
}

#define VA 0x400000ULL
/* mov (%rdi),%eax; mov %eax,(%rdi) */
static const uint8_t load[] = { 0x8b, 0x07 }, store[] = { 0x89, 0x07 };

/* One code page at VA, its PTE's address returned, the bytes at offset off. */
static gpa_t code_page(gpa_t *page, unsigned int off, const uint8_t *b, unsigned int n)
{
	*page = new_page();
	memcpy(ram + *page + off, b, n);
	return map4(cpu.cr3, VA, *page, P | W);
}

/* A fresh CPU and cache, `load` at VA + off; its PTE's address returned. */
static gpa_t load_at(gpa_t *page, unsigned int off)
{
	setup();
	return code_page(page, off, load, sizeof(load));
}

TEST(hit_after_a_miss_gives_the_fresh_decode)
{
	struct insn a, b, f;
	gpa_t page;

	load_at(&page, 0x10);
	CHECK_EQ(lookup(VA + 0x10, &a), 0);
	CHECK_EQ(lookup(VA + 0x10, &b), 1);
	CHECK_EQ(fresh(VA + 0x10, &f), 0);
	CHECK(!memcmp(&b, &f, sizeof(f)));
	CHECK_EQ(b.kind, INSN_MOV);
	CHECK_EQ(b.len, 2);
	CHECK_EQ(cache.hits, 1);
	CHECK_EQ(cache.misses, 1);
}

TEST(changed_code_bytes_miss)
{
	struct insn a;
	gpa_t page;

	load_at(&page, 0x10);
	CHECK_EQ(lookup(VA + 0x10, &a), 0);
	memcpy(ram + page + 0x10, store, sizeof(store));
	CHECK_EQ(lookup(VA + 0x10, &a), 0);
	CHECK(a.dst.type == INSN_OPND_MEM);         /* the store, decoded again */
	CHECK_EQ(lookup(VA + 0x10, &a), 1);
	/* A byte past the instruction is not part of it. */
	ram[page + 0x12] ^= 0xff;
	CHECK_EQ(lookup(VA + 0x10, &a), 1);
}

TEST(code_near_the_page_end_is_compared_bytewise)
{
	struct insn a;
	gpa_t page;

	load_at(&page, 4094);
	CHECK_EQ(lookup(VA + 4094, &a), 0);
	CHECK_EQ(lookup(VA + 4094, &a), 1);
	ram[page + 4095] = 0x0f;                    /* mov (%rdi),%eax -> mov (%rdi),%ecx */
	CHECK_EQ(lookup(VA + 4094, &a), 0);
}

TEST(changed_mode_cr3_user_smep_nxe_or_map_generation_miss)
{
	struct insn a;
	gpa_t page;
	uint64_t cr3 = 0;

	load_at(&page, 0x20);
	CHECK_EQ(lookup(VA + 0x20, &a), 0);
	CHECK_EQ(lookup(VA + 0x20, &a), 1);
	code_mode = CPU_MODE_32;                    /* CS.L changed: decoded for 32-bit code */
	cpu.efer &= ~GPT_EFER_LMA;                  /* (no longer IA-32e: PAE paging) */
	cpu.pdpte[0] = 0;
	CHECK(lookup(VA + 0x20, &a) <= 0);
	load_at(&page, 0x20);
	CHECK_EQ(lookup(VA + 0x20, &a), 0);
	/* Another address space mapping the same code page at the same address. */
	cr3 = new_page();
	map4(cr3, VA, page, P | W);
	cpu.cr3 = cr3;
	CHECK_EQ(lookup(VA + 0x20, &a), 0);
	CHECK_EQ(lookup(VA + 0x20, &a), 1);
	cpu.cr4 |= GPT_CR4_SMEP;
	CHECK_EQ(lookup(VA + 0x20, &a), 0);
	cpu.efer &= ~GPT_EFER_NXE;
	CHECK_EQ(lookup(VA + 0x20, &a), 0);
	gen++;                                      /* the guest memory map changed */
	CHECK_EQ(lookup(VA + 0x20, &a), 0);
	CHECK_EQ(lookup(VA + 0x20, &a), 1);
	user = true;                                /* a user fetch: the page is supervisor-only */
	CHECK_EQ(lookup(VA + 0x20, &a), -1);
}

TEST(changed_translation_misses_and_follows_the_new_page)
{
	struct insn a;
	gpa_t page, other, pte;

	pte = load_at(&page, 0x30);
	CHECK_EQ(lookup(VA + 0x30, &a), 0);
	CHECK_EQ(lookup(VA + 0x30, &a), 1);
	other = new_page();
	memcpy(ram + other + 0x30, store, sizeof(store));
	set64(pte, other | P | W | A);              /* remapped: same VA, other code */
	CHECK_EQ(lookup(VA + 0x30, &a), 0);
	CHECK(a.dst.type == INSN_OPND_MEM);
	CHECK_EQ(lookup(VA + 0x30, &a), 1);
	/* Made not present: the walk faults, never a stale hit. */
	set64(pte, 0);
	CHECK_EQ(lookup(VA + 0x30, &a), -1);
}

TEST(every_level_of_the_walk_is_checked)
{
	struct insn a;
	gpa_t page;
	gpa_t slots[4];
	gpa_t table = 0;

	load_at(&page, 0x40);
	CHECK_EQ(lookup(VA + 0x40, &a), 0);
	table = cpu.cr3;
	for (unsigned int lvl = 4; lvl >= 1; lvl--) {
		slots[4 - lvl] = table + ((VA >> (12 + 9 * (lvl - 1))) & 511) * 8;
		table = get64(slots[4 - lvl]) & 0x7ffffff000ULL;
	}
	for (unsigned int i = 0; i < 4; i++) {
		uint64_t e = get64(slots[i]);

		/* The walk set the accessed flags: the entries read back as kept. */
		CHECK(e & A);
		CHECK_EQ(lookup(VA + 0x40, &a), 1);
		set64(slots[i], e | XD);            /* now a fetch from there faults */
		CHECK_EQ(lookup(VA + 0x40, &a), -1);
		set64(slots[i], e);                 /* as it was: the kept walk holds again */
		CHECK_EQ(lookup(VA + 0x40, &a), 1);
	}
	/* A cleared accessed flag is a change too (the walk would set it again). */
	set64(slots[3], get64(slots[3]) & ~A);
	CHECK_EQ(lookup(VA + 0x40, &a), 0);
	CHECK_EQ(lookup(VA + 0x40, &a), 1);
}

TEST(pae_pdpte_register_is_in_the_key)
{
	struct insn a;
	gpa_t pd, pt, page;

	setup();
	cpu.efer = GPT_EFER_NXE;                    /* PAE paging */
	code_mode = CPU_MODE_32;
	pd = new_page();
	pt = new_page();
	page = new_page();
	cpu.pdpte[0] = pd | P;
	set64(pd + ((VA >> 21) & 511) * 8, pt | P | W);
	set64(pt + ((VA >> 12) & 511) * 8, page | P | W);
	memcpy(ram + page + 0x50, load, sizeof(load));
	CHECK_EQ(lookup(VA + 0x50, &a), 0);
	CHECK_EQ(lookup(VA + 0x50, &a), 1);
	cpu.pdpte[0] = pd | P | (1ULL << 9);        /* an ignored bit: still a new key */
	CHECK_EQ(lookup(VA + 0x50, &a), 0);
	CHECK_EQ(lookup(VA + 0x50, &a), 1);
	cpu.pdpte[1] = 0;                           /* another quarter's PDPTE is not this one's */
	CHECK_EQ(lookup(VA + 0x50, &a), 1);
}

TEST(paging_32bit_compares_the_4_byte_entries)
{
	struct insn a;
	gpa_t pd, pt, page;

	setup();
	cpu.cr4 = 0;
	cpu.efer = 0;
	code_mode = CPU_MODE_32;
	pd = new_page();
	pt = new_page();
	page = new_page();
	cpu.cr3 = pd;
	set32(pd + (VA >> 22) * 4, (uint32_t)(pt | P | W));
	set32(pt + ((VA >> 12) & 1023) * 4, (uint32_t)(page | P | W));
	memcpy(ram + page + 0x60, load, sizeof(load));
	CHECK_EQ(lookup(VA + 0x60, &a), 0);
	CHECK_EQ(lookup(VA + 0x60, &a), 1);
	/* The neighbouring PTE in the same quadword: not part of the walk. */
	set32(pt + (((VA >> 12) & 1023) ^ 1) * 4, 0x12345001);
	CHECK_EQ(lookup(VA + 0x60, &a), 1);
	set32(pt + ((VA >> 12) & 1023) * 4, (uint32_t)(page | P | A));   /* W cleared */
	CHECK_EQ(lookup(VA + 0x60, &a), 0);
	cpu.cr4 = GPT_CR4_PSE;
	CHECK_EQ(lookup(VA + 0x60, &a), 0);
}

TEST(instructions_across_a_page_end_are_not_kept)
{
	struct insn in;
	struct insn_cache_key k;
	struct insn_cache_walk w = { 0 };
	uint8_t b[] = { 0x8b, 0x07 };

	setup();
	memcpy(ram + 4094, b, sizeof(b));
	CHECK_EQ(insn_decode(b, sizeof(b), CPU_MODE_64, &in), 0);
	insn_cache_key_of(&cpu, VA + 4095, CPU_MODE_64, false, gen, &k);
	CHECK(!insn_cache_put(&cache, &k, &w, b, ram + 4095, 4095, &in));
	insn_cache_key_of(&cpu, VA + 4094, CPU_MODE_64, false, gen, &k);
	CHECK(insn_cache_put(&cache, &k, &w, b, ram + 4094, 4094, &in));
	CHECK(insn_cache_find(&cache, &k) != NULL);
	/* Decoded for 64-bit code, kept under a 32-bit key: refused (insn_check). */
	insn_cache_key_of(&cpu, VA + 0x100, CPU_MODE_32, false, gen, &k);
	CHECK(!insn_cache_put(&cache, &k, &w, b, ram + 0x100, 0x100, &in));
	insn_cache_clear(&cache);
	insn_cache_key_of(&cpu, VA + 4094, CPU_MODE_64, false, gen, &k);
	CHECK(insn_cache_find(&cache, &k) == NULL);
}

TEST(the_kept_bytes_are_the_decoded_ones)
{
	struct insn in;
	struct insn_cache_key k;
	struct insn_cache_walk w = { 0 };
	uint8_t decoded[] = { 0x8b, 0x07 };

	/* The code changed between the fetch and the put: the entry must not match it. */
	setup();
	memcpy(ram, store, sizeof(store));
	CHECK_EQ(insn_decode(decoded, sizeof(decoded), CPU_MODE_64, &in), 0);
	insn_cache_key_of(&cpu, VA, CPU_MODE_64, false, gen, &k);
	CHECK(insn_cache_put(&cache, &k, &w, decoded, ram, 0, &in));
	CHECK(insn_cache_find(&cache, &k) == NULL);
}

TEST(segments_used)
{
	struct insn in;
	const uint8_t movs[] = { 0xa5 }, lods_fs[] = { 0x64, 0xac }, stos[] = { 0xaa },
		      mov_gs[] = { 0x65, 0x8b, 0x07 }, mov_bp[] = { 0x8b, 0x45, 0x00 };

	CHECK_EQ(insn_decode(movs, sizeof(movs), CPU_MODE_32, &in), 0);
	CHECK_EQ(insn_segs_used(&in), (1u << INSN_SEG_ES) | (1u << INSN_SEG_DS));
	CHECK_EQ(insn_decode(lods_fs, sizeof(lods_fs), CPU_MODE_32, &in), 0);
	CHECK(insn_segs_used(&in) & (1u << INSN_SEG_FS));
	CHECK(!(insn_segs_used(&in) & (1u << INSN_SEG_ES)));
	CHECK_EQ(insn_decode(stos, sizeof(stos), CPU_MODE_32, &in), 0);
	CHECK_EQ(insn_segs_used(&in), 1u << INSN_SEG_ES);
	CHECK_EQ(insn_decode(mov_gs, sizeof(mov_gs), CPU_MODE_64, &in), 0);
	CHECK_EQ(insn_segs_used(&in), 1u << INSN_SEG_GS);
	CHECK_EQ(insn_decode(mov_bp, sizeof(mov_bp), CPU_MODE_32, &in), 0);
	CHECK_EQ(insn_segs_used(&in), 1u << INSN_SEG_SS);
}

TEST(mov64_simple_only_for_plain_moves_in_64_bit_code)
{
	struct insn in;
	static const struct { const char *what; uint8_t b[8]; unsigned int n; enum cpu_mode m; bool simple; } t[] = {
		{ "mov (%rdi),%eax", { 0x8b, 0x07 }, 2, CPU_MODE_64, true },
		{ "mov %eax,(%rdi)", { 0x89, 0x07 }, 2, CPU_MODE_64, true },
		{ "mov %ah,(%rdi)", { 0x88, 0x27 }, 2, CPU_MODE_64, true },
		{ "movl $1,(%rdi)", { 0xc7, 0x07, 1, 0, 0, 0 }, 6, CPU_MODE_64, true },
		{ "mov 0x10(%rip),%rax", { 0x48, 0x8b, 0x05, 0x10, 0, 0, 0 }, 7, CPU_MODE_64, true },
		{ "mov (%rdi),%eax in 32-bit code", { 0x8b, 0x07 }, 2, CPU_MODE_32, false },
		{ "mov %fs:(%rdi),%eax", { 0x64, 0x8b, 0x07 }, 3, CPU_MODE_64, false },
		{ "mov (%rsp),%eax", { 0x8b, 0x04, 0x24 }, 3, CPU_MODE_64, false },
		{ "mov (%rdi),%esp", { 0x8b, 0x27 }, 2, CPU_MODE_64, false },
		{ "mov %rsp,(%rdi)", { 0x48, 0x89, 0x27 }, 3, CPU_MODE_64, false },
		{ "movzbl (%rdi),%eax", { 0x0f, 0xb6, 0x07 }, 3, CPU_MODE_64, false },
		{ "add (%rdi),%eax", { 0x03, 0x07 }, 2, CPU_MODE_64, false },
		{ "mov %eax,%ecx", { 0x89, 0xc1 }, 2, CPU_MODE_64, false },
	};

	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK_EQ(insn_decode(t[i].b, t[i].n, t[i].m, &in), 0);
		if (insn_mov64_simple(&in) != t[i].simple)
			printf("  %s: simple %d\n", t[i].what, !t[i].simple);
		CHECK_EQ(insn_mov64_simple(&in), t[i].simple);
	}
}

TEST(gpr_write_follows_the_cpu)
{
	uint64_t gpr[16];

	for (unsigned int i = 0; i < 16; i++)
		gpr[i] = 0x1122334455667788ULL;
	CHECK_EQ(insn_gpr_write(gpr, INSN_REG_RAX, 4, 0xaabbccdd), INSN_REG_RAX);
	CHECK_EQ(gpr[INSN_REG_RAX], 0xaabbccddULL);                     /* zero-extended */
	insn_gpr_write(gpr, INSN_REG_RCX, 2, 0xeeff);
	CHECK_EQ(gpr[INSN_REG_RCX], 0x112233445566eeffULL);
	insn_gpr_write(gpr, INSN_REG_RDX, 1, 0x99);
	CHECK_EQ(gpr[INSN_REG_RDX], 0x1122334455667799ULL);
	CHECK_EQ(insn_gpr_write(gpr, INSN_REG_BH, 1, 0x42), INSN_REG_RBX);
	CHECK_EQ(gpr[INSN_REG_RBX], 0x1122334455664288ULL);
	CHECK_EQ(insn_gpr_read(gpr, INSN_REG_BH, 1), 0x42);
	CHECK_EQ(insn_gpr_read(gpr, INSN_REG_RCX, 2), 0xeeff);
	insn_gpr_write(gpr, INSN_REG_R15, 8, 0x8000000000000001ULL);
	CHECK_EQ(gpr[INSN_REG_R15], 0x8000000000000001ULL);
}
