/* tests/unit/mm/pt_fixture.h - the malloc-backed pt_mem the page-table
 * tests share: it tracks every table page it hands out, so leaks, double
 * frees and stale pointers show; plus lookup checks and a seeded PRNG.
 * Include after tests/unit/check.h, once per test file. */
#ifndef TESTS_UNIT_MM_PT_FIXTURE_H
#define TESTS_UNIT_MM_PT_FIXTURE_H

#include <stdint.h>
#include "mm/pagetable.h"

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

#endif
