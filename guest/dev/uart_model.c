/* guest/dev/uart_model.c - 16550A register model (PC16550D data sheet, sections 8.4-8.12),
 * written against what Linux's 8250 driver probes and relies on. */
#include "guest/dev/uart_model.h"

static const uint8_t rx_trigger_bytes[4] = { 1, 4, 8, 14 };

static bool fifo_on(const struct uart_model *u)
{
	return u->fcr & UART_FCR_FIFOE;
}

static bool loopback(const struct uart_model *u)
{
	return u->mcr & UART_MCR_LOOP;
}

/* Without FIFOs the receiver is the one-byte RBR (16450 mode). */
static unsigned int rx_capacity(const struct uart_model *u)
{
	return fifo_on(u) ? UART_FIFO_SIZE : 1;
}

/* Data-available interrupt source: trigger level reached in FIFO mode, any
 * byte otherwise; it drops as soon as the FIFO falls below the level. */
static bool rx_at_trigger(const struct uart_model *u)
{
	if (!fifo_on(u))
		return u->rx_count > 0;
	return u->rx_count >= rx_trigger_bytes[(u->fcr & UART_FCR_TRIG) >> 6];
}

/* MSR bits 7:4: the console's lines, or in loopback the MCR outputs
 * (DTR -> DSR, RTS -> CTS, OUT1 -> RI, OUT2 -> DCD). */
static uint8_t modem_lines(uint8_t mcr, uint8_t modem_in)
{
	if (!(mcr & UART_MCR_LOOP))
		return modem_in & 0xf0;
	return (uint8_t)(((mcr & UART_MCR_DTR) ? UART_MSR_DSR : 0) |
			 ((mcr & UART_MCR_RTS) ? UART_MSR_CTS : 0) |
			 ((mcr & UART_MCR_OUT1) ? UART_MSR_RI : 0) |
			 ((mcr & UART_MCR_OUT2) ? UART_MSR_DCD : 0));
}

/* Sets the MSR delta bits for a change of the modem inputs; RI counts only
 * on its trailing edge (1 -> 0). */
static void modem_change(struct uart_model *u, uint8_t old, uint8_t now)
{
	uint8_t diff = old ^ now;

	if (diff & UART_MSR_CTS)
		u->msr_delta |= UART_MSR_DCTS;
	if (diff & UART_MSR_DSR)
		u->msr_delta |= UART_MSR_DDSR;
	if ((old & UART_MSR_RI) && !(now & UART_MSR_RI))
		u->msr_delta |= UART_MSR_TERI;
	if (diff & UART_MSR_DCD)
		u->msr_delta |= UART_MSR_DDCD;
}

/* The highest-priority enabled interrupt, as IIR bits 3:0 (data sheet table IV):
 * line status > received data or timeout > THR empty > modem status. */
