/* mm/paging.h - the hypervisor's own address space (layout in mm/layout.h). */
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

/* Physical extent of the image where the boot loader put it, [start, end). */
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

/*
 * Maps the 4 KiB page of host-physical memory that holds pa in this CPU's
 * device window (DEVMEM_WINDOW + CPU index * 4 KiB, replacing what was
 * there) and returns pa's address in it, or NULL if no table page was left.
 * PAT type WB: the effective memory type is what the MTRRs give pa (SDM Vol.
 * 3A, Table 12-7), the type the EPT gives the guest.
 */
void *paging_map_device(hpa_t pa);

/* Maps a stack's STACK_SIZE bytes at host-physical pa (page-aligned) to va in
 * the per-CPU stack area (mm/layout.h), leaving the page below unmapped as
 * its guard. 0, or -EINVAL outside that area, -ENOMEM without table pages. */
int __must_check paging_map_cpu_stack(hva_t va, hpa_t pa);

/* A pointer to [pa, pa + len) if the direct map covers all of it (RAM the
 * hypervisor can read: never device memory), else NULL. For the shell. */
const void *paging_ram_ptr(hpa_t pa, uint64_t len);

/* Maps device memory [pa, pa+size) uncached into the direct map (after
 * paging_map_ram()); its pointer, or NULL without memory for tables. */
void *paging_map_mmio(hpa_t pa, uint64_t size);

/* The hypervisor's page tables (for statistics and the shell). */
const struct pagetable *paging_tables(void);

#endif
