/* tests/unit/guest/test_gpt_walk.c - gpt_translate over hand-built guest page tables in a
 * fake guest RAM, every paging mode, every fault and its SDM 4.7 error code. */
#include "tests/unit/check.h"
#include "guest/emul/gpt_walk.h"

#define RAM_SIZE   (96 * 4096ULL)   /* guest RAM is [0, RAM_SIZE) */

#define P   (1ULL << 0)
#define W   (1ULL << 1)
#define U   (1ULL << 2)
#define A   (1ULL << 5)
#define D   (1ULL << 6)
#define PS  (1ULL << 7)
#define XD  (1ULL << 63)
#define UPPER (P | W | U)           /* non-leaf entries grant everything unless a test says otherwise */

#define RD     0u
#define WR     GPT_ACCESS_WRITE
#define USR    GPT_ACCESS_USER
#define EXE    GPT_ACCESS_FETCH
#define IMPL   GPT_ACCESS_IMPLICIT

static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static struct {
	unsigned int writes;            /* write64 calls that succeeded */
	unsigned int unaligned;         /* accesses not 8-byte aligned: the walker must not make any */
	bool fail_writes;               /* write64 returns -EFAULT (ROM-like tables) */
} fm;
static gpa_t next_page;
static struct gpt_cpu cpu;
static struct gpt_result res;

/* The quadword at pa lies in guest RAM; counts misaligned accesses. */
static bool in_ram(gpa_t pa)
{
	fm.unaligned += (pa & 7) != 0;
	return pa < RAM_SIZE && RAM_SIZE - pa >= 8;
}

static int fake_read(void *ctx, gpa_t pa, uint64_t *v)
{
	if (!in_ram(pa))
		return -EFAULT;
	memcpy(v, ram + pa, 8);
	return 0;
}

static int fake_write(void *ctx, gpa_t pa, uint64_t v)
{
	if (!in_ram(pa) || fm.fail_writes)
		return -EFAULT;
	memcpy(ram + pa, &v, 8);
	fm.writes++;
	return 0;
}

static const struct gpt_mem mem = { fake_read, fake_write, NULL };

static uint64_t get64(gpa_t a) { uint64_t v; memcpy(&v, ram + a, 8); return v; }
static void set64(gpa_t a, uint64_t v) { memcpy(ram + a, &v, 8); }
static uint32_t get32(gpa_t a) { uint32_t v; memcpy(&v, ram + a, 4); return v; }
static void set32(gpa_t a, uint32_t v) { memcpy(ram + a, &v, 4); }

static gpa_t new_page(void)
{
	gpa_t p = next_page;

	next_page += 4096;
	if (next_page > RAM_SIZE) {
		fprintf(stderr, "fake guest RAM full\n");
		exit(2);
	}
	return p;
}

/* Fresh RAM and a CPU in `mode`: CR0.WP = 1, EFER.NXE = 1 where it exists,
 * MAXPHYADDR 39, CPL 0, CR3 pointing at an empty top-level table. */
static void setup(enum gpt_mode mode)
{
	memset(ram, 0, sizeof(ram));
	memset(&fm, 0, sizeof(fm));
	memset(&cpu, 0, sizeof(cpu));
	next_page = 0x1000;
	cpu.maxphyaddr = 39;
	cpu.cr0 = 0x11;                                        /* PE, ET */
	if (mode != GPT_NONE)
		cpu.cr0 |= GPT_CR0_PG | GPT_CR0_WP;
	if (mode == GPT_32BIT)
		cpu.cr4 = GPT_CR4_PSE;
	if (mode >= GPT_PAE) {
		cpu.cr4 = GPT_CR4_PAE;
		cpu.efer = GPT_EFER_NXE;
	}
	if (mode >= GPT_4LEVEL)
		cpu.efer |= GPT_EFER_LMA | (1ULL << 8);        /* LMA, LME */
	if (mode == GPT_5LEVEL)
		cpu.cr4 |= GPT_CR4_LA57;
	cpu.cr3 = new_page();
}

