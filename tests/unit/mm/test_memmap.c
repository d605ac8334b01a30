/* tests/unit/mm/test_memmap.c - host tests for the memory map: real firmware maps and random ones. */
#include "tests/unit/check.h"
#include "mm/memmap.h"

#define CAP 512

struct raw {
	hpa_t start;
	uint64_t len;
	enum mem_type type;
};

static struct mem_range storage[CAP];

/* Builds an unnormalized map from raw entries, over storage of `cap` ranges. */
static struct memmap map_from(const struct raw *raw, unsigned int n, unsigned int cap)
{
	struct memmap m;

	memmap_init(&m, storage, cap);
	for (unsigned int i = 0; i < n; i++)
		CHECK_EQ(memmap_add(&m, raw[i].start, raw[i].len, raw[i].type), 0);
	return m;
}

#include "tests/unit/mm/memmap_check.h"

/* The normalization invariants: sorted, non-empty, disjoint, equal types never touch. */
static bool is_normalized(const struct memmap *m)
{
	for (unsigned int i = 0; i < m->count; i++) {
		const struct mem_range *r = &m->ranges[i];

		if (r->end <= r->start || (unsigned int)r->type >= MEM_TYPE_COUNT)
			return false;
		if (i && (r->start < r[-1].end ||
			  (r->start == r[-1].end && r->type == r[-1].type)))
			return false;
	}
	return true;
}

/* Max type of the ranges covering addr (any order, overlaps allowed), or -1 for a hole. */
static int type_at(const struct mem_range *r, unsigned int n, hpa_t addr)
{
	int t = -1;

	for (unsigned int i = 0; i < n; i++)
		if (r[i].start <= addr && addr < r[i].end && (int)r[i].type > t)
			t = (int)r[i].type;
	return t;
}

/* A QEMU SeaBIOS e820 map for 128 MiB of RAM. */
static const struct raw seabios[] = {
	{ 0x00000000, 0x9fc00, MEM_USABLE },
	{ 0x0009fc00, 0x400, MEM_RESERVED },
	{ 0x000f0000, 0x10000, MEM_RESERVED },
	{ 0x00100000, 0x7ee0000, MEM_USABLE },
	{ 0x07fe0000, 0x20000, MEM_RESERVED },
	{ 0xfffc0000, 0x40000, MEM_RESERVED },
};

TEST(init_is_empty)
{
	struct memmap m;

	memmap_init(&m, storage, 7);
	CHECK_EQ(m.count, 0);
	CHECK_EQ(m.capacity, 7);
	CHECK(m.ranges == storage);
	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_EQ(m.count, 0);
	CHECK_EQ(memmap_total(&m, MEM_USABLE), 0);
	CHECK_EQ(memmap_find_top(&m, PAGE_SIZE, PAGE_SIZE), INVALID_HPA);
}

TEST(type_from_boot)
{
	CHECK_EQ(memmap_type_from_boot(1), MEM_USABLE);
	CHECK_EQ(memmap_type_from_boot(2), MEM_RESERVED);
	CHECK_EQ(memmap_type_from_boot(3), MEM_ACPI_RECLAIM);
	CHECK_EQ(memmap_type_from_boot(4), MEM_ACPI_NVS);
	CHECK_EQ(memmap_type_from_boot(5), MEM_BAD);
	CHECK_EQ(memmap_type_from_boot(0), MEM_RESERVED);
	CHECK_EQ(memmap_type_from_boot(6), MEM_RESERVED);
	CHECK_EQ(memmap_type_from_boot(7), MEM_RESERVED);       /* persistent memory */
	CHECK_EQ(memmap_type_from_boot(12), MEM_RESERVED);      /* legacy PRAM */
	CHECK_EQ(memmap_type_from_boot(0xf0000000), MEM_RESERVED);
	CHECK_EQ(memmap_type_from_boot(UINT32_MAX), MEM_RESERVED);
}

TEST(type_names)
{
	CHECK_STR(memmap_type_name(MEM_USABLE), "usable");
	CHECK_STR(memmap_type_name(MEM_ACPI_RECLAIM), "ACPI reclaim");
	CHECK_STR(memmap_type_name(MEM_ACPI_NVS), "ACPI NVS");
	CHECK_STR(memmap_type_name(MEM_RESERVED), "reserved");
	CHECK_STR(memmap_type_name(MEM_BAD), "bad");
	CHECK_STR(memmap_type_name(MEM_LOWMEM), "low memory");
	CHECK_STR(memmap_type_name(MEM_BOOT_INFO), "boot info");
	CHECK_STR(memmap_type_name(MEM_MODULE), "module");
	CHECK_STR(memmap_type_name(MEM_HV_IMAGE), "hv image");
	CHECK_STR(memmap_type_name(MEM_HV_WORKING), "hv working");
	CHECK_STR(memmap_type_name(MEM_TYPE_COUNT), "?");
	CHECK_STR(memmap_type_name((enum mem_type)-1), "?");
	CHECK_STR(memmap_type_name((enum mem_type)1000), "?");
}

