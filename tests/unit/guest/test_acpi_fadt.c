/* tests/unit/guest/test_acpi_fadt.c - RSDP -> RSDT/XSDT -> FADT -> PM1 ports. */
#include "guest/acpi_fadt.h"
#include "tests/unit/check.h"

static uint8_t phys[0x4000];

static int rd(void *ctx, uint64_t pa, void *buf, uint32_t len)
{
	if (pa + len > sizeof(phys) || pa + len < pa)
		return -EFAULT;
	memcpy(buf, phys + pa, len);
	return 0;
}

static void fix_checksum(uint8_t *p, uint32_t len, unsigned int at)
{
	uint8_t sum = 0;

	p[at] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	p[at] = (uint8_t)-sum;
}

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
	struct acpi_pm1 p;
	char err[80];

	build(rsdp, false);
	CHECK_EQ(acpi_find_pm1(rsdp, 20, rd, NULL, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.pm1a_cnt, 0xb004);
	CHECK_EQ(p.pm1b_cnt, 0);
}

TEST(prefers_the_extended_address)
{
	uint8_t rsdp[20];
	struct acpi_pm1 p;
	char err[80];

	build(rsdp, true);
	CHECK_EQ(acpi_find_pm1(rsdp, 20, rd, NULL, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.pm1a_cnt, 0x600);
}

TEST(bad_checksums_and_missing_tables)
{
	uint8_t rsdp[20];
	struct acpi_pm1 p;
	char err[80];

	build(rsdp, false);
	rsdp[0] = 'X';
	CHECK_EQ(acpi_find_pm1(rsdp, 20, rd, NULL, &p, err, sizeof(err)), -EINVAL);
	build(rsdp, false);
	phys[0x2000 + 100] ^= 1;                          /* FADT checksum now wrong */
	CHECK_EQ(acpi_find_pm1(rsdp, 20, rd, NULL, &p, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "bad FADT at 0x2000");
	build(rsdp, false);
	memcpy(phys + 0x2000, "XXXX", 4);                 /* no FACP signature */
	CHECK_EQ(acpi_find_pm1(rsdp, 20, rd, NULL, &p, err, sizeof(err)), -ENOENT);
	build(rsdp, false);
	rsdp[17] = 0xff;                                  /* RSDT outside memory */
	fix_checksum(rsdp, 20, 8);
	CHECK_EQ(acpi_find_pm1(rsdp, 20, rd, NULL, &p, err, sizeof(err)), -EINVAL);
	CHECK_EQ(acpi_find_pm1(rsdp, 10, rd, NULL, &p, err, sizeof(err)), -EINVAL);
}
