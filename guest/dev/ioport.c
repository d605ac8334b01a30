/* guest/dev/ioport.c - port I/O that exits: dispatched to the device model that
 * owns the port (guest/dev/device.c). An access whose every byte has one owner
 * goes to it whole; an aligned dword the chipset decodes as one register
 * (DEVICE_PORTS_IN_DWORD: 0xcf8, PCI CONFIG_ADDRESS, around the reset
 * control register 0xcf9) goes to the hardware whole; any other access that
 * spans owners goes byte by byte, as the ISA bus splits it for 8-bit devices,
 * and its bytes nobody owns are passed to the hardware. */
#include "guest/dev/ioport.h"
#include "guest/dev/device.h"
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

/* The model that owns every byte of the access, or NULL. */
static struct device_model *sole_owner(uint16_t port, unsigned int size)
{
	struct device_model *d = device_port_owner(port);

	for (unsigned int i = 1; d && i < size; i++)
		if (device_port_owner((uint16_t)(port + i)) != d)
			return NULL;
	return d;
}

/* An aligned dword, not the first byte's model's, over a DEVICE_PORTS_IN_DWORD byte. */
static bool dword_to_hardware(uint16_t port, unsigned int size)
{
	if (size != 4 || (port & 3) || device_port_owner(port))
		return false;
	for (unsigned int i = 1; i < 4; i++)
		if (device_port_flags((uint16_t)(port + i)) & DEVICE_PORTS_IN_DWORD)
			return true;
	return false;
}

uint32_t ioport_in(struct vcpu *v, uint16_t port, unsigned int size)
{
	struct device_model *d = sole_owner(port, size);
	uint32_t val = 0;

	if (d && d->port_in)
		return d->port_in(d, v, port, size);
	if (dword_to_hardware(port, size))
		return inl(port);
	for (unsigned int i = 0; i < size; i++)
		val |= (uint32_t)byte_in(v, (uint16_t)(port + i)) << (8 * i);
	return val;
}

void ioport_out(struct vcpu *v, uint16_t port, unsigned int size, uint32_t value)
{
	struct device_model *d = sole_owner(port, size);

	if (d && d->port_out) {
		d->port_out(d, v, port, size, value);
		return;
	}
	if (dword_to_hardware(port, size)) {
		outl(port, value);
		return;
	}
	for (unsigned int i = 0; i < size; i++)
		byte_out(v, (uint16_t)(port + i), (uint8_t)(value >> (8 * i)));
}
