/* tests/guests/cr.c - control registers and XCR0 as the guest sees them:
 * CR4.VMXE hidden and refused, guest-owned bits writable, reserved and
 * inconsistent values faulting as on hardware (SDM Vol. 3A, 2.5-2.6), INVD
 * and WBINVD. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

#define XCR0_X87  (1ull << 0)
#define XCR0_SSE  (1ull << 1)
#define XCR0_AVX  (1ull << 2)

static volatile uint64_t xcr_value;      /* what xsetbv_fn writes */

static void write_cr0_fn(long v)
{
	asm volatile(TRAP_WANT_IP("1f") "1: mov %0, %%cr0" : : "r"((unsigned long)v) : "memory");
}

static void write_cr4_fn(long v)
{
	asm volatile(TRAP_WANT_IP("1f") "1: mov %0, %%cr4" : : "r"((unsigned long)v) : "memory");
}

static void xgetbv_fn(long xcr)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"((uint32_t)xcr));
	xcr_value = (uint64_t)hi << 32 | lo;
}

static void xsetbv_fn(long xcr)
{
	asm volatile(TRAP_WANT_IP("1f") "1: xsetbv"
		     : : "c"((uint32_t)xcr), "a"((uint32_t)xcr_value), "d"((uint32_t)(xcr_value >> 32))
		     : "memory");
}

static void check_cr4(void)
{
	unsigned long cr4 = read_cr4();

	checkf("CR4.VMXE (bit 13) reads clear", !(cr4 & CR4_VMXE), "CR4 0x%lx", cr4);
	expect_exception("setting CR4.VMXE -> #GP(0)", 13, 0, write_cr4_fn, (long)(cr4 | CR4_VMXE));
	check_eq("CR4 unchanged after that", read_cr4(), cr4);

	write_cr4(cr4 ^ CR4_PGE);
	unsigned long flipped = read_cr4();
	write_cr4(cr4);
	unsigned long back = read_cr4();
	checkf("CR4.PGE toggles and reads back", flipped == (cr4 ^ CR4_PGE) && back == cr4,
	       "wrote 0x%lx then 0x%lx, read 0x%lx then 0x%lx", cr4 ^ CR4_PGE, cr4, flipped, back);

	expect_exception("setting reserved CR4 bit 31 -> #GP(0)", 13, 0, write_cr4_fn, (long)(cr4 | 1ul << 31));

	bool xsave = cpuid(1, 0).ecx & 1u << 26;
	check("CPUID.1:ECX[26] (XSAVE) is set", xsave);
	long v = trap_try(write_cr4_fn, (long)(read_cr4() | CR4_OSXSAVE));
	checkf("setting CR4.OSXSAVE works and reads back", v == TRAP_NONE && (read_cr4() & CR4_OSXSAVE),
	       "%s, CR4 0x%lx", trap_describe(v), read_cr4());
	uint32_t ecx = cpuid(1, 0).ecx;
	checkf("CPUID.1:ECX[27] (OSXSAVE) follows CR4.OSXSAVE", !!(ecx & 1u << 27) == !!(read_cr4() & CR4_OSXSAVE),
	       "ECX 0x%x, CR4 0x%lx", ecx, read_cr4());
}

