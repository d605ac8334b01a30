/* tests/unit/guest/test_efi_map.c - the EFI memory map a Linux guest gets: OVMF's real
 * map under Bochs with the hypervisor's carve-outs (tests/data/ovmf_bochs_efi.h), and
 * synthetic maps for splitting, joining, runtime regions and bad input. */
#include "tests/unit/check.h"
#include "tests/unit/guest/gmap_fixture.h"
#include "guest/load/efi_map.h"
#include "tests/data/ovmf_bochs_efi.h"

#define DESC 48                          /* the guest's stride, as Linux reads it from efi_info */

static char err[200];
static uint8_t buf[64 * 1024];
static struct efi_desc got[1024];

static uint32_t r32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }   /* host is little-endian */
static uint64_t r64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* The guest map from a firmware map and carve-outs, working memory given (not searched). */
static void build(const struct raw *fw, unsigned int n, const struct carve *c, unsigned int nc)
{
	memmap_init(&host, host_ranges, ARRAY_SIZE(host_ranges));
	for (unsigned int i = 0; i < n; i++)
		CHECK_EQ(memmap_add(&host, fw[i].start, fw[i].len, fw[i].type), 0);
	CHECK_EQ(memmap_normalize(&host), 0);
	for (unsigned int i = 0; i < nc; i++)
		CHECK_EQ(memmap_set(&host, c[i].start, c[i].end, c[i].type), 0);
	CHECK_EQ(gmap_init(&g, &host, 4 * GiB), 0);
}

/* GRUB's Multiboot2 memory map of the same boot (EFI boot services memory is usable there). */
static const struct raw ovmf_raw[] = {
	{ 0x0, 0xa0000, MEM_USABLE },                { 0x100000, 0x1ebbb000, MEM_USABLE },
	{ 0x1ecbb000, 0xc1000, MEM_RESERVED },       { 0x1ed7c000, 0x971000, MEM_USABLE },
	{ 0x1f6ed000, 0x200000, MEM_RESERVED },      { 0x1f8ed000, 0x90000, MEM_USABLE },
	{ 0x1f97d000, 0x2000, MEM_ACPI_RECLAIM },    { 0x1f97f000, 0x80000, MEM_ACPI_NVS },
	{ 0x1f9ff000, 0x5e1000, MEM_USABLE },        { 0x1ffe0000, 0x20000, MEM_RESERVED },
};

/* The hypervisor's boot report: low memory, boot info, image, initrd, kernel, working memory. */
static const struct carve ovmf_carves[] = {
	{ 0x0, 0xa0000, MEM_LOWMEM },                { 0x9000, 0xb000, MEM_BOOT_INFO },
	{ 0x200000, 0x289000, MEM_HV_IMAGE },        { 0x289000, 0x481000, MEM_MODULE },
	{ 0x1500000, 0x2289000, MEM_MODULE },
	{ OVMF_BOCHS_HV_WORK, OVMF_BOCHS_HV_WORK + 64 * MiB, MEM_HV_WORKING },
};

/* Runs efi_map_build into buf and decodes the result into got[]; returns the count or -1. */
static int run(const struct efi_map_request *r, size_t size)
{
	size_t len = 12345;
	int rc;

	err[0] = 0;
	memset(buf, 0xcc, sizeof(buf));
	rc = efi_map_build(r, buf, size, &len, err, sizeof(err));
	if (rc)
		return -1;
	CHECK_EQ(len % DESC, 0);
	for (size_t i = 0; i < len / DESC; i++) {
		const uint8_t *e = buf + i * DESC;

		got[i] = (struct efi_desc){ r32(e), r64(e + 8), r64(e + 16), r64(e + 24), r64(e + 32) };
		CHECK_EQ(r32(e + 4), 0);                    /* padding after Type */
		CHECK_EQ(r64(e + 40), 0);                   /* the stride's last 8 bytes */
	}
	CHECK_EQ(buf[len], 0xcc);                           /* nothing written past the map */
	return (int)(len / DESC);
}

static uint64_t end_of(const struct efi_desc *d) { return d->phys + d->pages * 4096; }

