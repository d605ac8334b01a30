/* tests/unit/drivers/test_vtd_caps.c - a remapping unit's VER/CAP/ECAP as the
 * boot line prints them, from the registers of QEMU 7.2's intel-iommu as the
 * hypervisor read them at boot (aw-bits=48 defaults; aw-bits=39 with
 * intremap=off, snoop-control=on, caching-mode=on), and the fields the table
 * builder takes from them. */
#include "drivers/iommu/vtd_caps.h"
#include "drivers/iommu/vtd_sl.h"
#include "tests/unit/check.h"

#define QEMU48_CAP  0xd2008c222f0606ULL
#define QEMU48_ECAP 0xf00f4aULL
#define QEMU39_CAP  0xd2008c22260286ULL
#define QEMU39_ECAP 0xfc2ULL

TEST(qemu_48)
{
	char buf[200];
	struct vtd_sl_format f;

	CHECK_STR(vtd_describe(buf, sizeof(buf), 0x10, QEMU48_CAP, QEMU48_ECAP),
		  "version 1.0, SAGAW 39/48-bit, MGAW 48, pages 4K/2M/1G, 64K domains, walks not coherent, "
		  "invalidation queued+register, IR PT, 1 fault record at 0x220");
	CHECK_EQ(VTD_CAP_MGAW(QEMU48_CAP), 48);
	CHECK_EQ(VTD_CAP_FRO(QEMU48_CAP), 0x220);
	CHECK_EQ(VTD_CAP_NFR(QEMU48_CAP), 1);
	CHECK_EQ(VTD_ECAP_IRO(QEMU48_ECAP), 0xf0);
	CHECK(QEMU48_CAP & VTD_CAP_PSI);
	CHECK_EQ(vtd_sl_levels_for(QEMU48_CAP, 48), 4);
	CHECK_EQ(vtd_sl_levels_for(QEMU48_CAP, 36), 3);
	f = vtd_sl_format_from_caps(QEMU48_CAP, QEMU48_ECAP, 4);
	CHECK(f.page_2m && f.page_1g && !f.snoop);
}

TEST(qemu_39_caching_mode_snoop)
{
	char buf[200];
	struct vtd_sl_format f;

	CHECK_STR(vtd_describe(buf, sizeof(buf), 0x10, QEMU39_CAP, QEMU39_ECAP),
		  "version 1.0, SAGAW 39-bit, MGAW 39, pages 4K/2M/1G, 64K domains, walks not coherent, "
		  "invalidation queued+register, caching mode, PT SC, 1 fault record at 0x220");
	CHECK(QEMU39_CAP & VTD_CAP_CM);
	CHECK_EQ(vtd_sl_levels_for(QEMU39_CAP, 40), 0);
	f = vtd_sl_format_from_caps(QEMU39_CAP, QEMU39_ECAP, 3);
	CHECK(f.snoop);
}

TEST(every_field_and_truncation)
{
	char buf[200], small[12];
	/* ND 2 (256 domains), RWBF, SAGAW 57 only, 2M only, 8 records at 0x400; C, no QI, DT, EIM, scalable. */
	uint64_t cap = 2 | VTD_CAP_RWBF | (0x8ULL << 8) | (56ULL << 16) | (0x40ULL << 24) | VTD_CAP_SLLPS_2M |
		       (7ULL << 40);
	uint64_t ecap = VTD_ECAP_C | VTD_ECAP_DT | VTD_ECAP_EIM | VTD_ECAP_SMTS;

	CHECK_STR(vtd_describe(buf, sizeof(buf), 0x61, cap, ecap),
		  "version 6.1, SAGAW 57-bit, MGAW 57, pages 4K/2M, 256 domains, walks coherent, "
		  "invalidation register, write-buffer flush, EIM ATS scalable, 8 fault records at 0x400");
	CHECK_STR(vtd_describe(buf, sizeof(buf), 0x10, 0, 0),
		  "version 1.0, SAGAW none, MGAW 1, pages 4K, 16 domains, walks not coherent, "
		  "invalidation register, 1 fault record at 0x0");
	CHECK_EQ(strlen(vtd_describe(small, sizeof(small), 0x10, cap, ecap)), sizeof(small) - 1);
}

