/* guest/run/hypercall.h - the VMCALL interface (docs/hypercalls.md). */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include "guest/vcpu.h"

/*
 * Performs the hypercall in v's registers (RAX = number, RBX/RCX/RDX/RSI =
 * arguments; only their low 32 bits outside 64-bit mode) and puts the
 * result in RAX. cpl is the guest's privilege level at the VMCALL.
 */
void hypercall(struct vcpu *v, unsigned int cpl, bool long_mode);

/* The test calls (HC_EXIT_COUNT, HC_INJECT, HC_UNMAP_ONCE, HC_MEMMAP,
 * HC_TRAP_TEST) exist only when on (option hvtest); else -HC_ENOSYS. */
void hypercall_enable_test_calls(bool on);

/*
 * HC_VERSION and HC_EXIT_COUNT for the fast exit path (vmx/fast_exit.c's
 * fast_vmcall_exit answers HC_VERSION itself and calls this for the other;
 * see fast_cpuid in guest/run/cpu_exits.h for the contract). Only at CPL 0
 * with the upper halves of RAX (and RBX) clear: hypercall() masks the
 * arguments and the result to 32 bits outside 64-bit code, and for these
 * calls and a result under 2^31 the masks change nothing, so the answer is the same in every mode and the
 * mode (IA32_EFER.LMA, a field KVM does not shadow) need not be known.
 * Anything else: the slow path.
 */
bool fast_hypercall_more(struct vcpu *v);

/* HC_CHAIN_APS_DONE's handler (chain mode: guest/run/chain_done.c, set by
 * guests_run_firmware); without one the call is -HC_ENOSYS. */
void hypercall_set_chain_done(int64_t (*fn)(struct vcpu *v));

#endif