static int tr(gva_t va, unsigned int access)
{
	return gpt_translate(&cpu, &mem, va, access, &res);
}

/* Expects a page fault with exactly error code `ec` after `levels` entries, and no A/D writes. */
#define CHECK_PF(va, access, ec, lv) do {                                   \
		unsigned int w0_ = fm.writes;                               \
		CHECK_EQ(tr((va), (access)), -ENOENT);                      \
		CHECK_EQ(res.pf_error, (ec));                               \
		CHECK_EQ(res.levels, (lv));                                 \
		CHECK_EQ(res.gpa, INVALID_GPA);                             \
		CHECK_EQ(fm.writes, w0_);                                   \
	} while (0)

/* Expects a translation to gpa_ in a page of `size` after `lv` entries. */
#define CHECK_MAP(va, access, gpa_, size, lv) do {                          \
		CHECK_EQ(tr((va), (access)), 0);                            \
		CHECK_EQ(res.gpa, (gpa_));                                  \
		CHECK_EQ(res.page_size, (size));                            \
		CHECK_EQ(res.levels, (lv));                                 \
	} while (0)

/* The A and D bits of the entry at a. */
#define AD64(a) (get64(a) & (A | D))
#define AD32(a) (get32(a) & (A | D))

/*
 * Maps va in 8-byte-entry tables under `root` (top level `top`: 5, 4, or 2 for
 * PAE) with the leaf at `leaf` (3: 1 GiB, 2: 2 MiB, 1: 4 KiB); missing tables
 * are added with UPPER rights. Returns the leaf entry's address.
 */
static gpa_t map64(gpa_t root, unsigned int top, uint64_t va, uint64_t pa, unsigned int leaf,
		   uint64_t flags)
{
	gpa_t table = root, ea;
	unsigned int lvl;

	for (lvl = top; lvl > leaf; lvl--) {
		ea = table + ((va >> (12 + 9 * (lvl - 1))) & 511) * 8;
		if (!(get64(ea) & P))
			set64(ea, new_page() | UPPER);
		table = get64(ea) & 0x000ffffffffff000ULL;
	}
	ea = table + ((va >> (12 + 9 * (leaf - 1))) & 511) * 8;
	set64(ea, pa | flags | (leaf > 1 ? PS : 0));
	return ea;
}

static gpa_t map4(uint64_t va, uint64_t pa, unsigned int leaf, uint64_t flags)
{
	return map64(cpu.cr3, cpu.cr4 & GPT_CR4_LA57 ? 5 : 4, va, pa, leaf, flags);
}

/* PAE: PDPTE register i points at a fresh PD; returns the leaf entry's address. */
static gpa_t map_pae(uint32_t va, uint64_t pa, unsigned int leaf, uint64_t flags)
{
	unsigned int i = va >> 30;

	if (!(cpu.pdpte[i] & P))
		cpu.pdpte[i] = new_page() | P;
	return map64(cpu.pdpte[i] & ~0xfffULL, 2, va, pa, leaf, flags);
}

/* 32-bit paging: PDE (and PT) for va; returns the leaf entry's address. */
static gpa_t map32(uint32_t va, uint32_t pde_or_pte, bool big, uint32_t upper)
{
	gpa_t pde = cpu.cr3 + (va >> 22) * 4, pt;

	if (big) {
		set32(pde, pde_or_pte | (uint32_t)PS);
		return pde;
	}
	if (!(get32(pde) & P))
		set32(pde, (uint32_t)new_page() | upper);
	pt = get32(pde) & 0xfffff000u;
	set32(pt + ((va >> 12) & 0x3ff) * 4, pde_or_pte);
	return pt + ((va >> 12) & 0x3ff) * 4;
}

