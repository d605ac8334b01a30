/* guest/mmio.h - device models behind trapped guest-physical ranges: the
 * interface an EPT violation on a GMAP_TRAPPED range is dispatched to. */
#ifndef GUEST_MMIO_H
#define GUEST_MMIO_H

#include "lib/compiler.h"
#include "mm/addr.h"

struct mmio_device {
	const char *name;
	gpa_t base;                     /* where the model is registered */
	uint64_t size;
	/* One access of 1, 2, 4 or 8 bytes at offset (< size), naturally
	 * aligned or not: the model decides what a register access means. */
	uint64_t (*read)(struct mmio_device *d, uint64_t offset, unsigned int size);
	void (*write)(struct mmio_device *d, uint64_t offset, unsigned int size, uint64_t value);
	void *priv;
};

#endif
