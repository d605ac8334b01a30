/* guest/dev/reset.c - a guest's reset requests. The reset ports are trapped (the
 * 8042's ports 0x64 and 0x60, system control port A 0x92, the reset control
 * register 0xcf9) and so is the FADT's reset register, in I/O space or, as a
 * trapped page, in memory; everything that is not a reset still reaches the
 * hardware. Which writes are resets is guest/dev/reset_decode.c. */
#include "guest/dev/reset.h"
#include "guest/dev/device.h"
#include "guest/dev/pci_busmaster.h"
#include "arch/cpu.h"
#include "mm/paging.h"
#include "arch/reboot.h"
#include "drivers/console.h"
#include "lib/cmdline.h"
#include "lib/format.h"

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA    0xcfc
#define PCI_CONFIG_ENABLE  0x80000000u

static struct reset_fadt_io fadt_io;       /* the FADT register if it is a port */
static struct reset_kbc kbc;               /* follows the 8042 itself: kept across guests */
static struct acpi_reset_reg fadt_mem;     /* ... if it is memory (present) */
static volatile uint8_t *fadt_page;        /* its page, mapped uncached */
static char fadt_what[64];                 /* "I/O port 0xcf9, value 0x6" */

static uint32_t port_in(struct device_model *d, struct vcpu *v, uint16_t port, unsigned int size)
{
	uint32_t val = 0;

	/* Reads reset nothing: the 8042's status and data, 0x92 with A20, RST_CNT. */
	for (unsigned int i = 0; i < size; i++)
		val |= (uint32_t)inb((uint16_t)(port + i)) << (8 * i);
	return val;
}

static void port_out(struct device_model *d, struct vcpu *v, uint16_t port, unsigned int size,
		     uint32_t value)
{
	for (unsigned int i = 0; i < size; i++) {
		uint16_t p = (uint16_t)(port + i);
		uint8_t b = (uint8_t)(value >> (8 * i));
		uint8_t old = p == PORT_SYS_CTRL_A ? inb(p) : 0;
		struct reset_write w = reset_decode_write(&fadt_io, &kbc, p, b, old);
		char what[128];

		if (w.to_hw)
			outb(p, w.hw_value);
		if (w.path == RESET_NONE)
			continue;
		reset_describe(w.path, p, b, fadt_what, what, sizeof(what));
		reset_guest_request(v, what);
		return;
	}
}

static void ports_describe(struct device_model *d)
{
	printf("  %s: resets trapped: 8042 pulse commands and output port, 0x92 bit 0, 0xcf9 RST_CPU%s%s; "
	       "8042 output port %s\n", d->name, fadt_io.fadt_io ? ", FADT " : "",
	       fadt_io.fadt_io ? fadt_what : "", kbc.output_port_next ? "expected next" : "not pending");
}

static struct device_model reset_ports = { .name = "reset", .port_in = port_in, .port_out = port_out,
					   .describe = ports_describe };

static uint64_t mmio_read(struct device_model *d, struct vcpu *v, gpa_t addr, unsigned int size)
{
	volatile uint8_t *p = fadt_page + (addr & (PAGE_SIZE - 1));

	switch (size) {
	case 1: return *p;
	case 2: return *(volatile uint16_t *)p;
	case 4: return *(volatile uint32_t *)p;
	default: return *(volatile uint64_t *)p;
	}
}

static void mmio_write(struct device_model *d, struct vcpu *v, gpa_t addr, unsigned int size,
		       uint64_t value)
{
	volatile uint8_t *p = fadt_page + (addr & (PAGE_SIZE - 1));

	if (addr == fadt_mem.address && (uint8_t)value == fadt_mem.value) {
		char what[128];

		reset_describe(RESET_FADT, 0, 0, fadt_what, what, sizeof(what));
		reset_guest_request(v, what);
		return;
	}
	switch (size) {
	case 1: *p = (uint8_t)value; break;
	case 2: *(volatile uint16_t *)p = (uint16_t)value; break;
	case 4: *(volatile uint32_t *)p = (uint32_t)value; break;
	default: *(volatile uint64_t *)p = value; break;
	}
}

static struct device_model reset_mmio = { .name = "acpi-reset-reg", .mmio_read = mmio_read,
					  .mmio_write = mmio_write };

