/* tests/unit/mm/test_hv_layout.c - host tests for the hypervisor's block:
 * module copies and working memory at the top of RAM, guest RAM one run below. */
#include "tests/unit/check.h"
#include "mm/hv_layout.h"

#define CAP 64

static struct mem_range storage[CAP];

/* Bochs, 512 MiB, as GRUB leaves it for hv-linux.iso: the image loaded high
 * (relocatable tag), the information block and the two modules low. */
#define IMAGE_PA      0x1fe00000ULL
#define IMAGE_END     0x1fe80000ULL
#define INFO_PA       0x106000ULL
#define KERNEL_PA     0x107000ULL
#define KERNEL_SIZE   14190528ULL           /* Debian 6.1 cloud bzImage */
#define INITRD_PA     0xe90000ULL
#define INITRD_SIZE   1041133ULL

static const struct { hpa_t start; uint64_t len; uint32_t type; } bochs_e820[] = {
	{ 0x0, 0x9f000, 1 }, { 0x9f000, 0x1000, 2 }, { 0xe8000, 0x18000, 2 },
	{ 0x100000, 0x1fef0000, 1 }, { 0x1fff0000, 0x10000, 3 }, { 0xfffc0000, 0x40000, 2 },
};

/* The host map as mm/setup.c's build_host_map() makes it. */
static struct memmap host_map(const struct hv_layout_module *mods, unsigned int n)
{
	struct memmap m;

	memmap_init(&m, storage, CAP);
	for (unsigned int i = 0; i < ARRAY_SIZE(bochs_e820); i++)
		CHECK_EQ(memmap_add(&m, bochs_e820[i].start, bochs_e820[i].len,
				    memmap_type_from_boot(bochs_e820[i].type)), 0);
	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_EQ(memmap_retype(&m, 0, 1 * MiB, MEM_USABLE, MEM_LOWMEM), 0);
	CHECK_EQ(memmap_set(&m, IMAGE_PA, IMAGE_END, MEM_HV_IMAGE), 0);
	CHECK_EQ(memmap_set(&m, INFO_PA, INFO_PA + PAGE_SIZE, MEM_BOOT_INFO), 0);
	for (unsigned int i = 0; i < n; i++)
		CHECK_EQ(memmap_set(&m, ALIGN_DOWN(mods[i].start, PAGE_SIZE), ALIGN_UP(mods[i].end, PAGE_SIZE),
				    MEM_MODULE), 0);
	return m;
}

#include "tests/unit/mm/memmap_check.h"

TEST(bochs_linux_modules_copied_below_working_memory)
{
	static const struct hv_layout_module mods[] = {
		{ KERNEL_PA, KERNEL_PA + KERNEL_SIZE }, { INITRD_PA, INITRD_PA + INITRD_SIZE },
	};
	struct memmap m = host_map(mods, 2);
	struct hv_layout l;
	/* 13.5 MiB + 1017 KiB of pages -> 16 MiB of copies, 64 MiB of working memory,
	 * ending where the image starts. */
	static const struct mem_range want[] = {
		{ 0x0, 0x9f000, MEM_LOWMEM }, { 0x9f000, 0xa0000, MEM_RESERVED },
		{ 0xe8000, 0x100000, MEM_RESERVED }, { 0x100000, INFO_PA, MEM_USABLE },
		{ INFO_PA, INFO_PA + PAGE_SIZE, MEM_BOOT_INFO },
		{ INFO_PA + PAGE_SIZE, 0x1ae00000, MEM_USABLE },     /* one run where the modules were */
		{ 0x1ae00000, 0x1be00000, MEM_MODULE }, { 0x1be00000, IMAGE_PA, MEM_HV_WORKING },
		{ IMAGE_PA, IMAGE_END, MEM_HV_IMAGE }, { IMAGE_END, 0x1fff0000, MEM_USABLE },
		{ 0x1fff0000, 0x20000000, MEM_ACPI_RECLAIM }, { 0xfffc0000, 0x100000000ULL, MEM_RESERVED },
	};

	CHECK_EQ(hv_layout_plan(&m, 64 * MiB, mods, 2, &l), 0);
	CHECK_EQ(l.start, 0x1ae00000);
	CHECK_EQ(l.modules, 0x1ae00000);
	CHECK_EQ(l.modules_size, 16 * MiB);
	CHECK_EQ(l.module_count, 2);
	CHECK_EQ(l.module_at[0], 0x1ae00000);
	CHECK_EQ(l.module_at[1], 0x1ae00000 + ALIGN_UP(KERNEL_SIZE, PAGE_SIZE));
	CHECK_EQ(l.work, 0x1be00000);
	CHECK_EQ(l.work_size, 64 * MiB);
	CHECK_EQ(l.work + l.work_size, IMAGE_PA);
	CHECK_EQ(m.count, 11);                               /* plan does not touch the map */
	CHECK_EQ(hv_layout_apply(&m, &l, mods, 2), 0);
	CHECK_MAP(&m, want);
}

