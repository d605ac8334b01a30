/* tests/unit/guest/test_acpi_fadt.c - RSDP -> RSDT/XSDT -> FADT -> PM1 ports
 * and the reset register. */
#include "drivers/acpi/acpi_fadt.h"
#include "tests/unit/check.h"

#include "tests/unit/guest/acpi_fixture.h"

static void sdt(uint64_t at, const char *sig, uint32_t len)
{
	memcpy(phys + at, sig, 4);
	memcpy(phys + at + 4, &len, 4);
}

/* RSDP (rev 0) -> RSDT at 0x1000 -> [APIC at 0x1800, FACP at 0x2000]. */
static void build(uint8_t *rsdp, bool x_ports)
{
	uint32_t e1 = 0x1800, e2 = 0x2000, port = 0xb004;

	memset(phys, 0, sizeof(phys));
	memset(rsdp, 0, 20);
	memcpy(rsdp, "RSD PTR ", 8);
	rsdp[16] = 0x00; rsdp[17] = 0x10;                 /* RSDT at 0x1000 */
	fix_checksum(rsdp, 20, 8);
	sdt(0x1000, "RSDT", 44);
	memcpy(phys + 0x1000 + 36, &e1, 4);
	memcpy(phys + 0x1000 + 40, &e2, 4);
	fix_checksum(phys + 0x1000, 44, 9);
	sdt(0x1800, "APIC", 44);
	fix_checksum(phys + 0x1800, 44, 9);
	sdt(0x2000, "FACP", 244);
	memcpy(phys + 0x2000 + 64, &port, 4);
	if (x_ports) {
		uint64_t xport = 0x600;

		phys[0x2000 + 172] = 1;                      /* system I/O */
		memcpy(phys + 0x2000 + 176, &xport, 8);
	}
	fix_checksum(phys + 0x2000, 244, 9);
}

