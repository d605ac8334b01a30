/* tests/unit/guest/test_uart_model.c - host tests for the 16550A register model:
 * each register against the PC16550D data sheet, the interrupt sources and their
 * priority, and replays of what Linux's 8250 driver does (autoconfig, size_fifo,
 * startup's THRE tests, interrupt-driven transmit and receive). */
#include "tests/unit/check.h"
#include "guest/dev/uart_model.h"

static struct uart_model u;

static uint8_t rd(unsigned int reg)
{
	return uart_model_read(&u, reg);
}

static void wr(unsigned int reg, uint8_t val)
{
	uart_model_write(&u, reg, val);
}

/* The glue's job after a guest access: hand everything to the console. */
static unsigned int drain(char *out, unsigned int max)
{
	unsigned int n = 0;
	int c;

	while ((c = uart_model_tx_pop(&u)) >= 0)
		if (n < max)
			out[n++] = (char)c;
	return n;
}

static void fresh(void)
{
	memset(&u, 0xa5, sizeof(u));    /* reset must not depend on prior contents */
	uart_model_reset(&u);
}

TEST(reset_values)
{
	fresh();
	CHECK_EQ(rd(UART_IER), 0x00);
	CHECK_EQ(rd(UART_IIR), 0x01);
	CHECK_EQ(rd(UART_LCR), 0x00);
	CHECK_EQ(rd(UART_MCR), 0x00);
	CHECK_EQ(rd(UART_LSR), 0x60);
	CHECK_EQ(rd(UART_MSR), UART_MODEM_LINES);
	CHECK_EQ(rd(UART_MSR), 0xb0);               /* no deltas to clear */
	CHECK_EQ(rd(UART_SCR), 0x00);
	CHECK(!uart_model_irq_pending(&u));
	CHECK_EQ(uart_model_tx_pop(&u), -1);
	CHECK_EQ(uart_model_rx_space(&u), 1);       /* FIFOs off: the RBR only */
	wr(UART_LCR, UART_LCR_DLAB);
	CHECK_EQ(rd(UART_DLL), 12);
	CHECK_EQ(rd(UART_DLM), 0);
}

TEST(scratch_register)
{
	fresh();
	for (unsigned int v = 0; v < 256; v++) {
		wr(UART_SCR, (uint8_t)v);
		CHECK_EQ(rd(UART_SCR), v);
	}
	wr(UART_SCR, 0x55);
	wr(UART_LCR, UART_LCR_DLAB);                /* DLAB does not bank register 7 */
	CHECK_EQ(rd(UART_SCR), 0x55);
	wr(UART_SCR, 0xaa);
	wr(UART_LCR, 0);
	CHECK_EQ(rd(UART_SCR), 0xaa);
	CHECK_EQ(rd(UART_LSR), 0x60);               /* no side effects elsewhere */
}

TEST(dlab_divisor_latch)
{
	fresh();
	wr(UART_IER, UART_IER_ERBFI);
	wr(UART_LCR, UART_LCR_DLAB | 0x03);
	CHECK_EQ(rd(UART_LCR), 0x83);
	wr(UART_DLL, 0x01);
	wr(UART_DLM, 0x02);
	CHECK_EQ(rd(UART_DLL), 0x01);
	CHECK_EQ(rd(UART_DLM), 0x02);
	CHECK_EQ(uart_model_tx_pop(&u), -1);        /* the DLL write was not a THR write */
	CHECK(uart_model_rx_push(&u, 'x'));
	CHECK_EQ(rd(UART_DLL), 0x01);               /* and the DLL read does not pop RBR */
	CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	wr(UART_LCR, 0x03);
	CHECK_EQ(rd(UART_IER), UART_IER_ERBFI);     /* IER untouched by the DLM write */
	CHECK_EQ(rd(UART_RBR), 'x');
	wr(UART_LCR, UART_LCR_DLAB);
	CHECK_EQ(rd(UART_DLL) | rd(UART_DLM) << 8, 0x0201);
	CHECK_EQ(rd(UART_SCR), 0);
}

TEST(fcr_iir_fifo_bits)
{
	fresh();
	CHECK_EQ(rd(UART_IIR), 0x01);
	wr(UART_FCR, UART_FCR_FIFOE);
	CHECK_EQ(rd(UART_IIR), 0xc1);
	CHECK_EQ(uart_model_rx_space(&u), 16);
	wr(UART_FCR, 0x21);                         /* 16750 64-byte bit: reserved here */
	CHECK_EQ(rd(UART_IIR), 0xc1);
	wr(UART_LCR, UART_LCR_DLAB);
	wr(UART_FCR, 0x21);
	CHECK_EQ(rd(UART_IIR), 0xc1);               /* IIR bit 5 stays 0 with DLAB too */
	wr(UART_LCR, 0);
	wr(UART_FCR, 0x00);
	CHECK_EQ(rd(UART_IIR), 0x01);
	CHECK_EQ(uart_model_rx_space(&u), 1);
	/* Without FIFOE the other bits are not programmed: no clearing, no trigger. */
	CHECK(uart_model_rx_push(&u, 'a'));
	wr(UART_THR, 'b');
	wr(UART_FCR, 0xc0 | UART_FCR_RFR | UART_FCR_XFR);
	CHECK_EQ(rd(UART_LSR), 0x01);
	CHECK_EQ(rd(UART_IIR), 0x01);
	CHECK_EQ(uart_model_tx_pop(&u), 'b');
	CHECK_EQ(rd(UART_RBR), 'a');
	/* An enabling write programs the trigger each time (here back to 1). */
	wr(UART_IER, UART_IER_ERBFI);
	wr(UART_FCR, 0xc1);
	wr(UART_FCR, UART_FCR_FIFOE);
	CHECK(uart_model_rx_push(&u, 'c'));
	CHECK_EQ(rd(UART_IIR), 0xc4);
}

