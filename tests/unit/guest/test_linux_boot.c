/* tests/unit/guest/test_linux_boot.c - the Linux boot protocol loader on Debian's 6.1
 * bzImage header (tests/data/linux61_setup.h) and malformed variants of it; placement
 * on Bochs and q35 guest maps; the zero page it fills. */
#include "tests/unit/check.h"
#include "tests/unit/guest/gmap_fixture.h"
#include "guest/load/linux_boot.h"
#include "tests/data/linux61_setup.h"

/* Offsets as boot.rst and zero-page.rst give them (kept apart from the implementation's). */
#define O_SETUP_SECTS   0x1f1
#define O_SYSSIZE       0x1f4
#define O_BOOT_FLAG     0x1fe
#define O_JUMP_LEN      0x201
#define O_HDRS          0x202
#define O_VERSION       0x206
#define O_LOADER        0x210
#define O_LOADFLAGS     0x211
#define O_CODE32        0x214
#define O_RD_IMAGE      0x218
#define O_RD_SIZE       0x21c
#define O_HEAP_END      0x224
#define O_CMDLINE_PTR   0x228
#define O_ALIGN         0x230
#define O_RELOC         0x234
#define O_XLF           0x236
#define O_SETUP_DATA    0x250
#define O_RSDP          0x070
#define O_EXT_RD_IMAGE  0x0c0
#define O_EXT_RD_SIZE   0x0c4
#define O_EXT_CMDLINE   0x0c8
#define O_E820_COUNT    0x1e8
#define O_E820          0x2d0

#define HVMEM           (64 * MiB)
#define INIT_SIZE_61    0x3378000ULL


static uint8_t *file;                      /* the whole bzImage: the real setup, zeros after */
static struct linux_image img;
static char err[200];

static uint16_t r16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }   /* host is little-endian */
static uint32_t r32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t r64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* The 14 MiB file with the captured setup in front (restored before every use). */
static uint8_t *real_file(void)
{
	if (!file)
		file = calloc(1, LINUX61_FILE_SIZE);
	memcpy(file, linux61_setup, sizeof(linux61_setup));
	return file;
}

static int parse(uint64_t size)
{
	err[0] = 0;
	return linux_parse(file, size, &img, err, sizeof(err));
}

TEST(real_61_header)
{
	real_file();
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
	CHECK_STR(err, "");
	CHECK_EQ(img.version, 0x020f);
	CHECK_EQ(img.setup_size, LINUX61_SETUP_SIZE);        /* (39 + 1) * 512 */
	CHECK_EQ(img.kernel_size, LINUX61_FILE_SIZE - 0x5000);
	CHECK_EQ(img.pref_address, 0x1000000);
	CHECK_EQ(img.kernel_alignment, 0x200000);
	CHECK_EQ(img.xloadflags, 0x7f);
	CHECK(img.xloadflags & XLF_KERNEL_64);
	CHECK(img.xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G);
	CHECK_EQ(img.init_size, INIT_SIZE_61);
	CHECK(img.init_size > img.kernel_size && img.init_size < 256 * MiB);   /* decompresses in place */
	CHECK_EQ(img.initrd_addr_max, 0x7fffffff);
	CHECK_EQ(img.cmdline_size, 2047);
	CHECK(img.relocatable);
	/* A NULL err is allowed. */
	CHECK_EQ(linux_parse(file, LINUX61_FILE_SIZE, &img, NULL, 0), 0);
}

/* Patches the real header at off with n bytes of v (little-endian) and expects -EINVAL naming what. */
static void expect_bad(unsigned int off, unsigned int n, uint64_t v, uint64_t size, const char *what)
{
	real_file();
	for (unsigned int i = 0; i < n; i++)
		file[off + i] = (uint8_t)(v >> (8 * i));
	CHECK_EQ(parse(size), -EINVAL);
	CHECK(strstr(err, what) != NULL);
	if (!strstr(err, what))
		printf("  got \"%s\", wanted \"%s\"\n", err, what);
}

TEST(bad_magic)
{
	expect_bad(O_BOOT_FLAG, 2, 0x0000, LINUX61_FILE_SIZE, "0xaa55");
	expect_bad(O_HDRS, 4, 0x53726449, LINUX61_FILE_SIZE, "HdrS");
	expect_bad(0x200, 1, 0xe9, LINUX61_FILE_SIZE, "jump");            /* not a short jump */
}

TEST(old_protocol_2_10)
{
	expect_bad(O_VERSION, 2, 0x020a, LINUX61_FILE_SIZE, "2.10 is too old");
	expect_bad(O_VERSION, 2, 0x020b, LINUX61_FILE_SIZE, "2.11");
	real_file();
	file[O_VERSION] = 0x0c;                                            /* 2.12 is enough */
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
}

TEST(short_setup_header)
{
	expect_bad(O_JUMP_LEN, 1, 0x50, LINUX61_FILE_SIZE, "ends at 0x252");
}

TEST(not_relocatable_zimage_or_32bit)
{
	expect_bad(O_RELOC, 1, 0, LINUX61_FILE_SIZE, "not relocatable");
	expect_bad(O_XLF, 2, 0x7e, LINUX61_FILE_SIZE, "XLF_KERNEL_64");
	expect_bad(O_LOADFLAGS, 1, 0x00, LINUX61_FILE_SIZE, "LOADED_HIGH");
}

