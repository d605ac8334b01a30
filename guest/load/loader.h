/* guest/load/loader.h - turning a boot module into a guest ready to start. */
#ifndef GUEST_LOADER_H
#define GUEST_LOADER_H

#include "boot/info/boot_info.h"
#include "guest/load/boot_modules.h"   /* which modules are guests (for guest/run) */
#include "guest/load/guest_image.h"
#include "guest/vcpu.h"

/*
 * Loads the guest in module m (an ELF kernel, or a Linux bzImage with the
 * optional initrd module) into guest RAM and prepares its start state
 * (docs/hypercalls.md, "Guest modules"); index gives the default name
 * "guestN"; bi lists all modules, which must not be overwritten. Returns 0,
 * or -EINVAL after printing why the module cannot be run.
 */
int __must_check loader_load(const struct boot_info *bi, const struct boot_module *m,
			     const struct boot_module *initrd, unsigned int index, struct guest_image *g);

#endif
