/* guest/dev/vuart.c - the guest's COM1: a 16550A register model
 * (guest/dev/uart_model.c) in front of the hypervisor's console UART. Output goes
 * to the console, input comes from it; the model's interrupt line is ISA IRQ
 * 4, raised through the interrupt controllers as the guest programmed them
 * (guest/dev/isa_irq.c), wherever the console UART is (COM1-COM4, or none). The
 * character timeout is checked against the TSC on guest accesses (where it
 * can start) and every console tick (vuart_tick). Byte accesses come from
 * the fast exit path (vuart_com1_read/write), wider ones from exit_io. */
#include "guest/dev/vuart.h"
#include "guest/dev/device.h"
#include "guest/dev/uart_model.h"
#include "guest/dev/isa_irq.h"
#include "arch/cpu.h"
#include "arch/tsc.h"
#include "drivers/console.h"
#include "drivers/console_peek.h"
#include "drivers/uart16550.h"

#define COM1_IRQ 4

static struct uart_model com1_model;
static bool irq_line;            /* the model's line at the last sync */
static bool line_unsynced;       /* the model changed since, outside an access (the seed) */

/* The console UART at its fastest (divisor 1) receives at most one byte
 * per character time of 10 bits: looking at it more often than that finds
 * nothing new, so a guest's reads look at most that often. */
static uint64_t poll_gap;       /* TSC ticks of that character time */
static uint64_t last_poll;      /* TSC of the last look from a guest read */

/* Typed bytes from the serial port (before a read, so a polling guest sees
 * a typed byte at once, at most one character time late; otherwise the
 * console tick has), through the console multiplexer, which keeps Ctrl-]
 * and everything typed into the shell for itself. */
static inline void com1_poll(uint64_t now)
{
	if (now - last_poll >= poll_gap) {
		last_poll = now;
		if (console_input_ready())
			(void)console_poll_input();
	}
}

/* Typed bytes in: poll_uart looks at the serial port first (com1_poll);
 * then what the multiplexer holds for the guest, as far as the receiver
 * takes it. */
static void com1_input(bool poll_uart, uint64_t now)
{
	int c;

	if (poll_uart)
		com1_poll(now);
	if (console_guest_pending())
		while (uart_model_rx_space(&com1_model) && console_guest_pending()) {
			c = console_guest_getc();
			if (c < 0 || !uart_model_rx_push(&com1_model, (uint8_t)c))
				break;
		}
}

/* The character timeout: it can only start with bytes waiting and none
 * signalled. */
static void com1_timeout(uint64_t now)
{
	if (com1_model.rx_count && !com1_model.timeout_ipending)
		(void)uart_model_check_timeout(&com1_model, now, tsc_khz());
}

/* Output out, the character timeout checked, the interrupt line forwarded;
 * each step only where it can change something. */
static void com1_output(uint64_t now)
{
	bool line;
	int c;

	if (com1_model.tx_count)
		while ((c = uart_model_tx_pop(&com1_model)) >= 0)
			console_guest_putc((char)c);
	com1_timeout(now);
	/* ISA IRQs are edge-triggered: only a rising edge is an interrupt. */
	line = uart_model_irq_pending(&com1_model);
	if (line && !irq_line)
		isa_irq_raise(COM1_IRQ);
	irq_line = line;
	line_unsynced = false;
}

/* Brings model and hardware in line around guest accesses and on ticks. */
static void com1_sync(bool poll_uart)
{
	uint64_t now = rdtsc();

	uart_model_set_time(&com1_model, now);
	com1_input(poll_uart, now);
	com1_output(now);
}

void vuart_tick(void)
{
	com1_sync(false);
}

/* An access after which the sync would find nothing to do: nothing typed
 * for the guest, the line known, and the access one that leaves the UART
 * idle without raising its line (uart_model_access_idle: the receiver and
 * transmitter empty, so no input to take, no timeout to check, no output
 * to hand on). A polling guest's LSR reads and scratch writes are these. */
static inline bool com1_idle(unsigned int reg, bool write)
{
	return !console_guest_pending() && !line_unsynced &&
	       uart_model_access_idle(&com1_model, reg, write);
}

/* A read that is not idle: com1_in's single byte, with the syncs around
 * it merged (input and timeout before the read, the input again after it
 * only if it freed receiver space; the output, which only writes fill,
 * after it). Out of line, so the idle path saves no registers. */
static __noinline uint8_t com1_read_sync(unsigned int reg, uint64_t now)
{
	uint8_t val;

	com1_input(false, now);
	com1_timeout(now);
	val = uart_model_read(&com1_model, reg);
	if (reg == UART_RBR)
		com1_input(false, now);
	com1_output(now);
	return val;
}

/* com1_in's single byte: the console UART looked at once a character time
 * passed, then an idle read (com1_idle) without the sync, after which only
 * a line that was up can have changed (fallen); any other the full way. */
