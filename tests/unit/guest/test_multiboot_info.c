/* tests/unit/guest/test_multiboot_info.c - Multiboot header search (v1 and v2, the
 * hypervisor's own Multiboot2 header as built), the v1 information checked field by
 * field at the spec's offsets, and the v2 information read back by the hypervisor's
 * own Multiboot2 parser; both memory maps against gmap_e820() on Bochs and q35 maps. */
#include "tests/unit/check.h"
#include "tests/unit/guest/gmap_fixture.h"
#include "guest/load/multiboot_info.h"
#include "guest/gmap.h"
#include "boot/info/mb2.h"

/* Multiboot 0.6.96, 3.3 "Boot information format" (kept apart from the implementation's). */
#define O_FLAGS         0
#define O_MEM_LOWER     4
#define O_MEM_UPPER     8
#define O_BOOT_DEVICE   12
#define O_CMDLINE       16
#define O_MODS_COUNT    20
#define O_MMAP_LENGTH   44
#define O_MMAP_ADDR     48
#define O_LOADER_NAME   64
#define F_MEM           0x001
#define F_CMDLINE       0x004
#define F_MMAP          0x040
#define F_LOADER_NAME   0x200

#define HVMEM           (64 * MiB)
#define WHERE           0x60000ULL


static uint8_t buf[16384];

static uint32_t r32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }   /* host is little-endian */
static uint64_t r64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static void w16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void w32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* Bochs with the hypervisor image at 2 MiB, the boot info and a guest module (hidden from
 * the guest: reserved in its memory map). */
static void bochs(void)
{
	const struct carve c[] = {
		{ 0x200000, 0x26a000, MEM_HV_IMAGE }, { 0x26a000, 0x26b000, MEM_BOOT_INFO },
		{ 0x26b000, 0x280000, MEM_MODULE },
	};

	build_gmap(bochs_raw, ARRAY_SIZE(bochs_raw), c, ARRAY_SIZE(c), HVMEM);
}

static void q35(void)
{
	const struct carve c[] = { { 0x200000, 0x26a000, MEM_HV_IMAGE } };

	build_gmap(q35_raw, ARRAY_SIZE(q35_raw), c, ARRAY_SIZE(c), HVMEM);
}

static const char *at(gpa_t where, uint32_t ptr)
{
	return (const char *)buf + (ptr - where);
}

/* The v1 map at mmap_addr: each entry {size 20, base, length, type} equals gmap_e820(). */
static void check_v1_map(gpa_t where, unsigned int entries)
{
	struct gmap_e820_entry want[MB_MMAP_MAX + 1];
	unsigned int n = gmap_e820(&g, want, ARRAY_SIZE(want));
	const uint8_t *e = (const uint8_t *)at(where, r32(buf + O_MMAP_ADDR));
	uint32_t len = r32(buf + O_MMAP_LENGTH);

	CHECK_EQ(entries, n);
	CHECK_EQ(len, n * 24);
	for (unsigned int i = 0; i < n && (size_t)(e - buf) + 24 <= sizeof(buf); i++, e += 24) {
		CHECK_EQ(r32(e), 20);
		CHECK_EQ(r64(e + 4), want[i].addr);
		CHECK_EQ(r64(e + 12), want[i].size);
		CHECK_EQ(r32(e + 20), want[i].type);
	}
}