static bool overlaps(const struct efi_desc *d, uint64_t a, uint64_t b)
{
	return d->phys < b && a < end_of(d);
}

/* Pages of input descriptor i are exactly those of the output pieces made from it, in order. */
static void check_pieces_cover(const struct efi_desc *in, unsigned int nin, int nout)
{
	int j = 0;

	for (unsigned int i = 0; i < nin; i++) {
		uint64_t at = in[i].phys;

		while (at < end_of(&in[i]) && j < nout) {
			CHECK_EQ(got[j].phys, at);
			CHECK_EQ(got[j].attr, in[i].attr);
			CHECK(got[j].type == in[i].type || got[j].type == EFI_RESERVED_MEMORY_TYPE);
			at = end_of(&got[j++]);
		}
		CHECK_EQ(at, end_of(&in[i]));
	}
	CHECK_EQ(j, nout);
}

TEST(ovmf_map_hides_the_hypervisor)
{
	const unsigned int n = ARRAY_SIZE(ovmf_bochs_efi_mmap);
	struct efi_map_request r = { ovmf_bochs_efi_mmap, n, &g, 0x19000, 0x1b000 };
	const struct gmap_range *x;
	unsigned int runtime = 0;
	size_t need;
	int m;

	build(ovmf_raw, ARRAY_SIZE(ovmf_raw), ovmf_carves, ARRAY_SIZE(ovmf_carves));
	CHECK_EQ(efi_map_build(&r, NULL, 0, &need, err, sizeof(err)), 0);    /* measure */
	m = run(&r, sizeof(buf));
	CHECK_STR(err, "");
	/* The image and the initrd (LoaderData 0x200000-0x481000) become one reserved piece; the
	 * kernel module's LoaderData wholly reserved; LoaderCode split around working memory;
	 * Conventional 0xd000-0xa0000 split around the block holding the map: 123 + 2 + 2. */
	CHECK_EQ(m, 127);
	CHECK_EQ(need, 127 * DESC);
	check_pieces_cover(ovmf_bochs_efi_mmap, n, m);
	CHECK(got[2].type == EFI_RESERVED_MEMORY_TYPE && got[2].phys == 0x19000 && got[2].pages == 2);
	CHECK(got[5].type == EFI_RESERVED_MEMORY_TYPE && got[5].phys == 0x200000 && got[5].pages == 0x281);
	CHECK(got[14].type == EFI_LOADER_CODE && got[14].phys == 0x149a7000 &&
	      end_of(&got[14]) == OVMF_BOCHS_HV_WORK);
	CHECK(got[15].type == EFI_RESERVED_MEMORY_TYPE && got[15].phys == OVMF_BOCHS_HV_WORK &&
	      got[15].pages == 64 * MiB / 4096);
	CHECK(got[16].type == EFI_LOADER_CODE && got[16].phys == OVMF_BOCHS_HV_WORK + 64 * MiB &&
	      end_of(&got[16]) == 0x1bffe000);

	for (int i = 0; i < m; i++) {
		/* No piece the guest may use overlaps hidden memory; every reserved piece is hidden
		 * or the map's own block. */
		for (x = g.flat; x < g.flat + g.flat_count; x++)
			if (x->kind == GMAP_HIDDEN && overlaps(&got[i], x->start, x->end))
				CHECK_EQ(got[i].type, EFI_RESERVED_MEMORY_TYPE);
		if (got[i].type == EFI_RESERVED_MEMORY_TYPE)
			CHECK(overlaps(&got[i], 0x19000, 0x1b000) ||
			      gmap_lookup(&g, got[i].phys)->kind == GMAP_HIDDEN);
		/* Runtime regions: unchanged, mapped, the attribute kept. */
		if (got[i].attr & EFI_MEMORY_RUNTIME) {
			runtime++;
			CHECK(got[i].type == EFI_RUNTIME_SERVICES_CODE || got[i].type == EFI_RUNTIME_SERVICES_DATA);
			CHECK(gmap_kind_mapped(gmap_lookup(&g, got[i].phys)->kind));
		}
		/* The memory attributes table stays in boot services data the guest can read. */
		if (got[i].phys <= OVMF_BOCHS_MEMATTR && OVMF_BOCHS_MEMATTR < end_of(&got[i]))
			CHECK_EQ(got[i].type, EFI_BOOT_SERVICES_DATA);
	}
	CHECK_EQ(runtime, 4);
	x = gmap_lookup(&g, OVMF_BOCHS_SYSTAB);               /* in runtime services data */
	CHECK(x && gmap_kind_mapped(x->kind));
}