uint8_t vuart_com1_read(unsigned int reg)
{
	uint64_t now = rdtsc();
	uint8_t val;

	uart_model_set_time(&com1_model, now);
	com1_poll(now);
	if (unlikely(!com1_idle(reg, false)))
		return com1_read_sync(reg, now);
	val = reg == UART_LSR ? uart_model_read_lsr(&com1_model) : uart_model_read(&com1_model, reg);
	if (unlikely(irq_line))
		irq_line = uart_model_irq_pending(&com1_model);
	return val;
}

/* The write's path when the access is not idle. The clock first: an idle
 * write leaves it alone, and a THR write in loopback stamps the byte it
 * receives with it. */
static __noinline void com1_write_sync(unsigned int reg, uint8_t val)
{
	uart_model_set_time(&com1_model, rdtsc());
	uart_model_write(&com1_model, reg, val);
	com1_sync(false);
}

/* com1_out's single byte; an idle write changes no line: no sync. */
void vuart_com1_write(unsigned int reg, uint8_t val)
{
	if (unlikely(!com1_idle(reg, true)))
		com1_write_sync(reg, val);
	else
		uart_model_write(&com1_model, reg, val);
}

static uint32_t com1_in(struct device_model *d, struct vcpu *v, uint16_t port, unsigned int size)
{
	uint32_t val = 0;

	com1_sync(true);
	for (unsigned int i = 0; i < size; i++)
		val |= (uint32_t)uart_model_read(&com1_model, (port + i) - GUEST_COM1) << (8 * i);
	com1_sync(false);
	return val;
}

static void com1_out(struct device_model *d, struct vcpu *v, uint16_t port, unsigned int size,
		     uint32_t value)
{
	uart_model_set_time(&com1_model, rdtsc());
	for (unsigned int i = 0; i < size; i++)
		uart_model_write(&com1_model, (port + i) - GUEST_COM1, (uint8_t)(value >> (8 * i)));
	com1_sync(false);
}

static void com1_describe(struct device_model *d)
{
	const struct uart_model *m = &com1_model;

	printf("  %s: 16550A at 0x%x: IER 0x%02x LCR 0x%02x MCR 0x%02x, %u bytes to read, IRQ %s\n",
	       d->name, GUEST_COM1, m->ier, m->lcr, m->mcr, m->rx_count,
	       uart_model_irq_pending(m) ? "raised" : "low");
	isa_irq_describe(COM1_IRQ, d->name);
}

static struct device_model com1 = {
	.name = "com1", .port_in = com1_in, .port_out = com1_out, .describe = com1_describe,
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

void vuart_reset(const char *guest)
{
	uart_model_reset(&com1_model);
	irq_line = false;
	line_unsynced = false;
	isa_irq_reset(guest);
	/* The console UART raises no interrupt of its own (earlier versions
	 * carried COM1's line on it). */
	uart_set_irq_enables(console_uart_dev(), 0);
}

void vuart_seed_firmware(const char *guest)
{
	const struct uart_regs *r = console_firmware_uart();
	struct uart_model_seed s;
	unsigned int div;

	if (!r->present)
		return;
	s = (struct uart_model_seed){ .ier = r->ier, .lcr = r->lcr, .mcr = r->mcr, .scr = r->scr,
				      .dll = r->dll, .dlm = r->dlm, .fifo = r->fifo };
	uart_model_seed(&com1_model, &s);
	line_unsynced = true;    /* the next access or tick raises the line if it is up */
	div = (unsigned int)r->dlm << 8 | r->dll;
	printf("guest %s: COM1 as the firmware programmed it: LCR 0x%02x, divisor %u (%u baud), MCR 0x%02x, "
	       "IER 0x%02x, FIFOs %s\n", guest, r->lcr, div, div ? UART_CLOCK_BAUD / div : 0, r->mcr, r->ier,
	       r->fifo ? "on" : "off");
}

int vuart_init(uint16_t console_port)
{
	int rc = device_add_ports(&com1, GUEST_COM1, 8);

	if (!rc && console_port && console_port != GUEST_COM1)
		rc = device_add_ports(&hv_console, console_port, 8);
	if (rc) {
		printf("hv: cannot set up the guest's serial ports (%d)\n", rc);
		return rc;
	}
	/* A physical UART at COM1 that is not the console sits under the guest's
	 * COM1 on IRQ 4: whatever the firmware left enabled there must not
	 * interrupt the guest (uart_init leaves IER 0 and OUT2 off). */
	if (console_port != GUEST_COM1) {
		struct uart hw;

		(void)uart_init(&hw, GUEST_COM1, UART_CLOCK_BAUD);
	}
	vuart_reset(NULL);
	/* 10 bits at UART_CLOCK_BAUD: tsc_khz * 1000 * 10 / baud ticks. */
	poll_gap = tsc_khz() * 10000 / UART_CLOCK_BAUD;
	return 0;
}