TEST(finds_pm1a_through_rsdt)
{
	uint8_t rsdp[20];
	struct acpi_fadt_regs p;
	char err[80];

	build(rsdp, false);
	CHECK_EQ(acpi_read_fadt(rsdp, 20, rd, NULL, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.pm1a_cnt, 0xb004);
	CHECK_EQ(p.pm1b_cnt, 0);
	CHECK(!p.reset.present && !p.reset.ignored);       /* revision 0: no reset register */
}

TEST(prefers_the_extended_address)
{
	uint8_t rsdp[20];
	struct acpi_fadt_regs p;
	char err[80];

	build(rsdp, true);
	CHECK_EQ(acpi_read_fadt(rsdp, 20, rd, NULL, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.pm1a_cnt, 0x600);
}

TEST(bad_checksums_and_missing_tables)
{
	uint8_t rsdp[20];
	struct acpi_fadt_regs p;
	char err[80];

	build(rsdp, false);
	rsdp[0] = 'X';
	CHECK_EQ(acpi_read_fadt(rsdp, 20, rd, NULL, &p, err, sizeof(err)), -EINVAL);
	build(rsdp, false);
	phys[0x2000 + 100] ^= 1;                          /* FADT checksum now wrong */
	CHECK_EQ(acpi_read_fadt(rsdp, 20, rd, NULL, &p, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "bad FADT at 0x2000");
	build(rsdp, false);
	memcpy(phys + 0x2000, "XXXX", 4);                 /* no FACP signature */
	CHECK_EQ(acpi_read_fadt(rsdp, 20, rd, NULL, &p, err, sizeof(err)), -ENOENT);
	build(rsdp, false);
	rsdp[17] = 0xff;                                  /* RSDT outside memory */
	fix_checksum(rsdp, 20, 8);
	CHECK_EQ(acpi_read_fadt(rsdp, 20, rd, NULL, &p, err, sizeof(err)), -EINVAL);
	CHECK_EQ(acpi_read_fadt(rsdp, 10, rd, NULL, &p, err, sizeof(err)), -EINVAL);
}

#define FADT 0x2000

/* The FADT of build() as revision REV with a reset register (SPACE, ADDR,
 * VALUE) and RESET_REG_SUP as given, checksum fixed. */
static void with_reset(uint8_t rev, bool sup, uint8_t space, uint64_t addr, uint8_t value)
{
	uint32_t flags = sup ? 1u << 10 : 0;

	phys[FADT + 8] = rev;
	memcpy(phys + FADT + 112, &flags, 4);
	phys[FADT + 116] = space;
	phys[FADT + 117] = 8;                             /* bit width */
	phys[FADT + 118] = 0;                             /* bit offset */
	phys[FADT + 119] = 1;                             /* byte access */
	memcpy(phys + FADT + 120, &addr, 8);
	phys[FADT + 128] = value;
	fix_checksum(phys + FADT, 244, 9);
}

/* Builds the tables with that reset register and reads it back. */
static struct acpi_reset_reg read_reset(uint8_t rev, bool sup, uint8_t space, uint64_t addr, uint8_t value)
{
	uint8_t rsdp[20];
	struct acpi_fadt_regs p;
	char err[80];

	build(rsdp, false);
	with_reset(rev, sup, space, addr, value);
	CHECK_EQ(acpi_read_fadt(rsdp, 20, rd, NULL, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.pm1a_cnt, 0xb004);                     /* the PM1 ports still found */
	return p.reset;
}

TEST(reset_register_in_io_space)
{
	struct acpi_reset_reg r = read_reset(3, true, ACPI_SPACE_IO, 0xcf9, 6);   /* QEMU q35's */
	char d[64];

	CHECK(r.present && !r.ignored);
	CHECK_EQ(r.space, ACPI_SPACE_IO);
	CHECK_EQ(r.address, 0xcf9);
	CHECK_EQ(r.value, 6);
	CHECK_EQ(r.bit_width, 8);
	acpi_reset_reg_describe(&r, d, sizeof(d));
	CHECK_STR(d, "I/O port 0xcf9, value 0x6");
}

TEST(reset_register_in_memory_and_pci_space)
{
	struct acpi_reset_reg r = read_reset(5, true, ACPI_SPACE_MEMORY, 0xfed00080, 1);
	char d[64];

	CHECK(r.present);
	acpi_reset_reg_describe(&r, d, sizeof(d));
	CHECK_STR(d, "memory 0xfed00080, value 0x1");
	/* Bus 0, device 0x1f, function 0, offset 0xac. */
	r = read_reset(2, true, ACPI_SPACE_PCI, 0x1fULL << 32 | 0xac, 0x10);
	CHECK(r.present);
	acpi_reset_reg_describe(&r, d, sizeof(d));
	CHECK_STR(d, "PCI 00:1f.0 offset 0xac, value 0x10");
}

TEST(no_reset_register_without_the_flag_or_before_revision_2)
{
	struct acpi_reset_reg r = read_reset(3, false, ACPI_SPACE_IO, 0xcf9, 6);

	CHECK(!r.present && !r.ignored);
	r = read_reset(1, true, ACPI_SPACE_IO, 0xcf9, 6);    /* ACPI 1.0: the field is reserved */
	CHECK(!r.present && !r.ignored);
}

TEST(revision_1_fadt_of_116_bytes)
{
	uint8_t rsdp[20];
	struct acpi_fadt_regs p;
	char err[80];
	uint32_t len = 116;

	build(rsdp, false);                               /* Bochs' BIOS builds such a FADT */
	phys[FADT + 8] = 1;
	memcpy(phys + FADT + 4, &len, 4);
	fix_checksum(phys + FADT, 116, 9);
	CHECK_EQ(acpi_read_fadt(rsdp, 20, rd, NULL, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.pm1a_cnt, 0xb004);
	CHECK(!p.reset.present && !p.reset.ignored);
}

TEST(malformed_reset_registers_are_ignored_with_a_reason)
{
	uint8_t rsdp[20];
	struct acpi_fadt_regs p;
	char err[80];
	uint32_t len = 120, flags = 1u << 10;
	struct acpi_reset_reg r;

	/* Revision 3 with the flag, but cut off before RESET_VALUE. */
	build(rsdp, false);
	phys[FADT + 8] = 3;
	memcpy(phys + FADT + 4, &len, 4);
	memcpy(phys + FADT + 112, &flags, 4);
	fix_checksum(phys + FADT, len, 9);
	CHECK_EQ(acpi_read_fadt(rsdp, 20, rd, NULL, &p, err, sizeof(err)), 0);
	CHECK(!p.reset.present);
	CHECK_STR(p.reset.ignored, "the FADT is too short to hold it");
	r = read_reset(3, true, 3, 0x62, 1);              /* embedded controller space */
	CHECK(!r.present && r.ignored);
	CHECK_STR(r.ignored, "in an address space the FADT does not allow for it");
	r = read_reset(3, true, ACPI_SPACE_IO, 0, 6);
	CHECK(!r.present);
	CHECK_STR(r.ignored, "at address 0");
	r = read_reset(3, true, ACPI_SPACE_IO, 0x10000, 6);
	CHECK(!r.present);
	CHECK_STR(r.ignored, "at an I/O port beyond 0xffff");
	r = read_reset(3, true, ACPI_SPACE_PCI, 32ULL << 32 | 0xac, 6);
	CHECK(!r.present);
	CHECK_STR(r.ignored, "at a PCI address with no such device, function or offset");
}
