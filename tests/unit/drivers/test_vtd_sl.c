/* tests/unit/drivers/test_vtd_sl.c - VT-d second-level tables built from real
 * guest memory maps (Bochs 512 MiB, QEMU q35 8 GiB with its PCI hole) for
 * every table depth (3, 4, 5 levels) and superpage support (none, 2 MiB,
 * 2 MiB + 1 GiB, 1 GiB alone) use exactly the minimum number of table pages
 * (vtd_sl_min_tables, and mm/pagetable.c's independent pt_min_tables where
 * the formats agree), map RAM identity and read/write, and never the
 * hypervisor's memory, MMIO or anything else; RMRRs are added but never over
 * the hypervisor; the SAGAW/SLLPS/SC decoding. */
#include "drivers/iommu/vtd_sl.h"
#include "drivers/iommu/vtd_sl_layout.h"
#include "tests/unit/check.h"
#include "tests/unit/guest/gmap_fixture.h"

#define MAX_RUNS   1024

#include "tests/unit/fake_tables.h"

static struct pt_run runs[MAX_RUNS];
static char err[200];

static const struct vtd_sl_format formats[] = {
	{ 3, false, false, false }, { 3, true, false, false }, { 3, true, true, true }, { 3, false, true, false },
	{ 4, false, false, false }, { 4, true, false, true },  { 4, true, true, false }, { 4, false, true, false },
	{ 5, false, false, false }, { 5, true, false, false }, { 5, true, true, true },  { 5, false, true, true },
};

/* Builds the tables for runs[0..n) in format f and checks them against g:
 * minimum tables, RAM pages identity RW, nothing else mapped. Returns tables used. */
static unsigned int build_and_check(const char *name, int n, const struct vtd_sl_format *f)
{
	struct vtd_sl sl;
	struct pt_stats st;
	unsigned int min;

	CHECK(n > 0);
	if (n <= 0)
		return 0;
	CHECK_EQ(vtd_sl_init(&sl, &fake_mem, f), 0);
	CHECK_EQ(vtd_sl_map_runs(&sl, runs, (unsigned int)n), 0);
	vtd_sl_stats(&sl, &st);
	min = vtd_sl_min_tables(runs, (unsigned int)n, f);
	printf("  %s, %u levels%s%s: %d runs, %u table pages (minimum %u), %u x 1G, %u x 2M, %u x 4K\n", name,
	       f->levels, f->page_2m ? ", 2M" : "", f->page_1g ? ", 1G" : "", n, sl.tables_used, min,
	       st.leaves[3], st.leaves[2], st.leaves[1]);
	CHECK_EQ(sl.tables_used, min);
	CHECK_EQ(st.tables, sl.tables_used);
	if (f->levels == 4 && f->page_2m)          /* the EPT's own counter agrees where the formats do */
		CHECK_EQ(pt_min_tables(runs, (unsigned int)n, f->page_1g), min);
	if (!f->page_2m)
		CHECK_EQ(st.leaves[2], 0);
	if (!f->page_1g)
		CHECK_EQ(st.leaves[3], 0);

	for (unsigned int i = 0; i < g.flat_count; i++) {
		const struct gmap_range *r = &g.flat[i];
		gpa_t first = ALIGN_UP(r->start, PAGE_SIZE), last = ALIGN_DOWN(r->end, PAGE_SIZE) - PAGE_SIZE;
		gpa_t probe[3] = { first, first + (last - first) / 2, last };

		if (first > last)
			continue;
		for (unsigned int k = 0; k < 3; k++) {
			struct vtd_sl_lookup l;
			int rc = vtd_sl_lookup(&sl, ALIGN_DOWN(probe[k], PAGE_SIZE), &l);

			if (r->kind != GMAP_RAM) {
				CHECK_EQ(rc, -ENOENT);
				continue;
			}
			CHECK_EQ(rc, 0);
			CHECK_EQ(l.pa, ALIGN_DOWN(probe[k], PAGE_SIZE));
			CHECK_EQ(l.entry & (VTD_SL_R | VTD_SL_W), VTD_SL_R | VTD_SL_W);
			CHECK_EQ(!!(l.entry & VTD_SL_SNP), f->snoop);
			CHECK_EQ(!!(l.entry & VTD_SL_PS), l.page_size > PAGE_SIZE);
		}
	}
	/* Every 2 MiB of the hypervisor's working memory, first and last page. */
	for (hpa_t a = hv_work; a < hv_work + 16 * MiB; a += PAGE_SIZE_2M) {
		struct vtd_sl_lookup l;

		CHECK_EQ(vtd_sl_lookup(&sl, a, &l), -ENOENT);
		CHECK_EQ(vtd_sl_lookup(&sl, a + PAGE_SIZE_2M - PAGE_SIZE, &l), -ENOENT);
	}
	free_fake();
	return min;
}

