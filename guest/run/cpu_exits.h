/* guest/run/cpu_exits.h - the exits for CPUID, RDMSR/WRMSR and XSETBV. */
#ifndef GUEST_RUN_CPU_EXITS_H
#define GUEST_RUN_CPU_EXITS_H

#include "guest/vcpu.h"
#include "guest/policy/cpuid_table.h"
#include "guest/policy/msr_policy.h"
#include "arch/msr.h"

void exit_cpuid(struct vcpu *v);
void exit_msr(struct vcpu *v, bool write);
void exit_xsetbv(struct vcpu *v);

/* The fast exit path's handlers (vmx/fast_exit.c): each either does the
 * whole of what the slow path's handler would do for the exit except
 * skipping the instruction, which the caller does, and returns true; or
 * changes nothing and returns false, and the exit goes the slow path with
 * every check it meets there. */
/* CPUID from the vCPU's table (built by its first slow CPUID exit): inline
 * for the fast path by index (cpuid_table_direct); the leaves that takes
 * no answer for (leaves 1 and 7 with their CR4-dependent bits, subleaves,
 * the hypervisor's) by cpuid_table_lookup's search out of line. */
bool fast_cpuid_search(struct vcpu *v);

static inline bool fast_cpuid(struct vcpu *v)
{
	const struct cpuid_table *t = v->cpuid_table;
	const struct cpuid_entry *e;

	if (unlikely(!t))
		return false;
	e = cpuid_table_direct(t, (uint32_t)v->regs.gpr[REG_RAX]);
	if (unlikely(!e))
		return fast_cpuid_search(v);
	v->regs.gpr[REG_RAX] = e->r.eax;
	v->regs.gpr[REG_RBX] = e->r.ebx;
	v->regs.gpr[REG_RCX] = e->r.ecx;
	v->regs.gpr[REG_RDX] = e->r.edx;
	return true;
}

/* RDMSR of IA32_FEATURE_CONTROL or IA32_MISC_ENABLE, WRMSR of the latter,
 * as the MSR policy answers them (taken once per vCPU by msr_fast_init, at
 * its first MSR exit, which goes the slow path); inline for the fast path. */
void msr_fast_init(struct vcpu *v);

static inline bool fast_msr(struct vcpu *v, bool write)
{
	uint32_t msr = (uint32_t)v->regs.gpr[REG_RCX];
	uint64_t val;

	if (unlikely(!v->msr_fast))
		return false;                   /* exit_msr takes them first */
	if (msr == MSR_IA32_FEATURE_CONTROL && !write && (v->msr_fast & MSR_FAST_FC_READ)) {
		val = v->feature_control;
	} else if (msr == MSR_IA32_MISC_ENABLE && !write && (v->msr_fast & MSR_FAST_MISC_READ)) {
		val = v->misc_enable;
	} else if (msr == MSR_IA32_MISC_ENABLE && write && (v->msr_fast & MSR_FAST_MISC_WRITE)) {
		val = (v->regs.gpr[REG_RDX] << 32) | (uint32_t)v->regs.gpr[REG_RAX];
		v->misc_enable = msr_misc_enable_write(v->misc_enable, val);
		return true;
	} else {
		return false;
	}
	v->regs.gpr[REG_RAX] = (uint32_t)val;
	v->regs.gpr[REG_RDX] = val >> 32;
	return true;
}

#endif
