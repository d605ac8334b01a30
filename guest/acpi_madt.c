/* guest/acpi_madt.c - RSDP -> RSDT/XSDT -> MADT -> I/O APICs and interrupt
 * source overrides (ACPI 6.x, 5.2.12.3 I/O APIC, 5.2.12.5 interrupt source
 * override). Every length and checksum is checked. Pure. */
#include "guest/acpi_madt.h"
#include "lib/format.h"

#define SDT_HEADER_LEN     36
#define MADT_FLAGS         40
#define MADT_ENTRIES       44
#define MADT_PCAT_COMPAT   (1u << 0)
#define MADT_TYPE_IOAPIC   1
#define MADT_TYPE_OVERRIDE 2
#define MAX_TABLE_LEN      (1u << 20)

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static bool checksum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;

	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum == 0;
}

/* Reads the whole table at pa into buf if its signature is sig and it fits. */
static int read_table(acpi_read_fn read, void *ctx, uint64_t pa, const char *sig, uint8_t *buf,
		      uint32_t size, uint32_t *len)
{
	uint8_t h[SDT_HEADER_LEN];

	if (read(ctx, pa, h, sizeof(h)))
		return -EFAULT;
	if (h[0] != sig[0] || h[1] != sig[1] || h[2] != sig[2] || h[3] != sig[3])
		return -ENOENT;
	*len = le32(h + 4);
	if (*len < SDT_HEADER_LEN || *len > MAX_TABLE_LEN || *len > size ||
	    read(ctx, pa, buf, *len) || !checksum_ok(buf, *len))
		return -EINVAL;
	return 0;
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
		if (type == MADT_TYPE_IOAPIC && elen >= 12 && out->ioapic_count < MADT_MAX_IOAPICS)
			out->ioapic[out->ioapic_count++] = (struct madt_ioapic){
				.id = t[off + 2], .address = le32(t + off + 4), .gsi_base = le32(t + off + 8),
			};
		/* Only bus 0 (ISA) overrides exist (5.2.12.5). */
		if (type == MADT_TYPE_OVERRIDE && elen >= 10 && t[off + 2] == 0 && t[off + 3] < ISA_IRQS) {
			out->isa_gsi[t[off + 3]] = le32(t + off + 4);
			out->isa_flags[t[off + 3]] = le16(t + off + 8);
		}
		off += elen;
	}
	return 0;
}

int acpi_read_madt(const uint8_t *rsdp, unsigned int len, acpi_read_fn read, void *ctx,
		   struct acpi_madt_info *out, char *err, size_t errlen)
{
	static uint8_t buf[4096];
	/* The SDT's entries, copied out: the MADT is read into the same buffer. */
	static uint64_t entries[(sizeof(buf) - SDT_HEADER_LEN) / 4];
	unsigned int n = 0;
	uint64_t sdt;
	uint32_t sdt_len, entry_size, mlen;
	bool xsdt;
	int rc;

	*out = (struct acpi_madt_info){ .ioapic_count = 0 };
	for (unsigned int i = 0; i < ISA_IRQS; i++)
		out->isa_gsi[i] = i;
	if (len < 20 || rsdp[0] != 'R' || rsdp[1] != 'S' || rsdp[2] != 'D' || rsdp[3] != ' ' ||
	    !checksum_ok(rsdp, 20)) {
		fmt_snprintf(err, errlen, "no valid RSDP");
		return -EINVAL;
	}
	xsdt = rsdp[15] >= 2 && len >= 36 && le64(rsdp + 24);
	sdt = xsdt ? le64(rsdp + 24) : le32(rsdp + 16);
	entry_size = xsdt ? 8 : 4;
	if (read_table(read, ctx, sdt, xsdt ? "XSDT" : "RSDT", buf, sizeof(buf), &sdt_len)) {
		fmt_snprintf(err, errlen, "bad %s at 0x%llx", xsdt ? "XSDT" : "RSDT", (unsigned long long)sdt);
		return -EINVAL;
	}
	for (uint32_t off = SDT_HEADER_LEN; off + entry_size <= sdt_len; off += entry_size)
		entries[n++] = entry_size == 8 ? le64(buf + off) : le32(buf + off);
	for (unsigned int i = 0; i < n; i++) {
		rc = read_table(read, ctx, entries[i], "APIC", buf, sizeof(buf), &mlen);
		if (rc == -ENOENT || rc == -EFAULT)
			continue;
		if (rc || mlen < MADT_ENTRIES) {
			fmt_snprintf(err, errlen, "bad MADT at 0x%llx", (unsigned long long)entries[i]);
			return -EINVAL;
		}
		out->pcat_compat = le32(buf + MADT_FLAGS) & MADT_PCAT_COMPAT;
		return parse_entries(buf, mlen, out, err, errlen);
	}
	fmt_snprintf(err, errlen, "no MADT in the %s", xsdt ? "XSDT" : "RSDT");
	return -ENOENT;
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
