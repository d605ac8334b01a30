/* tests/guests/isolation.c - a guest trying what a guest must not get, run
 * without the hvtest option (as users run the hypervisor): the test
 * hypercalls, the hypervisor's image (hidden memory; found at run time)
 * read, written and handed to a hypercall. Then it reports and halts with interrupts off, so
 * tests/integration/test_isolation.sh can open the debug shell and compare
 * the hypervisor's memory with its image. MSRs that would reach the
 * hypervisor: moving the local APIC onto its image, Intel PT and the DS
 * area (the CPU writes to physical memory), XD disable. Not in the
 * test_guests.sh plan. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

/* Where the hypervisor image is: GRUB loads it 2 MiB aligned as high as it
 * fits, under what it leaves at the top of RAM, so it is found at run time
 * (find_hv_image); the test checks that against the hypervisor's map. */
static uintptr_t hv_image;
#define HV_IMAGE hv_image

#define R64(a) (*(volatile uint64_t *)(a))

static void test_calls_absent(void)
{
	static const struct { long nr; const char *name; } calls[] = {
		{ HC_EXIT_COUNT, "HC_EXIT_COUNT" }, { HC_INJECT, "HC_INJECT" },
		{ HC_UNMAP_ONCE, "HC_UNMAP_ONCE" }, { HC_MEMMAP, "HC_MEMMAP" },
		{ HC_TRAP_TEST, "HC_TRAP_TEST" },
	};

	check_eq("HC_VERSION answers 0.1", hc(HC_VERSION, 0, 0, 0), (HC_VERSION_MAJOR << 16) | HC_VERSION_MINOR);
	for (unsigned int i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		check_eq(sfmt("%s without hvtest -> -HC_ENOSYS", calls[i].name),
			 (uint64_t)hc(calls[i].nr, calls[i].nr == HC_INJECT ? 13 : 0, 0, 0), (uint64_t)-HC_ENOSYS);
}

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

/* The highest 2 MiB boundary below the top of RAM (the CMOS's count) where
 * memory reads all ones and drops a write: the start of the hypervisor's
 * image (smaller than 2 MiB, it starts on such a boundary and is the
 * hypervisor's highest memory; RAM above it takes the write). */
static void find_hv_image(void)
{
	uint64_t top = (16ull << 20) + ((uint64_t)(cmos(0x34) | cmos(0x35) << 8) << 16);
	uintptr_t a;

	for (a = (uintptr_t)((top - 1) & ~0x1fffffull); a >= (16u << 20); a -= 2u << 20) {
		uint64_t old = R64(a);

		if (old != ~0ull)
			continue;
		R64(a) = 0x1234;
		if (R64(a) == ~0ull)
			break;
		R64(a) = old;
	}
	hv_image = a >= (16u << 20) ? a : 0x200000;
	checkf(sfmt("the hypervisor's image found at 0x%lx: the highest 2 MiB boundary that reads all ones and "
		    "drops writes", (unsigned long)hv_image), a >= (16u << 20), "none below 0x%llx",
	       (unsigned long long)top);
}

static void hidden_memory(void)
{
	check_eq("reading the hypervisor's image gives all ones", R64(HV_IMAGE), ~0ull);
	R64(HV_IMAGE) = 0x4141414141414141ull;
	R64(HV_IMAGE + 8) = 0x4242424242424242ull;
	asm volatile("rep stosb" : : "D"(HV_IMAGE + 16), "c"(16ul), "a"(0x43) : "memory");
	check_eq("... and still all ones after writing it", R64(HV_IMAGE), ~0ull);
	check_eq("... also after REP STOSB", R64(HV_IMAGE + 16), ~0ull);
	check_eq("HC_CONSOLE_WRITE of the hypervisor's image -> -HC_EFAULT",
		 (uint64_t)hc(HC_CONSOLE_WRITE, HV_IMAGE, 16, 0), (uint64_t)-HC_EFAULT);
}

static volatile uint64_t msr_val;

static void rdmsr_fn(long msr)
{
	uint32_t lo, hi;

	asm volatile(TRAP_WANT_IP("1f") "1: rdmsr" : "=a"(lo), "=d"(hi) : "c"((uint32_t)msr) : "memory");
	msr_val = (uint64_t)hi << 32 | lo;
}

static void wrmsr_fn(long msr)
{
	asm volatile(TRAP_WANT_IP("1f") "1: wrmsr"
		     : : "c"((uint32_t)msr), "a"((uint32_t)msr_val), "d"((uint32_t)(msr_val >> 32)) : "memory");
}

#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ull
#define MISC_ENABLE_XD_DISABLE (1ull << 34)

static void msrs(void)
{
	uint64_t apic = rdmsr(MSR_IA32_APIC_BASE), misc;

	msr_val = (apic & ~APIC_BASE_ADDR_MASK) | HV_IMAGE;
	expect_exception("WRMSR IA32_APIC_BASE moving the APIC onto the hypervisor's image -> #GP(0)", 13, 0,
			 wrmsr_fn, MSR_IA32_APIC_BASE);
	check_eq("... IA32_APIC_BASE unchanged", rdmsr(MSR_IA32_APIC_BASE), apic);
	expect_exception("RDMSR IA32_RTIT_CTL (Intel PT) -> #GP(0)", 13, 0, rdmsr_fn, 0x570);
	msr_val = HV_IMAGE;
	expect_exception("WRMSR IA32_DS_AREA = the hypervisor's image -> #GP(0)", 13, 0, wrmsr_fn, 0x600);
	if (expect_no_exception("RDMSR IA32_MISC_ENABLE", rdmsr_fn, MSR_IA32_MISC_ENABLE)) {
		misc = msr_val;
		msr_val = misc | MISC_ENABLE_XD_DISABLE;
		(void)trap_try(wrmsr_fn, MSR_IA32_MISC_ENABLE);
		check("WRMSR IA32_MISC_ENABLE setting XD disable does not take effect",
		      !(rdmsr(MSR_IA32_MISC_ENABLE) & MISC_ENABLE_XD_DISABLE));
	}
}

void main(void)
{
	test_calls_absent();
	find_hv_image();
	hidden_memory();
	msrs();
	report_done();
	print("[isolation] halting with interrupts off\n");
	cli();
	for (;;)
		asm volatile("hlt" : : : "memory");
}