TEST(fcr_clears_fifos)
{
	fresh();
	wr(UART_FCR, UART_FCR_FIFOE);
	for (int i = 0; i < 5; i++)
		CHECK(uart_model_rx_push(&u, (uint8_t)('0' + i)));
	wr(UART_THR, 'T');
	wr(UART_FCR, UART_FCR_FIFOE | UART_FCR_XFR);
	CHECK_EQ(uart_model_tx_pop(&u), -1);
	CHECK_EQ(rd(UART_LSR), 0x61);
	wr(UART_FCR, UART_FCR_FIFOE | UART_FCR_RFR);
	CHECK_EQ(rd(UART_LSR), 0x60);
	CHECK_EQ(uart_model_rx_space(&u), 16);
	/* Switching the FIFOs off (or on) empties both. */
	CHECK(uart_model_rx_push(&u, 'a'));
	wr(UART_THR, 'b');
	wr(UART_FCR, 0);
	CHECK_EQ(rd(UART_LSR), 0x60);
	CHECK_EQ(uart_model_tx_pop(&u), -1);
	CHECK(uart_model_rx_push(&u, 'c'));
	wr(UART_FCR, UART_FCR_FIFOE);
	CHECK_EQ(rd(UART_LSR), 0x60);
	/* FIFO order is kept across the ring's wrap. */
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 11; i++)
			CHECK(uart_model_rx_push(&u, (uint8_t)(round * 16 + i)));
		for (int i = 0; i < 11; i++)
			CHECK_EQ(rd(UART_RBR), round * 16 + i);
	}
}

TEST(loopback_bytes)
{
	fresh();
	wr(UART_FCR, UART_FCR_FIFOE);
	wr(UART_MCR, UART_MCR_LOOP);
	CHECK_EQ(uart_model_rx_space(&u), 0);
	CHECK(!uart_model_rx_push(&u, 'z'));        /* serial input disconnected */
	CHECK_EQ(rd(UART_LSR), 0x60);               /* and no overrun for it */
	wr(UART_THR, 'h');
	wr(UART_THR, 'i');
	CHECK_EQ(uart_model_tx_pop(&u), -1);        /* nothing reaches the console */
	CHECK_EQ(rd(UART_LSR), 0x61);
	CHECK_EQ(rd(UART_RBR), 'h');
	CHECK_EQ(rd(UART_RBR), 'i');
	CHECK_EQ(rd(UART_LSR), 0x60);
	wr(UART_MCR, 0);
	wr(UART_THR, 'o');
	CHECK_EQ(uart_model_tx_pop(&u), 'o');
	CHECK_EQ(rd(UART_LSR), 0x60);
	CHECK(uart_model_rx_push(&u, 'z'));
}

