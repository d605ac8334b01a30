/* boot/efi/console.h - hv.efi's messages: one line per step, "hv.efi: " first. */
#ifndef BOOT_EFI_CONSOLE_H
#define BOOT_EFI_CONSOLE_H

#include "boot/efi/uefi.h"

#define EFI_LOG_SCREEN 1u   /* also on the firmware's ConOut (what a user at the screen must see) */

/* Programs COM1 as the hypervisor does (115200 8N1, drivers/uart16550.c) and
 * remembers ConOut; before this, efi_log prints nothing. */
void efi_console_init(EFI_SYSTEM_TABLE *st);

/* Prints "hv.efi: " and the formatted line (without its newline) on COM1,
 * and with EFI_LOG_SCREEN in flags on ConOut too. */
void efi_log(unsigned int flags, const char *fmt, ...) __printf(2, 3);

#define efi_say(...)    efi_log(0, __VA_ARGS__)
#define efi_shout(...)  efi_log(EFI_LOG_SCREEN, __VA_ARGS__)

#endif
