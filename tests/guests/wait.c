/* tests/guests/wait.c - a guest the hypervisor can only reach through its
 * own tick: it halts with interrupts off, then spins with interrupts off, and
 * only an NMI (the shell's `inject nmi`) moves it on each time. In between
 * it writes 20000 bytes to its COM1 console, more than the hypervisor holds
 * while its shell has the line. Driven by tests/integration/test_shell.sh;
 * not in the test_guests.sh plan. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

#define COM1        0x3f8
#define COM1_LSR    (COM1 + 5)
#define LSR_THRE    0x20
#define LINES       400           /* of 50 bytes each */

static volatile unsigned nmis;

static void com1_puts(const char *s)
{
	while (*s) {
		while (!(inb(COM1_LSR) & LSR_THRE))
			;
		outb(COM1, (uint8_t)*s++);
	}
}

static void nmi_handler(struct trap_frame *f)
{
	nmis++;
}

void main(void)
{
	unsigned long spins = 0;

	idt_set_handler(2, nmi_handler);
	cli();
	print("[wait] halting with interrupts off\n");
	/* An NMI ends HLT whatever IF says; interrupts cannot. */
	while (!nmis)
		asm volatile("hlt" : : : "memory");
	check_eq("an NMI woke HLT with interrupts off", nmis, 1);
	unsigned int bytes = 0;

	for (unsigned int i = 0; i < LINES; i++) {
		char line[64];

		bytes += fmt(line, sizeof(line), "wait: console line %03u of %u, 50 bytes each....\r\n", i, LINES);
		com1_puts(line);
	}
	printf_("[wait] wrote %u bytes to COM1\n", bytes);
	print("[wait] spinning with interrupts off\n");
	while (nmis < 2)
		spins++;
	checkf("a second NMI ended the loop", nmis == 2 && spins > 0, "%u NMIs, %lu spins", nmis, spins);
	finish();
}