TEST(add_ignores_zero_length)
{
	struct memmap m;

	memmap_init(&m, storage, 4);
	CHECK_EQ(memmap_add(&m, 0x1000, 0, MEM_USABLE), 0);
	CHECK_EQ(memmap_add(&m, 0, 0, MEM_RESERVED), 0);
	CHECK_EQ(m.count, 0);
}

TEST(add_clips_wrap)
{
	struct memmap m;

	memmap_init(&m, storage, 8);
	/* Ends exactly at 2^64: the last byte is lost, end = UINT64_MAX. */
	CHECK_EQ(memmap_add(&m, 0xfffffffffffc0000ULL, 0x40000, MEM_RESERVED), 0);
	/* A bogus length that would wrap far past 2^64. */
	CHECK_EQ(memmap_add(&m, 0x100000000ULL, UINT64_MAX, MEM_USABLE), 0);
	/* At the very last byte nothing representable is left. */
	CHECK_EQ(memmap_add(&m, UINT64_MAX, 1, MEM_USABLE), 0);
	CHECK_EQ(memmap_add(&m, UINT64_MAX, UINT64_MAX, MEM_USABLE), 0);
	/* The largest representable range. */
	CHECK_EQ(memmap_add(&m, 0, UINT64_MAX, MEM_USABLE), 0);
	CHECK_EQ(m.count, 3);
	CHECK_EQ(m.ranges[0].end, UINT64_MAX);
	CHECK_EQ(m.ranges[1].start, 0x100000000ULL);
	CHECK_EQ(m.ranges[1].end, UINT64_MAX);
	CHECK_EQ(m.ranges[2].end, UINT64_MAX);
}

TEST(add_enospc)
{
	struct memmap m;

	memmap_init(&m, storage, 2);
	CHECK_EQ(memmap_add(&m, 0, 0x1000, MEM_USABLE), 0);
	CHECK_EQ(memmap_add(&m, 0x2000, 0x1000, MEM_USABLE), 0);
	CHECK_EQ(memmap_add(&m, 0x4000, 0x1000, MEM_USABLE), -ENOSPC);
	CHECK_EQ(memmap_add(&m, 0x4000, 0, MEM_USABLE), 0);     /* ignored, not full */
	CHECK_EQ(m.count, 2);
	CHECK_EQ(m.ranges[1].start, 0x2000);
}

TEST(seabios_map_is_kept)
{
	static const struct mem_range exp[] = {
		{ 0x00000000, 0x0009fc00, MEM_USABLE },
		{ 0x0009fc00, 0x000a0000, MEM_RESERVED },
		{ 0x000f0000, 0x00100000, MEM_RESERVED },
		{ 0x00100000, 0x07fe0000, MEM_USABLE },
		{ 0x07fe0000, 0x08000000, MEM_RESERVED },
		{ 0xfffc0000, 0x100000000ULL, MEM_RESERVED },
	};
	struct memmap m = map_from(seabios, ARRAY_SIZE(seabios), ARRAY_SIZE(seabios));

	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_MAP(&m, exp);
	CHECK_EQ(memmap_total(&m, MEM_USABLE), 0x9fc00 + 0x7ee0000);
	CHECK_EQ(memmap_total(&m, MEM_RESERVED), 0x400 + 0x10000 + 0x20000 + 0x40000);
	CHECK_EQ(memmap_total(&m, MEM_ACPI_NVS), 0);
}

