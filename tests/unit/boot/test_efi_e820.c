/* tests/unit/boot/test_efi_e820.c - efi_mmap_to_e820 against Linux's setup_e820() rules, on
 * OVMF's maps (captured under Bochs; QEMU-like) and hostile ones; efi_mmap_unpack/_check. */
#include "tests/unit/check.h"
#include "boot/info/efi_e820.h"
#include "tests/data/ovmf_bochs_efi.h"

#define RT   0x800000000000000fULL     /* EFI_MEMORY_RUNTIME | UC WC WT WB */
#define WB   0xfULL
#define E(a, l, t) { (a), (l), (t) }

static struct boot_mmap_entry out[BOOT_MMAP_MAX + 8];
static struct efi_e820_stats st;

/*
 * OVMF on a QEMU q35 machine with 1 GiB below 4 GiB and 1 GiB above, as its
 * GetMemoryMap() lists it at ExitBootServices (sorted, no overlaps): boot
 * services memory between the loader's, runtime services code and data,
 * ACPI tables and NVS, the PCIe ECAM window (reserved), the flash (MMIO,
 * runtime), and the HyperTransport hole QEMU reserves below 1 TiB.
 */
static const struct efi_desc qemu_map[] = {
	{ EFI_BOOT_SERVICES_CODE,    0x0,          0, 0x1,     WB },
	{ EFI_CONVENTIONAL_MEMORY,   0x1000,       0, 0x9f,    WB },
	{ EFI_CONVENTIONAL_MEMORY,   0x100000,     0, 0x700,   WB },
	{ EFI_ACPI_MEMORY_NVS,       0x800000,     0, 0x8,     WB },
	{ EFI_CONVENTIONAL_MEMORY,   0x808000,     0, 0x3,     WB },
	{ EFI_ACPI_MEMORY_NVS,       0x80b000,     0, 0x1,     WB },
	{ EFI_CONVENTIONAL_MEMORY,   0x80c000,     0, 0x4,     WB },
	{ EFI_ACPI_MEMORY_NVS,       0x810000,     0, 0xf0,    WB },
	{ EFI_BOOT_SERVICES_DATA,    0x900000,     0, 0xe80,   WB },
	{ EFI_CONVENTIONAL_MEMORY,   0x1780000,    0, 0x3c6e8, WB },
	{ EFI_LOADER_DATA,           0x3de68000,   0, 0x1000,  WB },
	{ EFI_LOADER_CODE,           0x3ee68000,   0, 0x2c,    WB },
	{ EFI_BOOT_SERVICES_DATA,    0x3ee94000,   0, 0x400,   WB },
	{ EFI_CONVENTIONAL_MEMORY,   0x3f294000,   0, 0x60,    WB },
	{ EFI_BOOT_SERVICES_CODE,    0x3f2f4000,   0, 0x1a0,   WB },
	{ EFI_RUNTIME_SERVICES_DATA, 0x3f494000,   0, 0x100,   RT },
	{ EFI_RUNTIME_SERVICES_CODE, 0x3f594000,   0, 0x100,   RT },
	{ EFI_RESERVED_MEMORY_TYPE,  0x3f694000,   0, 0x80,    WB },
	{ EFI_BOOT_SERVICES_DATA,    0x3f714000,   0, 0x3c0,   WB },
	{ EFI_ACPI_RECLAIM_MEMORY,   0x3fad4000,   0, 0xb,     WB },
	{ EFI_ACPI_MEMORY_NVS,       0x3fadf000,   0, 0x4,     WB },
	{ EFI_BOOT_SERVICES_DATA,    0x3fae3000,   0, 0x4fd,   WB },
	{ EFI_RUNTIME_SERVICES_DATA, 0x3ffe0000,   0, 0x20,    RT },
	{ EFI_RESERVED_MEMORY_TYPE,  0xb0000000,   0, 0x10000, 0x1 },
	{ EFI_MEMORY_MAPPED_IO,      0xffc00000,   0, 0x400,   0x8000000000000001ULL },
	{ EFI_CONVENTIONAL_MEMORY,   0x100000000,  0, 0x3fc00, WB },
	{ EFI_BOOT_SERVICES_DATA,    0x13fc00000,  0, 0x200,   WB },
	{ EFI_LOADER_DATA,           0x13fe00000,  0, 0x200,   WB },
	{ EFI_RESERVED_MEMORY_TYPE,  0xfd00000000, 0, 0x300000, 0 },
};

