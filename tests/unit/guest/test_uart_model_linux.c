/* tests/unit/guest/test_uart_model_linux.c - replays of what Linux's 8250
 * driver does to the 16550A model (autoconfig, size_fifo, startup's THRE
 * tests, interrupt-driven transmit and receive). */
#include "uart_fixture.h"

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
