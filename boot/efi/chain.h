/* boot/efi/chain.h - continuing the boot: the next boot loader, started as the
 * firmware's boot manager would (UEFI 2.10, 3.1 "Firmware Boot Manager", 7.4 LoadImage/StartImage). */
#ifndef BOOT_EFI_CHAIN_H
#define BOOT_EFI_CHAIN_H

#include "boot/efi/uefi.h"

/* Starts the next loader: next (a path on hv.efi's volume, "" for none),
 * else the option BootNext names, else BootOrder's options in order, each
 * skipped when it would start hv.efi itself. A loader that cannot be loaded,
 * or that returns, is followed by the next candidate. Returns (with a status
 * for efi_main to return to the boot manager, which then tries its next
 * option) only when no candidate is left. */
EFI_STATUS efi_chain_next(struct efi_fw *fw, const char *next);

/* True when this hv.efi was started by an hv.efi's efi_chain_next (two copies
 * that name each other in BootOrder): it must return at once, so that its
 * parent goes on with its next candidate instead of looping. */
bool efi_chain_nested(struct efi_fw *fw);

#endif