TEST(mode_selection)
{
	struct gpt_cpu c = { 0 };

	CHECK_EQ(gpt_mode_of(&c), GPT_NONE);
	c.cr4 = GPT_CR4_PAE | GPT_CR4_LA57;
	CHECK_EQ(gpt_mode_of(&c), GPT_NONE);
	c.cr0 = GPT_CR0_PG;
	c.cr4 = GPT_CR4_PSE;
	CHECK_EQ(gpt_mode_of(&c), GPT_32BIT);
	c.cr4 = GPT_CR4_PAE | GPT_CR4_LA57;
	CHECK_EQ(gpt_mode_of(&c), GPT_PAE);            /* LA57 only counts in IA-32e mode */
	c.efer = GPT_EFER_LMA;
	CHECK_EQ(gpt_mode_of(&c), GPT_5LEVEL);
	c.cr4 = GPT_CR4_PAE;
	CHECK_EQ(gpt_mode_of(&c), GPT_4LEVEL);
}

TEST(paging_disabled)
{
	setup(GPT_NONE);
	CHECK_MAP(0x123456789abcULL, WR | USR, 0x56789abcULL, 4096, 0);   /* 32-bit linear address */
	CHECK_EQ(res.mode, GPT_NONE);
	CHECK_EQ(fm.writes, 0);
}

TEST(paging_32bit_4k)
{
	gpa_t pte;

	setup(GPT_32BIT);
	pte = map32(0x00403000, 0x00abc000 | P | W, false, P | W);
	CHECK_MAP(0x00403123, RD, 0x00abc123, 4096, 2);
	CHECK_EQ(res.mode, GPT_32BIT);
	CHECK_EQ(res.entry_addrs[0], cpu.cr3 + 4);
	CHECK_EQ(res.entry_addrs[1], pte);
	CHECK_EQ(res.entries[1], 0x00abc000 | P | W);
	CHECK_EQ(AD32(cpu.cr3 + 4), A);
	CHECK_EQ(AD32(pte), A);                        /* read: no D */
	CHECK_EQ(pte & 7, 4);                          /* index 3: the high half of a quadword */
	set32(pte - 4, 0xdeadb001);                    /* index 2: the low half */
	CHECK_EQ(tr(0x00403000, WR), 0);
	CHECK_EQ(AD32(pte), A | D);
	CHECK_EQ(AD32(cpu.cr3 + 4), A);                /* D only in the leaf */
	CHECK_EQ(get32(pte - 4), 0xdeadb001);
	CHECK_MAP(0x00402000, RD, 0xdeadb000, 4096, 2);
	CHECK_EQ(get32(pte - 4), 0xdeadb001 | A);
	CHECK_EQ(get32(pte), 0x00abc000 | P | W | A | D);
	CHECK_MAP(0xf00403123ULL, RD, 0x00abc123, 4096, 2);   /* bits 63:32 are not part of it */
	CHECK_EQ(fm.unaligned, 0);
}

TEST(paging_32bit_4m_and_pse36)
{
	setup(GPT_32BIT);
	cpu.maxphyaddr = 40;
	map32(0x80000000, 0x80000000 | (0x12 << 13) | P, true, 0);
	CHECK_MAP(0x80123456, RD, 0x1280123456ULL, 4 * MiB, 1);            /* bits 39:32 from PDE 20:13 */
	CHECK_PF(0x80123456, WR, PFERR_P | PFERR_W, 1);   /* R/W = 0, WP = 1 */
	cpu.cr0 &= ~GPT_CR0_WP;
	CHECK_EQ(tr(0x80123456, WR), 0);
	CHECK_EQ(AD32(cpu.cr3 + 0x800), A | D);

	/* Bit 21 is always reserved; with MAXPHYADDR 36, bits 20:17 too. */
	map32(0x80000000, 0x80000000 | (1u << 21) | P, true, 0);
	CHECK_PF(0x80000000, RD, PFERR_P | PFERR_RSVD, 1);
	map32(0x80000000, 0x80000000 | (1u << 17) | P, true, 0);
	CHECK_MAP(0x80000000, RD, 0x1080000000ULL, 4 * MiB, 1);
	cpu.maxphyaddr = 36;
	CHECK_PF(0x80000000, USR, PFERR_P | PFERR_RSVD | PFERR_U, 1);
	map32(0x80000000, 0x80000000 | (1u << 16) | P, true, 0);
	CHECK_MAP(0x80000000, RD, 0x880000000ULL, 4 * MiB, 1);

	/* With CR4.PSE = 0, PS is ignored: the PDE points to a page table. */
	cpu.cr4 = 0;
	set32(cpu.cr3 + 0x800, (uint32_t)new_page() | P | PS);
	set32((get32(cpu.cr3 + 0x800) & 0xfffff000u) + 0x123 * 4, 0x5000 | P);
	CHECK_MAP(0x80123456, RD, 0x5456, 4096, 2);
}