static const struct boot_mmap_entry qemu_e820[] = {
	E(0x0,          0xa0000,     BOOT_MEM_AVAILABLE),     /* boot services code merged */
	E(0x100000,     0x700000,    BOOT_MEM_AVAILABLE),
	E(0x800000,     0x8000,      BOOT_MEM_ACPI_NVS),
	E(0x808000,     0x3000,      BOOT_MEM_AVAILABLE),
	E(0x80b000,     0x1000,      BOOT_MEM_ACPI_NVS),
	E(0x80c000,     0x4000,      BOOT_MEM_AVAILABLE),
	E(0x810000,     0xf0000,     BOOT_MEM_ACPI_NVS),
	E(0x900000,     0x3eb94000,  BOOT_MEM_AVAILABLE),     /* 7 descriptors */
	E(0x3f494000,   0x280000,    BOOT_MEM_RESERVED),      /* runtime data, code, reserved */
	E(0x3f714000,   0x3c0000,    BOOT_MEM_AVAILABLE),
	E(0x3fad4000,   0xb000,      BOOT_MEM_ACPI_RECLAIM),
	E(0x3fadf000,   0x4000,      BOOT_MEM_ACPI_NVS),
	E(0x3fae3000,   0x4fd000,    BOOT_MEM_AVAILABLE),
	E(0x3ffe0000,   0x20000,     BOOT_MEM_RESERVED),
	E(0xb0000000,   0x10000000,  BOOT_MEM_RESERVED),
	E(0xffc00000,   0x400000,    BOOT_MEM_RESERVED),
	E(0x100000000,  0x40000000,  BOOT_MEM_AVAILABLE),
	E(0xfd00000000, 0x300000000, BOOT_MEM_RESERVED),
};

static void check_map(const struct boot_mmap_entry *got, unsigned int n,
		      const struct boot_mmap_entry *want, unsigned int wn)
{
	CHECK_EQ(n, wn);
	for (unsigned int i = 0; i < n && i < wn; i++) {
		CHECK_EQ(got[i].addr, want[i].addr);
		CHECK_EQ(got[i].len, want[i].len);
		CHECK_EQ(got[i].type, want[i].type);
	}
}

/*
 * Linux's setup_e820() loop, written again from the kernel source as the
 * reference (CONFIG_EFI_SOFT_RESERVE=y, no CONFIG_UNACCEPTED_MEMORY): it
 * merges a descriptor into the entry before it only, in firmware order, and
 * neither sorts nor resolves overlaps. On a sorted map without overlaps
 * that is all there is to do, so efi_mmap_to_e820 must agree with it there.
 */
static unsigned int linux_setup_e820(const struct efi_desc *d, unsigned int nd,
				     struct boot_mmap_entry *e)
{
	struct boot_mmap_entry *prev = NULL;
	unsigned int n = 0;

	for (unsigned int i = 0; i < nd; i++) {
		uint32_t t;

		switch (d[i].type) {
		case 0: case 5: case 6: case 11: case 12: case 13:
			t = 2;
			break;
		case 8:
			t = 5;
			break;
		case 9:
			t = 3;
			break;
		case 1: case 2: case 3: case 4: case 7:
			t = d[i].attr & (1ULL << 18) ? 0xefffffff : 1;
			break;
		case 10:
			t = 4;
			break;
		case 14:
			t = 7;
			break;
		default:
			continue;
		}
		if (prev && prev->type == t && prev->addr + prev->len == d[i].phys) {
			prev->len += d[i].pages << 12;
			continue;
		}
		e[n] = (struct boot_mmap_entry){ d[i].phys, d[i].pages << 12, t };
		prev = &e[n++];
	}
	return n;
}

static uint64_t total(const struct boot_mmap_entry *e, unsigned int n, uint32_t type)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < n; i++)
		if (e[i].type == type)
			sum += e[i].len;
	return sum;
}

