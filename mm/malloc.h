/* mm/malloc.h - the hypervisor's memory after boot: frames and the heap. */
#ifndef MM_MALLOC_H
#define MM_MALLOC_H

#include "boot/info/boot_info.h"
#include "lib/cmdline.h"
#include "mm/frame.h"
#include "mm/memmap.h"

/*
 * Builds the host memory map from the boot information, reserves the first
 * MiB, the image, the boot information and the modules, takes one block from
 * the top of the highest usable RAM (outside EFI boot services memory where it
 * can) for copies of the modules and opt->hv_mem bytes of working memory
 * (mm/hv_layout.h), switches to the hypervisor's page tables, starts the
 * frame allocator, copies the modules (bi's modules then name the copies; the
 * boot loader's ranges become usable RAM) and starts the heap. Prints the map
 * and what it took. Returns 0, or a negative error after
 * printing why (the caller stops: nothing can run without memory).
 */
int __must_check mm_init(struct boot_info *bi, const struct hv_options *opt);

/*
 * Chain mode (boot/info/efi_handoff.h): the loader allocated [start, end)
 * (2 MiB aligned) for the hypervisor while the firmware keeps running.
 * Called before mm_init, it makes that range the working memory instead of
 * a block from the top of RAM, and mm_init then takes no module copies
 * (modules stay the loader's): nothing outside the pool and the image is
 * written, since boot services memory, "usable" in the e820, is the
 * firmware's.
 */
void mm_use_pool(hpa_t start, hpa_t end);

/* The host memory map (normalized, with the hypervisor's carve-outs). */
const struct memmap *mm_host_map(void);

/* The frame allocator over the hypervisor's working memory. */
struct frame_alloc *mm_frames(void);

void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void free(void *p);

#endif
