/* mm/devmem.h - reading and writing device memory (pass-through MMIO, ROM)
 * for an emulated guest instruction, as the guest's own access would. */
#ifndef ARCH_DEVMEM_H
#define ARCH_DEVMEM_H

#include "lib/compiler.h"
#include "lib/addr.h"

/*
 * n bytes at host-physical pa, inside one 4 KiB page: a 1, 2, 4 or 8-byte
 * access is one access of that width (as the instruction made it); other
 * sizes go as naturally aligned pieces, lowest address first. Writes to ROM
 * are dropped by the hardware, as for the guest. 0, or -ENOMEM if the
 * device window could not be mapped, -EINVAL if the range crosses a page.
 */
int __must_check devmem_read(hpa_t pa, void *buf, unsigned int n);
int __must_check devmem_write(hpa_t pa, const void *buf, unsigned int n);

/* len bytes from pa as devmem_read reads them, a page at a time (tables
 * that firmware keeps outside RAM may cross pages). 0 or -errno. */
int __must_check devmem_read_span(hpa_t pa, void *buf, size_t len);

#endif
