/* tests/guests/msr.c - MSRs as the guest sees them: IA32_FEATURE_CONTROL
 * locked with VMX off, the VMX capability MSRs absent, nonexistent MSRs
 * faulting, a pass-through MSR without exits, a writable TSC with
 * IA32_TSC_ADJUST following it (SDM Vol. 3B 17.17.3), the TSC-deadline
 * timer firing at the guest's moved TSC, and what
 * isolation refuses (guest/policy/msr_policy.c): moving the local APIC, Intel PT,
 * the DS area, PEBS, BTS, MSRs off the allow-list, and XD disable in
 * IA32_MISC_ENABLE; IA32_EFER's writes in 64-bit mode (emulated: reads
 * pass, writes exit; SDM Vol. 4 Table 2-2, Vol. 3A 9.8.5). The x2APIC
 * transitions are tests/guests/x2apic.c; entering and leaving IA-32e mode
 * is tests/guests/prot32.c. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

#define FEATURE_CONTROL_LOCK        (1u << 0)
#define FEATURE_CONTROL_VMX_SMX     (1u << 1)
#define FEATURE_CONTROL_VMX         (1u << 2)

static volatile uint64_t msr_value;     /* what the last rdmsr_fn read */

static void rdmsr_fn(long msr)
{
	uint32_t lo, hi;

	asm volatile(TRAP_WANT_IP("1f") "1: rdmsr" : "=a"(lo), "=d"(hi) : "c"((uint32_t)msr) : "memory");
	msr_value = (uint64_t)hi << 32 | lo;
}

static void wrmsr_fn(long msr)
{
	asm volatile(TRAP_WANT_IP("1f") "1: wrmsr"
		     : : "c"((uint32_t)msr), "a"((uint32_t)msr_value), "d"((uint32_t)(msr_value >> 32))
		     : "memory");
}

static void check_feature_control(void)
{
	if (!expect_no_exception("RDMSR IA32_FEATURE_CONTROL (0x3a) works", rdmsr_fn, MSR_IA32_FEATURE_CONTROL))
		msr_value = 0;
	uint64_t fc = msr_value;

	checkf("IA32_FEATURE_CONTROL lock bit is set", fc & FEATURE_CONTROL_LOCK, "got 0x%llx",
	       (unsigned long long)fc);
	checkf("IA32_FEATURE_CONTROL VMX enable bits (1, 2) are clear",
	       !(fc & (FEATURE_CONTROL_VMX_SMX | FEATURE_CONTROL_VMX)), "got 0x%llx", (unsigned long long)fc);
	msr_value = fc | FEATURE_CONTROL_VMX;
	expect_exception("WRMSR IA32_FEATURE_CONTROL (locked) -> #GP(0)", 13, 0, wrmsr_fn, MSR_IA32_FEATURE_CONTROL);
	check_eq("IA32_FEATURE_CONTROL unchanged after the WRMSR", rdmsr(MSR_IA32_FEATURE_CONTROL), fc);
}

static void check_vmx_msrs(void)
{
	for (uint32_t msr = MSR_IA32_VMX_BASIC; msr <= MSR_IA32_VMX_VMFUNC + 2; msr++)   /* to 0x493 */
		expect_exception(sfmt("RDMSR 0x%x (VMX capability) -> #GP(0)", msr), 13, 0, rdmsr_fn, msr);
	msr_value = 0;
	expect_exception("WRMSR 0x480 (IA32_VMX_BASIC) -> #GP(0)", 13, 0, wrmsr_fn, MSR_IA32_VMX_BASIC);
}

static void check_nonexistent(void)
{
	expect_exception("RDMSR 0x4b564d00 (no such MSR) -> #GP(0)", 13, 0, rdmsr_fn, 0x4b564d00);
	expect_exception("RDMSR 0x12345678 (no such MSR) -> #GP(0)", 13, 0, rdmsr_fn, 0x12345678);
	msr_value = 1;
	expect_exception("WRMSR 0x12345678 (no such MSR) -> #GP(0)", 13, 0, wrmsr_fn, 0x12345678);
}

