/* tests/unit/mm/test_pagetable.c - the paging-structure builder (SDM Vol. 3A
 * 4.5, Vol. 3C 29.3): pt_map/pt_lookup, splits, pt_unmap/pt_merge, the walk,
 * statistics and pt_min_tables, over a malloc-backed pt_mem that tracks
 * every table page it hands out. */
#include <stdint.h>
#include "mm/pagetable.h"
#include "tests/unit/check.h"

#define FAKE_BASE     0x100000ULL   /* "physical" address of table slot 0 */
#define FAKE_MAX      2048

/* Table pages come from aligned_alloc; their "physical" addresses are slot
 * numbers, so they are page-aligned and below 2^52 whatever malloc returns.
 * A freed page goes back to malloc at once, so ASan catches any later use
 * through a stale pointer, and its slot is reused by the next allocation. */
struct fake_mem {
	void *page[FAKE_MAX];           /* live table pages by slot, NULL when free */
	unsigned int slots;             /* slots handed out at least once */
	unsigned int used;              /* live pages */
	unsigned int limit;             /* alloc_table fails once used reaches it */
	unsigned int frees;             /* free_table calls that gave a page back */
	unsigned int bad_ptr;           /* table_ptr calls with an address not live */
	unsigned int bad_free;          /* free_table calls with an address not live */
};

static void *fake_alloc(void *ctx, hpa_t *pa)
{
	struct fake_mem *m = ctx;
	unsigned int i;
	void *p;

	if (m->used >= m->limit)
		return NULL;
	for (i = 0; i < m->slots && m->page[i]; i++)
		;
	if (i >= FAKE_MAX)
		return NULL;
	p = aligned_alloc(4096, 4096);
	if (!p)
		return NULL;
	memset(p, 0, 4096);
	*pa = FAKE_BASE + (hpa_t)i * 4096;
	m->page[i] = p;
	m->used++;
	if (i == m->slots)
		m->slots++;
	return p;
}

/* The slot of a live page at pa, or -1. */
static int fake_slot(const struct fake_mem *m, hpa_t pa)
{
	uint64_t i = (pa - FAKE_BASE) / 4096;

	if (pa < FAKE_BASE || (pa & 4095) || i >= m->slots || !m->page[i])
		return -1;
	return (int)i;
}

static void *fake_ptr(void *ctx, hpa_t pa)
{
	struct fake_mem *m = ctx;
	int i = fake_slot(m, pa);

	if (i < 0) {
		m->bad_ptr++;
		return NULL;
	}
	return m->page[i];
}

static void fake_free(void *ctx, hpa_t pa)
{
	struct fake_mem *m = ctx;
	int i = fake_slot(m, pa);

	if (i < 0) {
		m->bad_free++;              /* double free, or never allocated */
		return;
	}
	free(m->page[i]);
	m->page[i] = NULL;
	m->used--;
	m->frees++;
}

/* One page table under test with its backing memory. */
struct fixture {
	struct fake_mem m;
	struct pt_mem mem;
	struct pagetable pt;
};

static void fx_setup(struct fixture *fx, const struct pt_format *fmt, bool allow_1g, bool can_free)
{
	memset(fx, 0, sizeof(*fx));
	fx->m.limit = FAKE_MAX;
	fx->mem.alloc_table = fake_alloc;
	fx->mem.table_ptr = fake_ptr;
	fx->mem.free_table = can_free ? fake_free : NULL;
	fx->mem.ctx = &fx->m;
	CHECK_EQ(pt_init(&fx->pt, fmt, &fx->mem, allow_1g), 0);
	CHECK_EQ(fx->pt.tables_used, 1);
	CHECK_EQ(fx->pt.root_pa, FAKE_BASE);
}

static void fx_init(struct fixture *fx, bool allow_1g)
{
	fx_setup(fx, &pt_format_x86, allow_1g, true);
}

static void fx_init_ept(struct fixture *fx, bool allow_1g)
{
	fx_setup(fx, &pt_format_ept, allow_1g, true);
}

/* Walks every table below t: each non-leaf entry must be exactly a live
 * page's address | table_bits, and no page may be linked twice. */
static int tree_walk_problems(struct fixture *fx, const uint64_t *t, unsigned int level,
			      unsigned char *seen, unsigned int *tables)
{
	const struct pagetable *pt = &fx->pt;
	int bad = 0;

	for (int i = 0; i < 512; i++) {
		uint64_t e = t[i];
		int slot;

		if (!pt_entry_present(pt, e) || pt_entry_is_leaf(pt, e, level))
			continue;
		slot = fake_slot(&fx->m, e & PTE_ADDR_MASK);
		if ((e & ~PTE_ADDR_MASK) != pt->fmt->table_bits || slot < 0 || seen[slot]++) {
			bad++;
			continue;
		}
		(*tables)++;
		bad += tree_walk_problems(fx, fx->m.page[slot], level - 1, seen, tables);
	}
	return bad;
}

/* Problems with the tree as a whole: bad links, and reachable tables that
 * differ from tables_used or from the live pages (a leak). */
static int tree_problems(struct fixture *fx)
{
	static unsigned char seen[FAKE_MAX];
	unsigned int tables = 1;
	int bad;

	memset(seen, 0, sizeof(seen));
	seen[0] = 1;                            /* the root */
	bad = tree_walk_problems(fx, fx->pt.root, 4, seen, &tables);
	return bad + (tables != fx->pt.tables_used) + (tables != fx->m.used);
}

static void fx_fini(struct fixture *fx)
{
	CHECK_EQ(fx->m.bad_ptr, 0);
	CHECK_EQ(fx->m.bad_free, 0);
	CHECK_EQ(fx->m.used, fx->pt.tables_used);
	CHECK_EQ(tree_problems(fx), 0);
	for (unsigned int i = 0; i < fx->m.slots; i++)
		free(fx->m.page[i]);
}

/* Checks that va translates to pa with a page of page_size (0: unmapped). */
static void expect(const char *file, int line, struct pagetable *pt, hva_t va,
		   hpa_t pa, uint64_t page_size)
{
	struct pt_lookup l = { .pa = 0xdead, .page_size = 0xdead };
	int ret = pt_lookup(pt, va, &l);
	char m[256];

	if (page_size == 0) {
		if (ret != -ENOENT || l.pa != 0xdead || l.page_size != 0xdead) {
			snprintf(m, sizeof(m), "lookup(%#llx) = %d, want -ENOENT, out untouched",
				 (unsigned long long)va, ret);
			check_fail(file, line, m);
		}
		return;
	}
	if (ret || l.pa != pa || l.page_size != page_size ||
	    l.level != (page_size == PAGE_SIZE_1G ? 3u : page_size == PAGE_SIZE_2M ? 2u : 1u)) {
		snprintf(m, sizeof(m), "lookup(%#llx) = %d pa %#llx size %#llx level %u, want pa %#llx size %#llx",
			 (unsigned long long)va, ret, (unsigned long long)l.pa,
			 (unsigned long long)l.page_size, l.level,
			 (unsigned long long)pa, (unsigned long long)page_size);
		check_fail(file, line, m);
	}
}
#define EXPECT(pt, va, pa, sz) expect(__FILE__, __LINE__, (pt), (va), (pa), (sz))
#define EXPECT_NONE(pt, va)    expect(__FILE__, __LINE__, (pt), (va), 0, 0)

static uint64_t leaf_entry(struct pagetable *pt, hva_t va)
{
	struct pt_lookup l;

	if (pt_lookup(pt, va, &l))
		return 0;
	return l.entry;
}

/* Every non-leaf entry must be exactly table address | P | W. */
static int count_bad_tables(struct fixture *fx, const uint64_t *t, unsigned int level)
{
	int bad = 0;

	for (int i = 0; i < 512; i++) {
		uint64_t e = t[i];

		if (!(e & PTE_P) || level == 1 || (level <= 3 && (e & PTE_PS)))
			continue;
		if ((e & ~PTE_ADDR_MASK) != (PTE_P | PTE_W))
			bad++;
		bad += count_bad_tables(fx, fake_ptr(&fx->m, e & PTE_ADDR_MASK), level - 1);
	}
	return bad;
}

TEST(one_gib_pages_when_allowed)
{
	struct fixture fx;

	fx_init(&fx, true);
	CHECK_EQ(pt_map(&fx.pt, 0x40000000, 0x40000000, 4 * GiB, PT_WRITE), 0);
	CHECK_EQ(fx.pt.tables_used, 2);         /* PML4 + one PDPT */
	EXPECT(&fx.pt, 0x40000000, 0x40000000, PAGE_SIZE_1G);
	EXPECT(&fx.pt, 0x123456789, 0x123456789, PAGE_SIZE_1G);
	EXPECT(&fx.pt, 0x13fffffff, 0x13fffffff, PAGE_SIZE_1G);
	EXPECT_NONE(&fx.pt, 0x3fffffff);
	EXPECT_NONE(&fx.pt, 0x140000000);
	CHECK(leaf_entry(&fx.pt, 0x40000000) & PTE_PS);
	CHECK_EQ(count_bad_tables(&fx, fx.pt.root, 4), 0);
	fx_fini(&fx);
}

TEST(two_mib_pages_without_1g)
{
	struct fixture fx;

	fx_init(&fx, false);
	CHECK_EQ(pt_map(&fx.pt, 0x40000000, 0x40000000, 4 * GiB, PT_WRITE), 0);
	CHECK_EQ(fx.pt.tables_used, 6);         /* PML4 + PDPT + 4 PDs */
	EXPECT(&fx.pt, 0x40000000, 0x40000000, PAGE_SIZE_2M);
	EXPECT(&fx.pt, 0x123456789, 0x123456789, PAGE_SIZE_2M);
	EXPECT(&fx.pt, 0x13fffffff, 0x13fffffff, PAGE_SIZE_2M);
	EXPECT_NONE(&fx.pt, 0x140000000);
	CHECK_EQ(count_bad_tables(&fx, fx.pt.root, 4), 0);
	fx_fini(&fx);
}

