/* tests/unit/guest/uart_fixture.h - the 16550A model's test bench: one model
 * `u`, register reads and writes on it, and a reset over garbage. Header-only;
 * include once per test (test_uart_model*.c). */
#ifndef TESTS_UNIT_GUEST_UART_FIXTURE_H
#define TESTS_UNIT_GUEST_UART_FIXTURE_H

#include "tests/unit/check.h"
#include "guest/dev/uart_model.h"

static struct uart_model u;

static inline uint8_t rd(unsigned int reg)
{
	return uart_model_read(&u, reg);
}

static inline void wr(unsigned int reg, uint8_t val)
{
	uart_model_write(&u, reg, val);
}

static inline void fresh(void)
{
	memset(&u, 0xa5, sizeof(u));    /* reset must not depend on prior contents */
	uart_model_reset(&u);
}

#endif
