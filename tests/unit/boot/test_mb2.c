/* tests/unit/boot/test_mb2.c - mb2_parse on built Multiboot2 info blocks, valid
 * and hostile (the EFI tags: test_mb2_efi.c). */
#include "tests/unit/check.h"
#include "tests/unit/boot/mb2_fixture.h"

TEST(grub_bios_block)
{
	size_t n = build_grub_bios(&k);

	CHECK_EQ(parse_n(k.b, n), 0);
	CHECK_STR(err, "");
	CHECK_STR(bi.cmdline, "serial=com1 hvmem=128M");
	CHECK_STR(bi.loader_name, "GRUB 2.06");
	CHECK_EQ(bi.module_count, 1);
	CHECK(!bi.modules_truncated);
	CHECK_EQ(bi.modules[0].start, 0x143000);
	CHECK_EQ(bi.modules[0].end, 0x5d1a00);
	CHECK_STR(bi.modules[0].cmdline, "/boot/vmlinuz console=ttyS0");
	CHECK_EQ(bi.mmap_count, 6);
	CHECK(!bi.mmap_truncated);
	for (int i = 0; i < 6; i++) {
		CHECK_EQ(bi.mmap[i].addr, qemu_map[i].addr);
		CHECK_EQ(bi.mmap[i].len, qemu_map[i].len);
		CHECK_EQ(bi.mmap[i].type, qemu_map[i].type);
	}
	CHECK_EQ(bi.fb.type, BOOT_FB_EGA_TEXT);
	CHECK_EQ(bi.fb.addr, 0xb8000);
	CHECK_EQ(bi.fb.pitch, 160);
	CHECK_EQ(bi.fb.width, 80);
	CHECK_EQ(bi.fb.height, 25);
	CHECK_EQ(bi.fb.bpp, 16);
	CHECK_EQ(bi.rsdp_len, 20);
	CHECK_EQ(bi.rsdp_revision, 0);
	CHECK(memcmp(bi.rsdp, "RSD PTR ", 8) == 0);
	CHECK_EQ(bi.rsdp[16], 0xd5);
	CHECK_EQ(bi.info_start, 0x10000);
	CHECK_EQ(bi.info_end, 0x10000 + n);
}

TEST(minimal_block_is_empty)
{
	uint8_t b[16] __aligned(8) = { 16, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 8, 0, 0, 0 };

	memset(&bi, 0xa5, sizeof(bi));     /* the parser must clear what it does not fill */
	CHECK_EQ(parse_n(b, sizeof(b)), 0);
	CHECK_STR(bi.cmdline, "");
	CHECK_STR(bi.loader_name, "");
	CHECK_EQ(bi.mmap_count, 0);
	CHECK_EQ(bi.module_count, 0);
	CHECK_EQ(bi.rsdp_len, 0);
	CHECK_EQ(bi.fb.type, BOOT_FB_NONE);
	CHECK_EQ(bi.info_end - bi.info_start, 16);
}

TEST(avail_larger_than_total_is_fine)
{
	size_t n = build_grub_bios(&k);

	CHECK_EQ(parse_n(k.b, n + 4096), 0);
	CHECK_EQ(bi.info_end - bi.info_start, n);
}

TEST(total_not_multiple_of_8_accepted)
{
	uint8_t b[20] = { 20, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 8, 0, 0, 0,  0xee, 0xee, 0xee, 0xee };

	CHECK_EQ(parse_n(b, sizeof(b)), 0);
	CHECK_EQ(bi.info_end - bi.info_start, 20);
}

static void check_new_rsdp(void)
{
	CHECK_EQ(bi.rsdp_len, 36);
	CHECK_EQ(bi.rsdp_revision, 2);
	CHECK_EQ(bi.rsdp[24], 0x78);            /* XsdtAddress low byte */
	CHECK_EQ(bi.rsdp[15], 2);
}

TEST(new_rsdp_preferred_old_first)
{
	blk_init(&k);
	tag_rsdp(&k, 14, 0, 0x1111, 0);
	tag_rsdp(&k, 15, 2, 0x2222, 0x12345678);
	CHECK_EQ(parse_n(k.b, blk_end(&k)), 0);
	check_new_rsdp();
}

TEST(new_rsdp_preferred_new_first)
{
	blk_init(&k);
	tag_rsdp(&k, 15, 2, 0x2222, 0x12345678);
	tag_rsdp(&k, 14, 0, 0x1111, 0);
	CHECK_EQ(parse_n(k.b, blk_end(&k)), 0);
	check_new_rsdp();
	CHECK_EQ(bi.rsdp[16], 0x22);
}