/* SYSENTER_ESP lives in the VMCS guest state: a hypervisor has no reason to trap it. */
static void check_passthrough(void)
{
	const uint64_t v = 0x00007ffe12345670;
	uint64_t old = rdmsr(MSR_IA32_SYSENTER_ESP);
	long rd0 = exit_count(GUEST_EXIT_MSR_READ), wr0 = exit_count(GUEST_EXIT_MSR_WRITE);

	wrmsr(MSR_IA32_SYSENTER_ESP, v);
	uint64_t got = rdmsr(MSR_IA32_SYSENTER_ESP);
	long rd1 = exit_count(GUEST_EXIT_MSR_READ), wr1 = exit_count(GUEST_EXIT_MSR_WRITE);
	wrmsr(MSR_IA32_SYSENTER_ESP, old);

	check_eq("IA32_SYSENTER_ESP (0x175) round-trips", got, v);
	checkf("IA32_SYSENTER_ESP write and read cause no MSR exit", rd1 == rd0 && wr1 == wr0,
	       "MSR read exits +%ld, write exits +%ld", rd1 - rd0, wr1 - wr0);
}

static void check_tsc(void)
{
	const uint64_t v = 1ull << 40;

	wrmsr(MSR_IA32_TSC, v);
	uint64_t got = rdmsr(MSR_IA32_TSC), tsc = rdtsc();

	checkf("IA32_TSC (0x10) reads back about what was written", got >= v && got - v < 1ull << 32,
	       "wrote 0x%llx, read 0x%llx", (unsigned long long)v, (unsigned long long)got);
	checkf("RDTSC after it is not behind RDMSR IA32_TSC", tsc >= got && tsc - v < 1ull << 32,
	       "RDMSR 0x%llx, RDTSC 0x%llx", (unsigned long long)got, (unsigned long long)tsc);
}

#define MSR_IA32_TSC_ADJUST   0x3b
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define TSC_SLACK (1ull << 24)    /* TSC ticks the exits between two reads may cost */

/* 17.17.3: TSC_ADJUST reads back what was written and the TSC moves by the
 * difference; a write to IA32_TSC moves TSC_ADJUST by the same amount. */
static void check_tsc_adjust(void)
{
	const uint64_t d = 1ull << 36, e = 1ull << 37;

	checkf("CPUID.(7,0):EBX[1] reports IA32_TSC_ADJUST", cpuid(7, 0).ebx & 2u, "EBX 0x%x", cpuid(7, 0).ebx);
	uint64_t a0 = rdmsr(MSR_IA32_TSC_ADJUST), t0 = rdtsc();
	wrmsr(MSR_IA32_TSC_ADJUST, a0 + d);
	uint64_t t1 = rdtsc(), a1 = rdmsr(MSR_IA32_TSC_ADJUST);

	check_eq("IA32_TSC_ADJUST reads back what was written", a1, a0 + d);
	checkf("the TSC moved forward by the TSC_ADJUST difference (2^36)", t1 - t0 >= d && t1 - t0 - d < TSC_SLACK,
	       "moved by 0x%llx", (unsigned long long)(t1 - t0));
	uint64_t t2 = rdtsc();
	wrmsr(MSR_IA32_TSC, t2 + e);
	uint64_t a2 = rdmsr(MSR_IA32_TSC_ADJUST);
	checkf("a write to IA32_TSC (2^37 ahead) moves IA32_TSC_ADJUST by as much",
	       a2 - a1 <= e && e - (a2 - a1) < TSC_SLACK, "TSC_ADJUST moved by 0x%llx",
	       (unsigned long long)(a2 - a1));
	uint64_t t3 = rdtsc();
	wrmsr(MSR_IA32_TSC_ADJUST, a2 - d);
	uint64_t t4 = rdtsc();
	checkf("a smaller TSC_ADJUST moves the TSC back by the difference", t4 < t3 && d - (t3 - t4) < TSC_SLACK,
	       "before 0x%llx, after 0x%llx", (unsigned long long)t3, (unsigned long long)t4);
}