TEST(alignment_not_power_of_two)
{
	expect_bad(O_ALIGN, 4, 0x300000, LINUX61_FILE_SIZE, "power of two");
	expect_bad(O_ALIGN, 4, 0, LINUX61_FILE_SIZE, "power of two");
}

TEST(truncated)
{
	real_file();
	CHECK_EQ(parse(0x100), -EINVAL);                                   /* not even a boot sector */
	CHECK(strstr(err, "boot sector") != NULL);
	CHECK_EQ(parse(0x204), -EINVAL);                                   /* cut inside "HdrS" */
	CHECK_EQ(parse(0x240), -EINVAL);                                   /* cut inside the header */
	CHECK(strstr(err, "setup header") != NULL);
	CHECK_EQ(parse(0x5000), -EINVAL);                                  /* the setup and nothing else */
	CHECK(strstr(err, "nothing after") != NULL);
	CHECK_EQ(parse(0x5000 + 1 * MiB), -EINVAL);                        /* shorter than syssize says */
	CHECK(strstr(err, "syssize") != NULL);
	CHECK_EQ(parse(0x5000 + 0xd82200), 0);                             /* exactly syssize: complete */
}

TEST(setup_sects_huge_or_zero)
{
	expect_bad(O_SETUP_SECTS, 1, 255, LINUX61_FILE_SIZE, "setup_sects 255");
	expect_bad(O_SETUP_SECTS, 1, 64, LINUX61_FILE_SIZE, "over the 0x8000 limit");
	real_file();
	file[O_SETUP_SECTS] = 63;                                          /* 0x8000: the largest allowed, */
	CHECK_EQ(parse(LINUX61_FILE_SIZE), -EINVAL);                       /* but then the kernel is cut short */
	CHECK(strstr(err, "syssize") != NULL);
	file[O_SYSSIZE + 2] = 0x0c;                                        /* syssize 0xc8220: it fits again */
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
	CHECK_EQ(img.setup_size, 0x8000);
	CHECK_EQ(img.kernel_size, LINUX61_FILE_SIZE - 0x8000);
	file[O_SETUP_SECTS] = 0;                                           /* 0 means 4 */
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
	CHECK_EQ(img.setup_size, 0xa00);
}

#define KMOD_START   0x26b000ULL                                       /* bzImage module after the boot info */
#define KMOD_END     ALIGN_UP(KMOD_START + LINUX61_FILE_SIZE, PAGE_SIZE)

static struct linux_range mods[2];
static struct linux_layout lay;

/* Bochs map with the hypervisor at 2 MiB, the boot info, the bzImage module (hidden from
 * the guest) and the initrd: a boot module too (hidden, reserved: it must be copied) when
 * initrd_is_module, else bytes in free guest RAM (it may stay in place). Both are avoided. */
static void bochs_with_initrd(gpa_t initrd, uint64_t initrd_size, bool initrd_is_module)
{
	const struct carve c[] = {
		{ 0x200000, 0x26a000, MEM_HV_IMAGE }, { 0x26a000, 0x26b000, MEM_BOOT_INFO },
		{ KMOD_START, KMOD_END, MEM_MODULE }, { initrd, initrd + initrd_size, MEM_MODULE },
	};

	build_gmap(bochs_raw, ARRAY_SIZE(bochs_raw), c, ARRAY_SIZE(c) - !initrd_is_module, HVMEM);
	mods[0] = (struct linux_range){ KMOD_START, KMOD_END };
	mods[1] = (struct linux_range){ initrd, initrd + initrd_size };
	CHECK(!gmap_is_ram(&g, KMOD_START, KMOD_END - KMOD_START));
	CHECK_EQ(gmap_is_ram(&g, initrd, initrd_size), !initrd_is_module);
}

/* The initrd as GRUB leaves it: a boot module. */
static void bochs_with_modules(gpa_t initrd, uint64_t initrd_size)
{
	bochs_with_initrd(initrd, initrd_size, true);
}

/* The initrd's bytes in free guest RAM. */
static void bochs_initrd_in_ram(gpa_t initrd, uint64_t initrd_size)
{
	bochs_with_initrd(initrd, initrd_size, false);
}

static struct linux_place_request request(gpa_t initrd, uint64_t initrd_size, uint64_t cmdline_len)
{
	return (struct linux_place_request){
		.g = &g, .img = &img, .initrd_size = initrd_size, .initrd_where = initrd,
		.cmdline_len = cmdline_len, .avoid = mods, .avoid_count = 2,
	};
}

static bool free_ram(gpa_t a, uint64_t len)
{
	for (gpa_t x = a; x < a + len; x = gmap_lookup(&g, x)->end)
		if (gmap_lookup(&g, x)->kind != GMAP_RAM || gmap_lookup(&g, x)->e820_type != 1)
			return false;
	return true;
}

static bool disjoint(gpa_t a, uint64_t alen, gpa_t b, uint64_t blen)
{
	return a + alen <= b || b + blen <= a;
}

/* Every piece in free RAM, clear of the modules (the initrd module itself excepted
 * when it stays), of each other, the low block below 1 MiB and above 64 KiB. */
