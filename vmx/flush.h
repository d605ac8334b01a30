/* vmx/flush.h - invalidating what the CPU cached for a guest: its TLB
 * entries by VPID (INVVPID) and its EPT translations (INVEPT); SDM Vol. 3C,
 * 29.4.3. */
#ifndef VMX_FLUSH_H
#define VMX_FLUSH_H

#include "vmx/vmx_vcpu.h"

/* The one VPID every guest runs with (they run one after another). */
#define VMX_GUEST_VPID 1

/* Flushes the guest's TLB entries (linear and combined) for its VPID, as a
 * real MOV to CR3/CR0/CR4 would; without VPID every VM entry already does (28.3.3.1). */
void vmx_flush_guest_tlb(struct vcpu *v);

/* Invalidates what the CPU cached from an EPT after a change
 * (INVEPT single-context when supported, else all-context; 29.4.3). */
void vmx_flush_ept(const struct ept *ept);

#endif
