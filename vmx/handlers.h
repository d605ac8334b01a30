/* vmx/handlers.h - the exits the VMX backend handles itself (vmx/handlers.c). */
#ifndef VMX_HANDLERS_H
#define VMX_HANDLERS_H

#include "vmx/vmx_vcpu.h"

/* Handles an exit of reason r where vmx_exit_is_internal(r) (vmx/exit_map.h). */
void vmx_handle_internal_exit(struct vcpu *v, enum guest_exit r);

#endif
