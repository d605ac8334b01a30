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
	CHECK(s.above_ram && !s.clamped);
}

TEST(without_1g_pages_the_end_of_the_map)
{
	struct ept_space s;

	ept_space_plan(&s, 0x20000000, 46, 0, false);          /* 512 MiB of RAM: 4 GiB */
	CHECK_EQ(s.top, 4 * GiB);
	CHECK(!s.above_ram);
	ept_space_plan(&s, 0x4100000001ULL, 46, 0, false);     /* rounded up to 1 GiB */
	CHECK_EQ(s.top, 0x4140000000ULL);
	CHECK_EQ(s.ram_top, s.top);
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
