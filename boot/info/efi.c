/* boot/info/efi.c - unpacking and checking the UEFI memory map (UEFI 2.10, 7.2
 * "EFI_BOOT_SERVICES.GetMemoryMap()"), for the Multiboot2 tag 17 and the UEFI entry. */
#include "boot/info/efi.h"
#include "lib/le.h"
#include "lib/format.h"

/* Byte-wise little-endian reads: the map may sit at any alignment. */

int efi_mmap_unpack(const void *map, size_t size, uint32_t desc_size, uint32_t desc_version,
		    struct efi_desc *out, unsigned int max, unsigned int *count, char *err,
		    size_t errlen)
{
	const uint8_t *b = map;
	size_t n;

	*count = 0;
	if (desc_size < EFI_DESC_MIN_SIZE)
		return fmt_error(-EINVAL, err, errlen, "descriptor size %u below %u", desc_size,
				 (unsigned int)EFI_DESC_MIN_SIZE);
	if (desc_version != EFI_DESC_VERSION)
		return fmt_error(-EINVAL, err, errlen, "descriptor version %u, not %u", desc_version,
				 (unsigned int)EFI_DESC_VERSION);
	if (size == 0 || size % desc_size || !b)
		return fmt_error(-EINVAL, err, errlen,
				 "%zu bytes of descriptors not a non-zero multiple of their size %u",
				 b ? size : (size_t)0, desc_size);
	n = size / desc_size;
	if (n > max) {
		*count = n > UINT32_MAX ? UINT32_MAX : (unsigned int)n;
		return fmt_error(-ENOSPC, err, errlen, "%zu descriptors, more than the %u kept", n, max);
	}
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = b + i * desc_size;

		out[i] = (struct efi_desc){
			.type  = le32_read(p + EFI_DESC_OFF_TYPE),
			.phys  = le64_read(p + EFI_DESC_OFF_PHYS),
			.virt  = le64_read(p + EFI_DESC_OFF_VIRT),
			.pages = le64_read(p + EFI_DESC_OFF_PAGES),
			.attr  = le64_read(p + EFI_DESC_OFF_ATTR),
		};
	}
	*count = (unsigned int)n;
	return 0;
}

int efi_mmap_check(const struct efi_desc *d, unsigned int count, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < count; i++)
		if (!IS_ALIGNED(d[i].phys, EFI_PAGE_SIZE) || !efi_desc_fits(&d[i]))
			return fmt_error(-EINVAL, err, errlen, "descriptor %u: 0x%llx pages at 0x%llx",
					 i, (unsigned long long)d[i].pages,
					 (unsigned long long)d[i].phys);
	return 0;
}