TEST(ovmf_pieces_merge)
{
	/* OVMF reports its boot-services pieces separately; all usable after exit. */
	static const struct raw ovmf[] = {
		{ 0x00000000, 0x8000, MEM_USABLE },
		{ 0x00008000, 0x3000, MEM_USABLE },
		{ 0x0000b000, 0x1000, MEM_USABLE },
		{ 0x0000c000, 0x14000, MEM_USABLE },
		{ 0x00020000, 0x80000, MEM_USABLE },
		{ 0x00100000, 0x700000, MEM_USABLE },
		{ 0x00800000, 0x8000, MEM_ACPI_NVS },
		{ 0x00808000, 0x3000, MEM_USABLE },
		{ 0x0080b000, 0x1000, MEM_ACPI_NVS },
		{ 0x0080c000, 0x5000, MEM_ACPI_NVS },
		{ 0x00811000, 0xef000, MEM_ACPI_NVS },
		{ 0x00900000, 0x1000000, MEM_USABLE },
		{ 0x01900000, 0x4000, MEM_USABLE },
		{ 0x01904000, 0x5dc4000, MEM_USABLE },
		{ 0x076c8000, 0x20000, MEM_RESERVED },
		{ 0x076e8000, 0x1e000, MEM_RESERVED },
		{ 0x07706000, 0x12000, MEM_ACPI_RECLAIM },
		{ 0x07718000, 0x4000, MEM_ACPI_RECLAIM },
		{ 0x0771c000, 0x84000, MEM_ACPI_NVS },
		{ 0x077a0000, 0x800000, MEM_USABLE },
		{ 0x07fa0000, 0x60000, MEM_ACPI_NVS },
		{ 0xb0000000, 0x10000000, MEM_RESERVED },
		{ 0xffc00000, 0x400000, MEM_RESERVED },
	};
	static const struct mem_range exp[] = {
		{ 0x00000000, 0x000a0000, MEM_USABLE },
		{ 0x00100000, 0x00800000, MEM_USABLE },
		{ 0x00800000, 0x00808000, MEM_ACPI_NVS },
		{ 0x00808000, 0x0080b000, MEM_USABLE },
		{ 0x0080b000, 0x00900000, MEM_ACPI_NVS },
		{ 0x00900000, 0x076c8000, MEM_USABLE },
		{ 0x076c8000, 0x07706000, MEM_RESERVED },
		{ 0x07706000, 0x0771c000, MEM_ACPI_RECLAIM },
		{ 0x0771c000, 0x077a0000, MEM_ACPI_NVS },
		{ 0x077a0000, 0x07fa0000, MEM_USABLE },
		{ 0x07fa0000, 0x08000000, MEM_ACPI_NVS },
		{ 0xb0000000, 0xc0000000, MEM_RESERVED },
		{ 0xffc00000, 0x100000000ULL, MEM_RESERVED },
	};
	struct memmap m = map_from(ovmf, ARRAY_SIZE(ovmf), ARRAY_SIZE(ovmf));

	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_MAP(&m, exp);
}

TEST(unsorted_input)
{
	static const struct raw raw[] = {
		{ 0xfffc0000, 0x40000, MEM_RESERVED },
		{ 0x00100000, 0x7ee0000, MEM_USABLE },
		{ 0x0009fc00, 0x400, MEM_RESERVED },
		{ 0x07fe0000, 0x20000, MEM_RESERVED },
		{ 0x00000000, 0x9fc00, MEM_USABLE },
		{ 0x000f0000, 0x10000, MEM_RESERVED },
	};
	struct memmap m = map_from(raw, ARRAY_SIZE(raw), ARRAY_SIZE(raw));
	struct mem_range exp[ARRAY_SIZE(seabios)];

	for (unsigned int i = 0; i < ARRAY_SIZE(seabios); i++)
		exp[i] = (struct mem_range){ seabios[i].start,
					     seabios[i].start + seabios[i].len, seabios[i].type };
	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_MAP(&m, exp);
}

TEST(overlap_reserved_wins_after_usable)
{
	static const struct raw raw[] = {
		{ 0x0000, 0x8000, MEM_USABLE },
		{ 0x6000, 0x4000, MEM_RESERVED },
	};
	static const struct mem_range exp[] = {
		{ 0x0000, 0x6000, MEM_USABLE },
		{ 0x6000, 0xa000, MEM_RESERVED },
	};
	struct memmap m = map_from(raw, ARRAY_SIZE(raw), ARRAY_SIZE(raw));

	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_MAP(&m, exp);
}

TEST(overlap_reserved_wins_before_usable)
{
	static const struct raw raw[] = {
		{ 0x6000, 0x4000, MEM_USABLE },
		{ 0x0000, 0x8000, MEM_RESERVED },
	};
	static const struct mem_range exp[] = {
		{ 0x0000, 0x8000, MEM_RESERVED },
		{ 0x8000, 0xa000, MEM_USABLE },
	};
	struct memmap m = map_from(raw, ARRAY_SIZE(raw), ARRAY_SIZE(raw));

	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_MAP(&m, exp);
}

TEST(overlap_same_start)
{
	static const struct raw raw[] = {
		{ 0x0000, 0x8000, MEM_USABLE },
		{ 0x0000, 0x2000, MEM_BAD },
	};
	static const struct mem_range exp[] = {
		{ 0x0000, 0x2000, MEM_BAD },
		{ 0x2000, 0x8000, MEM_USABLE },
	};
	/* No spare slot: the lower range just moves its start. */
	struct memmap m = map_from(raw, ARRAY_SIZE(raw), ARRAY_SIZE(raw));

	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_MAP(&m, exp);
}

TEST(acpi_inside_usable_splits_three_ways)
{
	static const struct raw raw[] = {
		{ 0x100000, 0x7f00000, MEM_USABLE },
		{ 0x7000000, 0x10000, MEM_ACPI_RECLAIM },
	};
	static const struct mem_range exp[] = {
		{ 0x100000, 0x7000000, MEM_USABLE },
		{ 0x7000000, 0x7010000, MEM_ACPI_RECLAIM },
		{ 0x7010000, 0x8000000, MEM_USABLE },
	};
	struct memmap m = map_from(raw, ARRAY_SIZE(raw), 3);

	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_MAP(&m, exp);
	CHECK_EQ(memmap_total(&m, MEM_USABLE), 0x7f00000 - 0x10000);
}

