/* drivers/uart16550.c - polled 16550 UART (PC16550D data sheet, register map). */
#include "drivers/uart16550.h"
#include "arch/cpu.h"

#define UART_THR 0    /* transmit holding (DLAB=0) */
#define UART_RBR 0    /* receive buffer (DLAB=0) */
#define UART_DLL 0    /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1    /* divisor latch high (DLAB=1) */
#define UART_FCR 2
#define UART_IIR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7

#define LCR_8N1  0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07
#define MCR_DTR_RTS 0x03
#define LSR_DR   0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IIR_FIFO 0xc0

/* How long to wait for THRE: a 16550 at 50 baud needs ~200 ms per byte; a
 * wedged or absent one must not hang the hypervisor. */
#define UART_TX_SPINS 10000000u

bool uart_init(struct uart *u, uint16_t port, uint32_t baud)
{
	uint16_t div;

	u->port = 0;
	u->baud = baud;
	outb(port + UART_SCR, 0x5a);
	if (inb(port + UART_SCR) != 0x5a)
		return false;
	outb(port + UART_SCR, 0xa5);
	if (inb(port + UART_SCR) != 0xa5)
		return false;

	div = (uint16_t)(UART_CLOCK_BAUD / (baud ? baud : UART_CLOCK_BAUD));
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, div & 0xff);
	outb(port + UART_DLM, div >> 8);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, FCR_ENABLE_CLEAR);
	outb(port + UART_MCR, MCR_DTR_RTS);
	u->port = port;
	return true;
}

void uart_putc(struct uart *u, char c)
{
	uint32_t spins = UART_TX_SPINS;

	if (!u->port)
		return;
	while (!(inb(u->port + UART_LSR) & LSR_THRE) && --spins)
		cpu_relax();
	outb(u->port + UART_THR, (uint8_t)c);
}

#define MCR_OUT2 0x08

void uart_set_irq_enables(struct uart *u, uint8_t ier)
{
	if (!u->port)
		return;
	/* OUT2 first: some UARTs (Bochs' model among them) evaluate the
	 * interrupt only when IER changes, with OUT2 as it is at that moment. */
	if (ier)
		outb(u->port + UART_MCR, MCR_DTR_RTS | MCR_OUT2);
	outb(u->port + UART_IER, ier);
	if (!ier)
		outb(u->port + UART_MCR, MCR_DTR_RTS);
}

int uart_getc(struct uart *u)
{
	if (!u->port || !(inb(u->port + UART_LSR) & LSR_DR))
		return -1;
	return inb(u->port + UART_RBR);
}

void uart_save(uint16_t port, struct uart_regs *r)
{
	uint8_t scr = inb(port + UART_SCR);

	r->present = false;
	outb(port + UART_SCR, 0x5a);
	if (inb(port + UART_SCR) != 0x5a)
		return;
	outb(port + UART_SCR, scr);
	r->present = true;
	r->scr = scr;
	r->lcr = inb(port + UART_LCR);
	r->mcr = inb(port + UART_MCR);
	outb(port + UART_LCR, r->lcr & ~LCR_DLAB);
	r->ier = inb(port + UART_IER);
	r->fifo = (inb(port + UART_IIR) & IIR_FIFO) == IIR_FIFO;
	outb(port + UART_LCR, r->lcr | LCR_DLAB);
	r->dll = inb(port + UART_DLL);
	r->dlm = inb(port + UART_DLM);
	outb(port + UART_LCR, r->lcr);
}

void uart_restore(uint16_t port, const struct uart_regs *r)
{
	uint32_t spins = UART_TX_SPINS;

	if (!r->present)
		return;
	/* The last bytes out first: a new divisor would garble them. */
	while (!(inb(port + UART_LSR) & LSR_TEMT) && --spins)
		cpu_relax();
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, r->dll);
	outb(port + UART_DLM, r->dlm);
	outb(port + UART_LCR, r->lcr & ~LCR_DLAB);
	outb(port + UART_FCR, r->fifo ? FCR_ENABLE_CLEAR : 0);
	outb(port + UART_MCR, r->mcr);
	outb(port + UART_IER, r->ier);
	outb(port + UART_SCR, r->scr);
	outb(port + UART_LCR, r->lcr);
}
