/* tests/guests/sipi.c - an AP started by the guest inside VMX (run with 2
 * CPUs, tests/integration/test_smp.sh): the AP's vCPU waits in the
 * wait-for-SIPI activity state from the start, so a start-up IPI alone
 * (through the xAPIC ICR, which is the guest's) starts it in real mode at
 * vector << 12 (SDM Vol. 3A, 10.4.4; Vol. 3C, 25.2): its code there runs
 * CPUID (an exit on the AP), stores a mark with its CS and halts. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

#define APIC_BASE        0xfee00000ul
#define APIC_ICR_LO      0x300
#define APIC_ICR_HI      0x310
#define ICR_BUSY         (1u << 12)
#define ICR_STARTUP      (6u << 8)
#define ICR_ASSERT       (1u << 14)
#define AP_APIC_ID       1u
#define START_PAGE       0x7000ul           /* vector 7 */
#define MARK_OFF         0x100

/* 16-bit code: cpuid; mov ax, cs; mov cs:[0x100], ax; mov word cs:[0x102], 0x5a5a; 1: hlt; jmp 1b */
static const uint8_t ap_code[] = {
	0x0f, 0xa2,
	0x8c, 0xc8,
	0x2e, 0xa3, 0x00, 0x01,
	0x2e, 0xc7, 0x06, 0x02, 0x01, 0x5a, 0x5a,
	0xf4, 0xeb, 0xfd,
};

static void apic_write(unsigned reg, uint32_t v) { *(volatile uint32_t *)(APIC_BASE + reg) = v; }
static uint32_t apic_read(unsigned reg) { return *(volatile uint32_t *)(APIC_BASE + reg); }

void main(void)
{
	volatile uint16_t *mark = (volatile uint16_t *)(START_PAGE + MARK_OFF);
	uint64_t t0;

	memset((void *)START_PAGE, 0, 0x200);
	memcpy((void *)START_PAGE, ap_code, sizeof(ap_code));
	/* No INIT first: a CPU in wait-for-SIPI takes the start-up IPI as it is. */
	apic_write(APIC_ICR_HI, AP_APIC_ID << 24);
	apic_write(APIC_ICR_LO, ICR_STARTUP | ICR_ASSERT | (START_PAGE >> 12));
	for (t0 = rdtsc(); (apic_read(APIC_ICR_LO) & ICR_BUSY) && rdtsc() - t0 < 100000000ull;)
		asm volatile("pause");
	for (t0 = rdtsc(); mark[1] != 0x5a5a && rdtsc() - t0 < 2000000000ull;)
		asm volatile("pause" : : : "memory");
	check_eq("the AP ran its start-up code (mark)", mark[1], 0x5a5a);
	check_eq("the AP started at CS = vector << 8", mark[0], START_PAGE >> 4);
}
