/* tests/unit/boot/efi/test_load_option.c - EFI_LOAD_OPTION as efibootmgr and OVMF write them, and hostile ones. */
#include "tests/unit/check.h"
#include "boot/efi/load_option.h"
#include "boot/efi/devpath.h"

static uint8_t buf[512];
static struct load_option o;
static char err[128];

/* Attributes, FilePathListLength, Description, one bare file path, optional data. */
static size_t build(uint32_t attr, const char *desc, const char *path, const char *opt)
{
	size_t n = 6, i, fp;

	memcpy(buf, &attr, 4);
	for (i = 0; desc[i]; i++, n += 2) {
		buf[n] = (uint8_t)desc[i];
		buf[n + 1] = 0;
	}
	buf[n] = buf[n + 1] = 0;
	n += 2;
	fp = (size_t)devpath_build_file(buf + n, sizeof(buf) - n, NULL, 0, path);
	buf[4] = (uint8_t)fp;
	buf[5] = (uint8_t)(fp >> 8);
	n += fp;
	for (i = 0; opt[i]; i++, n += 2) {
		buf[n] = (uint8_t)opt[i];
		buf[n + 1] = 0;
	}
	return n;
}

TEST(parses_an_efibootmgr_option)
{
	char path[64];
	size_t n = build(LOAD_OPTION_ACTIVE, "hv", "\\EFI\\hv\\hv.efi", "hvtest");

	CHECK_EQ(load_option_parse(buf, n, &o, err, sizeof(err)), 0);
	CHECK_EQ(o.attributes, LOAD_OPTION_ACTIVE);
	CHECK_STR(o.description, "hv");
	CHECK_EQ(o.file_path_len, 4 + 2 * 15 + 4);
	CHECK_EQ(devpath_file_text(o.file_path, o.file_path_len, path, sizeof(path)), 0);
	CHECK_STR(path, "\\EFI\\hv\\hv.efi");
	CHECK_EQ(o.optional_len, 12);
	CHECK(o.optional[0] == 'h' && o.optional[10] == 't');
	CHECK(load_option_bootable(&o));
}

TEST(not_bootable_inactive_or_application)
{
	size_t n = build(0, "off", "\\a.efi", "");

	CHECK_EQ(load_option_parse(buf, n, &o, err, sizeof(err)), 0);
	CHECK(!load_option_bootable(&o));
	CHECK_EQ(o.optional_len, 0);
	/* OVMF's UiApp: active, hidden, category application. */
	n = build(LOAD_OPTION_ACTIVE | LOAD_OPTION_HIDDEN | 0x100, "UiApp", "\\a.efi", "");
	CHECK_EQ(load_option_parse(buf, n, &o, err, sizeof(err)), 0);
	CHECK(!load_option_bootable(&o));
}

TEST(long_and_non_ascii_descriptions)
{
	char d[100];
	size_t n;

	memset(d, 'x', 99);
	d[99] = 0;
	n = build(LOAD_OPTION_ACTIVE, d, "\\a.efi", "");
	CHECK_EQ(load_option_parse(buf, n, &o, err, sizeof(err)), 0);
	CHECK_EQ(strlen(o.description), 63);
	n = build(LOAD_OPTION_ACTIVE, "ab", "\\a.efi", "");
	buf[8] = 0xac;                                       /* 'b' -> U+20AC */
	buf[9] = 0x20;
	CHECK_EQ(load_option_parse(buf, n, &o, err, sizeof(err)), 0);
	CHECK_STR(o.description, "a?");
}

TEST(refuses_truncated_options)
{
	size_t n = build(LOAD_OPTION_ACTIVE, "hv", "\\EFI\\hv\\hv.efi", "");

	for (size_t cut = 0; cut < n; cut++)
		CHECK(load_option_parse(buf, cut, &o, err, sizeof(err)) == -EINVAL);
	CHECK_EQ(load_option_parse(buf, n, &o, err, sizeof(err)), 0);
	buf[4] = 0xff;                                       /* the list runs past the end */
	CHECK_EQ(load_option_parse(buf, n, &o, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "runs past the end") != NULL);
	buf[4] = 4;                                          /* a list that is only half a node */
	CHECK_EQ(load_option_parse(buf, n, &o, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "no well-formed device path") != NULL);
}
