/* drivers/acpi/acpi_madt.c - the MADT (found by drivers/acpi/acpi_tables.c) -> I/O APICs and interrupt
 * source overrides (ACPI 6.x, 5.2.12.3 I/O APIC, 5.2.12.5 interrupt source
 * override). Every length and checksum is checked. Pure. */
#include "drivers/acpi/acpi_madt.h"
#include "lib/format.h"

#define MADT_FLAGS         40
#define MADT_ENTRIES       44
#define MADT_PCAT_COMPAT   (1u << 0)
#define MADT_TYPE_IOAPIC   1
#define MADT_TYPE_OVERRIDE 2

static int parse_entries(const uint8_t *t, uint32_t len, struct acpi_madt_info *out, char *err,
			 size_t errlen)
{
	for (uint32_t off = MADT_ENTRIES; off < len;) {
		uint8_t type, elen;

		if (off + 2 > len || (elen = t[off + 1]) < 2 || off + elen > len) {
			fmt_snprintf(err, errlen, "MADT entry at offset %u overruns the table", off);
			return -EINVAL;
		}
		type = t[off];
		if (type == MADT_TYPE_IOAPIC && elen >= 12 && out->ioapic_count < MADT_MAX_IOAPICS)
			out->ioapic[out->ioapic_count++] = (struct madt_ioapic){
				.id = t[off + 2], .address = acpi_le32(t + off + 4), .gsi_base = acpi_le32(t + off + 8),
			};
		/* Only bus 0 (ISA) overrides exist (5.2.12.5). */
		if (type == MADT_TYPE_OVERRIDE && elen >= 10 && t[off + 2] == 0 && t[off + 3] < ISA_IRQS) {
			out->isa_gsi[t[off + 3]] = acpi_le32(t + off + 4);
			out->isa_flags[t[off + 3]] = acpi_le16(t + off + 8);
		}
		off += elen;
	}
	return 0;
}

int acpi_read_madt(const uint8_t *rsdp, unsigned int len, acpi_read_fn read, void *ctx,
		   struct acpi_madt_info *out, char *err, size_t errlen)
{
	static uint8_t buf[4096];
	uint32_t mlen;
	int rc;

	*out = (struct acpi_madt_info){ .ioapic_count = 0 };
	for (unsigned int i = 0; i < ISA_IRQS; i++)
		out->isa_gsi[i] = i;
	rc = acpi_find_table(rsdp, len, read, ctx, "APIC", "MADT", buf, sizeof(buf), &mlen, err, errlen);
	if (rc)
		return rc;
	if (mlen < MADT_ENTRIES) {
		fmt_snprintf(err, errlen, "MADT too short (%u bytes)", mlen);
		return -EINVAL;
	}
	out->pcat_compat = acpi_le32(buf + MADT_FLAGS) & MADT_PCAT_COMPAT;
	return parse_entries(buf, mlen, out, err, errlen);
}

int madt_ioapic_for_gsi(const struct acpi_madt_info *m, const unsigned int *pins, uint32_t gsi,
			unsigned int *pin)
{
	for (unsigned int i = 0; i < m->ioapic_count; i++)
		if (gsi >= m->ioapic[i].gsi_base && gsi - m->ioapic[i].gsi_base < pins[i]) {
			*pin = gsi - m->ioapic[i].gsi_base;
			return (int)i;
		}
	return -1;
}