TEST(paging_32bit_faults)
{
	setup(GPT_32BIT);
	CHECK_PF(0x1000, RD, 0, 1);                                   /* PDE not present */
	map32(0x1000, 0, false, P | W | U);
	CHECK_PF(0x1000, WR | USR, PFERR_W | PFERR_U, 2);            /* PTE not present */
	/* No XD in 32-bit paging: NXE does not make fetches report I/D; SMEP does. */
	cpu.efer = GPT_EFER_NXE;
	CHECK_PF(0x1000, EXE, 0, 2);
	cpu.cr4 |= GPT_CR4_SMEP;
	CHECK_PF(0x1000, EXE, PFERR_I, 2);
	map32(0x1000, 0x7000 | P | U, false, P | W | U);
	CHECK_PF(0x1000, EXE, PFERR_P | PFERR_I, 2);                 /* SMEP */
	CHECK_EQ(tr(0x1000, EXE | USR), 0);
	CHECK_PF(0x1000, WR | USR, PFERR_P | PFERR_W | PFERR_U, 2);
	map32(0x400000, 0x9000 | P | W | U, false, P | W);            /* PDE U/S = 0 */
	CHECK_PF(0x400000, USR, PFERR_P | PFERR_U, 2);
}

TEST(pae_4k_2m)
{
	gpa_t pte, pde;

	setup(GPT_PAE);
	cpu.cr3 = 0xfffff000;           /* outside RAM: PAE never reads the PDPT from memory */
	pte = map_pae(0xc0201000, 0x7654321000ULL, 1, P | W);
	pde = map_pae(0x40000000, 0x3456600000ULL, 2, P | W);
	CHECK_MAP(0xc0201abc, WR, 0x7654321abcULL, 4096, 3);
	CHECK_EQ(res.mode, GPT_PAE);
	CHECK_EQ(res.entries[0], cpu.pdpte[3]);
	CHECK_EQ(res.entry_addrs[0], 0xfffff018);
	CHECK_EQ(AD64(pte), A | D);
	CHECK_EQ(AD64(res.entry_addrs[1]), A);
	CHECK_EQ(cpu.pdpte[3] & A, 0);
	CHECK_MAP(0x401fffff, RD, 0x34567fffffULL, 2 * MiB, 2);
	CHECK_EQ(AD64(pde), A);
}

TEST(pae_faults)
{
	gpa_t pte, pde;

	setup(GPT_PAE);
	CHECK_PF(0x80000000, WR, PFERR_W, 1);                         /* PDPTE register not present */
	cpu.pdpte[2] = new_page() | P | (1ULL << 1);                   /* bit 1: reserved in PAE PDPTEs */
	CHECK_PF(0x80000000, RD, PFERR_P | PFERR_RSVD, 1);
	cpu.pdpte[2] = (cpu.pdpte[2] & ~2ULL) | (1ULL << 39);          /* above MAXPHYADDR 39 */
	CHECK_PF(0x80000000, RD, PFERR_P | PFERR_RSVD, 1);
	cpu.pdpte[2] &= ~(1ULL << 39);
	CHECK_PF(0x80000000, EXE, PFERR_I, 2);                        /* PDE not present */
	pte = map_pae(0x80000000, 0x5000, 1, P | W | XD);
	pde = res.entry_addrs[1];
	CHECK_PF(0x80000000, EXE, PFERR_P | PFERR_I, 3);              /* XD */
	CHECK_EQ(tr(0x80000000, WR), 0);
	set64(pte, 0x5000 | P | (1ULL << 52));                         /* PAE reserves 62:M */
	CHECK_PF(0x80000000, RD, PFERR_P | PFERR_RSVD, 3);
	set64(pte, 0x5000 | P | XD);
	cpu.efer = 0;                                                  /* XD reserved without NXE */
	CHECK_PF(0x80000000, RD, PFERR_P | PFERR_RSVD, 3);
	CHECK_PF(0x80000000, EXE, PFERR_P | PFERR_RSVD, 3);           /* no I/D: neither NXE nor SMEP */
	set64(pde, 0x200000 | P | W | PS | (1ULL << 13));              /* 2 MiB page: 20:13 reserved */
	CHECK_PF(0x80000000, RD, PFERR_P | PFERR_RSVD, 2);
}