static uint8_t iir_id(const struct uart_model *u)
{
	if ((u->ier & UART_IER_ELSI) && (u->lsr_err & UART_LSR_ERRORS))
		return UART_IIR_RLSI;
	if (u->ier & UART_IER_ERBFI) {
		if (u->timeout_ipending)
			return UART_IIR_CTI;
		if (rx_at_trigger(u))
			return UART_IIR_RDI;
	}
	if ((u->ier & UART_IER_ETBEI) && u->thr_ipending)
		return UART_IIR_THRI;
	if ((u->ier & UART_IER_EDSSI) && u->msr_delta)
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

/* The transmitter became empty: THRE goes 0 -> 1, which raises the THRE
 * interrupt if it is enabled. */
static void tx_emptied(struct uart_model *u)
{
	if (u->ier & UART_IER_ETBEI)
		u->thr_ipending = true;
}

static void rx_clear(struct uart_model *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
	u->timeout_ipending = false;
}

static void tx_clear(struct uart_model *u)
{
	bool had = u->tx_count > 0;

	u->tx_head = 0;
	u->tx_count = 0;
	if (had)
		tx_emptied(u);
}

/* A character reaches the receiver (serial input or loopback). When it is full
 * the character in the shift register is lost and the FIFO kept (8.6.3). */
static bool rx_deliver(struct uart_model *u, uint8_t c)
{
	if (u->rx_count >= rx_capacity(u)) {
		u->lsr_err |= UART_LSR_OE;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = c;
	u->rx_count++;
	u->rx_stamp = u->now;
	return true;
}

static uint8_t rbr_read(struct uart_model *u)
{
	if (u->rx_count) {
		u->rbr = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
		u->rx_count--;
	}
	u->rx_stamp = u->now;
	u->timeout_ipending = false;    /* a read resets the timeout (8.6.3) */
	return u->rbr;
}

static void thr_write(struct uart_model *u, uint8_t c)
{
	u->thr_ipending = false;
	if (loopback(u)) {
		/* Serial output goes straight back to the receiver; the transmitter
		 * is empty again at once. */
		rx_deliver(u, c);
		tx_emptied(u);
		return;
	}
	if (u->tx_count >= UART_FIFO_SIZE) {
		u->tx_dropped++;
		return;
	}
	u->tx[(u->tx_head + u->tx_count) % UART_FIFO_SIZE] = c;
	u->tx_count++;
}

/* "THRE on enable": setting ETBEI while THR is empty raises the interrupt even
 * if an IIR read had cleared it; Linux's startup test and start_tx rely on it.
 * As in Bochs and QEMU it is sampled on the rising edge of ETBEI. */
static void ier_write(struct uart_model *u, uint8_t val)
{
	uint8_t old = u->ier;

	u->ier = val & UART_IER_MASK;
	if (!(u->ier & UART_IER_ETBEI))
		u->thr_ipending = false;
	else if (!(old & UART_IER_ETBEI) && !u->tx_count)
		u->thr_ipending = true;
}

/* FCR bits other than FIFOE are written only with FIFOE set; switching the
 * FIFOs on or off clears both (8.4, FCR bits 0-2). */
static void fcr_write(struct uart_model *u, uint8_t val)
{
	bool was_on = fifo_on(u);

	if (!(val & UART_FCR_FIFOE)) {
		if (was_on) {
			rx_clear(u);
			tx_clear(u);
		}
		u->fcr = 0;    /* the trigger is reprogrammed by the next enabling write */
		return;
	}
	if (!was_on || (val & UART_FCR_RFR))
		rx_clear(u);
	if (!was_on || (val & UART_FCR_XFR))
		tx_clear(u);
	u->fcr = val & (UART_FCR_TRIG | UART_FCR_DMA | UART_FCR_FIFOE);
}

static void mcr_write(struct uart_model *u, uint8_t val)
{
	uint8_t old = modem_lines(u->mcr, u->modem_in);

	u->mcr = val & UART_MCR_MASK;
	modem_change(u, old, modem_lines(u->mcr, u->modem_in));
}

void uart_model_reset(struct uart_model *u)
{
	uint64_t now = u->now;

	*u = (struct uart_model){
		.dll = 12,
		.modem_in = UART_MODEM_LINES,
		.now = now,                  /* the clock is not the UART's to reset */
		.rx_stamp = now,
	};
}

void uart_model_seed(struct uart_model *u, const struct uart_model_seed *s)
{
	uart_model_write(u, UART_LCR, UART_LCR_DLAB);
	uart_model_write(u, UART_DLL, s->dll);
	uart_model_write(u, UART_DLM, s->dlm);
	uart_model_write(u, UART_LCR, s->lcr & ~UART_LCR_DLAB);
	uart_model_write(u, UART_FCR, s->fifo ? UART_FCR_FIFOE : 0);
	uart_model_write(u, UART_MCR, s->mcr);
	uart_model_write(u, UART_IER, s->ier);
	uart_model_write(u, UART_SCR, s->scr);
	uart_model_write(u, UART_LCR, s->lcr);
}

uint8_t uart_model_read(struct uart_model *u, unsigned int reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case UART_RBR:
		return dlab ? u->dll : rbr_read(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		v = iir_id(u);
		if (v == UART_IIR_THRI)    /* reading IIR clears THRE only when it is shown */
			u->thr_ipending = false;
		return (uint8_t)(v | (fifo_on(u) ? UART_IIR_FIFO : 0));
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return uart_model_read_lsr(u);
	case UART_MSR:
		v = (uint8_t)(modem_lines(u->mcr, u->modem_in) | u->msr_delta);
		u->msr_delta = 0;
		return v;
	case UART_SCR:
		return u->scr;
	}
	return 0xff;
}

void uart_model_write(struct uart_model *u, unsigned int reg, uint8_t val)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_THR:
		if (dlab)
			u->dll = val;
		else
			thr_write(u, val);
		break;
	case UART_IER:
		if (dlab)
			u->dlm = val;
		else
			ier_write(u, val);
		break;
	case UART_FCR:
		fcr_write(u, val);
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		mcr_write(u, val);
		break;
	case UART_SCR:
		u->scr = val;
		break;
	}
	/* LSR and MSR are read-only: writes there are for factory test only. */
}

