/* guest/loader.h - turning a boot module into a guest ready to start. */
#ifndef GUEST_LOADER_H
#define GUEST_LOADER_H

#include "boot/boot_info.h"
#include "guest/vcpu.h"

#define GUEST_NAME_MAX 32

struct guest_image {
	char name[GUEST_NAME_MAX];
	struct vcpu_start start;
};

/* True if the module's command line marks it as a guest ("guest ..."). */
bool loader_is_guest_module(const struct boot_module *m);

/*
 * Loads the ELF guest in module m (index for the default name "guestN")
 * into guest RAM at its physical addresses and prepares its start state
 * (docs/hypercalls.md, "Guest modules"). Returns 0, or -EINVAL after
 * printing why the module cannot be run.
 */
int __must_check loader_load(const struct boot_module *m, unsigned int index, struct guest_image *g);

#endif