/* [0, 1 GiB) usable with the hypervisor's image at 16-20 MiB and working memory at 64-128 MiB. */
static void simple_map(void)
{
	static const struct raw fw[] = {
		{ 0x0, 0x40000000, MEM_USABLE }, { 0xfec00000, 0x1000, MEM_RESERVED },
	};
	static const struct carve c[] = {
		{ 16 * MiB, 20 * MiB, MEM_HV_IMAGE }, { 64 * MiB, 128 * MiB, MEM_HV_WORKING },
	};

	build(fw, ARRAY_SIZE(fw), c, ARRAY_SIZE(c));
}

static struct efi_desc D(uint32_t type, uint64_t phys, uint64_t pages, uint64_t attr)
{
	return (struct efi_desc){ type, phys, 0, pages, attr };
}

TEST(split_in_the_middle_at_the_ends_and_whole)
{
	struct efi_desc in[] = {
		D(EFI_CONVENTIONAL_MEMORY, 8 * MiB, 24 * MiB / 4096, 0xf),       /* 8-32 MiB: image inside */
		D(EFI_BOOT_SERVICES_DATA, 100 * MiB, 60 * MiB / 4096, 0x8),      /* 100-160: starts inside working */
		D(EFI_LOADER_DATA, 32 * MiB, 40 * MiB / 4096, 0xe),              /* 32-72: ends inside working */
		D(EFI_CONVENTIONAL_MEMORY, 70 * MiB, 2 * MiB / 4096, 0xf),        /* wholly inside */
		D(EFI_CONVENTIONAL_MEMORY, 200 * MiB, 4096, 0xf),                /* untouched */
	};
	struct efi_map_request r = { in, ARRAY_SIZE(in), &g, 0, 0 };
	int m;

	simple_map();
	m = run(&r, sizeof(buf));
	CHECK_EQ(m, 3 + 2 + 2 + 1 + 1);
	check_pieces_cover(in, ARRAY_SIZE(in), m);
	CHECK(got[0].type == EFI_CONVENTIONAL_MEMORY && got[0].phys == 8 * MiB && got[0].pages == 8 * MiB / 4096);
	CHECK(got[1].type == EFI_RESERVED_MEMORY_TYPE && got[1].phys == 16 * MiB && got[1].pages == 4 * MiB / 4096);
	CHECK_EQ(got[1].attr, 0xf);                         /* the reserved piece keeps the attributes */
	CHECK(got[2].type == EFI_CONVENTIONAL_MEMORY && got[2].phys == 20 * MiB && end_of(&got[2]) == 32 * MiB);
	CHECK(got[3].type == EFI_RESERVED_MEMORY_TYPE && got[3].phys == 100 * MiB && end_of(&got[3]) == 128 * MiB);
	CHECK(got[4].type == EFI_BOOT_SERVICES_DATA && got[4].phys == 128 * MiB && end_of(&got[4]) == 160 * MiB);
	CHECK(got[5].type == EFI_LOADER_DATA && got[5].phys == 32 * MiB && end_of(&got[5]) == 64 * MiB);
	CHECK(got[6].type == EFI_RESERVED_MEMORY_TYPE && got[6].phys == 64 * MiB && end_of(&got[6]) == 72 * MiB);
	CHECK(got[7].type == EFI_RESERVED_MEMORY_TYPE && got[7].phys == 70 * MiB && got[7].pages == 512);
	CHECK(got[8].type == EFI_CONVENTIONAL_MEMORY && got[8].phys == 200 * MiB && got[8].pages == 4096);
}