TEST(replacement_merges_back)
{
	/* [10,12) beats [10,20) and then touches [0,10) of its own type. */
	static const struct raw raw[] = {
		{ 0x0000, 0x1000, MEM_ACPI_RECLAIM },
		{ 0x1000, 0x1000, MEM_USABLE },
		{ 0x1000, 0x200, MEM_ACPI_RECLAIM },
	};
	static const struct mem_range exp[] = {
		{ 0x0000, 0x1200, MEM_ACPI_RECLAIM },
		{ 0x1200, 0x2000, MEM_USABLE },
	};
	struct memmap m = map_from(raw, ARRAY_SIZE(raw), ARRAY_SIZE(raw));

	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_MAP(&m, exp);
}

TEST(lower_type_inside_higher_vanishes)
{
	static const struct raw raw[] = {
		{ 0x1000, 0x1000, MEM_ACPI_NVS },
		{ 0x0000, 0x4000, MEM_RESERVED },
		{ 0x3000, 0x800, MEM_USABLE },
	};
	static const struct mem_range exp[] = {
		{ 0x0000, 0x4000, MEM_RESERVED },
	};
	struct memmap m = map_from(raw, ARRAY_SIZE(raw), ARRAY_SIZE(raw));

	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_MAP(&m, exp);
}

TEST(duplicates_collapse)
{
	static const struct raw raw[] = {
		{ 0x100000, 0x100000, MEM_USABLE },
		{ 0x0, 0x9f000, MEM_USABLE },
		{ 0x100000, 0x100000, MEM_USABLE },
		{ 0x0, 0x9f000, MEM_USABLE },
		{ 0x100000, 0x100000, MEM_USABLE },
	};
	static const struct mem_range exp[] = {
		{ 0x0, 0x9f000, MEM_USABLE },
		{ 0x100000, 0x200000, MEM_USABLE },
	};
	struct memmap m = map_from(raw, ARRAY_SIZE(raw), ARRAY_SIZE(raw));

	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_MAP(&m, exp);
}

TEST(duplicate_with_other_type)
{
	static const struct raw raw[] = {
		{ 0xe0000, 0x20000, MEM_RESERVED },
		{ 0xe0000, 0x20000, MEM_USABLE },
	};
	static const struct mem_range exp[] = {
		{ 0xe0000, 0x100000, MEM_RESERVED },
	};
	struct memmap m = map_from(raw, ARRAY_SIZE(raw), ARRAY_SIZE(raw));

	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_MAP(&m, exp);
}

TEST(zero_length_entries_ignored)
{
	static const struct mem_range exp[] = {
		{ 0x0000, 0x2000, MEM_USABLE },
	};
	struct memmap m;

	memmap_init(&m, storage, 8);
	CHECK_EQ(memmap_add(&m, 0x1000, 0, MEM_RESERVED), 0);
	CHECK_EQ(memmap_add(&m, 0x0000, 0x1000, MEM_USABLE), 0);
	CHECK_EQ(memmap_add(&m, 0x1000, 0x1000, MEM_USABLE), 0);
	/* Entries stored by hand bypass memmap_add; normalize drops them too. */
	storage[m.count++] = (struct mem_range){ 0x1800, 0x1800, MEM_BAD };
	storage[m.count++] = (struct mem_range){ 0x1800, 0x1000, MEM_BAD };
	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_MAP(&m, exp);
}

TEST(top_of_address_space)
{
	static const struct raw raw[] = {
		{ 0x100000000ULL, 0 - 0x100000000ULL, MEM_USABLE },   /* ends at 2^64 */
		{ 0xfffffffffff00000ULL, 0x100000, MEM_RESERVED },    /* ends at 2^64 */
	};
	static const struct mem_range exp[] = {
		{ 0x100000000ULL, 0xfffffffffff00000ULL, MEM_USABLE },
		{ 0xfffffffffff00000ULL, UINT64_MAX, MEM_RESERVED },
	};
	struct memmap m = map_from(raw, ARRAY_SIZE(raw), ARRAY_SIZE(raw));

	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_MAP(&m, exp);
	/* 0xfffffffffff00000 - 2 MiB rounded down to 2 MiB. */
	CHECK_EQ(memmap_find_top(&m, 2 * MiB, 2 * MiB), 0xffffffffffc00000ULL);
}

TEST(normalize_enospc_keeps_meaning)
{
	static const struct raw raw[] = {
		{ 0x0000, 0x10000, MEM_USABLE },
		{ 0x4000, 0x1000, MEM_ACPI_NVS },
	};
	struct memmap m = map_from(raw, ARRAY_SIZE(raw), 2);
	struct mem_range before[2] = { storage[0], storage[1] };

	CHECK_EQ(memmap_normalize(&m), -ENOSPC);
	CHECK_EQ(m.count, 2);
	CHECK(m.count <= m.capacity);
	for (hpa_t a = 0; a < 0x11000; a += 0x800)
		CHECK_EQ(type_at(m.ranges, m.count, a), type_at(before, 2, a));

	/* With one more slot, the same map normalizes. */
	m.capacity = 3;
	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_EQ(m.count, 3);
	CHECK(is_normalized(&m));
}