TEST(one_gib_needs_pa_alignment_too)
{
	struct fixture fx;

	fx_init(&fx, true);
	/* va is 1 GiB aligned but pa only 2 MiB: 2 MiB pages. */
	CHECK_EQ(pt_map(&fx.pt, 0x40000000, 0x200000, GiB, 0), 0);
	CHECK_EQ(fx.pt.tables_used, 3);
	EXPECT(&fx.pt, 0x40000000, 0x200000, PAGE_SIZE_2M);
	EXPECT(&fx.pt, 0x7fffffff, 0x401fffff, PAGE_SIZE_2M);
	fx_fini(&fx);
}

TEST(unaligned_range_uses_4k_edges_2m_middle)
{
	struct fixture fx;
	const hpa_t off = 0x10000000;

	fx_init(&fx, true);
	/* [2M-4K, 6M+8K): one 4K page, two 2M pages, two 4K pages. */
	CHECK_EQ(pt_map(&fx.pt, 0x1ff000, 0x1ff000 + off, 4 * MiB + 12 * KiB, PT_WRITE), 0);
	CHECK_EQ(fx.pt.tables_used, 5);         /* PML4, PDPT, PD, PT for 0-2M, PT for 6-8M */
	EXPECT_NONE(&fx.pt, 0x1fe000);
	EXPECT(&fx.pt, 0x1ff000, 0x1ff000 + off, PAGE_SIZE);
	EXPECT(&fx.pt, 0x1ffabc, 0x1ffabc + off, PAGE_SIZE);
	EXPECT(&fx.pt, 0x200000, 0x200000 + off, PAGE_SIZE_2M);
	EXPECT(&fx.pt, 0x3fffff, 0x3fffff + off, PAGE_SIZE_2M);
	EXPECT(&fx.pt, 0x400000, 0x400000 + off, PAGE_SIZE_2M);
	EXPECT(&fx.pt, 0x5fffff, 0x5fffff + off, PAGE_SIZE_2M);
	EXPECT(&fx.pt, 0x600000, 0x600000 + off, PAGE_SIZE);
	EXPECT(&fx.pt, 0x601fff, 0x601fff + off, PAGE_SIZE);
	EXPECT_NONE(&fx.pt, 0x602000);
	CHECK_EQ(count_bad_tables(&fx, fx.pt.root, 4), 0);
	fx_fini(&fx);
}

TEST(misaligned_pa_forces_4k)
{
	struct fixture fx;

	fx_init(&fx, true);
	CHECK_EQ(pt_map(&fx.pt, 0x200000, 0x201000, 2 * MiB, 0), 0);
	CHECK_EQ(fx.pt.tables_used, 4);
	EXPECT(&fx.pt, 0x200000, 0x201000, PAGE_SIZE);
	EXPECT(&fx.pt, 0x3ff000, 0x400000, PAGE_SIZE);
	fx_fini(&fx);
}

TEST(high_half_and_direct_map)
{
	struct fixture fx;
	const hva_t kbase = 0xffffffff80000000ULL, dmap = 0xffff888000000000ULL;

	fx_init(&fx, true);
	CHECK_EQ(pt_map(&fx.pt, kbase, 0x1000000, 16 * MiB, PT_EXEC), 0);
	CHECK_EQ(pt_map(&fx.pt, dmap, 0, 4 * GiB, PT_WRITE), 0);
	CHECK_EQ(pt_map(&fx.pt, kbase + 64 * MiB + 0x3000, 0x7000, 0x2000, PT_WRITE), 0);
	EXPECT(&fx.pt, kbase, 0x1000000, PAGE_SIZE_2M);
	EXPECT(&fx.pt, kbase + 0x123456, 0x1123456, PAGE_SIZE_2M);
	EXPECT(&fx.pt, kbase + 16 * MiB - 1, 0x1ffffff, PAGE_SIZE_2M);
	EXPECT_NONE(&fx.pt, kbase + 16 * MiB);
	EXPECT(&fx.pt, dmap + 0x12345678, 0x12345678, PAGE_SIZE_1G);
	EXPECT(&fx.pt, dmap + 4 * GiB - 1, 4 * GiB - 1, PAGE_SIZE_1G);
	EXPECT_NONE(&fx.pt, dmap + 4 * GiB);
	EXPECT(&fx.pt, kbase + 64 * MiB + 0x4008, 0x8008, PAGE_SIZE);
	/* PML4 + (PDPT, PD) for the kernel + PDPT for the direct map + PT. */
	CHECK_EQ(fx.pt.tables_used, 5);
	CHECK(fx.pt.root[511] & PTE_P);
	CHECK(fx.pt.root[273] & PTE_P);
	CHECK_EQ(count_bad_tables(&fx, fx.pt.root, 4), 0);
	fx_fini(&fx);
}

TEST(top_of_address_space)
{
	struct fixture fx;

	fx_init(&fx, false);
	CHECK_EQ(pt_map(&fx.pt, 0xffffffffffe00000ULL, 0x200000, 2 * MiB, 0), 0);
	EXPECT(&fx.pt, 0xffffffffffffffffULL, 0x3fffff, PAGE_SIZE_2M);
	CHECK_EQ(pt_map(&fx.pt, 0x00007ffffffff000ULL, 0x5000, PAGE_SIZE, 0), 0);
	EXPECT(&fx.pt, 0x00007fffffffffffULL, 0x5fff, PAGE_SIZE);
	EXPECT_NONE(&fx.pt, 0);
	fx_fini(&fx);
}

TEST(leaf_permission_bits)
{
	struct fixture fx;
	uint64_t e;

	fx_init(&fx, false);
	CHECK_EQ(pt_map(&fx.pt, 0x1000, 0x1000, 0x1000, PT_READ), 0);
	CHECK_EQ(pt_map(&fx.pt, 0x2000, 0x2000, 0x1000, PT_WRITE), 0);
	CHECK_EQ(pt_map(&fx.pt, 0x3000, 0x3000, 0x1000, PT_EXEC), 0);
	CHECK_EQ(pt_map(&fx.pt, 0x4000, 0xfee00000, 0x1000, PT_WRITE | PT_UNCACHED), 0);
	CHECK_EQ(pt_map(&fx.pt, 0x200000, 0x200000, 2 * MiB, PT_WRITE | PT_EXEC), 0);

	e = leaf_entry(&fx.pt, 0x1000);
	CHECK_EQ(e, 0x1000 | PTE_P | PTE_NX);
	e = leaf_entry(&fx.pt, 0x2000);
	CHECK_EQ(e, 0x2000 | PTE_P | PTE_W | PTE_NX);
	e = leaf_entry(&fx.pt, 0x3000);
	CHECK_EQ(e, 0x3000 | PTE_P);
	e = leaf_entry(&fx.pt, 0x4000);
	CHECK_EQ(e, 0xfee00000 | PTE_P | PTE_W | PTE_NX | PTE_PCD | PTE_PWT);
	e = leaf_entry(&fx.pt, 0x200000);
	CHECK_EQ(e, 0x200000 | PTE_P | PTE_W | PTE_PS);
	CHECK(!(e & (PTE_U | PTE_G)));
	/* Non-leaf entries: P|W, no NX, no U, whatever the leaves say. */
	CHECK_EQ(fx.pt.root[0] & ~PTE_ADDR_MASK, PTE_P | PTE_W);
	CHECK_EQ(count_bad_tables(&fx, fx.pt.root, 4), 0);
	fx_fini(&fx);
}

TEST(first_mapping_wins_over_later_large_request)
{
	struct fixture fx;

	fx_init(&fx, true);
	CHECK_EQ(pt_map(&fx.pt, 0x205000, 0x9000000, PAGE_SIZE, PT_READ), 0);
	CHECK_EQ(fx.pt.tables_used, 4);
	CHECK_EQ(pt_map(&fx.pt, 0x200000, 0x200000, 2 * MiB, PT_WRITE), 0);
	CHECK_EQ(fx.pt.tables_used, 4);         /* the existing PT was reused */
	EXPECT(&fx.pt, 0x205000, 0x9000000, PAGE_SIZE);
	CHECK(!(leaf_entry(&fx.pt, 0x205000) & PTE_W));
	EXPECT(&fx.pt, 0x200000, 0x200000, PAGE_SIZE);
	EXPECT(&fx.pt, 0x204fff, 0x204fff, PAGE_SIZE);
	EXPECT(&fx.pt, 0x206000, 0x206000, PAGE_SIZE);
	EXPECT(&fx.pt, 0x3ff000, 0x3ff000, PAGE_SIZE);
	CHECK(leaf_entry(&fx.pt, 0x200000) & PTE_W);
	CHECK(leaf_entry(&fx.pt, 0x3ff000) & PTE_W);

	/* A 1 GiB request over that region fills the rest with 2 MiB pages. */
	CHECK_EQ(pt_map(&fx.pt, 0, 0, GiB, PT_EXEC), 0);
	CHECK_EQ(fx.pt.tables_used, 4);
	EXPECT(&fx.pt, 0x0, 0x0, PAGE_SIZE_2M);
	EXPECT(&fx.pt, 0x400000, 0x400000, PAGE_SIZE_2M);
	EXPECT(&fx.pt, 0x205000, 0x9000000, PAGE_SIZE);
	EXPECT(&fx.pt, 0x3fffffff, 0x3fffffff, PAGE_SIZE_2M);
	fx_fini(&fx);
}

TEST(small_request_inside_large_leaf_is_kept)
{
	struct fixture fx;
	unsigned int used;

	fx_init(&fx, true);
	CHECK_EQ(pt_map(&fx.pt, 0x400000, 0x800000, 2 * MiB, PT_READ), 0);
	CHECK_EQ(pt_map(&fx.pt, 0x80000000, 0x80000000, GiB, PT_READ), 0);
	used = fx.pt.tables_used;
	CHECK_EQ(pt_map(&fx.pt, 0x401000, 0x5000, PAGE_SIZE, PT_WRITE), 0);
	CHECK_EQ(pt_map(&fx.pt, 0x80200000, 0x0, 2 * MiB, PT_WRITE), 0);
	CHECK_EQ(pt_map(&fx.pt, 0x80003000, 0x0, 3 * PAGE_SIZE, PT_WRITE), 0);
	CHECK_EQ(fx.pt.tables_used, used);
	EXPECT(&fx.pt, 0x401000, 0x801000, PAGE_SIZE_2M);
	CHECK(!(leaf_entry(&fx.pt, 0x401000) & PTE_W));
	EXPECT(&fx.pt, 0x80200000, 0x80200000, PAGE_SIZE_1G);
	EXPECT(&fx.pt, 0x80003000, 0x80003000, PAGE_SIZE_1G);
	/* The same range again changes nothing either. */
	CHECK_EQ(pt_map(&fx.pt, 0x400000, 0x0, 2 * MiB, PT_WRITE), 0);
	EXPECT(&fx.pt, 0x400000, 0x800000, PAGE_SIZE_2M);
	fx_fini(&fx);
}

