/* mm/hv_layout.h - where the hypervisor's own memory goes: one block at the
 * top of usable RAM holding copies of the boot modules and the working
 * memory, so that guest RAM below it stays one run. Pure: no hardware access. */
#ifndef MM_HV_LAYOUT_H
#define MM_HV_LAYOUT_H

#include "lib/compiler.h"
#include "mm/memmap.h"

#define HV_LAYOUT_ALIGN        (2 * MiB)      /* the block and its parts start on 2 MiB boundaries */
#define HV_LAYOUT_MODULES_MAX  32             /* BOOT_MODULES_MAX */

/* One boot module: where the boot loader put it, [start, end). */
struct hv_layout_module { hpa_t start, end; };

struct hv_layout {
	hpa_t start;                          /* the block: [start, work + work_size) */
	hpa_t modules;                        /* module copies: [modules, modules + modules_size) */
	uint64_t modules_size;                /* page-rounded module sizes, summed, rounded up to 2 MiB */
	hpa_t module_at[HV_LAYOUT_MODULES_MAX]; /* module i's copy starts here (page aligned) */
	unsigned int module_count;
	hpa_t work;                           /* working memory: [work, work + work_size), = modules + modules_size */
	uint64_t work_size;
};

/*
 * Plans the block for `work_size` bytes of working memory (a multiple of
 * 2 MiB) and copies of the `count` modules: module copies first, each on a
 * page boundary in module order, then the working memory, all at the top of
 * the highest usable range of m that holds the whole block (memmap_find_top,
 * 2 MiB aligned). m must already have the modules, the image and the boot
 * information carved out (not MEM_USABLE), so the block overlaps none of
 * them. Does not modify m. Returns 0, -EINVAL (more than
 * HV_LAYOUT_MODULES_MAX modules, a module with end < start, work_size 0 or
 * not 2 MiB aligned, sizes that overflow), or -ENOMEM if no usable range
 * holds the block.
 */
int __must_check hv_layout_plan(const struct memmap *m, uint64_t work_size,
				const struct hv_layout_module *mods, unsigned int count,
				struct hv_layout *out);

/*
 * Records the plan in m: the boot loader's module ranges (page-rounded,
 * where MEM_MODULE) become MEM_USABLE (the copies replace them), the copies'
 * area MEM_MODULE, the working memory MEM_HV_WORKING. Returns 0 or -ENOSPC.
 */
int __must_check hv_layout_apply(struct memmap *m, const struct hv_layout *l,
				 const struct hv_layout_module *mods, unsigned int count);

#endif