/* The runs of g alone, each a whole-page RAM range, none touching the hypervisor. */
static int layout(unsigned int bits)
{
	int n = vtd_sl_layout(&g, NULL, 0, bits, runs, MAX_RUNS, err, sizeof(err));

	for (int i = 0; i < n; i++) {
		CHECK(gmap_is_ram(&g, runs[i].va, runs[i].size));
		CHECK_EQ(runs[i].pa, runs[i].va);
		CHECK_EQ(runs[i].perm, PT_WRITE);
		CHECK(runs[i].va + runs[i].size <= hv_work || runs[i].va >= hv_work + 16 * MiB);
	}
	return n;
}

TEST(bochs_512m_every_format)
{
	build_gmap(bochs_raw, ARRAY_SIZE(bochs_raw), NULL, 0, 16 * MiB);
	for (unsigned int i = 0; i < ARRAY_SIZE(formats); i++)
		build_and_check("bochs 512M", layout(vtd_sl_width(formats[i].levels)), &formats[i]);
}

TEST(q35_8g_every_format)
{
	build_gmap(q35_raw, ARRAY_SIZE(q35_raw), NULL, 0, 16 * MiB);
	for (unsigned int i = 0; i < ARRAY_SIZE(formats); i++)
		build_and_check("q35 8G", layout(vtd_sl_width(formats[i].levels)), &formats[i]);
}

/* The q35 layout by hand: usable RAM below 640K and 1M..2G less the hypervisor's
 * 16 MiB at the top of RAM above 4 GiB; the partial page at 0x9f000 left out. */
TEST(q35_layout_exact)
{
	build_gmap(q35_raw, ARRAY_SIZE(q35_raw), NULL, 0, 16 * MiB);
	CHECK_EQ(hv_work, 0x280000000ULL - 16 * MiB);
	CHECK_EQ(layout(48), 3);
	CHECK_EQ(runs[0].va, 0);
	CHECK_EQ(runs[0].size, 0x9f000);
	CHECK_EQ(runs[1].va, 0x100000);
	CHECK_EQ(runs[1].size, 0x7fee0000);
	CHECK_EQ(runs[2].va, 0x100000000ULL);
	CHECK_EQ(runs[2].size, 0x180000000ULL - 16 * MiB);
	/* 4 levels, 2M and 1G: the SL-PML4, one SL-PDPT (five 1G pages, 4G..9G),
	 * SL-PDs for [0,1G), [1G,2G) and [9G,10G), SL-PTs for [0,2M) (the hole at
	 * 640K..1M) and [2G-2M,2G) (RAM ends at 0x7ffe0000): 7. */
	CHECK_EQ(build_and_check("q35 8G", 3, &formats[6]), 7);
}

TEST(hand_counted)
{
	static const struct vtd_sl_format f4_1g = { 4, true, true, false }, f4_none = { 4, false, false, false },
		f3_2m = { 3, true, false, false }, f5_1g = { 5, true, true, false },
		f4_1g_only = { 4, false, true, false };
	struct pt_run r = { 0, 0, 4 * GiB, PT_WRITE };
	struct pt_run r2 = { 0, 0, GiB + 2 * MiB, PT_WRITE };

	CHECK_EQ(vtd_sl_min_tables(&r, 1, &f4_1g), 2);             /* PML4, PDPT */
	CHECK_EQ(vtd_sl_min_tables(&r, 1, &f4_none), 2 + 4 + 2048); /* + 4 PDs, 2048 PTs */
	CHECK_EQ(vtd_sl_min_tables(&r, 1, &f3_2m), 1 + 4);         /* PDPT root, 4 PDs */
	CHECK_EQ(vtd_sl_min_tables(&r, 1, &f5_1g), 3);
	CHECK_EQ(vtd_sl_min_tables(&r2, 1, &f4_1g), 3);            /* 1G page, PD with one 2M page */
	CHECK_EQ(vtd_sl_min_tables(&r2, 1, &f4_1g_only), 4);       /* ... and a PT below it */
	CHECK_EQ(vtd_sl_min_tables(NULL, 0, &f4_1g), 1);
}

