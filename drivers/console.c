/* drivers/console.c - the hypervisor's console: printf over the 16550 UART. */
#include "drivers/console.h"
#include "drivers/uart16550.h"
#include "lib/format.h"
#include "arch/cpu.h"
#include "arch/trap.h"

static struct uart console_uart;

bool console_init(uint16_t port, uint32_t baud)
{
	struct uart u;

	if (!uart_init(&u, port, baud))
		return false;
	console_uart = u;
	return true;
}

uint16_t console_port(void) { return console_uart.port; }
struct uart *console_uart_dev(void) { return &console_uart; }
uint32_t console_baud(void) { return console_uart.baud; }

static void console_putc(void *ctx, char c)
{
	if (c == '\n')
		uart_putc(&console_uart, '\r');
	uart_putc(&console_uart, c);
}

void console_write(const char *s)
{
	while (*s)
		console_putc(NULL, *s++);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vcbprintf(console_putc, NULL, fmt, ap);
	va_end(ap);
	return n;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	irq_disable();
	console_write("\n*** hv panic: ");
	va_start(ap, fmt);
	fmt_vcbprintf(console_putc, NULL, fmt, ap);
	va_end(ap);
	console_write("\n");
	trap_dump_here();
	console_write("*** CPU halted.\n");
	cpu_halt_forever();
}
