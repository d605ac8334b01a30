/* mm/paging.c - the hypervisor's own page tables: image W^X, stack guards
 * unmapped, and a direct map of RAM (SDM Vol. 3A, 4.5 and 4.6). */
#include "mm/paging.h"
#include "arch/cpu.h"
#include "arch/percpu.h"
#include "arch/stack.h"
#include "mm/layout.h"
#include "lib/string.h"

#define BOOT_POOL_TABLES 16     /* image (~4) + direct map of image and working memory (~6) */

extern char __image_phys_start[], __image_phys_end[];
extern char __image_start[], __image_end[];
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[];
/* Load address - link address (boot/entry.asm): the image runs wherever
 * the boot loader put it, its virtual addresses stay the linked ones. */
extern const uint64_t image_load_offset;

static uint8_t boot_pool[BOOT_POOL_TABLES][PAGE_SIZE] __section(".bss.page_aligned") __aligned(4096);
static unsigned int boot_pool_used;
static struct frame_alloc *table_frames;    /* after paging_map_ram() starts */
static bool directmap_live;
static struct pagetable hv_pt;

hpa_t image_phys_start(void) { return (hpa_t)(uintptr_t)__image_phys_start + image_load_offset; }
hpa_t image_phys_end(void) { return (hpa_t)(uintptr_t)__image_phys_end + image_load_offset; }

/* The image's virtual address va is loaded at this physical address. */
static hpa_t image_va_to_pa(uint64_t va)
{
	return va - KERNEL_VBASE + image_load_offset;
}

hpa_t image_hpa(const void *p)
{
	return image_va_to_pa((uint64_t)(uintptr_t)p);
}

void *hpa_to_ptr(hpa_t pa)
{
	hpa_t img_lo = image_hpa(__image_start);

	if (pa >= img_lo && pa < image_phys_end())
		return (void *)(uintptr_t)(pa - image_load_offset + KERNEL_VBASE);
	if (directmap_live)
		return (void *)(uintptr_t)(pa + DIRECTMAP_BASE);
	return (void *)(uintptr_t)pa;           /* boot stub's identity map: below 4 GiB */
}

static void *alloc_table(void *ctx, hpa_t *pa)
{
	void *p;

	if (boot_pool_used < BOOT_POOL_TABLES) {
		p = boot_pool[boot_pool_used++];
		*pa = image_hpa(p);
	} else if (table_frames) {
		*pa = frame_alloc_one(table_frames);
		if (*pa == INVALID_HPA)
			return NULL;
		p = hpa_to_ptr(*pa);
	} else {
		return NULL;
	}
	memset(p, 0, PAGE_SIZE);
	return p;
}

static void *table_ptr(void *ctx, hpa_t pa)
{
	return hpa_to_ptr(pa);
}

/* No free_table: part of these tables is the static boot pool, and mappings
 * here are only ever added. */
static const struct pt_mem hv_pt_mem = {
	.alloc_table = alloc_table,
	.table_ptr = table_ptr,
	.free_table = NULL,
};

static bool is_guard_page(uint64_t va)
{
	return stack_guard_containing(va) != NULL;
}

static int map_image_range(const char *start, const char *end, unsigned int perm)
{
	uint64_t va = (uint64_t)(uintptr_t)start;
	int rc;

	for (; va < (uint64_t)(uintptr_t)end; va += PAGE_SIZE) {
		if (is_guard_page(va))
			continue;
		rc = pt_map(&hv_pt, va, image_va_to_pa(va), PAGE_SIZE, perm);
		if (rc)
			return rc;
	}
	return 0;
}

static int map_direct(hpa_t start, hpa_t end, unsigned int perm)
{
	start = ALIGN_DOWN(start, PAGE_SIZE);
	end = ALIGN_UP(end, PAGE_SIZE);
	if (end > DIRECTMAP_MAX)
		end = DIRECTMAP_MAX;
	if (start >= end)
		return 0;
	return pt_map(&hv_pt, DIRECTMAP_BASE + start, start, end - start, perm);
}

