/* guest/run/cpu_exits.h - the exits for CPUID, RDMSR/WRMSR and XSETBV. */
#ifndef GUEST_RUN_CPU_EXITS_H
#define GUEST_RUN_CPU_EXITS_H

#include "guest/vcpu.h"

void exit_cpuid(struct vcpu *v);
void exit_msr(struct vcpu *v, bool write);
void exit_xsetbv(struct vcpu *v);

/* The fast exit path's handlers (vmx/fast_exit.c): each either does the
 * whole of what the slow path's handler would do for the exit except
 * skipping the instruction, which the caller does, and returns true; or
 * changes nothing and returns false, and the exit goes the slow path with
 * every check it meets there. */
/* CPUID from the vCPU's table (built by its first slow CPUID exit). */
bool fast_cpuid(struct vcpu *v);
/* RDMSR of IA32_FEATURE_CONTROL or IA32_MISC_ENABLE, WRMSR of the latter,
 * as the MSR policy answers them. */
bool fast_msr(struct vcpu *v, bool write);

#endif