TEST(no_modules_working_memory_at_the_top)
{
	struct memmap m = host_map(NULL, 0);
	struct hv_layout l;

	CHECK_EQ(hv_layout_plan(&m, 64 * MiB, NULL, 0, &l), 0);
	CHECK_EQ(l.modules_size, 0);
	CHECK_EQ(l.start, IMAGE_PA - 64 * MiB);
	CHECK_EQ(l.work, IMAGE_PA - 64 * MiB);
	CHECK_EQ(hv_layout_apply(&m, &l, NULL, 0), 0);
	CHECK_EQ(memmap_total(&m, MEM_MODULE), 0);
	CHECK_EQ(memmap_total(&m, MEM_HV_WORKING), 64 * MiB);
}

/* Page-rounded copies in order; an empty module takes no room. */
TEST(copies_page_aligned_in_order)
{
	static const struct hv_layout_module mods[] = {
		{ 0x200000, 0x200001 }, { 0x300000, 0x300000 }, { 0x400123, 0x402000 }, { 0x500000, 0x501000 },
	};
	struct memmap m = host_map(mods, 4);
	struct hv_layout l;

	CHECK_EQ(hv_layout_plan(&m, 16 * MiB, mods, 4, &l), 0);
	CHECK_EQ(l.modules_size, 2 * MiB);
	CHECK_EQ(l.module_at[0], l.modules);
	CHECK_EQ(l.module_at[1], l.modules + 0x1000);
	CHECK_EQ(l.module_at[2], l.modules + 0x1000);
	CHECK_EQ(l.module_at[3], l.modules + 0x3000);
	CHECK_EQ(l.work, l.modules + 2 * MiB);
	CHECK_EQ(l.work + 16 * MiB, IMAGE_PA);
	CHECK_EQ(hv_layout_apply(&m, &l, mods, 4), 0);
	/* The boot loader's ranges are usable again: one run from 1 MiB past the info block. */
	CHECK_EQ(m.ranges[5].start, INFO_PA + PAGE_SIZE);
	CHECK_EQ(m.ranges[5].end, l.start);
	CHECK_EQ(m.ranges[5].type, MEM_USABLE);
}

/* RAM above 4 GiB: the block goes to the top of the highest range, the
 * modules' old places below 4 GiB become usable. */
TEST(block_above_4g)
{
	static const struct hv_layout_module mods[] = { { 0x1000000, 0x1800000 } };
	struct memmap m = host_map(mods, 1);
	struct hv_layout l;

	CHECK_EQ(memmap_add(&m, 0x100000000ULL, 0x40000000ULL, MEM_USABLE), 0);
	CHECK_EQ(memmap_normalize(&m), 0);
	CHECK_EQ(hv_layout_plan(&m, 64 * MiB, mods, 1, &l), 0);
	CHECK_EQ(l.work + 64 * MiB, 0x140000000ULL);
	CHECK_EQ(l.modules, 0x140000000ULL - 64 * MiB - 8 * MiB);
	CHECK_EQ(hv_layout_apply(&m, &l, mods, 1), 0);
	CHECK_EQ(memmap_total(&m, MEM_MODULE), 8 * MiB);
	for (unsigned int i = 0; i < m.count; i++)
		if (m.ranges[i].start <= 0x1000000 && m.ranges[i].end > 0x1000000) {
			CHECK_EQ(m.ranges[i].type, MEM_USABLE);
			CHECK_EQ(m.ranges[i].end, IMAGE_PA);
		}
}

TEST(bad_requests)
{
	static struct hv_layout_module many[HV_LAYOUT_MODULES_MAX + 1];
	static const struct hv_layout_module backwards[] = { { 0x300000, 0x2ff000 } };
	static const struct hv_layout_module huge[] = { { 0, UINT64_MAX - 0x1000 } };
	static const struct hv_layout_module big[] = { { 0x1000000, 0x1000000 + 460 * MiB } };
	struct memmap m = host_map(NULL, 0);
	struct hv_layout l;

	for (unsigned int i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct hv_layout_module){ 0x1000000 + i * PAGE_SIZE, 0x1000000 + (i + 1) * PAGE_SIZE };
	CHECK_EQ(hv_layout_plan(&m, 64 * MiB, many, HV_LAYOUT_MODULES_MAX + 1, &l), -EINVAL);
	CHECK_EQ(hv_layout_plan(&m, 64 * MiB, many, HV_LAYOUT_MODULES_MAX, &l), 0);
	CHECK_EQ(hv_layout_plan(&m, 64 * MiB, backwards, 1, &l), -EINVAL);
	CHECK_EQ(hv_layout_plan(&m, 64 * MiB, huge, 1, &l), -EINVAL);
	CHECK_EQ(hv_layout_plan(&m, 0, NULL, 0, &l), -EINVAL);
	CHECK_EQ(hv_layout_plan(&m, 63 * MiB, NULL, 0, &l), -EINVAL);
	CHECK_EQ(hv_layout_plan(&m, 64 * MiB, NULL, 1, &l), -EINVAL);
	CHECK_EQ(hv_layout_plan(&m, 512 * MiB, NULL, 0, &l), -ENOMEM);
	/* 64 MiB of working memory fits, but not with 460 MiB of copies beside it. */
	CHECK_EQ(hv_layout_plan(&m, 64 * MiB, big, 1, &l), -ENOMEM);
}