int paging_init(hpa_t work, uint64_t work_size, bool allow_1g)
{
	int rc;

	rc = pt_init(&hv_pt, &pt_format_x86, &hv_pt_mem, allow_1g);
	if (rc)
		return rc;
	/* Text is the only executable memory and nothing executable is writable. */
	rc = map_image_range(__text_start, __text_end, PT_EXEC);
	if (!rc)
		rc = map_image_range(__rodata_start, __rodata_end, PT_READ);
	if (!rc)
		rc = map_image_range(__data_start, __data_end, PT_WRITE);
	/* First mapping wins: the image's frames stay read-only in the direct map. */
	if (!rc)
		rc = map_direct(image_phys_start(), image_phys_end(), PT_READ);
	if (!rc)
		rc = map_direct(work, work + work_size, PT_WRITE);
	if (rc)
		return rc;
	write_cr3(hv_pt.root_pa);
	directmap_live = true;
	return 0;
}

static bool is_ram_like(enum mem_type t)
{
	return t == MEM_USABLE || t == MEM_ACPI_RECLAIM || t == MEM_ACPI_NVS || t >= MEM_LOWMEM;
}

int paging_map_ram(const struct memmap *m, struct frame_alloc *fa)
{
	table_frames = fa;
	for (unsigned int i = 0; i < m->count; i++) {
		const struct mem_range *r = &m->ranges[i];
		int rc;

		if (!is_ram_like(r->type))
			continue;
		rc = map_direct(r->start, r->end, PT_WRITE);
		if (rc)
			return rc;
	}
	/* Only new mappings were added (first wins), so no stale TLB entries. */
	return 0;
}

/* This CPU's window: made on first use, then only its leaf changes. */
static uint64_t *device_window_leaf(void)
{
	struct percpu *pc = percpu_self();
	hva_t va = DEVMEM_WINDOW + (hva_t)pc->cpu * PAGE_SIZE;
	uint64_t *leaf;

	if (pt_map(&hv_pt, va, 0, PAGE_SIZE, PT_WRITE))
		return NULL;
	leaf = pt_leaf_4k(&hv_pt, va);
	if (!leaf)
		return NULL;
	pc->devmem_leaf = leaf;
	pc->devmem_va = va;
	return leaf;
}

void *paging_map_device(hpa_t pa)
{
	uint64_t *leaf = this_cpu.devmem_leaf;
	hva_t va;

	if (unlikely(!leaf) && !(leaf = device_window_leaf()))
		return NULL;
	va = this_cpu.devmem_va;
	*leaf = (pa & PTE_ADDR_MASK) | PTE_P | PTE_W | PTE_NX;
	invlpg(va);
	return (void *)(uintptr_t)(va + (pa & (PAGE_SIZE - 1)));
}

int paging_map_cpu_stack(hva_t va, hpa_t pa)
{
	if (va < PERCPU_STACKS_BASE || va + STACK_SIZE > PERCPU_STACKS_BASE +
	    PERCPU_MAX * PERCPU_STACKS_STRIDE || !IS_ALIGNED(va | pa, PAGE_SIZE))
		return -EINVAL;
	/* Only added, never changed: no stale TLB entries on any CPU. */
	return pt_map(&hv_pt, va, pa, STACK_SIZE, PT_WRITE);
}

const void *paging_ram_ptr(hpa_t pa, uint64_t len)
{
	struct pt_lookup l;

	if (!directmap_live || !len || pa + len < pa || pa + len > DIRECTMAP_MAX)
		return NULL;
	for (uint64_t p = ALIGN_DOWN(pa, PAGE_SIZE); p < pa + len; p += PAGE_SIZE)
		if (pt_lookup(&hv_pt, DIRECTMAP_BASE + p, &l) || (l.entry & PTE_PCD))
			return NULL;       /* not mapped, or device memory (paging_map_mmio) */
	return (const void *)(uintptr_t)(DIRECTMAP_BASE + pa);
}

void *paging_map_mmio(hpa_t pa, uint64_t size)
{
	/* Only added (and first wins: RAM keeps its write-back mapping), so no
	 * stale TLB entries. */
	if (pa + size < pa || map_direct(pa, pa + size, PT_WRITE | PT_UNCACHED))
		return NULL;
	return (void *)(uintptr_t)(DIRECTMAP_BASE + pa);
}

const struct pagetable *paging_tables(void)
{
	return &hv_pt;
}
