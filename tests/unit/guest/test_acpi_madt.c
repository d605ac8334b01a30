/* tests/unit/guest/test_acpi_madt.c - RSDP -> RSDT/XSDT -> MADT: I/O APICs
 * and the ISA IRQ to GSI map with its interrupt source overrides. */
#include "drivers/acpi/acpi_madt.h"
#include "tests/unit/check.h"

#include "tests/unit/guest/acpi_fixture.h"

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* An RSDP (revision 0) -> RSDT at 0x1000 -> [FACP at 0x1800, APIC at 0x2000]
 * with the MADT entries given (len bytes). */
static void build(uint8_t *rsdp, const uint8_t *entries, uint32_t len)
{
	uint32_t mlen = 44 + len;

	memset(phys, 0, sizeof(phys));
	memset(rsdp, 0, 20);
	memcpy(rsdp, "RSD PTR ", 8);
	rsdp[17] = 0x10;
	fix_checksum(rsdp, 20, 8);
	memcpy(phys + 0x1000, "RSDT", 4);
	put32(phys + 0x1004, 44);
	put32(phys + 0x1000 + 36, 0x1800);
	put32(phys + 0x1000 + 40, 0x2000);
	fix_checksum(phys + 0x1000, 44, 9);
	memcpy(phys + 0x1800, "FACP", 4);
	put32(phys + 0x1804, 36);
	fix_checksum(phys + 0x1800, 36, 9);
	memcpy(phys + 0x2000, "APIC", 4);
	put32(phys + 0x2004, mlen);
	put32(phys + 0x2000 + 36, 0xfee00000);
	put32(phys + 0x2000 + 40, 1);                     /* PCAT_COMPAT */
	memcpy(phys + 0x2000 + 44, entries, len);
	fix_checksum(phys + 0x2000, mlen, 9);
}

/* What Bochs' BIOS builds: a local APIC, one I/O APIC at 0xfec00000 (GSI 0),
 * IRQ 0 on GSI 2 and IRQ 9 level/high. */
static const uint8_t bochs_like[] = {
	0, 8, 0, 0, 1, 0, 0, 0,                           /* processor local APIC 0 */
	1, 12, 1, 0, 0x00, 0x00, 0xc0, 0xfe, 0, 0, 0, 0,  /* I/O APIC 1 at 0xfec00000, GSI 0 */
	2, 10, 0, 0, 2, 0, 0, 0, 0, 0,                    /* ISA IRQ 0 -> GSI 2 */
	2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0,                 /* ISA IRQ 9 -> GSI 9, level, high */
};

TEST(bochs_madt)
{
	struct acpi_madt_info m;
	unsigned int pins[MADT_MAX_IOAPICS] = { 24 }, pin = 99;
	uint8_t rsdp[20];
	char err[80] = "";

	build(rsdp, bochs_like, sizeof(bochs_like));
	CHECK_EQ(acpi_read_madt(rsdp, sizeof(rsdp), rd, NULL, &m, err, sizeof(err)), 0);
	CHECK(m.pcat_compat);
	CHECK_EQ(m.ioapic_count, 1);
	CHECK_EQ(m.ioapic[0].id, 1);
	CHECK_EQ(m.ioapic[0].address, 0xfec00000u);
	CHECK_EQ(m.ioapic[0].gsi_base, 0);
	CHECK_EQ(m.isa_gsi[0], 2);
	CHECK_EQ(m.isa_gsi[4], 4);                        /* COM1: no override, identity */
	CHECK_EQ(m.isa_flags[4], 0);
	CHECK_EQ(m.isa_gsi[9], 9);
	CHECK_EQ(m.isa_flags[9], 0x0d);
	CHECK_EQ(madt_ioapic_for_gsi(&m, pins, 4, &pin), 0);
	CHECK_EQ(pin, 4);
	CHECK_EQ(madt_ioapic_for_gsi(&m, pins, 24, &pin), -1);
}

/* Two I/O APICs; IRQ 4 moved to the second one's pin 3. */
TEST(override_to_second_ioapic)
{
	static const uint8_t e[] = {
		1, 12, 0, 0, 0x00, 0x00, 0xc0, 0xfe, 0, 0, 0, 0,
		1, 12, 1, 0, 0x00, 0x10, 0xc0, 0xfe, 24, 0, 0, 0,
		2, 10, 0, 4, 27, 0, 0, 0, 0x05, 0,            /* edge, active high */
	};
	struct acpi_madt_info m;
	unsigned int pins[MADT_MAX_IOAPICS] = { 24, 24 }, pin = 0;
	uint8_t rsdp[20];
	char err[80] = "";

	build(rsdp, e, sizeof(e));
	CHECK_EQ(acpi_read_madt(rsdp, sizeof(rsdp), rd, NULL, &m, err, sizeof(err)), 0);
	CHECK_EQ(m.ioapic_count, 2);
	CHECK_EQ(m.isa_gsi[4], 27);
	CHECK_EQ(madt_ioapic_for_gsi(&m, pins, m.isa_gsi[4], &pin), 1);
	CHECK_EQ(pin, 3);
	CHECK_EQ(m.ioapic[1].address, 0xfec01000u);
}

/* An entry whose length runs past the table, or a zero length that would
 * loop forever: the walk stops with a reason. */
TEST(malformed_entries)
{
	static const uint8_t overrun[] = { 1, 12, 0, 0, 0, 0 };
	static const uint8_t zero[] = { 1, 0, 0, 0 };
	struct acpi_madt_info m;
	uint8_t rsdp[20];
	char err[80] = "";

	build(rsdp, overrun, sizeof(overrun));
	CHECK_EQ(acpi_read_madt(rsdp, sizeof(rsdp), rd, NULL, &m, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "overruns") != NULL);
	build(rsdp, zero, sizeof(zero));
	CHECK_EQ(acpi_read_madt(rsdp, sizeof(rsdp), rd, NULL, &m, err, sizeof(err)), -EINVAL);
	/* A bad checksum: the table is not used. */
	build(rsdp, bochs_like, sizeof(bochs_like));
	phys[0x2000 + 50] ^= 1;
	CHECK_EQ(acpi_read_madt(rsdp, sizeof(rsdp), rd, NULL, &m, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "bad MADT") != NULL);
}

TEST(no_madt)
{
	struct acpi_madt_info m;
	uint8_t rsdp[20];
	char err[80] = "";

	build(rsdp, bochs_like, sizeof(bochs_like));
	memcpy(phys + 0x2000, "XXXX", 4);
	CHECK_EQ(acpi_read_madt(rsdp, sizeof(rsdp), rd, NULL, &m, err, sizeof(err)), -ENOENT);
	CHECK_EQ(m.isa_gsi[4], 4);
	rsdp[0] = 'X';
	CHECK_EQ(acpi_read_madt(rsdp, sizeof(rsdp), rd, NULL, &m, err, sizeof(err)), -EINVAL);
}
