/* vmx/step.h - single steps for the shell (vmx/step.c). */
#ifndef VMX_STEP_H
#define VMX_STEP_H

#include "vmx/vmx_vcpu.h"

/* Disarms a step the shell cancelled. */
void vmx_step_disarm(struct vcpu *v);
/* True if a #DB exception exit (qualification qual) is the step's own. */
bool vmx_step_owns_db(struct vcpu *v, uint64_t qual);

#endif
