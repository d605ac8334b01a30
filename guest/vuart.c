/* guest/vuart.c - the guest's COM1: the physical UART belongs to the
 * hypervisor, the guest gets a virtual one whose output goes to the console.
 * A minimal 16550 (transmit, line status, scratch; no input, no interrupts)
 * until the full register model takes its place. */
#include "guest/vuart.h"
#include "guest/device.h"
#include "drivers/console.h"

#define LSR_THRE_TEMT      0x60
#define IIR_NO_INTERRUPT   0x01
#define MSR_DCD_DSR_CTS    0xb0

static uint8_t com1_scratch;

static uint32_t com1_in(struct device_model *d, struct vcpu *v, uint16_t port, unsigned int size)
{
	uint32_t val = 0;

	for (unsigned int i = 0; i < size; i++) {
		uint8_t b = 0;

		switch ((port + i) - GUEST_COM1) {
		case 2: b = IIR_NO_INTERRUPT; break;
		case 5: b = LSR_THRE_TEMT; break;
		case 6: b = MSR_DCD_DSR_CTS; break;
		case 7: b = com1_scratch; break;
		}
		val |= (uint32_t)b << (8 * i);
	}
	return val;
}

static void com1_out(struct device_model *d, struct vcpu *v, uint16_t port, unsigned int size,
		     uint32_t value)
{
	for (unsigned int i = 0; i < size; i++) {
		uint8_t b = (uint8_t)(value >> (8 * i));

		if (port + i == GUEST_COM1)
			printf("%c", b);
		else if (port + i == GUEST_COM1 + 7)
			com1_scratch = b;
	}
}

static struct device_model com1 = {
	.name = "com1", .port_in = com1_in, .port_out = com1_out,
};

/* The hypervisor's UART when it is not at COM1: nothing answers for the guest. */
static uint32_t console_in(struct device_model *d, struct vcpu *v, uint16_t port, unsigned int size)
{
	return 0xffffffffu;
}

static void console_out(struct device_model *d, struct vcpu *v, uint16_t port, unsigned int size,
			uint32_t value)
{
}

static struct device_model hv_console = {
	.name = "hv-console", .port_in = console_in, .port_out = console_out,
};

int vuart_init(uint16_t console_port)
{
	int rc = device_add_ports(&com1, GUEST_COM1, 8);

	if (!rc && console_port && console_port != GUEST_COM1)
		rc = device_add_ports(&hv_console, console_port, 8);
	if (rc)
		printf("hv: cannot set up the guest's serial ports (%d)\n", rc);
	return rc;
}
