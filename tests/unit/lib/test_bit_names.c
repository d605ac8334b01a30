/* tests/unit/lib/test_bit_names.c - values as the names of their set bits. */
#include "lib/bit_names.h"
#include "tests/unit/check.h"

static const struct bit_name cr0[] = {
	{ 1u << 0, "PE" }, { 1u << 4, "ET" }, { 1u << 16, "WP" }, { 1u << 31, "PG" },
};

TEST(test_names_in_table_order)
{
	char buf[64];

	CHECK_EQ(bit_names_format(buf, sizeof(buf), 0x80010011, cr0, 4, " "), 11);
	CHECK_STR(buf, "PE ET WP PG");
	bit_names_format(buf, sizeof(buf), 0x80000001, cr0, 4, ", ");
	CHECK_STR(buf, "PE, PG");
}

TEST(test_nothing_set)
{
	char buf[8] = "junk";

	CHECK_EQ(bit_names_format(buf, sizeof(buf), 0x2, cr0, 4, " "), 0);
	CHECK_STR(buf, "");
}

TEST(test_multi_bit_mask_needs_all)
{
	static const struct bit_name f[] = { { 0x3, "both" }, { 0x1, "low" } };
	char buf[16];

	bit_names_format(buf, sizeof(buf), 0x1, f, 2, " ");
	CHECK_STR(buf, "low");
	bit_names_format(buf, sizeof(buf), 0x3, f, 2, " ");
	CHECK_STR(buf, "both low");
}

TEST(test_truncation_reports_full_length)
{
	char buf[5];

	CHECK_EQ(bit_names_format(buf, sizeof(buf), 0x80010011, cr0, 4, " "), 11);
	CHECK_STR(buf, "PE E");
	CHECK_EQ(bit_names_format(NULL, 0, 0x80010011, cr0, 4, " "), 11);
}
