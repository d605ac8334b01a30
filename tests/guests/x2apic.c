/* tests/guests/x2apic.c - IA32_APIC_BASE mode changes (SDM Vol. 3A,
 * 10.12.5) and the x2APIC ICR filter (guest/policy/msr_policy.c): xAPIC -> x2APIC
 * works, x2APIC -> xAPIC and disabled -> x2APIC fault, a fixed self-IPI is
 * delivered, INIT and SIPI are dropped, reserved ICR bits fault. Runs after
 * every guest that uses the local APIC: Bochs ignores re-enabling an APIC
 * once disabled (test-platform.md), and this guest ends with it disabled
 * and enabled again. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

#define APIC_MMIO          0xfee00000ul
#define APIC_MMIO_VERSION  0x030
#define APIC_BASE_EXTD     (1u << 10)
#define APIC_BASE_ENABLE   (1u << 11)
#define X2APIC_TPR         0x808
#define X2APIC_VERSION     0x803
#define X2APIC_EOI         0x80b
#define X2APIC_SVR         0x80f
#define X2APIC_ICR         0x830
#define X2APIC_LVT_LINT0   0x835
#define ICR_SELF           (1u << 18)
#define ICR_ALL_BUT_SELF   (3u << 18)
#define ICR_INIT           (5u << 8)
#define ICR_SIPI           (6u << 8)
#define ICR_ASSERT         (1u << 14)
#define IPI_VECTOR         0x41
#define SPURIOUS_VECTOR    0xff

static volatile uint64_t msr_value;
static volatile unsigned ipis;

static void wrmsr_fn(long msr)
{
	asm volatile(TRAP_WANT_IP("1f") "1: wrmsr"
		     : : "c"((uint32_t)msr), "a"((uint32_t)msr_value), "d"((uint32_t)(msr_value >> 32))
		     : "memory");
}

static void ipi_handler(struct trap_frame *f)
{
	ipis++;
	wrmsr(X2APIC_EOI, 0);
}

static void spurious_handler(struct trap_frame *f) { }

/* A WRMSR to the ICR, then one instruction with interrupts open. */
static void send_ipi(long icr)
{
	wrmsr(X2APIC_ICR, (uint64_t)icr);
	asm volatile("sti; nop; cli" : : : "memory");
}

static void check_x2apic(uint64_t base)
{
	uint32_t version = *(volatile uint32_t *)(APIC_MMIO + APIC_MMIO_VERSION);

	msr_value = base | APIC_BASE_EXTD;
	expect_no_exception("WRMSR IA32_APIC_BASE xAPIC -> x2APIC works", wrmsr_fn, MSR_IA32_APIC_BASE);
	uint64_t now = rdmsr(MSR_IA32_APIC_BASE);
	check_eq("IA32_APIC_BASE now says x2APIC, same base", now, base | APIC_BASE_EXTD);
	check_eq("x2APIC version MSR (0x803) reads the xAPIC's version register",
		 rdmsr(X2APIC_VERSION), version);

	/* The 8259s and LINT0 stay quiet; only the IPI may interrupt. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	wrmsr(X2APIC_LVT_LINT0, 1u << 16);
	idt_set_handler(IPI_VECTOR, ipi_handler);
	idt_set_handler(SPURIOUS_VECTOR, spurious_handler);
	wrmsr(X2APIC_TPR, 0);
	wrmsr(X2APIC_SVR, 1u << 8 | SPURIOUS_VECTOR);
	send_ipi(ICR_SELF | IPI_VECTOR);
	check_eq("a fixed self-IPI through the x2APIC ICR is delivered once", ipis, 1);
	expect_no_exception("ICR INIT to all but self: dropped, no fault", send_ipi,
			    ICR_ALL_BUT_SELF | ICR_INIT | ICR_ASSERT);
	expect_no_exception("ICR SIPI to all but self: dropped, no fault", send_ipi,
			    ICR_ALL_BUT_SELF | ICR_SIPI | 0x9a);
	msr_value = 1u << 20 | IPI_VECTOR;
	expect_exception("ICR with reserved bit 20 -> #GP(0)", 13, 0, wrmsr_fn, X2APIC_ICR);
	check_eq("no other interrupt arrived", ipis, 1);

	msr_value = base;
	expect_exception("WRMSR IA32_APIC_BASE x2APIC -> xAPIC -> #GP(0)", 13, 0, wrmsr_fn,
			 MSR_IA32_APIC_BASE);
	check_eq("IA32_APIC_BASE still x2APIC", rdmsr(MSR_IA32_APIC_BASE), base | APIC_BASE_EXTD);
	msr_value = base & ~(uint64_t)APIC_BASE_ENABLE;
	expect_no_exception("WRMSR IA32_APIC_BASE x2APIC -> disabled works", wrmsr_fn, MSR_IA32_APIC_BASE);
	msr_value = base | APIC_BASE_EXTD;
	expect_exception("WRMSR IA32_APIC_BASE disabled -> x2APIC -> #GP(0)", 13, 0, wrmsr_fn,
			 MSR_IA32_APIC_BASE);
	msr_value = base;
	expect_no_exception("WRMSR IA32_APIC_BASE disabled -> xAPIC does not fault", wrmsr_fn,
			    MSR_IA32_APIC_BASE);
}

void main(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	checkf("IA32_APIC_BASE: xAPIC enabled", (base & APIC_BASE_ENABLE) && !(base & APIC_BASE_EXTD),
	       "got 0x%llx", (unsigned long long)base);
	if (cpuid(1, 0).ecx & 1u << 21) {
		check_x2apic(base);
	} else {
		msr_value = base | APIC_BASE_EXTD;
		expect_exception("no x2APIC in CPUID: WRMSR IA32_APIC_BASE EXTD -> #GP(0)", 13, 0, wrmsr_fn,
				 MSR_IA32_APIC_BASE);
	}
}
