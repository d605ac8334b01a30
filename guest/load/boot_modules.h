/* guest/load/boot_modules.h - which boot modules are guests, initrds and
 * kernel modules, and the command lines they pass on. */
#ifndef GUEST_BOOT_MODULES_H
#define GUEST_BOOT_MODULES_H

#include "boot/info/boot_info.h"

/* True if the module's command line marks it as a guest ("guest ...") or as
 * the initial ramdisk of the guest before it ("initrd ..."). */
bool loader_is_guest_module(const struct boot_module *m);
bool loader_is_initrd_module(const struct boot_module *m);

/* True if the module's command line starts with "module": a module for the
 * Multiboot guest before it, passed in its Multiboot information. */
bool loader_is_module_module(const struct boot_module *m);

/* How many "module" modules follow guest module m (after its initrd, if
 * any) in bi; *first gets the index of the first. */
unsigned int loader_guest_modules(const struct boot_info *bi, const struct boot_module *m,
				  unsigned int *first);

/* A "module" module's command line for the kernel: what follows the word
 * "module" (GRUB passes what follows the file name). */
const char *loader_module_cmdline(const struct boot_module *m);

/* The words of a guest module's command line after "guest" that are not
 * for the hypervisor (hv.*), into buf; returns the length. */
size_t loader_guest_cmdline(const struct boot_module *m, char *buf, size_t size);

#endif
