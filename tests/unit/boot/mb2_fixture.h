/* tests/unit/boot/mb2_fixture.h - Multiboot2 information blocks built tag by
 * tag for mb2_parse's tests (test_mb2.c: tags and hostile input; test_mb2_efi.c:
 * the EFI tags): the block builder, a parse over an exact-size heap copy
 * (ASan sees any overread), GRUB's BIOS block, and the fuzzing helpers with
 * the boot_info invariants every parse must leave. Include once per test. */
#ifndef TESTS_UNIT_BOOT_MB2_FIXTURE_H
#define TESTS_UNIT_BOOT_MB2_FIXTURE_H

#include "boot/info/mb2.h"

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

#endif