static void check_cr0(void)
{
	unsigned long cr0 = read_cr0();

	write_cr0(cr0 | CR0_TS);
	unsigned long ts = read_cr0();
	checkf("MOV to CR0 sets CR0.TS", ts & CR0_TS, "CR0 0x%lx", ts);
	asm volatile("clts" : : : "memory");
	ts = read_cr0();
	checkf("CLTS clears CR0.TS", !(ts & CR0_TS), "CR0 0x%lx", ts);

	cr0 = read_cr0();
	write_cr0(cr0 & ~CR0_WP);
	unsigned long wp = read_cr0();
	check_eq("CR0.WP cleared reads back", wp, cr0 & ~CR0_WP);
	write_cr0(cr0 | CR0_WP);
	wp = read_cr0();
	check_eq("CR0.WP set reads back", wp, cr0 | CR0_WP);

	cr0 = read_cr0();
	expect_exception("CR0 with PG=1, PE=0 -> #GP(0)", 13, 0, write_cr0_fn, (long)(cr0 & ~CR0_PE));
	check_eq("CR0 unchanged after that", read_cr0(), cr0);
	/* CR0.PG exits (the hypervisor keeps IA32_EFER.LMA): 64-bit code cannot leave IA-32e mode. */
	uint64_t efer = rdmsr(MSR_EFER);
	expect_exception("CR0.PG cleared in 64-bit mode -> #GP(0)", 13, 0, write_cr0_fn, (long)(cr0 & ~CR0_PG));
	checkf("CR0 and IA32_EFER unchanged after that", read_cr0() == cr0 && rdmsr(MSR_EFER) == efer,
	       "CR0 0x%lx, EFER 0x%llx", read_cr0(), (unsigned long long)rdmsr(MSR_EFER));
}

/* A state component this CPU does not have (SDM Vol. 1, 13.3): the highest below bit 63. */
static unsigned unsupported_xcr0_bit(void)
{
	struct cpuid_regs r = cpuid(0xd, 0);
	uint64_t supported = (uint64_t)r.edx << 32 | r.eax;
	unsigned bit = 62;

	while (bit > 2 && (supported & 1ull << bit))
		bit--;
	return bit;
}

static void expect_xsetbv_gp(const char *desc, uint32_t xcr, uint64_t value)
{
	xcr_value = value;
	expect_exception(desc, 13, 0, xsetbv_fn, xcr);
}

static void check_xcr0(void)
{
	xcr_value = XCR0_X87 | XCR0_SSE;
	expect_no_exception("XSETBV XCR0=3 (x87, SSE) works", xsetbv_fn, 0);
	long v = trap_try(xgetbv_fn, 0);
	checkf("XGETBV returns 3", v == TRAP_NONE && xcr_value == 3, "%s, XCR0 0x%llx",
	       trap_describe(v), (unsigned long long)xcr_value);

	expect_xsetbv_gp("XSETBV XCR0=0 -> #GP(0)", 0, 0);
	expect_xsetbv_gp("XSETBV XCR0=2 (x87 bit clear) -> #GP(0)", 0, XCR0_SSE);
	expect_xsetbv_gp("XSETBV XCR0=5 (AVX without SSE) -> #GP(0)", 0, XCR0_X87 | XCR0_AVX);
	unsigned bit = unsupported_xcr0_bit();
	expect_xsetbv_gp(sfmt("XSETBV XCR0 bit %u (not in CPUID.0DH:EDX:EAX) -> #GP(0)", bit), 0,
			 XCR0_X87 | XCR0_SSE | 1ull << bit);
	expect_xsetbv_gp("XSETBV with ECX=1 -> #GP(0)", 1, XCR0_X87 | XCR0_SSE);

	v = trap_try(xgetbv_fn, 0);
	checkf("XCR0 is still 3 after the faults", v == TRAP_NONE && xcr_value == 3, "%s, XCR0 0x%llx",
	       trap_describe(v), (unsigned long long)xcr_value);
}

static void check_cache_insns(void)
{
	long before = exit_count(GUEST_EXIT_INVD);
	asm volatile("invd" : : : "memory");
	long invd = exit_count(GUEST_EXIT_INVD) - before;
	checkf("INVD returns, one INVD exit", invd == 1, "INVD exits +%ld", invd);

	before = exit_count(GUEST_EXIT_WBINVD);
	asm volatile("wbinvd" : : : "memory");
	long wbinvd = exit_count(GUEST_EXIT_WBINVD) - before;
	checkf(sfmt("WBINVD returns (WBINVD exits +%ld)", wbinvd), wbinvd == 0 || wbinvd == 1,
	       "WBINVD exits +%ld", wbinvd);
}

void main(void)
{
	check_cr4();
	check_cr0();
	check_xcr0();
	check_cache_insns();
}
