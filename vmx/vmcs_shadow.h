/* vmx/vmcs_shadow.h - the VMCS fields that KVM's nested VMX shadows (SDM
 * Vol. 3C, 25.10 VMCS shadowing): when this hypervisor runs under KVM, a
 * VMREAD/VMWRITE of any other field is an exit to KVM, thousands of cycles
 * each. Pure: the instrumented bench build (HV_VMCS_COUNT) counts the
 * others per exit kind. */
#ifndef VMX_VMCS_SHADOW_H
#define VMX_VMCS_SHADOW_H

#include "lib/compiler.h"

/* True if KVM shadows the field with this encoding (vmx/vmcs_shadow.c: the
 * list and where it comes from). */
bool vmcs_shadowed_by_kvm(uint32_t encoding);

#endif