/* Sorted, no empty entry, none wrapping, none overlapping, touching ones of different types. */
static void check_normal(const struct boot_mmap_entry *e, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		CHECK(e[i].len > 0);
		CHECK(e[i].addr + e[i].len > e[i].addr);
		if (i)
			CHECK(e[i - 1].addr + e[i - 1].len < e[i].addr ||
			      (e[i - 1].addr + e[i - 1].len == e[i].addr && e[i - 1].type != e[i].type));
	}
}

TEST(qemu_ovmf_map)
{
	static struct boot_mmap_entry ref[64];
	unsigned int n = efi_mmap_to_e820(qemu_map, ARRAY_SIZE(qemu_map), out, BOOT_MMAP_MAX, &st);

	check_map(out, n, qemu_e820, ARRAY_SIZE(qemu_e820));
	CHECK(!st.truncated && st.dropped_bad == 0 && st.skipped_unknown == 0);
	check_map(out, n, ref, linux_setup_e820(qemu_map, ARRAY_SIZE(qemu_map), ref));
	/* 1 GiB above 4 GiB; below, 1 GiB less the legacy hole, NVS, ACPI, runtime and reserved */
	CHECK_EQ(total(out, n, BOOT_MEM_AVAILABLE), 0x40000000 + 0x3fbf8000ULL);
	check_normal(out, n);
}

TEST(bochs_ovmf_map_as_linux_types_it)
{
	static struct boot_mmap_entry ref[256];
	unsigned int nd = ARRAY_SIZE(ovmf_bochs_efi_mmap);
	unsigned int n = efi_mmap_to_e820(ovmf_bochs_efi_mmap, nd, out, BOOT_MMAP_MAX, &st);
	uint64_t pages = 0;

	check_map(out, n, ref, linux_setup_e820(ovmf_bochs_efi_mmap, nd, ref));
	CHECK(!st.truncated && st.dropped_bad == 0 && st.skipped_unknown == 0);
	check_normal(out, n);
	for (unsigned int i = 0; i < nd; i++)
		pages += ovmf_bochs_efi_mmap[i].pages;
	CHECK_EQ(total(out, n, 1) + total(out, n, 2) + total(out, n, 3) + total(out, n, 4), pages << 12);
	/* The runtime services code descriptor (112) lies inside a reserved entry. */
	for (unsigned int i = 0; i < n; i++)
		if (out[i].addr <= 0x1f7ed000 && out[i].addr + out[i].len >= 0x1f8ed000)
			CHECK_EQ(out[i].type, BOOT_MEM_RESERVED);
	CHECK(n < nd / 2);                  /* 128 descriptors, mostly boot services pieces */
}

