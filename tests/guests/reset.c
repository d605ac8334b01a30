/* tests/guests/reset.c - a guest that resets the machine, once per start,
 * each time another way, remembering where it is in CMOS RAM (ports
 * 0x70/0x71 pass through, and the hypervisor does not reset the machine):
 *   start 0: the reset ports still pass what is not a reset (the 8042's
 *            status, 0x92's A20 bit, RST_CNT without RST_CPU, a PCI
 *            configuration dword through 0xcf8/0xcfc); bus mastering on for
 *            the IDE function; reset through the keyboard controller (0xfe)
 *   start 1: bus mastering was turned off; reset through port 0x92 bit 0
 *   start 2: reset through port 0xcf9 (0x06)
 *   start 3: reset through another pulse command, 0x64 <- 0xf0
 *   start 4: reset through the 8042's output port (0xd1, then 0x60 <- 0xfe)
 *   start 5: the output port with the reset line high (0xdf) passes; done
 *            (HC_EXIT 0)
 * Run with hv.onreset=restart (the default). Later module entries go on
 * from there: step 6 (hv.onreset=stop) resets through 0xcf9 (0x0e) and is
 * not started again; step 7 runs and exits; step 8 (hv.onreset=machine)
 * resets through 0xcf9 and the hypervisor resets the machine (CMOS RAM
 * survives it); after the second boot the first entry finds step 9 and
 * every entry after it step 10: they exit.
 * tests/integration/test_guests.sh checks the hypervisor's lines. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

#define CMOS_INDEX   0x70
#define CMOS_DATA    0x71
#define CMOS_STEP    0x7c               /* a byte of CMOS RAM nothing else uses */
#define STEP_MAGIC   0xa0               /* high nibble: the byte is ours */

#define PCI_ADDR     0xcf8
#define PCI_DATA     0xcfc
#define PCI_IDE      (0x80000000u | 1u << 11 | 1u << 8)   /* 00:01.1, PIIX3 IDE in Bochs */
#define PCI_COMMAND_MASTER 0x4

static uint8_t cmos_read(uint8_t i) { outb(CMOS_INDEX, i); return inb(CMOS_DATA); }
static void cmos_write(uint8_t i, uint8_t v) { outb(CMOS_INDEX, i); outb(CMOS_DATA, v); }

static unsigned int step_get(void)
{
	uint8_t b = cmos_read(CMOS_STEP);

	return (b & 0xf0) == STEP_MAGIC ? b & 0x0f : 0;
}

static void step_set(unsigned int s) { cmos_write(CMOS_STEP, (uint8_t)(STEP_MAGIC | s)); }

static uint32_t pci_read(uint32_t addr) { outl(PCI_ADDR, addr); return inl(PCI_DATA); }

/* Only returns if the hypervisor let the reset through to nobody. */
static void reset_then(const char *how)
{
	printf_("[reset] resetting through %s\n", how);
	check(sfmt("still running after the reset through %s", how), false);
	finish();
}

static void start_0(void)
{
	long io = exit_count(GUEST_EXIT_IO);
	uint8_t st = inb(0x64), a;
	uint32_t id;

	check_eq("the 8042's status (port 0x64) read is one I/O exit",
		 (uint64_t)(exit_count(GUEST_EXIT_IO) - io), 1);
	a = inb(0x92);
	checkf("the 8042's status reads like a controller", st != 0xff, "got 0x%x", st);
	outb(0x92, a & ~1);                     /* A20 as it is: no reset */
	check_eq("port 0x92 keeps its bits (the fast reset bit stays 0)", inb(0x92), a & ~1);
	outb(0xcf9, 0x02);                      /* SYS_RST alone: no reset */
	check("port 0xcf9 without RST_CPU does not reset", true);
	id = pci_read(0x80000000u);
	checkf("00:00.0 read with dwords at 0xcf8/0xcfc is Intel's 440FX host bridge",
	       id == 0x12378086, "got 0x%08x", id);
	check_eq("a dword at 0xcf8 reads back the configuration address", inl(PCI_ADDR), 0x80000000u);
	outl(PCI_ADDR, PCI_IDE | 4);
	outw(PCI_DATA, (uint16_t)(inw(PCI_DATA) | PCI_COMMAND_MASTER));
	check("bus mastering turned on for 00:01.1 (IDE)", pci_read(PCI_IDE | 4) & PCI_COMMAND_MASTER);
	step_set(1);
	outb(0x64, 0xfe);
	reset_then("the keyboard controller (0xfe)");
}

void main(void)
{
	unsigned int step = step_get();

	printf_("[reset] start with step %u\n", step);
	switch (step) {
	case 0:
		start_0();
		break;
	case 1:
		check("started again after the keyboard controller reset", true);
		check("bus mastering of 00:01.1 was turned off",
		      !(pci_read(PCI_IDE | 4) & PCI_COMMAND_MASTER));
		step_set(2);
		outb(0x92, inb(0x92) | 1);
		reset_then("port 0x92");
		break;
	case 2:
		check("started again after the port 0x92 reset", true);
		step_set(3);
		outb(0xcf9, 0x06);
		reset_then("port 0xcf9");
		break;
	case 3:
		check("started again after the port 0xcf9 reset", true);
		step_set(4);
		outb(0x64, 0xf0);
		reset_then("the keyboard controller (0xf0)");
		break;
	case 4:
		check("started again after the second keyboard controller reset", true);
		step_set(5);
		outb(0x64, 0xd1);               /* write output port: A20 on, reset line low */
		outb(0x60, 0xfe);
		reset_then("the keyboard controller's output port");
		break;
	case 5:
		check("started again after the output port reset", true);
		outb(0x64, 0xd1);               /* A20 on, reset line high: no reset */
		outb(0x60, 0xdf);
		check("the output port written with the reset line high does not reset", true);
		step_set(6);
		finish();
	case 6:
		check("the entry with hv.onreset=stop starts", true);
		step_set(7);
		outb(0xcf9, 0x0e);
		reset_then("port 0xcf9 (full reset)");
		break;
	case 7:
		check("the entry after the stopped one runs", true);
		step_set(8);
		finish();
	case 8:
		check("the entry with hv.onreset=machine starts", true);
		step_set(9);
		outb(0xcf9, 0x06);
		reset_then("port 0xcf9 (machine)");
		break;
	case 9:
		check("the first entry runs again after the machine reset", true);
		step_set(10);
		finish();
	default:
		check("nothing left to do after the machine reset", step == 10);
		finish();
	}
}