TEST(invalid_arguments)
{
	struct fixture fx;

	fx_init(&fx, true);
	CHECK_EQ(pt_map(&fx.pt, 0x1001, 0x1000, PAGE_SIZE, 0), -EINVAL);
	CHECK_EQ(pt_map(&fx.pt, 0x1000, 0x1800, PAGE_SIZE, 0), -EINVAL);
	CHECK_EQ(pt_map(&fx.pt, 0x1000, 0x1000, 0x1001, 0), -EINVAL);
	CHECK_EQ(pt_map(&fx.pt, 0x1000, 0x1000, 0, 0), -EINVAL);
	CHECK_EQ(pt_map(&fx.pt, 0x1000, 0x1000, PAGE_SIZE, 1u << 7), -EINVAL);
	/* Non-canonical start, end in the hole, a range across the hole. */
	CHECK_EQ(pt_map(&fx.pt, 0x0000800000000000ULL, 0, PAGE_SIZE, 0), -EINVAL);
	CHECK_EQ(pt_map(&fx.pt, 0xffff7ffffffff000ULL, 0, PAGE_SIZE, 0), -EINVAL);
	CHECK_EQ(pt_map(&fx.pt, 0x00007ffffffff000ULL, 0, 2 * PAGE_SIZE, 0), -EINVAL);
	CHECK_EQ(pt_map(&fx.pt, 0x00007ffffffff000ULL, 0, 0xffff000000002000ULL, 0), -EINVAL);
	/* Wrap past the top of the address space. */
	CHECK_EQ(pt_map(&fx.pt, 0xfffffffffffff000ULL, 0, 2 * PAGE_SIZE, 0), -EINVAL);
	CHECK_EQ(pt_map(&fx.pt, 0x1000, 0, 0xfffffffffffff000ULL, 0), -EINVAL);
	/* Physical range beyond 2^52. */
	CHECK_EQ(pt_map(&fx.pt, 0x1000, 1ULL << 52, PAGE_SIZE, 0), -EINVAL);
	CHECK_EQ(pt_map(&fx.pt, 0x1000, (1ULL << 52) - PAGE_SIZE, 2 * PAGE_SIZE, 0), -EINVAL);
	CHECK_EQ(pt_map(&fx.pt, 0x1000, 0xfffffffffffff000ULL, PAGE_SIZE, 0), -EINVAL);
	CHECK_EQ(fx.pt.tables_used, 1);         /* nothing was allocated */
	EXPECT_NONE(&fx.pt, 0x1000);

	CHECK_EQ(pt_map(&fx.pt, 0x1000, (1ULL << 52) - PAGE_SIZE, PAGE_SIZE, 0), 0);
	EXPECT(&fx.pt, 0x1fff, (1ULL << 52) - 1, PAGE_SIZE);
	fx_fini(&fx);
}

TEST(lookup_unmapped)
{
	struct fixture fx;

	fx_init(&fx, true);
	EXPECT_NONE(&fx.pt, 0);
	EXPECT_NONE(&fx.pt, 0xffffffff80000000ULL);
	CHECK_EQ(pt_map(&fx.pt, 0x200000, 0x200000, PAGE_SIZE, 0), 0);
	EXPECT_NONE(&fx.pt, 0x201000);          /* PT present, PTE not */
	EXPECT_NONE(&fx.pt, 0x400000);          /* PD present, PDE not */
	EXPECT_NONE(&fx.pt, 0x40000000);        /* PDPT present, PDPTE not */
	EXPECT_NONE(&fx.pt, 0x0000800000000000ULL);   /* non-canonical */
	fx_fini(&fx);
}

TEST(out_of_memory_part_way)
{
	struct fixture fx;
	struct fake_mem *m = &fx.m;

	{
		struct pagetable pt;
		struct pt_mem mem = { .alloc_table = fake_alloc, .table_ptr = fake_ptr,
				      .free_table = fake_free, .ctx = m };

		memset(m, 0, sizeof(*m));
		CHECK_EQ(pt_init(&pt, &pt_format_x86, &mem, false), -ENOMEM);
		CHECK_EQ(pt.tables_used, 0);
	}

	fx_init(&fx, false);
	CHECK_EQ(pt_map(&fx.pt, 0x200000, 0x200000, 2 * MiB, PT_WRITE), 0);
	CHECK_EQ(fx.pt.tables_used, 3);
	/* The next map needs PD 1 and a PT; only PD 1 is left. It still maps
	 * 0x400000-0x40000000 with 2 MiB pages before running dry. */
	m->limit = 4;
	CHECK_EQ(pt_map(&fx.pt, 0x3ff000, 0x3ff000, GiB - 0x3ff000 + 0x2000, PT_READ), -ENOMEM);
	CHECK_EQ(fx.pt.tables_used, 4);
	EXPECT(&fx.pt, 0x200000, 0x200000, PAGE_SIZE_2M);
	EXPECT(&fx.pt, 0x3ff000, 0x3ff000, PAGE_SIZE_2M);
	EXPECT(&fx.pt, 0x400000, 0x400000, PAGE_SIZE_2M);
	EXPECT(&fx.pt, 0x3fffffff, 0x3fffffff, PAGE_SIZE_2M);
	EXPECT_NONE(&fx.pt, 0x40000000);
	CHECK_EQ(count_bad_tables(&fx, fx.pt.root, 4), 0);

	/* With memory back, the same call completes the range. */
	m->limit = FAKE_MAX;
	CHECK_EQ(pt_map(&fx.pt, 0x3ff000, 0x3ff000, GiB - 0x3ff000 + 0x2000, PT_READ), 0);
	CHECK_EQ(fx.pt.tables_used, 5);
	EXPECT(&fx.pt, 0x40001000, 0x40001000, PAGE_SIZE);
	EXPECT_NONE(&fx.pt, 0x40002000);
	EXPECT(&fx.pt, 0x200000, 0x200000, PAGE_SIZE_2M);

	/* Out of memory at the very first table: nothing changes. */
	m->limit = m->used;
	CHECK_EQ(pt_map(&fx.pt, 0xffff888000000000ULL, 0, PAGE_SIZE, 0), -ENOMEM);
	CHECK_EQ(fx.pt.root[273], 0);
	fx_fini(&fx);
}

/* Per-page model: each 4 KiB page keeps the first mapping that covered it,
 * whatever page sizes the builder chose. */
#define MODEL_PAGES   (64 * MiB / PAGE_SIZE)

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

TEST(random_maps_match_page_model)
{
	static hpa_t model_pa[MODEL_PAGES];
	static unsigned char model_perm[MODEL_PAGES];
	const hva_t base = 0xffff888000000000ULL + GiB - 32 * MiB;   /* spans a 1 GiB line */
	struct fixture fx;
	int mismatches = 0;

	fx_init(&fx, true);
	memset(model_perm, 0xff, sizeof(model_perm));
	for (int round = 0; round < 300; round++) {
		uint64_t first = rng() % MODEL_PAGES, n, pa;
		unsigned int perm = rng() % 8;

		/* Favour 2 MiB-aligned starts and pa so large pages occur. */
		if (rng() % 2)
			first &= ~511ULL;
		n = 1 + rng() % (rng() % 2 ? 16 : 2048);
		if (first + n > MODEL_PAGES)
			n = MODEL_PAGES - first;
		pa = (rng() % 4096) * PAGE_SIZE_2M + (rng() % 3 ? 0 : (rng() % 512) * PAGE_SIZE);
		pa += (first % 512) * PAGE_SIZE;
		CHECK_EQ(pt_map(&fx.pt, base + first * PAGE_SIZE, pa, n * PAGE_SIZE, perm), 0);
		for (uint64_t i = 0; i < n; i++) {
			if (model_perm[first + i] != 0xff)
				continue;
			model_perm[first + i] = perm;
			model_pa[first + i] = pa + i * PAGE_SIZE;
		}
	}
	for (uint64_t i = 0; i < MODEL_PAGES; i++) {
		struct pt_lookup l;
		hva_t va = base + i * PAGE_SIZE + (i * 8) % PAGE_SIZE;
		int ret = pt_lookup(&fx.pt, va, &l);

		if (model_perm[i] == 0xff) {
			mismatches += ret != -ENOENT;
			continue;
		}
		mismatches += ret != 0 || l.pa != model_pa[i] + (i * 8) % PAGE_SIZE ||
			      !!(l.entry & PTE_W) != !!(model_perm[i] & PT_WRITE) ||
			      !(l.entry & PTE_NX) != !!(model_perm[i] & PT_EXEC) ||
			      !!(l.entry & PTE_PCD) != !!(model_perm[i] & PT_UNCACHED);
	}
	CHECK_EQ(mismatches, 0);
	CHECK_EQ(count_bad_tables(&fx, fx.pt.root, 4), 0);
	fx_fini(&fx);
}

TEST(ept_identity_bits_and_memory_types)
{
	struct fixture fx;
	struct pt_lookup l;

	fx_init_ept(&fx, true);
	CHECK_EQ(pt_map(&fx.pt, 0, 0, 1ULL << 30, PT_WRITE | PT_EXEC | PT_MT(MT_WB)), 0);
	CHECK_EQ(pt_map(&fx.pt, 0xfee00000, 0xfee00000, 4096, PT_WRITE | PT_UNCACHED), 0);
	CHECK_EQ(pt_lookup(&fx.pt, 0x1234, &l), 0);
	CHECK_EQ(l.page_size, 1ULL << 30);
	/* R|W|X, WB in bits 5:3, IPAT clear, PS */
	CHECK_EQ(l.entry & 0xff, EPT_R | EPT_W | EPT_X | (MT_WB << EPT_MT_SHIFT) | EPT_LARGE);
	CHECK_EQ(pt_lookup(&fx.pt, 0xfee00010, &l), 0);
	CHECK_EQ(l.pa, 0xfee00010);
	CHECK_EQ(l.entry & 0xff, EPT_R | EPT_W);       /* UC = 0, no X */
	/* Non-leaf EPT entries allow everything and have no memory type. */
	CHECK_EQ(fx.pt.root[0] & 0xfff, EPT_R | EPT_W | EPT_X);
	fx_fini(&fx);
}