TEST(old_rsdp_tag_with_revision_2_reports_revision_0)
{
	uint8_t r[36];

	make_rsdp(r, 2, 0x3333, 0x4444);
	blk_init(&k);
	tag_open(&k, 14);
	put(&k, r, 20);
	tag_close(&k);
	CHECK_EQ(parse_n(k.b, blk_end(&k)), 0);
	CHECK_EQ(bi.rsdp_len, 20);
	CHECK_EQ(bi.rsdp_revision, 0);     /* the XSDT fields were not handed over */
	CHECK_EQ(bi.rsdp[15], 2);
}

TEST(unknown_and_skipped_tags)
{
	blk_init(&k);
	tag_open(&k, 0x1234);              /* unknown, odd size: padding must be honoured */
	put8(&k, 1);
	put8(&k, 2);
	put8(&k, 3);
	tag_close(&k);
	tag_open(&k, 12);                  /* EFI64 system table */
	put64(&k, 0x7f9e018);
	tag_close(&k);
	tag_open(&k, 17);                  /* EFI mmap with no descriptors */
	put32(&k, 48);
	put32(&k, 1);
	tag_close(&k);
	tag_open(&k, 18);                  /* EFI boot services not terminated */
	tag_close(&k);
	tag_str(&k, 1, "x");
	tag_open(&k, 0xffffffff);
	tag_close(&k);
	CHECK_EQ(parse_n(k.b, blk_end(&k)), 0);
	CHECK_STR(bi.cmdline, "x");
}

TEST(framebuffer_rgb_and_unknown_type)
{
	blk_init(&k);
	tag_open(&k, 8);
	put64(&k, 0xfd000000);
	put32(&k, 4096);
	put32(&k, 1024);
	put32(&k, 768);
	put8(&k, 32);
	put8(&k, 1);
	put16(&k, 0);
	put8(&k, 16); put8(&k, 8); put8(&k, 8); put8(&k, 8); put8(&k, 0); put8(&k, 8);
	tag_close(&k);
	CHECK_EQ(parse_n(k.b, blk_end(&k)), 0);
	CHECK_EQ(bi.fb.type, BOOT_FB_RGB);
	CHECK_EQ(bi.fb.addr, 0xfd000000);
	CHECK_EQ(bi.fb.pitch, 4096);
	CHECK_EQ(bi.fb.width, 1024);
	CHECK_EQ(bi.fb.height, 768);
	CHECK_EQ(bi.fb.bpp, 32);

	k.b[8 + 29] = 7;                   /* a type from a future spec */
	CHECK_EQ(parse_n(k.b, k.len), 0);
	CHECK_EQ(bi.fb.type, BOOT_FB_NONE);
}

TEST(mmap_larger_entry_size_honoured)
{
	blk_init(&k);
	tag_mmap(&k, 40, qemu_map, 6);
	CHECK_EQ(parse_n(k.b, blk_end(&k)), 0);
	CHECK_EQ(bi.mmap_count, 6);
	CHECK_EQ(bi.mmap[5].addr, 0xfffc0000);
	CHECK_EQ(bi.mmap[5].type, 2);
}

TEST(mmap_later_tag_replaces)
{
	blk_init(&k);
	tag_mmap(&k, 24, qemu_map, 6);
	tag_mmap(&k, 24, qemu_map + 3, 2);
	CHECK_EQ(parse_n(k.b, blk_end(&k)), 0);
	CHECK_EQ(bi.mmap_count, 2);
	CHECK_EQ(bi.mmap[0].addr, 0x100000);
}

TEST(mmap_too_many_entries_truncated)
{
	static struct ent many[BOOT_MMAP_MAX + 44];

	for (unsigned int i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct ent){ (uint64_t)i << 20, 1 << 20, 1 + i % 5 };
	blk_init(&k);
	tag_mmap(&k, 24, many, ARRAY_SIZE(many));
	CHECK_EQ(parse_n(k.b, blk_end(&k)), 0);
	CHECK_EQ(bi.mmap_count, BOOT_MMAP_MAX);
	CHECK(bi.mmap_truncated);
	CHECK_EQ(bi.mmap[BOOT_MMAP_MAX - 1].addr, (uint64_t)(BOOT_MMAP_MAX - 1) << 20);

	blk_init(&k);                      /* exactly the maximum is not truncated */
	tag_mmap(&k, 24, many, BOOT_MMAP_MAX);
	CHECK_EQ(parse_n(k.b, blk_end(&k)), 0);
	CHECK_EQ(bi.mmap_count, BOOT_MMAP_MAX);
	CHECK(!bi.mmap_truncated);
}

