/* tests/guests/io.c - port I/O: the hypervisor's minimal UART on COM1
 * (0x3f8-0x3ff: THR to the console, LSR 0x60, a scratch register), one I/O
 * exit per instruction there, string forms included, and no exit for the
 * ports it passes through. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

#define COM1      0x3f8
#define COM1_LSR  (COM1 + 5)
#define COM1_SCR  (COM1 + 7)
#define LSR_IDLE  0x60              /* THRE | TEMT: always ready */

/* The THR byte of the wide writes: a CR, which the test harness drops from
 * the console, so they leave no visible trace. */
#define INVISIBLE 0x0d

static long io_exits(void) { return exit_count(GUEST_EXIT_IO); }

/* Writes S with one OUT per byte; returns the I/O exits that caused. */
static long out_string(const char *s)
{
	long before = io_exits();

	for (; *s; s++)
		outb(COM1, (uint8_t)*s);
	return io_exits() - before;
}

static void check_uart(void)
{
	static const char line[] = "[io] (this line is written with one OUT to 0x3f8 per byte)\n";

	check_eq("one OUT to 0x3f8 per byte of a line is one I/O exit per byte",
		 (uint64_t)out_string(line), sizeof(line) - 1);

	long before = io_exits();
	uint8_t lsr = inb(COM1_LSR);
	long n = io_exits() - before;
	checkf("IN from 0x3fd (LSR) reads 0x60 (THRE, TEMT)", lsr == LSR_IDLE && (lsr & 0x20),
	       "got 0x%x expected 0x60", lsr);
	check_eq("that IN is one I/O exit", (uint64_t)n, 1);

	outb(COM1_SCR, 0x5a);
	uint8_t a = inb(COM1_SCR);
	outb(COM1_SCR, 0xa5);
	uint8_t b = inb(COM1_SCR);
	checkf("the scratch register (0x3ff) reads back 0x5a and 0xa5", a == 0x5a && b == 0xa5,
	       "read 0x%x and 0x%x", a, b);
}

static void check_passthrough(void)
{
	long before = io_exits();
	outb(0x80, 0x42);
	check_eq("OUT to 0x80 (POST) causes no I/O exit", (uint64_t)(io_exits() - before), 0);

	before = io_exits();
	(void)inb(0x61);
	check_eq("IN from 0x61 (system control) causes no I/O exit", (uint64_t)(io_exits() - before), 0);

	before = io_exits();
	outb(0x70, 0x0d);                   /* CMOS status register D; NMIs stay enabled */
	uint8_t d = inb(0x71);
	check_eq("CMOS index 0x70 and data 0x71 cause no I/O exit", (uint64_t)(io_exits() - before), 0);
	checkf("CMOS status register D reads valid RAM (bit 7)", d & 0x80, "got 0x%x", d);
}

static void check_string_io(void)
{
	static const char line[] = "[io] ok: rep outsb to the console\n";
	const char *si = line;
	unsigned long cx = sizeof(line) - 1;
	long before = io_exits();

	/* Its own line is its check: the test script counts it. */
	asm volatile("rep outsb" : "+S"(si), "+c"(cx) : "d"(COM1) : "memory");
	long n = io_exits() - before;
	check_counted(true);
	check_eq(sfmt("rep outsb of %zu bytes is one I/O exit", sizeof(line) - 1), (uint64_t)n, 1);
	checkf("rep outsb leaves RSI past the string and RCX 0", si == line + sizeof(line) - 1 && cx == 0,
	       "RSI advanced %ld, RCX %lu", (long)(si - line), cx);

	static const char cr = INVISIBLE;
	si = &cr;
	before = io_exits();
	asm volatile("outsb" : "+S"(si) : "d"(COM1) : "memory");
	n = io_exits() - before;
	checkf("outsb (no REP) is one I/O exit and advances RSI by 1", n == 1 && si == &cr + 1,
	       "I/O exits +%ld, RSI advanced %ld", n, (long)(si - &cr));

	uint8_t buf[8] = { 0 };
	uint8_t *di = buf;
	cx = sizeof(buf);
	before = io_exits();
	asm volatile("rep insb" : "+D"(di), "+c"(cx) : "d"(COM1_LSR) : "memory");
	n = io_exits() - before;
	bool all = true;
	for (size_t i = 0; i < sizeof(buf); i++)
		all = all && buf[i] == LSR_IDLE;
	checkf("rep insb of 8 bytes from 0x3fd stores 0x60 each, RDI advanced, RCX 0",
	       all && di == buf + sizeof(buf) && cx == 0,
	       "bytes %02x %02x .. %02x, RDI advanced %ld, RCX %lu", buf[0], buf[1], buf[7],
	       (long)(di - buf), cx);
	check_eq("that rep insb is one I/O exit", (uint64_t)n, 1);
}

/* 16- and 32-bit writes span THR, IER, FCR, LCR, MCR: standard values
 * (IER 0, FIFOs on, 8N1 with DLAB clear, DTR|RTS|OUT2) in case any reach the
 * real UART. */
static void check_wide_out(void)
{
	long before = io_exits();
	outw(COM1, 0x0000 | INVISIBLE);
	check_eq("16-bit OUT to 0x3f8 returns, one I/O exit", (uint64_t)(io_exits() - before), 1);

	before = io_exits();
	outw(COM1 + 1, 0xc700);
	check_eq("16-bit OUT to 0x3f9 returns, one I/O exit", (uint64_t)(io_exits() - before), 1);

	before = io_exits();
	outl(COM1, 0x03c70000 | INVISIBLE);
	check_eq("32-bit OUT to 0x3f8 returns, one I/O exit", (uint64_t)(io_exits() - before), 1);

	before = io_exits();
	outl(COM1 + 1, 0x0b03c700);
	check_eq("32-bit OUT to 0x3f9 returns, one I/O exit", (uint64_t)(io_exits() - before), 1);

	/* Its own line is its check, like rep outsb's. */
	out_string("[io] ok: the UART still prints after the wide writes\n");
	check_counted(true);
}

void main(void)
{
	check_uart();
	check_passthrough();
	check_string_io();
	check_wide_out();
}
