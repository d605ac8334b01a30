/* tests/unit/guest/test_acpi_madt.c - RSDP -> RSDT/XSDT -> MADT: processors
 * (local APIC and x2APIC entries), I/O APICs and the ISA IRQ to GSI map with
 * its interrupt source overrides. */
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
	CHECK_EQ(m.cpu_count, 1);
	CHECK_EQ(m.cpu[0].apic_id, 0);
	CHECK(m.cpu[0].enabled && !m.cpu[0].online_capable && !m.cpu[0].x2apic);
	CHECK_EQ(madt_cpu_find(&m, 0), 0);
	CHECK_EQ(madt_cpu_find(&m, 1), -1);
}

/* Both processor entry types, each flag combination, and a CPU listed twice. */
TEST(processors)
{
	static const uint8_t e[] = {
		0, 8, 0, 0, 1, 0, 0, 0,                       /* UID 0, APIC 0, enabled */
		0, 8, 1, 2, 1, 0, 0, 0,                       /* UID 1, APIC 2, enabled */
		0, 8, 2, 4, 2, 0, 0, 0,                       /* UID 2, APIC 4: online-capable */
		0, 8, 3, 6, 0, 0, 0, 0,                       /* UID 3, APIC 6: neither */
		0, 8, 4, 8, 3, 0, 0, 0,                       /* UID 4, APIC 8: enabled; bit 1 reserved */
		9, 16, 0, 0, 0x00, 0x01, 0, 0, 1, 0, 0, 0, 0x20, 0, 0, 0, /* x2APIC 0x100, UID 0x20, enabled */
		9, 16, 0, 0, 0x01, 0x01, 0, 0, 2, 0, 0, 0, 0x21, 0, 0, 0, /* x2APIC 0x101: online-capable */
		9, 16, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0x22, 0, 0, 0,       /* APIC 6 again, now enabled */
		9, 16, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0x23, 0, 0, 0,       /* APIC 2 again, disabled: stays enabled */
	};
	struct acpi_madt_info m;
	uint8_t rsdp[20];
	char err[80] = "";

	build(rsdp, e, sizeof(e));
	CHECK_EQ(acpi_read_madt(rsdp, sizeof(rsdp), rd, NULL, &m, err, sizeof(err)), 0);
	CHECK_EQ(m.cpu_count, 7);
	CHECK_EQ(m.cpu_duplicates, 2);
	CHECK_EQ(m.cpus_dropped, 0);
	CHECK(m.cpu[0].apic_id == 0 && m.cpu[0].enabled && !m.cpu[0].x2apic);
	CHECK(m.cpu[1].apic_id == 2 && m.cpu[1].enabled && m.cpu[1].uid == 1);
	CHECK(m.cpu[2].apic_id == 4 && !m.cpu[2].enabled && m.cpu[2].online_capable);
	CHECK(m.cpu[3].apic_id == 6 && m.cpu[3].enabled && !m.cpu[3].online_capable);
	CHECK_EQ(m.cpu[3].uid, 3);                        /* the first entry's */
	CHECK(m.cpu[4].apic_id == 8 && m.cpu[4].enabled && !m.cpu[4].online_capable);
	CHECK(m.cpu[5].apic_id == 0x100 && m.cpu[5].enabled && m.cpu[5].x2apic);
	CHECK_EQ(m.cpu[5].uid, 0x20);
	CHECK(m.cpu[6].apic_id == 0x101 && !m.cpu[6].enabled && m.cpu[6].online_capable);
	CHECK_EQ(madt_cpu_find(&m, 0x101), 6);
	CHECK_EQ(madt_cpu_find(&m, 0x102), -1);
}

/* Entries shorter than their type's layout are skipped, never read past;
 * a processor entry cut by the table's end stops the walk. */
TEST(processors_truncated)
{
	static const uint8_t short_entries[] = {
		0, 6, 0, 1, 1, 0,                             /* local APIC without its flags */
		9, 12, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0,          /* x2APIC without its UID */
		0, 8, 0, 5, 1, 0, 0, 0,
	};
	static const uint8_t cut[] = {
		0, 8, 0, 0, 1, 0, 0, 0,
		9, 16, 0, 0, 7, 0, 0, 0, 1, 0,                /* the table ends inside it */
	};
	struct acpi_madt_info m;
	uint8_t rsdp[20];
	char err[80] = "";

	build(rsdp, short_entries, sizeof(short_entries));
	CHECK_EQ(acpi_read_madt(rsdp, sizeof(rsdp), rd, NULL, &m, err, sizeof(err)), 0);
	CHECK_EQ(m.cpu_count, 1);
	CHECK_EQ(m.cpu[0].apic_id, 5);
	build(rsdp, cut, sizeof(cut));
	CHECK_EQ(acpi_read_madt(rsdp, sizeof(rsdp), rd, NULL, &m, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "overruns") != NULL);
	CHECK_EQ(m.cpu_count, 1);                         /* what came before it */
}

/* More processors than are kept: counted, not stored. */
TEST(processors_too_many)
{
	static uint8_t e[MADT_MAX_CPUS * 8 + 2 * 16];
	struct acpi_madt_info m;
	uint8_t rsdp[20];
	char err[80] = "";

	memset(e, 0, sizeof(e));
	for (unsigned int i = 0; i < MADT_MAX_CPUS; i++) {
		uint8_t *p = e + i * 8;

		p[0] = 0;
		p[1] = 8;
		p[2] = (uint8_t)i;
		p[3] = (uint8_t)i;
		p[4] = 1;
	}
	for (unsigned int i = 0; i < 2; i++) {
		uint8_t *p = e + MADT_MAX_CPUS * 8 + i * 16;

		p[0] = 9;
		p[1] = 16;
		put32(p + 4, 0x1000 + i);
		put32(p + 8, 1);
	}
	build(rsdp, e, sizeof(e));
	CHECK_EQ(acpi_read_madt(rsdp, sizeof(rsdp), rd, NULL, &m, err, sizeof(err)), 0);
	CHECK_EQ(m.cpu_count, MADT_MAX_CPUS);
	CHECK_EQ(m.cpus_dropped, 2);
	CHECK_EQ(m.cpu[MADT_MAX_CPUS - 1].apic_id, MADT_MAX_CPUS - 1);
	CHECK_EQ(madt_cpu_find(&m, 0x1000), -1);
}
