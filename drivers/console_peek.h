/* drivers/console_peek.h - unlocked looks at the console's input, inline
 * for pollers that run often (the guest's COM1 on each of its accesses,
 * guest/dev/vuart.c): whether the console UART holds a byte, and whether
 * bytes wait for the guest. Each is one read; a byte that comes in just
 * after it is seen by the next look or the console tick. */
#ifndef DRIVERS_CONSOLE_PEEK_H
#define DRIVERS_CONSOLE_PEEK_H

#include "drivers/console_mux.h"
#include "drivers/uart16550.h"

/* drivers/console.c's; read here only. */
extern struct uart console_uart;
extern struct console_mux console_mux;

/* True if the console UART holds a received byte (console_poll_input would
 * move one): one look at its line status, so a poller skips the console
 * lock when nothing came. */
static inline bool console_input_ready(void)
{
	return uart_rx_ready(&console_uart);
}

/* How many typed bytes wait for the guest (console_guest_getc takes them,
 * under the console lock); 0 before the mux is first used (it is zero
 * until then). */
static inline unsigned int console_guest_pending(void)
{
	return mux_guest_pending(&console_mux);
}

#endif
