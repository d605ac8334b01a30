/* vmx/tsc_msrs.h - the guest's TSC MSRs through the TSC offset (vmx/tsc_msrs.c). */
#ifndef VMX_TSC_MSRS_H
#define VMX_TSC_MSRS_H

#include "vmx/vmx_vcpu.h"

/* Reads what the CPU has and starts the guest's TSC at the host's. */
void vmx_tsc_init(struct vmx_vcpu *x);

#endif