static void check_layout(const struct linux_place_request *r)
{
	uint64_t low = LINUX_ZERO_PAGE_SIZE + LINUX_GDT_SIZE + LINUX_PAGE_TABLES_SIZE +
		       ALIGN_UP(r->cmdline_len, PAGE_SIZE) + ALIGN_UP(r->fw_size, PAGE_SIZE);
	uint64_t klen = ALIGN_UP(MAX((uint64_t)img.init_size, img.kernel_size), PAGE_SIZE);
	struct { gpa_t a; uint64_t len; } piece[] = {
		{ lay.boot_params, low }, { lay.kernel, klen }, { lay.initrd, r->initrd_size },
	};

	CHECK(lay.boot_params >= 0x10000 && lay.boot_params + low <= 0x90000);
	CHECK(lay.boot_params % PAGE_SIZE == 0);
	CHECK_EQ(lay.gdt, lay.boot_params + 0x1000);
	CHECK_EQ(lay.page_tables, lay.gdt + 0x1000);
	CHECK_EQ(lay.cmdline, lay.page_tables + 0x6000);
	CHECK_EQ(lay.fw_size, ALIGN_UP(r->fw_size, PAGE_SIZE));
	CHECK_EQ(lay.fw, r->fw_size ? lay.cmdline + ALIGN_UP(r->cmdline_len, PAGE_SIZE) : 0);
	CHECK_EQ(lay.entry, lay.kernel + 0x200);
	CHECK(lay.kernel % img.kernel_alignment == 0 && lay.kernel >= img.pref_address);
	CHECK(lay.kernel + klen <= 4 * GiB);
	for (unsigned int i = 0; i < ARRAY_SIZE(piece); i++) {
		if (!piece[i].len)
			continue;
		CHECK(free_ram(piece[i].a, piece[i].len));
		for (unsigned int j = 0; j < i; j++)
			CHECK(!piece[j].len || disjoint(piece[i].a, piece[i].len, piece[j].a, piece[j].len));
		for (unsigned int m = 0; m < r->avoid_count; m++) {
			bool initrd_in_place = i == 2 && lay.initrd == r->initrd_where;

			CHECK(initrd_in_place || disjoint(piece[i].a, piece[i].len, r->avoid[m].start,
							  r->avoid[m].end - r->avoid[m].start));
		}
	}
}

TEST(place_bochs_kernel_at_16m_initrd_in_place)
{
	struct linux_place_request r;

	real_file();
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
	bochs_initrd_in_ram(0x6000000, 0x800000);                          /* initrd at 96 MiB, free RAM */
	CHECK_EQ(hv_work, 0x1be00000);                                     /* hidden at the top */
	r = request(0x6000000, 0x7a1234, 64);
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	CHECK_EQ(lay.kernel, 0x1000000);
	CHECK_EQ(lay.entry, 0x1000200);
	CHECK_EQ(lay.initrd, 0x6000000);
	CHECK_EQ(lay.boot_params, 0x10000);
	check_layout(&r);
}

TEST(place_initrd_in_a_boot_module_is_copied)
{
	const uint64_t size = 0x7a1234, len = ALIGN_UP(size, PAGE_SIZE);   /* 0x7a2000 */
	struct linux_place_request r;

	real_file();
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
	bochs_with_modules(0x6000000, 0x800000);                           /* hidden, reserved */
	CHECK_STR(gmap_lookup(&g, 0x6000000)->owner, "boot module");
	r = request(0x6000000, size, 64);
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	CHECK_EQ(lay.kernel, 0x1000000);
	CHECK_EQ(lay.boot_params, 0x10000);
	/* The highest free RAM that holds it: right below the hypervisor's memory (the 2 MiB
	 * from 0x1fe00000 to the ACPI tables above it are too small). */
	CHECK_EQ(lay.initrd, 0x1be00000 - len);                            /* 0x1b65e000 */
	CHECK(lay.initrd != r.initrd_where);
	CHECK(disjoint(lay.initrd, size, lay.kernel, INIT_SIZE_61));
	CHECK(disjoint(lay.initrd, size, 0x6000000, 0x800000));
	check_layout(&r);                                                  /* free RAM, clear of the modules */

	/* A limit above the module, which free RAM there could have stayed under: copied
	 * above the module, ending at the limit. */
	img.xloadflags &= ~XLF_CAN_BE_LOADED_ABOVE_4G;
	img.initrd_addr_max = 0x6ffffff;
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	CHECK_EQ(lay.initrd, 0x7000000 - len);                             /* 0x685e000 */
	CHECK(lay.initrd != r.initrd_where && lay.initrd >= 0x6800000 && lay.initrd + size <= 0x7000000);
	CHECK(disjoint(lay.initrd, size, lay.kernel, INIT_SIZE_61));
	check_layout(&r);
	/* A limit at the module's start: between the kernel and the module. */
	img.initrd_addr_max = 0x5ffffff;
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	CHECK_EQ(lay.initrd, 0x6000000 - len);                             /* 0x585e000 */
	CHECK(lay.initrd >= lay.kernel + INIT_SIZE_61 && lay.initrd + size <= 0x6000000);
	check_layout(&r);
	/* The same bytes in free RAM under the 0x7000000 limit: they stay. */
	img.initrd_addr_max = 0x6ffffff;
	bochs_initrd_in_ram(0x6000000, 0x800000);
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	CHECK_EQ(lay.initrd, 0x6000000);
	check_layout(&r);

	/* A module over the kernel's preferred range: the kernel still moves past it (the
	 * module is kept intact), the initrd is copied below the hypervisor's memory. */
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
	bochs_with_modules(0x3000000, 0x400000);
	r = request(0x3000000, 0x400000, 1);
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	CHECK_EQ(lay.kernel, 0x3400000);
	CHECK_EQ(lay.initrd, 0x1be00000 - 0x400000);                       /* 0x1ba00000 */
	check_layout(&r);
}

