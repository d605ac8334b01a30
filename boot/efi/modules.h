/* boot/efi/modules.h - the modules hv.cfg names, read from hv.efi's volume into memory. */
#ifndef BOOT_EFI_MODULES_H
#define BOOT_EFI_MODULES_H

#include "boot/efi/uefi.h"
#include "boot/info/hvcfg.h"

/* Reads each module of cfg into its own pages (EfiLoaderData below 4 GiB,
 * page-aligned, as GRUB gives Multiboot2 modules) and records it in
 * bi->modules with its command line. Returns 0, or a negative error after
 * printing which module failed and why (those read are freed then). */
int efi_modules_load(struct efi_fw *fw, const struct hvcfg *cfg, struct boot_info *bi);

/* Gives the modules' memory back (the boot continues without the hypervisor). */
void efi_modules_free(struct efi_fw *fw, struct boot_info *bi);

#endif
