/* guest/ioport.c - port I/O the hypervisor traps. So far only the console
 * UART is the hypervisor's; the guest sees a minimal 16550 there (output
 * goes to the console, no input, no interrupts) until the full virtual UART
 * arrives with the device-model framework. Wider accesses are split into
 * bytes, as the ISA bus does for an 8-bit device. */
#include "guest/ioport.h"
#include "arch/cpu.h"
#include "drivers/console.h"

#define UART_LSR_THRE_TEMT 0x60
#define UART_IIR_NO_INT    0x01
#define UART_MSR_DCD_DSR_CTS 0xb0

static uint8_t console_uart_in(struct vcpu *v, unsigned int reg)
{
	switch (reg) {
	case 2: return UART_IIR_NO_INT;
	case 5: return UART_LSR_THRE_TEMT;
	case 6: return UART_MSR_DCD_DSR_CTS;
	case 7: return v->uart_scratch;
	}
	return 0;
}

static void console_uart_out(struct vcpu *v, unsigned int reg, uint8_t b)
{
	if (reg == 0)
		printf("%c", b);
	else if (reg == 7)
		v->uart_scratch = b;
}

static bool is_console(const struct vcpu *v, uint16_t port)
{
	return v->console_port && port >= v->console_port && port < v->console_port + 8;
}

uint32_t ioport_in(struct vcpu *v, uint16_t port, unsigned int size)
{
	uint32_t val = 0;

	for (unsigned int i = 0; i < size; i++) {
		uint16_t p = (uint16_t)(port + i);
		uint8_t b = is_console(v, p) ? console_uart_in(v, p - v->console_port) : inb(p);

		val |= (uint32_t)b << (8 * i);
	}
	return val;
}

void ioport_out(struct vcpu *v, uint16_t port, unsigned int size, uint32_t value)
{
	for (unsigned int i = 0; i < size; i++) {
		uint16_t p = (uint16_t)(port + i);
		uint8_t b = (uint8_t)(value >> (8 * i));

		if (is_console(v, p))
			console_uart_out(v, p - v->console_port, b);
		else
			outb(p, b);
	}
}