TEST(ept_addresses_are_48_bit_not_canonical)
{
	struct fixture fx;

	fx_init_ept(&fx, false);
	CHECK_EQ(pt_map(&fx.pt, 0xffff800000000000ULL, 0, 4096, PT_MT(MT_WB)), -EINVAL);
	CHECK_EQ(pt_map(&fx.pt, 0x0000800000000000ULL - 4096, 0, 4096, PT_MT(MT_WB)), 0);
	CHECK_EQ(pt_map(&fx.pt, 0x0000800000000000ULL, 0, 4096, PT_MT(MT_WB)), 0);
	EXPECT(&fx.pt, 0x0000800000000000ULL, 0, 4096);
	fx_fini(&fx);
}

TEST(leaf_4k_splits_1g_then_2m_keeping_bits)
{
	struct fixture fx;
	struct pt_lookup l;
	uint64_t *pte, before;

	fx_init_ept(&fx, true);
	CHECK_EQ(pt_map(&fx.pt, 1ULL << 30, 1ULL << 30, 1ULL << 30, PT_WRITE | PT_EXEC | PT_MT(MT_WB)), 0);
	CHECK_EQ(fx.pt.tables_used, 2);
	CHECK_EQ(pt_lookup(&fx.pt, (1ULL << 30) + 0x345000, &l), 0);
	before = l.entry & ~PTE_ADDR_MASK & ~EPT_LARGE;

	pte = pt_leaf_4k(&fx.pt, (1ULL << 30) + 0x345678);
	CHECK(pte != NULL);
	CHECK_EQ(fx.pt.tables_used, 4);                 /* one PD, one PT */
	if (pte) {
		CHECK_EQ(*pte & PTE_ADDR_MASK, (1ULL << 30) + 0x345000);
		CHECK_EQ(*pte & ~PTE_ADDR_MASK, before);
		*pte = 0;                                  /* unmap that one page */
	}
	EXPECT_NONE(&fx.pt, (1ULL << 30) + 0x345000);
	EXPECT(&fx.pt, (1ULL << 30) + 0x344fff, (1ULL << 30) + 0x344fff, 4096);
	EXPECT(&fx.pt, (1ULL << 30) + 0x346000, (1ULL << 30) + 0x346000, 4096);
	EXPECT(&fx.pt, (1ULL << 30) + 0x200000 * 5, (1ULL << 30) + 0x200000 * 5, 0x200000);
	/* A second request in the same 2 MiB needs no new table. */
	CHECK(pt_leaf_4k(&fx.pt, (1ULL << 30) + 0x300000) != NULL);
	CHECK_EQ(fx.pt.tables_used, 4);
	CHECK(pt_leaf_4k(&fx.pt, 5ULL << 30) == NULL);  /* not mapped */
	fx_fini(&fx);
}

TEST(leaf_4k_x86_drops_ps_bit)
{
	struct fixture fx;
	uint64_t *pte;

	fx_init(&fx, false);
	CHECK_EQ(pt_map(&fx.pt, 0x200000, 0x200000, 0x200000, PT_WRITE), 0);
	pte = pt_leaf_4k(&fx.pt, 0x201000);
	CHECK(pte != NULL);
	if (pte)
		CHECK_EQ(*pte, 0x201000 | PTE_P | PTE_W | PTE_NX);
	fx.m.limit = fx.m.used;                         /* no more tables */
	CHECK_EQ(pt_map(&fx.pt, 0x40000000, 0x40000000, 0x200000, PT_WRITE), -ENOMEM);
	fx_fini(&fx);
}

/* Permissions of a typical mapping in each format (EPT needs a memory type). */
static unsigned int perm_rw(const struct pagetable *pt)
{
	return PT_WRITE | (pt->fmt == &pt_format_ept ? PT_MT(MT_WB) : 0);
}

/* Distinct entry bits for k = 0..7 in either format. */
static unsigned int perm_k(const struct pagetable *pt, unsigned int k)
{
	unsigned int p = k & (PT_WRITE | PT_EXEC);

	if (pt->fmt == &pt_format_ept)
		return p | ((k & 4) ? PT_UNCACHED : PT_MT(MT_WB));
	return p | ((k & 4) ? PT_UNCACHED : 0);
}

/* The tree's shape and every entry, table addresses left out, in walk order. */
struct snap {
	uint64_t v[1 << 16];            /* (level, index), entry ... ~0 at each table's end */
	unsigned int n;                 /* values used */
};

static void snap_table(struct fixture *fx, const uint64_t *t, unsigned int level, struct snap *s)
{
	for (unsigned int i = 0; i < 512; i++) {
		uint64_t e = t[i];

		if (!e || s->n + 2 >= ARRAY_SIZE(s->v))
			continue;
		s->v[s->n++] = (uint64_t)level << 32 | i;
		if (!pt_entry_present(&fx->pt, e) || pt_entry_is_leaf(&fx->pt, e, level)) {
			s->v[s->n++] = e;
		} else {
			s->v[s->n++] = e & ~PTE_ADDR_MASK;
			snap_table(fx, fake_ptr(&fx->m, e & PTE_ADDR_MASK), level - 1, s);
		}
	}
	s->v[s->n++] = ~0ULL;                   /* end of this table */
}

static struct snap *snap_take(struct fixture *fx)
{
	struct snap *s = calloc(1, sizeof(*s));

	if (s)
		snap_table(fx, fx->pt.root, 4, s);
	return s;
}

static bool snap_equal(const struct snap *a, const struct snap *b)
{
	return a && b && a->n == b->n && !memcmp(a->v, b->v, a->n * sizeof(a->v[0]));
}

static struct pt_stats stats_of(struct pagetable *pt)
{
	struct pt_stats st;

	pt_stats(pt, &st);
	return st;
}

/* Both formats: unmapping inside a 1 GiB page splits exactly what the edges need. */
TEST(unmap_splits_1g_to_2m_to_4k_only_as_needed)
{
	for (int f = 0; f < 2; f++) {
		struct fixture fx;
		struct pt_stats st;
		uint64_t orig, bits;
		const hva_t g = GiB;
		const hpa_t pa = 5 * GiB;

		fx_setup(&fx, f ? &pt_format_ept : &pt_format_x86, true, true);
		CHECK_EQ(pt_map(&fx.pt, g, pa, GiB, perm_rw(&fx.pt)), 0);
		CHECK_EQ(fx.pt.tables_used, 2);
		orig = leaf_entry(&fx.pt, g);
		bits = orig & ~PTE_ADDR_MASK & ~fx.pt.fmt->large;

		/* One 4 KiB page: the 1 GiB page becomes 2 MiB pages, and only the
		 * 2 MiB page holding it becomes 4 KiB pages. */
		CHECK_EQ(pt_unmap(&fx.pt, g + 0x345000, PAGE_SIZE), 0);
		CHECK_EQ(fx.pt.tables_used, 4);
		EXPECT_NONE(&fx.pt, g + 0x345000);
		EXPECT_NONE(&fx.pt, g + 0x345fff);
		EXPECT(&fx.pt, g + 0x344fff, pa + 0x344fff, PAGE_SIZE);
		EXPECT(&fx.pt, g + 0x346000, pa + 0x346000, PAGE_SIZE);
		EXPECT(&fx.pt, g + 0x200000, pa + 0x200000, PAGE_SIZE);
		EXPECT(&fx.pt, g, pa, PAGE_SIZE_2M);
		EXPECT(&fx.pt, g + 0x400000, pa + 0x400000, PAGE_SIZE_2M);
		EXPECT(&fx.pt, g + GiB - 1, pa + GiB - 1, PAGE_SIZE_2M);
		CHECK_EQ(leaf_entry(&fx.pt, g + 0x346000), (pa + 0x346000) | bits);
		CHECK_EQ(leaf_entry(&fx.pt, g + 0x400000), (pa + 0x400000) | bits | fx.pt.fmt->large);
		st = stats_of(&fx.pt);
		CHECK_EQ(st.leaves[3], 0);
		CHECK_EQ(st.leaves[2], 511);
		CHECK_EQ(st.leaves[1], 511);
		CHECK_EQ(st.mapped, GiB - PAGE_SIZE);

		/* Whole 2 MiB pages: no table. */
		CHECK_EQ(pt_unmap(&fx.pt, g + 20 * PAGE_SIZE_2M, 2 * PAGE_SIZE_2M), 0);
		CHECK_EQ(fx.pt.tables_used, 4);
		EXPECT_NONE(&fx.pt, g + 21 * PAGE_SIZE_2M + 0x1000);
		EXPECT(&fx.pt, g + 22 * PAGE_SIZE_2M, pa + 22 * PAGE_SIZE_2M, PAGE_SIZE_2M);

		/* The last 4 KiB of page 29, all of 30, the first 8 KiB of 31: one
		 * PT at each edge. */
		CHECK_EQ(pt_unmap(&fx.pt, g + 30 * PAGE_SIZE_2M - PAGE_SIZE,
				  PAGE_SIZE_2M + 3 * PAGE_SIZE), 0);
		CHECK_EQ(fx.pt.tables_used, 6);
		EXPECT(&fx.pt, g + 30 * PAGE_SIZE_2M - 2 * PAGE_SIZE, pa + 30 * PAGE_SIZE_2M - 2 * PAGE_SIZE, PAGE_SIZE);
		EXPECT_NONE(&fx.pt, g + 30 * PAGE_SIZE_2M - PAGE_SIZE);
		EXPECT_NONE(&fx.pt, g + 31 * PAGE_SIZE_2M + PAGE_SIZE);
		EXPECT(&fx.pt, g + 31 * PAGE_SIZE_2M + 2 * PAGE_SIZE, pa + 31 * PAGE_SIZE_2M + 2 * PAGE_SIZE, PAGE_SIZE);
		st = stats_of(&fx.pt);
		CHECK_EQ(st.leaves[2], 506);
		CHECK_EQ(st.leaves[1], 511 + 511 + 510);
		CHECK_EQ(st.tables, 6);

		/* 2 MiB-aligned hole in another 1 GiB page: the PD only. */
		CHECK_EQ(pt_map(&fx.pt, 3 * GiB, 0, GiB, perm_rw(&fx.pt)), 0);
		CHECK_EQ(pt_unmap(&fx.pt, 3 * GiB + PAGE_SIZE_2M, PAGE_SIZE_2M), 0);
		CHECK_EQ(fx.pt.tables_used, 7);
		EXPECT(&fx.pt, 3 * GiB, 0, PAGE_SIZE_2M);
		EXPECT_NONE(&fx.pt, 3 * GiB + PAGE_SIZE_2M);
		fx_fini(&fx);
	}
}

