/* drivers/acpi/acpi_host.h - reading the machine's own ACPI tables: the
 * acpi_read_fn every reader of them (MADT, FADT) uses. */
#ifndef DRIVERS_ACPI_HOST_H
#define DRIVERS_ACPI_HOST_H

#include "lib/compiler.h"

/*
 * An acpi_read_fn (drivers/acpi/acpi_tables.h) for the machine's tables:
 * ranges the boot memory map calls RAM-like (usable, ACPI reclaim and NVS,
 * the hypervisor's own kinds) through the direct map, and firmware-reserved
 * ones (SeaBIOS under QEMU puts its tables there; real firmware may) through
 * the device window a page at a time, with the memory type the MTRRs give
 * them. Holes, and a range that crosses from one kind into another, stay
 * unread: -EFAULT. ctx is unused.
 */
int acpi_host_read(void *ctx, uint64_t pa, void *buf, uint32_t len);

#endif