TEST(place_16m_occupied_falls_back)
{
	struct linux_place_request r;

	real_file();
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
	/* GRUB put the 30 MiB initrd module right after the bzImage: across 16 MiB. */
	bochs_with_modules(KMOD_END, 30 * MiB);
	r = request(KMOD_END, 30 * MiB, 2048);
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	CHECK_EQ(lay.kernel, ALIGN_UP(KMOD_END + 30 * MiB, 2 * MiB));    /* first aligned after it */
	CHECK_EQ(lay.initrd, hv_work - 30 * MiB);                          /* copied: 0x1a000000 */
	check_layout(&r);
	CHECK_EQ(lay.cmdline + 0x1000, lay.boot_params + 0x9000);          /* 2048 bytes: one page */
	/* The same initrd bytes in free RAM: the kernel falls back just the same, the initrd stays. */
	bochs_initrd_in_ram(KMOD_END, 30 * MiB);
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	CHECK_EQ(lay.kernel, ALIGN_UP(KMOD_END + 30 * MiB, 2 * MiB));
	CHECK_EQ(lay.initrd, KMOD_END);                                    /* stays */
	check_layout(&r);
	CHECK_EQ(lay.cmdline + 0x1000, lay.boot_params + 0x9000);          /* 2048 bytes: one page */
}

TEST(place_initrd_over_the_kernel_range_stays_and_kernel_moves)
{
	struct linux_place_request r;

	real_file();
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
	bochs_initrd_in_ram(0x3000000, 0x400000);                          /* inside [16 MiB, 16 MiB + init_size) */
	r = request(0x3000000, 0x400000, 1);
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	CHECK_EQ(lay.initrd, 0x3000000);
	CHECK_EQ(lay.kernel, 0x3400000);
	check_layout(&r);
}

TEST(place_low_reserved_end_and_low_obstacles)
{
	struct linux_place_request r;
	struct linux_range av[3];

	real_file();
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
	bochs_with_modules(0x6000000, 0x100000);
	av[0] = mods[0];
	av[1] = mods[1];
	av[2] = (struct linux_range){ 0x64000, 0x64100 };                  /* something in low RAM */
	r = request(0x6000000, 0x100000, 100);
	r.avoid = av;
	r.avoid_count = 3;
	r.low_reserved_end = 0x5f000;
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	CHECK_EQ(lay.boot_params, 0x65000);                                /* 0x5f000 + 0x9000 would cross it */
	check_layout(&r);
	r.low_reserved_end = 0x88000;                                      /* 0x88000..0x90000 is too small */
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), -ENOSPC);
	CHECK(strstr(err, "low RAM") != NULL);
}

TEST(place_map_too_small)
{
	static const struct raw tiny[] = {
		{ 0x0, 0x9f000, MEM_USABLE }, { 0x9f000, 0x1000, MEM_RESERVED },
		{ 0xf0000, 0x10000, MEM_RESERVED }, { 0x100000, 0x3f00000, MEM_USABLE },   /* 64 MiB */
	};
	const struct carve c[] = { { 0x200000, 0x26a000, MEM_HV_IMAGE } };
	struct linux_place_request r;

	real_file();
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
	build_gmap(tiny, ARRAY_SIZE(tiny), c, ARRAY_SIZE(c), 8 * MiB);   /* RAM ends at 56 MiB */
	mods[0] = mods[1] = (struct linux_range){ 0, 0 };
	r = request(0, 0, 10);
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), -ENOSPC);
	CHECK(strstr(err, "no free RAM for the kernel") != NULL);
	CHECK(strstr(err, "0x3378000") != NULL);
}

/* q35 with 8 GiB, the bzImage module at 3 MiB and a 16 MiB initrd at 6 GiB: a boot module
 * (hidden) when initrd_is_module, else in free RAM. Both are avoided. */
static void q35_with_initrd(bool initrd_is_module)
{
	const struct carve c[] = {
		{ 0x200000, 0x280000, MEM_HV_IMAGE }, { 0x300000, 0x300000 + LINUX61_FILE_SIZE, MEM_MODULE },
		{ 0x180000000ULL, 0x181000000ULL, MEM_MODULE },
	};

	build_gmap(q35_raw, ARRAY_SIZE(q35_raw), c, ARRAY_SIZE(c) - !initrd_is_module, HVMEM);
	mods[0] = (struct linux_range){ 0x300000, ALIGN_UP(0x300000 + LINUX61_FILE_SIZE, PAGE_SIZE) };
	mods[1] = (struct linux_range){ 0x180000000ULL, 0x181000000ULL };
	CHECK_EQ(gmap_is_ram(&g, 0x180000000ULL, 0x1000000), !initrd_is_module);
}

