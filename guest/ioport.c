/* guest/ioport.c - port I/O that exits: dispatched to the device model that
 * owns the port (guest/device.c). An access that spans ports of different
 * owners goes byte by byte, as the ISA bus splits it for 8-bit devices;
 * ports nobody owns (only reachable that way) are passed to the hardware. */
#include "guest/ioport.h"
#include "guest/device.h"
#include "arch/cpu.h"

static uint8_t byte_in(struct vcpu *v, uint16_t port)
{
	struct device_model *d = device_port_owner(port);

	if (!d)
		return inb(port);
	return d->port_in ? (uint8_t)d->port_in(d, v, port, 1) : 0xff;
}

static void byte_out(struct vcpu *v, uint16_t port, uint8_t b)
{
	struct device_model *d = device_port_owner(port);

	if (!d)
		outb(port, b);
	else if (d->port_out)
		d->port_out(d, v, port, 1, b);
}

uint32_t ioport_in(struct vcpu *v, uint16_t port, unsigned int size)
{
	struct device_model *d = device_port_owner(port);
	uint32_t val = 0;

	if (d && d->port_in && device_port_owner((uint16_t)(port + size - 1)) == d)
		return d->port_in(d, v, port, size);
	for (unsigned int i = 0; i < size; i++)
		val |= (uint32_t)byte_in(v, (uint16_t)(port + i)) << (8 * i);
	return val;
}

void ioport_out(struct vcpu *v, uint16_t port, unsigned int size, uint32_t value)
{
	struct device_model *d = device_port_owner(port);

	if (d && d->port_out && device_port_owner((uint16_t)(port + size - 1)) == d) {
		d->port_out(d, v, port, size, value);
		return;
	}
	for (unsigned int i = 0; i < size; i++)
		byte_out(v, (uint16_t)(port + i), (uint8_t)(value >> (8 * i)));
}