TEST(every_type)
{
	static const struct efi_desc d[] = {
		{ EFI_RESERVED_MEMORY_TYPE,  0x00000, 0, 1, 0 },
		{ EFI_LOADER_CODE,           0x02000, 0, 1, 0 },
		{ EFI_LOADER_DATA,           0x04000, 0, 1, 0 },
		{ EFI_BOOT_SERVICES_CODE,    0x06000, 0, 1, 0 },
		{ EFI_BOOT_SERVICES_DATA,    0x08000, 0, 1, 0 },
		{ EFI_RUNTIME_SERVICES_CODE, 0x0a000, 0, 1, RT },
		{ EFI_RUNTIME_SERVICES_DATA, 0x0c000, 0, 1, RT },
		{ EFI_CONVENTIONAL_MEMORY,   0x0e000, 0, 1, 0 },
		{ EFI_UNUSABLE_MEMORY,       0x10000, 0, 1, 0 },
		{ EFI_ACPI_RECLAIM_MEMORY,   0x12000, 0, 1, 0 },
		{ EFI_ACPI_MEMORY_NVS,       0x14000, 0, 1, 0 },
		{ EFI_MEMORY_MAPPED_IO,      0x16000, 0, 1, 0 },
		{ EFI_MEMORY_MAPPED_IO_PORT, 0x18000, 0, 1, 0 },
		{ EFI_PAL_CODE,              0x1a000, 0, 1, 0 },
		{ EFI_PERSISTENT_MEMORY,     0x1c000, 0, 1, 0 },
		{ EFI_CONVENTIONAL_MEMORY,   0x1e000, 0, 1, EFI_MEMORY_SP | WB },
		{ EFI_BOOT_SERVICES_DATA,    0x20000, 0, 1, EFI_MEMORY_SP },
		{ EFI_ACPI_MEMORY_NVS,       0x22000, 0, 1, EFI_MEMORY_SP },   /* SP only matters for RAM */
	};
	static const uint32_t want[] = { 2, 1, 1, 1, 1, 2, 2, 1, 5, 3, 4, 2, 2, 2, 7,
					 BOOT_MEM_SOFT_RESERVED, BOOT_MEM_SOFT_RESERVED, 4 };
	static struct boot_mmap_entry ref[32];
	unsigned int n = efi_mmap_to_e820(d, ARRAY_SIZE(d), out, BOOT_MMAP_MAX, &st);

	_Static_assert(ARRAY_SIZE(d) == ARRAY_SIZE(want), "one type each");
	CHECK_EQ(n, ARRAY_SIZE(d));          /* a page of hole between each: nothing merges */
	for (unsigned int i = 0; i < n && i < ARRAY_SIZE(d); i++) {
		CHECK_EQ(out[i].addr, d[i].phys);
		CHECK_EQ(out[i].len, 0x1000);
		CHECK_EQ(out[i].type, want[i]);
	}
	check_map(out, n, ref, linux_setup_e820(d, ARRAY_SIZE(d), ref));
	CHECK_EQ(BOOT_MEM_PMEM, 7);
}

TEST(unknown_types_skipped)
{
	static const struct efi_desc d[] = {
		{ EFI_CONVENTIONAL_MEMORY, 0x0000, 0, 1, 0 },
		{ EFI_UNACCEPTED_MEMORY,   0x1000, 0, 1, 0 },   /* only a confidential guest accepts it */
		{ 16,                      0x2000, 0, 1, 0 },   /* a later UEFI's */
		{ 0x70000001,              0x3000, 0, 1, 0 },   /* OEM */
		{ 0x80000000,              0x4000, 0, 1, 0 },   /* OS loader's own */
		{ 0xffffffff,              0x5000, 0, 1, 0 },
		{ EFI_CONVENTIONAL_MEMORY, 0x6000, 0, 1, 0 },
		{ 0x70000000,              0x0,    0, 0x10, 0 }, /* overlapping, still nothing */
	};
	static const struct boot_mmap_entry want[] = {
		E(0x0, 0x1000, 1), E(0x6000, 0x1000, 1),
	};
	unsigned int n = efi_mmap_to_e820(d, ARRAY_SIZE(d), out, BOOT_MMAP_MAX, &st);

	check_map(out, n, want, ARRAY_SIZE(want));
	CHECK_EQ(st.skipped_unknown, 6);
	CHECK_EQ(st.dropped_bad, 0);
	CHECK(!st.truncated);
}

TEST(merging)
{
	static const struct efi_desc d[] = {
		{ EFI_LOADER_CODE,           0x100000, 0, 0x10, 0 },
		{ EFI_CONVENTIONAL_MEMORY,   0x110000, 0, 0x10, 0 },   /* touches: merged */
		{ EFI_CONVENTIONAL_MEMORY,   0x121000, 0, 0x10, 0 },   /* a page's gap: not */
		{ EFI_RUNTIME_SERVICES_CODE, 0x131000, 0, 0x1, RT },   /* touches, other type: not */
		{ EFI_MEMORY_MAPPED_IO,      0x132000, 0, 0x1, 0 },    /* reserved again: merged */
		{ EFI_ACPI_RECLAIM_MEMORY,   0x133000, 0, 0x1, 0 },
		{ EFI_ACPI_MEMORY_NVS,       0x134000, 0, 0x1, 0 },    /* 3 and 4 stay apart */
		{ EFI_PERSISTENT_MEMORY,     0x135000, 0, 0x1, 0 },
		{ EFI_RESERVED_MEMORY_TYPE,  0x136000, 0, 0x1, 0 },    /* PMEM and reserved stay apart */
	};
	static const struct boot_mmap_entry want[] = {
		E(0x100000, 0x20000, 1), E(0x121000, 0x10000, 1), E(0x131000, 0x2000, 2),
		E(0x133000, 0x1000, 3), E(0x134000, 0x1000, 4), E(0x135000, 0x1000, 7),
		E(0x136000, 0x1000, 2),
	};
	unsigned int n = efi_mmap_to_e820(d, ARRAY_SIZE(d), out, BOOT_MMAP_MAX, NULL);

	check_map(out, n, want, ARRAY_SIZE(want));
}