TEST(place_initrd_above_limit_moves_below_it)
{
	struct linux_place_request r;

	real_file();
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
	q35_with_initrd(false);
	r = request(0x180000000ULL, 0xfff000, 30);

	/* 6.1 can take it above 4 GiB: it stays. */
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	CHECK_EQ(lay.initrd, 0x180000000ULL);
	CHECK_EQ(lay.kernel, 0x1200000);                                   /* the bzImage module covers 16 MiB */
	check_layout(&r);

	/* Without XLF_CAN_BE_LOADED_ABOVE_4G: the highest free RAM ending by initrd_addr_max. */
	img.xloadflags &= ~XLF_CAN_BE_LOADED_ABOVE_4G;
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	CHECK_EQ(lay.initrd, 0x7ffe0000 - 0xfff000);
	check_layout(&r);
	img.initrd_addr_max = 0x37ffffff;                                  /* the classic 896 MiB */
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	CHECK_EQ(lay.initrd, 0x38000000 - 0xfff000);
	img.initrd_addr_max = 0x4fffff;                                    /* nowhere fits */
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), -ENOSPC);
	CHECK(strstr(err, "initrd") != NULL);
}

TEST(place_initrd_module_above_4g_is_copied)
{
	struct linux_place_request r;

	real_file();
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
	q35_with_initrd(true);
	CHECK_EQ(hv_work, 0x27c000000ULL);
	r = request(0x180000000ULL, 0xfff000, 30);
	/* Below the limit (top) but hidden: copied to the highest free RAM, under the
	 * hypervisor's memory at the top of the RAM above 4 GiB. */
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	CHECK_EQ(lay.initrd, 0x27c000000ULL - 0xfff000);                  /* 0x27b001000 */
	CHECK(lay.initrd != r.initrd_where);
	CHECK_EQ(lay.kernel, 0x1200000);
	check_layout(&r);
	/* Without XLF_CAN_BE_LOADED_ABOVE_4G: below initrd_addr_max, as from free RAM. */
	img.xloadflags &= ~XLF_CAN_BE_LOADED_ABOVE_4G;
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	CHECK_EQ(lay.initrd, 0x7ffe0000 - 0xfff000);
	check_layout(&r);
}

TEST(place_rejects_long_cmdline)
{
	struct linux_place_request r;

	real_file();
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
	bochs_with_modules(0x6000000, 0x100000);
	r = request(0x6000000, 0x100000, 2048);                            /* 2047 + NUL: fits */
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	r.cmdline_len = 2049;
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "2048 bytes") != NULL);
	r.cmdline_len = 0;
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), -EINVAL);
}

/* Places the 6.1 kernel on the Bochs map and fills a zero page (sized exactly, for ASan). */
static uint8_t *fill(const struct boot_framebuffer *fb, uint64_t rsdp, int *rc)
{
	struct linux_place_request r;
	struct linux_params_request p;
	uint8_t *bp = calloc(1, 4096);

	real_file();
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
	bochs_with_modules(0x6000000, 0x800000);
	r = request(0x6000000, 0x7a1234, 41);
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	p = (struct linux_params_request){
		.image = file, .image_size = LINUX61_FILE_SIZE, .img = &img, .lay = &lay, .g = &g,
		.initrd_size = 0x7a1234, .cmdline_len = 41, .acpi_rsdp = rsdp, .fb = fb,
	};
	*rc = linux_fill_params(&p, bp, err, sizeof(err));
	return bp;
}

TEST(params_header_pointers_and_rsdp)
{
	int rc;
	uint8_t *bp = fill(NULL, 0xf6a10, &rc);

	CHECK_EQ(rc, 0);
	CHECK(!memcmp(bp + O_HDRS, "HdrS", 4));
	CHECK_EQ(r16(bp + O_VERSION), 0x020f);
	CHECK_EQ(bp[O_SETUP_SECTS], 39);
	CHECK_EQ(r32(bp + O_SYSSIZE), 0xd8220);
	CHECK_EQ(r16(bp + O_BOOT_FLAG), 0xaa55);
	CHECK_EQ(bp[O_LOADER], 0xff);
	CHECK_EQ(bp[O_LOADFLAGS], 0x01);                                   /* LOADED_HIGH only */
	CHECK_EQ(r16(bp + O_HEAP_END), 0);
	CHECK_EQ(r32(bp + O_CODE32), 0x1000000);
	CHECK_EQ(lay.initrd, 0x1b65e000);                                  /* copied out of the module */
	CHECK_EQ(r32(bp + O_RD_IMAGE), 0x1b65e000);
	CHECK_EQ(r32(bp + O_RD_SIZE), 0x7a1234);
	CHECK_EQ(r32(bp + O_EXT_RD_IMAGE), 0);
	CHECK_EQ(r32(bp + O_EXT_RD_SIZE), 0);
	CHECK_EQ(r32(bp + O_CMDLINE_PTR), lay.cmdline);
	CHECK_EQ(r32(bp + O_EXT_CMDLINE), 0);
	CHECK_EQ(r64(bp + O_SETUP_DATA), 0);
	CHECK_EQ(r32(bp + 0x23c), 0);                                      /* hardware_subarch: PC */
	CHECK_EQ(r64(bp + O_RSDP), 0xf6a10);
	/* Unchanged read-only fields come from the image; nothing past the header's end (0x26c). */
	CHECK(!memcmp(bp + 0x22c, file + 0x22c, 0x250 - 0x22c));
	CHECK(!memcmp(bp + 0x258, file + 0x258, 0x26c - 0x258));
	for (unsigned int i = 0x26c; i < O_E820; i++)
		CHECK_EQ(bp[i], 0);
	for (unsigned int i = 0; i < 0x40; i++)                            /* no framebuffer: no screen_info */
		CHECK_EQ(bp[i], 0);
	free(bp);
}

