/* tests/unit/mm/test_pagetable.c - the paging-structure builder (SDM Vol. 3A
 * 4.5, Vol. 3C 29.3): pt_map/pt_lookup and pt_leaf_4k splits, in the x86-64
 * and EPT formats. Unmap/merge, the walk, statistics and pt_min_tables are
 * in test_pagetable_edit.c. */
#include "tests/unit/check.h"
#include "tests/unit/mm/pt_fixture.h"

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