static uint32_t rng_state = 0x9e3779b9;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

TEST(unsorted_input)
{
	static struct efi_desc d[ARRAY_SIZE(qemu_map)];
	unsigned int nd = ARRAY_SIZE(qemu_map), n;

	/* reversed */
	for (unsigned int i = 0; i < nd; i++)
		d[i] = qemu_map[nd - 1 - i];
	n = efi_mmap_to_e820(d, nd, out, BOOT_MMAP_MAX, &st);
	check_map(out, n, qemu_e820, ARRAY_SIZE(qemu_e820));
	/* shuffled, many times */
	for (int iter = 0; iter < 200; iter++) {
		for (unsigned int i = nd - 1; i > 0; i--) {
			unsigned int j = rng() % (i + 1);
			struct efi_desc t = d[i];

			d[i] = d[j];
			d[j] = t;
		}
		n = efi_mmap_to_e820(d, nd, out, BOOT_MMAP_MAX, &st);
		check_map(out, n, qemu_e820, ARRAY_SIZE(qemu_e820));
		CHECK(!st.truncated);
	}
}

TEST(overlaps_take_the_more_restrictive_type)
{
	static const struct efi_desc d[] = {
		{ EFI_CONVENTIONAL_MEMORY,   0x00000, 0, 0x10, 0 },    /* [0, 0x10000) */
		{ EFI_RUNTIME_SERVICES_DATA, 0x04000, 0, 0x2, RT },    /* inside it */
		{ EFI_ACPI_RECLAIM_MEMORY,   0x0f000, 0, 0x2, 0 },     /* across its end */
		{ EFI_ACPI_MEMORY_NVS,       0x10000, 0, 0x2, 0 },     /* NVS beats ACPI reclaim */
		{ EFI_RESERVED_MEMORY_TYPE,  0x20000, 0, 0x4, 0 },
		{ EFI_ACPI_RECLAIM_MEMORY,   0x21000, 0, 0x1, 0 },     /* reserved beats ACPI (Linux: not) */
		{ EFI_UNUSABLE_MEMORY,       0x23000, 0, 0x2, 0 },     /* bad beats reserved */
		{ EFI_PERSISTENT_MEMORY,     0x30000, 0, 0x2, 0 },
		{ EFI_MEMORY_MAPPED_IO,      0x31000, 0, 0x2, 0 },     /* PMEM 7 beats reserved 2 */
		{ EFI_CONVENTIONAL_MEMORY,   0x40000, 0, 0x4, 0 },
		{ EFI_LOADER_DATA,           0x40000, 0, 0x4, 0 },     /* the same again */
		{ EFI_BOOT_SERVICES_DATA,    0x41000, 0, 0x1, 0 },     /* inside, same type */
	};
	static const struct boot_mmap_entry want[] = {
		E(0x00000, 0x4000, 1), E(0x04000, 0x2000, 2), E(0x06000, 0x9000, 1),
		E(0x0f000, 0x1000, 3), E(0x10000, 0x2000, 4),
		E(0x20000, 0x3000, 2), E(0x23000, 0x2000, 5),
		E(0x30000, 0x2000, 7), E(0x32000, 0x1000, 2),
		E(0x40000, 0x4000, 1),
	};
	unsigned int n = efi_mmap_to_e820(d, ARRAY_SIZE(d), out, BOOT_MMAP_MAX, &st);

	check_map(out, n, want, ARRAY_SIZE(want));
	check_normal(out, n);
}

