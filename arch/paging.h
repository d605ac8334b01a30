/* arch/paging.h - the hypervisor's own address space (layout in mm/layout.h). */
#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H

#include "mm/memmap.h"
#include "mm/frame.h"
#include "mm/pagetable.h"

/* Pointer to host-physical memory: through the image mapping for the image's
 * own frames, the direct map once it exists, the boot stub's identity map before. */
void *hpa_to_ptr(hpa_t pa);

/* Host-physical address of an object inside the image. */
hpa_t image_hpa(const void *p);

/* Physical extent of the loaded image, [start, end). */
hpa_t image_phys_start(void);
hpa_t image_phys_end(void);

/*
 * Builds the hypervisor's tables from a static pool (the image W^X with stack
 * guards unmapped, plus the direct map of the image read-only and of the
 * working memory [work, work+work_size)) and switches CR3 to them. Returns 0
 * or a negative error (nothing switched).
 */
int __must_check paging_init(hpa_t work, uint64_t work_size, bool allow_1g);

/* Extends the direct map to every RAM-like range of m, taking table pages from fa. */
int __must_check paging_map_ram(const struct memmap *m, struct frame_alloc *fa);

/* Maps device memory [pa, pa+size) uncached into the direct map (after
 * paging_map_ram()); its pointer, or NULL without memory for tables. */
void *paging_map_mmio(hpa_t pa, uint64_t size);

/* The hypervisor's page tables (for statistics and the shell). */
const struct pagetable *paging_tables(void);

#endif
