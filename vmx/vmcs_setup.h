/* vmx/vmcs_setup.h - the VMCS control fields each VM-execution, VM-exit and
 * VM-entry control uses (SDM Vol. 3C, 25.6-25.8, checked at VM entry by
 * 27.2.1), and the list vmx/vcpu.c writes them from. Pure. */
#ifndef VMX_VMCS_SETUP_H
#define VMX_VMCS_SETUP_H

#include "vmx/caps.h"

enum vmcs_ctl_group { CTL_ALWAYS, CTL_PIN, CTL_PROC, CTL_PROC2, CTL_EXIT, CTL_ENTRY };

struct vmcs_field_use {
	enum vmcs_ctl_group group;      /* which control word holds bit; CTL_ALWAYS: every VMCS */
	uint32_t bit;                   /* the control (0 with CTL_ALWAYS) */
	uint32_t field;                 /* the field's encoding (Appendix B) */
};

/* What the SDM makes each control read: the specification the setup list
 * is tested against, for every control, used by this hypervisor or not. */
extern const struct vmcs_field_use vmcs_fields_used[];
extern const unsigned int vmcs_fields_used_count;

/* The control fields vmx/vcpu.c writes, each when its control is set. */
extern const struct vmcs_field_use vmcs_setup_fields[];
extern const unsigned int vmcs_setup_fields_count;

/* True if u applies under controls c (its control is set, or CTL_ALWAYS). */
bool vmcs_field_use_applies(const struct vmcs_field_use *u, const struct vmx_controls *c);

/* Calls fn for every field of vmcs_setup_fields that applies under c, once
 * each, in table order (vmx/vcpu.c writes them so). */
void vmcs_setup_for_each(const struct vmx_controls *c, void (*fn)(void *ctx, uint32_t field), void *ctx);

#endif
