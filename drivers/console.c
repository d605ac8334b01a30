/* drivers/console.c - the hypervisor's console: the serial line, shared by
 * the hypervisor (printf, the shell) and the guest's console through the
 * multiplexer in drivers/console_mux.c. */
#include "drivers/console.h"
#include "drivers/console_mux.h"
#include "drivers/uart16550.h"
#include "lib/format.h"
#include "arch/cpu.h"
#include "arch/trap.h"

static struct uart console_uart;
static struct console_mux mux;
static bool mux_ready;

static void wire_putc(void *ctx, char c)
{
	uart_putc(&console_uart, c);
}

static struct console_mux *the_mux(void)
{
	if (!mux_ready) {
		mux_init(&mux, wire_putc, NULL);
		mux_ready = true;
	}
	return &mux;
}

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
	mux_hv_write(the_mux(), MUX_W_HV, &c, 1);
}

void console_write(const char *s)
{
	while (*s)
		console_putc(NULL, *s++);
}

void console_echo(const char *s, size_t n)
{
	mux_hv_write(the_mux(), MUX_W_ECHO, s, n);
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

bool console_poll_input(void)
{
	struct console_mux *m = the_mux();
	bool entered = false;
	int c;

	/* Bounded: a stuck "data ready" bit must not keep the hypervisor here. */
	for (unsigned int i = 0; i < MUX_INPUT_SIZE && (c = uart_getc(&console_uart)) >= 0; i++)
		entered |= mux_key(m, (uint8_t)c);
	return entered;
}

bool console_shell_owns(void) { return the_mux()->owner == MUX_SHELL; }
void console_enter_shell(void) { mux_enter_shell(the_mux()); }
int console_shell_getc(void) { return mux_shell_getc(the_mux()); }
int console_guest_getc(void) { return mux_guest_getc(the_mux()); }
unsigned int console_guest_pending(void) { return mux_guest_pending(the_mux()); }
void console_guest_putc(char c) { mux_guest_putc(the_mux(), c); }

void console_held(uint64_t *held, uint64_t *dropped)
{
	*held = mux_held_count(the_mux());
	*dropped = the_mux()->held_dropped;
}

bool console_leave_shell(void)
{
	uint64_t held, dropped;

	return mux_leave_shell(the_mux(), &held, &dropped);
}

bool console_take_echo_broken(void)
{
	bool b = the_mux()->echo_broken;

	the_mux()->echo_broken = false;
	return b;
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
