/* tests/unit/drivers/test_vtd_qi.c - queued invalidation: the descriptors as
 * VT-d rev 5.0, 6.5.2 lays them out (and as Linux and QEMU's intel-iommu
 * read them), IQA/IQH/IQT encodings, the ring's room and wrap-around, and
 * which units have register-based invalidation. */
#include "drivers/iommu/vtd_qi.h"
#include "tests/unit/check.h"

TEST(descriptors)
{
	struct vtd_qi_desc d = vtd_qi_cc_global();

	CHECK_EQ(d.lo, 0x11);                   /* type 1, granularity 01b (global) */
	CHECK_EQ(d.hi, 0);
	d = vtd_qi_iotlb_global(0);
	CHECK_EQ(d.lo, 0x12);                   /* type 2, global, no draining */
	CHECK_EQ(d.hi, 0);
	d = vtd_qi_iotlb_global(VTD_CAP_DRD);
	CHECK_EQ(d.lo, 0x92);
	d = vtd_qi_iotlb_global(VTD_CAP_DWD);
	CHECK_EQ(d.lo, 0x52);
	/* QEMU 7.2's intel-iommu: DRD and DWD set. */
	d = vtd_qi_iotlb_global(0xd2008c222f0606ULL);
	CHECK_EQ(d.lo, 0xd2);
	d = vtd_qi_iec_global();
	CHECK_EQ(d.lo, 0x4);                    /* type 4, G 0 (global), as Linux's qi_global_iec */
	CHECK_EQ(d.hi, 0);
	d = vtd_qi_wait(0x12345678, 1);
	CHECK_EQ(d.lo, 0x0000000100000065ULL);  /* data 1, FN, SW, type 5; no interrupt */
	CHECK_EQ(d.hi, 0x12345678);
	d = vtd_qi_wait(0x1003, 0xdeadbeef);
	CHECK_EQ(d.lo, 0xdeadbeef00000065ULL);
	CHECK_EQ(d.hi, 0x1000);                 /* bits 1:0 reserved */
}

TEST(registers)
{
	CHECK_EQ(vtd_qi_entries(0), 256);       /* one page of 16-byte descriptors */
	CHECK_EQ(vtd_qi_entries(7), 32768);
	CHECK_EQ(vtd_qi_iqa(0x7f3a000, 0), 0x7f3a000);
	CHECK_EQ(vtd_qi_iqa(0x7f3a000, 3), 0x7f3a003);
	CHECK(!(vtd_qi_iqa(0x7f3a000, 7) & VTD_IQA_DW));
	CHECK_EQ(vtd_qi_reg(0), 0);
	CHECK_EQ(vtd_qi_reg(1), 0x10);
	CHECK_EQ(vtd_qi_reg(255), 0xff0);
	CHECK_EQ(vtd_qi_index(0xff0), 255);
	CHECK_EQ(vtd_qi_index(0x7fff0), 32767);
	CHECK_EQ(vtd_qi_index(0xf), 0);         /* bits 3:0 reserved */
	CHECK_EQ(vtd_qi_index(vtd_qi_reg(200)), 200);
}

TEST(ring_wraps_and_keeps_one_slot_free)
{
	static struct vtd_qi_desc ring[256];
	struct vtd_qi q = { ring, 256, 0 };
	struct vtd_qi_desc d[3] = { vtd_qi_cc_global(), vtd_qi_iotlb_global(0), vtd_qi_wait(0x1000, 1) };

	CHECK_EQ(vtd_qi_room(&q, 0), 255);
	CHECK_EQ(vtd_qi_put(&q, 0, d, 3), 0);
	CHECK_EQ(q.tail, 3);
	CHECK_EQ(ring[0].lo, 0x11);
	CHECK_EQ(ring[2].hi, 0x1000);
	CHECK_EQ(vtd_qi_room(&q, 0), 252);
	CHECK_EQ(vtd_qi_room(&q, 3), 255);      /* the unit caught up */
	/* Near the end: the three wrap round to 0 and 1. */
	q.tail = 254;
	CHECK_EQ(vtd_qi_put(&q, 254, d, 3), 0);
	CHECK_EQ(q.tail, 1);
	CHECK_EQ(ring[254].lo, 0x11);
	CHECK_EQ(ring[255].lo, 0x12);
	CHECK_EQ(ring[0].lo, 0x0000000100000065ULL);
	CHECK_EQ(vtd_qi_room(&q, 254), 252);
	/* Full: head one past the tail. Nothing written, tail kept. */
	q.tail = 9;
	ring[9].lo = 0;
	CHECK_EQ(vtd_qi_room(&q, 10), 0);
	CHECK_EQ(vtd_qi_put(&q, 10, d, 1), -ENOSPC);
	CHECK_EQ(q.tail, 9);
	CHECK_EQ(ring[9].lo, 0);
	CHECK_EQ(vtd_qi_room(&q, 12), 2);
	CHECK_EQ(vtd_qi_put(&q, 12, d, 3), -ENOSPC);
	CHECK_EQ(vtd_qi_put(&q, 12, d, 2), 0);
	CHECK_EQ(q.tail, 11);
	/* No ring. */
	q.entries = 0;
	CHECK_EQ(vtd_qi_put(&q, 0, d, 1), -ENOSPC);
}

TEST(register_based_invalidation_until_version_6)
{
	CHECK(vtd_has_register_invalidation(0x10));     /* QEMU: 1.0 */
	CHECK(vtd_has_register_invalidation(0x50));
	CHECK(vtd_has_register_invalidation(0x5f));
	CHECK(!vtd_has_register_invalidation(0x60));
	CHECK(!vtd_has_register_invalidation(0x71));
}
