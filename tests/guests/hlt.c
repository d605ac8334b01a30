/* tests/guests/hlt.c - HLT stays in the guest: the guest owns its local APIC
 * (xAPIC, SDM Vol. 3A, 11.4-11.5), arms the one-shot timer and halts; the
 * timer interrupt wakes it without any HLT exit. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

#define APIC_BASE        0xfee00000ul
#define APIC_VERSION     0x030
#define APIC_EOI         0x0b0
#define APIC_SVR         0x0f0
#define APIC_LVT_TIMER   0x320
#define APIC_LVT_LINT0   0x350
#define APIC_TIMER_INIT  0x380
#define APIC_TIMER_CUR   0x390
#define APIC_TIMER_DIV   0x3e0
#define APIC_BASE_ENABLE (1u << 11)
#define APIC_BASE_X2APIC (1u << 10)
#define SVR_ENABLE       (1u << 8)
#define LVT_MASKED       (1u << 16)
#define TIMER_VECTOR     0x40
#define SPURIOUS_VECTOR  0xff
#define ROUNDS           3

static volatile unsigned ticks;

static uint32_t apic_read(unsigned reg) { return *(volatile uint32_t *)(APIC_BASE + reg); }
static void apic_write(unsigned reg, uint32_t v) { *(volatile uint32_t *)(APIC_BASE + reg) = v; }

static void timer_handler(struct trap_frame *f)
{
	ticks++;
	apic_write(APIC_EOI, 0);
}

static void spurious_handler(struct trap_frame *f) { }   /* no EOI for spurious (11.9) */

void main(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	checkf("IA32_APIC_BASE: enabled xAPIC at 0xfee00000",
	       (base & 0xfffff000) == APIC_BASE && (base & APIC_BASE_ENABLE) && !(base & APIC_BASE_X2APIC),
	       "got 0x%llx", (unsigned long long)base);
	uint32_t version = apic_read(APIC_VERSION) & 0xff;
	checkf("APIC version register reads an integrated APIC (0x10-0x1f)", version >= 0x10 && version <= 0x1f,
	       "got 0x%x", version);

	/* The BIOS left the 8259s at vectors 8-15, wired through LINT0 (virtual
	 * wire): only the APIC timer may interrupt, so mask them twice. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	apic_write(APIC_LVT_LINT0, LVT_MASKED);
	idt_set_handler(TIMER_VECTOR, timer_handler);
	idt_set_handler(SPURIOUS_VECTOR, spurious_handler);
	apic_write(APIC_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
	apic_write(APIC_TIMER_DIV, 0xb);                 /* divide by 1 */
	apic_write(APIC_LVT_TIMER, TIMER_VECTOR);        /* one-shot, unmasked */

	unsigned woken = 0;
	for (unsigned i = 0; i < ROUNDS; i++) {
		unsigned before = ticks;

		apic_write(APIC_TIMER_INIT, 100000);
		sti_hlt();
		cli();
		woken += ticks != before;
	}
	checkf("the timer interrupt woke each of 3 HLTs", woken == ROUNDS && ticks == ROUNDS,
	       "woken %u times, %u interrupts", woken, ticks);
	check_eq("vector 0x40 was the last event", trap_last.frame.vector, TIMER_VECTOR);
	check_eq("the one-shot timer's current count is 0", apic_read(APIC_TIMER_CUR), 0);
	check_eq("GUEST_EXIT_HLT count is still 0", (uint64_t)exit_count(GUEST_EXIT_HLT), 0);

	apic_write(APIC_LVT_TIMER, LVT_MASKED | TIMER_VECTOR);
}
