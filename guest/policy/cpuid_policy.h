/* guest/policy/cpuid_policy.h - what a guest sees of CPUID and XCR0. Pure. */
#ifndef GUEST_CPUID_POLICY_H
#define GUEST_CPUID_POLICY_H

#include "lib/compiler.h"
#include "guest/policy/features.h"

struct cpuid_result { uint32_t eax, ebx, ecx, edx; };

/*
 * Turns the CPU's answer `r` for (leaf, subleaf) into the guest's: features
 * the backend did not grant (f) hidden, features whose MSRs the guest may not
 * use (VMX, SMX, SGX, PT, DS/PEBS/BTS, the PMU, CET, arch LBR, HWP, ...;
 * guest/policy/msr_policy.c) hidden, the hypervisor bit set, OSXSAVE/OSPKE
 * following the guest's own CR4, and the hypervisor leaves 0x40000000..
 * answered from guest/hypercall_abi.h. guest_cr4 is the CR4 value the guest
 * believes in.
 */
void cpuid_policy_apply(uint32_t leaf, uint32_t subleaf, const struct guest_features *f,
			uint64_t guest_cr4, struct cpuid_result *r);

/*
 * The size of a compacted-format XSAVE area (SDM Vol. 1, 13.4.3) holding the
 * state components in mask: the legacy region and header (576 bytes), then
 * each component i >= 2 of mask in order, size[i] bytes, starting at the
 * next 64-byte boundary if align64[i] (CPUID.(0DH,i):ECX[1]). This is what
 * CPUID.(0DH,1):EBX reports for mask = XCR0 | IA32_XSS.
 */
uint32_t xsave_compacted_size(uint64_t mask, const uint32_t size[64], const bool align64[64]);

/* True for the hypervisor's own CPUID range (answered without asking the CPU). */
bool cpuid_is_hypervisor_leaf(uint32_t leaf);

/*
 * Checks an XSETBV of XCR0 (SDM Vol. 1, 13.3): x87 must stay on, AVX needs
 * SSE, AVX-512 state components come together and need AVX, MPX components
 * come together, and only components the CPU supports (CPUID.(0DH,0):EDX:EAX).
 */
bool xcr0_is_valid(uint64_t xcr0, uint64_t supported);

#endif
