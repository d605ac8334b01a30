/* guest/dev/uart_model.h - register model of a 16550A UART (PC16550D data sheet),
 * the guest's COM1: no hardware access, the glue in guest/dev/vuart.c feeds it
 * port accesses and console input and drains its output.
 *
 * Transmit: a THR write puts the byte in a 16-byte ring that stands for the
 * transmitter FIFO; LSR.THRE and LSR.TEMT read 1 only when the ring is empty,
 * and the THRE interrupt is raised when uart_model_tx_pop() empties it. So the
 * glue drains the ring (as far as the console takes bytes) after every guest
 * access and whenever the console has room, then looks at the interrupt line.
 * Interrupt line: level, as the chip drives it; on a PC it is an edge-triggered
 * ISA IRQ, so the glue injects on a false -> true change of
 * uart_model_irq_pending(), checked after every call that can change it. */
#ifndef GUEST_UART_MODEL_H
#define GUEST_UART_MODEL_H

#include "lib/compiler.h"

/* Register offsets from the base port; DLL/DLM when LCR.DLAB = 1. */
#define UART_RBR 0    /* receive buffer (read) */
#define UART_THR 0    /* transmit holding (write) */
#define UART_DLL 0    /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1    /* divisor latch high (DLAB=1) */
#define UART_IIR 2    /* interrupt identification (read) */
#define UART_FCR 2    /* FIFO control (write) */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_ERBFI   0x01   /* received data available (and character timeout) */
#define UART_IER_ETBEI   0x02   /* transmitter holding register empty */
#define UART_IER_ELSI    0x04   /* receiver line status */
#define UART_IER_EDSSI   0x08   /* modem status */
#define UART_IER_MASK    0x0f   /* bits 7:4 read as 0 on a 16550A */

#define UART_IIR_NO_INT  0x01   /* bit 0 = 0: an interrupt is pending */
#define UART_IIR_MSI     0x00   /* modem status: read MSR */
#define UART_IIR_THRI    0x02   /* THR empty: read IIR or write THR */
#define UART_IIR_RDI     0x04   /* received data at trigger level: read RBR */
#define UART_IIR_RLSI    0x06   /* receiver line status: read LSR */
#define UART_IIR_CTI     0x0c   /* character timeout: read RBR */
#define UART_IIR_ID_MASK 0x0f
#define UART_IIR_FIFO    0xc0   /* FIFOs enabled (FCR bit 0) */

#define UART_FCR_FIFOE   0x01   /* enable FIFOs; other bits are written only with it set */
#define UART_FCR_RFR     0x02   /* clear receiver FIFO (self-clearing) */
#define UART_FCR_XFR     0x04   /* clear transmitter FIFO (self-clearing) */
#define UART_FCR_DMA     0x08   /* DMA mode select (no effect here) */
#define UART_FCR_TRIG    0xc0   /* receiver trigger: 00 = 1, 01 = 4, 10 = 8, 11 = 14 bytes */

#define UART_LCR_WLS     0x03   /* word length: 5 + this many data bits */
#define UART_LCR_STB     0x04   /* 2 stop bits (1.5 with 5-bit words) */
#define UART_LCR_PEN     0x08   /* parity bit sent and checked */
#define UART_LCR_SBC     0x40   /* set break */
#define UART_LCR_DLAB    0x80   /* divisor latch access */

#define UART_MCR_DTR     0x01
#define UART_MCR_RTS     0x02
#define UART_MCR_OUT1    0x04
#define UART_MCR_OUT2    0x08   /* on PCs: gates the IRQ output */
#define UART_MCR_LOOP    0x10
#define UART_MCR_MASK    0x1f   /* bits 7:5 read as 0 */

#define UART_LSR_DR      0x01   /* data ready */
#define UART_LSR_OE      0x02   /* overrun error */
#define UART_LSR_PE      0x04   /* parity error */
#define UART_LSR_FE      0x08   /* framing error */
#define UART_LSR_BI      0x10   /* break interrupt */
#define UART_LSR_THRE    0x20   /* THR (transmitter FIFO) empty */
#define UART_LSR_TEMT    0x40   /* THR and shift register empty */
#define UART_LSR_FIFOERR 0x80   /* error in receiver FIFO (FIFO mode) */
#define UART_LSR_ERRORS  (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)

#define UART_MSR_DCTS    0x01   /* delta CTS */
#define UART_MSR_DDSR    0x02   /* delta DSR */
#define UART_MSR_TERI    0x04   /* trailing edge of RI */
#define UART_MSR_DDCD    0x08   /* delta DCD */
#define UART_MSR_DELTAS  0x0f
#define UART_MSR_CTS     0x10
#define UART_MSR_DSR     0x20
#define UART_MSR_RI      0x40
#define UART_MSR_DCD     0x80

#define UART_FIFO_SIZE   16
#define UART_CLOCK_HZ    1843200   /* the PC's crystal; the baud rate is CLOCK / (16 * divisor) */
#define UART_TIMEOUT_CHARS 4       /* character timeout: 4 character times idle (8.6.3) */
/* The modem inputs of the console "cable": carrier, DSR and CTS up, no ring. */
#define UART_MODEM_LINES (UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)