TEST(overflow_and_zero_pages_dropped)
{
	static const struct efi_desc d[] = {
		{ EFI_CONVENTIONAL_MEMORY,  0x1000,                0, 0, 0 },          /* no pages */
		{ EFI_CONVENTIONAL_MEMORY,  0xfffffffffffff000ULL, 0, 1, 0 },          /* ends at 2^64 */
		{ EFI_RESERVED_MEMORY_TYPE, 0x100000,              0, 1ULL << 52, 0 }, /* pages << 12 wraps to 0 */
		{ EFI_MEMORY_MAPPED_IO,     0xfee00000,            0, 0xfffffffffffffULL, 0 },
		{ EFI_CONVENTIONAL_MEMORY,  0x0,                   0, 0x10, 0 },
		{ EFI_RESERVED_MEMORY_TYPE, 0xffffffffffffe000ULL, 0, 1, 0 },          /* the last one that fits */
		{ 0x12345,                  0xfffffffffffff000ULL, 0, 5, 0 },          /* unknown first */
	};
	static const struct boot_mmap_entry want[] = {
		E(0x0, 0x10000, 1), E(0xffffffffffffe000ULL, 0x1000, 2),
	};
	unsigned int n = efi_mmap_to_e820(d, ARRAY_SIZE(d), out, BOOT_MMAP_MAX, &st);

	check_map(out, n, want, ARRAY_SIZE(want));
	CHECK_EQ(st.dropped_bad, 4);
	CHECK_EQ(st.skipped_unknown, 1);
	CHECK(!st.truncated);
	check_normal(out, n);
}

TEST(unaligned_kept_as_linux_keeps_it)
{
	/* UEFI says 4 KiB aligned; Linux copies what it gets, and so does this (mm/ rounds). */
	static const struct efi_desc d[] = { { EFI_CONVENTIONAL_MEMORY, 0x1234, 0, 2, 0 } };
	static const struct boot_mmap_entry want[] = { E(0x1234, 0x2000, 1) };

	check_map(out, efi_mmap_to_e820(d, 1, out, BOOT_MMAP_MAX, &st), want, 1);
}

TEST(truncated_at_max)
{
	unsigned int nd = ARRAY_SIZE(qemu_map), nw = ARRAY_SIZE(qemu_e820), n;

	for (unsigned int max = 0; max <= nw + 1; max++) {
		memset(out, 0xa5, sizeof(out));
		n = efi_mmap_to_e820(qemu_map, nd, out, max, &st);
		CHECK_EQ(n, MIN(max, nw));
		CHECK_EQ(st.truncated, max < nw);
		CHECK(n <= nw);
		check_map(out, MIN(n, nw), qemu_e820, MIN(n, nw));    /* the lowest entries, whole */
		CHECK_EQ(out[n].addr, 0xa5a5a5a5a5a5a5a5ULL);   /* nothing past max */
	}
	/* A full out[] still takes a piece that merges into its last entry. */
	{
		static const struct efi_desc d[] = {
			{ EFI_CONVENTIONAL_MEMORY, 0x0000, 0, 1, 0 },
			{ EFI_LOADER_DATA,         0x1000, 0, 1, 0 },
			{ EFI_BOOT_SERVICES_CODE,  0x2000, 0, 1, 0 },
		};
		static const struct boot_mmap_entry want[] = { E(0x0, 0x3000, 1) };

		check_map(out, efi_mmap_to_e820(d, 3, out, 1, &st), want, 1);
		CHECK(!st.truncated);
	}
	/* No output array: nothing written, truncated if there was anything. */
	CHECK_EQ(efi_mmap_to_e820(qemu_map, nd, NULL, 10, &st), 0);
	CHECK(st.truncated);
	CHECK_EQ(efi_mmap_to_e820(NULL, 5, out, 10, &st), 0);
	CHECK(!st.truncated && st.dropped_bad == 0 && st.skipped_unknown == 0);
	CHECK_EQ(efi_mmap_to_e820(qemu_map, 0, out, 10, &st), 0);
}

/* The type rank the header promises, written again: usable < ACPI < NVS < reserved < bad. */
static unsigned int ref_rank(uint32_t t)
{
	return t == 1 ? 0 : t == 3 ? 1 : t == 4 ? 2 : t == 5 ? 4 : 3;
}

