/* tests/guests/kick.c - the request channel with a running AP vCPU (needs
 * hvtest, 2 CPUs): the AP's vCPU, waiting for SIPI, is started with a lone
 * SIPI through the x2APIC ICR (no INIT: Bochs 2.7 keeps a real INIT
 * pending) into a real-mode loop that counts in memory; then this CPU
 * registers and removes a test device (HC_TRAP_TEST), two stage-2 changes
 * that the hypervisor must invalidate on the AP, whose running vCPU answers
 * the kick NMI. The AP keeps counting afterwards. The hypervisor's report
 * ("cross-CPU requests: ... APIC ID 1: N kicks, N served, N stage-2
 * flushes") shows the AP's part. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

#define APIC_BASE_EXTD   (1u << 10)
#define X2APIC_ICR       0x830
#define ICR_SIPI         (6u << 8)
#define ICR_ASSERT       (1u << 14)
#define AP_APIC_ID       1ul
#define AP_CODE          0x8000ul      /* start-up vector 0x08 */
#define AP_COUNTER       0x9000ul
#define DEVICE_AT        0x92345000ul

/* cli; xor ax,ax; mov ds,ax; 1: inc word [0x9000]; jmp 1b */
static const uint8_t ap_code[] = { 0xfa, 0x31, 0xc0, 0x8e, 0xd8, 0xff, 0x06, 0x00, 0x90, 0xeb, 0xfa };

static volatile uint16_t *const counter = (volatile uint16_t *)AP_COUNTER;

/* True once the AP's counter moved within about `spins` reads. */
static bool ap_counts(unsigned long spins)
{
	uint16_t c0 = *counter;

	for (unsigned long i = 0; i < spins; i++) {
		if (*counter != c0)
			return true;
		asm volatile("pause");
	}
	return false;
}

void main(void)
{
	volatile uint8_t *code = (volatile uint8_t *)AP_CODE;

	for (unsigned i = 0; i < sizeof(ap_code); i++)
		code[i] = ap_code[i];
	*counter = 0;
	wrmsr(MSR_IA32_APIC_BASE, rdmsr(MSR_IA32_APIC_BASE) | APIC_BASE_EXTD);
	wrmsr(X2APIC_ICR, AP_APIC_ID << 32 | ICR_SIPI | ICR_ASSERT | (AP_CODE >> 12));
	if (!check("the AP's vCPU runs after a SIPI", ap_counts(50000000ul)))
		finish();
	check_eq("HC_TRAP_TEST registers a device (a stage-2 change)", hc(HC_TRAP_TEST, DEVICE_AT, 1, 0), 0);
	check_eq("HC_TRAP_TEST removes it (another)", hc(HC_TRAP_TEST, DEVICE_AT, 0, 0), 0);
	check("the AP's vCPU still runs", ap_counts(50000000ul));
#ifdef KICK_WAIT
	/* kickwait: the shell's pause and resume from here on (test_smp.sh). */
	report_done();
	print("[" GUEST_NAME "] waiting for the shell\n");
	for (;;)
		asm volatile("pause");
#endif
}