int uart_model_tx_pop(struct uart_model *u)
{
	uint8_t c;

	if (!u->tx_count)
		return -1;
	c = u->tx[u->tx_head];
	u->tx_head = (u->tx_head + 1) % UART_FIFO_SIZE;
	if (--u->tx_count == 0)
		tx_emptied(u);
	return c;
}

unsigned int uart_model_rx_space(const struct uart_model *u)
{
	if (loopback(u))
		return 0;
	return rx_capacity(u) - u->rx_count;
}

bool uart_model_rx_push(struct uart_model *u, uint8_t c)
{
	if (loopback(u))    /* the serial input is disconnected from the receiver */
		return false;
	return rx_deliver(u, c);
}

bool uart_model_irq_pending(const struct uart_model *u)
{
	if ((u->mcr & (UART_MCR_OUT2 | UART_MCR_LOOP)) != UART_MCR_OUT2)
		return false;
	return iir_id(u) != UART_IIR_NO_INT;
}

/* The data sheet raises the timeout whenever the FIFO holds a character; below
 * the trigger level it is the only way the guest hears about it. */
void uart_model_rx_timeout(struct uart_model *u)
{
	if (fifo_on(u) && u->rx_count)
		u->timeout_ipending = true;
}

uint64_t uart_model_char_ticks(const struct uart_model *u, uint64_t clock_khz)
{
	unsigned int data = 5 + (u->lcr & UART_LCR_WLS);
	/* In half bits: 1.5 stop bits exist (5-bit words with STB). */
	unsigned int stop2 = !(u->lcr & UART_LCR_STB) ? 2 : data == 5 ? 3 : 4;
	uint64_t half_bits = 2 * (1 + data + !!(u->lcr & UART_LCR_PEN)) + stop2;
	uint64_t divisor = (uint64_t)u->dlm << 8 | u->dll;

	if (!divisor)
		divisor = 65536;
	/* ticks = half_bits / 2 * 16 * divisor / CLOCK_HZ * clock_khz * 1000;
	 * at most 24 * 8 * 65536 * 1000 * clock_khz: no overflow below 1 THz. */
	return half_bits * 8 * divisor * 1000 * clock_khz / UART_CLOCK_HZ;
}

bool uart_model_check_timeout(struct uart_model *u, uint64_t now, uint64_t clock_khz)
{
	u->now = now;
	if (!u->timeout_ipending && fifo_on(u) && u->rx_count &&
	    now - u->rx_stamp >= UART_TIMEOUT_CHARS * uart_model_char_ticks(u, clock_khz))
		uart_model_rx_timeout(u);
	return u->timeout_ipending;
}
