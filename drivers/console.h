/* drivers/console.h - the hypervisor's console: printf to the serial port. */
#ifndef DRIVERS_CONSOLE_H
#define DRIVERS_CONSOLE_H

#include "lib/compiler.h"

/* Switches the console to the UART at port/baud. Returns false if none answers
 * there (the console then stays where it was). */
bool console_init(uint16_t port, uint32_t baud);

/* I/O port and speed of the console UART (port 0 if none). */
uint16_t console_port(void);
uint32_t console_baud(void);

struct uart;

/* The console's UART (for the guest's virtual UART, which borrows its IRQ line). */
struct uart *console_uart_dev(void);

/* Writes formatted text; "\n" becomes "\r\n" on the wire. Returns chars formatted. */
int printf(const char *fmt, ...) __printf(1, 2);
void console_write(const char *s);

/* Reports a broken hypervisor invariant with a register dump and stops this CPU. */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

#endif
