/* boot/efi/handoff.h - the step from hv.efi into the hypervisor core. */
#ifndef BOOT_EFI_HANDOFF_H
#define BOOT_EFI_HANDOFF_H

#include "boot/efi/uefi.h"
#include "boot/info/hvcfg.h"

/* Enters the core with bi filled and boot services still running (map_key:
 * the memory map's key for ExitBootServices in boot mode). Returns only if
 * the core could not be entered, with a negative error after printing why;
 * then nothing irreversible has happened and the boot goes on without it. */
int efi_enter_core(struct efi_fw *fw, enum hvcfg_mode mode, struct boot_info *bi, UINTN map_key);

#endif
