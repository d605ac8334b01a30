/* drivers/console.c - the hypervisor's console: the serial line, shared by
 * the hypervisor (printf, the shell) and the guest's console through the
 * multiplexer in drivers/console_mux.c. */
#include "drivers/console.h"
#include "drivers/console_peek.h"
#include "lib/format.h"
#include "arch/cpu.h"
#include "arch/trap.h"
#include "arch/percpu.h"
#include "arch/tsc.h"

/* Both global for the inline looks of drivers/console_peek.h; the mux is
 * zero (no bytes queued) until its first use sets it up. */
struct uart console_uart;
struct console_mux console_mux;
static bool mux_ready;

static void wire_putc(void *ctx, char c)
{
	uart_putc(&console_uart, c);
}

static struct console_mux *the_mux(void)
{
	if (!mux_ready) {
		mux_init(&console_mux, wire_putc, NULL);
		mux_ready = true;
	}
	return &console_mux;
}

bool console_init(uint16_t port, uint32_t baud)
{
	struct uart u;

	if (!uart_init(&u, port, baud))
		return false;
	console_uart = u;
	return true;
}

static struct uart_regs fw_uart;
static uint16_t fw_uart_port;

void console_save_firmware(uint16_t port)
{
	fw_uart_port = port;
	uart_save(port, &fw_uart);
}

const struct uart_regs *console_firmware_uart(void)
{
	return &fw_uart;
}

void console_restore_firmware(void)
{
	uart_restore(fw_uart_port, &fw_uart);
}

uint16_t console_port(void) { return console_uart.port; }
struct uart *console_uart_dev(void) { return &console_uart; }
uint32_t console_baud(void) { return console_uart.baud; }

/*
 * The console lock: one CPU at a time writes to the mux (hypervisor lines,
 * the guest's UART bytes, typed keys), and a hypervisor line is never cut
 * by another CPU's. The word is owner << 1 | busy, owner = CPU index + 1:
 * busy while the owner is inside a console call; an owner whose last printf
 * ended mid-line keeps it (not busy) so that its next printf continues the
 * line, for at most CONSOLE_LINE_WAIT_US; then another CPU may take it (a
 * shell prompt waits for keys much longer than that). Owner-aware, so a
 * fault report in the middle of a printf on the same CPU still prints.
 */
#define CONSOLE_LINE_WAIT_US 2000

static struct {
	volatile uint32_t word;
	uint64_t partial_tsc;           /* when the owner's line was left open */
} con;

/* Takes the console for this CPU; false if this CPU already held it busy
 * (a nested call: the caller must not release it). */
static bool con_lock(void)
{
	uint32_t me = (percpu_self()->cpu + 1) << 1, w;
	uint64_t wait = tsc_khz() * CONSOLE_LINE_WAIT_US / 1000;

	for (;;) {
		w = __atomic_load_n(&con.word, __ATOMIC_RELAXED);
		if (w == (me | 1))
			return false;
		if ((w == 0 || w == me ||
		     (!(w & 1) && rdtsc() - con.partial_tsc > wait)) &&
		    __atomic_compare_exchange_n(&con.word, &w, me | 1, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
		cpu_relax();
	}
}

/* Releases it; line_open: the output ended mid-line, keep it for the rest. */
static void con_unlock(bool taken, bool line_open)
{
	uint32_t me = (percpu_self()->cpu + 1) << 1;

	if (!taken)
		return;
	if (line_open)
		con.partial_tsc = rdtsc();
	__atomic_store_n(&con.word, line_open ? me : 0, __ATOMIC_RELEASE);
}

static char con_last;                   /* the last character printf wrote */

static void console_putc(void *ctx, char c)
{
	con_last = c;
	mux_hv_write(the_mux(), MUX_W_HV, &c, 1);
}

void console_write(const char *s)
{
	bool t = con_lock();

	con_last = '\n';
	while (*s)
		console_putc(NULL, *s++);
	con_unlock(t, con_last != '\n');
}

void console_echo(const char *s, size_t n)
{
	bool t = con_lock();

	mux_hv_write(the_mux(), MUX_W_ECHO, s, n);
	con_unlock(t, false);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	bool t = con_lock();
	int n;

	con_last = '\n';
	va_start(ap, fmt);
	n = fmt_vcbprintf(console_putc, NULL, fmt, ap);
	va_end(ap);
	con_unlock(t, con_last != '\n');
	return n;
}

bool console_poll_input(void)
{
	struct console_mux *m = the_mux();
	bool entered = false;
	int c;

	bool t = con_lock();

	/* Bounded: a stuck "data ready" bit must not keep the hypervisor here. */
	for (unsigned int i = 0; i < MUX_INPUT_SIZE && (c = uart_getc(&console_uart)) >= 0; i++)
		entered |= mux_key(m, (uint8_t)c);
	con_unlock(t, false);
	return entered;
}

bool console_shell_owns(void) { return the_mux()->owner == MUX_SHELL; }
void console_enter_shell(void)
{
	bool t = con_lock();

	mux_enter_shell(the_mux());
	con_unlock(t, false);
}

int console_shell_getc(void)
{
	bool t = con_lock();
	int c = mux_shell_getc(the_mux());

	con_unlock(t, false);
	return c;
}

int console_guest_getc(void)
{
	bool t = con_lock();
	int c = mux_guest_getc(the_mux());

	con_unlock(t, false);
	return c;
}

void console_guest_putc(char c)
{
	bool t = con_lock();

	mux_guest_putc(the_mux(), c);
	con_unlock(t, false);
}

void console_held(uint64_t *held, uint64_t *dropped)
{
	*held = mux_held_count(the_mux());
	*dropped = the_mux()->held_dropped;
}

bool console_leave_shell(void)
{
	uint64_t held, dropped;
	bool t = con_lock();
	bool r = mux_leave_shell(the_mux(), &held, &dropped);

	con_unlock(t, false);
	return r;
}

bool console_take_echo_broken(void)
{
	bool t = con_lock();
	bool b = the_mux()->echo_broken;

	the_mux()->echo_broken = false;
	con_unlock(t, false);
	return b;
}

/* Without the lock: a panic must print even if another CPU died holding it. */
static void raw_write(const char *s)
{
	while (*s)
		console_putc(NULL, *s++);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	irq_disable();
	raw_write("\n*** hv panic: ");
	va_start(ap, fmt);
	fmt_vcbprintf(console_putc, NULL, fmt, ap);
	va_end(ap);
	raw_write("\n");
	trap_dump_here();
	raw_write("*** CPU halted.\n");
	cpu_halt_forever();
}
