/* tests/unit/lib/test_hexdump.c - hex dump lines. */
#include "lib/hexdump.h"
#include "tests/unit/check.h"

TEST(test_full_line)
{
	char buf[HEXDUMP_LINE_MAX];
	uint8_t b[16];

	for (int i = 0; i < 16; i++)
		b[i] = (uint8_t)(0x41 + i);
	b[3] = 0;
	b[15] = 0x7f;
	CHECK_EQ(hexdump_line(buf, 0x901f0, b, 16), strlen(buf));
	CHECK_STR(buf, "0x00000000000901f0  41 42 43 00 45 46 47 48  49 4a 4b 4c 4d 4e 4f 7f  |ABC.EFGHIJKLMNO.|");
}

TEST(test_short_line_keeps_columns)
{
	char buf[HEXDUMP_LINE_MAX], full[HEXDUMP_LINE_MAX];
	uint8_t b[16] = { 0x55, 0xaa };

	hexdump_line(buf, 0x7c00, b, 2);
	/* 14 missing bytes of 3 columns, the middle gap, and the two before the text. */
	CHECK_STR(buf, "0x0000000000007c00  55 aa                                             |U.|");
	hexdump_line(full, 0x7c00, b, 16);
	CHECK_EQ(strchr(buf, '|') - buf, strchr(full, '|') - full);
}

TEST(test_clamped_and_fits)
{
	char buf[HEXDUMP_LINE_MAX];
	uint8_t b[32];

	memset(b, 0xff, sizeof(b));
	CHECK(hexdump_line(buf, ~0ULL, b, 32) < HEXDUMP_LINE_MAX);
	CHECK_STR(buf + strlen(buf) - 18, "|................|");
	hexdump_line(buf, 0, b, 0);
	CHECK_STR(buf + strlen(buf) - 2, "||");
}

TEST(test_bytes_only_those_given)
{
	char buf[3 * 15];
	static const uint8_t b[] = { 0x0f, 0x0b, 0x90, 0xcc, 0xa5, 0x5a };

	CHECK_EQ(hexdump_bytes(buf, sizeof(buf), b, 6), 17);
	CHECK_STR(buf, "0f 0b 90 cc a5 5a");
	/* Fewer fetched than the log line used to print: nothing after them. */
	CHECK_EQ(hexdump_bytes(buf, sizeof(buf), b, 2), 5);
	CHECK_STR(buf, "0f 0b");
	CHECK_EQ(hexdump_bytes(buf, sizeof(buf), b, 0), 0);
	CHECK_STR(buf, "");
}

TEST(test_bytes_truncated)
{
	char buf[8];
	static const uint8_t b[] = { 0x11, 0x22, 0x33, 0x44 };

	memset(buf, 'x', sizeof(buf));
	/* Wants 11 characters; gets 7 and the NUL, as fmt_snprintf. */
	CHECK_EQ(hexdump_bytes(buf, sizeof(buf), b, 4), 11);
	CHECK_STR(buf, "11 22 3");
	CHECK_EQ(hexdump_bytes(NULL, 0, b, 4), 11);
}
