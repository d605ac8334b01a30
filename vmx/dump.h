/* vmx/dump.h - failed VM entries reported with the VMCS fields they point at (vmx/dump.c). */
#ifndef VMX_DUMP_H
#define VMX_DUMP_H

#include "vmx/vmx_vcpu.h"

/* VMLAUNCH/VMRESUME itself failed (how: enum vmx_status): report, stop the guest. */
void vmx_entry_failed(struct vcpu *v, int how);
/* A VM-entry failure exit (reasons 33, 34): report, stop the guest. */
void vmx_entry_failure_exit(struct vcpu *v, const struct exit_info *e);

#endif
