/* tests/unit/boot/test_mb2.c - mb2_parse on built Multiboot2 info blocks, valid and hostile. */
#include "tests/unit/check.h"
#include "boot/info/mb2.h"
#include "tests/data/ovmf_bochs_efi.h"

/* An info block under construction; tags are appended and padded to 8 bytes. */
struct blk {
	uint8_t b[32768] __aligned(8);
	size_t len;                /* bytes written so far */
	size_t tag;                /* start of the open tag */
};

static struct blk k;
static struct boot_info bi;
static char err[160];

static void blk_init(struct blk *x)
{
	memset(x, 0, sizeof(*x));
	x->len = 8;
}

static void put(struct blk *x, const void *p, size_t n)
{
	if (x->len + n > sizeof(x->b)) {
		fprintf(stderr, "test block overflow\n");
		exit(2);
	}
	memcpy(x->b + x->len, p, n);
	x->len += n;
}

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);          /* the host is little-endian like the target */
}

static void put8(struct blk *x, uint8_t v) { put(x, &v, 1); }
static void put16(struct blk *x, uint16_t v) { put(x, &v, 2); }
static void put32(struct blk *x, uint32_t v) { put(x, &v, 4); }
static void put64(struct blk *x, uint64_t v) { put(x, &v, 8); }

static void tag_open(struct blk *x, uint32_t type)
{
	x->tag = x->len;
	put32(x, type);
	put32(x, 0);
}

/* Sets the open tag's size to what was written and pads to the next tag. */
static void tag_close(struct blk *x)
{
	wr32(x->b + x->tag + 4, (uint32_t)(x->len - x->tag));
	while (x->len % 8)
		put8(x, 0);
}

static void tag_str(struct blk *x, uint32_t type, const char *s)
{
	tag_open(x, type);
	put(x, s, strlen(s) + 1);
	tag_close(x);
}

static void tag_module(struct blk *x, uint32_t start, uint32_t end, const char *cmd)
{
	tag_open(x, 3);
	put32(x, start);
	put32(x, end);
	put(x, cmd, strlen(cmd) + 1);
	tag_close(x);
}

struct ent { uint64_t addr, len; uint32_t type; };

static void tag_mmap(struct blk *x, uint32_t esz, const struct ent *e, unsigned int n)
{
	tag_open(x, 6);
	put32(x, esz);
	put32(x, 0);
	for (unsigned int i = 0; i < n; i++) {
		put64(x, e[i].addr);
		put64(x, e[i].len);
		put32(x, e[i].type);
		for (uint32_t j = 20; j < esz; j++)
			put8(x, 0);
	}
	tag_close(x);
}

/* An RSDP as firmware lays it out (ACPI 6.5, 5.2.5.3), checksums filled in. */
static void make_rsdp(uint8_t *r, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	uint8_t sum = 0;

	memset(r, 0, 36);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "BOCHS ", 6);
	r[15] = rev;
	memcpy(r + 16, &rsdt, 4);
	for (int i = 0; i < 20; i++)
		sum += r[i];
	r[8] = (uint8_t)-sum;
	if (rev >= 2) {
		uint32_t len = 36;

		memcpy(r + 20, &len, 4);
		memcpy(r + 24, &xsdt, 8);
		sum = 0;
		for (int i = 0; i < 36; i++)
			sum += r[i];
		r[32] = (uint8_t)-sum;
	}
}

static void tag_rsdp(struct blk *x, uint32_t type, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	uint8_t r[36];

	make_rsdp(r, rev, rsdt, xsdt);
	tag_open(x, type);
	put(x, r, type == 14 ? 20 : 36);
	tag_close(x);
}

/* Appends the end tag and writes total_size; returns it. */
static size_t blk_end(struct blk *x)
{
	tag_open(x, 0);
	tag_close(x);
	wr32(x->b, (uint32_t)x->len);
	return x->len;
}

/* Parses a heap copy of exactly `avail` bytes, so ASan catches any overread. */
static int parse_at(const void *data, size_t avail, hpa_t pa)
{
	uint8_t *copy = malloc(avail);
	int rc;

	if (avail)
		memcpy(copy, data, avail);
	memset(err, 0, sizeof(err));
	rc = mb2_parse(copy, avail, pa, &bi, err, sizeof(err));
	free(copy);
	return rc;
}

