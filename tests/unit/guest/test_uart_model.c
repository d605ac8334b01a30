/* tests/unit/guest/test_uart_model.c - host tests for the 16550A register model:
 * each register against the PC16550D data sheet, the FIFOs, loopback, and the
 * interrupt sources and their priority. Linux's 8250 driver replays are in
 * test_uart_model_linux.c, what the glue (guest/dev/vuart.c) calls besides
 * register accesses in test_uart_model_glue.c. */
#include "uart_fixture.h"

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