/* The FADT register: one more port, or the page it is in. */
static int trap_fadt(const struct acpi_reset_reg *f)
{
	gpa_t page = f->address & ~(uint64_t)(PAGE_SIZE - 1);
	uint16_t port = (uint16_t)f->address;

	if (f->space == ACPI_SPACE_IO) {
		fadt_io = (struct reset_fadt_io){ true, port, f->value };
		if (device_port_owner(port) == &reset_ports)
			return 0;
		return device_add_ports(&reset_ports, port, 1);
	}
	if (f->space == ACPI_SPACE_MEMORY) {
		fadt_page = paging_map_mmio(page, PAGE_SIZE);
		if (!fadt_page) {
			printf("acpi: no memory to map the reset register's page\n");
			return -ENOMEM;
		}
		fadt_mem = *f;
		return device_add_mmio(&reset_mmio, page, PAGE_SIZE);
	}
	printf("acpi: a reset register in PCI configuration space is not trapped (0xcfc stays the "
	       "guest's): a guest that uses it resets the machine\n");
	return 0;
}

int reset_init(const struct acpi_reset_reg *f)
{
	int rc = device_add_ports(&reset_ports, PORT_KBC_DATA, 1);

	if (!rc)
		rc = device_add_ports(&reset_ports, PORT_KBC_CMD, 1);
	if (!rc)
		rc = device_add_ports(&reset_ports, PORT_SYS_CTRL_A, 1);
	if (!rc)
		rc = device_add_ports_flags(&reset_ports, PORT_RST_CNT, 1, DEVICE_PORTS_IN_DWORD);
	if (rc)
		return rc;
	if (f && f->present) {
		acpi_reset_reg_describe(f, fadt_what, sizeof(fadt_what));
		printf("acpi: FADT reset register: %s\n", fadt_what);
		rc = trap_fadt(f);
	} else if (f && f->ignored) {
		printf("acpi: FADT reset register ignored: %s\n", f->ignored);
	} else {
		printf("acpi: FADT has no reset register\n");
	}
	return rc;
}

void reset_guest_request(struct vcpu *v, const char *what)
{
	v->reset_by_guest = true;
	if (v->on_reset == RESET_MACHINE) {
		printf("guest %s: reset through %s\n", v->name, what);
		printf("guest %s: hv.onreset=machine: resetting the machine\n", v->name);
		machine_reset();
		vcpu_stop(v, "reset through %s; the machine did not reset", what);
		return;
	}
	v->reset_requested = v->on_reset == RESET_RESTART;
	vcpu_stop(v, "reset through %s", what);
}

void reset_read_option(struct vcpu *v, const char *cmdline, bool quiet)
{
	enum reset_action a = RESET_RESTART;
	char val[16];
	int n = cmdline_get(cmdline, "hv.onreset", val, sizeof(val));

	if (n != -ENOENT && (n < 0 || reset_action_parse(val, &a)) && !quiet)
		printf("guest %s: bad hv.onreset=%s (restart, stop or machine); using restart\n", v->name,
		       n < 0 ? "(too long)" : val);
	v->on_reset = (uint8_t)a;
}

static uint32_t pci_read32(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
	outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE | (uint32_t)bus << 16 | (uint32_t)dev << 11 |
				 (uint32_t)fn << 8 | (off & 0xfc));
	return inl(PCI_CONFIG_DATA);
}

static void pci_write16(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, uint16_t val)
{
	outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE | (uint32_t)bus << 16 | (uint32_t)dev << 11 |
				 (uint32_t)fn << 8 | (off & 0xfc));
	outw((uint16_t)(PCI_CONFIG_DATA + (off & 2)), val);
}

void reset_busmaster_off(const struct vcpu *v)
{
	static const struct pci_cfg_ops ops = { pci_read32, pci_write16, NULL };
	struct pci_busmaster_result r;

	pci_busmaster_off(&ops, &r);
	printf("guest %s: bus mastering turned off on %u of %u PCI functions", v->name, r.cleared,
	       r.functions);
	if (r.stuck)
		printf("; %u more keep it on (hardwired)", r.stuck);
	printf("\n");
}