TEST(modules_truncated_and_empty_module)
{
	blk_init(&k);
	for (int i = 0; i < BOOT_MODULES_MAX + 3; i++)
		tag_module(&k, 0x200000 + i * 0x1000, 0x200000 + i * 0x1000, "m");
	CHECK_EQ(parse_n(k.b, blk_end(&k)), 0);
	CHECK_EQ(bi.module_count, BOOT_MODULES_MAX);
	CHECK(bi.modules_truncated);
	CHECK_EQ(bi.modules[BOOT_MODULES_MAX - 1].start, 0x200000 + (BOOT_MODULES_MAX - 1) * 0x1000);
	CHECK_EQ(bi.modules[0].end, bi.modules[0].start);

	/* a truncated module is still validated */
	blk_init(&k);
	for (int i = 0; i < BOOT_MODULES_MAX; i++)
		tag_module(&k, 0, 0, "");
	tag_module(&k, 0x2000, 0x1000, "");
	CHECK_BAD(k.b, blk_end(&k));
}

TEST(long_strings_truncated_to_field)
{
	static char big[2000];

	memset(big, 'a', sizeof(big) - 1);
	blk_init(&k);
	tag_str(&k, 1, big);
	tag_str(&k, 2, big);
	tag_module(&k, 0, 1, big);
	CHECK_EQ(parse_n(k.b, blk_end(&k)), 0);
	CHECK_EQ(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	CHECK_EQ(strlen(bi.loader_name), BOOT_LOADER_NAME_MAX - 1);
	CHECK_EQ(strlen(bi.modules[0].cmdline), BOOT_MOD_CMDLINE_MAX - 1);
}

TEST(string_nul_at_last_byte_of_tag)
{
	blk_init(&k);
	tag_open(&k, 1);
	put(&k, "abc", 4);                 /* size 12: NUL is the tag's last byte */
	tag_close(&k);
	CHECK_EQ(parse_n(k.b, blk_end(&k)), 0);
	CHECK_STR(bi.cmdline, "abc");
}

TEST(bad_fixed_part)
{
	uint8_t b[16] __aligned(8) = { 16, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 8, 0, 0, 0 };
	size_t n = build_grub_bios(&k);

	CHECK_BAD(b, 0);
	CHECK_BAD(b, 7);
	CHECK_BAD(b, 15);                  /* total_size 16 but 15 readable */
	for (uint32_t t = 0; t < 16; t++) {
		wr32(b, t);
		CHECK_BAD(b, sizeof(b));
	}
	wr32(b, MB2_INFO_MAX + 8);
	CHECK_BAD(b, sizeof(b));
	wr32(b, 0xffffffff);
	CHECK_BAD(b, sizeof(b));
	CHECK_BAD(k.b, n - 1);             /* truncated GRUB block */
	CHECK_BAD(k.b, n - 8);

	CHECK_EQ(mb2_parse(NULL, 64, 0x10000, &bi, err, sizeof(err)), -EINVAL);
	CHECK_EQ(mb2_parse(k.b, n, 0x10000, NULL, err, sizeof(err)), -EINVAL);
	CHECK_EQ(parse_at(k.b, n, 0x10004), -EINVAL);   /* the spec aligns the block to 8 */
	CHECK_EQ(parse_at(k.b, n, 0xfffffffffffffff8ull), -EINVAL);
	CHECK(err[0] != '\0');
}

TEST(error_messages)
{
	char small[12];

	blk_init(&k);
	tag_str(&k, 1, "012345678901234567890123456789012345678901234567890123");
	tag_open(&k, 6);
	put32(&k, 24);
	tag_close(&k);
	CHECK_EQ(k.tag, 0x48);
	CHECK_BAD(k.b, blk_end(&k));
	CHECK_STR(err, "tag 6 at offset 0x48: size 12 too small for a memory map");

	CHECK_BAD(k.b, k.len - 8);
	CHECK_STR(err, "total_size 96 but only 88 bytes readable");

	/* a short or absent message buffer is not written past */
	CHECK_EQ(mb2_parse(k.b, k.len, 0, &bi, small, sizeof(small)), -EINVAL);
	CHECK_STR(small, "tag 6 at of");
	CHECK_EQ(mb2_parse(k.b, k.len, 0, &bi, NULL, 0), -EINVAL);
	CHECK_EQ(mb2_parse(k.b, k.len, 0, &bi, small, 0), -EINVAL);
}

TEST(bad_tag_sizes)
{
	static const uint32_t sizes[] = { 0, 4, 7, 0x1000, 0xfffffff8, 0xffffffff };

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		blk_init(&k);
		tag_str(&k, 2, "GRUB");
		tag_open(&k, 0x77);
		put64(&k, 0);
		tag_close(&k);
		wr32(k.b + k.tag + 4, sizes[i]);
		CHECK_BAD(k.b, blk_end(&k));
	}

	/* a tag that runs exactly one byte past total_size */
	blk_init(&k);
	tag_str(&k, 1, "abc");
	blk_end(&k);
	wr32(k.b + 8 + 4, (uint32_t)(k.len - 8 + 1));
	CHECK_BAD(k.b, k.len);

	/* the end tag itself must fit */
	blk_init(&k);
	blk_end(&k);
	wr32(k.b + 8 + 4, 16);
	CHECK_BAD(k.b, k.len);
}