TEST(min_tables_rejects_bad_runs)
{
	static const struct vtd_sl_format f3 = { 3, true, true, false }, f6 = { 6, true, true, false };
	struct pt_run unsorted[2] = { { 0x2000, 0x2000, 0x1000, 0 }, { 0x1000, 0x1000, 0x1000, 0 } };
	struct pt_run overlap[2] = { { 0x1000, 0x1000, 0x2000, 0 }, { 0x2000, 0x2000, 0x1000, 0 } };
	struct pt_run odd = { 0x1800, 0x1800, 0x1000, 0 }, high = { 1ULL << 39, 1ULL << 39, 0x1000, 0 };

	CHECK_EQ(vtd_sl_min_tables(unsorted, 2, &f3), 0);
	CHECK_EQ(vtd_sl_min_tables(overlap, 2, &f3), 0);
	CHECK_EQ(vtd_sl_min_tables(&odd, 1, &f3), 0);
	CHECK_EQ(vtd_sl_min_tables(&high, 1, &f3), 0);             /* beyond 39 bits */
	CHECK_EQ(vtd_sl_min_tables(&high, 1, &f6), 0);
}

TEST(map_checks_and_lookup)
{
	static const struct vtd_sl_format f3 = { 3, true, true, false }, bad = { 2, true, true, false };
	struct vtd_sl sl;
	struct vtd_sl_lookup l;

	CHECK_EQ(vtd_sl_init(&sl, &fake_mem, &bad), -EINVAL);
	CHECK_EQ(vtd_sl_init(&sl, &fake_mem, &f3), 0);
	CHECK_EQ(vtd_sl_map(&sl, 0x1000, 0x1000, 0x800, true), -EINVAL);
	CHECK_EQ(vtd_sl_map(&sl, 0x1800, 0x1000, 0x1000, true), -EINVAL);
	CHECK_EQ(vtd_sl_map(&sl, (1ULL << 39) - 0x1000, 0, 0x2000, true), -EINVAL);
	CHECK_EQ(vtd_sl_map(&sl, 0, 0, 0, true), -EINVAL);
	/* Not identity: 2M at 0x40000000 -> 0x7fe00000, read-only; a 2M page. */
	CHECK_EQ(vtd_sl_map(&sl, 0x40000000, 0x7fe00000, 2 * MiB, false), 0);
	CHECK_EQ(vtd_sl_lookup(&sl, 0x40123000, &l), 0);
	CHECK_EQ(l.pa, 0x7ff23000);
	CHECK_EQ(l.page_size, 2 * MiB);
	CHECK_EQ(l.entry & (VTD_SL_R | VTD_SL_W | VTD_SL_PS), VTD_SL_R | VTD_SL_PS);
	/* First mapping wins. */
	CHECK_EQ(vtd_sl_map(&sl, 0x40000000, 0x40000000, 4 * MiB, true), 0);
	CHECK_EQ(vtd_sl_lookup(&sl, 0x40000000, &l), 0);
	CHECK_EQ(l.pa, 0x7fe00000);
	CHECK_EQ(vtd_sl_lookup(&sl, 0x40200000, &l), 0);
	CHECK_EQ(l.pa, 0x40200000);
	CHECK_EQ(vtd_sl_lookup(&sl, 0x40400000, &l), -ENOENT);
	CHECK_EQ(vtd_sl_lookup(&sl, 1ULL << 39, &l), -ENOENT);
	CHECK_EQ(sl.tables_used, 2);                               /* SL-PDPT root, one SL-PD */
	free_fake();
}

