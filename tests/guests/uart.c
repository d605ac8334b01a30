/* tests/guests/uart.c - the guest's COM1 is a 16550A: the probes Linux's
 * 8250 autoconfig makes, loopback, FIFO detection, and interrupt-driven
 * transmit, with IRQ 4 routed both ways a PC has: first the guest programs
 * its own 8259 (vectors 0x20-0x2f, only IRQ 4 open) and sends a line one byte
 * per THRE interrupt (the hypervisor injects the 8259's vector); then it masks
 * the 8259 and routes I/O APIC pin 4 (ISA IRQ 4 in Bochs' MADT) to vector
 * 0x34 and sends another (the hypervisor sends the local APIC an IPI); an
 * entry with delivery mode NMI must deliver nothing. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

#define COM1      0x3f8
#define APIC_BASE 0xfee00000ul
#define IRQ4_VEC  0x24
#define IOAPIC    0xfec00000ul
#define APIC_VEC  0x34

static const char line1[] = "[uart] ok: interrupt-driven transmit of this line\n";
static const char line2[] = "[uart] ok: the same through the I/O APIC and the local APIC\n";
static const char *volatile line = line1;
static volatile unsigned len = sizeof(line1) - 1, sent, irqs, spurious;

static uint8_t rd(unsigned r) { return inb(COM1 + r); }
static void wr(unsigned r, uint8_t v) { outb(COM1 + r, v); }

static void thre(void)
{
	uint8_t iir = rd(2);

	irqs++;
	if ((iir & 0x0f) == 0x02) {            /* THRE */
		if (sent < len)
			wr(0, (uint8_t)line[sent++]);
		else
			wr(1, 0);                      /* all sent: transmit interrupt off */
	} else if (iir & 1) {
		spurious++;
	}
}

static void irq4(struct trap_frame *f)
{
	thre();
	outb(0x20, 0x20);                      /* EOI to the master 8259 */
}

static void irq4_apic(struct trap_frame *f)
{
	thre();
	*(volatile uint32_t *)(APIC_BASE + 0xb0) = 0;   /* EOI to the local APIC */
}

static void ioapic_rte(unsigned pin, uint32_t lo, uint32_t hi)
{
	volatile uint32_t *sel = (volatile uint32_t *)IOAPIC, *win = (volatile uint32_t *)(IOAPIC + 0x10);

	*sel = 0x10 + 2 * pin;
	*win = 0x10000;                        /* masked while it changes */
	*sel = 0x11 + 2 * pin;
	*win = hi;
	*sel = 0x10 + 2 * pin;
	*win = lo;
}

/* Sends the current line one byte per THRE interrupt; waits until done. */
static void send_by_interrupts(const char *how)
{
	sent = irqs = spurious = 0;
	asm volatile("sti");
	wr(1, 0x02);                           /* ETBEI */
	for (unsigned long spin = 0; sent < len && spin < 200000000ul; spin++)
		asm volatile("pause");
	for (unsigned long spin = 0; rd(1) && spin < 1000000ul; spin++)
		asm volatile("pause");
	asm volatile("cli");
	check_counted(sent == len);            /* the line itself is that check */
	checkf(sfmt("%s: one THRE interrupt per byte, and one more when done", how), irqs == len + 1,
	       "%u interrupts for %u bytes", irqs, len);
}

static void pic_init(void)
{
	outb(0x20, 0x11); outb(0xa0, 0x11);    /* ICW1: edge, cascade, ICW4 */
	outb(0x21, 0x20); outb(0xa1, 0x28);    /* ICW2: vector bases */
	outb(0x21, 0x04); outb(0xa1, 0x02);    /* ICW3: slave on IRQ 2 */
	outb(0x21, 0x01); outb(0xa1, 0x01);    /* ICW4: 8086 mode */
	outb(0x21, 0xef); outb(0xa1, 0xff);    /* only IRQ 4 */
	/* The 8259 reaches the CPU through LINT0 in virtual-wire mode (ExtINT);
	 * an earlier guest may have masked it in the (shared) local APIC. */
	*(volatile uint32_t *)(APIC_BASE + 0xf0) = 0x1ff;
	*(volatile uint32_t *)(APIC_BASE + 0x350) = 0x700;
}

void main(void)
{
	/* Linux autoconfig: scratch, IER probe, loopback, FIFO detection. */
	wr(7, 0xa5);
	check_eq("scratch register holds 0xa5", rd(7), 0xa5);
	wr(7, 0x5a);
	check_eq("scratch register holds 0x5a", rd(7), 0x5a);
	wr(1, 0);
	check_eq("IER reads back 0", rd(1) & 0x0f, 0);
	wr(1, 0x0f);
	check_eq("IER keeps only bits 3:0", rd(1), 0x0f);
	wr(1, 0);
	wr(4, 0x10 | 0x0a);                    /* loopback, OUT2, RTS */
	check_eq("loopback: MSR mirrors MCR (CTS, DCD from RTS, OUT2)", rd(6) & 0xf0, 0x90);
	wr(0, 'x');
	checkf("loopback: the byte comes back", (rd(5) & 1) && rd(0) == 'x', "LSR 0x%x", rd(5));
	wr(4, 0x03);
	wr(2, 0xc7);                           /* FIFOs on, cleared, trigger 14 */
	check_eq("FIFO detection: IIR bits 7:6 are 11 (16550A)", rd(2) & 0xc0, 0xc0);
	wr(3, 0x83);                           /* DLAB: divisor 1 = 115200 baud */
	wr(0, 0x01); wr(1, 0x00);
	check_eq("divisor latch reads back", rd(0) | rd(1) << 8, 1);
	wr(3, 0x03);
	check_eq("LSR: transmitter empty", rd(5) & 0x60, 0x60);

	/* Interrupt-driven transmit through the 8259: THRE fires when enabled,
	 * then after each byte. */
	pic_init();
	idt_set_handler(IRQ4_VEC, irq4);
	wr(4, 0x0b);                           /* DTR, RTS, OUT2: the IRQ line is driven */
	send_by_interrupts("8259");
	check_eq("no interrupt without a cause", spurious, 0);
	outb(0x21, 0xff);

	/* The same through I/O APIC pin 4, to this CPU's local APIC ID. */
	idt_set_handler(APIC_VEC, irq4_apic);
	line = line2;
	len = sizeof(line2) - 1;
	ioapic_rte(4, APIC_VEC, *(volatile uint32_t *)(APIC_BASE + 0x20) & 0xff000000u);
	send_by_interrupts("I/O APIC");

	/* An entry asking for an NMI (vector 0x34 beside it) is not obeyed. */
	irqs = 0;
	ioapic_rte(4, 0x400 | APIC_VEC, 0);
	asm volatile("sti");
	wr(1, 0x02);
	for (unsigned long spin = 0; spin < 2000000ul; spin++)
		asm volatile("pause");
	asm volatile("cli");
	wr(1, 0);
	check_eq("an I/O APIC entry with delivery mode NMI delivers nothing", irqs, 0);
	ioapic_rte(4, 0x10000, 0);
	finish();
}
