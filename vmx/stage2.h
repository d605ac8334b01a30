/* vmx/stage2.h - the VMX side of a VM's stage-2 tables (vmx/stage2.c). */
#ifndef VMX_STAGE2_H
#define VMX_STAGE2_H

#include "guest/vm.h"

struct ept;

/* The EPT of vm, for the VMCS of a new vCPU. */
struct ept *vmx_stage2_ept(struct vm *vm);

#endif
