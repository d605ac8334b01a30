/* tests/unit/vmx/test_ept_space.c - how far the guest-physical space
 * reaches: MAXPHYADDR with 1 GiB EPT pages (clamped to the 4-level EPT's 48
 * bits, less MKTME KeyID bits), else the end of the host map rounded up to
 * 1 GiB and at least 4 GiB. */
#include "vmx/ept_space.h"
#include "tests/unit/check.h"

TEST(bochs_maxphyaddr_40_with_1g_pages)
{
	struct ept_space s;

	ept_space_plan(&s, 0x100000000ULL, 40, 0, true);
	CHECK_EQ(s.top, 1ULL << 40);
	CHECK_EQ(s.ram_top, 4 * GiB);
	CHECK_EQ(s.bits, 40);
	CHECK_EQ(s.above_tables, 1);
	CHECK(s.above_ram && s.ept_1g && !s.clamped);
}

TEST(without_1g_pages_the_end_of_the_map)
{
	struct ept_space s;

	ept_space_plan(&s, 0x20000000, 46, 0, false);          /* 512 MiB of RAM: 4 GiB */
	CHECK_EQ(s.top, 4 * GiB);
	CHECK(!s.above_ram);
	CHECK_EQ(s.above_tables, 127 + 65532);                  /* PDPTs 1-127, a PD per GiB from 4 GiB */
	ept_space_plan(&s, 0x4100000001ULL, 46, 0, false);     /* rounded up to 1 GiB */
	CHECK_EQ(s.top, 0x4140000000ULL);
	CHECK_EQ(s.ram_top, s.top);
	ept_space_plan(&s, 0x20000000, 40, 0, false);          /* Bochs without 1G: 1021 > 512 */
	CHECK_EQ(s.above_tables, 1 + 1020);
	CHECK_EQ(s.top, 4 * GiB);
}

/* MAXPHYADDR 39 (many client CPUs): 508 PD pages, within the budget. */
TEST(without_1g_pages_39_bits_fit_the_budget)
{
	struct ept_space s;

	ept_space_plan(&s, 0x20000000, 39, 0, false);
	CHECK_EQ(s.above_tables, 508);
	CHECK(s.above_ram && !s.ept_1g);
	CHECK_EQ(s.top, 1ULL << 39);
	ept_space_plan(&s, 0x1000000000ULL, 39, 0, false);     /* 64 GiB of RAM: 448 */
	CHECK_EQ(s.above_tables, 448);
	CHECK_EQ(s.top, 1ULL << 39);
}

/* With 1 GiB pages a PDPT per 512 GiB after RAM's: 2 MiB at most. */
TEST(with_1g_pages_always_within_the_budget)
{
	struct ept_space s;

	ept_space_plan(&s, 0x4100000000ULL, 46, 0, true);
	CHECK_EQ(s.above_tables, 127);
	ept_space_plan(&s, 0x100000000ULL, 52, 0, true);
	CHECK_EQ(s.above_tables, 511);
	CHECK(s.above_tables <= EPT_SPACE_BUDGET && s.above_ram);
	ept_space_plan(&s, 0x10000000000ULL, 48, 0, true);     /* RAM to 1 TiB: PDPTs 2-511 */
	CHECK_EQ(s.above_tables, 510);
}

TEST(maxphyaddr_52_clamped_to_48)
{
	struct ept_space s;

	ept_space_plan(&s, 0x4100000000ULL, 52, 0, true);
	CHECK_EQ(s.top, 1ULL << 48);
	CHECK_EQ(s.bits, 48);
	CHECK_EQ(s.maxphyaddr, 52);
	CHECK(s.clamped);
	ept_space_plan(&s, 0x4100000000ULL, 48, 0, true);
	CHECK(!s.clamped);
	ept_space_plan(&s, 0x4100000000ULL, 57, 0, true);        /* beyond the architecture: 52 */
	CHECK_EQ(s.maxphyaddr, 52);
	CHECK_EQ(s.top, 1ULL << 48);
}

TEST(mktme_keyid_bits_come_off_the_top)
{
	struct ept_space s;

	ept_space_plan(&s, 0x4100000000ULL, 46, 6, true);         /* KeyIDs in bits 45:40 */
	CHECK_EQ(s.top, 1ULL << 40);
	CHECK_EQ(s.keyid_bits, 6);
	CHECK(!s.clamped);
	ept_space_plan(&s, 0x4100000000ULL, 52, 4, true);          /* 48 left: not clamped */
	CHECK_EQ(s.top, 1ULL << 48);
	CHECK(!s.clamped);
	ept_space_plan(&s, 0x100000000ULL, 36, 15, true);         /* nonsense: at least 32 bits */
	CHECK_EQ(s.top, 4 * GiB);
	CHECK(!s.above_ram);
}

TEST(no_cpuid_leaf_means_36_bits)
{
	struct ept_space s;

	ept_space_plan(&s, 0x100000000ULL, 0, 0, true);
	CHECK_EQ(s.maxphyaddr, 36);
	CHECK_EQ(s.top, 1ULL << 36);
}

TEST(ram_beyond_the_space_is_not_cut)
{
	struct ept_space s;

	/* A map beyond 2^bits: ram_top stops at the limit, gmap_init refuses the map. */
	ept_space_plan(&s, 1ULL << 41, 40, 0, true);
	CHECK_EQ(s.top, 1ULL << 40);
	CHECK_EQ(s.ram_top, 1ULL << 40);
	CHECK(!s.above_ram);
}
