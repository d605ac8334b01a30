/* mm/setup.c - bringing up the hypervisor's memory: the host memory map with
 * its carve-outs, one block at the top of RAM for the boot modules' copies
 * and the working memory, page tables, frames, heap. */
#include "mm/malloc.h"
#include "mm/heap.h"
#include "mm/hv_layout.h"
#include "mm/paging.h"
#include "arch/cpuinfo.h"
#include "lib/print.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/spinlock.h"

#define HOST_MAP_CAPACITY 512
#define HEAP_INITIAL      (4 * MiB)

static struct mem_range host_ranges[HOST_MAP_CAPACITY];
static struct memmap host_map;
static struct frame_alloc frames;
static struct heap hv_heap;
static struct hv_layout layout;
static hpa_t given_pool_start, given_pool_end;     /* chain mode: [start, end), else 0, 0 */
static struct hv_layout_module boot_mods[HV_LAYOUT_MODULES_MAX];
_Static_assert(HV_LAYOUT_MODULES_MAX == BOOT_MODULES_MAX, "every boot module gets a copy");

const struct memmap *mm_host_map(void) { return &host_map; }

void mm_use_pool(hpa_t start, hpa_t end)
{
	given_pool_start = start;
	given_pool_end = end;
}
struct frame_alloc *mm_frames(void) { return &frames; }

static int build_host_map(const struct boot_info *bi)
{
	int rc = 0;

	memmap_init(&host_map, host_ranges, HOST_MAP_CAPACITY);
	for (unsigned int i = 0; i < bi->mmap_count && !rc; i++)
		rc = memmap_add(&host_map, bi->mmap[i].addr, bi->mmap[i].len,
				memmap_type_from_boot(bi->mmap[i].type));
	if (!rc)
		rc = memmap_normalize(&host_map);
	/* Carve-outs: later ones win where they overlap (a module in low memory stays a module). */
	if (!rc)
		rc = memmap_retype(&host_map, 0, 1 * MiB, MEM_USABLE, MEM_LOWMEM);
	if (!rc)
		rc = memmap_set(&host_map, image_phys_start(), image_phys_end(), MEM_HV_IMAGE);
	if (!rc)
		rc = memmap_set(&host_map, ALIGN_DOWN(bi->info_start, PAGE_SIZE),
				ALIGN_UP(bi->info_end, PAGE_SIZE), MEM_BOOT_INFO);
	for (unsigned int i = 0; i < bi->module_count && !rc; i++)
		rc = memmap_set(&host_map, ALIGN_DOWN(bi->modules[i].start, PAGE_SIZE),
				ALIGN_UP(bi->modules[i].end, PAGE_SIZE), MEM_MODULE);
	return rc;
}

/*
 * Plans the hypervisor's block (module copies and working memory,
 * mm/hv_layout.h) at the top of usable RAM, leaving out EFI boot services
 * memory. That is free RAM after ExitBootServices, but firmware
 * configuration tables the guest reads through the EFI system table (EDK II's
 * memory attributes table, the ESRT) may lie in it, and the guest cannot read
 * hidden memory. Falls back to plain top of RAM if nothing else fits.
 */
static int plan_hv_block(const struct boot_info *bi, uint64_t work_size,
			 const struct hv_layout_module *mods, struct hv_layout *layout)
{
	static struct mem_range scratch_ranges[HOST_MAP_CAPACITY];
	struct memmap scratch;
	int rc = 0;

	memmap_init(&scratch, scratch_ranges, HOST_MAP_CAPACITY);
	for (unsigned int i = 0; i < host_map.count && !rc; i++)
		rc = memmap_add(&scratch, host_map.ranges[i].start,
				host_map.ranges[i].end - host_map.ranges[i].start, host_map.ranges[i].type);
	for (unsigned int i = 0; i < bi->efi.mmap_count && !rc; i++) {
		const struct efi_desc *d = &bi->efi.mmap[i];

		if (d->type == EFI_BOOT_SERVICES_CODE || d->type == EFI_BOOT_SERVICES_DATA)
			rc = memmap_set(&scratch, d->phys, d->phys + (d->pages << EFI_PAGE_SHIFT),
					MEM_RESERVED);
	}
	if (!rc)
		rc = hv_layout_plan(&scratch, work_size, mods, bi->module_count, layout);
	if (rc == -EINVAL || !bi->efi.mmap_count)
		return rc;
	if (rc) {
		rc = hv_layout_plan(&host_map, work_size, mods, bi->module_count, layout);
		if (!rc)
			printf("warning: no room for hypervisor memory outside EFI boot services memory: "
			       "firmware tables there may be hidden from the guest\n");
	}
	return rc;
}

static void print_host_map(void)
{
	char size[32];

	printf("memory map:\n");
	printf("  %-18s  %-18s  %10s  %s\n", "start", "end", "size", "type");
	for (unsigned int i = 0; i < host_map.count; i++) {
		const struct mem_range *r = &host_map.ranges[i];

		fmt_size(size, sizeof(size), r->end - r->start);
		printf("  0x%016llx  0x%016llx  %10s  %s\n", (unsigned long long)r->start,
		       (unsigned long long)(r->end - 1), size, memmap_type_name(r->type));
	}
	fmt_size(size, sizeof(size), memmap_total(&host_map, MEM_USABLE));
	printf("  usable RAM left for guests: %s\n", size);
}

static void heap_failed(void *ctx, enum heap_error err, const void *ptr)
{
	panic("heap: %s at %p", heap_error_name(err), ptr);
}

/* Copies the modules into the block (the boot loader's ranges are usable
 * RAM from now on) and points bi at the copies. */