struct uart_model {
	uint8_t ier, lcr, mcr, scr;
	uint8_t fcr;                     /* FIFOE, DMA and TRIG bits as last programmed */
	uint8_t dll, dlm;                /* divisor latch */
	uint8_t lsr_err;                 /* OE/PE/FE/BI, cleared by reading LSR */
	uint8_t msr_delta;               /* MSR bits 3:0, cleared by reading MSR */
	uint8_t modem_in;                /* MSR bits 7:4 outside loopback: the console's lines */
	uint8_t rbr;                     /* last character read, returned again when empty */
	bool thr_ipending;               /* THRE interrupt latched (cleared by IIR read / THR write) */
	bool timeout_ipending;           /* character timeout latched (cleared by reading RBR) */
	uint8_t rx[UART_FIFO_SIZE];      /* receiver FIFO (1 entry usable without FIFOs) */
	unsigned int rx_head, rx_count;
	uint8_t tx[UART_FIFO_SIZE];      /* bytes sent by the guest, not yet taken by the console */
	unsigned int tx_head, tx_count;
	uint64_t tx_dropped;             /* THR writes with the ring full (lost, as on the chip) */
	uint64_t now;                    /* the time of the current call (uart_model_set_time) */
	uint64_t rx_stamp;               /* when a character last entered or left the receiver */
};

/* Puts the UART in its power-on state: IER 0, IIR 0x01, LCR 0, MCR 0, LSR 0x60,
 * FIFOs off and empty, MSR showing UART_MODEM_LINES, divisor 12 (9600 baud). */
void uart_model_reset(struct uart_model *u);

/* The programmable state another driver left in a real 16550 (FCR is
 * write-only: only whether the FIFOs are on). */
struct uart_model_seed {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	bool fifo;
};

/* After uart_model_reset: programs u as s says, the way the driver did
 * (divisor through DLAB, LCR, FCR with the FIFOs on and trigger level 1 or
 * off, MCR, IER, SCR); the modem inputs stay asserted. */
void uart_model_seed(struct uart_model *u, const struct uart_model_seed *s);

/* Returns the register at offset reg (0..7, others read 0xff), honouring
 * LCR.DLAB, with the read's side effects (RBR pops, LSR/MSR/IIR clear). */
uint8_t uart_model_read(struct uart_model *u, unsigned int reg);

/* uart_model_read(u, UART_LSR), inline (the register a polling driver
 * spins on): DR while the receiver holds a byte, THRE and TEMT while the
 * transmitter is empty (the shift register empties at once), the error
 * bits, which the read clears. */
static inline uint8_t uart_model_read_lsr(struct uart_model *u)
{
	uint8_t v = u->lsr_err;

	if (u->rx_count)
		v |= UART_LSR_DR;
	if (!u->tx_count)
		v |= UART_LSR_THRE | UART_LSR_TEMT;
	u->lsr_err = 0;
	return v;
}

/* True if the access (a read, or a write when write) leaves the glue
 * nothing to do after it: the UART is idle (nothing in the receiver, so no
 * character timeout can run, and nothing in the transmitter to hand on)
 * and stays so, and the access cannot raise the interrupt line. Any read
 * qualifies (reads only clear interrupt sources: LSR errors, MSR deltas,
 * THRE by IIR, the timeout by RBR, which an idle receiver has none of);
 * a write only to LCR, SCR, the divisor latch (DLAB set) or the read-only
 * LSR and MSR, which change no interrupt source, FIFO or line. Such a
 * write leaves the line as it was; a read may lower it. */
static inline bool uart_model_access_idle(const struct uart_model *u, unsigned int reg, bool write)
{
	/* Bits by register offset: LCR, LSR, MSR, SCR; with DLAB also DLL, DLM. */
	unsigned int plain = (u->lcr & UART_LCR_DLAB) ? 0xeb : 0xe8;

	if (u->rx_count | u->tx_count)
		return false;
	return !write || (reg < 8 && ((plain >> reg) & 1));
}

/* Writes the register at offset reg (0..7, others ignored), honouring LCR.DLAB. */
void uart_model_write(struct uart_model *u, unsigned int reg, uint8_t val);

/* Returns the oldest byte the guest transmitted and frees its slot, or -1 if
 * none; emptying the ring sets THRE and raises the THRE interrupt. */
int uart_model_tx_pop(struct uart_model *u);

/* Returns how many console bytes the receiver takes now without overrun
 * (0 in loopback, where the serial input is disconnected). */
unsigned int uart_model_rx_space(const struct uart_model *u);

/* Delivers a console byte to the receiver; returns false if it was lost: the
 * FIFO was full (LSR.OE is set, as the chip does) or loopback is on. */
bool uart_model_rx_push(struct uart_model *u, uint8_t c);

/* Returns the state of the IRQ line: an enabled interrupt is pending, MCR.OUT2
 * is set and loopback is off (loopback forces OUT2's pin inactive). */
bool uart_model_irq_pending(const struct uart_model *u);

/* Tells the UART that four character times passed with no character received
 * and no RBR read; in FIFO mode with data in the receiver this raises the
 * character-timeout indication (IIR 0xcc). */
void uart_model_rx_timeout(struct uart_model *u);

/* Sets the clock (any counter that only grows: the TSC in the hypervisor)
 * that receptions and RBR reads from now on are stamped with. */
static inline void uart_model_set_time(struct uart_model *u, uint64_t now)
{
	u->now = now;
}

/* Returns how many ticks of a clock_khz clock one character takes on the
 * line as programmed: start bit, 5-8 data bits, parity, 1/1.5/2 stop bits
 * at UART_CLOCK_HZ / (16 * divisor) (a divisor of 0 counts as 65536). */
uint64_t uart_model_char_ticks(const struct uart_model *u, uint64_t clock_khz);

/* The character-timeout rule of the data sheet (8.6.3), for the glue to call
 * with the current time whenever it can: the FIFO holds characters and none
 * was received or read for UART_TIMEOUT_CHARS character times. Raises the
 * timeout (uart_model_rx_timeout) then; returns true if it is pending. */
bool uart_model_check_timeout(struct uart_model *u, uint64_t now, uint64_t clock_khz);

#endif
