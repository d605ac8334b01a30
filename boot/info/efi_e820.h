/* boot/info/efi_e820.h - the UEFI memory map as an E820-style map, with the rules of
 * Linux's EFI stub (drivers/firmware/efi/libstub/x86-stub.c, setup_e820()). */
#ifndef BOOT_EFI_E820_H
#define BOOT_EFI_E820_H

#include "boot/info/boot_info.h"

struct efi_e820_stats {
	unsigned int dropped_bad;      /* descriptors of no pages, or ending past 2^64 - 1 */
	unsigned int skipped_unknown;  /* descriptors of a type with no E820 equivalent */
	bool truncated;                /* out[] was full: entries at the highest addresses are missing */
};

/*
 * Converts count descriptors (firmware order; unsorted and overlapping ones
 * allowed) into at most max entries in out[], and returns how many it wrote.
 * Types map as Linux maps them: runtime services, MMIO, PAL code and reserved
 * -> BOOT_MEM_RESERVED; unusable -> BOOT_MEM_BAD; ACPI reclaim and NVS ->
 * BOOT_MEM_ACPI_RECLAIM / _NVS; loader, boot services and conventional memory
 * -> BOOT_MEM_AVAILABLE, or BOOT_MEM_SOFT_RESERVED with EFI_MEMORY_SP;
 * persistent -> BOOT_MEM_PMEM. The result is sorted by address,
 * non-overlapping (an overlap takes the more restrictive type, as
 * memmap_normalize decides), touching entries of one type merged, and no
 * entry is empty or wraps. stats (may be NULL) says what was left out.
 * Time: O(count^2), no allocation; the input is not modified.
 */
unsigned int efi_mmap_to_e820(const struct efi_desc *desc, unsigned int count,
			      struct boot_mmap_entry *out, unsigned int max,
			      struct efi_e820_stats *stats);

#endif