TEST(unmap_whole_large_pages_without_splitting)
{
	struct fixture fx;

	fx_init_ept(&fx, true);
	CHECK_EQ(pt_map(&fx.pt, 0, 0, 4 * GiB, perm_rw(&fx.pt)), 0);
	CHECK_EQ(fx.pt.tables_used, 2);
	CHECK_EQ(pt_unmap(&fx.pt, GiB, 2 * GiB), 0);
	CHECK_EQ(fx.pt.tables_used, 2);
	CHECK_EQ(fx.m.slots, 2);                /* nothing was even allocated */
	EXPECT(&fx.pt, GiB - 1, GiB - 1, PAGE_SIZE_1G);
	EXPECT_NONE(&fx.pt, GiB);
	EXPECT_NONE(&fx.pt, 3 * GiB - 1);
	EXPECT(&fx.pt, 3 * GiB, 3 * GiB, PAGE_SIZE_1G);
	fx_fini(&fx);

	fx_init(&fx, false);
	CHECK_EQ(pt_map(&fx.pt, 0, 0, GiB, PT_WRITE), 0);
	CHECK_EQ(fx.pt.tables_used, 3);
	CHECK_EQ(pt_unmap(&fx.pt, 2 * MiB, 4 * MiB), 0);
	CHECK_EQ(fx.pt.tables_used, 3);
	CHECK_EQ(fx.m.slots, 3);
	EXPECT(&fx.pt, 2 * MiB - 1, 2 * MiB - 1, PAGE_SIZE_2M);
	EXPECT_NONE(&fx.pt, 2 * MiB);
	EXPECT(&fx.pt, 6 * MiB, 6 * MiB, PAGE_SIZE_2M);
	/* All of it: the PD and PDPT go, the root stays. */
	CHECK_EQ(pt_unmap(&fx.pt, 0, GiB), 0);
	CHECK_EQ(fx.pt.tables_used, 1);
	CHECK_EQ(fx.pt.root[0], 0);
	fx_fini(&fx);
}

TEST(unmap_frees_emptied_tables)
{
	struct fixture fx;
	const hva_t kbase = 0xffffffff80000000ULL;

	fx_init(&fx, true);
	CHECK_EQ(pt_map(&fx.pt, kbase + 0x1000, 0x1000, PAGE_SIZE, 0), 0);
	CHECK_EQ(pt_map(&fx.pt, kbase + 0x3000, 0x3000, PAGE_SIZE, 0), 0);
	CHECK_EQ(fx.pt.tables_used, 4);
	CHECK_EQ(pt_unmap(&fx.pt, kbase + 0x1000, PAGE_SIZE), 0);
	CHECK_EQ(fx.pt.tables_used, 4);         /* the PT still maps 0x3000 */
	EXPECT(&fx.pt, kbase + 0x3000, 0x3000, PAGE_SIZE);
	CHECK_EQ(pt_unmap(&fx.pt, kbase + 0x3000, PAGE_SIZE), 0);
	CHECK_EQ(fx.pt.tables_used, 1);
	CHECK_EQ(fx.m.frees, 3);
	CHECK_EQ(fx.pt.root[511], 0);

	/* Unmapping nothing changes nothing. */
	CHECK_EQ(pt_unmap(&fx.pt, kbase, 16 * MiB), 0);
	CHECK_EQ(pt_unmap(&fx.pt, 0, 512 * GiB), 0);
	CHECK_EQ(fx.pt.tables_used, 1);

	/* A range over several tables, some wholly inside, some at the edges. */
	CHECK_EQ(pt_map(&fx.pt, 0x1ff000, 0x1ff000, 4 * MiB + 12 * KiB, PT_WRITE), 0);
	CHECK_EQ(pt_map(&fx.pt, GiB + 0x5000, 0x5000, PAGE_SIZE, PT_WRITE), 0);
	CHECK_EQ(fx.pt.tables_used, 7);
	CHECK_EQ(pt_unmap(&fx.pt, 0x1ff000, GiB + 0x5000 - 0x1ff000), 0);
	EXPECT_NONE(&fx.pt, 0x1ff000);
	EXPECT_NONE(&fx.pt, 0x601000);
	EXPECT(&fx.pt, GiB + 0x5000, 0x5000, PAGE_SIZE);
	CHECK_EQ(fx.pt.tables_used, 4);         /* root, PDPT, PD and PT for GiB + 0x5000 */
	CHECK_EQ(pt_unmap(&fx.pt, 0, 2 * GiB), 0);
	CHECK_EQ(fx.pt.tables_used, 1);
	CHECK_EQ(stats_of(&fx.pt).mapped, 0);
	fx_fini(&fx);
}

TEST(unmap_at_top_of_address_space)
{
	struct fixture fx;

	fx_init(&fx, false);
	CHECK_EQ(pt_map(&fx.pt, 0xffffffffffc00000ULL, 0x200000, 4 * MiB, 0), 0);
	CHECK_EQ(pt_unmap(&fx.pt, 0xfffffffffffff000ULL, PAGE_SIZE), 0);
	EXPECT_NONE(&fx.pt, 0xffffffffffffffffULL);
	EXPECT(&fx.pt, 0xffffffffffffefffULL, 0x5fefff, PAGE_SIZE);
	EXPECT(&fx.pt, 0xffffffffffc00000ULL, 0x200000, PAGE_SIZE_2M);
	CHECK_EQ(pt_unmap(&fx.pt, 0xffffffffffc00000ULL, 4 * MiB), 0);
	CHECK_EQ(fx.pt.tables_used, 1);
	fx_fini(&fx);
}

TEST(unmap_invalid_arguments)
{
	struct fixture fx;

	fx_init(&fx, true);
	CHECK_EQ(pt_map(&fx.pt, 0, 0, GiB, PT_WRITE), 0);
	CHECK_EQ(pt_unmap(&fx.pt, 0x1001, PAGE_SIZE), -EINVAL);
	CHECK_EQ(pt_unmap(&fx.pt, 0x1000, 0x1001), -EINVAL);
	CHECK_EQ(pt_unmap(&fx.pt, 0x1000, 0), -EINVAL);
	CHECK_EQ(pt_unmap(&fx.pt, 0x0000800000000000ULL, PAGE_SIZE), -EINVAL);
	CHECK_EQ(pt_unmap(&fx.pt, 0x00007ffffffff000ULL, 2 * PAGE_SIZE), -EINVAL);
	CHECK_EQ(pt_unmap(&fx.pt, 0xfffffffffffff000ULL, 2 * PAGE_SIZE), -EINVAL);
	CHECK_EQ(pt_merge(&fx.pt, 0x1001, PAGE_SIZE), -EINVAL);
	CHECK_EQ(pt_merge(&fx.pt, 0, 0), -EINVAL);
	CHECK_EQ(fx.pt.tables_used, 2);
	EXPECT(&fx.pt, 0x1000, 0x1000, PAGE_SIZE_1G);
	fx_fini(&fx);

	fx_init_ept(&fx, true);
	CHECK_EQ(pt_unmap(&fx.pt, 1ULL << 48, PAGE_SIZE), -EINVAL);
	CHECK_EQ(pt_unmap(&fx.pt, (1ULL << 48) - PAGE_SIZE, 2 * PAGE_SIZE), -EINVAL);
	CHECK_EQ(pt_unmap(&fx.pt, (1ULL << 48) - PAGE_SIZE, PAGE_SIZE), 0);
	fx_fini(&fx);
}

TEST(unmap_out_of_memory_changes_nothing)
{
	struct fixture fx;
	struct snap *before, *after;
	const hva_t g = GiB;

	fx_init_ept(&fx, true);
	CHECK_EQ(pt_map(&fx.pt, g, g, GiB, perm_rw(&fx.pt)), 0);
	before = snap_take(&fx);

	/* A 4 KiB hole needs a PD and a PT; there is room for one. */
	fx.m.limit = fx.m.used + 1;
	CHECK_EQ(pt_unmap(&fx.pt, g + 0x345000, PAGE_SIZE), -ENOMEM);
	CHECK_EQ(fx.pt.tables_used, 2);
	CHECK_EQ(fx.m.frees, 1);                /* the PD, split back */
	after = snap_take(&fx);
	CHECK(snap_equal(before, after));
	free(after);

	/* Both edges: PD + PT at the start, a PT at the end; the third fails. */
	fx.m.limit = fx.m.used + 2;
	CHECK_EQ(pt_unmap(&fx.pt, g + PAGE_SIZE_2M + PAGE_SIZE, 300 * PAGE_SIZE_2M), -ENOMEM);
	after = snap_take(&fx);
	CHECK(snap_equal(before, after));
	free(after);
	CHECK_EQ(fx.pt.tables_used, 2);

	fx.m.limit = FAKE_MAX;
	CHECK_EQ(pt_unmap(&fx.pt, g + PAGE_SIZE_2M + PAGE_SIZE, 300 * PAGE_SIZE_2M), 0);
	CHECK_EQ(fx.pt.tables_used, 5);
	EXPECT(&fx.pt, g + PAGE_SIZE_2M, g + PAGE_SIZE_2M, PAGE_SIZE);
	EXPECT_NONE(&fx.pt, g + PAGE_SIZE_2M + PAGE_SIZE);
	EXPECT_NONE(&fx.pt, g + 301 * PAGE_SIZE_2M);
	EXPECT(&fx.pt, g + 301 * PAGE_SIZE_2M + PAGE_SIZE, g + 301 * PAGE_SIZE_2M + PAGE_SIZE, PAGE_SIZE);
	free(before);
	fx_fini(&fx);

	/* Without free_table the split stays, mapping what the page did. */
	fx_setup(&fx, &pt_format_ept, true, false);
	CHECK_EQ(pt_map(&fx.pt, g, g, GiB, perm_rw(&fx.pt)), 0);
	fx.m.limit = fx.m.used + 1;
	CHECK_EQ(pt_unmap(&fx.pt, g + 0x345000, PAGE_SIZE), -ENOMEM);
	CHECK_EQ(fx.pt.tables_used, 3);
	EXPECT(&fx.pt, g + 0x345000, g + 0x345000, PAGE_SIZE_2M);
	EXPECT(&fx.pt, g, g, PAGE_SIZE_2M);
	CHECK_EQ(stats_of(&fx.pt).mapped, GiB);
	fx_fini(&fx);
}

