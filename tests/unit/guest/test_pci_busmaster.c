/* tests/unit/guest/test_pci_busmaster.c - Bus Master Enable off on every function. */
#include "guest/dev/pci_busmaster.h"
#include "tests/unit/check.h"

/* A configuration space of 256 bytes per function; absent functions read all ones. */
static uint8_t cfg[256][32][8][256];
static bool present[256][32][8];
static bool hardwired[256][32][8];               /* Bus Master Enable reads 1 whatever is written */
static unsigned int reads, writes;

static uint32_t rd(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
	uint32_t v;

	reads++;
	CHECK_EQ(off & 3, 0);
	if (!present[bus][dev][fn])
		return 0xffffffff;
	memcpy(&v, &cfg[bus][dev][fn][off], 4);
	return v;
}

static void wr(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, uint16_t val)
{
	writes++;
	CHECK_EQ(off & 1, 0);
	CHECK(present[bus][dev][fn]);
	if (off == 4 && hardwired[bus][dev][fn])
		val |= 4;
	memcpy(&cfg[bus][dev][fn][off], &val, 2);
}

static const struct pci_cfg_ops ops = { rd, wr, NULL };

static void add(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t vendor, uint16_t cmd, uint8_t hdr)
{
	present[bus][dev][fn] = true;
	memcpy(&cfg[bus][dev][fn][0], &vendor, 2);
	memcpy(&cfg[bus][dev][fn][4], &cmd, 2);
	cfg[bus][dev][fn][6] = 0x90;                      /* status: not touched */
	cfg[bus][dev][fn][0x0e] = hdr;
}

static uint16_t cmd_of(uint8_t bus, uint8_t dev, uint8_t fn)
{
	return (uint16_t)(cfg[bus][dev][fn][4] | cfg[bus][dev][fn][5] << 8);
}

static void reset_space(void)
{
	memset(cfg, 0, sizeof(cfg));
	memset(present, 0, sizeof(present));
	memset(hardwired, 0, sizeof(hardwired));
	reads = writes = 0;
}

TEST(bochs_i440fx_like_machine)
{
	struct pci_busmaster_result r;

	reset_space();
	add(0, 0, 0, 0x8086, 0x0006, 0x00);               /* host bridge, BME on */
	add(0, 1, 0, 0x8086, 0x0007, 0x80);               /* PIIX3 ISA, multi-function */
	add(0, 1, 1, 0x8086, 0x0005, 0x00);               /* IDE: I/O + BME */
	add(0, 1, 3, 0x8086, 0x0001, 0x00);               /* ACPI: I/O only */
	add(0, 2, 0, 0x1234, 0x0003, 0x00);               /* VGA */
	pci_busmaster_off(&ops, &r);
	CHECK_EQ(r.functions, 5);
	CHECK_EQ(r.cleared, 3);
	CHECK_EQ(r.stuck, 0);
	CHECK_EQ(writes, 3);
	CHECK_EQ(cmd_of(0, 0, 0), 0x0002);
	CHECK_EQ(cmd_of(0, 1, 0), 0x0003);
	CHECK_EQ(cmd_of(0, 1, 1), 0x0001);
	CHECK_EQ(cmd_of(0, 1, 3), 0x0001);
	CHECK_EQ(cmd_of(0, 2, 0), 0x0003);
	CHECK_EQ(cfg[0][1][1][6], 0x90);
}

TEST(functions_of_single_function_devices_are_not_probed)
{
	struct pci_busmaster_result r;

	reset_space();
	/* Some single-function devices answer on every function number. */
	add(0, 3, 0, 0x10ec, 0x0007, 0x00);
	add(0, 3, 5, 0x10ec, 0x0007, 0x00);
	pci_busmaster_off(&ops, &r);
	CHECK_EQ(r.functions, 1);
	CHECK_EQ(cmd_of(0, 3, 5), 0x0007);
}

TEST(every_bus_is_scanned)
{
	struct pci_busmaster_result r;

	reset_space();
	add(0, 0, 0, 0x8086, 0x0000, 0x00);
	add(0, 0x1c, 0, 0x8086, 0x0407, 0x81);            /* root port (bridge header, multi-function) */
	add(0, 0x1c, 7, 0x8086, 0x0404, 0x01);
	add(3, 0, 0, 0x15b3, 0x0546, 0x00);               /* NIC behind it: BME, parity, INTx off */
	add(255, 31, 0, 0x1af4, 0x0004, 0x00);
	pci_busmaster_off(&ops, &r);
	CHECK_EQ(r.functions, 5);
	CHECK_EQ(r.cleared, 4);
	CHECK_EQ(cmd_of(0, 0x1c, 0), 0x0403);
	CHECK_EQ(cmd_of(0, 0x1c, 7), 0x0400);
	CHECK_EQ(cmd_of(3, 0, 0), 0x0542);
	CHECK_EQ(cmd_of(255, 31, 0), 0x0000);
	/* Nothing there: one read per device slot. */
	reset_space();
	pci_busmaster_off(&ops, &r);
	CHECK_EQ(r.functions, 0);
	CHECK_EQ(reads, 256 * 32);
	CHECK_EQ(writes, 0);
}

TEST(hardwired_bus_master_enable_is_counted_apart)
{
	struct pci_busmaster_result r;

	reset_space();
	add(0, 0, 0, 0x8086, 0x0006, 0x00);
	hardwired[0][0][0] = true;
	add(0, 1, 0, 0x8086, 0x0007, 0x00);
	pci_busmaster_off(&ops, &r);
	CHECK_EQ(r.functions, 2);
	CHECK_EQ(r.cleared, 1);
	CHECK_EQ(r.stuck, 1);
	CHECK_EQ(cmd_of(0, 0, 0), 0x0006);
	CHECK_EQ(cmd_of(0, 1, 0), 0x0003);
}
