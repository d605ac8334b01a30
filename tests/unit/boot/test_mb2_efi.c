/* tests/unit/boot/test_mb2_efi.c - mb2_parse on the EFI tags (Multiboot2 spec
 * 3.6.12 EFI 64-bit system table pointer, 3.6.14 EFI memory map): GRUB's
 * block under OVMF, each way a map is dropped while the boot goes on, and
 * fuzzing. */
#include "tests/unit/check.h"
#include "tests/unit/boot/mb2_fixture.h"
#include "tests/data/ovmf_bochs_efi.h"

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
