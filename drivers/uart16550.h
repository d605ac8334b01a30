/* drivers/uart16550.h - polled 16550 UART (the serial console). */
#ifndef DRIVERS_UART16550_H
#define DRIVERS_UART16550_H

#include "lib/compiler.h"
#include "arch/cpu.h"

#define UART_CLOCK_BAUD 115200          /* base rate: divisor 1 */

struct uart {
	uint16_t port;                   /* I/O base, 0 = no UART */
	uint32_t baud;
};

/*
 * Programs the UART at `port` for `baud` 8N1 with FIFOs on, interrupts off.
 * Returns false (and leaves u->port 0) if no UART answers at that port
 * (scratch register test), so output to a missing port is dropped, not hung.
 */
bool uart_init(struct uart *u, uint16_t port, uint32_t baud);

/* Sends one byte, waiting (boundedly) for the transmitter. */
void uart_putc(struct uart *u, char c);

/* Returns the next received byte, or -1 if none is waiting. */
int uart_getc(struct uart *u);

/* True if a received byte waits (LSR.DR, bit 0 of LSR at port + 5): one
 * LSR read, no lock needed (the LSR bits a read clears, the error bits,
 * are read by no one here). Inline: the guest's COM1 looks on its reads. */
static inline bool uart_rx_ready(const struct uart *u)
{
	return u->port && (inb(u->port + 5) & 0x01);
}

/*
 * Drives the UART's interrupt output: ier is written to IER (0 = quiet), and
 * OUT2 (which gates INTR onto the ISA IRQ line on PCs) is set while any is
 * enabled. The hypervisor only ever silences it (polled console).
 */
void uart_set_irq_enables(struct uart *u, uint8_t ier);

/* A UART's programmable state as another driver (the firmware's) left it:
 * FCR is write-only, so only whether the FIFOs are on (IIR bits 7:6). */
struct uart_regs {
	bool present;                   /* a UART answered at the port */
	uint8_t ier, lcr, mcr, scr;
	uint8_t dll, dlm;               /* the divisor latch */
	bool fifo;                      /* FIFOs enabled */
};

/* Reads the state at port (DLAB set and restored for the divisor). */
void uart_save(uint16_t port, struct uart_regs *r);

/* Puts r back at port once the transmitter is empty (bounded wait); FIFOs
 * cleared and enabled (trigger level 1) if r->fifo. Nothing if !r->present. */
void uart_restore(uint16_t port, const struct uart_regs *r);

#endif
