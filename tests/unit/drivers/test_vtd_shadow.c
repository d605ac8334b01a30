/* tests/unit/drivers/test_vtd_shadow.c - the quiescent VT-d register page
 * chain mode's firmware sees (VT-d rev 5.0, 11.4): the polls of EDK II's
 * IntelVTdDxe (translation off at ExitBootServices, register and queued
 * invalidations, PMR off) complete, translation never turns on. */
#include "drivers/iommu/vtd_shadow.h"
#include "drivers/iommu/vtd_caps.h"
#include "drivers/iommu/vtd_qi.h"
#include "tests/unit/check.h"

#define CAP   0xd2008c222f0606ULL       /* QEMU 7.2's intel-iommu, aw-bits=48 */
#define ECAP  0xf00f4aULL               /* its ECAP: IRO 0xf0, the IOTLB register at 0xf8 */
#define ECAP_HIGH_IRO 0x5002ULL         /* IRO 0x500: the IOTLB pair above the kept page */
#define GSTS_TES   (1u << 31)
#define GSTS_RTPS  (1u << 30)
#define GSTS_WBFS  (1u << 27)
#define GSTS_QIES  (1u << 26)

static struct vtd_shadow s;

TEST(capabilities_read_as_the_hardware_and_stay)
{
	vtd_shadow_init(&s, 0x10, CAP, ECAP, GSTS_TES | GSTS_RTPS);
	CHECK_EQ(vtd_shadow_read(&s, VTD_VER_REG, 4), 0x10);
	CHECK_EQ(vtd_shadow_read(&s, VTD_CAP_REG, 8), CAP);
	CHECK_EQ(vtd_shadow_read(&s, VTD_CAP_REG + 4, 4), CAP >> 32);
	CHECK_EQ(vtd_shadow_read(&s, VTD_ECAP_REG, 8), ECAP);
	vtd_shadow_write(&s, VTD_CAP_REG, 8, 0);
	vtd_shadow_write(&s, VTD_VER_REG, 4, 0x60);
	CHECK_EQ(vtd_shadow_read(&s, VTD_CAP_REG, 8), CAP);
	CHECK_EQ(vtd_shadow_read(&s, VTD_VER_REG, 4), 0x10);
	/* GSTS as the firmware left it; GCMD reads 0. */
	CHECK_EQ(vtd_shadow_read(&s, VTD_GSTS_REG, 4), GSTS_TES | GSTS_RTPS);
	CHECK_EQ(vtd_shadow_read(&s, 0x18, 4), 0);
}

/* IntelVTdDxe's DisableDmar: GCMD without TE, then poll GSTS.TES clear. */
TEST(translation_turns_off_but_never_on)
{
	uint32_t st;

	vtd_shadow_init(&s, 0x10, CAP, ECAP, GSTS_TES | GSTS_RTPS);
	st = (uint32_t)vtd_shadow_read(&s, VTD_GSTS_REG, 4);
	vtd_shadow_write(&s, 0x18, 4, st & ~GSTS_TES & ~GSTS_RTPS);
	CHECK_EQ(vtd_shadow_read(&s, VTD_GSTS_REG, 4) & GSTS_TES, 0);
	CHECK_EQ(vtd_shadow_read(&s, 0x18, 4), 0);
	/* An OS's driver: root table pointer, then TE. SRTP completes, TE not. */
	vtd_shadow_write(&s, 0x20, 8, 0x1234000);
	vtd_shadow_write(&s, 0x18, 4, 1u << 30);
	CHECK(vtd_shadow_read(&s, VTD_GSTS_REG, 4) & GSTS_RTPS);
	CHECK_EQ(vtd_shadow_read(&s, 0x20, 8), 0x1234000);
	vtd_shadow_write(&s, 0x18, 4, 1u << 31);
	CHECK_EQ(vtd_shadow_read(&s, VTD_GSTS_REG, 4) & GSTS_TES, 0);
	/* A write-buffer flush is done at once; QIE is mirrored both ways. */
	vtd_shadow_write(&s, 0x18, 4, 1u << 27);
	CHECK_EQ(vtd_shadow_read(&s, VTD_GSTS_REG, 4) & GSTS_WBFS, 0);
	vtd_shadow_write(&s, 0x18, 4, 1u << 26);
	CHECK(vtd_shadow_read(&s, VTD_GSTS_REG, 4) & GSTS_QIES);
	vtd_shadow_write(&s, 0x18, 4, 0);
	CHECK_EQ(vtd_shadow_read(&s, VTD_GSTS_REG, 4) & GSTS_QIES, 0);
	/* A 64-bit write over GCMD and GSTS changes GCMD only. */
	vtd_shadow_write(&s, 0x18, 8, 0xffffffff00000000ULL | 1u << 26);
	CHECK_EQ(vtd_shadow_read(&s, VTD_GSTS_REG, 4), GSTS_RTPS | GSTS_QIES);
}