TEST(params_e820_is_the_guest_map)
{
	struct gmap_e820_entry want[130];
	unsigned int n;
	bool hidden_reserved = false, image_reserved = false, kmod_reserved = false;
	bool initrd_mod_reserved = false, initrd_copy_ram = false;
	int rc;
	uint8_t *bp = fill(NULL, 0, &rc);

	CHECK_EQ(rc, 0);
	n = gmap_e820(&g, want, ARRAY_SIZE(want));
	CHECK_EQ(bp[O_E820_COUNT], n);
	for (unsigned int i = 0; i < n && i < 128; i++) {
		const uint8_t *e = bp + O_E820 + 20 * i;

		CHECK_EQ(r64(e), want[i].addr);
		CHECK_EQ(r64(e + 8), want[i].size);
		CHECK_EQ(r32(e + 16), want[i].type);
		if (r64(e) <= hv_work && r64(e) + r64(e + 8) >= hv_work + HVMEM)
			hidden_reserved = r32(e + 16) == 2;
		if (r64(e) <= 0x200000 && r64(e) + r64(e + 8) >= 0x26a000)
			image_reserved = r32(e + 16) == 2;
		if (r64(e) == KMOD_START && r64(e + 8) == KMOD_END - KMOD_START)
			kmod_reserved = r32(e + 16) == 2;
		if (r64(e) == 0x6000000 && r64(e + 8) == 0x800000)
			initrd_mod_reserved = r32(e + 16) == 2;
		if (r64(e) <= lay.initrd && r64(e) + r64(e + 8) >= lay.initrd + 0x7a1234)
			initrd_copy_ram = r32(e + 16) == 1;
	}
	CHECK(hidden_reserved && image_reserved);
	CHECK(kmod_reserved && initrd_mod_reserved && initrd_copy_ram);   /* modules kept, the copy is RAM */
	/* Bochs: RAM, EBDA, BIOS, RAM, hv image, RAM (boot info), bzImage module, RAM, initrd
	 * module, RAM, hv memory, RAM, ACPI, BIOS ROM. */
	CHECK_EQ(n, 14);
	CHECK_EQ(r64(bp + O_E820 + 20 * (n - 1)), 0xfffc0000);
	free(bp);
}

TEST(params_screen_info_ega_text)
{
	struct boot_framebuffer fb = { .type = BOOT_FB_EGA_TEXT, .addr = 0xb8000, .pitch = 160,
				       .width = 80, .height = 25, .bpp = 16 };
	int rc;
	uint8_t *bp = fill(&fb, 0, &rc);

	CHECK_EQ(rc, 0);
	CHECK_EQ(bp[0x06], 3);                                             /* orig_video_mode */
	CHECK_EQ(bp[0x07], 80);                                            /* orig_video_cols */
	CHECK_EQ(bp[0x0e], 25);                                            /* orig_video_lines */
	CHECK_EQ(bp[0x0f], 1);                                             /* orig_video_isVGA: VGA text */
	CHECK_EQ(r16(bp + 0x10), 16);                                      /* orig_video_points */
	CHECK_EQ(r32(bp + 0x18), 0);                                       /* no LFB */
	free(bp);
	fb.type = BOOT_FB_NONE;
	bp = fill(&fb, 0, &rc);
	CHECK_EQ(bp[0x0f], 0);
	CHECK_EQ(bp[0x06], 0);
	free(bp);
}

TEST(params_screen_info_rgb)
{
	struct boot_framebuffer fb = { .type = BOOT_FB_RGB, .addr = 0xfd000000, .pitch = 4096,
				       .width = 1024, .height = 768, .bpp = 32 };
	static const uint8_t rgb32[8] = { 8, 16, 8, 8, 8, 0, 8, 24 };
	int rc;
	uint8_t *bp = fill(&fb, 0, &rc);

	CHECK_EQ(rc, 0);
	CHECK_EQ(bp[0x0f], 0x23);                                          /* VIDEO_TYPE_VLFB */
	CHECK_EQ(r16(bp + 0x12), 1024);
	CHECK_EQ(r16(bp + 0x14), 768);
	CHECK_EQ(r16(bp + 0x16), 32);
	CHECK_EQ(r32(bp + 0x18), 0xfd000000);
	CHECK_EQ(r32(bp + 0x1c), 48);                                      /* 3 MiB in 64 KiB units */
	CHECK_EQ(r16(bp + 0x24), 4096);
	CHECK(!memcmp(bp + 0x26, rgb32, 8));
	CHECK_EQ(r32(bp + 0x36), 0);
	CHECK_EQ(r32(bp + 0x3a), 0);
	free(bp);

	fb = (struct boot_framebuffer){ .type = BOOT_FB_RGB, .addr = 0x800000000ULL, .pitch = 2560,
					.width = 1280, .height = 800, .bpp = 16 };
	bp = fill(&fb, 0, &rc);
	CHECK_EQ(r32(bp + 0x18), 0);
	CHECK_EQ(r32(bp + 0x3a), 8);                                       /* ext_lfb_base */
	CHECK_EQ(r32(bp + 0x36), 2);                                       /* VIDEO_CAPABILITY_64BIT_BASE */
	CHECK_EQ(r32(bp + 0x1c), 32);                                      /* 2000 KiB -> 2048 KiB */
	CHECK_EQ(bp[0x26], 5); CHECK_EQ(bp[0x27], 11); CHECK_EQ(bp[0x28], 6); CHECK_EQ(bp[0x29], 5);
	free(bp);

	fb.bpp = 8;                                                        /* not a direct-colour depth */
	bp = fill(&fb, 0, &rc);
	CHECK_EQ(rc, 0);
	CHECK_EQ(bp[0x0f], 0);
	free(bp);
}

