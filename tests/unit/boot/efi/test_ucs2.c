/* tests/unit/boot/efi/test_ucs2.c - UCS-2 text and '\' paths. */
#include "tests/unit/check.h"
#include "boot/efi/ucs2.h"

TEST(to_ascii_stops_at_nul_units_or_size)
{
	static const uint16_t w[] = { 'h', 'v', 't', 'e', 's', 't', ' ', 'x', 0, 'y' };
	char s[16];
	bool lossy = false;

	CHECK_EQ(ucs2_to_ascii(s, sizeof(s), w, 10, &lossy), 8);
	CHECK_STR(s, "hvtest x");
	CHECK_EQ(ucs2_to_ascii(s, sizeof(s), w, 2, &lossy), 2);
	CHECK_STR(s, "hv");
	CHECK_EQ(ucs2_to_ascii(s, 4, w, 10, &lossy), 3);
	CHECK_STR(s, "hvt");
	CHECK(!lossy);
	CHECK_EQ(ucs2_to_ascii(s, 0, w, 10, &lossy), 0);
}

TEST(to_ascii_marks_what_is_not_text)
{
	static const uint16_t w[] = { 'a', 0x20ac, '\t', 0x01, 'b' };
	char s[16];
	bool lossy = false;

	CHECK_EQ(ucs2_to_ascii(s, sizeof(s), w, 5, &lossy), 5);
	CHECK_STR(s, "a? ?b");
	CHECK(lossy);
}

TEST(from_ascii_fits_or_fails)
{
	uint16_t w[8];

	CHECK_EQ(ascii_to_ucs2(w, 8, "hv.cfg"), 6);
	CHECK(w[0] == 'h' && w[5] == 'g' && w[6] == 0);
	CHECK_EQ(ascii_to_ucs2(w, 8, "1234567"), 7);
	CHECK_EQ(ascii_to_ucs2(w, 8, "12345678"), -ENOSPC);
	CHECK_EQ(w[0], 0);
	CHECK_EQ(ascii_to_ucs2(w, 0, ""), -ENOSPC);
}

TEST(path_dir)
{
	char d[32];

	CHECK_EQ(efi_path_dir("\\EFI\\BOOT\\BOOTX64.EFI", d, sizeof(d)), 0);
	CHECK_STR(d, "\\EFI\\BOOT\\");
	CHECK_EQ(efi_path_dir("/EFI/hv/hv.efi", d, sizeof(d)), 0);
	CHECK_STR(d, "\\EFI\\hv\\");
	CHECK_EQ(efi_path_dir("hv.efi", d, sizeof(d)), 0);
	CHECK_STR(d, "\\");
	CHECK_EQ(efi_path_dir("\\EFI\\BOOT\\BOOTX64.EFI", d, 10), -ENOSPC);
	CHECK_EQ(efi_path_dir("x", d, 1), -ENOSPC);
}

TEST(path_equal_folds_case_and_slashes)
{
	CHECK(efi_path_equal("\\EFI\\BOOT\\BOOTX64.EFI", "\\efi\\boot\\bootx64.efi"));
	CHECK(efi_path_equal("/EFI/BOOT/x", "\\EFI\\BOOT\\X"));
	CHECK(!efi_path_equal("\\EFI\\BOOT\\x", "\\EFI\\BOOT\\xy"));
	CHECK(!efi_path_equal("\\EFI\\BOOT\\x", "\\EFI\\BOOT\\"));
}
