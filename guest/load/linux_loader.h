/* guest/load/linux_loader.h - starting a Linux bzImage (the 64-bit boot protocol). */
#ifndef GUEST_LINUX_LOADER_H
#define GUEST_LINUX_LOADER_H

#include "boot/info/boot_info.h"
#include "guest/load/guest_image.h"

/* Loads the bzImage in m and the optional initrd for guest g and prepares
 * its start state; returns 0, or -EINVAL after printing why not. */
int __must_check linux_load(const struct boot_info *bi, const struct boot_module *m,
			    const struct boot_module *initrd, struct guest_image *g);

#endif