TEST(without_free_table_tables_stay_and_are_reused)
{
	struct fixture fx;

	fx_setup(&fx, &pt_format_x86, true, false);
	CHECK_EQ(pt_map(&fx.pt, 0x200000, 0x200000, PAGE_SIZE, 0), 0);
	CHECK_EQ(fx.pt.tables_used, 4);
	CHECK_EQ(pt_unmap(&fx.pt, 0x200000, PAGE_SIZE), 0);
	CHECK_EQ(fx.pt.tables_used, 4);
	CHECK(fx.pt.root[0] & PTE_P);
	EXPECT_NONE(&fx.pt, 0x200000);
	CHECK_EQ(pt_map(&fx.pt, 0x200000, 0x200000, PAGE_SIZE_2M, 0), 0);
	CHECK_EQ(fx.pt.tables_used, 4);         /* descended into the empty PT */
	EXPECT(&fx.pt, 0x200000, 0x200000, PAGE_SIZE);
	CHECK_EQ(pt_merge(&fx.pt, 0, GiB), 0);  /* cannot free, so does not merge */
	EXPECT(&fx.pt, 0x200000, 0x200000, PAGE_SIZE);
	CHECK_EQ(fx.m.frees, 0);
	fx_fini(&fx);
}

/* Unmap then map back the same thing, merge: the original tree again. */
TEST(merge_after_unmap_and_map_restores_the_tree)
{
	for (int f = 0; f < 2; f++) {
		for (int big = 0; big < 2; big++) {
			struct fixture fx;
			struct snap *before, *after;
			unsigned int used, perm;
			int extra;

			fx_setup(&fx, f ? &pt_format_ept : &pt_format_x86, big, true);
			perm = perm_rw(&fx.pt);
			CHECK_EQ(pt_map(&fx.pt, 0, 0, 4 * GiB, perm), 0);
			CHECK_EQ(pt_map(&fx.pt, 8 * GiB + 0x5000, 0x5000, PAGE_SIZE, 0), 0);
			used = fx.pt.tables_used;
			before = snap_take(&fx);

			CHECK_EQ(pt_unmap(&fx.pt, 0x12345000, 3 * PAGE_SIZE), 0);
			CHECK_EQ(pt_unmap(&fx.pt, GiB + PAGE_SIZE_2M - PAGE_SIZE, PAGE_SIZE_2M + 2 * PAGE_SIZE), 0);
			CHECK_EQ(pt_map(&fx.pt, 0x12345000, 0x12345000, 3 * PAGE_SIZE, perm), 0);
			CHECK_EQ(pt_map(&fx.pt, GiB + PAGE_SIZE_2M - PAGE_SIZE, GiB + PAGE_SIZE_2M - PAGE_SIZE,
					PAGE_SIZE_2M + 2 * PAGE_SIZE, perm), 0);
			CHECK(fx.pt.tables_used > used);
			/* Merging only around the first change undoes just that one. */
			CHECK_EQ(pt_merge(&fx.pt, 0x12345000, PAGE_SIZE), big ? 2 : 1);
			extra = fx.pt.tables_used - used;
			CHECK_EQ(extra, big ? 3 : 2);
			CHECK_EQ(pt_merge(&fx.pt, 0, 4 * GiB), extra);
			CHECK_EQ(fx.pt.tables_used, used);
			after = snap_take(&fx);
			CHECK(snap_equal(before, after));
			EXPECT(&fx.pt, 0x12345000, 0x12345000, big ? PAGE_SIZE_1G : PAGE_SIZE_2M);
			EXPECT(&fx.pt, GiB + PAGE_SIZE_2M, GiB + PAGE_SIZE_2M, big ? PAGE_SIZE_1G : PAGE_SIZE_2M);
			EXPECT(&fx.pt, 8 * GiB + 0x5000, 0x5000, PAGE_SIZE);
			CHECK_EQ(stats_of(&fx.pt).leaves[3], big ? 4u : 0u);
			/* Nothing left to merge. */
			CHECK_EQ(pt_merge(&fx.pt, 0, 16 * GiB), 0);
			free(before);
			free(after);
			fx_fini(&fx);
		}
	}
}

TEST(merge_refuses_mixed_attributes_and_misaligned_pa)
{
	for (int f = 0; f < 2; f++) {
		struct fixture fx;
		struct pt_stats st;

		fx_setup(&fx, f ? &pt_format_ept : &pt_format_x86, true, true);
		/* One page with other permissions: its PT and PD stay, the
		 * other 2 MiB pages of the PD stay 2 MiB. */
		CHECK_EQ(pt_map(&fx.pt, 0, 0, GiB, perm_k(&fx.pt, 3)), 0);
		CHECK_EQ(pt_unmap(&fx.pt, 0x5000, PAGE_SIZE), 0);
		CHECK_EQ(pt_map(&fx.pt, 0x5000, 0x5000, PAGE_SIZE, perm_k(&fx.pt, 7)), 0);
		CHECK_EQ(fx.pt.tables_used, 4);
		CHECK_EQ(pt_merge(&fx.pt, 0, GiB), 0);
		CHECK_EQ(fx.pt.tables_used, 4);
		EXPECT(&fx.pt, 0x5000, 0x5000, PAGE_SIZE);
		EXPECT(&fx.pt, 0x200000, 0x200000, PAGE_SIZE_2M);

		/* The same permissions but another physical page: not contiguous. */
		CHECK_EQ(pt_unmap(&fx.pt, 0x5000, PAGE_SIZE), 0);
		CHECK_EQ(pt_map(&fx.pt, 0x5000, 0x9000, PAGE_SIZE, perm_k(&fx.pt, 3)), 0);
		CHECK_EQ(pt_merge(&fx.pt, 0, GiB), 0);
		/* The right page: PT then PD merge. */
		CHECK_EQ(pt_unmap(&fx.pt, 0x5000, PAGE_SIZE), 0);
		CHECK_EQ(pt_map(&fx.pt, 0x5000, 0x5000, PAGE_SIZE, perm_k(&fx.pt, 3)), 0);
		CHECK_EQ(pt_merge(&fx.pt, 0, GiB), 2);
		EXPECT(&fx.pt, 0x5000, 0x5000, PAGE_SIZE_1G);

		/* Contiguous 4 KiB pages from a pa that is not 2 MiB-aligned. */
		CHECK_EQ(pt_map(&fx.pt, 2 * GiB, 0x201000, PAGE_SIZE_2M, 0), 0);
		CHECK_EQ(pt_merge(&fx.pt, 2 * GiB, PAGE_SIZE_2M), 0);
		/* 2 MiB pages from a pa that is not 1 GiB-aligned. */
		CHECK_EQ(pt_map(&fx.pt, 3 * GiB, 3 * PAGE_SIZE_2M, GiB, 0), 0);
		CHECK_EQ(pt_merge(&fx.pt, 3 * GiB, GiB), 0);
		/* A PT with a hole. */
		CHECK_EQ(pt_map(&fx.pt, 4 * GiB, 0, PAGE_SIZE_2M - PAGE_SIZE, 0), 0);
		CHECK_EQ(pt_merge(&fx.pt, 4 * GiB, GiB), 0);
		st = stats_of(&fx.pt);
		CHECK_EQ(st.leaves[1], 512 + 511);
		CHECK_EQ(st.leaves[2], 512);
		CHECK_EQ(st.leaves[3], 1);
		fx_fini(&fx);
	}
}

TEST(merge_keeps_accessed_dirty_and_refuses_pte_bit_7)
{
	for (int f = 0; f < 2; f++) {
		struct fixture fx;
		uint64_t *pte, ad, e;

		fx_setup(&fx, f ? &pt_format_ept : &pt_format_x86, true, true);
		ad = fx.pt.fmt->accessed_dirty;
		CHECK_EQ(pt_map(&fx.pt, 0, 0, PAGE_SIZE_2M, perm_rw(&fx.pt)), 0);
		e = leaf_entry(&fx.pt, 0);
		pte = pt_leaf_4k(&fx.pt, 0x3000);
		CHECK(pte != NULL);
		if (!pte)
			continue;
		pte[0] |= ad;                   /* the CPU wrote to 0x3000 */
		pte[1] |= ad & (PTE_A | EPT_A); /* and read 0x4000 */
		CHECK_EQ(fx.pt.tables_used, 4);
		CHECK_EQ(pt_merge(&fx.pt, 0, PAGE_SIZE_2M), 1);
		CHECK_EQ(leaf_entry(&fx.pt, 0), e | ad);

		/* x86: PTE bit 7 is PAT, which a 2 MiB page holds elsewhere. */
		pte = pt_leaf_4k(&fx.pt, 0);
		for (int i = 0; pte && i < 512; i++)
			pte[i] |= PTE_PS;
		CHECK_EQ(pt_merge(&fx.pt, 0, PAGE_SIZE_2M), 0);
		EXPECT(&fx.pt, 0x1000, 0x1000, PAGE_SIZE);
		fx_fini(&fx);
	}
}