/* Random maps on a 64-page grid against a page-by-page answer. */
TEST(random_maps_page_by_page)
{
	static const uint32_t types[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 0x70000000 };
	static const uint32_t e820_of[] = { 2, 1, 1, 1, 1, 2, 2, 1, 5, 3, 4, 2, 2, 7, 0, 0 };
	_Static_assert(ARRAY_SIZE(types) == ARRAY_SIZE(e820_of), "one E820 type each");
	struct efi_desc d[12];
	uint32_t page[64];

	for (int iter = 0; iter < 20000; iter++) {
		unsigned int nd = 1 + rng() % 12, max = rng() % 4 ? BOOT_MMAP_MAX : rng() % 6, n, bad = 0, unk = 0;

		memset(page, 0, sizeof(page));
		for (unsigned int i = 0; i < nd; i++) {
			unsigned int ti = rng() % ARRAY_SIZE(types), start = rng() % 64;
			uint32_t t;

			d[i] = (struct efi_desc){ types[ti], (uint64_t)start << 12, 0,
						  rng() % (65 - start), rng() % 8 ? 0 : EFI_MEMORY_SP };
			if (rng() % 50 == 0)
				d[i].pages = UINT64_MAX >> (rng() % 12);
			t = e820_of[ti];
			if (t == 1 && d[i].attr)
				t = BOOT_MEM_SOFT_RESERVED;
			if (!t) {
				unk++;
				continue;
			}
			if (!d[i].pages || d[i].pages > 64) {
				bad++;
				continue;
			}
			for (uint64_t p = start; p < start + d[i].pages; p++)
				if (!page[p] || ref_rank(t) > ref_rank(page[p]) ||
				    (ref_rank(t) == ref_rank(page[p]) && t > page[p]))
					page[p] = t;
		}
		n = efi_mmap_to_e820(d, nd, out, max, &st);
		CHECK(n <= max);
		check_normal(out, n);
		CHECK_EQ(st.dropped_bad, bad);
		CHECK_EQ(st.skipped_unknown, unk);
		/* Every page the output covers has the type the page answer says, and the
		 * output covers every typed page up to where it was truncated. */
		uint64_t covered_to = 0;
		for (unsigned int i = 0; i < n; i++) {
			CHECK(!(out[i].addr & 0xfff) && !(out[i].len & 0xfff));
			for (uint64_t a = out[i].addr; a < out[i].addr + out[i].len && a < (64 << 12); a += 0x1000)
				CHECK_EQ(out[i].type, page[a >> 12]);
			CHECK(out[i].addr + out[i].len <= (64 << 12));
			covered_to = out[i].addr + out[i].len;
		}
		unsigned int typed = 0, in_out = 0;
		for (unsigned int p = 0; p < 64; p++) {
			typed += page[p] != 0;
			for (unsigned int i = 0; i < n; i++)
				in_out += out[i].addr <= (uint64_t)p << 12 && ((uint64_t)p << 12) < out[i].addr + out[i].len;
		}
		if (!st.truncated) {
			CHECK_EQ(in_out, typed);
		} else {
			CHECK_EQ(n, max);
			for (unsigned int p = 0; p < (covered_to >> 12); p++)
				if (page[p])
					in_out--, typed--;
			CHECK_EQ(in_out, 0);
			CHECK(typed > 0);            /* something was left out */
		}
	}
}

/* --- efi_mmap_unpack, efi_mmap_check ------------------------------------------- */

static uint8_t raw[64 * 1024 + 1];
static struct efi_desc got[BOOT_EFI_MMAP_MAX + 1];
static char err[128];

static void wr(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Writes d as GetMemoryMap() would, stride dsz, the bytes past 40 filled with 0xee. */
static size_t pack(uint8_t *b, uint32_t dsz, const struct efi_desc *d, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *p = b + (size_t)i * dsz;

		memset(p, 0xee, dsz);
		wr(p, d[i].type, 4);
		wr(p + 8, d[i].phys, 8);
		wr(p + 16, d[i].virt, 8);
		wr(p + 24, d[i].pages, 8);
		wr(p + 32, d[i].attr, 8);
	}
	return (size_t)n * dsz;
}

