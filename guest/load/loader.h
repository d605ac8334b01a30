/* guest/load/loader.h - turning a boot module into a guest ready to start. */
#ifndef GUEST_LOADER_H
#define GUEST_LOADER_H

#include "boot/info/boot_info.h"
#include "guest/vcpu.h"

#define GUEST_NAME_MAX 32

struct guest_image {
	char name[GUEST_NAME_MAX];
	struct vcpu_start start;
};

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

/*
 * Loads the guest in module m (an ELF kernel, or a Linux bzImage with the
 * optional initrd module) into guest RAM and prepares its start state
 * (docs/hypercalls.md, "Guest modules"); index gives the default name
 * "guestN"; bi lists all modules, which must not be overwritten. Returns 0,
 * or -EINVAL after printing why the module cannot be run.
 */
int __must_check loader_load(const struct boot_info *bi, const struct boot_module *m,
			     const struct boot_module *initrd, unsigned int index, struct guest_image *g);

/* Shared by the ELF and Linux paths: a flat GDT (0x10 code, 0x18 data) at gdt,
 * and identity page tables for [0, 4 GiB) (6 pages) at tables. */
void loader_build_gdt(struct vcpu_start *s, gpa_t gdt, bool long64);
void loader_build_identity_tables(struct vcpu_start *s, gpa_t tables);

/* The Linux path (guest/load/linux_loader.c). */
int __must_check linux_load(const struct boot_info *bi, const struct boot_module *m,
			    const struct boot_module *initrd, struct guest_image *g);

/* The words of a guest module's command line after "guest" that are not
 * for the hypervisor (hv.*), into buf; returns the length. */
size_t loader_guest_cmdline(const struct boot_module *m, char *buf, size_t size);

#endif
