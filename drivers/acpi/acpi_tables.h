/* drivers/acpi/acpi_tables.h - finding an ACPI table by signature: RSDP ->
 * RSDT/XSDT -> the table (ACPI 6.x, 5.2.5 RSDP, 5.2.6 system description
 * table header, 5.2.7 RSDT, 5.2.8 XSDT), every length and checksum checked.
 * Shared by the FADT and MADT readers. Pure. */
#ifndef GUEST_ACPI_TABLES_H
#define GUEST_ACPI_TABLES_H

#include "lib/compiler.h"

/* Reads len bytes of physical memory at pa; 0, or -EFAULT if not readable. */
typedef int (*acpi_read_fn)(void *ctx, uint64_t pa, void *buf, uint32_t len);

#define ACPI_SDT_HEADER_LEN 36
#define ACPI_SDT_REVISION   8           /* offset of the header's revision byte */

static inline uint16_t acpi_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t acpi_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t acpi_le64(const uint8_t *p) { return acpi_le32(p) | (uint64_t)acpi_le32(p + 4) << 32; }

/*
 * Finds the first table with signature sig (e.g. "FACP") listed in the XSDT
 * (RSDP revision 2 or later with an XSDT address) or else the RSDT of the
 * RSDP copy (rsdp, len bytes, as the boot loader gave it), and reads it whole
 * into buf (size bytes); *tlen gets its length. name is what messages call
 * it ("FADT"). Returns 0; -ENOENT if no listed table has that signature;
 * -EINVAL (no valid RSDP, a bad RSDT/XSDT, or the table with a bad
 * checksum) or -ENOSPC (the table longer than size: err says both lengths)
 * with a reason in err.
 */
int __must_check acpi_find_table(const uint8_t *rsdp, unsigned int len, acpi_read_fn read, void *ctx,
				 const char *sig, const char *name, uint8_t *buf, uint32_t size,
				 uint32_t *tlen, char *err, size_t errlen);

#endif