TEST(register_invalidations_complete_at_once)
{
	vtd_shadow_init(&s, 0x10, CAP, ECAP, 0);
	/* CCMD: ICC, global (CIRG 01): ICC reads clear, CAIG = 01. */
	vtd_shadow_write(&s, 0x28, 8, 1ULL << 63 | 1ULL << 61);
	CHECK_EQ(vtd_shadow_read(&s, 0x28, 8), 1ULL << 61 | 1ULL << 59);
	/* The IOTLB register at ECAP.IRO + 8 (0xf8): IVT clears, IAIG = IIRG. */
	vtd_shadow_write(&s, 0xf8, 8, 1ULL << 63 | 1ULL << 60 | 1ULL << 49);
	CHECK_EQ(vtd_shadow_read(&s, 0xf8, 8), 1ULL << 60 | 1ULL << 57 | 1ULL << 49);
	CHECK_EQ(vtd_shadow_read(&s, 0xfc, 4) >> 31, 0);
	/* With the pair above the kept page (IRO 0x500), written as 32-bit
	 * halves, the upper one last as the command. */
	vtd_shadow_init(&s, 0x10, CAP, ECAP_HIGH_IRO, 0);
	vtd_shadow_write(&s, 0x500, 8, 0xabc000);
	CHECK_EQ(vtd_shadow_read(&s, 0x500, 8), 0xabc000);
	vtd_shadow_write(&s, 0x508, 4, 0);
	vtd_shadow_write(&s, 0x50c, 4, 0x90000000u);      /* IVT, IIRG 01 */
	CHECK_EQ(vtd_shadow_read(&s, 0x508, 8), 1ULL << 60 | 1ULL << 57);
	/* Elsewhere beyond the kept page: reads 0, writes dropped. */
	vtd_shadow_write(&s, 0x400, 8, 5);
	CHECK_EQ(vtd_shadow_read(&s, 0x400, 8), 0);
}

TEST(the_queue_drains_at_once)
{
	vtd_shadow_init(&s, 0x10, CAP, ECAP, GSTS_QIES);
	vtd_shadow_write(&s, VTD_IQA_REG, 8, 0x5000);
	vtd_shadow_write(&s, VTD_IQT_REG, 8, 3 << 4);
	CHECK_EQ(vtd_shadow_read(&s, VTD_IQT_REG, 8), 3 << 4);
	CHECK_EQ(vtd_shadow_read(&s, VTD_IQH_REG, 8), 3 << 4);
	CHECK_EQ(vtd_shadow_read(&s, VTD_IQA_REG, 8), 0x5000);
	/* FSTS: no queue error, write-1-to-clear keeps it 0. */
	vtd_shadow_write(&s, 0x34, 4, 0xffffffff);
	CHECK_EQ(vtd_shadow_read(&s, 0x34, 4), 0);
}

TEST(protected_memory_regions_follow_enable)
{
	vtd_shadow_init(&s, 0x10, CAP | 0x60, ECAP, 0);
	vtd_shadow_write(&s, 0x64, 4, 1u << 31);
	CHECK_EQ(vtd_shadow_read(&s, 0x64, 4), (1u << 31) | 1);
	vtd_shadow_write(&s, 0x64, 4, 0);
	CHECK_EQ(vtd_shadow_read(&s, 0x64, 4), 0);
}

TEST(bad_accesses)
{
	vtd_shadow_init(&s, 0x10, CAP, ECAP, 0);
	CHECK_EQ(vtd_shadow_read(&s, 0x0c, 8), 0);      /* across a granule */
	CHECK_EQ(vtd_shadow_read(&s, 0x08, 3), 0);
	vtd_shadow_write(&s, 0x24, 8, ~0ULL);
	CHECK_EQ(vtd_shadow_read(&s, 0x20, 8), 0);
	CHECK_EQ(vtd_shadow_read(&s, 0x08, 1), CAP & 0xff);
	CHECK_EQ(vtd_shadow_read(&s, 0x09, 2), (CAP >> 8) & 0xffff);
}