TEST(params_initrd_above_4g_and_bad_requests)
{
	struct linux_layout l = { .kernel = 0x1000000, .entry = 0x1000200, .initrd = 0x1c0000000ULL,
				  .cmdline = 0x19000, .boot_params = 0x10000 };
	struct linux_params_request p;
	uint8_t *bp = calloc(1, 4096);

	real_file();
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
	bochs_with_modules(0x6000000, 0x100000);
	p = (struct linux_params_request){ .image = file, .image_size = LINUX61_FILE_SIZE, .img = &img,
					   .lay = &l, .g = &g, .initrd_size = 0x123456789ULL, .cmdline_len = 5 };
	CHECK_EQ(linux_fill_params(&p, bp, err, sizeof(err)), 0);
	CHECK_EQ(r32(bp + O_RD_IMAGE), 0xc0000000);
	CHECK_EQ(r32(bp + O_EXT_RD_IMAGE), 1);
	CHECK_EQ(r32(bp + O_RD_SIZE), 0x23456789);
	CHECK_EQ(r32(bp + O_EXT_RD_SIZE), 1);

	p.image_size = 0x240;                                              /* cut inside the header */
	CHECK_EQ(linux_fill_params(&p, bp, err, sizeof(err)), -EINVAL);
	p.image_size = LINUX61_FILE_SIZE;
	l.initrd = 0;                                                      /* an initrd with no place */
	CHECK_EQ(linux_fill_params(&p, bp, err, sizeof(err)), -EINVAL);
	free(bp);
}

TEST(params_more_than_128_e820_entries)
{
	static struct raw many[140];
	struct linux_layout l = { .kernel = 0x1000000, .entry = 0x1000200, .cmdline = 0x19000,
				  .boot_params = 0x10000 };
	struct linux_params_request p;
	uint8_t *bp = calloc(1, 4096);
	unsigned int n = 0;

	real_file();
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
	many[n++] = (struct raw){ 0, 0x9f000, MEM_USABLE };
	for (unsigned int i = 0; i < 130; i++)                             /* alternating RAM and reserved */
		many[n++] = (struct raw){ 0x100000 + i * 0x100000ULL, 0x80000,
					  i % 2 ? MEM_RESERVED : MEM_USABLE };
	many[n++] = (struct raw){ 0x10000000, 0x10000000, MEM_USABLE };
	build_gmap(many, n, NULL, 0, 8 * MiB);
	p = (struct linux_params_request){ .image = file, .image_size = LINUX61_FILE_SIZE, .img = &img,
					   .lay = &l, .g = &g, .cmdline_len = 5 };
	CHECK_EQ(linux_fill_params(&p, bp, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "128 e820") != NULL);
	free(bp);
}

#define O_EFI_INFO      0x1c0      /* struct efi_info, zero-page.rst */

TEST(place_firmware_tables_after_the_command_line)
{
	struct linux_place_request r;

	real_file();
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
	bochs_initrd_in_ram(0x6000000, 0x800000);
	r = request(0x6000000, 0x7a1234, 64);
	r.fw_size = 64 + 127 * 48 + 96;                  /* RSDP slot, OVMF's map, slack: 2 pages */
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	CHECK_EQ(lay.boot_params, 0x10000);
	CHECK_EQ(lay.fw, 0x19000);
	CHECK_EQ(lay.fw_size, 0x2000);
	check_layout(&r);
	/* None asked: none placed, the rest where it always was. */
	r.fw_size = 0;
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	CHECK(lay.fw == 0 && lay.fw_size == 0 && lay.boot_params == 0x10000 && lay.cmdline == 0x18000);
	check_layout(&r);
	/* More than low RAM holds, and a size that would overflow the rounding. */
	r.fw_size = 0x80001;
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), -ENOSPC);
	CHECK(strstr(err, "firmware tables") != NULL);
	r.fw_size = UINT64_MAX;
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), -ENOSPC);
}

/* Places with a firmware block and fills a zero page with EFI (systab 0: none). */
static uint8_t *fill_efi(uint64_t systab, int *rc)
{
	struct linux_place_request r;
	struct linux_params_request p;
	uint8_t *bp = calloc(1, 4096);

	real_file();
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
	bochs_with_modules(0x6000000, 0x800000);
	r = request(0x6000000, 0x7a1234, 41);
	r.fw_size = 64 + 127 * 48 + 96;
	CHECK_EQ(linux_place(&r, &lay, err, sizeof(err)), 0);
	p = (struct linux_params_request){
		.image = file, .image_size = LINUX61_FILE_SIZE, .img = &img, .lay = &lay, .g = &g,
		.initrd_size = 0x7a1234, .cmdline_len = 41, .acpi_rsdp = lay.fw,
		.efi_systab = systab, .efi_memmap = lay.fw + 64, .efi_memmap_size = 127 * 48,
	};
	*rc = linux_fill_params(&p, bp, err, sizeof(err));
	return bp;
}

