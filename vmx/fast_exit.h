/* vmx/fast_exit.h - the VM-exit fast path (vmx/fast_exit.c) and what
 * vmx_enter (vmx/entry.asm) returns. */
#ifndef VMX_FAST_EXIT_H
#define VMX_FAST_EXIT_H

#include "vmx/vmx_vcpu.h"

enum vmx_enter_result {
	VMX_ENTER_EXIT = 0,             /* a VM exit for vcpu_enter to handle */
	VMX_ENTER_FAIL_INVALID = 1,     /* VMLAUNCH/VMRESUME failed: VMfailInvalid */
	VMX_ENTER_FAIL_VALID = 2,       /* ... VMfailValid */
	VMX_FAST_RESUME = 3,            /* vmx_fast_exit only: enter the guest again now */
	VMX_ENTER_HANDLED = 4,          /* the fast path handled the exit; the run loop has work */
};

/* Saves the host's callee-saved registers, enters the guest (VMLAUNCH
 * unless launched) and runs it, exit after exit, until one that the fast
 * path leaves to the caller. */
int vmx_enter(struct guest_regs *regs, int launched, struct vmx_exit_stack *es);

/* Called by vmx/entry.asm after every VM exit, guest registers saved:
 * finishes CPUID, VMCALL, RDMSR/WRMSR and port I/O exits that
 * guest/run/ serves (fast_cpuid, fast_msr, fast_hypercall_more, fast_io), when nothing waits for the run loop
 * (v->slow, this CPU's requests and NMIs, the tick). Returns
 * VMX_FAST_RESUME, VMX_ENTER_HANDLED, or VMX_ENTER_EXIT with nothing
 * changed but x->exit.reason read. */
int vmx_fast_exit(struct guest_regs *regs);

#endif
