/* drivers/acpi/acpi_fadt.c - the FADT (found by drivers/acpi/acpi_tables.c) -> PM1 control ports and the
 * reset register (ACPI 6.x, 5.2.5-5.2.9). Every length and checksum is
 * checked. Pure. */
#include "drivers/acpi/acpi_fadt.h"
#include "lib/format.h"

#define FADT_PM1A_CNT    64      /* 32-bit port */
#define FADT_PM1B_CNT    68
#define FADT_X_PM1A_CNT  172     /* generic address structure, ACPI 2.0+ */
#define FADT_X_PM1B_CNT  184
#define FADT_FLAGS       112
#define FADT_RESET_REG_SUP (1u << 10)
#define FADT_RESET_REG   116     /* generic address structure, ACPI 2.0+ (revision 2 on) */
#define FADT_RESET_VALUE 128
#define GAS_SYSTEM_IO    ACPI_SPACE_IO

/* A port from the FADT: the X_ generic address if it is system I/O, else the 32-bit field. */
static uint16_t pm1_port(const uint8_t *fadt, uint32_t len, unsigned int legacy, unsigned int gas)
{
	if (len >= gas + 12 && fadt[gas] == GAS_SYSTEM_IO && acpi_le64(fadt + gas + 4))
		return (uint16_t)acpi_le64(fadt + gas + 4);
	return len >= legacy + 4 ? (uint16_t)acpi_le32(fadt + legacy) : 0;
}

/* RESET_REG and RESET_VALUE of a checked FADT (fadt, len bytes). */
static void reset_reg(const uint8_t *fadt, uint32_t len, struct acpi_reset_reg *r)
{
	const uint8_t *gas = fadt + FADT_RESET_REG;
	uint64_t a;

	*r = (struct acpi_reset_reg){ .present = false };
	if (fadt[ACPI_SDT_REVISION] < 2 || len < FADT_FLAGS + 4 || !(acpi_le32(fadt + FADT_FLAGS) & FADT_RESET_REG_SUP))
		return;
	if (len < FADT_RESET_VALUE + 1) {
		r->ignored = "the FADT is too short to hold it";
		return;
	}
	a = acpi_le64(gas + 4);
	r->space = gas[0];
	r->bit_width = gas[1];
	r->bit_offset = gas[2];
	r->address = a;
	r->value = fadt[FADT_RESET_VALUE];
	if (r->space != ACPI_SPACE_MEMORY && r->space != ACPI_SPACE_IO && r->space != ACPI_SPACE_PCI)
		r->ignored = "in an address space the FADT does not allow for it";
	else if (!a)
		r->ignored = "at address 0";
	else if (r->space == ACPI_SPACE_IO && a > 0xffff)
		r->ignored = "at an I/O port beyond 0xffff";
	else if (r->space == ACPI_SPACE_PCI && ((a >> 32) > 31 || ((a >> 16) & 0xffff) > 7 || (a & 0xffff) > 0xfff))
		r->ignored = "at a PCI address with no such device, function or offset";
	else
		r->present = true;
}

void acpi_reset_reg_describe(const struct acpi_reset_reg *r, char *buf, size_t len)
{
	if (r->space == ACPI_SPACE_IO)
		fmt_snprintf(buf, len, "I/O port 0x%llx, value 0x%x", (unsigned long long)r->address, r->value);
	else if (r->space == ACPI_SPACE_MEMORY)
		fmt_snprintf(buf, len, "memory 0x%llx, value 0x%x", (unsigned long long)r->address, r->value);
	else
		fmt_snprintf(buf, len, "PCI 00:%02x.%x offset 0x%x, value 0x%x",
			     (unsigned int)(r->address >> 32), (unsigned int)(r->address >> 16) & 0xffff,
			     (unsigned int)r->address & 0xffff, r->value);
}

int acpi_read_fadt(const uint8_t *rsdp, unsigned int len, acpi_read_fn read, void *ctx,
		   struct acpi_fadt_regs *out, char *err, size_t errlen)
{
	static uint8_t buf[4096];
	uint32_t flen;
	int rc;

	*out = (struct acpi_fadt_regs){ 0, 0, { .present = false } };
	rc = acpi_find_table(rsdp, len, read, ctx, "FACP", "FADT", buf, sizeof(buf), &flen, err, errlen);
	if (rc)
		return rc;
	out->pm1a_cnt = pm1_port(buf, flen, FADT_PM1A_CNT, FADT_X_PM1A_CNT);
	out->pm1b_cnt = pm1_port(buf, flen, FADT_PM1B_CNT, FADT_X_PM1B_CNT);
	reset_reg(buf, flen, &out->reset);
	return 0;
}