TEST(loopback_msr_mirror)
{
	static const struct { uint8_t mcr, msr; } map[] = {
		{ UART_MCR_DTR, UART_MSR_DSR }, { UART_MCR_RTS, UART_MSR_CTS },
		{ UART_MCR_OUT1, UART_MSR_RI }, { UART_MCR_OUT2, UART_MSR_DCD },
	};

	fresh();
	for (unsigned int i = 0; i < ARRAY_SIZE(map); i++) {
		wr(UART_MCR, UART_MCR_LOOP);
		rd(UART_MSR);
		wr(UART_MCR, UART_MCR_LOOP | map[i].mcr);
		CHECK_EQ(rd(UART_MSR) & 0xf0, map[i].msr);
	}
	wr(UART_MCR, UART_MCR_LOOP | 0x0f);
	CHECK_EQ(rd(UART_MSR) & 0xf0, 0xf0);
	wr(UART_MCR, 0x0f);                         /* out of loopback: the console's lines */
	CHECK_EQ(rd(UART_MSR) & 0xf0, UART_MODEM_LINES);

	/* Deltas: each changed input once; RI only on its trailing edge. */
	wr(UART_MCR, UART_MCR_LOOP);
	rd(UART_MSR);
	wr(UART_MCR, UART_MCR_LOOP | 0x0f);
	CHECK_EQ(rd(UART_MSR), 0xf0 | UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
	CHECK_EQ(rd(UART_MSR), 0xf0);
	wr(UART_MCR, UART_MCR_LOOP);
	CHECK_EQ(rd(UART_MSR), UART_MSR_DELTAS);
}

TEST(modem_status_interrupt)
{
	fresh();
	wr(UART_MCR, UART_MCR_LOOP);
	rd(UART_MSR);
	wr(UART_IER, UART_IER_EDSSI);
	CHECK_EQ(rd(UART_IIR), 0x01);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	CHECK_EQ(rd(UART_IIR), 0x00);
	CHECK_EQ(rd(UART_IIR), 0x00);               /* IIR read does not clear it */
	CHECK_EQ(rd(UART_MSR), UART_MSR_CTS | UART_MSR_DCTS);
	CHECK_EQ(rd(UART_IIR), 0x01);
}

TEST(thre_interrupt)
{
	char out[4];

	fresh();
	wr(UART_MCR, UART_MCR_OUT2);
	CHECK(!uart_model_irq_pending(&u));
	wr(UART_IER, UART_IER_ETBEI);               /* THRE on enable */
	CHECK(uart_model_irq_pending(&u));
	CHECK_EQ(rd(UART_IIR), 0x02);
	CHECK_EQ(rd(UART_IIR), 0x01);               /* cleared by the IIR read that showed it */
	CHECK(!uart_model_irq_pending(&u));
	wr(UART_IER, UART_IER_ETBEI);               /* no edge of ETBEI: not re-raised */
	CHECK_EQ(rd(UART_IIR), 0x01);
	wr(UART_IER, 0);
	wr(UART_IER, UART_IER_ETBEI);               /* re-raised on enable while THR is empty */
	CHECK_EQ(rd(UART_IIR), 0x02);

	/* Writing THR clears it; the byte leaving for the console raises it again. */
	wr(UART_IER, 0);
	wr(UART_IER, UART_IER_ETBEI);
	wr(UART_THR, 'A');
	CHECK(!uart_model_irq_pending(&u));
	CHECK_EQ(rd(UART_LSR), 0x00);               /* THRE/TEMT until the console takes it */
	CHECK_EQ(rd(UART_IIR), 0x01);
	CHECK_EQ(drain(out, sizeof(out)), 1);
	CHECK_EQ(out[0], 'A');
	CHECK(uart_model_irq_pending(&u));
	CHECK_EQ(rd(UART_LSR), 0x60);
	CHECK_EQ(rd(UART_IIR), 0x02);

	/* Enabling ETBEI while THR is full raises nothing until it empties. */
	wr(UART_IER, 0);
	wr(UART_THR, 'B');
	wr(UART_IER, UART_IER_ETBEI);
	CHECK_EQ(rd(UART_IIR), 0x01);
	CHECK_EQ(uart_model_tx_pop(&u), 'B');
	CHECK_EQ(rd(UART_IIR), 0x02);

	/* Disabling ETBEI drops a pending THRE interrupt. */
	wr(UART_IER, 0);
	wr(UART_IER, UART_IER_ETBEI);
	wr(UART_IER, 0);
	CHECK(!uart_model_irq_pending(&u));
	CHECK_EQ(rd(UART_IIR), 0x01);
}

TEST(tx_ring_and_polling)
{
	char out[32];
	const char *msg = "polling driver!";

	fresh();
	wr(UART_FCR, UART_FCR_FIFOE);
	for (int i = 0; i < 17; i++)                /* one more than the FIFO */
		wr(UART_THR, (uint8_t)('a' + i));
	CHECK_EQ(u.tx_dropped, 1);
	CHECK_EQ(rd(UART_LSR), 0x00);
	CHECK_EQ(uart_model_tx_pop(&u), 'a');
	CHECK_EQ(rd(UART_LSR), 0x00);               /* THRE only when the ring is empty */
	CHECK_EQ(drain(out, sizeof(out)), 15);
	CHECK(!memcmp(out, "bcdefghijklmnop", 15));
	CHECK_EQ(rd(UART_LSR), 0x60);

	/* A polling driver waits for THRE before each byte; the glue drains
	 * after every access, so the wait is never longer than one poll. */
	for (const char *p = msg; *p; p++) {
		int spins = 0;

		while (!(rd(UART_LSR) & UART_LSR_THRE) && spins < 2) {
			drain(out, 0);
			spins++;
		}
		CHECK_EQ(spins, 0);
		wr(UART_THR, (uint8_t)*p);
		CHECK_EQ(uart_model_tx_pop(&u), *p);
	}
	/* Console busy: the guest sees THRE low, and high again once drained. */
	wr(UART_THR, 'x');
	CHECK_EQ(rd(UART_LSR) & UART_LSR_THRE, 0);
	CHECK_EQ(rd(UART_LSR) & UART_LSR_THRE, 0);
	CHECK_EQ(uart_model_tx_pop(&u), 'x');
	CHECK_EQ(rd(UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT), 0x60);
}

TEST(rx_data_interrupt_at_trigger)
{
	static const uint8_t fcr[4] = { 0x01, 0x41, 0x81, 0xc1 };
	static const unsigned int level[4] = { 1, 4, 8, 14 };

	for (int t = 0; t < 4; t++) {
		fresh();
		wr(UART_MCR, UART_MCR_OUT2);
		wr(UART_FCR, fcr[t]);
		wr(UART_IER, UART_IER_ERBFI);
		for (unsigned int i = 0; i + 1 < level[t]; i++)
			CHECK(uart_model_rx_push(&u, (uint8_t)i));
		CHECK_EQ(rd(UART_IIR), 0xc1);
		CHECK(!uart_model_irq_pending(&u));
		CHECK(uart_model_rx_push(&u, 0x42));
		CHECK_EQ(rd(UART_IIR), 0xc4);
		CHECK(uart_model_irq_pending(&u));
		rd(UART_RBR);                           /* below the level: the source drops */
		CHECK_EQ(rd(UART_IIR), 0xc1);
		CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, level[t] > 1 ? UART_LSR_DR : 0);
	}

	/* Without FIFOs: one byte raises it, a second one overruns the RBR. */
	fresh();
	wr(UART_IER, UART_IER_ERBFI | UART_IER_ELSI);
	CHECK(uart_model_rx_push(&u, 'a'));
	CHECK_EQ(rd(UART_IIR), 0x04);
	CHECK_EQ(uart_model_rx_space(&u), 0);
	CHECK(!uart_model_rx_push(&u, 'b'));
	CHECK_EQ(rd(UART_IIR), 0x06);
	CHECK_EQ(rd(UART_LSR), 0x63);
	CHECK_EQ(rd(UART_IIR), 0x04);
	CHECK_EQ(rd(UART_RBR), 'a');
	CHECK_EQ(rd(UART_IIR), 0x01);
	CHECK_EQ(rd(UART_RBR), 'a');                /* an empty RBR repeats the last byte */
}

