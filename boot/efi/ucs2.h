/* boot/efi/ucs2.h - UCS-2 text (UEFI 2.10, 2.3.1 "CHAR16") to and from ASCII, and '\' paths. Pure. */
#ifndef BOOT_EFI_UCS2_H
#define BOOT_EFI_UCS2_H

#include "lib/compiler.h"

/* Copies UCS-2 text (up to its NUL or `units` code units) into dst as ASCII,
 * always NUL-terminated (truncated to size - 1). A code unit outside printable
 * ASCII becomes '?' and sets *lossy (when lossy is not NULL). Returns the length written. */
size_t ucs2_to_ascii(char *dst, size_t size, const uint16_t *src, size_t units, bool *lossy);

/* Copies ASCII text into dst as UCS-2 with its NUL. Returns the number of
 * units before the NUL, or -ENOSPC (dst[0] = 0) if it does not fit in `units`. */
int ascii_to_ucs2(uint16_t *dst, size_t units, const char *src);

/* Writes the directory part of a '\' path, with its trailing '\', into dir
 * ("\EFI\BOOT\BOOTX64.EFI" -> "\EFI\BOOT\"; "x.efi" -> "\"). Returns 0 or -ENOSPC. */
int efi_path_dir(const char *path, char *dir, size_t size);

/* True if two '\' paths name the same FAT file: ASCII case folded, '/' read as '\'. */
bool efi_path_equal(const char *a, const char *b);

#endif
