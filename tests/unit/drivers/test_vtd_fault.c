/* tests/unit/drivers/test_vtd_fault.c - fault records as QEMU 7.2's
 * intel-iommu writes them (vtd_record_frcd: FI in the low half; F, T, FR
 * and SID in the high half), the reasons' names and the log of the last
 * faults. */
#include "drivers/iommu/vtd_fault.h"
#include "tests/unit/check.h"

TEST(decode_write_fault)
{
	struct vtd_fault f;
	char buf[160];
	uint64_t hi = VTD_FRCD_HI_F | (5ULL << 32) | 0x0018;    /* 00:03.0, write */

	CHECK(vtd_fault_decode(0x1c000abcULL, hi, 0, &f));
	CHECK_EQ(f.sid, 0x18);
	CHECK_EQ(f.addr, 0x1c000000ULL);
	CHECK_EQ(f.reason, 5);
	CHECK(f.write);
	CHECK_STR(vtd_fault_format(buf, sizeof(buf), &f),
		  "iommu: unit 0: DMA fault: source 00:03.0, address 0x1c000000, reason 0x05 "
		  "(write to a page without write permission), write");
}

TEST(decode_read_fault_other_unit)
{
	struct vtd_fault f;
	char buf[160];
	uint64_t hi = VTD_FRCD_HI_F | VTD_FRCD_HI_T | (6ULL << 32) | 0xa3f7;  /* a3:1e.7 */

	CHECK(vtd_fault_decode(0xfffffffff000ULL, hi, 2, &f));
	CHECK(!f.write);
	CHECK_STR(vtd_fault_format(buf, sizeof(buf), &f),
		  "iommu: unit 2: DMA fault: source a3:1e.7, address 0xfffffffff000, reason 0x06 "
		  "(read of a page without read permission), read");
}

TEST(no_fault_without_f)
{
	struct vtd_fault f = { .sid = 0x1234 };

	CHECK(!vtd_fault_decode(0x1000, (5ULL << 32) | 0x18, 0, &f));
	CHECK_EQ(f.sid, 0x1234);                /* untouched */
}

TEST(reason_names)
{
	CHECK_STR(vtd_fault_reason_name(1), "root entry not present");
	CHECK_STR(vtd_fault_reason_name(2), "context entry not present");
	CHECK_STR(vtd_fault_reason_name(4), "address beyond the domain's width");
	CHECK_STR(vtd_fault_reason_name(0xd), "translation type blocked by the context entry");
	CHECK_STR(vtd_fault_reason_name(0), "reserved");
	CHECK_STR(vtd_fault_reason_name(0xe), "reserved");
	CHECK_STR(vtd_fault_reason_name(0x30), "reserved");
	CHECK_STR(vtd_fault_reason_name(0xff), "reserved");
	CHECK_STR(vtd_fault_reason_name(1000), "reserved");
}

TEST(fsts_fields)
{
	CHECK_EQ(VTD_FSTS_FRI(0x0302u), 3);
	CHECK(0x0302u & VTD_FSTS_PPF);
	CHECK(!(0x0302u & VTD_FSTS_PFO));
}

TEST(log_keeps_the_last)
{
	struct vtd_fault_log l = { 0 };
	struct vtd_fault f = { 0 };

	CHECK(!vtd_fault_log_get(&l, 0));
	for (unsigned int i = 0; i < 3; i++) {
		f.addr = i * 0x1000;
		vtd_fault_log_add(&l, &f);
	}
	CHECK_EQ(l.total, 3);
	CHECK_EQ(vtd_fault_log_get(&l, 0)->addr, 0);
	CHECK_EQ(vtd_fault_log_get(&l, 2)->addr, 0x2000);
	CHECK(!vtd_fault_log_get(&l, 3));
	for (unsigned int i = 3; i < VTD_FAULT_LOG + 5; i++) {
		f.addr = i * 0x1000;
		vtd_fault_log_add(&l, &f);
	}
	CHECK_EQ(l.total, VTD_FAULT_LOG + 5);
	CHECK_EQ(vtd_fault_log_get(&l, 0)->addr, 5 * 0x1000);
	CHECK_EQ(vtd_fault_log_get(&l, VTD_FAULT_LOG - 1)->addr, (VTD_FAULT_LOG + 4) * 0x1000ULL);
	CHECK(!vtd_fault_log_get(&l, VTD_FAULT_LOG));
}