TEST(v1_bochs_field_by_field)
{
	size_t used = 0;
	unsigned int entries = 0;
	bool hidden_reserved = false, boot_info_ram = false, module_reserved = false, ram_after = false;

	bochs();
	memset(buf, 0xcc, sizeof(buf));
	CHECK_EQ(multiboot1_build_info(&g, "mbtest=yes console=ttyS0", NULL, 0, WHERE, buf, sizeof(buf), &used,
				       &entries), 0);
	CHECK_EQ(r32(buf + O_FLAGS), F_MEM | F_CMDLINE | F_MMAP | F_LOADER_NAME);
	CHECK_EQ(r32(buf + O_MEM_LOWER), 0x9f000 / 1024);                 /* 636 KiB */
	CHECK_EQ(r32(buf + O_MEM_UPPER), 1024);                           /* 1 MiB up to the hv image at 2 MiB */
	CHECK_EQ(r32(buf + O_BOOT_DEVICE), 0);
	CHECK_EQ(r32(buf + O_MODS_COUNT), 0);
	for (unsigned int o = O_MODS_COUNT; o < O_MMAP_LENGTH; o += 4)      /* mods, syms: not given */
		CHECK_EQ(r32(buf + o), 0);
	for (unsigned int o = O_MMAP_ADDR + 4; o < O_LOADER_NAME; o += 4)  /* drives, config table */
		CHECK_EQ(r32(buf + o), 0);
	for (unsigned int o = O_LOADER_NAME + 4; o < 116; o += 4)          /* APM, VBE, framebuffer */
		CHECK_EQ(r32(buf + o), 0);
	/* Every pointer lies in the block, past the fixed part. */
	CHECK(r32(buf + O_MMAP_ADDR) >= WHERE + 116 && r32(buf + O_MMAP_ADDR) < WHERE + used);
	CHECK(r32(buf + O_CMDLINE) >= WHERE + 116 && r32(buf + O_CMDLINE) < WHERE + used);
	CHECK(r32(buf + O_LOADER_NAME) >= WHERE + 116 && r32(buf + O_LOADER_NAME) < WHERE + used);
	CHECK_STR(at(WHERE, r32(buf + O_CMDLINE)), "mbtest=yes console=ttyS0");
	CHECK_STR(at(WHERE, r32(buf + O_LOADER_NAME)), "hv");
	CHECK_EQ(used, (size_t)(at(WHERE, r32(buf + O_LOADER_NAME)) - (const char *)buf) + 3);
	CHECK_EQ(buf[used], 0xcc);                                        /* nothing written past used */
	check_v1_map(WHERE, entries);
	/* Bochs: RAM, EBDA, BIOS, RAM, hv image, RAM (boot info), module, RAM, hv memory, RAM,
	 * ACPI, BIOS ROM. */
	CHECK_EQ(entries, 12);
	for (unsigned int i = 0; i < entries; i++) {
		const uint8_t *e = (const uint8_t *)at(WHERE, r32(buf + O_MMAP_ADDR)) + 24 * i;

		if (r64(e + 4) <= hv_work && r64(e + 4) + r64(e + 12) >= hv_work + HVMEM)
			hidden_reserved = r32(e + 20) == 2;
		if (i == 5)
			boot_info_ram = r64(e + 4) == 0x26a000 && r64(e + 12) == 0x1000 && r32(e + 20) == 1;
		if (i == 6)
			module_reserved = r64(e + 4) == 0x26b000 && r64(e + 12) == 0x15000 && r32(e + 20) == 2;
		if (i == 7)
			ram_after = r64(e + 4) == 0x280000 && r64(e + 12) == hv_work - 0x280000 && r32(e + 20) == 1;
	}
	CHECK(hidden_reserved && boot_info_ram && module_reserved && ram_after);
}

TEST(v1_q35_above_4g_and_upper_memory)
{
	size_t used;
	unsigned int entries;
	const uint8_t *last;

	q35();
	CHECK_EQ(multiboot1_build_info(&g, "", NULL, 0, 0x9000, buf, sizeof(buf), &used, &entries), 0);
	CHECK_EQ(r32(buf + O_MEM_LOWER), 0x9fc00 / 1024);                 /* 639 KiB */
	CHECK_EQ(r32(buf + O_MEM_UPPER), 1024);
	CHECK_STR(at(0x9000, r32(buf + O_CMDLINE)), "");
	check_v1_map(0x9000, entries);
	last = (const uint8_t *)at(0x9000, r32(buf + O_MMAP_ADDR)) + 24 * (entries - 1);
	CHECK_EQ(r64(last + 4) + r64(last + 12), 0x280000000ULL);        /* the RAM above 4 GiB, hv memory cut out */
}

TEST(v1_upper_memory_without_a_hole)
{
	size_t used;
	unsigned int entries;

	build_gmap(bochs_raw, ARRAY_SIZE(bochs_raw), NULL, 0, HVMEM);    /* hv memory only at the top */
	CHECK_EQ(multiboot1_build_info(&g, "x", NULL, 0, WHERE, buf, sizeof(buf), &used, &entries), 0);
	CHECK_EQ(r32(buf + O_MEM_UPPER), (hv_work - 1 * MiB) / 1024);
}

TEST(v1_no_usable_ram_at_1m)
{
	static const struct raw fw[] = {
		{ 0x0, 0x9f000, MEM_USABLE }, { 0x100000, 0x100000, MEM_RESERVED },
		{ 0x200000, 0x10000000, MEM_USABLE },
	};
	size_t used;
	unsigned int entries;

	build_gmap(fw, ARRAY_SIZE(fw), NULL, 0, HVMEM);
	CHECK_EQ(multiboot1_build_info(&g, "x", NULL, 0, WHERE, buf, sizeof(buf), &used, &entries), 0);
	CHECK_EQ(r32(buf + O_MEM_LOWER), 636);
	CHECK_EQ(r32(buf + O_MEM_UPPER), 0);
}

