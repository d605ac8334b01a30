/* guest/acpi_fadt.h - the ACPI tables the hypervisor reads: RSDP -> RSDT/XSDT
 * -> FADT, for the PM1 control ports a guest powers the machine off with
 * (ACPI 6.x, 5.2.5 RSDP, 5.2.7/5.2.8 RSDT/XSDT, 5.2.9 FADT). Pure. */
#ifndef GUEST_ACPI_FADT_H
#define GUEST_ACPI_FADT_H

#include "lib/compiler.h"

/* Reads len bytes of physical memory at pa; 0, or -EFAULT if not readable. */
typedef int (*acpi_read_fn)(void *ctx, uint64_t pa, void *buf, uint32_t len);

struct acpi_pm1 {
	uint16_t pm1a_cnt;              /* I/O port of PM1a_CNT_BLK, 0 if none */
	uint16_t pm1b_cnt;              /* PM1b_CNT_BLK, 0 if none */
};

/*
 * Finds the FADT through the RSDP copy (rsdp, len bytes, as the boot loader
 * gave it) and returns its PM1 control ports (system I/O space only).
 * Checksums and lengths are checked. Returns 0, or -ENOENT / -EINVAL with a
 * reason in err.
 */
int __must_check acpi_find_pm1(const uint8_t *rsdp, unsigned int len, acpi_read_fn read, void *ctx,
			       struct acpi_pm1 *out, char *err, size_t errlen);

#endif