TEST(set_carves_module_from_usable)
{
	static const struct mem_range exp[] = {
		{ 0x00000000, 0x0009fc00, MEM_USABLE },
		{ 0x0009fc00, 0x000a0000, MEM_RESERVED },
		{ 0x000f0000, 0x00100000, MEM_RESERVED },
		{ 0x00100000, 0x00400000, MEM_USABLE },
		{ 0x00400000, 0x00a00000, MEM_MODULE },
		{ 0x00a00000, 0x07fe0000, MEM_USABLE },
		{ 0x07fe0000, 0x08000000, MEM_RESERVED },
		{ 0xfffc0000, 0x100000000ULL, MEM_RESERVED },
	};
	struct memmap m = map_from(seabios, ARRAY_SIZE(seabios), 8);

	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_EQ(memmap_set(&m, 0x400000, 0xa00000, MEM_MODULE), 0);
	CHECK_MAP(&m, exp);
	CHECK_EQ(memmap_total(&m, MEM_MODULE), 0x600000);
}

TEST(set_over_hole_keeps_hole)
{
	static const struct mem_range exp[] = {
		{ 0x00000000, 0x00080000, MEM_USABLE },
		{ 0x00080000, 0x000a0000, MEM_LOWMEM },
		{ 0x000f0000, 0x00200000, MEM_LOWMEM },
		{ 0x00200000, 0x07fe0000, MEM_USABLE },
		{ 0x07fe0000, 0x08000000, MEM_RESERVED },
		{ 0xfffc0000, 0x100000000ULL, MEM_RESERVED },
	};
	struct memmap m = map_from(seabios, ARRAY_SIZE(seabios), 7);

	CHECK_EQ(memmap_normalize(&m), 0);
	/* Crosses the 0xa0000-0xf0000 hole: it stays a hole, the rest merges. */
	CHECK_EQ(memmap_set(&m, 0x80000, 0x200000, MEM_LOWMEM), 0);
	CHECK_MAP(&m, exp);
}

TEST(set_merges_with_neighbours)
{
	static const struct mem_range exp[] = {
		{ 0x00000000, 0x0009fc00, MEM_USABLE },
		{ 0x0009fc00, 0x000a0000, MEM_RESERVED },
		{ 0x000f0000, 0x00100000, MEM_RESERVED },
		{ 0x00100000, 0x07f00000, MEM_USABLE },
		{ 0x07f00000, 0x08000000, MEM_RESERVED },
		{ 0xfffc0000, 0x100000000ULL, MEM_RESERVED },
	};
	struct memmap m = map_from(seabios, ARRAY_SIZE(seabios), 6);

	CHECK_EQ(memmap_normalize(&m), 0);
	/* Joins the reserved range above: no spare slot needed. */
	CHECK_EQ(memmap_set(&m, 0x7f00000, 0x7fe0000, MEM_RESERVED), 0);
	CHECK_MAP(&m, exp);
	/* The whole usable range turned reserved merges three into one. */
	CHECK_EQ(memmap_set(&m, 0x100000, 0x7f00000, MEM_RESERVED), 0);
	CHECK_EQ(m.count, 4);
	CHECK_EQ(m.ranges[2].start, 0xf0000);
	CHECK_EQ(m.ranges[2].end, 0x8000000);
	CHECK(is_normalized(&m));
}

TEST(set_same_type_needs_no_room)
{
	struct memmap m = map_from(seabios, ARRAY_SIZE(seabios), 6);

	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_EQ(memmap_set(&m, 0x200000, 0x300000, MEM_USABLE), 0);
	CHECK_EQ(m.count, 6);
	CHECK_EQ(memmap_set(&m, 0x300000, 0x300000, MEM_MODULE), 0);   /* empty */
	CHECK_EQ(memmap_set(&m, 0x400000, 0x300000, MEM_MODULE), 0);   /* backwards */
	CHECK_EQ(m.count, 6);
	CHECK_EQ(memmap_set(&m, 0x20000000, 0x30000000, MEM_MODULE), 0);   /* all hole */
	CHECK_EQ(m.count, 6);
	CHECK_EQ(memmap_total(&m, MEM_MODULE), 0);
}

TEST(set_enospc_leaves_map)
{
	struct memmap m = map_from(seabios, ARRAY_SIZE(seabios), 7);
	struct mem_range before[ARRAY_SIZE(seabios)];

	CHECK_EQ(memmap_normalize(&m), 0);
	for (unsigned int i = 0; i < m.count; i++)
		before[i] = m.ranges[i];
	/* A split in the middle of RAM needs two slots; only one is free. */
	CHECK_EQ(memmap_set(&m, 0x400000, 0xa00000, MEM_HV_IMAGE), -ENOSPC);
	CHECK_MAP(&m, before);
	/* At the top of a range one slot is enough. */
	CHECK_EQ(memmap_set(&m, 0x7000000, 0x7fe0000, MEM_HV_WORKING), 0);
	CHECK_EQ(m.count, 7);
	CHECK(is_normalized(&m));
}