TEST(v1_limits)
{
	size_t used, u2;
	unsigned int entries;

	bochs();
	CHECK_EQ(multiboot1_build_info(&g, "abc", NULL, 0, WHERE, buf, sizeof(buf), &used, &entries), 0);
	CHECK_EQ(multiboot1_build_info(&g, "abc", NULL, 0, WHERE, buf, used, &u2, &entries), 0);
	CHECK_EQ(u2, used);
	CHECK_EQ(multiboot1_build_info(&g, "abc", NULL, 0, WHERE, buf, used - 1, &u2, &entries), -ENOSPC);
	CHECK_EQ(multiboot1_build_info(&g, "abc", NULL, 0, 4 * GiB - used, buf, sizeof(buf), &u2, &entries), 0);
	CHECK_EQ(multiboot1_build_info(&g, "abc", NULL, 0, 4 * GiB - used + 1, buf, sizeof(buf), &u2, &entries), -EINVAL);
	CHECK_EQ(multiboot1_build_info(&g, "abc", NULL, 0, 8 * GiB, buf, sizeof(buf), &u2, &entries), -EINVAL);
	CHECK_EQ(multiboot1_build_info(&g, NULL, NULL, 0, WHERE, buf, sizeof(buf), &u2, &entries), -EINVAL);
	CHECK_EQ(multiboot1_build_info(NULL, "abc", NULL, 0, WHERE, buf, sizeof(buf), &u2, &entries), -EINVAL);
}

/* A map of 131 e820 entries: more than the builders take. */
TEST(more_than_128_map_entries)
{
	static struct raw many[140];
	unsigned int n = 0, entries;
	size_t used;

	many[n++] = (struct raw){ 0, 0x9f000, MEM_USABLE };
	for (unsigned int i = 0; i < 130; i++)                             /* alternating RAM and reserved */
		many[n++] = (struct raw){ 0x100000 + i * 0x100000ULL, 0x80000,
					  i % 2 ? MEM_RESERVED : MEM_USABLE };
	many[n++] = (struct raw){ 0x10000000, 0x10000000, MEM_USABLE };
	build_gmap(many, n, NULL, 0, 8 * MiB);
	CHECK_EQ(multiboot1_build_info(&g, "", NULL, 0, WHERE, buf, sizeof(buf), &used, &entries), -ENOSPC);
	CHECK_EQ(multiboot2_build_info(&g, "", NULL, 0, buf, sizeof(buf), &used, &entries), -ENOSPC);
}

