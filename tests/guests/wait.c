/* tests/guests/wait.c - a guest the hypervisor can only reach through its
 * own tick: it halts with interrupts off, then spins with interrupts off, and
 * only an NMI (the shell's `inject nmi`) moves it on each time. Driven by
 * tests/integration/test_shell.sh; not in the test_guests.sh plan. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

static volatile unsigned nmis;

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
	print("[wait] spinning with interrupts off\n");
	while (nmis < 2)
		spins++;
	checkf("a second NMI ended the loop", nmis == 2 && spins > 0, "%u NMIs, %lu spins", nmis, spins);
	finish();
}
