/* guest/run/cpu_exits.h - the exits for CPUID, RDMSR/WRMSR and XSETBV. */
#ifndef GUEST_RUN_CPU_EXITS_H
#define GUEST_RUN_CPU_EXITS_H

#include "guest/vcpu.h"

void exit_cpuid(struct vcpu *v);
void exit_msr(struct vcpu *v, bool write);
void exit_xsetbv(struct vcpu *v);

#endif