/* v2 read back by boot/info/mb2.c, the parser the hypervisor trusts with GRUB's block. */
static void check_v2_parsed(const char *cmdline)
{
	static struct boot_info bi;
	struct gmap_e820_entry want[MB_MMAP_MAX + 1];
	unsigned int n = gmap_e820(&g, want, ARRAY_SIZE(want)), entries = 0;
	size_t used = 0;
	char err[160];

	memset(buf, 0xcc, sizeof(buf));
	CHECK_EQ(multiboot2_build_info(&g, cmdline, NULL, 0, buf, sizeof(buf), &used, &entries), 0);
	CHECK_EQ(r32(buf), used);
	CHECK_EQ(r32(buf + 4), 0);
	CHECK_EQ(used % 8, 0);
	CHECK_EQ(buf[used], 0xcc);
	CHECK_EQ(mb2_parse(buf, used, 0x9000, &bi, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_STR(bi.cmdline, cmdline);
	CHECK_STR(bi.loader_name, "hv");
	CHECK_EQ(bi.mmap_count, n);
	CHECK_EQ(entries, n);
	CHECK(!bi.mmap_truncated);
	for (unsigned int i = 0; i < n && i < BOOT_MMAP_MAX; i++) {
		CHECK_EQ(bi.mmap[i].addr, want[i].addr);
		CHECK_EQ(bi.mmap[i].len, want[i].size);
		CHECK_EQ(bi.mmap[i].type, want[i].type);
	}
	CHECK_EQ(bi.module_count, 0);
	CHECK_EQ(bi.info_end - bi.info_start, used);
	/* Exactly the block: one byte less is refused. */
	CHECK_EQ(mb2_parse(buf, used - 1, 0x9000, &bi, err, sizeof(err)), -EINVAL);
}

TEST(v2_parsed_by_mb2_parse)
{
	bochs();
	check_v2_parsed("mbtest=yes");
	check_v2_parsed("");
	check_v2_parsed("1234567");                                       /* tag of 16 bytes: no padding */
	q35();
	check_v2_parsed("a b c");
}

/* The tags in their order at 8-byte boundaries; basic meminfo (which mb2_parse skips) by hand. */
TEST(v2_tag_layout)
{
	static const uint32_t order[] = { 1, 2, 4, 6, 0 };
	size_t used, off = 8;
	unsigned int entries;

	bochs();
	CHECK_EQ(multiboot2_build_info(&g, "mbtest=yes", NULL, 0, buf, sizeof(buf), &used, &entries), 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(order) && off + 8 <= used; i++) {
		uint32_t type = r32(buf + off), size = r32(buf + off + 4);

		CHECK_EQ(type, order[i]);
		if (type == 1)
			CHECK_EQ(size, 8 + sizeof("mbtest=yes"));
		if (type == 2)
			CHECK_EQ(size, 8 + sizeof("hv"));
		if (type == 4) {
			CHECK_EQ(size, 16);
			CHECK_EQ(r32(buf + off + 8), 636);
			CHECK_EQ(r32(buf + off + 12), 1024);
		}
		if (type == 6) {
			CHECK_EQ(size, 16 + 24 * entries);
			CHECK_EQ(r32(buf + off + 8), 24);                  /* entry_size */
			CHECK_EQ(r32(buf + off + 12), 0);                  /* entry_version */
			CHECK_EQ(r32(buf + off + 16 + 20), 0);             /* reserved */
		}
		if (type == 0) {
			CHECK_EQ(size, 8);
			CHECK_EQ(off + 8, used);
		}
		off += (size + 7) & ~7u;
	}
	CHECK_EQ(off, used);
	CHECK_EQ(multiboot2_build_info(&g, "mbtest=yes", NULL, 0, buf, used - 1, &off, &entries), -ENOSPC);
}

/* Header images. */
static uint8_t img[65536];

static void mb1_at(size_t off, uint32_t flags)
{
	w32(img + off, 0x1badb002);
	w32(img + off + 4, flags);
	w32(img + off + 8, -(0x1badb002u + flags));
}

/* A v2 header at off with the given tags (already laid out), checksum fixed. */
static void mb2_at(size_t off, uint32_t arch, const uint8_t *tags, size_t tags_len)
{
	uint32_t len = 16 + tags_len;

	w32(img + off, 0xe85250d6);
	w32(img + off + 4, arch);
	w32(img + off + 8, len);
	w32(img + off + 12, -(0xe85250d6u + arch + len));
	memcpy(img + off + 16, tags, tags_len);
}

static size_t tag(uint8_t *t, uint16_t type, uint16_t flags, const uint32_t *body, unsigned int words)
{
	size_t size = 8 + 4 * words;

	w16(t, type);
	w16(t + 2, flags);
	w32(t + 4, size);
	for (unsigned int i = 0; i < words; i++)
		w32(t + 8 + 4 * i, body[i]);
	return (size + 7) & ~(size_t)7;
}

static int find(size_t size, struct multiboot_header_info *h)
{
	return multiboot_find_header(img, size, h);
}

TEST(find_v1)
{
	struct multiboot_header_info h;

	memset(img, 0, sizeof(img));
	CHECK_EQ(find(sizeof(img), &h), -ENOENT);
	mb1_at(0x1000, 0x3);
	CHECK_EQ(find(sizeof(img), &h), 0);
	CHECK_EQ(h.version, 1);
	CHECK_EQ(h.offset, 0x1000);
	CHECK_EQ(h.flags, 0x3);
	CHECK_EQ(multiboot1_unsupported_flags(h.flags), 0);
	CHECK_EQ(h.entry_addr, 0);
	CHECK_EQ(find(0x100c, &h), 0);                                     /* image ends with the header */
	CHECK_EQ(find(0x100b, &h), -ENOENT);
	CHECK_EQ(multiboot_find_header(NULL, 10, &h), -EINVAL);
}

TEST(find_v1_bad_checksum_and_misaligned)
{
	struct multiboot_header_info h;

	memset(img, 0, sizeof(img));
	mb1_at(0x1000, 0x3);
	w32(img + 0x1008, r32(img + 0x1008) + 1);
	CHECK_EQ(find(sizeof(img), &h), -ENOENT);
	memset(img, 0, sizeof(img));
	mb1_at(0x1002, 0x3);                                              /* not 4-byte aligned */
	CHECK_EQ(find(sizeof(img), &h), -ENOENT);
	/* A bad one first does not hide a good one after it. */
	memset(img, 0, sizeof(img));
	mb1_at(0x100, 0);
	w32(img + 0x104, 1);
	mb1_at(0x200, 2);
	CHECK_EQ(find(sizeof(img), &h), 0);
	CHECK_EQ(h.offset, 0x200);
	CHECK_EQ(h.flags, 2);
}

TEST(find_v1_search_window)
{
	struct multiboot_header_info h;

	memset(img, 0, sizeof(img));
	mb1_at(8192 - 12, 0);                                             /* last place that fits */
	CHECK_EQ(find(sizeof(img), &h), 0);
	CHECK_EQ(h.offset, 8192 - 12);
	memset(img, 0, sizeof(img));
	mb1_at(8192 - 8, 0);                                              /* straddles the window */
	CHECK_EQ(find(sizeof(img), &h), -ENOENT);
	memset(img, 0, sizeof(img));
	mb1_at(8192, 0);                                                  /* past it */
	CHECK_EQ(find(sizeof(img), &h), -ENOENT);
}

TEST(find_v1_aout_kludge_and_flags)
{
	struct multiboot_header_info h;

	memset(img, 0, sizeof(img));
	mb1_at(0x40, MB1_HF_AOUT_KLUDGE | 0x3);
	w32(img + 0x4c, 0x100040);                                        /* header_addr */
	w32(img + 0x50, 0x100000);                                        /* load_addr */
	w32(img + 0x54, 0x102000);                                        /* load_end_addr */
	w32(img + 0x58, 0x103000);                                        /* bss_end_addr */
	w32(img + 0x5c, 0x10000c);                                        /* entry_addr */
	CHECK_EQ(find(sizeof(img), &h), 0);
	CHECK_EQ(h.header_addr, 0x100040);
	CHECK_EQ(h.load_addr, 0x100000);
	CHECK_EQ(h.load_end_addr, 0x102000);
	CHECK_EQ(h.bss_end_addr, 0x103000);
	CHECK_EQ(h.entry_addr, 0x10000c);
	CHECK_EQ(multiboot1_unsupported_flags(h.flags), 0);               /* bit 16 is not a requirement */
	CHECK_EQ(find(0x40 + 31, &h), -EINVAL);                            /* address fields cut off */
	memset(img, 0, sizeof(img));
	mb1_at(8192 - 20, MB1_HF_AOUT_KLUDGE);                            /* ... or past the window */
	CHECK_EQ(find(sizeof(img), &h), -EINVAL);
	CHECK_EQ(multiboot1_unsupported_flags(MB1_HF_VIDEO_MODE | 0x3), MB1_HF_VIDEO_MODE);
	CHECK_EQ(multiboot1_unsupported_flags(0x8000), 0x8000);
	CHECK_EQ(multiboot1_unsupported_flags(0xfffe0003), 0);
}

TEST(find_v2_tags)
{
	static const uint32_t want[] = { 1, 6, 4 }, opt[] = { 14 }, entry[] = { 0x100123 };
	struct multiboot_header_info h;
	uint8_t t[128];
	size_t n = 0;

	memset(img, 0, sizeof(img));
	n += tag(t + n, 1, 0, want, 3);
	n += tag(t + n, 1, 1, opt, 1);                                     /* optional request */
	n += tag(t + n, 3, 0, entry, 1);
	n += tag(t + n, 5, 0, (const uint32_t[]){ 0, 0, 0 }, 3);           /* framebuffer: a preference */
	n += tag(t + n, 7, 1, NULL, 0);                                    /* EFI boot services, optional */
	n += tag(t + n, 0, 0, NULL, 0);
	mb2_at(0x7000, 0, t, n);
	CHECK_EQ(find(sizeof(img), &h), 0);
	CHECK_EQ(h.version, 2);
	CHECK_EQ(h.offset, 0x7000);
	CHECK_EQ(h.architecture, 0);
	CHECK_EQ(h.header_length, 16 + n);
	CHECK_EQ(h.requested, 1u << 1 | 1u << 4 | 1u << 6 | 1u << 14);
	CHECK_EQ(h.unsupported_request, 0);
	CHECK_EQ(h.unsupported_tag, 0);
	CHECK(h.has_entry);
	CHECK_EQ(h.entry_addr, 0x100123);

	/* The same, with the ACPI request and the EFI tag required. */
	n = 0;
	n += tag(t + n, 1, 0, (const uint32_t[]){ 1, 14, 6 }, 3);
	n += tag(t + n, 7, 0, NULL, 0);
	n += tag(t + n, 0, 0, NULL, 0);
	mb2_at(0x7000, 4, t, n);
	CHECK_EQ(find(sizeof(img), &h), 0);
	CHECK_EQ(h.architecture, 4);                                      /* MIPS: for the loader to refuse */
	CHECK_EQ(h.unsupported_request, 14);
	CHECK_EQ(h.unsupported_tag, 7);
	CHECK(!h.has_entry);
}

TEST(find_v2_malformed)
{
	struct multiboot_header_info h;
	uint8_t t[64];
	size_t n;

	memset(img, 0, sizeof(img));
	n = tag(t, 1, 0, (const uint32_t[]){ 1 }, 1);                      /* no end tag */
	mb2_at(0x100, 0, t, n);
	CHECK_EQ(find(sizeof(img), &h), -EINVAL);
	memset(img, 0, sizeof(img));
	n = tag(t, 1, 0, (const uint32_t[]){ 1 }, 1);
	n += tag(t + n, 0, 0, NULL, 0);
	w32(t + 4, 4);                                                     /* tag smaller than its header */
	mb2_at(0x100, 0, t, n);
	CHECK_EQ(find(sizeof(img), &h), -EINVAL);
	memset(img, 0, sizeof(img));
	n = tag(t, 1, 0, (const uint32_t[]){ 1 }, 1);
	n += tag(t + n, 0, 0, NULL, 0);
	w32(t + 4, 64);                                                    /* tag past header_length */
	mb2_at(0x100, 0, t, n);
	CHECK_EQ(find(sizeof(img), &h), -EINVAL);
	memset(img, 0, sizeof(img));
	n = tag(t, 3, 0, NULL, 0);                                         /* entry tag without its address */
	n += tag(t + n, 0, 0, NULL, 0);
	mb2_at(0x100, 0, t, n);
	CHECK_EQ(find(sizeof(img), &h), -EINVAL);
	memset(img, 0, sizeof(img));
	n = tag(t, 0, 0, NULL, 0);
	mb2_at(0x100, 0, t, n);
	CHECK_EQ(find(0x100 + 16 + 7, &h), -EINVAL);                       /* header_length past the image */
	CHECK_EQ(find(0x100 + 16 + 8, &h), 0);
}

TEST(find_v2_checksum_alignment_window)
{
	struct multiboot_header_info h;
	uint8_t t[8];
	size_t n = tag(t, 0, 0, NULL, 0);

	memset(img, 0, sizeof(img));
	mb2_at(0x100, 0, t, n);
	w32(img + 0x10c, r32(img + 0x10c) ^ 1);                           /* bad checksum */
	CHECK_EQ(find(sizeof(img), &h), -ENOENT);
	memset(img, 0, sizeof(img));
	mb2_at(0x104, 0, t, n);                                            /* only 4-byte aligned */
	CHECK_EQ(find(sizeof(img), &h), -ENOENT);
	memset(img, 0, sizeof(img));
	mb2_at(32768 - 24, 0, t, n);                                       /* ends at the window's end */
	CHECK_EQ(find(sizeof(img), &h), 0);
	CHECK_EQ(h.offset, 32768 - 24);
	memset(img, 0, sizeof(img));
	mb2_at(32768 - 16, 0, t, n);                                       /* tags past the window */
	CHECK_EQ(find(sizeof(img), &h), -EINVAL);
	memset(img, 0, sizeof(img));
	mb2_at(32768, 0, t, n);                                            /* past it */
	CHECK_EQ(find(sizeof(img), &h), -ENOENT);
	/* A v1 header is not looked for past 8 KiB, a v2 one is. */
	memset(img, 0, sizeof(img));
	mb1_at(0x4000, 0);
	mb2_at(0x5000, 0, t, n);
	CHECK_EQ(find(sizeof(img), &h), 0);
	CHECK_EQ(h.version, 2);
}

TEST(find_nearest_header_wins)
{
	struct multiboot_header_info h;
	uint8_t t[8];
	size_t n = tag(t, 0, 0, NULL, 0);

	memset(img, 0, sizeof(img));
	mb2_at(0x40, 0, t, n);
	mb1_at(0x100, 0);
	CHECK_EQ(find(sizeof(img), &h), 0);
	CHECK_EQ(h.version, 2);
	memset(img, 0, sizeof(img));
	mb1_at(0x0, 0);
	mb2_at(0x10, 0, t, n);
	CHECK_EQ(find(sizeof(img), &h), 0);
	CHECK_EQ(h.version, 1);
}

/* The hypervisor's own Multiboot2 header (boot/entry.asm), as the image at file
 * offset 0x1000 of build/hv.elf holds it; its required requests include the
 * framebuffer (8), which hv does not give a guest; its relocatable tag (10)
 * is known. */
static const uint8_t hv_mb2_header[] = {
	0xd6, 0x50, 0x52, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00,
	0xca, 0xae, 0xad, 0x17, 0x01, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
	0x06, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00,
	0x0f, 0x00, 0x00, 0x00, 0x90, 0x90, 0x90, 0x90, 0x06, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x20, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
};

TEST(find_hv_own_header)
{
	struct multiboot_header_info h;

	memset(img, 0, sizeof(img));
	memcpy(img + 0x1000, hv_mb2_header, sizeof(hv_mb2_header));
	CHECK_EQ(find(0x3000, &h), 0);
	CHECK_EQ(h.version, 2);
	CHECK_EQ(h.offset, 0x1000);
	CHECK_EQ(h.header_length, 96);
	CHECK_EQ(h.requested, 1u << 1 | 1u << 2 | 1u << 3 | 1u << 6 | 1u << 8 | 1u << 14 | 1u << 15);
	CHECK_EQ(h.unsupported_request, 8);                     /* modules (3) are given now; the framebuffer is not */
	CHECK_EQ(h.unsupported_tag, 0);                                   /* module alignment: modules are page-aligned */
}

/* Modules as the loader passes them: two after the kernel, one empty. */
static const struct multiboot_module two_mods[] = {
	{ 0x1010000, 0x1011389, "mbmod1 size=5001" },
	{ 0x1012000, 0x1012000, "" },
};

TEST(v1_modules_field_by_field)
{
	size_t used = 0;
	unsigned int entries = 0;
	const uint8_t *m;

	bochs();
	memset(buf, 0xcc, sizeof(buf));
	CHECK_EQ(multiboot1_build_info(&g, "x", two_mods, 2, WHERE, buf, sizeof(buf), &used, &entries), 0);
	CHECK_EQ(r32(buf + O_FLAGS), F_MEM | F_CMDLINE | 0x8 | F_MMAP | F_LOADER_NAME);   /* bit 3: mods */
	CHECK_EQ(r32(buf + O_MODS_COUNT), 2);
	CHECK(r32(buf + O_MODS_COUNT + 4) >= WHERE + 116 && r32(buf + O_MODS_COUNT + 4) + 32 <= WHERE + used);
	CHECK_EQ(r32(buf + O_MODS_COUNT + 4) % 4, 0);
	m = (const uint8_t *)at(WHERE, r32(buf + O_MODS_COUNT + 4));
	CHECK_EQ(r32(m), 0x1010000);
	CHECK_EQ(r32(m + 4), 0x1011389);                                  /* mod_end: one past the last byte */
	CHECK_STR(at(WHERE, r32(m + 8)), "mbmod1 size=5001");
	CHECK_EQ(r32(m + 12), 0);                                         /* reserved */
	CHECK_EQ(r32(m + 16), 0x1012000);
	CHECK_EQ(r32(m + 20), 0x1012000);
	CHECK_STR(at(WHERE, r32(m + 24)), "");
	CHECK_EQ(r32(m + 28), 0);
	CHECK(r32(m + 24) < WHERE + used);
	CHECK_STR(at(WHERE, r32(buf + O_CMDLINE)), "x");
	CHECK_STR(at(WHERE, r32(buf + O_LOADER_NAME)), "hv");
	CHECK_EQ(buf[used], 0xcc);
	check_v1_map(WHERE, entries);
	CHECK_EQ(multiboot1_build_info(&g, "x", two_mods, 2, WHERE, buf, used, &used, &entries), 0);
	CHECK_EQ(multiboot1_build_info(&g, "x", two_mods, 2, WHERE, buf, used - 1, &used, &entries), -ENOSPC);
}

TEST(v2_modules_read_back_by_mb2_parse)
{
	static struct boot_info bi;
	size_t used = 0;
	unsigned int entries = 0;
	char err[160];

	bochs();
	memset(buf, 0xcc, sizeof(buf));
	CHECK_EQ(multiboot2_build_info(&g, "mbtest=yes", two_mods, 2, buf, sizeof(buf), &used, &entries), 0);
	CHECK_EQ(r32(buf), used);
	CHECK_EQ(buf[used], 0xcc);
	/* Module tags after the loader name, before basic meminfo (as GRUB orders them). */
	CHECK_EQ(r32(buf + 8 + 24 + 16), 3);
	CHECK_EQ(r32(buf + 8 + 24 + 16 + 4), 16 + sizeof("mbmod1 size=5001"));
	CHECK_EQ(mb2_parse(buf, used, 0x9000, &bi, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(bi.module_count, 2);
	CHECK_EQ(bi.modules[0].start, 0x1010000);
	CHECK_EQ(bi.modules[0].end, 0x1011389);
	CHECK_STR(bi.modules[0].cmdline, "mbmod1 size=5001");
	CHECK_EQ(bi.modules[1].start, 0x1012000);
	CHECK_EQ(bi.modules[1].end, 0x1012000);
	CHECK_STR(bi.modules[1].cmdline, "");
	CHECK_STR(bi.cmdline, "mbtest=yes");
	CHECK_EQ(bi.mmap_count, entries);
	CHECK_EQ(multiboot2_build_info(&g, "mbtest=yes", two_mods, 2, buf, used - 1, &used, &entries), -ENOSPC);
}

TEST(modules_bad_input)
{
	static struct multiboot_module many[MB_MODULES_MAX + 1];
	const struct multiboot_module high[] = { { 0xfffff000, 0x100001000ULL, "" } };
	const struct multiboot_module backwards[] = { { 0x2000000, 0x1fff000, "" } };
	const struct multiboot_module no_cmdline[] = { { 0x2000000, 0x2001000, NULL } };
	size_t used;
	unsigned int entries;

	bochs();
	for (unsigned int i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct multiboot_module){ 0x2000000, 0x2001000, "m" };
	CHECK_EQ(multiboot1_build_info(&g, "", many, MB_MODULES_MAX, WHERE, buf, sizeof(buf), &used, &entries), 0);
	CHECK_EQ(multiboot1_build_info(&g, "", many, MB_MODULES_MAX + 1, WHERE, buf, sizeof(buf), &used, &entries),
		 -ENOSPC);
	CHECK_EQ(multiboot2_build_info(&g, "", many, MB_MODULES_MAX + 1, buf, sizeof(buf), &used, &entries), -ENOSPC);
	CHECK_EQ(multiboot1_build_info(&g, "", high, 1, WHERE, buf, sizeof(buf), &used, &entries), -EINVAL);
	CHECK_EQ(multiboot2_build_info(&g, "", high, 1, buf, sizeof(buf), &used, &entries), -EINVAL);
	CHECK_EQ(multiboot1_build_info(&g, "", backwards, 1, WHERE, buf, sizeof(buf), &used, &entries), -EINVAL);
	CHECK_EQ(multiboot2_build_info(&g, "", no_cmdline, 1, buf, sizeof(buf), &used, &entries), -EINVAL);
	CHECK_EQ(multiboot2_build_info(&g, "", NULL, 1, buf, sizeof(buf), &used, &entries), -EINVAL);
}

/* GRUB's placement: page-aligned, in order, usable RAM only, around what must stay. */
TEST(place_modules_around_hidden_memory_and_avoided_ranges)
{
	const struct multiboot_range avoid[] = { { 0x300000, 0x305000 } };
	uint64_t sizes[] = { 0x3000, 0x1001, 0, 0x10 };
	gpa_t where[4];
	unsigned int failed = 99;

	bochs();
	/* From 0x1ff000: 3 pages would cross the hv image at 2 MiB, then the
	 * module hidden at 0x26b000 (the boot info page before it is guest RAM). */
	CHECK_EQ(multiboot_place_modules(&g, 0x1ff000, avoid, 1, sizes, 4, where, &failed), 0);
	CHECK_EQ(where[0], 0x280000);
	CHECK_EQ(where[1], 0x283000);
	CHECK_EQ(where[2], 0x285000);                                     /* empty: no room taken */
	CHECK_EQ(where[3], 0x285000);
	/* From an unaligned address inside an avoided range. */
	CHECK_EQ(multiboot_place_modules(&g, 0x300001, avoid, 1, sizes, 1, where, &failed), 0);
	CHECK_EQ(where[0], 0x305000);
	CHECK_EQ(failed, 99);
}

TEST(place_modules_too_large)
{
	uint64_t sizes[] = { 0x1000, 600 * MiB };
	uint64_t huge[] = { UINT64_MAX };
	gpa_t where[2];
	unsigned int failed = 99;

	bochs();
	CHECK_EQ(multiboot_place_modules(&g, 0x1000000, NULL, 0, sizes, 2, where, &failed), -ENOSPC);
	CHECK_EQ(failed, 1);
	CHECK_EQ(multiboot_place_modules(&g, 0x1000000, NULL, 0, huge, 1, where, &failed), -ENOSPC);
	CHECK_EQ(failed, 0);
	/* q35: usable RAM below 4 GiB ends at 0x7ffe0000; RAM above 4 GiB is not for modules. */
	q35();
	sizes[1] = 0x7ffe0000 - 0x7f000000;
	CHECK_EQ(multiboot_place_modules(&g, 0x7f000000 - 0x1000, NULL, 0, sizes, 2, where, &failed), 0);
	CHECK_EQ(where[1], 0x7f000000);
	sizes[1] += 1;
	CHECK_EQ(multiboot_place_modules(&g, 0x7f000000 - 0x1000, NULL, 0, sizes, 2, where, &failed), -ENOSPC);
	CHECK_EQ(failed, 1);
	CHECK_EQ(multiboot_place_modules(&g, 0x1000000, NULL, 0, sizes, MB_MODULES_MAX + 1, where, &failed),
		 -EINVAL);
}