static int parse_n(const void *data, size_t avail)
{
	return parse_at(data, avail, 0x10000);
}

#define CHECK_BAD(data, avail)                                            \
	do {                                                              \
		CHECK_EQ(parse_n((data), (avail)), -EINVAL);              \
		CHECK(err[0] != '\0');                                    \
	} while (0)

static const struct ent qemu_map[6] = {
	{ 0x0,         0x9fc00,    1 },
	{ 0x9fc00,     0x400,      2 },
	{ 0xf0000,     0x10000,    2 },
	{ 0x100000,    0x7ee0000,  1 },
	{ 0x7fe0000,   0x20000,    2 },
	{ 0xfffc0000,  0x40000,    2 },
};

/* What GRUB 2.06 hands over on QEMU with SeaBIOS, in GRUB's tag order. */
static size_t build_grub_bios(struct blk *x)
{
	blk_init(x);
	tag_open(x, 21);                       /* load base address */
	put32(x, 0x100000);
	tag_close(x);
	tag_str(x, 1, "serial=com1 hvmem=128M");
	tag_str(x, 2, "GRUB 2.06");
	tag_module(x, 0x143000, 0x5d1a00, "/boot/vmlinuz console=ttyS0");
	tag_mmap(x, 24, qemu_map, 6);
	tag_open(x, 9);                        /* ELF sections: num, entsize, shndx, no headers */
	put32(x, 0);
	put32(x, 64);
	put32(x, 0);
	tag_close(x);
	tag_open(x, 4);                        /* basic meminfo */
	put32(x, 639);
	put32(x, 130944);
	tag_close(x);
	tag_open(x, 5);                        /* bootdev */
	put32(x, 0x80);
	put32(x, 0xffffffff);
	put32(x, 0xffffffff);
	tag_close(x);
	tag_open(x, 8);                        /* EGA text, GRUB's 32-byte common part */
	put64(x, 0xb8000);
	put32(x, 160);
	put32(x, 80);
	put32(x, 25);
	put8(x, 16);
	put8(x, 2);
	put16(x, 0);
	tag_close(x);
	tag_rsdp(x, 14, 0, 0x7fe14d5, 0);
	return blk_end(x);
}

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

static uint32_t rng_state = 0x2545f491;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Whatever parsed must satisfy the boot_info invariants later code relies on. */
static void check_sane(size_t total)
{
	CHECK(bi.mmap_count <= BOOT_MMAP_MAX);
	CHECK(bi.module_count <= BOOT_MODULES_MAX);
	CHECK(memchr(bi.cmdline, 0, sizeof(bi.cmdline)) != NULL);
	CHECK(memchr(bi.loader_name, 0, sizeof(bi.loader_name)) != NULL);
	for (unsigned int i = 0; i < bi.module_count; i++) {
		CHECK(bi.modules[i].end >= bi.modules[i].start);
		CHECK(memchr(bi.modules[i].cmdline, 0, BOOT_MOD_CMDLINE_MAX) != NULL);
	}
	CHECK(bi.rsdp_len == 0 || bi.rsdp_len == 20 || bi.rsdp_len == 36);
	CHECK(bi.info_end - bi.info_start <= total);
	/* An EFI map is whole and well-formed, or absent. */
	CHECK(bi.efi.mmap_count <= BOOT_EFI_MMAP_MAX);
	CHECK(memchr(bi.efi.note, 0, sizeof(bi.efi.note)) != NULL);
	if (bi.efi.mmap_count) {
		CHECK(bi.efi.desc_size >= 40 && bi.efi.desc_version == 1 && bi.efi.note[0] == 0);
		CHECK((uint64_t)bi.efi.mmap_count * bi.efi.desc_size <= total);
	}
	for (unsigned int i = 0; i < bi.efi.mmap_count; i++) {
		CHECK(bi.efi.mmap[i].pages && !(bi.efi.mmap[i].phys & 0xfff));
		CHECK(bi.efi.mmap[i].pages <= (UINT64_MAX - bi.efi.mmap[i].phys) >> 12);
	}
}