TEST(long4_4k_2m_1g)
{
	gpa_t pte, pde, pdpte;

	setup(GPT_4LEVEL);
	pte = map4(0xffff800000201000ULL, 0x7fffff000ULL, 1, P | W);
	pde = map4(0x00007f0000400000ULL, 0x40000000ULL, 2, P | W | U);
	pdpte = map4(0x0000004080000000ULL, 0x7fc0000000ULL, 3, P);
	CHECK_MAP(0xffff800000201ff8ULL, RD, 0x7fffffff8ULL, 4096, 4);
	CHECK_EQ(res.mode, GPT_4LEVEL);
	CHECK_EQ(res.entry_addrs[0], cpu.cr3 + 256 * 8);
	CHECK_EQ(res.entry_addrs[3], pte);
	for (unsigned int i = 0; i < 4; i++)
		CHECK_EQ(AD64(res.entry_addrs[i]), A);
	CHECK_EQ(tr(0xffff800000201000ULL, WR), 0);
	CHECK_EQ(AD64(pte), A | D);
	CHECK_EQ(AD64(res.entry_addrs[2]), A);

	CHECK_MAP(0x00007f00005abcdeULL, WR | USR, 0x401abcdeULL, 2 * MiB, 3);
	CHECK_EQ(AD64(pde), A | D);
	CHECK_MAP(0x00000040bfffffffULL, EXE, 0x7fffffffffULL, 1 * GiB, 2);
	CHECK_EQ(AD64(pdpte), A);
	set64(pdpte, get64(pdpte) | (0x7fULL << 52) | (0xfULL << 59)); /* ignored / PK bits */
	CHECK_MAP(0x0000004080000000ULL, RD, 0x7fc0000000ULL, 1 * GiB, 2);
	CHECK_EQ(fm.unaligned, 0);
}

TEST(long5_la57)
{
	gpa_t pte;

	setup(GPT_5LEVEL);
	pte = map4(0x00fe000012345000ULL, 0x3000, 1, P | W);           /* PML5 index 0xfe */
	CHECK_MAP(0x00fe000012345678ULL, WR, 0x3678, 4096, 5);
	CHECK_EQ(res.mode, GPT_5LEVEL);
	CHECK_EQ(res.entry_addrs[0], cpu.cr3 + 0xfe * 8);
	CHECK_EQ(res.entry_addrs[4], pte);
	CHECK_EQ(AD64(res.entry_addrs[0]), A);
	CHECK_EQ(AD64(pte), A | D);
	set64(res.entry_addrs[0], get64(res.entry_addrs[0]) | PS);     /* PS reserved in a PML5E */
	CHECK_PF(0x00fe000012345678ULL, RD, PFERR_P | PFERR_RSVD, 1);
	set64(res.entry_addrs[0], 0);
	CHECK_PF(0x00fe000012345678ULL, USR | EXE, PFERR_U | PFERR_I, 1);
	/* Under 4-level paging the same tables give PML4 index 0 (bits 47:39): not present. */
	cpu.cr4 &= ~GPT_CR4_LA57;
	CHECK_PF(0x00fe000012345678ULL, RD, 0, 1);
	CHECK_EQ(res.mode, GPT_4LEVEL);
}