TEST(character_timeout)
{
	fresh();
	wr(UART_MCR, UART_MCR_OUT2);
	wr(UART_FCR, 0x81);                         /* trigger at 8 */
	wr(UART_IER, UART_IER_ERBFI);
	uart_model_rx_timeout(&u);                  /* empty FIFO: nothing to report */
	CHECK_EQ(rd(UART_IIR), 0xc1);
	for (int i = 0; i < 3; i++)
		CHECK(uart_model_rx_push(&u, (uint8_t)('a' + i)));
	CHECK(!uart_model_irq_pending(&u));
	uart_model_rx_timeout(&u);
	CHECK(uart_model_irq_pending(&u));
	CHECK_EQ(rd(UART_IIR), 0xcc);
	CHECK_EQ(rd(UART_IIR), 0xcc);               /* IIR read does not clear it */
	CHECK(uart_model_rx_push(&u, 'd'));         /* nor does a new character */
	CHECK_EQ(rd(UART_IIR), 0xcc);
	CHECK_EQ(rd(UART_RBR), 'a');                /* a read does */
	CHECK_EQ(rd(UART_IIR), 0xc1);
	uart_model_rx_timeout(&u);                  /* the next idle period: again */
	CHECK_EQ(rd(UART_IIR), 0xcc);
	while (rd(UART_LSR) & UART_LSR_DR)
		rd(UART_RBR);
	CHECK_EQ(rd(UART_IIR), 0xc1);
	CHECK(!uart_model_irq_pending(&u));

	/* Latched without ERBFI but only shown with it; cleared by a FIFO reset. */
	wr(UART_IER, 0);
	CHECK(uart_model_rx_push(&u, 'e'));
	uart_model_rx_timeout(&u);
	CHECK_EQ(rd(UART_IIR), 0xc1);
	wr(UART_IER, UART_IER_ERBFI);
	CHECK_EQ(rd(UART_IIR), 0xcc);
	wr(UART_FCR, 0x81 | UART_FCR_RFR);
	CHECK_EQ(rd(UART_IIR), 0xc1);

	/* No timeout without FIFOs. */
	wr(UART_FCR, 0);
	wr(UART_IER, 0);
	CHECK(uart_model_rx_push(&u, 'f'));
	uart_model_rx_timeout(&u);
	wr(UART_IER, UART_IER_ERBFI);
	CHECK_EQ(rd(UART_IIR), 0x04);
}

TEST(overrun_line_status_interrupt)
{
	fresh();
	wr(UART_MCR, UART_MCR_OUT2);
	wr(UART_FCR, 0xc1);                         /* trigger at 14 */
	for (int i = 0; i < 16; i++)
		CHECK(uart_model_rx_push(&u, (uint8_t)i));
	CHECK_EQ(uart_model_rx_space(&u), 0);
	CHECK(!uart_model_rx_push(&u, 0xee));       /* lost; the FIFO is kept */
	CHECK(!uart_model_irq_pending(&u));         /* ELSI off */
	wr(UART_IER, UART_IER_ELSI);
	CHECK(uart_model_irq_pending(&u));
	CHECK_EQ(rd(UART_IIR), 0xc6);
	CHECK_EQ(rd(UART_LSR), 0x63);               /* DR, OE, THRE, TEMT */
	CHECK_EQ(rd(UART_LSR), 0x61);               /* OE cleared by the read */
	CHECK_EQ(rd(UART_IIR), 0xc1);
	for (int i = 0; i < 16; i++)
		CHECK_EQ(rd(UART_RBR), i);
	CHECK_EQ(rd(UART_LSR), 0x60);

	/* Loopback overruns the same way. */
	wr(UART_MCR, UART_MCR_LOOP);
	for (int i = 0; i < 17; i++)
		wr(UART_THR, (uint8_t)i);
	CHECK_EQ(rd(UART_LSR), 0x63);
}

TEST(iir_priority)
{
	fresh();
	wr(UART_MCR, UART_MCR_OUT2);
	wr(UART_FCR, UART_FCR_FIFOE);               /* trigger at 1 */
	wr(UART_IER, 0x0f);
	CHECK_EQ(rd(UART_IIR), 0xc2);               /* THRE on enable */
	wr(UART_IER, 0);
	wr(UART_IER, 0x0f);                         /* THRE again, pending from here on */
	u.modem_in = UART_MSR_DCD | UART_MSR_CTS;   /* DSR drops (as the glue would set it) */
	u.msr_delta |= UART_MSR_DDSR;
	for (int i = 0; i < 17; i++)                /* data and an overrun */
		uart_model_rx_push(&u, (uint8_t)i);
	CHECK_EQ(rd(UART_IIR), 0xc6);               /* line status first */
	CHECK_EQ(rd(UART_LSR) & UART_LSR_OE, UART_LSR_OE);
	CHECK_EQ(rd(UART_IIR), 0xc4);               /* then received data */
	uart_model_rx_timeout(&u);
	CHECK_EQ(rd(UART_IIR), 0xcc);               /* timeout shares its level, shown first */
	while (rd(UART_LSR) & UART_LSR_DR)
		rd(UART_RBR);
	CHECK(uart_model_irq_pending(&u));
	CHECK_EQ(rd(UART_IIR), 0xc2);               /* then THRE, cleared by this read */
	CHECK_EQ(rd(UART_IIR), 0xc0);               /* then modem status */
	CHECK_EQ(rd(UART_MSR), UART_MSR_DCD | UART_MSR_CTS | UART_MSR_DDSR);
	CHECK_EQ(rd(UART_IIR), 0xc1);
	CHECK(!uart_model_irq_pending(&u));
}

