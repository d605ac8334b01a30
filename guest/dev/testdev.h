/* guest/dev/testdev.h - the test MMIO device (testmmio=ADDR on the command line). */
#ifndef GUEST_TESTDEV_H
#define GUEST_TESTDEV_H

#include "guest/dev/device.h"

/* Register layout, offsets from the base (4 KiB in all): */
#define TESTDEV_ID        0x000   /* 32-bit read-only: TESTDEV_MAGIC */
#define TESTDEV_SCRATCH8  0x008   /* 8 bytes read/write at any width */
#define TESTDEV_COUNT     0x010   /* 32-bit read-only: accesses so far (reads and writes) */
#define TESTDEV_W1C       0x014   /* 32-bit write-one-to-clear; reset value 0xffffffff */
#define TESTDEV_LAST      0x018   /* 64-bit read-only: (offset << 8 | size) of the last write */
#define TESTDEV_AREA      0x100   /* 0x100..0xfff: scratch bytes, any width */
#define TESTDEV_SIZE      0x1000
#define TESTDEV_MAGIC     0x76656474u   /* "tdev" */

/* A new test device model named name, to be placed at base with device_add_mmio(). */
struct device_model *testdev_create(const char *name, gpa_t base);

/* Frees a model from testdev_create() (after device_remove_mmio()). */
void testdev_destroy(struct device_model *d);

#endif