TEST(merge_1g_only_when_allowed)
{
	struct fixture fx;

	fx_init_ept(&fx, false);
	CHECK_EQ(pt_map(&fx.pt, 0, 0, GiB, PT_MT(MT_WB)), 0);
	CHECK_EQ(fx.pt.tables_used, 3);
	CHECK_EQ(pt_merge(&fx.pt, 0, GiB), 0);
	CHECK_EQ(stats_of(&fx.pt).leaves[2], 512);
	fx_fini(&fx);

	fx_init_ept(&fx, true);
	CHECK_EQ(pt_map(&fx.pt, 0, 0, GiB, PT_MT(MT_WB)), 0);
	CHECK(pt_leaf_4k(&fx.pt, 0x7000) != NULL);
	CHECK_EQ(fx.pt.tables_used, 4);
	CHECK_EQ(pt_merge(&fx.pt, 0x7000, PAGE_SIZE), 2);
	CHECK_EQ(fx.pt.tables_used, 2);
	EXPECT(&fx.pt, 0x7000, 0x7000, PAGE_SIZE_1G);
	fx_fini(&fx);
}

TEST(merge_frees_tables_emptied_by_hand)
{
	struct fixture fx;
	uint64_t *pte;

	fx_init_ept(&fx, true);
	CHECK_EQ(pt_map(&fx.pt, 0x200000, 0x200000, PAGE_SIZE, PT_MT(MT_WB)), 0);
	pte = pt_leaf_4k(&fx.pt, 0x200000);
	CHECK(pte != NULL);
	if (pte)
		*pte = 0;
	CHECK_EQ(pt_merge(&fx.pt, 0x200000, PAGE_SIZE), 3);
	CHECK_EQ(fx.pt.tables_used, 1);
	CHECK_EQ(fx.pt.root[0], 0);
	fx_fini(&fx);
}

/* The levels a walk visits and what it sees at the last one. */
struct walk_rec {
	unsigned int n;                         /* entries visited */
	unsigned int level[5];                  /* their levels, in order */
	uint64_t last;                          /* the last entry visited */
	int bad;                                /* entries not at table_pa[index] */
};

static struct walk_rec walk_of(struct fixture *fx, hva_t va)
{
	struct walk_rec r = { 0 };
	struct pt_walk w;

	for_each_pt_entry(w, &fx->pt, va) {
		uint64_t *t = fake_ptr(&fx->m, w.table_pa);

		if (r.n < 5)
			r.level[r.n++] = w.level;
		r.bad += w.pt != &fx->pt || w.va != va || !t || w.entry != &t[pt_level_index(va, w.level)];
		r.last = *w.entry;
	}
	return r;
}

static bool levels_are(const struct walk_rec *r, unsigned int n)
{
	for (unsigned int i = 0; i < r->n; i++)
		if (r->level[i] != 4 - i)
			return false;
	return r->n == n && r->bad == 0;
}

TEST(walk_visits_each_level_down_to_leaf_or_hole)
{
	for (int f = 0; f < 2; f++) {
		struct fixture fx;
		struct walk_rec r;

		fx_setup(&fx, f ? &pt_format_ept : &pt_format_x86, true, true);
		CHECK_EQ(pt_map(&fx.pt, GiB, GiB, GiB, 0), 0);
		CHECK_EQ(pt_map(&fx.pt, 0x200000, 0x400000, PAGE_SIZE_2M, 0), 0);
		CHECK_EQ(pt_map(&fx.pt, 0x5000, 0x9000, PAGE_SIZE, 0), 0);

		r = walk_of(&fx, GiB + 123);
		CHECK(levels_are(&r, 2));
		CHECK_EQ(r.last, leaf_entry(&fx.pt, GiB));
		r = walk_of(&fx, 0x200005);
		CHECK(levels_are(&r, 3));
		CHECK_EQ(r.last & PTE_ADDR_MASK, 0x400000);
		r = walk_of(&fx, 0x5000);
		CHECK(levels_are(&r, 4));
		CHECK_EQ(r.last & PTE_ADDR_MASK, 0x9000);
		/* Stops at, and shows, the first non-present entry. */
		r = walk_of(&fx, 0x6000);
		CHECK(levels_are(&r, 4) && r.last == 0);
		r = walk_of(&fx, 0x400000);
		CHECK(levels_are(&r, 3) && r.last == 0);
		r = walk_of(&fx, 5 * GiB);
		CHECK(levels_are(&r, 2) && r.last == 0);
		r = walk_of(&fx, 1ULL << 40);
		CHECK(levels_are(&r, 1) && r.last == 0);
		/* Untranslatable addresses: nothing at all. */
		r = walk_of(&fx, f ? 1ULL << 48 : 0x0000800000000000ULL);
		CHECK_EQ(r.n, 0);
		fx_fini(&fx);
	}
}

TEST(stats_count_leaves_tables_and_bytes)
{
	struct fixture fx;
	struct pt_stats st;

	fx_init(&fx, true);
	st = stats_of(&fx.pt);
	CHECK_EQ(st.tables, 1);
	CHECK_EQ(st.mapped, 0);
	CHECK_EQ(pt_map(&fx.pt, 0, 0, 2 * GiB, 0), 0);
	CHECK_EQ(pt_map(&fx.pt, 4 * GiB, 0, 3 * PAGE_SIZE_2M, 0), 0);
	CHECK_EQ(pt_map(&fx.pt, 0xffffffff80000000ULL, 0x1000, 5 * PAGE_SIZE, 0), 0);
	st = stats_of(&fx.pt);
	CHECK_EQ(st.leaves[0], 0);
	CHECK_EQ(st.leaves[1], 5);
	CHECK_EQ(st.leaves[2], 3);
	CHECK_EQ(st.leaves[3], 2);
	CHECK_EQ(st.tables, fx.pt.tables_used);
	CHECK_EQ(st.tables, 6);
	CHECK_EQ(st.mapped, 2 * GiB + 3 * PAGE_SIZE_2M + 5 * PAGE_SIZE);
	fx_fini(&fx);
}

/* Maps the runs one by one into a fresh tree; returns tables_used after
 * mapping (*merged: after merging all of it), or 0 on error. */
static unsigned int build_runs(const struct pt_format *fmt, const struct pt_run *r, unsigned int n,
			       bool allow_1g, unsigned int *merged)
{
	struct fixture fx;
	unsigned int used;
	int ok = 1;

	fx_setup(&fx, fmt, allow_1g, true);
	for (unsigned int i = 0; i < n; i++)
		ok &= pt_map(&fx.pt, r[i].va, r[i].pa, r[i].size, r[i].perm) == 0;
	used = fx.pt.tables_used;
	ok &= tree_problems(&fx) == 0;
	for (unsigned int i = 0; i < n; i++)
		ok &= pt_merge(&fx.pt, r[i].va, r[i].size) >= 0;
	*merged = fx.pt.tables_used;
	ok &= tree_problems(&fx) == 0;
	CHECK(ok);
	fx_fini(&fx);
	return ok ? used : 0;
}

TEST(min_tables_hand_made)
{
	static const struct {
		struct pt_run r[3];
		unsigned int n;
		unsigned int want_1g, want_2m;  /* with and without 1 GiB pages */
		bool joined;                    /* runs continue each other: only merging gets there */
	} c[] = {
		{ { { 0, 0, PAGE_SIZE, 0 } }, 1, 4, 4, false },
		{ { { 0, 0, GiB, 0 } }, 1, 2, 3, false },
		{ { { 0, PAGE_SIZE_2M, GiB, 0 } }, 1, 3, 3, false },
		{ { { 0, PAGE_SIZE, GiB, 0 } }, 1, 3 + 512, 3 + 512, false },
		{ { { 0, 0, 4 * GiB, 0 }, { 4 * GiB, 0x7000, PAGE_SIZE, 0 } }, 2, 4, 8, false },
		{ { { 0, 0, GiB / 2, 1 }, { GiB / 2, GiB / 2, GiB / 2, 1 } }, 2, 2, 3, true },
		{ { { 0, 0, GiB / 2, 1 }, { GiB / 2, GiB / 2, GiB / 2, 2 } }, 2, 3, 3, false },
		{ { { 0, 0, GiB / 2, 1 }, { GiB / 2, GiB, GiB / 2, 1 } }, 2, 3, 3, false },
		{ { { 0, 0, PAGE_SIZE, 0 }, { 2 * PAGE_SIZE, 0, PAGE_SIZE, 0 } }, 2, 4, 4, false },
		{ { { PAGE_SIZE_2M - PAGE_SIZE, 0, 2 * PAGE_SIZE, 0 } }, 1, 5, 5, false },
		{ { { 0, 0, PAGE_SIZE, 0 }, { 512 * GiB, GiB, GiB + PAGE_SIZE_2M, 0 } }, 2, 6, 7, false },
		{ { { 0x7fffc0000000ULL, 0, GiB, 1 } }, 1, 2, 3, false },
		{ { { GiB - PAGE_SIZE_2M, 0, PAGE_SIZE_2M, 0 }, { GiB, PAGE_SIZE_2M, GiB, 0 },
		    { 2 * GiB, GiB + PAGE_SIZE_2M, PAGE_SIZE, 0 } }, 3, 6, 6, true },
	};

	CHECK_EQ(pt_min_tables(NULL, 0, true), 1);
	for (unsigned int i = 0; i < ARRAY_SIZE(c); i++) {
		for (int big = 0; big < 2; big++) {
			unsigned int want = big ? c[i].want_1g : c[i].want_2m, merged, used;
			char m[64];

			snprintf(m, sizeof(m), "case %u, allow_1g %d", i, big);
			if (pt_min_tables(c[i].r, c[i].n, big) != want)
				check_fail(__FILE__, __LINE__, m);
			used = build_runs(&pt_format_ept, c[i].r, c[i].n, big, &merged);
			if ((c[i].joined ? used < want : used != want) || merged != want)
				check_fail(__FILE__, __LINE__, m);
		}
	}
}

TEST(min_tables_high_half_and_top)
{
	const struct pt_run k[] = {
		{ 0xffff888000000000ULL, 0, 4 * GiB, 0 },
		{ 0xffffffff80000000ULL, 0x1000000, 16 * MiB, 1 },
		{ 0xffffffffffe00000ULL, 0x200000, PAGE_SIZE_2M - PAGE_SIZE, 2 },
		{ 0xfffffffffffff000ULL, 0x3ff000, PAGE_SIZE, 3 },
	};
	unsigned int merged;

	/* root, PDPT for the direct map, PDPT for the top 512 GiB with a PD for
	 * the image's GiB and one for the last GiB, a PT for the last 2 MiB. */
	CHECK_EQ(pt_min_tables(k, 4, true), 6);
	CHECK_EQ(build_runs(&pt_format_x86, k, 4, true, &merged), 6);
	CHECK_EQ(merged, 6);
	/* Without 1 GiB pages, a PD for each GiB of the direct map. */
	CHECK_EQ(pt_min_tables(k, 4, false), 10);
	CHECK_EQ(build_runs(&pt_format_x86, k, 4, false, &merged), 10);
	CHECK_EQ(merged, 10);
}