TEST(out2_gates_irq)
{
	fresh();
	CHECK(uart_model_rx_push(&u, 'q'));
	wr(UART_IER, UART_IER_ERBFI);
	CHECK_EQ(rd(UART_IIR), 0x04);               /* pending in the chip... */
	CHECK(!uart_model_irq_pending(&u));         /* ...but OUT2 keeps the line off */
	wr(UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
	CHECK(!uart_model_irq_pending(&u));
	wr(UART_MCR, UART_MCR_OUT2);
	CHECK(uart_model_irq_pending(&u));
	wr(UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP);
	CHECK(!uart_model_irq_pending(&u));         /* loopback forces OUT2's pin inactive */
	wr(UART_MCR, UART_MCR_OUT2);
	CHECK(uart_model_irq_pending(&u));
	rd(UART_RBR);
	CHECK(!uart_model_irq_pending(&u));
}

TEST(bad_register_offsets)
{
	fresh();
	CHECK_EQ(rd(8), 0xff);
	CHECK_EQ(rd(~0u), 0xff);
	wr(8, 0x12);
	wr(~0u, 0x34);
	CHECK_EQ(rd(UART_SCR), 0);
	CHECK_EQ(rd(UART_LSR), 0x60);
	wr(UART_LSR, 0x1f);                         /* read-only registers */
	wr(UART_MSR, 0x0f);
	CHECK_EQ(rd(UART_LSR), 0x60);
	CHECK_EQ(rd(UART_MSR), 0xb0);
	wr(UART_MCR, 0xff);
	CHECK_EQ(rd(UART_MCR), 0x1f);
	wr(UART_IER, 0xff);
	CHECK_EQ(rd(UART_IER), 0x0f);
}

/* drivers/tty/serial/8250/8250_port.c: autoconfig() and autoconfig_16550a(),
 * step by step, with the answers that make Linux say "16550A". */
TEST(linux_autoconfig_16550a)
{
	uint8_t scratch, scratch2, scratch3, status1, status2, save_mcr, save_lcr, iersave;

	fresh();
	wr(UART_SCR, 0xa5);                         /* left there by the BIOS, say */
	/* IER test: bits 3:0 read back, 0 reads 0. */
	scratch = rd(UART_IER);
	wr(UART_IER, 0);
	scratch2 = rd(UART_IER) & 0x0f;
	wr(UART_IER, 0x0f);
	scratch3 = rd(UART_IER) & 0x0f;
	wr(UART_IER, scratch);
	CHECK_EQ(scratch2, 0);
	CHECK_EQ(scratch3, 0x0f);
	save_mcr = rd(UART_MCR);
	save_lcr = rd(UART_LCR);
	/* Loopback test: MCR = LOOP | OUT2 | RTS must give DCD | CTS. */
	wr(UART_MCR, UART_MCR_LOOP | 0x0a);
	status1 = rd(UART_MSR) & 0xf0;
	wr(UART_MCR, save_mcr);
	CHECK_EQ(status1, 0x90);
	/* LCR 0xbf: no EFR on a 16550A, the write goes to FCR. */
	wr(UART_LCR, 0xbf);
	wr(UART_FCR, 0);
	wr(UART_LCR, 0);
	wr(UART_FCR, UART_FCR_FIFOE);
	scratch = rd(UART_IIR);
	CHECK_EQ(scratch >> 6, 3);                  /* -> autoconfig_16550a() */

	/* No EFR with DLAB (ST16C650V1) nor with LCR 0xbf (16650): reg 2 is IIR. */
	wr(UART_LCR, 0x80);
	CHECK(rd(UART_FCR) != 0);
	wr(UART_LCR, 0xbf);
	CHECK(rd(UART_FCR) != 0);
	/* NatSemi SuperIO: EXCR1 at bank 2 must not follow MCR.LOOP. */
	wr(UART_LCR, 0);
	status1 = rd(UART_MCR);
	wr(UART_LCR, 0xe0);
	status2 = rd(2);
	CHECK(!((status2 ^ status1) & UART_MCR_LOOP));
	wr(UART_LCR, 0);
	wr(UART_MCR, status1 ^ UART_MCR_LOOP);
	wr(UART_LCR, 0xe0);
	status2 = rd(2);
	wr(UART_LCR, 0);
	wr(UART_MCR, status1);
	CHECK(!((status2 ^ status1) & UART_MCR_LOOP));   /* not a SuperIO */
	/* TI16750: IIR bit 5 with FCR bit 5, with and without DLAB. */
	wr(UART_LCR, 0);
	wr(UART_FCR, UART_FCR_FIFOE | 0x20);
	status1 = rd(UART_IIR) & 0xe0;
	wr(UART_FCR, UART_FCR_FIFOE);
	wr(UART_LCR, 0x80);
	wr(UART_FCR, UART_FCR_FIFOE | 0x20);
	status2 = rd(UART_IIR) & 0xe0;
	wr(UART_FCR, UART_FCR_FIFOE);
	wr(UART_LCR, 0);
	CHECK_EQ(status1, 0xc0);
	CHECK_EQ(status2, 0xc0);                    /* not 0xe0: no 16750 */
	/* XScale: IER bit 6 (UUE) must not stick. */
	iersave = rd(UART_IER);
	wr(UART_IER, iersave & ~0x40);
	CHECK(!(rd(UART_IER) & 0x40));
	wr(UART_IER, iersave | 0x40);
	CHECK(!(rd(UART_IER) & 0x40));
	wr(UART_IER, iersave);

	/* Back in autoconfig(): restore, clear the FIFOs, read RX. */
	wr(UART_MCR, save_mcr);
	wr(UART_FCR, UART_FCR_FIFOE);
	wr(UART_FCR, UART_FCR_FIFOE | UART_FCR_RFR | UART_FCR_XFR);
	wr(UART_FCR, 0);
	rd(UART_RBR);
	wr(UART_LCR, save_lcr);
	CHECK_EQ(rd(UART_SCR), 0xa5);               /* the probe never touched it */
	CHECK_EQ(rd(UART_IER), 0);
	CHECK_EQ(rd(UART_IIR), 0x01);
	CHECK_EQ(rd(UART_LSR), 0x60);
	CHECK_EQ(uart_model_tx_pop(&u), -1);        /* nothing reached the console */
}

/* size_fifo(): 256 bytes through loopback at divisor 1, count what comes back. */
TEST(linux_size_fifo)
{
	uint8_t old_lcr, old_fcr, old_mcr, old_dl;
	int count;

	fresh();
	old_lcr = rd(UART_LCR);
	wr(UART_LCR, 0);
	old_fcr = rd(UART_FCR);
	old_mcr = rd(UART_MCR);
	wr(UART_FCR, UART_FCR_FIFOE | UART_FCR_RFR | UART_FCR_XFR);
	wr(UART_MCR, UART_MCR_LOOP);
	wr(UART_LCR, 0x80);
	old_dl = rd(UART_DLL);
	wr(UART_DLL, 1);
	wr(UART_DLM, 0);
	wr(UART_LCR, 0x03);
	for (count = 0; count < 256; count++)
		wr(UART_THR, (uint8_t)count);
	for (count = 0; (rd(UART_LSR) & UART_LSR_DR) && count < 256; count++)
		CHECK_EQ(rd(UART_RBR), count);
	wr(UART_FCR, old_fcr);
	wr(UART_MCR, old_mcr);
	wr(UART_LCR, 0x80);
	wr(UART_DLL, old_dl);
	wr(UART_LCR, old_lcr);
	CHECK_EQ(count, 16);
	CHECK_EQ(rd(UART_IIR), 0xc1);               /* old_fcr was IIR 0x01: written back, FIFOs on */
	CHECK_EQ(uart_model_tx_pop(&u), -1);
}

/* serial8250_do_startup() and an interrupt-driven session as 8250_port.c runs
 * it: UART_BUG_THRE and UART_BUG_TXEN must stay clear. */
TEST(linux_startup_and_interrupts)
{
	uint8_t iir1, iir, lsr;
	char out[64];
	const char *msg = "Debian GNU/Linux 12 ttyS0, login: ";
	unsigned int sent = 0, got = 0, irqs = 0;

	fresh();
	wr(UART_FCR, UART_FCR_FIFOE);               /* serial8250_clear_fifos() */
	wr(UART_FCR, UART_FCR_FIFOE | UART_FCR_RFR | UART_FCR_XFR);
	wr(UART_FCR, 0);
	rd(UART_LSR);
	rd(UART_RBR);
	rd(UART_IIR);
	rd(UART_MSR);
	CHECK(rd(UART_LSR) != 0xff);
	wr(UART_LCR, 0x03);
	wr(UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	/* The THRE re-assert test. */
	CHECK(rd(UART_LSR) & UART_LSR_THRE);
	wr(UART_IER, UART_IER_ETBEI);
	iir1 = rd(UART_IIR);
	wr(UART_IER, 0);
	wr(UART_IER, UART_IER_ETBEI);
	iir = rd(UART_IIR);
	wr(UART_IER, 0);
	CHECK(!(iir1 & UART_IIR_NO_INT));
	CHECK(!(iir & UART_IIR_NO_INT));            /* no UART_BUG_THRE */
	/* The TXEN test. */
	wr(UART_IER, UART_IER_ETBEI);
	lsr = rd(UART_LSR);
	iir = rd(UART_IIR);
	wr(UART_IER, 0);
	CHECK(!((lsr & UART_LSR_TEMT) && (iir & UART_IIR_NO_INT)));   /* no UART_BUG_TXEN */
	rd(UART_LSR);
	rd(UART_RBR);
	rd(UART_IIR);
	rd(UART_MSR);
	/* set_termios: 115200 8N1, FIFO trigger 8, then RLSI|RDI. */
	wr(UART_LCR, 0x83);
	wr(UART_DLL, 1);
	wr(UART_DLM, 0);
	wr(UART_LCR, 0x03);
	wr(UART_FCR, UART_FCR_FIFOE | 0x80);
	wr(UART_IER, UART_IER_ERBFI | UART_IER_ELSI);
	CHECK(!uart_model_irq_pending(&u));

	/* Transmit: start_tx sets THRI; each interrupt runs serial8250_tx_chars()
	 * (up to 16 bytes, no LSR check between them); the console takes one byte
	 * per "tick", so THRE comes back only after the ring drains. */
	wr(UART_IER, UART_IER_ERBFI | UART_IER_ELSI | UART_IER_ETBEI);
	for (int tick = 0; tick < 100 && got < strlen(msg); tick++) {
		if (uart_model_irq_pending(&u)) {
			irqs++;
			iir = rd(UART_IIR);
			CHECK_EQ(iir & UART_IIR_ID_MASK, UART_IIR_THRI);
			lsr = rd(UART_LSR);
			if (lsr & UART_LSR_THRE) {
				for (int n = 0; n < 16 && sent < strlen(msg); n++)
					wr(UART_THR, (uint8_t)msg[sent++]);
				if (sent == strlen(msg))    /* __stop_tx() */
					wr(UART_IER, UART_IER_ERBFI | UART_IER_ELSI);
			}
		}
		int c = uart_model_tx_pop(&u);
		if (c >= 0 && got < sizeof(out))
			out[got++] = (char)c;
	}
	CHECK_EQ(got, strlen(msg));
	CHECK(!memcmp(out, msg, got));
	CHECK_EQ(irqs, 3);                          /* 34 bytes: 16 + 16 + 2 */
	CHECK_EQ(u.tx_dropped, 0);

	/* Receive: a burst above the trigger, then a tail the timeout reports. */
	got = 0;
	for (int i = 0; i < 11; i++)
		CHECK(uart_model_rx_push(&u, (uint8_t)('0' + i)));
	CHECK(uart_model_irq_pending(&u));
	while (uart_model_irq_pending(&u)) {
		iir = rd(UART_IIR);
		CHECK_EQ(iir, 0xc4);
		while ((lsr = rd(UART_LSR)) & UART_LSR_DR)   /* serial8250_rx_chars() */
			out[got++] = (char)rd(UART_RBR);
	}
	CHECK_EQ(got, 11);
	CHECK(uart_model_rx_push(&u, 'x'));
	CHECK(!uart_model_irq_pending(&u));
	uart_model_rx_timeout(&u);
	CHECK(uart_model_irq_pending(&u));
	CHECK_EQ(rd(UART_IIR), 0xcc);
	CHECK_EQ(rd(UART_RBR), 'x');
	CHECK(!uart_model_irq_pending(&u));
	CHECK(!memcmp(out, "0123456789:", 11));
}

/* One character on the line: start bit, data, parity, stop bits at
 * 1843200 / (16 * divisor) baud, in ticks of the clock the caller names. */
TEST(char_time_follows_divisor_and_lcr)
{
	fresh();
	wr(UART_LCR, 0x83);                         /* 8N1, DLAB */
	wr(UART_DLL, 1);
	wr(UART_DLM, 0);
	wr(UART_LCR, 0x03);
	/* 115200 baud, 10 bits: 86.8 us; on a 1 GHz clock 86805 ticks. */
	CHECK_EQ(uart_model_char_ticks(&u, 1000000), 86805);
	CHECK_EQ(uart_model_char_ticks(&u, 1000), 86);
	wr(UART_LCR, 0x80 | 0x0e);                  /* 7 data, parity, 2 stop: 11 bits */
	wr(UART_DLL, 12);                           /* 9600 baud */
	wr(UART_LCR, 0x0e);
	CHECK_EQ(uart_model_char_ticks(&u, 1000000), 1145833);
	wr(UART_LCR, 0x04);                         /* 5 data, 1.5 stop: 7.5 bits */
	CHECK_EQ(uart_model_char_ticks(&u, 1000000), 781250);
	wr(UART_LCR, 0x83);                         /* divisor 0 counts as 65536 */
	wr(UART_DLL, 0);
	wr(UART_LCR, 0x03);
	CHECK_EQ(uart_model_char_ticks(&u, 1000000), 10ull * 16 * 65536 * 1000000000 / 1843200);
	/* The largest product fits: 2 stop bits, parity, 8 data, divisor 65536, 5 GHz. */
	wr(UART_LCR, 0x0f);
	CHECK_EQ(uart_model_char_ticks(&u, 5000000), 12ull * 16 * 65536 * 5000000000ull / 1843200);
}

/* The data sheet's rule (8.6.3): characters in the FIFO below the trigger
 * level and 4 character times with nothing received or read raise the
 * timeout; a reception or a read restarts the count. */
TEST(timeout_after_four_idle_char_times)
{
	const uint64_t khz = 1000000, t0 = 5000000;
	uint64_t four;

	fresh();
	uart_model_set_time(&u, t0);
	wr(UART_LCR, 0x83);
	wr(UART_DLL, 1);
	wr(UART_LCR, 0x03);
	wr(UART_MCR, UART_MCR_OUT2);
	wr(UART_FCR, 0x81);                         /* trigger at 8, as Linux sets it */
	wr(UART_IER, UART_IER_ERBFI);
	four = 4 * uart_model_char_ticks(&u, khz);
	CHECK(!uart_model_check_timeout(&u, t0 + 10 * four, khz));   /* empty: never */

	uart_model_set_time(&u, t0 + 100);
	CHECK(uart_model_rx_push(&u, 'a'));         /* one typed key */
	CHECK(!uart_model_check_timeout(&u, t0 + 100 + four - 1, khz));
	CHECK(!uart_model_irq_pending(&u));
	CHECK(uart_model_check_timeout(&u, t0 + 100 + four, khz));
	CHECK(uart_model_irq_pending(&u));
	CHECK_EQ(rd(UART_IIR), 0xcc);

	/* A second key before the first is read restarts nothing already raised. */
	CHECK(uart_model_rx_push(&u, 'b'));
	CHECK_EQ(rd(UART_IIR), 0xcc);
	/* Reading one restarts the count; the other is reported 4 char times later. */
	uart_model_set_time(&u, t0 + 2 * four);
	CHECK_EQ(rd(UART_RBR), 'a');
	CHECK(!uart_model_irq_pending(&u));
	CHECK(!uart_model_check_timeout(&u, t0 + 3 * four - 1, khz));
	CHECK(uart_model_check_timeout(&u, t0 + 3 * four, khz));
	CHECK_EQ(rd(UART_RBR), 'b');
	CHECK(!uart_model_check_timeout(&u, t0 + 100 * four, khz));   /* empty again */
	CHECK(!uart_model_irq_pending(&u));

	/* A reception restarts the count too. */
	uart_model_set_time(&u, t0 + 200 * four);
	CHECK(uart_model_rx_push(&u, 'c'));
	uart_model_set_time(&u, t0 + 203 * four);
	CHECK(uart_model_rx_push(&u, 'd'));
	CHECK(!uart_model_check_timeout(&u, t0 + 204 * four - 1, khz));
	CHECK(uart_model_check_timeout(&u, t0 + 207 * four, khz));

	/* No timeout without FIFOs: each byte raises received-data itself. */
	wr(UART_FCR, 0);
	wr(UART_IER, 0);
	uart_model_set_time(&u, t0 + 300 * four);
	CHECK(uart_model_rx_push(&u, 'e'));
	CHECK(!uart_model_check_timeout(&u, t0 + 400 * four, khz));
	wr(UART_IER, UART_IER_ERBFI);
	CHECK_EQ(rd(UART_IIR), 0x04);
}

/* Chain mode: the guest's COM1 starts as OVMF's SerialDxe programmed the
 * real one (115200 8N1, FIFOs on, DTR/RTS, no interrupts), not reset. */
TEST(seeded_as_the_firmware_left_it)
{
	const struct uart_model_seed ovmf = { .ier = 0, .lcr = 0x03, .mcr = 0x03, .scr = 0x5a,
					      .dll = 1, .dlm = 0, .fifo = true };

	uart_model_reset(&u);
	uart_model_seed(&u, &ovmf);
	CHECK_EQ(rd(UART_LCR), 0x03);
	CHECK_EQ(rd(UART_MCR), 0x03);
	CHECK_EQ(rd(UART_IER), 0);
	CHECK_EQ(rd(UART_SCR), 0x5a);
	CHECK_EQ(rd(UART_IIR), 0xc1);           /* FIFOs on, nothing pending */
	CHECK_EQ(rd(UART_MSR) & 0xf0, 0xb0);    /* DCD, DSR, CTS asserted */
	wr(UART_LCR, 0x83);
	CHECK_EQ(rd(UART_DLL), 1);
	CHECK_EQ(rd(UART_DLM), 0);
	wr(UART_LCR, 0x03);
	CHECK_EQ(rd(UART_LSR), 0x60);
	/* 9600 7E1, FIFOs off, interrupts on with OUT2. */
	{
		const struct uart_model_seed s = { .ier = 0x01, .lcr = 0x1a, .mcr = 0x0b, .dll = 12,
						   .fifo = false };

		uart_model_reset(&u);
		uart_model_seed(&u, &s);
		CHECK_EQ(rd(UART_LCR), 0x1a);
		CHECK_EQ(rd(UART_MCR), 0x0b);
		CHECK_EQ(rd(UART_IER), 0x01);
		CHECK_EQ(rd(UART_IIR), 0x01);
		wr(UART_LCR, 0x9a);
		CHECK_EQ(rd(UART_DLL), 12);
	}
}

TEST(read_lsr_inline_is_the_register)
{
	struct uart_model a, b;

	/* Empty; a byte waiting; the transmitter busy; an overrun. */
	fresh();
	wr(UART_FCR, UART_FCR_FIFOE);
	for (unsigned int step = 0; step < 4; step++) {
		if (step == 1)
			CHECK(uart_model_rx_push(&u, 'x'));
		if (step == 2)
			wr(UART_THR, 'y');
		if (step == 3)
			for (unsigned int i = 0; i < UART_FIFO_SIZE + 1; i++)
				(void)uart_model_rx_push(&u, 'z');
		a = u;
		b = u;
		CHECK_EQ(uart_model_read_lsr(&a), uart_model_read(&b, UART_LSR));
		CHECK(!memcmp(&a, &b, sizeof(a)));
	}
	CHECK_EQ(uart_model_read_lsr(&u), 0x03);    /* DR, OE (read on copies above), THR busy */
	CHECK_EQ(uart_model_read_lsr(&u), 0x01);    /* the read cleared OE */
}

/* The contract of uart_model_access_idle, which lets the glue skip its
 * sync (guest/dev/vuart.c): in states a random walk of accesses, console
 * bytes and drains reaches, every access it calls idle leaves receiver and
 * transmitter empty and no timeout pending, a write leaves the interrupt
 * line and IIR as they were, and a read never raises the line. */
static unsigned int rnd_state = 1;

static unsigned int rnd(unsigned int n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 16) % n;
}

static uint8_t iir_of(const struct uart_model *m)
{
	struct uart_model c = *m;

	return uart_model_read(&c, UART_IIR);
}

TEST(idle_accesses_leave_the_glue_nothing)
{
	unsigned int idle_reads = 0, idle_writes = 0, busy = 0, lowered = 0, up_reads = 0;

	fresh();
	for (unsigned int step = 0; step < 200000; step++) {
		unsigned int reg = rnd(9), op = rnd(8);
		uint8_t val = (uint8_t)rnd(256);
		bool write = rnd(2);

		/* Values that reach the interesting states more often. */
		if (reg == UART_MCR)
			val &= (uint8_t)(rnd(4) ? ~UART_MCR_LOOP : 0xff);
		if (reg == UART_LCR && rnd(4))
			val &= (uint8_t)~UART_LCR_DLAB;
		if (uart_model_access_idle(&u, reg, write)) {
			struct uart_model before = u;
			bool line = uart_model_irq_pending(&u);
			uint8_t iir = iir_of(&u);

			CHECK_EQ(u.rx_count, 0);
			CHECK_EQ(u.tx_count, 0);
			if (write) {
				wr(reg, val);
				CHECK_EQ(uart_model_irq_pending(&u), line);
				CHECK_EQ(iir_of(&u), iir);
				idle_writes++;
			} else {
				(void)rd(reg);
				CHECK(!uart_model_irq_pending(&u) || line);
				lowered += line && !uart_model_irq_pending(&u);
				up_reads += line;
				idle_reads++;
			}
			CHECK_EQ(u.rx_count, 0);
			CHECK_EQ(u.tx_count, 0);
			CHECK(!u.timeout_ipending);
			CHECK_EQ(u.ier, before.ier);
			CHECK_EQ(u.fcr, before.fcr);
			CHECK_EQ(u.mcr, before.mcr);
		} else {
			CHECK(write || u.rx_count || u.tx_count);
			busy++;
		}
		/* Then move on: an access, a console byte, a drain, time. */
		if (op < 4) {
			if (write)
				wr(reg, val);
			else
				(void)rd(reg);
		} else if (op == 4) {
			(void)uart_model_rx_push(&u, val);
		} else if (op == 5) {
			(void)uart_model_tx_pop(&u);
		} else if (op == 6) {
			(void)uart_model_check_timeout(&u, u.now + rnd(1u << 20), 1000);
		} else if (rnd(64) == 0) {
			fresh();
		}
	}
	/* The walk reached idle accesses of both kinds, with the line up too. */
	CHECK(idle_reads > 1000);
	CHECK(idle_writes > 1000);
	CHECK(up_reads > 100);
	CHECK(lowered > 10);
	CHECK(busy > 1000);
}

TEST(idle_write_registers)
{
	fresh();
	CHECK(uart_model_access_idle(&u, UART_LSR, false));
	CHECK(uart_model_access_idle(&u, UART_RBR, false));
	CHECK(uart_model_access_idle(&u, UART_SCR, true));
	CHECK(uart_model_access_idle(&u, UART_LCR, true));
	CHECK(uart_model_access_idle(&u, UART_LSR, true));
	CHECK(uart_model_access_idle(&u, UART_MSR, true));
	CHECK(!uart_model_access_idle(&u, UART_THR, true));
	CHECK(!uart_model_access_idle(&u, UART_IER, true));
	CHECK(!uart_model_access_idle(&u, UART_FCR, true));
	CHECK(!uart_model_access_idle(&u, UART_MCR, true));
	CHECK(!uart_model_access_idle(&u, 8, true));
	wr(UART_LCR, UART_LCR_DLAB);                /* the divisor latch */
	CHECK(uart_model_access_idle(&u, UART_DLL, true));
	CHECK(uart_model_access_idle(&u, UART_DLM, true));
	CHECK(!uart_model_access_idle(&u, UART_FCR, true));
	wr(UART_LCR, 0x03);
	wr(UART_THR, 'a');                          /* the transmitter busy */
	CHECK(!uart_model_access_idle(&u, UART_LSR, false));
	CHECK(!uart_model_access_idle(&u, UART_SCR, true));
	CHECK_EQ(uart_model_tx_pop(&u), 'a');
	CHECK(uart_model_rx_push(&u, 'b'));         /* a byte received */
	CHECK(!uart_model_access_idle(&u, UART_LSR, false));
	CHECK_EQ(rd(UART_RBR), 'b');
	CHECK(uart_model_access_idle(&u, UART_LSR, false));
}
