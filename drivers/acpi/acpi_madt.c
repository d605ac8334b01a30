/* drivers/acpi/acpi_madt.c - the MADT (found by drivers/acpi/acpi_tables.c) -> processors,
 * I/O APICs and interrupt source overrides (ACPI 6.x, 5.2.12.2 processor
 * local APIC, 5.2.12.3 I/O APIC, 5.2.12.5 interrupt source override,
 * 5.2.12.12 processor local x2APIC). Every length and checksum is checked. Pure. */
#include "drivers/acpi/acpi_madt.h"
#include "lib/format.h"

#define MADT_FLAGS         40
#define MADT_ENTRIES       44
#define MADT_PCAT_COMPAT   (1u << 0)
#define MADT_TYPE_LAPIC    0            /* 8 bytes: UID (1), APIC ID (1), flags (4) */
#define MADT_TYPE_IOAPIC   1
#define MADT_TYPE_OVERRIDE 2
#define MADT_TYPE_X2APIC   9            /* 16 bytes: reserved (2), x2APIC ID, flags, UID (4 each) */
#define MADT_CPU_ENABLED   (1u << 0)
#define MADT_CPU_ONLINE_CAPABLE (1u << 1) /* ACPI 6.3: meaningful only where enabled is 0 */

int madt_cpu_find(const struct acpi_madt_info *m, uint32_t apic_id)
{
	for (unsigned int i = 0; i < m->cpu_count; i++)
		if (m->cpu[i].apic_id == apic_id)
			return (int)i;
	return -1;
}

/* One processor entry. Firmware may list a CPU twice (a local APIC and a
 * local x2APIC entry for the same ID): it is one CPU, enabled if either says so. */
static void add_cpu(struct acpi_madt_info *out, uint32_t apic_id, uint32_t uid, uint32_t flags,
		    bool x2apic)
{
	int i = madt_cpu_find(out, apic_id);
	struct madt_cpu *c;

	if (i >= 0) {
		out->cpu_duplicates++;
		c = &out->cpu[i];
		c->enabled |= (flags & MADT_CPU_ENABLED) != 0;
		c->online_capable = !c->enabled && (c->online_capable || (flags & MADT_CPU_ONLINE_CAPABLE));
		return;
	}
	if (out->cpu_count >= MADT_MAX_CPUS) {
		/* Not kept, so a repeat of it cannot be told apart: counted
		 * again (a bound, like the rest of a table this large). */
		out->cpus_dropped++;
		return;
	}
	c = &out->cpu[out->cpu_count++];
	*c = (struct madt_cpu){
		.apic_id = apic_id, .uid = uid, .enabled = (flags & MADT_CPU_ENABLED) != 0, .x2apic = x2apic,
	};
	c->online_capable = !c->enabled && (flags & MADT_CPU_ONLINE_CAPABLE);
}

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
		if (type == MADT_TYPE_LAPIC && elen >= 8)
			add_cpu(out, t[off + 3], t[off + 2], acpi_le32(t + off + 4), false);
		if (type == MADT_TYPE_X2APIC && elen >= 16)
			add_cpu(out, acpi_le32(t + off + 4), acpi_le32(t + off + 12),
				acpi_le32(t + off + 8), true);
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