TEST(min_tables_rejects_bad_runs)
{
	const struct pt_run unsorted[] = { { 2 * PAGE_SIZE, 0, PAGE_SIZE, 0 }, { 0, 0, PAGE_SIZE, 0 } };
	const struct pt_run overlap[] = { { 0, 0, 2 * PAGE_SIZE, 0 }, { PAGE_SIZE, 0, PAGE_SIZE, 0 } };
	const struct pt_run empty[] = { { 0, 0, 0, 0 } };
	const struct pt_run misaligned[] = { { 0, 0x800, PAGE_SIZE, 0 } };
	const struct pt_run wrap[] = { { 0xfffffffffffff000ULL, 0, 2 * PAGE_SIZE, 0 } };

	CHECK_EQ(pt_min_tables(unsorted, 2, true), 0);
	CHECK_EQ(pt_min_tables(overlap, 2, true), 0);
	CHECK_EQ(pt_min_tables(empty, 1, true), 0);
	CHECK_EQ(pt_min_tables(misaligned, 1, true), 0);
	CHECK_EQ(pt_min_tables(wrap, 1, true), 0);
}

/* Random sorted runs in [0, 16 GiB): sizes from 4 KiB to 2 GiB, pa aligned
 * like va to 1 GiB or 2 MiB, or (small runs) not at all, sometimes
 * continuing the previous run. Returns the count; *joined if some run
 * continues the one before in va, pa and perm. */
static unsigned int random_runs(struct pt_run *r, unsigned int max, bool *joined)
{
	uint64_t va = (rng() % 4) ? (rng() % 2048) * PAGE_SIZE_2M : 0;
	unsigned int n = 1 + rng() % max;

	*joined = false;
	if (rng() % 3 == 0)
		va += (rng() % 512) * PAGE_SIZE;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t size, pa;

		switch (rng() % 4) {
		case 0:  size = (1 + rng() % 8) * PAGE_SIZE; break;
		case 1:  size = (1 + rng() % 16) * PAGE_SIZE_2M; break;
		case 2:  size = (1 + rng() % 2) * GiB; break;
		default: size = (1 + rng() % 1200) * PAGE_SIZE; break;
		}
		switch (rng() % 4) {
		case 0:  pa = va % GiB + (rng() % 8) * GiB; break;
		case 1:  pa = va % PAGE_SIZE_2M + (rng() % 4096) * PAGE_SIZE_2M; break;
		case 2:  pa = size <= 8 * MiB ? (rng() % 100000) * PAGE_SIZE : va; break;
		default: pa = i ? r[i - 1].pa + (va - r[i - 1].va) : va; break;
		}
		r[i] = (struct pt_run){ va, pa, size, (i && rng() % 2) ? r[i - 1].perm : rng() % 4 };
		if (i && r[i].va == r[i - 1].va + r[i - 1].size && r[i].perm == r[i - 1].perm &&
		    r[i].pa == r[i - 1].pa + r[i - 1].size)
			*joined = true;
		va += size;
		if (rng() % 2)
			va += (rng() % 3) ? (1 + rng() % 16) * PAGE_SIZE : (rng() % 4) * PAGE_SIZE_2M;
		if (va + 2 * GiB > 16 * GiB)
			return i + 1;
	}
	return n;
}

TEST(min_tables_matches_builder_on_random_runs)
{
	unsigned int sets = 0, joined_sets = 0, bad = 0;

	rng_state = 0x0123456789abcdefULL;
	for (int round = 0; round < 300; round++) {
		struct pt_run r[12];
		bool joined;
		unsigned int n = random_runs(r, ARRAY_SIZE(r), &joined);

		for (int big = 0; big < 2; big++) {
			const struct pt_format *fmt = round % 2 ? &pt_format_ept : &pt_format_x86;
			unsigned int want = pt_min_tables(r, n, big), merged, used;

			/* perm 0..3 are PT_WRITE/PT_EXEC: distinct bits in both formats. */
			used = build_runs(fmt, r, n, big, &merged);
			if (merged != want || (joined ? used < want : used != want)) {
				if (bad++ < 5)
					printf("  round %d allow_1g %d: min %u, built %u, merged %u\n",
					       round, big, want, used, merged);
			}
			sets++;
			joined_sets += joined;
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(joined_sets > 20 && joined_sets < sets - 20);     /* both kinds were tried */
}

/*
 * Random map/unmap/merge over 64 MiB across a 1 GiB line, checked page by
 * page against a per-page model; now and then unmap runs out of memory and
 * must leave the tree exactly as it was. After each merge of the whole
 * region the tree must be minimal.
 */
static void random_model(const struct pt_format *fmt, hva_t base, uint64_t seed)
{
	static hpa_t model_pa[MODEL_PAGES];
	static unsigned char model_perm[MODEL_PAGES];
	/* root + PDPT + 2 PDs + 32 PTs: every table the region can touch. */
	const unsigned int bound = 1 + 1 + 2 + 32;
	struct fixture fx;
	int mismatches = 0, over = 0, oom = 0, minimal_checks = 0;

	rng_state = seed;
	fx_setup(&fx, fmt, true, true);
	memset(model_perm, 0xff, sizeof(model_perm));
	for (int round = 0; round < 1500; round++) {
		uint64_t first = rng() % MODEL_PAGES, n, pa;
		unsigned int k = rng() % 8, op = rng() % 20;

		if (rng() % 2)
			first &= ~511ULL;
		n = 1 + rng() % (rng() % 2 ? 16 : 4096);
		if (first + n > MODEL_PAGES)
			n = MODEL_PAGES - first;
		if (op < 9) {
			pa = (rng() % 4096) * PAGE_SIZE_2M + (rng() % 4 ? 0 : (rng() % 512) * PAGE_SIZE);
			pa += (first % 512) * PAGE_SIZE;
			CHECK_EQ(pt_map(&fx.pt, base + first * PAGE_SIZE, pa, n * PAGE_SIZE, perm_k(&fx.pt, k)), 0);
			for (uint64_t i = 0; i < n; i++) {
				if (model_perm[first + i] != 0xff)
					continue;
				model_perm[first + i] = k;
				model_pa[first + i] = pa + i * PAGE_SIZE;
			}
		} else if (op < 16) {
			struct snap *before = NULL;
			int ret;

			if (op >= 13) {
				before = snap_take(&fx);
				fx.m.limit = fx.m.used + rng() % 2;
			}
			ret = pt_unmap(&fx.pt, base + first * PAGE_SIZE, n * PAGE_SIZE);
			fx.m.limit = FAKE_MAX;
			if (ret == -ENOMEM && before) {
				struct snap *after = snap_take(&fx);

				CHECK(snap_equal(before, after));
				free(after);
				oom++;
			} else {
				CHECK_EQ(ret, 0);
				memset(model_perm + first, 0xff, n);
			}
			free(before);
		} else if (op < 19) {
			CHECK(pt_merge(&fx.pt, base + first * PAGE_SIZE, n * PAGE_SIZE) >= 0);
		} else {
			struct pt_run runs[MODEL_PAGES / 64];
			unsigned int nr = 0;
			bool fits = true;

			CHECK(pt_merge(&fx.pt, base, MODEL_PAGES * PAGE_SIZE) >= 0);
			for (uint64_t i = 0; i < MODEL_PAGES && fits; i++) {
				struct pt_run *last = nr ? &runs[nr - 1] : NULL;

				if (model_perm[i] == 0xff)
					continue;
				if (last && last->va + last->size == base + i * PAGE_SIZE &&
				    last->perm == model_perm[i] && last->pa + last->size == model_pa[i]) {
					last->size += PAGE_SIZE;
					continue;
				}
				fits = nr < ARRAY_SIZE(runs);
				if (fits)
					runs[nr++] = (struct pt_run){ base + i * PAGE_SIZE, model_pa[i], PAGE_SIZE,
								      model_perm[i] };
			}
			if (fits) {
				CHECK_EQ(fx.pt.tables_used, pt_min_tables(runs, nr, true));
				minimal_checks++;
			}
		}
		over += fx.pt.tables_used > bound;
		if (round % 50 == 0)
			CHECK_EQ(tree_problems(&fx), 0);
	}
	for (uint64_t i = 0; i < MODEL_PAGES; i++) {
		struct pt_lookup l;
		hva_t va = base + i * PAGE_SIZE + (i * 8) % PAGE_SIZE;
		int ret = pt_lookup(&fx.pt, va, &l);

		if (model_perm[i] == 0xff) {
			mismatches += ret != -ENOENT;
			continue;
		}
		mismatches += ret != 0 || l.pa != model_pa[i] + (i * 8) % PAGE_SIZE ||
			      (l.entry & ~PTE_ADDR_MASK & ~fmt->large) !=
			      fmt->leaf_bits(perm_k(&fx.pt, model_perm[i]));
	}
	CHECK_EQ(mismatches, 0);
	CHECK_EQ(over, 0);
	CHECK(oom > 10);
	CHECK(minimal_checks > 20);
	CHECK_EQ(tree_problems(&fx), 0);
	/* Everything unmapped: only the root is left, and no page leaked. */
	CHECK_EQ(pt_unmap(&fx.pt, base, MODEL_PAGES * PAGE_SIZE), 0);
	CHECK_EQ(fx.pt.tables_used, 1);
	CHECK_EQ(fx.m.used, 1);
	CHECK_EQ(fx.m.frees + 1, fx.pt.tables_used + fx.m.frees);
	fx_fini(&fx);
}

TEST(random_map_unmap_merge_match_page_model_ept)
{
	random_model(&pt_format_ept, GiB - 32 * MiB, 0x5eed0001);
}

TEST(random_map_unmap_merge_match_page_model_x86)
{
	random_model(&pt_format_x86, 0xffff888000000000ULL + GiB - 32 * MiB, 0x5eed0002);
}