TEST(find_top_aligns_2m)
{
	struct memmap m = map_from(seabios, ARRAY_SIZE(seabios), 6);

	CHECK_EQ(memmap_normalize(&m), 0);
	/* Usable RAM ends at 0x7fe0000, not 2 MiB aligned: round down. */
	CHECK_EQ(memmap_find_top(&m, 4 * MiB, 2 * MiB), 0x7a00000);
	CHECK_EQ(memmap_find_top(&m, 4 * MiB, PAGE_SIZE), 0x7be0000);
	CHECK_EQ(memmap_find_top(&m, PAGE_SIZE, PAGE_SIZE), 0x7fdf000);
	/* Exactly the whole range. */
	CHECK_EQ(memmap_find_top(&m, 0x7ee0000, PAGE_SIZE), 0x100000);
	CHECK_EQ(memmap_find_top(&m, 0x7ee0000, 2 * MiB), INVALID_HPA);
	CHECK_EQ(memmap_find_top(&m, 0x7ee1000, PAGE_SIZE), INVALID_HPA);
}

TEST(find_top_falls_back_to_lower_range)
{
	static const struct raw raw[] = {
		{ 0x00100000, 0x3f00000, MEM_USABLE },    /* 1 MiB .. 64 MiB */
		{ 0x10000000, 0x300000, MEM_USABLE },     /* 3 MiB: too small once aligned */
		{ 0x20000000, 0x1000000, MEM_RESERVED },  /* big but not usable */
	};
	struct memmap m = map_from(raw, ARRAY_SIZE(raw), 3);

	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_EQ(memmap_find_top(&m, 2 * MiB, 2 * MiB), 0x10000000);
	/* 4 MiB fits only the first range; 0x10000000 + 3 MiB can't hold it. */
	CHECK_EQ(memmap_find_top(&m, 4 * MiB, 2 * MiB), 0x3c00000);
	/* 3 MiB at 2 MiB alignment: 0x10000000 works exactly. */
	CHECK_EQ(memmap_find_top(&m, 3 * MiB, 2 * MiB), 0x10000000);
	/* 3 MiB at 1 GiB alignment: nowhere. */
	CHECK_EQ(memmap_find_top(&m, 3 * MiB, GiB), INVALID_HPA);
}

TEST(find_top_unaligned_range_too_small)
{
	static const struct raw raw[] = {
		{ 0x00200000, 0x400000, MEM_USABLE },
		{ 0x00a01000, 0x3ff000, MEM_USABLE },  /* 4 MiB minus a page, misaligned */
	};
	struct memmap m = map_from(raw, ARRAY_SIZE(raw), 2);

	CHECK_EQ(memmap_normalize(&m), 0);
	/* 2 MiB fits the upper range at 0xc00000 only. */
	CHECK_EQ(memmap_find_top(&m, 2 * MiB, 2 * MiB), 0xc00000);
	/* 4 MiB of room not contiguous up top: the lower range. */
	CHECK_EQ(memmap_find_top(&m, 4 * MiB, 2 * MiB), 0x200000);
}

TEST(find_top_bad_arguments)
{
	struct memmap m = map_from(seabios, ARRAY_SIZE(seabios), 6);

	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_EQ(memmap_find_top(&m, 0, PAGE_SIZE), INVALID_HPA);
	CHECK_EQ(memmap_find_top(&m, PAGE_SIZE, 0), INVALID_HPA);
	CHECK_EQ(memmap_find_top(&m, PAGE_SIZE, 3 * PAGE_SIZE), INVALID_HPA);
	CHECK_EQ(memmap_find_top(&m, UINT64_MAX, PAGE_SIZE), INVALID_HPA);
	CHECK_EQ(memmap_find_top(&m, PAGE_SIZE, 1), 0x7fdf000);
}

