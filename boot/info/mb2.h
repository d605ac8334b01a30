/* boot/info/mb2.h - Multiboot2 information parser (Multiboot2 specification 2.0, section 3.6). */
#ifndef BOOT_MB2_H
#define BOOT_MB2_H

#include "boot/info/boot_info.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289u   /* in EAX at entry */
#define MB2_INFO_MAX         (1u << 20)    /* larger info blocks are refused */

/*
 * Parses the Multiboot2 information block at `info`, of which `avail` bytes
 * are readable, into `bi` (cleared first). `info_pa` is the block's physical
 * address (for bi->info_start/end). Nothing is trusted: the total size, every
 * tag size and every entry size are checked against what is readable, tags
 * must be 8-byte aligned, strings must be terminated inside their tag, and
 * the block must end with an end tag. Unknown tags are skipped. The EFI
 * tags (12, 17) never fail the parse: a malformed EFI memory map is dropped
 * (bi->efi.mmap_count 0) with the reason in bi->efi.note.
 * Returns 0, or -EINVAL with a one-line reason in err (e.g. "tag 6 at offset
 * 0x48: size 12 too small for a memory map").
 */
int __must_check mb2_parse(const void *info, size_t avail, hpa_t info_pa,
			   struct boot_info *bi, char *err, size_t errlen);

#endif