TEST(register_pages)
{
	/* QEMU: records end at 0x230, IOTLB registers at 0xf8: one page. */
	CHECK_EQ(vtd_reg_pages(1, QEMU48_CAP, QEMU48_ECAP), 1);
	/* A DRHD saying 4 pages keeps them. */
	CHECK_EQ(vtd_reg_pages(4, QEMU48_CAP, QEMU48_ECAP), 4);
	/* Size 0 (one page) in the DMAR, 8 records at 0xf80: they end at 0x1000 (one page), one more at 0x1010. */
	CHECK_EQ(vtd_reg_pages(1, (0xf8ULL << 24) | (7ULL << 40), 0), 1);
	CHECK_EQ(vtd_reg_pages(1, (0xf8ULL << 24) | (8ULL << 40), 0), 2);
	/* IOTLB registers at 0x1ff0 end at 0x2000; at 0x2000 they reach a third page. */
	CHECK_EQ(vtd_reg_pages(1, 0, 0x1ffULL << 8), 2);
	CHECK_EQ(vtd_reg_pages(1, 0, 0x200ULL << 8), 3);
	/* The largest fields: FRO 0x3ff0 + 256 records, IRO 0x3ff0 + 16. */
	CHECK_EQ(vtd_reg_pages(1, (0x3ffULL << 24) | (0xffULL << 40), 0x3ffULL << 8), 5);
}

TEST(unusable_units)
{
	CHECK(vtd_unusable_reason(0x10, QEMU48_CAP, QEMU48_ECAP) == NULL);
	/* Version 6 with QI: queued only, usable; without QI: neither interface. */
	CHECK(vtd_unusable_reason(0x60, QEMU48_CAP, QEMU48_ECAP) == NULL);
	CHECK_STR(vtd_unusable_reason(0x60, QEMU48_CAP, QEMU48_ECAP & ~VTD_ECAP_QI),
		  "neither register-based invalidation (major version 6 on) nor queued (ECAP.QI clear)");
	CHECK(vtd_unusable_reason(0x50, QEMU48_CAP, QEMU48_ECAP & ~VTD_ECAP_QI) == NULL);
	/* Scalable mode with first-level tables only: SAGAW 0, SMTS, no SLTS. */
	CHECK_STR(vtd_unusable_reason(0x60, QEMU48_CAP & ~(0x1fULL << 8), QEMU48_ECAP | VTD_ECAP_SMTS),
		  "scalable mode with first-level tables only (ECAP.SMTS set, SLTS clear, CAP.SAGAW 0): "
		  "no second-level tables for legacy mode");
	CHECK_STR(vtd_unusable_reason(0x10, QEMU48_CAP & ~(0x1fULL << 8), QEMU48_ECAP),
		  "no second-level table depth (CAP.SAGAW 0)");
	/* Scalable with second-level tables keeps SAGAW: usable in legacy mode. */
	CHECK(vtd_unusable_reason(0x60, QEMU48_CAP, QEMU48_ECAP | VTD_ECAP_SMTS | VTD_ECAP_SLTS) == NULL);
}

TEST(invalidation_granularity_fields)
{
	/* QEMU's CCMD after a global invalidation: CAIG 01; IOTLB: IAIG 01. */
	CHECK_EQ(VTD_CCMD_CAIG(1ULL << 59), 1);
	CHECK_EQ(VTD_CCMD_CAIG(3ULL << 59 | 1ULL << 61), 3);
	CHECK_EQ(VTD_CCMD_CAIG(1ULL << 61), 0);                   /* CIRG set, nothing performed */
	CHECK_EQ(VTD_IOTLB_IAIG(1ULL << 57), 1);
	CHECK_EQ(VTD_IOTLB_IAIG(1ULL << 60 | 1ULL << 49), 0);
}