TEST(totals)
{
	static const struct raw raw[] = {
		{ 0x0, 0x9f000, MEM_USABLE },
		{ 0x9f000, 0x1000, MEM_RESERVED },
		{ 0x100000, 0x100000, MEM_ACPI_RECLAIM },
		{ 0x200000, 0x100000, MEM_USABLE },
		{ 0x300000, 0x2000, MEM_ACPI_NVS },
		{ 0x400000, 0x1000, MEM_BAD },
	};
	struct memmap m = map_from(raw, ARRAY_SIZE(raw), 8);

	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_EQ(memmap_total(&m, MEM_USABLE), 0x19f000);
	CHECK_EQ(memmap_total(&m, MEM_RESERVED), 0x1000);
	CHECK_EQ(memmap_total(&m, MEM_ACPI_RECLAIM), 0x100000);
	CHECK_EQ(memmap_total(&m, MEM_ACPI_NVS), 0x2000);
	CHECK_EQ(memmap_total(&m, MEM_BAD), 0x1000);
	CHECK_EQ(memmap_total(&m, MEM_MODULE), 0);
	CHECK_EQ(memmap_set(&m, 0x200000, 0x280000, MEM_HV_IMAGE), 0);
	CHECK_EQ(memmap_total(&m, MEM_USABLE), 0x11f000);
	CHECK_EQ(memmap_total(&m, MEM_HV_IMAGE), 0x80000);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t xorshift64(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

#define UNIVERSE 512u   /* small, so boundaries coincide often and every address is checked */

/* Fills raw[] with n random ranges in [0, UNIVERSE), some empty, duplicated or nested. */
static void random_ranges(struct mem_range *raw, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		hpa_t s = xorshift64() % UNIVERSE;
		uint64_t len = xorshift64() % (xorshift64() % 4 ? 64 : UNIVERSE);

		if (i && xorshift64() % 8 == 0) {
			raw[i] = raw[xorshift64() % i];   /* duplicate */
			continue;
		}
		raw[i] = (struct mem_range){ s, MIN(s + len, (hpa_t)UNIVERSE),
					     (enum mem_type)(xorshift64() % MEM_TYPE_COUNT) };
	}
}

TEST(random_normalize_matches_reference)
{
	struct mem_range raw[64];
	unsigned int failures = 0;

	for (int iter = 0; iter < 3000 && failures < 5; iter++) {
		unsigned int n = 1 + xorshift64() % 48;
		struct memmap m;

		random_ranges(raw, n);
		memmap_init(&m, storage, CAP);
		for (unsigned int i = 0; i < n; i++)
			CHECK_EQ(memmap_add(&m, raw[i].start, raw[i].end - raw[i].start,
					    raw[i].type), 0);
		CHECK_EQ(memmap_normalize(&m), 0);
		CHECK(m.count <= 2 * n);
		if (!is_normalized(&m)) {
			CHECK(is_normalized(&m));
			failures++;
			continue;
		}
		for (hpa_t a = 0; a <= UNIVERSE; a++) {
			int want = type_at(raw, n, a), got = type_at(m.ranges, m.count, a);

			if (want != got) {
				CHECK_EQ(got, want);
				failures++;
				break;
			}
		}
	}
}

TEST(random_normalize_small_storage)
{
	struct mem_range raw[32];
	unsigned int ok = 0, full = 0;

	/* Any capacity: either success, or -ENOSPC with the same memory described. */
	for (int iter = 0; iter < 2000; iter++) {
		unsigned int n = 1 + xorshift64() % 24;
		unsigned int cap = n + xorshift64() % (n + 1);
		struct memmap m;
		int ret;

		random_ranges(raw, n);
		memmap_init(&m, storage, cap);
		for (unsigned int i = 0; i < n; i++)
			CHECK_EQ(memmap_add(&m, raw[i].start, raw[i].end - raw[i].start,
					    raw[i].type), 0);
		ret = memmap_normalize(&m);
		CHECK(ret == 0 || ret == -ENOSPC);
		CHECK(m.count <= cap);
		ok += ret == 0;
		full += ret == -ENOSPC;
		if (ret == 0)
			CHECK(is_normalized(&m));
		for (hpa_t a = 0; a <= UNIVERSE; a += 3)
			if (type_at(m.ranges, m.count, a) != type_at(raw, n, a)) {
				CHECK_EQ(type_at(m.ranges, m.count, a), type_at(raw, n, a));
				break;
			}
	}
	CHECK(ok > 0 && full > 0);
}

/* Number of maximal runs of equal type in ref[] (holes are -1 and separate runs). */
static unsigned int ref_runs(const int *ref)
{
	unsigned int n = 0;

	for (hpa_t a = 0; a < UNIVERSE; a++)
		if (ref[a] >= 0 && (a == 0 || ref[a - 1] != ref[a]))
			n++;
	return n;
}

TEST(random_set_matches_reference)
{
	struct mem_range raw[40], before[CAP];
	unsigned int ok = 0, full = 0;

	for (int iter = 0; iter < 1000; iter++) {
		unsigned int n = 1 + xorshift64() % 32;
		int ref[UNIVERSE], next[UNIVERSE];
		struct memmap m;

		random_ranges(raw, n);
		memmap_init(&m, storage, CAP);
		for (unsigned int i = 0; i < n; i++)
			CHECK_EQ(memmap_add(&m, raw[i].start, raw[i].end - raw[i].start,
					    raw[i].type), 0);
		CHECK_EQ(memmap_normalize(&m), 0);
		for (hpa_t a = 0; a < UNIVERSE; a++)
			ref[a] = type_at(raw, n, a);
		CHECK_EQ(m.count, ref_runs(ref));
		/* Tight storage: some sets fit, some must fail without a trace. */
		m.capacity = m.count + xorshift64() % 3;

		for (int k = 0; k < 8; k++) {
			hpa_t s = xorshift64() % UNIVERSE, e = xorshift64() % (UNIVERSE + 1);
			enum mem_type t = (enum mem_type)(xorshift64() % MEM_TYPE_COUNT);
			unsigned int count = m.count;
			int ret;

			for (hpa_t a = 0; a < UNIVERSE; a++)
				next[a] = (a >= s && a < e && ref[a] >= 0) ? (int)t : ref[a];
			for (unsigned int i = 0; i < count; i++)
				before[i] = m.ranges[i];
			ret = memmap_set(&m, s, e, t);
			if (ref_runs(next) > m.capacity) {
				CHECK_EQ(ret, -ENOSPC);
				CHECK_EQ(m.count, count);
				for (unsigned int i = 0; i < count && i < m.count; i++)
					CHECK(m.ranges[i].start == before[i].start &&
					      m.ranges[i].end == before[i].end &&
					      m.ranges[i].type == before[i].type);
				full++;
				continue;
			}
			CHECK_EQ(ret, 0);
			ok++;
			for (hpa_t a = 0; a < UNIVERSE; a++)
				ref[a] = next[a];
		}
		CHECK(is_normalized(&m));
		CHECK_EQ(m.count, ref_runs(ref));
		for (hpa_t a = 0; a <= UNIVERSE; a++)
			if (type_at(m.ranges, m.count, a) != (a < UNIVERSE ? ref[a] : -1)) {
				CHECK_EQ(type_at(m.ranges, m.count, a), a < UNIVERSE ? ref[a] : -1);
				break;
			}
	}
	CHECK(ok > 0 && full > 0);
}

static bool pred_usable(enum mem_type t) { return t == MEM_USABLE; }
static bool pred_ram(enum mem_type t) { return t == MEM_USABLE || t == MEM_MODULE; }

TEST(range_all_over_types_holes_and_wrap)
{
	struct mem_range st[8];
	struct memmap m;

	memmap_init(&m, st, 8);
	CHECK_EQ(memmap_add(&m, 0x1000, 0x9000, MEM_USABLE), 0);     /* [0x1000, 0xa000) */
	CHECK_EQ(memmap_add(&m, 0xa000, 0x1000, MEM_MODULE), 0);     /* [0xa000, 0xb000) */
	CHECK_EQ(memmap_add(&m, 0xc000, 0x1000, MEM_USABLE), 0);     /* hole at 0xb000 */
	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK(memmap_range_all(&m, 0x1000, 0x9000, pred_usable));
	CHECK(memmap_range_all(&m, 0x2000, 0x100, pred_usable));
	CHECK(!memmap_range_all(&m, 0x9000, 0x2000, pred_usable));  /* runs into the module */
	CHECK(memmap_range_all(&m, 0x9000, 0x2000, pred_ram));
	CHECK(!memmap_range_all(&m, 0xa000, 0x2001, pred_ram));     /* the hole */
	CHECK(!memmap_range_all(&m, 0x0, 0x1001, pred_ram));        /* before the first range */
	CHECK(!memmap_range_all(&m, 0xc000, 0x1001, pred_ram));     /* past the last */
	CHECK(memmap_range_all(&m, 0xc000, 0x1000, pred_ram));
	CHECK(memmap_range_all(&m, 0x50000, 0, pred_ram));          /* empty */
	CHECK(!memmap_range_all(&m, 0x2000, UINT64_MAX, pred_ram)); /* wraps */
}

TEST(retype_only_the_from_type)
{
	struct mem_range st[16];
	struct memmap m;
	static const struct mem_range want[] = {
		{ 0x0, 0x2000, MEM_USABLE }, { 0x2000, 0x3000, MEM_RESERVED },
		{ 0x3000, 0x4000, MEM_LOWMEM }, { 0x5000, 0x6000, MEM_LOWMEM }, { 0x6000, 0x8000, MEM_USABLE },
	};

	memmap_init(&m, st, 16);
	CHECK_EQ(memmap_add(&m, 0x0, 0x4000, MEM_USABLE), 0);
	CHECK_EQ(memmap_add(&m, 0x2000, 0x1000, MEM_RESERVED), 0);
	CHECK_EQ(memmap_add(&m, 0x5000, 0x3000, MEM_USABLE), 0);    /* hole at 0x4000 */
	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_EQ(memmap_retype(&m, 0x2000, 0x6000, MEM_USABLE, MEM_LOWMEM), 0);
	CHECK_MAP(&m, want);
	CHECK(is_normalized(&m));
	CHECK_EQ(memmap_retype(&m, 0x0, 0x8000, MEM_LOWMEM, MEM_LOWMEM), 0);   /* no-op */
	CHECK_MAP(&m, want);
	CHECK_EQ(memmap_retype(&m, 0x0, 0x8000, MEM_LOWMEM, MEM_USABLE), 0);
	CHECK_EQ(m.count, 4);
	CHECK_EQ(memmap_total(&m, MEM_USABLE), 0x6000);
}
