/* tests/guests/cpuid.c - CPUID as the guest sees it: VMX hidden, the
 * hypervisor bit and leaves 0x40000000-1 (docs/hypercalls.md), pass-through
 * leaves, one CPUID exit per CPUID, features the guest may not use hidden
 * (guest/policy/cpuid_policy.c) and RDTSCP present exactly when CPUID says so. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

static bool printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static void check_vendor(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	char vendor[13];

	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
	checkf(sfmt("leaf 0 vendor \"%s\" is 12 printable characters", printable(vendor, 12) ? vendor : "?"),
	       printable(vendor, 12), "EBX 0x%x EDX 0x%x ECX 0x%x", r.ebx, r.edx, r.ecx);
	checkf("leaf 0 max basic leaf >= 1", r.eax >= 1, "got 0x%x", r.eax);
}

static void check_hypervisor_leaves(void)
{
	struct cpuid_regs r = cpuid(1, 0);

	checkf("CPUID.1:ECX[5] (VMX) is clear", !(r.ecx & 1u << 5), "ECX 0x%x", r.ecx);
	checkf("CPUID.1:ECX[31] (hypervisor present) is set", r.ecx & 1u << 31, "ECX 0x%x", r.ecx);

	r = cpuid(HV_CPUID_LEAF_BASE, 0);
	check_eq("leaf 0x40000000 EAX is the max hypervisor leaf", r.eax, HV_CPUID_MAX_LEAF);
	char sig[13];
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = '\0';
	bool same = true;
	for (int i = 0; i < 12; i++)
		same = same && sig[i] == HV_CPUID_SIGNATURE[i];
	checkf("leaf 0x40000000 signature is \"" HV_CPUID_SIGNATURE "\"", same,
	       "got EBX 0x%x ECX 0x%x EDX 0x%x (\"%s\")", r.ebx, r.ecx, r.edx,
	       printable(sig, 12) ? sig : "unprintable");

	r = cpuid(HV_CPUID_LEAF_INFO, 0);
	check_eq("leaf 0x40000001 EAX is the hypercall version",
		 r.eax, HC_VERSION_MAJOR << 16 | HC_VERSION_MINOR);
	checkf("leaf 0x40000001 EBX[0] (VMCALL interface) is set", r.ebx & 1, "EBX 0x%x", r.ebx);
}

static void check_passthrough(void)
{
	struct cpuid_regs r = cpuid(0x80000000, 0);

	checkf("leaf 0x80000000 max extended leaf >= 0x80000001", r.eax >= 0x80000001 && r.eax < 0x80010000,
	       "got 0x%x", r.eax);
	r = cpuid(0x80000001, 0);
	checkf("leaf 0x80000001 EDX[29] (long mode) is set", r.edx & 1u << 29, "EDX 0x%x", r.edx);
}

static void check_exit_counts(void)
{
	long before = exit_count(GUEST_EXIT_CPUID);

	cpuid(0, 0);
	long after = exit_count(GUEST_EXIT_CPUID);
	check_eq("one CPUID is one CPUID exit", (uint64_t)(after - before), 1);

	before = exit_count(GUEST_EXIT_CPUID);
	for (uint32_t leaf = 0; leaf < 5; leaf++)
		cpuid(leaf == 4 ? HV_CPUID_LEAF_BASE : leaf, 0);
	after = exit_count(GUEST_EXIT_CPUID);
	check_eq("five CPUIDs (hypervisor leaf included) are five CPUID exits", (uint64_t)(after - before), 5);
	checkf("HC_EXIT_COUNT(GUEST_EXIT_CPUID) is not an error", before >= 0, "got %ld", before);
}

static void rdtscp_fn(long arg)
{
	uint32_t lo, hi, aux;

	asm volatile(TRAP_WANT_IP("1f") "1: rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux) : : "memory");
}

static bool all_zero(struct cpuid_regs r)
{
	return !r.eax && !r.ebx && !r.ecx && !r.edx;
}

static void check_hidden(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	uint32_t max = cpuid(0, 0).eax;

	checkf("CPUID.1: DS, DTES64, DS-CPL, PDCM (BTS/PEBS, PMU) clear",
	       !(r.edx & 1u << 21) && !(r.ecx & (1u << 2 | 1u << 4 | 1u << 15)),
	       "ECX 0x%x EDX 0x%x", r.ecx, r.edx);
	r = cpuid(7, 0);
	checkf("CPUID.(7,0):EBX: PT (25), SGX (2), MPX (14) clear",
	       !(r.ebx & (1u << 25 | 1u << 2 | 1u << 14)), "EBX 0x%x", r.ebx);
	r = cpuid(0x14, 0);
	checkf("CPUID leaf 0x14 (Intel PT) is all zero", max < 0x14 || all_zero(r),
	       "max leaf 0x%x: 0x%x 0x%x 0x%x 0x%x", max, r.eax, r.ebx, r.ecx, r.edx);
	r = cpuid(0xa, 0);
	checkf("CPUID leaf 0xA (performance monitoring) is all zero", max < 0xa || all_zero(r),
	       "0x%x 0x%x 0x%x 0x%x", r.eax, r.ebx, r.ecx, r.edx);
	if (cpuid(0x80000001, 0).edx & 1u << 27)
		expect_no_exception("CPUID says RDTSCP: RDTSCP works", rdtscp_fn, 0);
	else
		expect_exception("CPUID says no RDTSCP: RDTSCP -> #UD", 6, TRAP_NO_CODE, rdtscp_fn, 0);
}

static bool same_regs(struct cpuid_regs a, struct cpuid_regs b)
{
	return a.eax == b.eax && a.ebx == b.ebx && a.ecx == b.ecx && a.edx == b.edx;
}

/* Leaves past every range answer alike (on Intel: the highest basic
 * leaf's values), never a basic leaf's own: 0x7fffffe0 and 0x7fffffe2 are
 * 0 and 2 plus 0x7fffffe0, which the hypervisor's direct index once
 * wrapped onto leaves 0 and 2. Asked twice: the second is answered by the
 * fast exit path. */
static void check_out_of_range(void)
{
	for (int pass = 0; pass < 2; pass++) {
		struct cpuid_regs top = cpuid(0x7fffffff, 0), a = cpuid(0x7fffffe0, 0), b = cpuid(0x7fffffe2, 0);

		if (pass == 0)
			continue;
		checkf("CPUID 0x7fffffe0 answers like 0x7fffffff, not like leaf 0",
		       same_regs(a, top) && !same_regs(a, cpuid(0, 0)),
		       "0x%x 0x%x 0x%x 0x%x", a.eax, a.ebx, a.ecx, a.edx);
		checkf("CPUID 0x7fffffe2 answers like 0x7fffffff, not like leaf 2",
		       same_regs(b, top) && !same_regs(b, cpuid(2, 0)),
		       "0x%x 0x%x 0x%x 0x%x", b.eax, b.ebx, b.ecx, b.edx);
	}
}

void main(void)
{
	check_hypervisor_leaves();
	check_vendor();
	check_passthrough();
	check_exit_counts();
	check_hidden();
	check_out_of_range();
}