static void fuzz_one(const uint8_t *data, size_t len, size_t limit)
{
	int rc = parse_n(data, len);

	CHECK(rc == 0 || rc == -EINVAL);
	if (rc)
		CHECK(err[0] != '\0');
	else
		check_sane(limit);
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

/* --- EFI tags (Multiboot2 spec 3.6.12 and 3.6.14) ------------------------- */

static void put_efi_desc(struct blk *x, uint32_t dsz, const struct efi_desc *d)
{
	put32(x, d->type);
	put32(x, 0);
	put64(x, d->phys);
	put64(x, d->virt);
	put64(x, d->pages);
	put64(x, d->attr);
	for (uint32_t j = 40; j < dsz; j++)
		put8(x, 0);
}

static void tag_efi_mmap(struct blk *x, uint32_t dsz, uint32_t ver, const struct efi_desc *d, unsigned int n)
{
	tag_open(x, 17);
	put32(x, dsz);
	put32(x, ver);
	for (unsigned int i = 0; i < n; i++)
		put_efi_desc(x, dsz, &d[i]);
	tag_close(x);
}

static void tag_efi64(struct blk *x, uint64_t systab)
{
	tag_open(x, 12);
	put64(x, systab);
	tag_close(x);
}

/* What GRUB 2.06 EFI hands over under Bochs with OVMF: its map captured there
 * (tests/data/ovmf_bochs_efi.h), in GRUB's tag order (EFI64 after the framebuffer,
 * the EFI map last, written at ExitBootServices). */
static size_t build_grub_efi(struct blk *x)
{
	blk_init(x);
	tag_str(x, 1, "");
	tag_str(x, 2, "GRUB 2.06-13+deb12u2");
	tag_module(x, 0x1500000, 0x22887c0, "guest hv.name=linux console=ttyS0,115200");
	tag_mmap(x, 24, qemu_map, 6);
	tag_efi64(x, OVMF_BOCHS_SYSTAB);
	tag_efi_mmap(x, 48, 1, ovmf_bochs_efi_mmap, ARRAY_SIZE(ovmf_bochs_efi_mmap));
	return blk_end(x);
}

/* Parses a block with one EFI map tag (and a command line before it, which must survive). */
static int parse_efi_map(uint32_t dsz, uint32_t ver, const struct efi_desc *d, unsigned int n)
{
	blk_init(&k);
	tag_str(&k, 1, "still here");
	tag_efi64(&k, OVMF_BOCHS_SYSTAB);
	tag_efi_mmap(&k, dsz, ver, d, n);
	return parse_n(k.b, blk_end(&k));
}

/* The map was dropped, the boot goes on, and the note says why. */
#define CHECK_EFI_DROPPED(why)                                             \
	do {                                                               \
		CHECK_STR(err, "");                                        \
		CHECK_EQ(bi.efi.mmap_count, 0);                            \
		CHECK(strstr(bi.efi.note, (why)) != NULL);                 \
		CHECK_STR(bi.cmdline, "still here");                       \
	} while (0)

TEST(efi_tags_from_grub)
{
	size_t n = build_grub_efi(&k);

	CHECK_EQ(parse_n(k.b, n), 0);
	CHECK_STR(err, "");
	CHECK_EQ(bi.efi.systab, OVMF_BOCHS_SYSTAB);
	CHECK_EQ(bi.efi.desc_size, 48);
	CHECK_EQ(bi.efi.desc_version, 1);
	CHECK_STR(bi.efi.note, "");
	CHECK_EQ(bi.efi.mmap_count, ARRAY_SIZE(ovmf_bochs_efi_mmap));
	for (unsigned int i = 0; i < ARRAY_SIZE(ovmf_bochs_efi_mmap); i++) {
		const struct efi_desc *a = &bi.efi.mmap[i], *b = &ovmf_bochs_efi_mmap[i];

		CHECK(a->type == b->type && a->phys == b->phys && a->virt == b->virt &&
		      a->pages == b->pages && a->attr == b->attr);
	}
	CHECK(bi.efi.mmap[112].type == EFI_RUNTIME_SERVICES_CODE && bi.efi.mmap[112].attr == 0x800000000000000fULL);
	CHECK_EQ(bi.module_count, 1);
	check_sane(n);
}

TEST(efi_nothing_after_a_bios_boot)
{
	CHECK_EQ(parse_n(k.b, build_grub_bios(&k)), 0);
	CHECK_EQ(bi.efi.systab, 0);
	CHECK_EQ(bi.efi.mmap_count, 0);
	CHECK_STR(bi.efi.note, "");
}

TEST(efi_mmap_descriptor_size_below_40)
{
	/* 32-byte descriptors would cut Attribute off: written as 40 and read as 32, they
	 * cannot be taken apart. */
	CHECK_EQ(parse_efi_map(32, 1, NULL, 0), 0);
	CHECK_EFI_DROPPED("descriptor size 32 below 40");
	CHECK_EQ(bi.efi.systab, OVMF_BOCHS_SYSTAB);     /* kept: the loader decides without a map */
	CHECK_EQ(parse_efi_map(0, 1, NULL, 0), 0);
	CHECK_EFI_DROPPED("descriptor size 0 below 40");
}

TEST(efi_mmap_size_not_a_multiple)
{
	blk_init(&k);
	tag_str(&k, 1, "still here");
	tag_open(&k, 17);
	put32(&k, 48);
	put32(&k, 1);
	put_efi_desc(&k, 48, &ovmf_bochs_efi_mmap[0]);
	put_efi_desc(&k, 48, &ovmf_bochs_efi_mmap[1]);
	put64(&k, 0);                                    /* 8 bytes of a third */
	tag_close(&k);
	CHECK_EQ(parse_n(k.b, blk_end(&k)), 0);
	CHECK_EFI_DROPPED("104 bytes of descriptors not a non-zero multiple of their size 48");
	/* no descriptor at all */
	CHECK_EQ(parse_efi_map(48, 1, NULL, 0), 0);
	CHECK_EFI_DROPPED("0 bytes of descriptors");
}

TEST(efi_mmap_larger_than_the_tag)
{
	/* A descriptor size larger than the whole map the tag holds. */
	blk_init(&k);
	tag_str(&k, 1, "still here");
	tag_open(&k, 17);
	put32(&k, 4096);
	put32(&k, 1);
	put_efi_desc(&k, 48, &ovmf_bochs_efi_mmap[0]);
	tag_close(&k);
	CHECK_EQ(parse_n(k.b, blk_end(&k)), 0);
	CHECK_EFI_DROPPED("48 bytes of descriptors not a non-zero multiple of their size 4096");
	/* A tag claiming more bytes than the block holds is a broken block: the boot stops. */
	blk_init(&k);
	tag_efi_mmap(&k, 48, 1, ovmf_bochs_efi_mmap, 4);
	wr32(k.b + 8 + 4, 16 + 48 * 200);
	CHECK_BAD(k.b, blk_end(&k));
	CHECK(strstr(err, "tag 17 at offset 0x8: size 9616 runs past total_size") != NULL);
	/* A tag too small for its own header. */
	blk_init(&k);
	tag_str(&k, 1, "still here");
	tag_open(&k, 17);
	put32(&k, 48);
	tag_close(&k);
	CHECK_EQ(parse_n(k.b, blk_end(&k)), 0);
	CHECK_EFI_DROPPED("size 12 too small for an EFI memory map");
}

TEST(efi_mmap_version_and_count)
{
	static struct efi_desc many[BOOT_EFI_MMAP_MAX + 1];

	CHECK_EQ(parse_efi_map(48, 2, ovmf_bochs_efi_mmap, 3), 0);
	CHECK_EFI_DROPPED("descriptor version 2, not 1");
	for (unsigned int i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct efi_desc){ EFI_CONVENTIONAL_MEMORY, (uint64_t)i << 12, 0, 1, 0xf };
	/* All or nothing: a guest given part of the map would miss runtime regions. */
	CHECK_EQ(parse_efi_map(40, 1, many, BOOT_EFI_MMAP_MAX + 1), 0);
	CHECK_EFI_DROPPED("513 descriptors, more than the 512 kept");
	CHECK_EQ(parse_efi_map(40, 1, many, BOOT_EFI_MMAP_MAX), 0);
	CHECK_EQ(bi.efi.mmap_count, BOOT_EFI_MMAP_MAX);
	CHECK_EQ(bi.efi.mmap[511].phys, 511 << 12);
	CHECK_STR(bi.efi.note, "");
}

TEST(efi_mmap_bad_descriptors)
{
	struct efi_desc d[3] = {
		{ EFI_CONVENTIONAL_MEMORY, 0x0, 0, 16, 0xf }, { EFI_CONVENTIONAL_MEMORY, 0x10800, 0, 1, 0xf },
		{ EFI_CONVENTIONAL_MEMORY, 0x20000, 0, 1, 0xf },
	};

	CHECK_EQ(parse_efi_map(48, 1, d, 3), 0);
	CHECK_EFI_DROPPED("descriptor 1: 0x1 pages at 0x10800");
	d[1] = (struct efi_desc){ EFI_CONVENTIONAL_MEMORY, 0x10000, 0, 0, 0xf };
	CHECK_EQ(parse_efi_map(48, 1, d, 3), 0);
	CHECK_EFI_DROPPED("descriptor 1: 0x0 pages");
	d[1] = (struct efi_desc){ EFI_CONVENTIONAL_MEMORY, 0xfffffffffff00000ULL, 0, 0x101, 0xf };
	CHECK_EQ(parse_efi_map(48, 1, d, 3), 0);
	CHECK_EFI_DROPPED("descriptor 1: 0x101 pages at 0xfffffffffff00000");
	d[1].pages = 0x100;                              /* ends at 2^64: no exclusive end to hold */
	CHECK_EQ(parse_efi_map(48, 1, d, 3), 0);
	CHECK_EFI_DROPPED("descriptor 1: 0x100 pages");
	d[1].pages = 0xff;
	CHECK_EQ(parse_efi_map(48, 1, d, 3), 0);
	CHECK_EQ(bi.efi.mmap_count, 3);
}

TEST(efi_tags_too_small_and_replaced)
{
	blk_init(&k);
	tag_str(&k, 1, "still here");
	tag_open(&k, 12);
	put32(&k, 0x1f7ec018);                           /* a 32-bit pointer in a 64-bit tag */
	tag_close(&k);
	tag_efi_mmap(&k, 48, 2, ovmf_bochs_efi_mmap, 2);
	tag_efi_mmap(&k, 48, 1, ovmf_bochs_efi_mmap, 2);   /* a later good map replaces the bad one */
	CHECK_EQ(parse_n(k.b, blk_end(&k)), 0);
	CHECK_EQ(bi.efi.systab, 0);
	CHECK(strstr(bi.efi.note, "tag 12 at offset 0x18: size 12 too small") == NULL);   /* cleared by the good map */
	CHECK_EQ(bi.efi.mmap_count, 2);
	/* Without a later map the note stays. */
	blk_init(&k);
	tag_open(&k, 12);
	put32(&k, 0x1f7ec018);
	tag_close(&k);
	CHECK_EQ(parse_n(k.b, blk_end(&k)), 0);
	CHECK_EQ(bi.efi.systab, 0);
	CHECK_STR(bi.efi.note, "tag 12 at offset 0x8: size 12 too small for an EFI system table pointer");
}

TEST(fuzz_efi_block)
{
	static uint8_t m[sizeof(k.b)];
	size_t n = build_grub_efi(&k);

	for (size_t len = 0; len <= n; len += 7)
		fuzz_one(k.b, len, len);
	for (int iter = 0; iter < 20000; iter++) {
		size_t at;

		memcpy(m, k.b, n);
		for (unsigned int f = 0; f < 1 + rng() % 3; f++) {
			at = rng() % n;
			if (rng() % 2)     /* the EFI tag's header and the descriptors' fields */
				at = n - 8 - rng() % (16 + 48 * 4);
			m[at] = (uint8_t)rng();
		}
		fuzz_one(m, n, n);
	}
}