TEST(missing_end_tag)
{
	blk_init(&k);
	tag_str(&k, 1, "abc");
	wr32(k.b, (uint32_t)k.len);
	CHECK_BAD(k.b, k.len);
	CHECK_STR(err, "no end tag");

	/* a partial header left after the last tag */
	blk_init(&k);
	tag_str(&k, 1, "abc");
	wr32(k.b, (uint32_t)k.len + 4);
	CHECK_BAD(k.b, k.len + 4);

	/* the last tag's padding reaches past a total_size that is not a multiple of 8 */
	blk_init(&k);
	tag_open(&k, 0x77);
	put8(&k, 0);
	tag_close(&k);
	wr32(k.b, 17);
	CHECK_BAD(k.b, 17);
}

TEST(bad_mmap)
{
	static const uint32_t esz[] = { 0, 8, 23, 48, 0x80000000, 0xffffffff };

	for (unsigned int i = 0; i < ARRAY_SIZE(esz); i++) {
		blk_init(&k);
		tag_mmap(&k, 24, qemu_map, 1);     /* 24 bytes of entries */
		wr32(k.b + k.tag + 8, esz[i]);
		CHECK_BAD(k.b, blk_end(&k));
	}

	blk_init(&k);                          /* trailing partial entry */
	tag_mmap(&k, 24, qemu_map, 2);
	wr32(k.b + k.tag + 4, 16 + 24 + 12);
	CHECK_BAD(k.b, blk_end(&k));

	blk_init(&k);                          /* header cut short */
	tag_open(&k, 6);
	put32(&k, 24);
	tag_close(&k);
	CHECK_BAD(k.b, blk_end(&k));
}

TEST(unterminated_strings)
{
	static const uint32_t types[] = { 1, 2, 3 };

	for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
		blk_init(&k);
		tag_open(&k, types[i]);
		if (types[i] == 3) {
			put32(&k, 0);
			put32(&k, 0);
		}
		put(&k, "abcd", 4);        /* no NUL; padding zeros follow outside the tag */
		tag_close(&k);
		CHECK_BAD(k.b, blk_end(&k));
		CHECK(strstr(err, "unterminated string") != NULL);
	}

	blk_init(&k);                          /* empty payload */
	tag_open(&k, 1);
	tag_close(&k);
	CHECK_BAD(k.b, blk_end(&k));
}

TEST(bad_module)
{
	blk_init(&k);
	tag_module(&k, 0x200000, 0x1fffff, "x");
	CHECK_BAD(k.b, blk_end(&k));

	blk_init(&k);
	tag_open(&k, 3);
	put32(&k, 0);
	tag_close(&k);
	CHECK_BAD(k.b, blk_end(&k));
}

TEST(bad_fixed_size_tags)
{
	static const struct { uint32_t type, size; } cases[] = {
		{ 8, 29 }, { 8, 8 }, { 14, 27 }, { 15, 43 }, { 15, 28 },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		blk_init(&k);
		tag_open(&k, cases[i].type);
		for (uint32_t j = 8; j < cases[i].size; j++)
			put8(&k, 0x5a);
		tag_close(&k);
		CHECK_BAD(k.b, blk_end(&k));
	}
}

TEST(fuzz_truncate_and_flip)
{
	static uint8_t m[sizeof(k.b)];
	size_t n = build_grub_bios(&k);
	unsigned int ok = 0;

	/* every truncation, with total_size left alone and with it pulled in */
	for (size_t len = 0; len <= n; len++) {
		fuzz_one(k.b, len, len);
		memcpy(m, k.b, n);
		wr32(m, (uint32_t)len);
		fuzz_one(m, len, len);
	}

	for (int iter = 0; iter < 20000; iter++) {
		unsigned int flips = 1 + rng() % 4;

		memcpy(m, k.b, n);
		for (unsigned int f = 0; f < flips; f++) {
			size_t at = rng() % n;

			/* bias toward size fields, where the damage is interesting */
			if (rng() % 2)
				at = (at & ~(size_t)7) + 4 + rng() % 4;
			if (at >= n)
				at = n - 1;
			m[at] = rng() % 3 ? (uint8_t)rng() : (uint8_t)(m[at] ^ (1u << (rng() % 8)));
		}
		fuzz_one(m, n, n);
		ok += err[0] == '\0';
	}
	CHECK(ok > 0);                      /* some mutations (string bytes) stay valid */
}
