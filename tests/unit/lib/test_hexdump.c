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