TEST(long_not_present_each_level)
{
	gpa_t e[4];
	const gva_t va = 0x00007fffc0ffe000ULL;

	setup(GPT_4LEVEL);
	map4(va, 0x8000, 1, P | W | U);
	CHECK_EQ(tr(va, RD), 0);
	memcpy(e, res.entry_addrs, sizeof(e));
	for (unsigned int lvl = 4; lvl-- > 0;) {
		uint64_t saved = get64(e[lvl]);

		set64(e[lvl], saved & ~P);
		CHECK_PF(va, RD, 0, lvl + 1);
		CHECK_PF(va, WR | USR, PFERR_W | PFERR_U, lvl + 1);
		CHECK_PF(va, EXE, PFERR_I, lvl + 1);
		CHECK_PF(va, USR | IMPL, 0, lvl + 1);          /* implicit: supervisor, U/S = 0 */
		set64(e[lvl], saved);
	}
	/* A not-present entry below an upper-level protection problem: not present wins. */
	set64(e[0], get64(e[0]) & ~U);
	set64(e[3], 0);
	CHECK_PF(va, USR, PFERR_U, 4);
}

TEST(write_protect)
{
	gpa_t pte;
	const gva_t va = 0xffffffff80001000ULL;

	setup(GPT_4LEVEL);
	pte = map4(va, 0x9000, 1, P | U);                  /* read-only user page */
	CHECK_EQ(tr(va, RD), 0);
	CHECK_PF(va, WR, PFERR_P | PFERR_W, 4);            /* supervisor, WP = 1 */
	CHECK_PF(va, WR | USR, PFERR_P | PFERR_W | PFERR_U, 4);
	cpu.cr0 &= ~GPT_CR0_WP;
	CHECK_EQ(tr(va, WR), 0);                           /* WP = 0: supervisor writes anything */
	CHECK_EQ(get64(pte) & D, D);
	CHECK_PF(va, WR | USR, PFERR_P | PFERR_W | PFERR_U, 4);   /* ...but users still may not */
	/* R/W = 0 in an upper level counts as much as in the leaf. */
	cpu.cr0 |= GPT_CR0_WP;
	set64(pte, 0x9000 | P | W | U);
	set64(res.entry_addrs[1], get64(res.entry_addrs[1]) & ~W);
	CHECK_PF(va, WR, PFERR_P | PFERR_W, 4);
	CHECK_EQ(tr(va, RD | USR), 0);
}

TEST(user_supervisor)
{
	gpa_t pte;
	const gva_t va = 0x0000000000400000ULL;

	setup(GPT_4LEVEL);
	pte = map4(va, 0xa000, 1, P | W);                  /* supervisor page */
	CHECK_EQ(tr(va, WR), 0);
	CHECK_PF(va, USR, PFERR_P | PFERR_U, 4);
	CHECK_PF(va, USR | WR, PFERR_P | PFERR_W | PFERR_U, 4);
	CHECK_PF(va, USR | EXE, PFERR_P | PFERR_U | PFERR_I, 4);
	CHECK_EQ(tr(va, USR | IMPL | WR), 0);              /* implicit access at CPL 3: supervisor */
	set64(pte, 0xa000 | P | W | U);
	set64(res.entry_addrs[0], get64(res.entry_addrs[0]) & ~U);   /* U/S = 0 in the PML4E */
	CHECK_PF(va, USR, PFERR_P | PFERR_U, 4);
}

