/* drivers/acpi/acpi_fadt.h - the ACPI tables the hypervisor reads: RSDP -> RSDT/XSDT
 * -> FADT, for the PM1 control ports a guest powers the machine off with and
 * the reset register it resets the machine with (ACPI 6.x, 5.2.5 RSDP,
 * 5.2.7/5.2.8 RSDT/XSDT, 5.2.9 FADT, 4.8.3.6 reset register). Pure. */
#ifndef GUEST_ACPI_FADT_H
#define GUEST_ACPI_FADT_H

#include "drivers/acpi/acpi_tables.h"

/* Address spaces of a generic address structure (ACPI 6.x, 5.2.3.2). */
#define ACPI_SPACE_MEMORY   0
#define ACPI_SPACE_IO       1
#define ACPI_SPACE_PCI      2

/* The FADT's RESET_REG and RESET_VALUE (ACPI 2.0+ FADT, flags bit 10). */
struct acpi_reset_reg {
	bool present;                   /* revision >= 2, RESET_REG_SUP, and a usable address */
	uint8_t space;                  /* ACPI_SPACE_*: the only ones the FADT allows here */
	uint8_t bit_width;              /* the GAS's register width and offset (8 and 0 by the spec) */
	uint8_t bit_offset;
	uint64_t address;               /* port, physical address, or bus 0 PCI address
	                                   (device << 32 | function << 16 | offset) */
	uint8_t value;                  /* RESET_VALUE */
	const char *ignored;            /* !present although the FADT claims one: why, else NULL */
};

struct acpi_fadt_regs {
	uint16_t pm1a_cnt;              /* I/O port of PM1a_CNT_BLK, 0 if none */
	uint16_t pm1b_cnt;              /* PM1b_CNT_BLK, 0 if none */
	struct acpi_reset_reg reset;
};

/*
 * Finds the FADT through the RSDP copy (rsdp, len bytes, as the boot loader
 * gave it) and returns its PM1 control ports (system I/O space only) and its
 * reset register. Checksums and lengths are checked. Returns 0, or -ENOENT /
 * -EINVAL with a reason in err.
 */
int __must_check acpi_read_fadt(const uint8_t *rsdp, unsigned int len, acpi_read_fn read, void *ctx,
				struct acpi_fadt_regs *out, char *err, size_t errlen);

/* Writes where a present reset register is and its value ("I/O port 0xcf9,
 * value 0x6", "memory 0xfed00000, value 0x1", "PCI 00:1f.0 offset 0x92,
 * value 0x1") into buf. */
void acpi_reset_reg_describe(const struct acpi_reset_reg *r, char *buf, size_t len);

#endif