TEST(never_merges_and_joins_touching_hidden_ranges)
{
	static const struct raw fw[] = { { 0x0, 0x40000000, MEM_USABLE } };
	static const struct carve c[] = {       /* image, module, working: touching, three owners */
		{ 2 * MiB, 3 * MiB, MEM_HV_IMAGE }, { 3 * MiB, 5 * MiB, MEM_MODULE },
		{ 5 * MiB, 7 * MiB, MEM_HV_WORKING },
	};
	struct efi_desc in[] = {
		D(EFI_CONVENTIONAL_MEMORY, 0, 1 * MiB / 4096, 0xf),
		D(EFI_CONVENTIONAL_MEMORY, 1 * MiB, 1 * MiB / 4096, 0xf),        /* same type, touching: kept apart */
		D(EFI_LOADER_DATA, 1 * MiB + 1 * MiB, 8 * MiB / 4096, 0xf),       /* 2-10 MiB */
	};
	/* The reserve range touches the hidden ones too: 7-8 MiB. */
	struct efi_map_request r = { in, ARRAY_SIZE(in), &g, 7 * MiB, 8 * MiB - 100 };
	int m;

	build(fw, ARRAY_SIZE(fw), c, ARRAY_SIZE(c));
	m = run(&r, sizeof(buf));
	CHECK_EQ(m, 4);
	CHECK(got[0].phys == 0 && got[1].phys == 1 * MiB && got[0].type == got[1].type);
	CHECK(got[2].type == EFI_RESERVED_MEMORY_TYPE && got[2].phys == 2 * MiB && end_of(&got[2]) == 8 * MiB);
	CHECK(got[3].type == EFI_LOADER_DATA && got[3].phys == 8 * MiB && end_of(&got[3]) == 10 * MiB);
}

TEST(unaligned_bad_ram_widened_to_pages)
{
	static const struct raw fw[] = {
		{ 0x0, 0x40000000, MEM_USABLE }, { 0x101234, 0x100, MEM_BAD },
	};
	struct efi_desc in[] = { D(EFI_CONVENTIONAL_MEMORY, 1 * MiB, 16, 0xf) };
	struct efi_map_request r = { in, 1, &g, 0, 0 };
	int m;

	build(fw, ARRAY_SIZE(fw), NULL, 0);
	m = run(&r, sizeof(buf));
	CHECK_EQ(m, 3);
	CHECK(got[1].type == EFI_RESERVED_MEMORY_TYPE && got[1].phys == 0x101000 && got[1].pages == 1);
	CHECK(got[2].phys == 0x102000 && got[2].pages == 14);
}

TEST(virtual_start_moves_with_the_piece)
{
	struct efi_desc in[] = { { EFI_BOOT_SERVICES_CODE, 12 * MiB, 0xffff800000c00000ULL, 12 * MiB / 4096, 0xf } };
	struct efi_map_request r = { in, 1, &g, 0, 0 };

	simple_map();
	CHECK_EQ(run(&r, sizeof(buf)), 3);
	CHECK_EQ(got[1].virt, 0xffff800000c00000ULL + 4 * MiB);
	CHECK_EQ(got[2].virt, 0xffff800000c00000ULL + 8 * MiB);
}