TEST(nx)
{
	gpa_t pte;
	const gva_t va = 0x0000000000600000ULL;

	setup(GPT_4LEVEL);
	pte = map4(va, 0xb000, 1, P | W | U | XD);
	CHECK_EQ(tr(va, WR | USR), 0);
	CHECK_PF(va, EXE, PFERR_P | PFERR_I, 4);
	CHECK_PF(va, EXE | USR, PFERR_P | PFERR_U | PFERR_I, 4);
	set64(pte, 0xb000 | P | U);
	CHECK_EQ(tr(va, EXE | USR), 0);                    /* fetches ignore R/W */
	set64(res.entry_addrs[2], get64(res.entry_addrs[2]) | XD);   /* XD in the PDE */
	CHECK_PF(va, EXE | USR, PFERR_P | PFERR_U | PFERR_I, 4);
	cpu.efer &= ~GPT_EFER_NXE;                         /* now bit 63 is reserved */
	CHECK_PF(va, RD, PFERR_P | PFERR_RSVD, 3);
	CHECK_PF(va, EXE, PFERR_P | PFERR_RSVD, 3);        /* no I/D without NXE or SMEP */
}

TEST(smep)
{
	const gva_t va = 0x0000000000800000ULL;

	setup(GPT_4LEVEL);
	map4(va, 0xc000, 1, P | U);
	CHECK_EQ(tr(va, EXE), 0);                          /* SMEP off */
	cpu.cr4 |= GPT_CR4_SMEP;
	CHECK_PF(va, EXE, PFERR_P | PFERR_I, 4);
	CHECK_EQ(tr(va, EXE | USR), 0);
	CHECK_EQ(tr(va, RD), 0);                           /* SMEP is about fetches only */
	cpu.efer &= ~GPT_EFER_NXE;
	CHECK_PF(va, EXE, PFERR_P | PFERR_I, 4);           /* I/D from SMEP alone */
}

TEST(smap)
{
	const gva_t va = 0x0000000000a00000ULL;
	gpa_t spte;

	setup(GPT_4LEVEL);
	map4(va, 0xd000, 1, P | W | U);
	spte = map4(va + 0x1000, 0xe000, 1, P | W);        /* a supervisor page next to it */
	CHECK_EQ(tr(va, WR), 0);                           /* SMAP off */
	cpu.cr4 |= GPT_CR4_SMAP;
	CHECK_PF(va, RD, PFERR_P, 4);
	CHECK_PF(va, WR, PFERR_P | PFERR_W, 4);
	CHECK_EQ(tr(va, EXE), 0);                          /* SMAP is about data only */
	CHECK_EQ(tr(va, RD | USR), 0);
	CHECK_EQ(tr(va + 0x1000, WR), 0);                  /* supervisor pages unaffected */
	cpu.rflags = GPT_RFLAGS_AC | 2;
	CHECK_EQ(tr(va, WR), 0);                           /* stac */
	CHECK_PF(va, IMPL, PFERR_P, 4);                    /* implicit: AC does not help */
	CHECK_PF(va, IMPL | WR, PFERR_P | PFERR_W, 4);
	cpu.cpl = 3;
	CHECK_PF(va, RD, PFERR_P, 4);                      /* AC counts only below CPL 3 */
	CHECK_PF(va, USR | IMPL, PFERR_P, 4);              /* GDT read from CPL 3, user page */
	CHECK_EQ(tr(va + 0x1000, USR | IMPL | WR), 0);
	CHECK_EQ(get64(spte) & D, D);
}