static void copy_modules(struct boot_info *bi)
{
	char size[32];

	for (unsigned int i = 0; i < bi->module_count; i++) {
		uint64_t len = bi->modules[i].end - bi->modules[i].start;

		memcpy(hpa_to_ptr(layout.module_at[i]), hpa_to_ptr(bi->modules[i].start), len);
		bi->modules[i].start = layout.module_at[i];
		bi->modules[i].end = layout.module_at[i] + len;
	}
	if (!bi->module_count)
		return;
	fmt_size(size, sizeof(size), layout.modules_size);
	printf("boot modules: %u copied to 0x%016llx-0x%016llx (%s, hidden from guests)\n",
	       bi->module_count, (unsigned long long)layout.modules,
	       (unsigned long long)(layout.modules + layout.modules_size - 1), size);
}

int mm_init(struct boot_info *bi, const struct hv_options *opt)
{
	struct cpuinfo ci;
	uint64_t hv_mem = opt->hv_mem;
	hpa_t work, meta_end, heap_pa;
	size_t meta_size;
	char size[32];
	int rc;

	if (bi->mmap_count == 0) {
		printf("hv: the boot loader gave no memory map; cannot continue\n");
		return -EINVAL;
	}
	if (bi->mmap_truncated)
		printf("warning: memory map truncated to %u entries\n", bi->mmap_count);
	rc = build_host_map(bi);
	if (rc) {
		printf("hv: memory map has more than %u ranges; cannot continue\n", HOST_MAP_CAPACITY);
		return rc;
	}

	for (unsigned int i = 0; i < bi->module_count; i++)
		boot_mods[i] = (struct hv_layout_module){ bi->modules[i].start, bi->modules[i].end };
	if (given_pool_end) {
		/* The loader's pool: working memory, no module copies (the
		 * caller dropped the modules: they stay the loader's). */
		hv_mem = given_pool_end - given_pool_start;
		layout = (struct hv_layout){ .start = given_pool_start, .modules = given_pool_start,
					     .work = given_pool_start, .work_size = hv_mem };
		rc = 0;
	} else {
		rc = plan_hv_block(bi, hv_mem, boot_mods, &layout);
	}
	fmt_size(size, sizeof(size), hv_mem);
	if (rc) {
		print_host_map();
		printf("hv: no usable RAM range can hold %s of hypervisor memory and copies of %u boot "
		       "modules (set a smaller hvmem=)\n", size, bi->module_count);
		return -ENOMEM;
	}
	rc = hv_layout_apply(&host_map, &layout, boot_mods, bi->module_count);
	if (rc)
		return rc;
	work = layout.work;
	print_host_map();
	printf("hypervisor memory: %s at 0x%016llx-0x%016llx (%s)\n", size,
	       (unsigned long long)work, (unsigned long long)(work + hv_mem - 1),
	       given_pool_end ? "the UEFI loader's pool" : "top of usable RAM");

	cpuinfo_read(&ci);
	rc = paging_init(work, hv_mem, ci.page_1g);
	if (rc) {
		printf("hv: building the hypervisor's page tables failed (%d)\n", rc);
		return rc;
	}

	/* The allocator's metadata sits at the start of working memory, reserved. */
	meta_size = frame_alloc_meta_size(hv_mem / PAGE_SIZE);
	meta_end = ALIGN_UP(work + meta_size, PAGE_SIZE);
	rc = frame_alloc_init(&frames, work, hv_mem, hpa_to_ptr(work), meta_size);
	if (!rc)
		rc = frame_reserve(&frames, work, meta_end);
	if (rc) {
		printf("hv: frame allocator setup failed (%d)\n", rc);
		return rc;
	}
	/* The module copies and the boot loader's ranges are RAM-like: mapped here. */
	rc = paging_map_ram(&host_map, &frames);
	if (rc) {
		printf("hv: direct map of RAM failed (%d)\n", rc);
		return rc;
	}
	printf("paging: image W^X (text RX, rodata R, data RW NX), stack guards unmapped, "
	       "direct map of RAM at %s pages; %u page-table pages\n",
	       ci.page_1g ? "1 GiB/2 MiB/4 KiB" : "2 MiB/4 KiB", paging_tables()->tables_used);
	copy_modules(bi);

	heap_pa = frame_alloc_order(&frames, 10);          /* 4 MiB, contiguous */
	if (heap_pa == INVALID_HPA ||
	    heap_init(&hv_heap, hpa_to_ptr(heap_pa), HEAP_INITIAL, opt->debug_heap,
		      heap_failed, NULL)) {
		printf("hv: no memory for the heap\n");
		return -ENOMEM;
	}
	fmt_size(size, sizeof(size), frame_free_count(&frames) * PAGE_SIZE);
	printf("frames: %s free in working memory; heap: 4 MiB%s\n", size,
	       opt->debug_heap ? " (debug: guards, double-free checks)" : "");
	return 0;
}

/* The heap's lock: the boot CPU's exits and a CPU joining the running VM
 * (UEFI chain mode) may allocate at once. Innermost but for the console's
 * (heap_failed prints) and the frame allocator's. */
static struct spinlock heap_lock = SPINLOCK_INIT;

void *malloc(size_t n)
{
	void *p;

	spin_lock(&heap_lock);
	p = heap_alloc(&hv_heap, n);
	spin_unlock(&heap_lock);
	return p;
}

void *calloc(size_t n, size_t size)
{
	void *p;

	spin_lock(&heap_lock);
	p = heap_calloc(&hv_heap, n, size);
	spin_unlock(&heap_lock);
	return p;
}

void free(void *p)
{
	spin_lock(&heap_lock);
	(void)heap_free(&hv_heap, p);
	spin_unlock(&heap_lock);
}
