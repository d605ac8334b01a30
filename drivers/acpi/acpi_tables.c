/* drivers/acpi/acpi_tables.c - RSDP -> RSDT/XSDT -> a table by signature (ACPI 6.x,
 * 5.2.5-5.2.8). Every length and checksum is checked. Pure. */
#include "drivers/acpi/acpi_tables.h"
#include "lib/format.h"

#define MAX_TABLE_LEN (1u << 20)

static bool checksum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;

	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum == 0;
}

/* Reads a table header at pa; *len gets its length if the signature matches. */
static int table_header(acpi_read_fn read, void *ctx, uint64_t pa, const char *sig, uint32_t *len)
{
	uint8_t h[ACPI_SDT_HEADER_LEN];

	if (read(ctx, pa, h, sizeof(h)))
		return -EFAULT;
	if (h[0] != sig[0] || h[1] != sig[1] || h[2] != sig[2] || h[3] != sig[3])
		return -ENOENT;
	*len = acpi_le32(h + 4);
	return *len < ACPI_SDT_HEADER_LEN || *len > MAX_TABLE_LEN ? -EINVAL : 0;
}

int acpi_find_table(const uint8_t *rsdp, unsigned int len, acpi_read_fn read, void *ctx,
		    const char *sig, const char *name, uint8_t *buf, uint32_t size,
		    uint32_t *tlen, char *err, size_t errlen)
{
	static uint8_t sdt_buf[4096];
	const char *sdt_name;
	uint64_t sdt, pa;
	uint32_t sdt_len, entry_size;
	bool xsdt;

	if (len < 20 || rsdp[0] != 'R' || rsdp[1] != 'S' || rsdp[2] != 'D' || rsdp[3] != ' ' ||
	    !checksum_ok(rsdp, 20)) {
		fmt_snprintf(err, errlen, "no valid RSDP");
		return -EINVAL;
	}
	xsdt = rsdp[15] >= 2 && len >= 36 && acpi_le64(rsdp + 24);
	sdt = xsdt ? acpi_le64(rsdp + 24) : acpi_le32(rsdp + 16);
	sdt_name = xsdt ? "XSDT" : "RSDT";
	entry_size = xsdt ? 8 : 4;
	if (table_header(read, ctx, sdt, sdt_name, &sdt_len) || sdt_len > sizeof(sdt_buf) ||
	    read(ctx, sdt, sdt_buf, sdt_len) || !checksum_ok(sdt_buf, sdt_len)) {
		fmt_snprintf(err, errlen, "bad %s at 0x%llx", sdt_name, (unsigned long long)sdt);
		return -EINVAL;
	}
	for (uint32_t off = ACPI_SDT_HEADER_LEN; off + entry_size <= sdt_len; off += entry_size) {
		pa = entry_size == 8 ? acpi_le64(sdt_buf + off) : acpi_le32(sdt_buf + off);
		switch (table_header(read, ctx, pa, sig, tlen)) {
		case -ENOENT:
		case -EFAULT:
			continue;               /* another table, or one we cannot read */
		case 0:
			if (*tlen > size) {
				fmt_snprintf(err, errlen, "%s at 0x%llx is %u bytes, more than the %u this reader "
					     "takes", name, (unsigned long long)pa, *tlen, size);
				return -ENOSPC;
			}
			if (!read(ctx, pa, buf, *tlen) && checksum_ok(buf, *tlen))
				return 0;
			break;
		default:
			break;
		}
		fmt_snprintf(err, errlen, "bad %s at 0x%llx", name, (unsigned long long)pa);
		return -EINVAL;
	}
	fmt_snprintf(err, errlen, "no %s in the %s", name, sdt_name);
	return -ENOENT;
}
