/* guest/cpuid_policy.c - what a guest sees of CPUID (SDM Vol. 2A, CPUID) and
 * which XCR0 values it may set (SDM Vol. 1, 13.3). Pure. */
#include "guest/cpuid_policy.h"
#include "guest/hypercall_abi.h"

#define CPUID1_ECX_VMX        (1u << 5)
#define CPUID1_ECX_SMX        (1u << 6)
#define CPUID1_ECX_OSXSAVE    (1u << 27)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID7_ECX_OSPKE      (1u << 4)
#define CR4_OSXSAVE           (1ULL << 18)
#define CR4_PKE               (1ULL << 22)

#define XCR0_X87              (1ULL << 0)
#define XCR0_SSE              (1ULL << 1)
#define XCR0_AVX              (1ULL << 2)
#define XCR0_MPX              (3ULL << 3)      /* BNDREGS, BNDCSR */
#define XCR0_AVX512           (7ULL << 5)      /* opmask, ZMM_Hi256, Hi16_ZMM */

bool cpuid_is_hypervisor_leaf(uint32_t leaf)
{
	return leaf >= HV_CPUID_LEAF_BASE && leaf <= HV_CPUID_LEAF_BASE + 0xff;
}

static uint32_t sig_word(unsigned int i)
{
	const char *s = HV_CPUID_SIGNATURE;

	return (uint32_t)(uint8_t)s[4 * i] | (uint32_t)(uint8_t)s[4 * i + 1] << 8 |
	       (uint32_t)(uint8_t)s[4 * i + 2] << 16 | (uint32_t)(uint8_t)s[4 * i + 3] << 24;
}

void cpuid_policy_apply(uint32_t leaf, uint32_t subleaf, uint64_t guest_cr4, struct cpuid_result *r)
{
	switch (leaf) {
	case 1:
		/* VMX is the hypervisor's; GETSEC exits unconditionally, so no SMX either. */
		r->ecx &= ~(CPUID1_ECX_VMX | CPUID1_ECX_SMX | CPUID1_ECX_OSXSAVE);
		r->ecx |= CPUID1_ECX_HYPERVISOR;
		if (guest_cr4 & CR4_OSXSAVE)
			r->ecx |= CPUID1_ECX_OSXSAVE;
		break;
	case 7:
		if (subleaf == 0) {
			r->ecx &= ~CPUID7_ECX_OSPKE;
			if (guest_cr4 & CR4_PKE)
				r->ecx |= CPUID7_ECX_OSPKE;
		}
		break;
	case HV_CPUID_LEAF_BASE:
		r->eax = HV_CPUID_MAX_LEAF;
		r->ebx = sig_word(0);
		r->ecx = sig_word(1);
		r->edx = sig_word(2);
		break;
	case HV_CPUID_LEAF_INFO:
		r->eax = (HC_VERSION_MAJOR << 16) | HC_VERSION_MINOR;
		r->ebx = 1;                       /* VMCALL interface present */
		r->ecx = r->edx = 0;
		break;
	default:
		if (cpuid_is_hypervisor_leaf(leaf))
			r->eax = r->ebx = r->ecx = r->edx = 0;
		break;
	}
}

bool xcr0_is_valid(uint64_t xcr0, uint64_t supported)
{
	if (!(xcr0 & XCR0_X87) || (xcr0 & ~supported))
		return false;
	if ((xcr0 & XCR0_AVX) && !(xcr0 & XCR0_SSE))
		return false;
	if ((xcr0 & XCR0_MPX) && (xcr0 & XCR0_MPX) != XCR0_MPX)
		return false;
	if (xcr0 & XCR0_AVX512) {
		if ((xcr0 & XCR0_AVX512) != XCR0_AVX512 || !(xcr0 & XCR0_AVX))
			return false;
	}
	return true;
}
