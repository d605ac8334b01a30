/* boot/efi/files.h - hv.efi's own volume (UEFI 2.10, 9.1 EFI_LOADED_IMAGE_PROTOCOL,
 * 13.4 EFI_SIMPLE_FILE_SYSTEM_PROTOCOL, 13.5 EFI_FILE_PROTOCOL): where it was loaded
 * from, and whole files read from that volume. */
#ifndef BOOT_EFI_FILES_H
#define BOOT_EFI_FILES_H

#include "boot/efi/uefi.h"

/* Fills fw->loaded, device_path, root, self_path and self_dir from hv.efi's
 * loaded image. Returns 0, or a negative error after printing why (then
 * files cannot be read, but the boot can still go on). */
int efi_files_open(struct efi_fw *fw);

/* Where efi_read_file puts a file. */
enum efi_read_to {
	EFI_READ_POOL,      /* EfiLoaderData pool (small files: hv.cfg); FreePool */
	EFI_READ_PAGES_4G,  /* EfiLoaderData pages below 4 GiB, the start page-aligned (modules); FreePages */
};

/* Reads the whole file at path (ASCII, '\' separated) on hv.efi's volume.
 * Returns 0 with *buf and *len (the bytes; *len may be 0), -ENOENT if there
 * is no such file, or another negative error with the reason in err. */
int efi_read_file(struct efi_fw *fw, const char *path, enum efi_read_to to, void **buf, uint64_t *len,
		  char *err, size_t errlen);

/* Frees what efi_read_file returned (buf NULL: nothing). */
void efi_free_file(struct efi_fw *fw, enum efi_read_to to, void *buf, uint64_t len);

#endif
