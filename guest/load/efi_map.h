/* guest/load/efi_map.h - the EFI memory map a Linux guest gets: the firmware's map at
 * ExitBootServices (UEFI 2.10, 7.2) with the hypervisor's memory taken out. */
#ifndef GUEST_EFI_MAP_H
#define GUEST_EFI_MAP_H

#include "lib/compiler.h"
#include "boot/info/efi.h"
#include "guest/gmap.h"

/* The guest's descriptors: EFI_MEMORY_DESCRIPTOR version 1 in a 48-byte
 * stride, the size EDK II reports (Linux takes any size >= 40). */
#define EFI_GUEST_DESC_SIZE 48

struct efi_map_request {
	const struct efi_desc *desc;          /* the firmware's map, in its order */
	unsigned int count;
	const struct gmap *g;                 /* its GMAP_HIDDEN, GMAP_UNUSABLE and GMAP_ROM ranges are taken out (reserved) */
	gpa_t reserve_start, reserve_end;     /* one more range taken out (the guest RAM holding this map), empty if equal */
};

/*
 * Writes the guest's map to out (out_size bytes; out may be NULL to measure)
 * and its size in bytes to *len. Each descriptor keeps its place; one that
 * overlaps a range taken out (widened to 4 KiB pages, neighbouring ranges
 * joined) is split there into pieces in address order, the pieces inside
 * typed EfiReservedMemoryType with the descriptor's attributes, the others
 * as they were. Nothing is merged. Runtime descriptors (EFI_MEMORY_RUNTIME,
 * or runtime services code/data) are copied unchanged and must lie entirely
 * in memory the guest has mapped (gmap RAM or pass-through MMIO, below top).
 * Returns 0; -EINVAL with a reason when a runtime descriptor does not, or the
 * request is incomplete; -ENOSPC (with *len the size needed) when out is
 * too small.
 */
int __must_check efi_map_build(const struct efi_map_request *r, uint8_t *out, size_t out_size,
			       size_t *len, char *err, size_t errlen);

#endif