TEST(runtime_regions_kept_and_must_be_mapped)
{
	struct efi_desc ok[] = {
		D(EFI_RUNTIME_SERVICES_DATA, 0xfec00000, 1, EFI_MEMORY_RUNTIME | 1),    /* pass-through MMIO */
		D(EFI_MEMORY_MAPPED_IO, 0xffc00000, 0x400, EFI_MEMORY_RUNTIME | 1),      /* a hole: mapped */
		D(EFI_RUNTIME_SERVICES_CODE, 200 * MiB, 16, 0xf),                        /* no attribute: still runtime */
	};
	struct efi_desc in_hidden[] = { D(EFI_RUNTIME_SERVICES_CODE, 127 * MiB, 0x200, EFI_MEMORY_RUNTIME | 0xf) };
	struct efi_desc attr_hidden[] = { D(EFI_CONVENTIONAL_MEMORY, 18 * MiB, 1, EFI_MEMORY_RUNTIME | 0xf) };
	struct efi_desc past_top[] = { D(EFI_RUNTIME_SERVICES_DATA, 4 * GiB - 4096, 2, EFI_MEMORY_RUNTIME) };
	struct efi_map_request r = { ok, ARRAY_SIZE(ok), &g, 0, 0 };
	size_t len;

	simple_map();
	CHECK_EQ(run(&r, sizeof(buf)), 3);
	CHECK(got[0].type == ok[0].type && got[0].phys == ok[0].phys && got[0].pages == ok[0].pages &&
	      got[0].attr == ok[0].attr);
	CHECK_EQ(got[1].attr, EFI_MEMORY_RUNTIME | 1);
	CHECK(got[2].type == EFI_RUNTIME_SERVICES_CODE && got[2].pages == 16);

	r = (struct efi_map_request){ in_hidden, 1, &g, 0, 0 };
	CHECK_EQ(efi_map_build(&r, buf, sizeof(buf), &len, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "runtime descriptor 0") && strstr(err, "hidden"));
	r = (struct efi_map_request){ attr_hidden, 1, &g, 0, 0 };
	CHECK_EQ(efi_map_build(&r, buf, sizeof(buf), &len, err, sizeof(err)), -EINVAL);
	r = (struct efi_map_request){ past_top, 1, &g, 0, 0 };
	CHECK_EQ(efi_map_build(&r, buf, sizeof(buf), &len, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "past the guest's memory map") != NULL);
}

TEST(buffer_too_small_says_what_it_needs)
{
	struct efi_desc in[] = { D(EFI_CONVENTIONAL_MEMORY, 8 * MiB, 24 * MiB / 4096, 0xf) };
	struct efi_map_request r = { in, 1, &g, 0, 0 };
	size_t len;

	simple_map();
	memset(buf, 0xcc, sizeof(buf));
	CHECK_EQ(efi_map_build(&r, buf, 3 * DESC - 1, &len, err, sizeof(err)), -ENOSPC);
	CHECK_EQ(len, 3 * DESC);
	CHECK_EQ(buf[2 * DESC], 0xcc);                   /* the piece that did not fit is not written */
	CHECK_EQ(run(&r, 3 * DESC), 3);
	CHECK_EQ(efi_map_build(&r, NULL, 0, &len, err, sizeof(err)), 0);
	CHECK_EQ(len, 3 * DESC);
}

TEST(bad_descriptors_and_requests)
{
	struct efi_desc unaligned[] = { D(EFI_CONVENTIONAL_MEMORY, 0x1800, 1, 0xf) };
	struct efi_desc empty[] = { D(EFI_CONVENTIONAL_MEMORY, 0x1000, 0, 0xf) };
	struct efi_desc wraps[] = { D(EFI_CONVENTIONAL_MEMORY, 0xfffffffffffff000ULL, 2, 0xf) };
	struct efi_map_request r = { unaligned, 1, &g, 0, 0 };
	size_t len;

	simple_map();
	CHECK_EQ(efi_map_build(&r, buf, sizeof(buf), &len, err, sizeof(err)), -EINVAL);
	r.desc = empty;
	CHECK_EQ(efi_map_build(&r, buf, sizeof(buf), &len, err, sizeof(err)), -EINVAL);
	r.desc = wraps;
	CHECK_EQ(efi_map_build(&r, buf, sizeof(buf), &len, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "descriptor 0") != NULL);
	r = (struct efi_map_request){ NULL, 1, &g, 0, 0 };
	CHECK_EQ(efi_map_build(&r, buf, sizeof(buf), &len, err, sizeof(err)), -EINVAL);
	r = (struct efi_map_request){ unaligned, 1, NULL, 0, 0 };
	CHECK_EQ(efi_map_build(&r, buf, sizeof(buf), &len, err, sizeof(err)), -EINVAL);
	CHECK_EQ(efi_map_build(NULL, buf, sizeof(buf), &len, NULL, 0), -EINVAL);
	/* An empty map is a valid (empty) answer. */
	r = (struct efi_map_request){ NULL, 0, &g, 0, 0 };
	CHECK_EQ(efi_map_build(&r, buf, sizeof(buf), &len, err, sizeof(err)), 0);
	CHECK_EQ(len, 0);
}
