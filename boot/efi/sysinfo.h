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

/* The memory map alone (bi->efi's descriptors and bi->mmap), for the last
 * call before ExitBootServices and its retry: after a failed
 * ExitBootServices, GetMemoryMap is the one boot service a loader may still
 * call before trying again (UEFI 2.10, 7.4 ExitBootServices()). Its line
 * goes to COM1 only. */
int efi_sysinfo_memory_map(struct efi_fw *fw, struct boot_info *bi, UINTN *map_key);

/* Chain mode, after the core returned as the guest: points the EFI
 * configuration table's ACPI 2.0 and ACPI 1.0 entries (each only if the
 * firmware has one) at rsdp, the hypervisor's ACPI view, so that the OS
 * reads the view (boot/info/efi_handoff.h, struct efi_handoff_out). One
 * line per entry. */
void efi_acpi_install_view(struct efi_fw *fw, hpa_t rsdp);

#endif
