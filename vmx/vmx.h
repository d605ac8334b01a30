/* vmx/vmx.h - the Intel VMX backend: the small interface the rest of the
 * hypervisor uses (an SVM backend would offer the same four calls). */
#ifndef VMX_VMX_H
#define VMX_VMX_H

#include "guest/vcpu.h"
#include "lib/cmdline.h"

struct ept;

/*
 * Detects VMX on this CPU (CPUID, IA32_FEATURE_CONTROL, the capability MSRs
 * against the controls the hypervisor needs), prints what it found or
 * exactly why VMX cannot be used, and enters VMX root operation.
 * Returns 0, or a negative error after printing the reason.
 */
int __must_check vmx_init(const struct hv_options *o);

/* Sets up v's VMCS: controls, host state, the start state s, the EPT, and
 * the preemption timer for v->tick_tsc. Run it with vcpu_run_once(). */
int __must_check vmx_vcpu_init(struct vcpu *v, const struct vcpu_start *s, struct ept *ept);

/* The VMX features in use, in words (the shell's info). */
void vmx_print_features(void);

/* True if the CPU has the VMX-preemption timer (the console tick). */
bool vmx_has_tick(void);

/* Test hook (module option hv.testentry=): breaks one VMCS field so the next
 * VM entry fails: "control" (a reserved control bit: VMfailValid, error 7) or
 * "guest-state" (CR0.PG without CR0.PE: exit reason 33). False if unknown. */
bool vmx_vcpu_break_for_test(struct vcpu *v, const char *what);

/* Releases v's VMCS. */
void vmx_vcpu_destroy(struct vcpu *v);

#endif
