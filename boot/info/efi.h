/* boot/info/efi.h - UEFI memory descriptors as GetMemoryMap() returns them (UEFI 2.10, 7.2
 * "EFI_BOOT_SERVICES.GetMemoryMap()": EFI_MEMORY_DESCRIPTOR, memory types and attributes). */
#ifndef BOOT_EFI_H
#define BOOT_EFI_H

#include "lib/compiler.h"

/* EFI_MEMORY_TYPE (UEFI 2.10, table 7.10). */
enum efi_memory_type {
	EFI_RESERVED_MEMORY_TYPE      = 0,
	EFI_LOADER_CODE               = 1,
	EFI_LOADER_DATA               = 2,
	EFI_BOOT_SERVICES_CODE        = 3,
	EFI_BOOT_SERVICES_DATA        = 4,
	EFI_RUNTIME_SERVICES_CODE     = 5,
	EFI_RUNTIME_SERVICES_DATA     = 6,
	EFI_CONVENTIONAL_MEMORY       = 7,
	EFI_UNUSABLE_MEMORY           = 8,
	EFI_ACPI_RECLAIM_MEMORY       = 9,
	EFI_ACPI_MEMORY_NVS           = 10,
	EFI_MEMORY_MAPPED_IO          = 11,
	EFI_MEMORY_MAPPED_IO_PORT     = 12,
	EFI_PAL_CODE                  = 13,
	EFI_PERSISTENT_MEMORY         = 14,
	EFI_UNACCEPTED_MEMORY         = 15,          /* UEFI 2.9: RAM a confidential guest must accept first */
};

#define EFI_MEMORY_SP             (1ULL << 18)   /* UEFI 2.8 specific-purpose memory (HBM, CXL): not for a general allocator */
#define EFI_MEMORY_RUNTIME        (1ULL << 63)   /* the OS must map it for runtime services */
#define EFI_PAGE_SIZE             4096ULL        /* NumberOfPages counts these, whatever the CPU uses */
#define EFI_PAGE_SHIFT            12

/* EFI_MEMORY_DESCRIPTOR: u32 Type, 4 bytes of padding, u64 PhysicalStart,
 * VirtualStart, NumberOfPages, Attribute. Firmware reports a larger stride
 * (DescriptorSize; EDK II: 48) so that callers never assume sizeof. */
#define EFI_DESC_OFF_TYPE         0
#define EFI_DESC_OFF_PHYS         8
#define EFI_DESC_OFF_VIRT         16
#define EFI_DESC_OFF_PAGES        24
#define EFI_DESC_OFF_ATTR         32
#define EFI_DESC_MIN_SIZE         40
#define EFI_DESC_VERSION          1              /* EFI_MEMORY_DESCRIPTOR_VERSION */

struct efi_desc {                 /* one descriptor, unpacked */
	uint32_t type;                /* enum efi_memory_type, or a value the OS treats as reserved */
	uint64_t phys;                /* PhysicalStart, 4 KiB aligned */
	uint64_t virt;                /* VirtualStart (0 before SetVirtualAddressMap) */
	uint64_t pages;               /* NumberOfPages (4 KiB), > 0 */
	uint64_t attr;                /* EFI_MEMORY_* bits */
};

/* True if d covers at least one page and ends at or below 2^64 - 1, so that
 * phys + pages * 4096 can be computed (and is the end, exclusive). */
static inline bool efi_desc_fits(const struct efi_desc *d)
{
	return d->pages && d->pages <= (UINT64_MAX - d->phys) >> EFI_PAGE_SHIFT;
}

/*
 * Unpacks the memory map GetMemoryMap() wrote, size bytes at map in strides of
 * desc_size (DescriptorSize, >= 40: later versions append fields), version
 * desc_version (DescriptorVersion, must be 1), into out[] in firmware order.
 * The bytes are read one by one, so map may have any alignment. All or
 * nothing: returns 0 with *count descriptors; -EINVAL with a reason in err for
 * a size, version or length the map cannot have (nothing written); -ENOSPC
 * when it holds more than max descriptors (*count: how many; nothing written).
 * The descriptors themselves are not checked: see efi_mmap_check.
 */
int __must_check efi_mmap_unpack(const void *map, size_t size, uint32_t desc_size,
				 uint32_t desc_version, struct efi_desc *out, unsigned int max,
				 unsigned int *count, char *err, size_t errlen);

/*
 * Checks what a map handed on to an OS must satisfy: every descriptor page
 * aligned, non-empty and not wrapping past 2^64 (efi_desc_fits). Order and
 * overlaps are the firmware's business. Returns 0, or -EINVAL with the first
 * bad descriptor in err ("descriptor 3: 0x0 pages at 0x1000").
 */
int __must_check efi_mmap_check(const struct efi_desc *d, unsigned int count, char *err,
				size_t errlen);

/* True for a descriptor the OS must keep mapped for runtime services. */
static inline bool efi_desc_is_runtime(const struct efi_desc *d)
{
	return (d->attr & EFI_MEMORY_RUNTIME) || d->type == EFI_RUNTIME_SERVICES_CODE ||
	       d->type == EFI_RUNTIME_SERVICES_DATA;
}

#endif
