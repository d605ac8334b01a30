/* guest/policy/cpuid_policy.c - what a guest sees of CPUID (SDM Vol. 2A, CPUID) and
 * which XCR0 values it may set (SDM Vol. 1, 13.3). Pure. */
#include "guest/policy/cpuid_policy.h"
#include "guest/hypercall_abi.h"

#define BIT(n) (1u << (n))

/* CPUID.1 (SDM Vol. 2A, Tables 3-10 and 3-11) */
#define CPUID1_ECX_DTES64     BIT(2)    /* 64-bit DS area */
#define CPUID1_ECX_DS_CPL     BIT(4)    /* CPL-qualified debug store */
#define CPUID1_ECX_VMX        BIT(5)
#define CPUID1_ECX_SMX        BIT(6)
#define CPUID1_ECX_EIST       BIT(7)    /* IA32_PERF_CTL writes */
#define CPUID1_ECX_PDCM       BIT(15)   /* IA32_PERF_CAPABILITIES */
#define CPUID1_ECX_DCA        BIT(18)   /* direct cache access (a platform MSR) */
#define CPUID1_ECX_OSXSAVE    BIT(27)
#define CPUID1_ECX_HYPERVISOR BIT(31)
#define CPUID1_EDX_DS         BIT(21)   /* debug store: BTS and PEBS write to memory */
/* CPUID.6:EAX: HWP and its relatives, hardware duty cycling, HFI, Thread Director */
#define CPUID6_EAX_HIDDEN     (BIT(7) | BIT(8) | BIT(9) | BIT(10) | BIT(11) | BIT(13) | \
			       BIT(15) | BIT(16) | BIT(17) | BIT(18) | BIT(19) | BIT(20) | BIT(23))
/* CPUID.(7,0) */
#define CPUID7_EBX_SGX        BIT(2)
#define CPUID7_EBX_INVPCID    BIT(10)
#define CPUID7_EBX_RDT_M      BIT(12)   /* resource monitoring: shared-cache MSRs */
#define CPUID7_EBX_RDT_A      BIT(15)   /* resource allocation: shared-cache MSRs */
#define CPUID7_EBX_MPX        BIT(14)   /* IA32_BNDCFGS is not switched at VM exit */
#define CPUID7_EBX_PT         BIT(25)   /* Intel PT writes trace data to physical addresses */
#define CPUID7_ECX_WAITPKG    BIT(5)
#define CPUID7_ECX_OSPKE      BIT(4)
#define CPUID7_ECX_CET_SS     BIT(7)    /* CET state is not switched at VM exit */
#define CPUID7_ECX_RDPID      BIT(22)
#define CPUID7_ECX_ENQCMD     BIT(29)   /* IA32_PASID */
#define CPUID7_ECX_SGX_LC     BIT(30)
#define CPUID7_ECX_PKS        BIT(31)   /* IA32_PKRS */
#define CPUID7_EDX_SGX_KEYS   BIT(1)
#define CPUID7_EDX_UINTR      BIT(5)
#define CPUID7_EDX_PCONFIG    BIT(18)
#define CPUID7_EDX_ARCH_LBR   BIT(19)
#define CPUID7_EDX_CET_IBT    BIT(20)
/* CPUID.(7,1):EAX */
#define CPUID7_1_EAX_FRED     BIT(17)   /* FRED state needs VMCS support */
#define CPUID7_1_EAX_HRESET   BIT(22)   /* IA32_HRESET_ENABLE */
/* CPUID.(0DH,1):EAX */
#define CPUIDD_1_EAX_XSAVES   BIT(3)
/* CPUID.80000001H:EDX */
#define CPUID81_EDX_RDTSCP    BIT(27)

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

static void zero(struct cpuid_result *r)
{
	r->eax = r->ebx = r->ecx = r->edx = 0;
}

static uint32_t keep_if(bool granted, uint32_t bit)
{
	return granted ? 0 : bit;
}

void cpuid_policy_apply(uint32_t leaf, uint32_t subleaf, const struct guest_features *f,
			uint64_t guest_cr4, struct cpuid_result *r)
{
	switch (leaf) {
	case 1:
		/* VMX is the hypervisor's; GETSEC exits unconditionally, so no SMX
		 * either. DS (BTS, PEBS) writes to physical addresses; the PMU and
		 * P-state control are not the guest's (guest/policy/msr_policy.c). */
		r->ecx &= ~(CPUID1_ECX_VMX | CPUID1_ECX_SMX | CPUID1_ECX_DTES64 | CPUID1_ECX_DS_CPL |
			    CPUID1_ECX_EIST | CPUID1_ECX_PDCM | CPUID1_ECX_DCA | CPUID1_ECX_OSXSAVE);
		r->edx &= ~CPUID1_EDX_DS;
		r->ecx |= CPUID1_ECX_HYPERVISOR;
		if (guest_cr4 & CR4_OSXSAVE)
			r->ecx |= CPUID1_ECX_OSXSAVE;
		break;
	case 6:
		r->eax &= ~CPUID6_EAX_HIDDEN;
		break;
	case 7:
		if (subleaf == 0) {
			r->ebx &= ~(CPUID7_EBX_SGX | CPUID7_EBX_MPX | CPUID7_EBX_PT |
				    CPUID7_EBX_RDT_M | CPUID7_EBX_RDT_A |
				    keep_if(f->invpcid, CPUID7_EBX_INVPCID));
			r->ecx &= ~(CPUID7_ECX_OSPKE | CPUID7_ECX_CET_SS | CPUID7_ECX_ENQCMD |
				    CPUID7_ECX_SGX_LC | CPUID7_ECX_PKS |
				    keep_if(f->waitpkg, CPUID7_ECX_WAITPKG) |
				    keep_if(f->rdtscp, CPUID7_ECX_RDPID));
			r->edx &= ~(CPUID7_EDX_SGX_KEYS | CPUID7_EDX_UINTR | CPUID7_EDX_ARCH_LBR |
				    CPUID7_EDX_CET_IBT | keep_if(f->pconfig, CPUID7_EDX_PCONFIG));
			if (guest_cr4 & CR4_PKE)
				r->ecx |= CPUID7_ECX_OSPKE;
		} else if (subleaf == 1) {
			r->eax &= ~(CPUID7_1_EAX_FRED | CPUID7_1_EAX_HRESET);
		}
		break;
	case 0xa:       /* architectural performance monitoring: no PMU */
	case 0xf:       /* RDT monitoring: the LLC is shared with other CPUs */
	case 0x10:      /* RDT allocation: likewise */
	case 0x12:      /* SGX */
	case 0x14:      /* Intel PT */
	case 0x1c:      /* architectural LBR */
		zero(r);
		break;
	case 0xd:
		/* Supervisor state components (IA32_XSS) are all refused: PT, PASID,
		 * CET, HDC, UINTR, arch LBR and HWP belong to hidden features. */
		if (subleaf == 1) {
			r->eax &= ~keep_if(f->xsaves, CPUIDD_1_EAX_XSAVES);
			r->ecx = r->edx = 0;
		}
		break;
	case 0x1b:      /* PCONFIG */
		if (!f->pconfig)
			zero(r);
		break;
	case 0x80000001:
		r->edx &= ~keep_if(f->rdtscp, CPUID81_EDX_RDTSCP);
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
			zero(r);
		break;
	}
}

uint32_t xsave_compacted_size(uint64_t mask, const uint32_t size[64], const bool align64[64])
{
	uint32_t end = 576;

	for (unsigned int i = 2; i < 64; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		if (align64[i])
			end = (end + 63) & ~63u;
		end += size[i];
	}
	return end;
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