TEST(reserved_bits_long_mode)
{
	gpa_t pte, e[4];
	const gva_t va = 0x0000123456789000ULL;

	setup(GPT_4LEVEL);
	pte = map4(va, 0x1000, 1, P | W);
	CHECK_EQ(tr(va, RD), 0);
	memcpy(e, res.entry_addrs, sizeof(e));
	set64(pte, 0x1000 | P | (1ULL << 39));             /* above MAXPHYADDR 39 */
	CHECK_PF(va, RD, PFERR_P | PFERR_RSVD, 4);
	CHECK_PF(va, WR | USR | EXE, PFERR_P | PFERR_RSVD | PFERR_W | PFERR_U | PFERR_I, 4);
	cpu.maxphyaddr = 46;
	CHECK_MAP(va, RD, 0x8000001000ULL, 4096, 4);
	set64(pte, 0x1000 | P | (1ULL << 51));
	CHECK_PF(va, RD, PFERR_P | PFERR_RSVD, 4);
	cpu.maxphyaddr = 52;
	CHECK_EQ(tr(va, RD), 0);
	cpu.maxphyaddr = 39;
	set64(pte, 0x1000 | P);
	set64(e[0], get64(e[0]) | PS);                     /* PS in a PML4E */
	CHECK_PF(va, RD, PFERR_P | PFERR_RSVD, 1);
	set64(e[0], get64(e[0]) & ~PS);
	set64(e[1], get64(e[1]) | (1ULL << 45));           /* non-leaf address bit above M */
	CHECK_PF(va, RD, PFERR_P | PFERR_RSVD, 2);
	set64(e[1], 0x40000000 | P | PS | (1ULL << 29));   /* 1 GiB page: 29:13 reserved */
	CHECK_PF(va, RD, PFERR_P | PFERR_RSVD, 2);
	set64(e[1], 0x40000000 | P | PS | (1ULL << 12));   /* bit 12 is PAT: fine */
	CHECK_MAP(va, RD, 0x40000000ULL | (va & (GiB - 1)), GiB, 2);
	/* A reserved bit beats a protection violation (4.7: RSVD with P = 1). */
	set64(e[1], 0x40000000 | P | PS | (1ULL << 14));
	CHECK_PF(va, USR | WR, PFERR_P | PFERR_RSVD | PFERR_U | PFERR_W, 2);
}

TEST(non_canonical_not_checked)
{
	setup(GPT_4LEVEL);
	map4(0xffff800000001000ULL, 0x2000, 1, P);
	/* Bits 63:48 are not looked at: a caller that wants #GP checks first. */
	CHECK_MAP(0x0000800000001234ULL, RD, 0x2234, 4096, 4);
	CHECK_MAP(0x1234800000001234ULL, RD, 0x2234, 4096, 4);
}

TEST(tables_outside_guest_ram)
{
	gpa_t pte;
	const gva_t va = 0x1000;

	setup(GPT_4LEVEL);
	pte = map4(va, 0x2000, 1, P | W);
	CHECK_EQ(tr(va, RD), 0);
	set64(res.entry_addrs[2], (RAM_SIZE + 0x10000) | P | W);      /* PDE points past RAM */
	fm.writes = 0;
	CHECK_EQ(tr(va, WR), -EFAULT);
	CHECK_EQ(res.levels, 3);
	CHECK_EQ(fm.writes, 0);                            /* no A bits set on a failed walk */
	cpu.cr3 = 1ULL << 38;
	CHECK_EQ(tr(va, RD), -EFAULT);
	CHECK_EQ(res.levels, 0);
	setup(GPT_32BIT);
	cpu.cr3 = 0xfffff000;
	CHECK_EQ(tr(va, RD), -EFAULT);
	setup(GPT_4LEVEL);                                 /* tables readable but not writable */
	pte = map4(va, 0x2000, 1, P | W);
	fm.fail_writes = true;
	CHECK_EQ(tr(va, WR), -EFAULT);
	set64(pte, get64(pte) | A | D);
	for (unsigned int i = 0; i < 3; i++)
		set64(res.entry_addrs[i], get64(res.entry_addrs[i]) | A);
	CHECK_EQ(tr(va, WR), 0);                           /* nothing to write: succeeds */
}

TEST(accessed_dirty_only_when_needed)
{
	gpa_t pte;

	setup(GPT_4LEVEL);
	pte = map4(0x5000, 0x6000, 1, P | W);
	CHECK_EQ(tr(0x5000, RD), 0);
	CHECK_EQ(fm.writes, 4);
	CHECK_EQ(tr(0x5000, RD), 0);
	CHECK_EQ(fm.writes, 4);                            /* A already set everywhere */
	CHECK_EQ(tr(0x5000, WR), 0);
	CHECK_EQ(fm.writes, 5);                            /* D in the leaf only */
	CHECK_EQ(get64(pte), 0x6000 | P | W | A | D);
	CHECK_EQ(res.entries[3], 0x6000 | P | W | A);      /* entries as read, before the update */
}