TEST(rmrr_ranges)
{
	struct vtd_range usb = { 0x7ffe0000, 0x80000000 };          /* q35's reserved 128K below 2G */
	struct vtd_range hv = { 0, 0 }, in_ram = { 0x1000000, 0x1001000 }, bad = { 0x5000, 0x5000 };
	int n;

	build_gmap(q35_raw, ARRAY_SIZE(q35_raw), NULL, 0, 16 * MiB);
	n = vtd_sl_layout(&g, &usb, 1, 48, runs, MAX_RUNS, err, sizeof(err));
	CHECK_EQ(n, 3);                                              /* touches RAM's end: merged */
	CHECK_EQ(runs[1].va, 0x100000);
	CHECK_EQ(runs[1].size, 0x80000000 - 0x100000);
	CHECK_EQ(vtd_sl_layout(&g, &in_ram, 1, 48, runs, MAX_RUNS, err, sizeof(err)), 3);
	hv = (struct vtd_range){ hv_work + 0x3000, hv_work + 0x5000 };
	CHECK_EQ(vtd_sl_layout(&g, &hv, 1, 48, runs, MAX_RUNS, err, sizeof(err)), -EPERM);
	CHECK(strstr(err, "overlaps the hypervisor's memory (hypervisor") != NULL);
	CHECK_EQ(vtd_sl_layout(&g, &bad, 1, 48, runs, MAX_RUNS, err, sizeof(err)), -EPERM);
	CHECK_EQ(vtd_sl_layout(&g, NULL, 0, 48, runs, 2, err, sizeof(err)), -ENOSPC);
	CHECK_STR(err, "DMA map: more than 2 runs");
	CHECK_EQ(vtd_sl_layout(&g, NULL, 0, 33, runs, MAX_RUNS, err, sizeof(err)), -ERANGE);
	CHECK(strstr(err, "above the 33-bit address width") != NULL);
	/* What vtd_protect filters with: one range at a time, the same verdicts. */
	CHECK_EQ(vtd_range_check(&g, usb, err, sizeof(err)), 0);
	CHECK_EQ(vtd_range_check(&g, in_ram, err, sizeof(err)), 0);
	CHECK_EQ(vtd_range_check(&g, hv, err, sizeof(err)), -EPERM);
	CHECK(strstr(err, "overlaps the hypervisor's memory (hypervisor") != NULL);
	CHECK_EQ(vtd_range_check(&g, bad, err, sizeof(err)), -EPERM);
	CHECK_STR(err, "RMRR 0x5000-0x5000 is empty or wraps");
	CHECK_EQ(vtd_range_check(&g, (struct vtd_range){ ~0ULL - 0x800, ~0ULL }, err, sizeof(err)), -EPERM);
}

TEST(caps_decoding)
{
	/* SAGAW bits 12:8 = 0b00110: 39- and 48-bit (QEMU with aw-bits=48). */
	uint64_t cap = 0x6ULL << 8 | VTD_CAP_SLLPS_2M | VTD_CAP_SLLPS_1G;
	struct vtd_sl_format f;

	CHECK_EQ(vtd_sl_levels_for(cap, 32), 3);
	CHECK_EQ(vtd_sl_levels_for(cap, 39), 3);
	CHECK_EQ(vtd_sl_levels_for(cap, 40), 4);
	CHECK_EQ(vtd_sl_levels_for(cap, 48), 4);
	CHECK_EQ(vtd_sl_levels_for(cap, 49), 0);
	CHECK_EQ(vtd_sl_levels_for(0x4ULL << 8, 36), 4);           /* 48-bit only */
	CHECK_EQ(vtd_sl_levels_for(0x8ULL << 8, 36), 5);           /* 57-bit only */
	CHECK_EQ(vtd_sl_levels_for(0x1ULL << 8, 30), 0);           /* 30-bit 2-level: not used */
	f = vtd_sl_format_from_caps(cap, 0, 4);
	CHECK(f.levels == 4 && f.page_2m && f.page_1g && !f.snoop);
	f = vtd_sl_format_from_caps(VTD_CAP_SLLPS_2M, VTD_ECAP_SC, 3);
	CHECK(f.levels == 3 && f.page_2m && !f.page_1g && f.snoop);
}