#define APIC_BASE          0xfee00000ul
#define APIC_EOI           0x0b0
#define APIC_SVR           0x0f0
#define APIC_LVT_TIMER     0x320
#define APIC_LVT_LINT0     0x350
#define LVT_MASKED         (1u << 16)
#define LVT_TSC_DEADLINE   (2u << 17)
#define SVR_ENABLE         (1u << 8)
#define DEADLINE_VECTOR    0x40
#define SPURIOUS_VECTOR    0xff

static volatile unsigned deadline_irqs;
static volatile uint64_t deadline_fired_at;

static uint32_t apic_read(unsigned reg) { return *(volatile uint32_t *)(APIC_BASE + reg); }
static void apic_write(unsigned reg, uint32_t v) { *(volatile uint32_t *)(APIC_BASE + reg) = v; }

static void deadline_handler(struct trap_frame *f)
{
	deadline_fired_at = rdtsc();
	deadline_irqs++;
	apic_write(APIC_EOI, 0);
}

static void spurious_handler(struct trap_frame *f) { }

/* The TSC-deadline timer (SDM Vol. 3A 10.5.4.1) compares with the guest's
 * TSC, which check_tsc and check_tsc_adjust moved 2^40 ahead of the host's. */
static void check_tsc_deadline(void)
{
	uint8_t pic1 = inb(0x21), pic2 = inb(0xa1);
	uint32_t svr = apic_read(APIC_SVR), lint0 = apic_read(APIC_LVT_LINT0);

	checkf("CPUID.1:ECX[24] reports TSC-deadline mode", cpuid(1, 0).ecx & (1u << 24), "ECX 0x%x",
	       cpuid(1, 0).ecx);
	/* Only the APIC timer may interrupt (the BIOS's 8259s sit at vectors 8-15). */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	apic_write(APIC_LVT_LINT0, lint0 | LVT_MASKED);
	idt_set_handler(DEADLINE_VECTOR, deadline_handler);
	idt_set_handler(SPURIOUS_VECTOR, spurious_handler);
	apic_write(APIC_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
	apic_write(APIC_LVT_TIMER, LVT_TSC_DEADLINE | DEADLINE_VECTOR);

	uint64_t deadline = rdtsc() + (1ull << 20);
	wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
	check_eq("IA32_TSC_DEADLINE reads back the guest's deadline", rdmsr(MSR_IA32_TSC_DEADLINE), deadline);
	asm volatile("sti" : : : "memory");
	while (!deadline_irqs && rdtsc() < deadline + TSC_SLACK)
		asm volatile("pause");
	cli();
	check_eq("the TSC-deadline timer fired once", deadline_irqs, 1);
	checkf("it fired at the guest's deadline (not before, within 2^24 TSC ticks after)",
	       deadline_irqs && deadline_fired_at >= deadline && deadline_fired_at - deadline < TSC_SLACK,
	       "deadline 0x%llx, fired at 0x%llx", (unsigned long long)deadline,
	       (unsigned long long)deadline_fired_at);
	check_eq("IA32_TSC_DEADLINE reads 0 once it fired", rdmsr(MSR_IA32_TSC_DEADLINE), 0);

	/* An armed deadline compares with the TSC itself: moving the TSC keeps
	 * it at the same guest value, and moving it past the deadline fires it. */
	uint64_t far = rdtsc() + (1ull << 32);
	deadline_irqs = 0;
	wrmsr(MSR_IA32_TSC_DEADLINE, far);
	wrmsr(MSR_IA32_TSC_ADJUST, rdmsr(MSR_IA32_TSC_ADJUST) + (1ull << 20));
	check_eq("an armed deadline reads the same after TSC_ADJUST moved the TSC",
		 rdmsr(MSR_IA32_TSC_DEADLINE), far);
	wrmsr(MSR_IA32_TSC, far + 1000);
	uint64_t moved = rdtsc();
	asm volatile("sti" : : : "memory");
	while (!deadline_irqs && rdtsc() - moved < TSC_SLACK)
		asm volatile("pause");
	cli();
	checkf("moving the TSC past an armed deadline fires it at once", deadline_irqs == 1 &&
	       deadline_fired_at - moved < TSC_SLACK, "%u interrupts, 0x%llx ticks after the move",
	       deadline_irqs, (unsigned long long)(deadline_fired_at - moved));

	wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	apic_write(APIC_LVT_TIMER, LVT_MASKED | DEADLINE_VECTOR);
	apic_write(APIC_SVR, svr);
	apic_write(APIC_LVT_LINT0, lint0);
	outb(0x21, pic1);
	outb(0xa1, pic2);
}

#define APIC_BASE_BSP     (1u << 8)
#define APIC_BASE_ENABLE  (1u << 11)
#define MISC_ENABLE_BTS_UNAVAIL  (1u << 11)
#define MISC_ENABLE_PEBS_UNAVAIL (1u << 12)
#define MISC_ENABLE_XD_DISABLE   (1ull << 34)
#define DEBUGCTL_BTS             (0x3u << 6)         /* TR, BTS */

/* The local APIC page must not move (onto hidden memory or anywhere else). */
static void check_apic_base(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	msr_value = (base & 0xfff) | 0x7e000000;
	expect_exception("WRMSR IA32_APIC_BASE with a new base -> #GP(0)", 13, 0, wrmsr_fn,
			 MSR_IA32_APIC_BASE);
	msr_value = base | 1u << 9;
	expect_exception("WRMSR IA32_APIC_BASE with reserved bit 9 -> #GP(0)", 13, 0, wrmsr_fn,
			 MSR_IA32_APIC_BASE);
	check_eq("IA32_APIC_BASE unchanged after them", rdmsr(MSR_IA32_APIC_BASE), base);
	msr_value = base;
	expect_no_exception("WRMSR IA32_APIC_BASE with its own value works", wrmsr_fn, MSR_IA32_APIC_BASE);
}

/* Refused MSRs: tracing and the debug store write to physical memory;
 * IA32_BNDCFGS (Bochs has it) is off the allow-list like every MSR not on it. */
static void check_refused(void)
{
	static const struct { uint32_t msr; const char *name; } refused[] = {
		{ 0x570, "IA32_RTIT_CTL" }, { 0x560, "IA32_RTIT_OUTPUT_BASE" },
		{ 0x600, "IA32_DS_AREA" }, { 0x3f1, "IA32_PEBS_ENABLE" },
		{ 0x345, "IA32_PERF_CAPABILITIES" }, { 0xd90, "IA32_BNDCFGS" },
	};

	for (unsigned i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		expect_exception(sfmt("RDMSR 0x%x (%s) -> #GP(0)", refused[i].msr, refused[i].name), 13, 0,
				 rdmsr_fn, refused[i].msr);
		msr_value = 0;
		expect_exception(sfmt("WRMSR 0x%x (%s) -> #GP(0)", refused[i].msr, refused[i].name), 13, 0,
				 wrmsr_fn, refused[i].msr);
	}
	uint64_t dbg = rdmsr(MSR_IA32_DEBUGCTL);
	msr_value = dbg | DEBUGCTL_BTS;
	expect_exception("WRMSR IA32_DEBUGCTL with TR|BTS -> #GP(0)", 13, 0, wrmsr_fn, MSR_IA32_DEBUGCTL);
	check_eq("IA32_DEBUGCTL unchanged", rdmsr(MSR_IA32_DEBUGCTL), dbg);
}

/* IA32_MISC_ENABLE is a shadow: XD disable would make the hypervisor's NX
 * bits reserved; BTS and PEBS are reported unavailable. */
static void check_misc_enable(void)
{
	uint64_t misc = rdmsr(MSR_IA32_MISC_ENABLE);

	checkf("IA32_MISC_ENABLE reports BTS and PEBS unavailable (bits 11, 12)",
	       (misc & (MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL)) ==
	       (MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL), "got 0x%llx", (unsigned long long)misc);
	msr_value = misc | MISC_ENABLE_XD_DISABLE;
	expect_no_exception("WRMSR IA32_MISC_ENABLE with XD disable (bit 34) does not fault", wrmsr_fn,
			    MSR_IA32_MISC_ENABLE);
	uint64_t after = rdmsr(MSR_IA32_MISC_ENABLE);
	checkf("IA32_MISC_ENABLE reads XD disable clear after it", !(after & MISC_ENABLE_XD_DISABLE),
	       "got 0x%llx", (unsigned long long)after);
	checkf("CPUID.80000001H:EDX[20] (NX) still set after it", cpuid(0x80000001, 0).edx & 1u << 20,
	       "EDX 0x%x", cpuid(0x80000001, 0).edx);
}

/* IA32_EFER in IA-32e mode: reads without exits, writes trapped and
 * emulated (guest/policy/efer.c): NXE (or SCE) changes, LMA is read-only,
 * LME cannot change with paging on, reserved bits fault. */
static void check_efer(void)
{
	uint64_t efer = rdmsr(MSR_EFER), bit = cpuid(0x80000001, 0).edx & CPUID81_EDX_NX ? EFER_NXE : 1;
	long rd0 = exit_count(GUEST_EXIT_MSR_READ), wr0 = exit_count(GUEST_EXIT_MSR_WRITE);

	wrmsr(MSR_EFER, efer ^ bit);
	uint64_t got = rdmsr(MSR_EFER);
	long rd1 = exit_count(GUEST_EXIT_MSR_READ), wr1 = exit_count(GUEST_EXIT_MSR_WRITE);
	wrmsr(MSR_EFER, efer);

	check_eq(sfmt("WRMSR IA32_EFER toggling bit 0x%llx: reads back", (unsigned long long)bit), got, efer ^ bit);
	checkf("IA32_EFER: the write exits, the read does not", rd1 == rd0 && wr1 == wr0 + 1,
	       "MSR read exits +%ld, write exits +%ld", rd1 - rd0, wr1 - wr0);
	check_eq("IA32_EFER back as it was", rdmsr(MSR_EFER), efer);
	checkf("IA32_EFER in 64-bit mode: LME and LMA set", (efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA),
	       "EFER 0x%llx", (unsigned long long)efer);
	wrmsr(MSR_EFER, efer & ~(uint64_t)EFER_LMA);
	check_eq("WRMSR IA32_EFER with LMA clear: ignored (read-only), LMA still 1", rdmsr(MSR_EFER), efer);
	msr_value = efer & ~(uint64_t)EFER_LME;
	expect_exception("WRMSR IA32_EFER clearing LME with paging on -> #GP(0)", 13, 0, wrmsr_fn, MSR_EFER);
	msr_value = efer | 1u << 1;
	expect_exception("WRMSR IA32_EFER setting reserved bit 1 -> #GP(0)", 13, 0, wrmsr_fn, MSR_EFER);
	msr_value = efer | 1ull << 12;
	expect_exception("WRMSR IA32_EFER setting bit 12 (AMD's SVME) -> #GP(0)", 13, 0, wrmsr_fn, MSR_EFER);
	check_eq("IA32_EFER unchanged after the refused writes", rdmsr(MSR_EFER), efer);
}

void main(void)
{
	check_feature_control();
	check_vmx_msrs();
	check_nonexistent();
	check_passthrough();
	check_efer();
	check_tsc();
	check_tsc_adjust();
	check_tsc_deadline();
	check_apic_base();
	check_refused();
	check_misc_enable();
}
