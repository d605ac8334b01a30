/* boot/efi/sysinfo.h - what the firmware knows, into struct boot_info: the memory
 * map (GetMemoryMap), the ACPI RSDP (configuration table) and the GOP framebuffer. */
#ifndef BOOT_EFI_SYSINFO_H
#define BOOT_EFI_SYSINFO_H

#include "boot/efi/uefi.h"

/* Fills bi->efi (system table, memory map in firmware order), bi->rsdp and
 * bi->fb, printing one line each. *map_key is GetMemoryMap's key (what
 * ExitBootServices will check). Returns 0, or a negative error if there is
 * no memory map (nothing can run without it). */
int efi_sysinfo_fill(struct efi_fw *fw, struct boot_info *bi, UINTN *map_key);

#endif
