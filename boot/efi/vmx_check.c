/* boot/efi/vmx_check.c - VMX availability (SDM Vol. 3C 24.6 "Discovering support for
 * VMX", 24.7 "Enabling and entering VMX operation": IA32_FEATURE_CONTROL). */
#include "boot/efi/vmx_check.h"
#include "arch/cpu.h"
#include "arch/msr.h"
#include "lib/format.h"

#define CPUID1_ECX_VMX              (1u << 5)
#define FEATURE_CONTROL_LOCK        (1ULL << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE (1ULL << 2)

bool efi_vmx_available(char *why, size_t size)
{
	struct cpuid_regs r;
	uint64_t fc;

	cpuid(1, 0, &r);
	if (!(r.ecx & CPUID1_ECX_VMX)) {
		fmt_snprintf(why, size, "CPUID.1:ECX[5] is clear: the CPU does not report VMX");
		return false;
	}
	/* Safe now: every CPU with VMX has IA32_FEATURE_CONTROL. */
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if ((fc & FEATURE_CONTROL_LOCK) && !(fc & FEATURE_CONTROL_VMX_OUTSIDE)) {
		fmt_snprintf(why, size,
			     "IA32_FEATURE_CONTROL is 0x%llx: locked with VMX outside SMX off (enable VT-x in the firmware setup)",
			     (unsigned long long)fc);
		return false;
	}
	fmt_snprintf(why, size, "IA32_FEATURE_CONTROL is 0x%llx: %s", (unsigned long long)fc,
		     (fc & FEATURE_CONTROL_LOCK) ? "locked with VMX outside SMX on" : "unlocked: the hypervisor will enable VMX");
	return true;
}
