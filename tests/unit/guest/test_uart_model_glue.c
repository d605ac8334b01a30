/* tests/unit/guest/test_uart_model_glue.c - what the glue (guest/dev/vuart.c)
 * calls on the 16550A model besides register accesses: character time and the
 * data sheet's 4-character timeout on a clock, the firmware seed, the inline
 * LSR read, and the idle-access rule that lets it skip its sync. */
#include "uart_fixture.h"

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