TEST(unpack_strides_and_alignment)
{
	static const uint32_t strides[] = { 40, 48, 56, 80 };
	unsigned int nd = ARRAY_SIZE(ovmf_bochs_efi_mmap), n;

	for (unsigned int s = 0; s < ARRAY_SIZE(strides); s++) {
		for (unsigned int off = 0; off < 2; off++) {    /* also at an odd address */
			size_t size = pack(raw + off, strides[s], ovmf_bochs_efi_mmap, nd);

			memset(got, 0, sizeof(got));
			CHECK_EQ(efi_mmap_unpack(raw + off, size, strides[s], 1, got, BOOT_EFI_MMAP_MAX,
						 &n, err, sizeof(err)), 0);
			CHECK_EQ(n, nd);
			CHECK(!memcmp(got, ovmf_bochs_efi_mmap, sizeof(ovmf_bochs_efi_mmap)));
			CHECK_EQ(efi_mmap_check(got, n, err, sizeof(err)), 0);
		}
	}
	/* What the UEFI entry does with it: unpack, convert. */
	size_t size = pack(raw, 48, qemu_map, ARRAY_SIZE(qemu_map));
	CHECK_EQ(efi_mmap_unpack(raw, size, 48, 1, got, BOOT_EFI_MMAP_MAX, &n, err, sizeof(err)), 0);
	check_map(out, efi_mmap_to_e820(got, n, out, BOOT_MMAP_MAX, &st), qemu_e820, ARRAY_SIZE(qemu_e820));
}

TEST(unpack_refuses)
{
	unsigned int n = 99;
	size_t size = pack(raw, 48, qemu_map, 4);

	CHECK_EQ(efi_mmap_unpack(raw, size, 32, 1, got, 10, &n, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "descriptor size 32 below 40");
	CHECK_EQ(n, 0);
	CHECK_EQ(efi_mmap_unpack(raw, size, 48, 2, got, 10, &n, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "descriptor version 2, not 1");
	CHECK_EQ(efi_mmap_unpack(raw, size - 8, 48, 1, got, 10, &n, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "184 bytes of descriptors not a non-zero multiple of their size 48");
	CHECK_EQ(efi_mmap_unpack(raw, 0, 48, 1, got, 10, &n, err, sizeof(err)), -EINVAL);
	CHECK_EQ(efi_mmap_unpack(NULL, size, 48, 1, got, 10, &n, err, sizeof(err)), -EINVAL);
	CHECK_EQ(efi_mmap_unpack(raw, size, 0xffffffff, 1, got, 10, &n, NULL, 0), -EINVAL);
	memset(got, 0x5a, sizeof(got));
	CHECK_EQ(efi_mmap_unpack(raw, size, 48, 1, got, 3, &n, err, sizeof(err)), -ENOSPC);
	CHECK_STR(err, "4 descriptors, more than the 3 kept");
	CHECK_EQ(n, 4);
	CHECK_EQ(got[0].type, 0x5a5a5a5a);     /* all or nothing */
	CHECK_EQ(efi_mmap_unpack(raw, size, 48, 1, got, 4, &n, err, sizeof(err)), 0);
	CHECK_EQ(n, 4);
}

TEST(check_descriptors)
{
	struct efi_desc d[3] = { qemu_map[0], qemu_map[1], qemu_map[2] };

	CHECK_EQ(efi_mmap_check(d, 3, err, sizeof(err)), 0);
	d[2].pages = 0;
	CHECK_EQ(efi_mmap_check(d, 3, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "descriptor 2: 0x0 pages at 0x100000");
	d[2] = qemu_map[2];
	d[1].phys = 0x1800;
	CHECK_EQ(efi_mmap_check(d, 3, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "descriptor 1: 0x9f pages at 0x1800");
	d[1] = (struct efi_desc){ 7, 0xfffffffffffff000ULL, 0, 1, 0 };
	CHECK_EQ(efi_mmap_check(d, 3, err, sizeof(err)), -EINVAL);
	d[1].phys = 0xffffffffffffe000ULL;
	CHECK_EQ(efi_mmap_check(d, 3, err, sizeof(err)), 0);
}