TEST(params_efi_info)
{
	int rc;
	uint8_t *bp = fill_efi(0x11f7ec018ULL, &rc);     /* above 4 GiB: the _hi halves count */

	CHECK_EQ(rc, 0);
	CHECK(!memcmp(bp + O_EFI_INFO, "EL64", 4));      /* efi_loader_signature: 64-bit */
	CHECK_EQ(r32(bp + 0x1c4), 0x1f7ec018);           /* efi_systab */
	CHECK_EQ(r32(bp + 0x1c8), 48);                   /* efi_memdesc_size */
	CHECK_EQ(r32(bp + 0x1cc), 1);                    /* efi_memdesc_version */
	CHECK_EQ(r32(bp + 0x1d0), lay.fw + 64);          /* efi_memmap */
	CHECK_EQ(r32(bp + 0x1d4), 127 * 48);             /* efi_memmap_size */
	CHECK_EQ(r32(bp + 0x1d8), 1);                    /* efi_systab_hi */
	CHECK_EQ(r32(bp + 0x1dc), 0);                    /* efi_memmap_hi */
	CHECK_EQ(r64(bp + O_RSDP), lay.fw);
	free(bp);
	/* A legacy BIOS boot: efi_info stays zero. */
	bp = fill_efi(0, &rc);
	CHECK_EQ(rc, 0);
	for (unsigned int i = O_EFI_INFO; i < O_EFI_INFO + 32; i++)
		CHECK_EQ(bp[i], 0);
	free(bp);
}

TEST(params_e820_reserves_the_firmware_tables)
{
	struct gmap_e820_entry want[130];
	unsigned int n, k, i;
	int rc;
	uint8_t *bp = fill_efi(0x1f7ec018, &rc);

	CHECK_EQ(rc, 0);
	n = gmap_e820(&g, want, ARRAY_SIZE(want));
	k = bp[O_E820_COUNT];
	CHECK_EQ(k, n + 2);                              /* the first RAM entry split around the block */
	CHECK_EQ(r64(bp + O_E820), 0);
	CHECK_EQ(r64(bp + O_E820 + 8), lay.fw);
	CHECK_EQ(r32(bp + O_E820 + 16), 1);
	CHECK_EQ(r64(bp + O_E820 + 20), lay.fw);
	CHECK_EQ(r64(bp + O_E820 + 28), 0x2000);
	CHECK_EQ(r32(bp + O_E820 + 36), 2);
	CHECK_EQ(r64(bp + O_E820 + 40), lay.fw + 0x2000);
	CHECK_EQ(r64(bp + O_E820 + 48), want[0].size - lay.fw - 0x2000);
	CHECK_EQ(r32(bp + O_E820 + 56), 1);
	for (i = 1; i < n; i++) {                        /* the rest as the guest map says */
		CHECK_EQ(r64(bp + O_E820 + 20 * (i + 2)), want[i].addr);
		CHECK_EQ(r64(bp + O_E820 + 20 * (i + 2) + 8), want[i].size);
		CHECK_EQ(r32(bp + O_E820 + 20 * (i + 2) + 16), want[i].type);
	}
	free(bp);
}

TEST(params_firmware_split_past_128_e820_entries)
{
	static struct raw many[140];
	struct linux_layout l = { .kernel = 0x1000000, .entry = 0x1000200, .cmdline = 0x19000,
				  .boot_params = 0x10000, .fw = 0x1a000, .fw_size = 0x1000 };
	struct linux_params_request p;
	struct gmap_e820_entry e[130];
	uint8_t *bp = calloc(1, 4096);
	unsigned int n = 0;

	real_file();
	CHECK_EQ(parse(LINUX61_FILE_SIZE), 0);
	many[n++] = (struct raw){ 0, 0x9f000, MEM_USABLE };
	for (unsigned int i = 0; i < 124; i++)
		many[n++] = (struct raw){ 0x100000 + i * 0x100000ULL, 0x80000,
					  i % 2 ? MEM_RESERVED : MEM_USABLE };
	many[n++] = (struct raw){ 0x10000000, 0x10000000, MEM_USABLE };
	build_gmap(many, n, NULL, 0, 8 * MiB);
	CHECK_EQ(gmap_e820(&g, e, ARRAY_SIZE(e)), 127);    /* fits alone; the split makes 129 */
	p = (struct linux_params_request){ .image = file, .image_size = LINUX61_FILE_SIZE, .img = &img,
					   .lay = &l, .g = &g, .cmdline_len = 5 };
	CHECK_EQ(linux_fill_params(&p, bp, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "128 e820") != NULL);
	l.fw_size = 0;
	CHECK_EQ(linux_fill_params(&p, bp, err, sizeof(err)), 0);
	CHECK_EQ(bp[O_E820_COUNT], 127);
	free(bp);
}
