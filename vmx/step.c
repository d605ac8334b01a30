/* vmx/step.c - single-stepping the guest for the debug shell: the monitor
 * trap flag where the CPU has it (SDM Vol. 3C, 26.5.2: a VM exit after one
 * instruction), else RFLAGS.TF with #DB in the exception bitmap (the
 * single-step trap, Vol. 3A 18.3.1.4, caught as an exception exit before
 * the guest sees it). Either way the first VM exit ends the step: an
 * instruction the hypervisor completed for the guest counts as the step. */
#include "vmx/step.h"
#include "vmx/vmx_cpu.h"
#include "arch/cpu.h"

#define RFLAGS_TF          (1ULL << 8)
#define PENDING_DBG_BS     (1ULL << 14)
#define DB_VECTOR          1
#define MC_VECTOR          18

static bool has_mtf(void)
{
	const struct vmx_cap_msrs *c = &vmx_this_cpu.caps;
	uint64_t cap = c->basic & VMX_BASIC_TRUE_CONTROLS ? c->true_procbased : c->procbased;

	return (cap >> 32) & CPU_MONITOR_TRAP_FLAG;
}

int vcpu_single_step(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);

	if (has_mtf()) {
		vmcs_write(VMCS_CPU_BASED_VM_EXEC_CONTROL,
			   vmcs_read(VMCS_CPU_BASED_VM_EXEC_CONTROL) | CPU_MONITOR_TRAP_FLAG);
		x->step = VMX_STEP_MTF;
	} else {
		uint64_t rflags = vmcs_read(VMCS_GUEST_RFLAGS);

		/* The guest single-steps itself: its #DBs are its own. */
		if (rflags & RFLAGS_TF)
			return -EBUSY;
		x->step_bs_was_pending = vmcs_read(VMCS_GUEST_PENDING_DBG_EXCEPTIONS) & PENDING_DBG_BS;
		vmcs_write(VMCS_GUEST_RFLAGS, rflags | RFLAGS_TF);
		v->rc.valid &= ~(1u << VREG_RFLAGS);     /* written past the register cache */
		vmcs_write(VMCS_EXCEPTION_BITMAP, (1u << MC_VECTOR) | (1u << DB_VECTOR));
		x->step = VMX_STEP_TF;
	}
	v->stepping = true;
	v->step_ended = false;
	v->paused = false;
	return 0;
}

void vmx_step_disarm(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);

	if (x->step == VMX_STEP_MTF) {
		vmcs_write(VMCS_CPU_BASED_VM_EXEC_CONTROL,
			   vmcs_read(VMCS_CPU_BASED_VM_EXEC_CONTROL) & ~(uint64_t)CPU_MONITOR_TRAP_FLAG);
	} else if (x->step == VMX_STEP_TF) {
		/* TF off again, and no single-step trap left pending for the
		 * guest that an emulated instruction queued because of our TF. */
		vmcs_write(VMCS_GUEST_RFLAGS, vmcs_read(VMCS_GUEST_RFLAGS) & ~RFLAGS_TF);
		v->rc.valid &= ~(1u << VREG_RFLAGS);
		if (!x->step_bs_was_pending)
			vmcs_write(VMCS_GUEST_PENDING_DBG_EXCEPTIONS,
				   vmcs_read(VMCS_GUEST_PENDING_DBG_EXCEPTIONS) & ~PENDING_DBG_BS);
		vmcs_write(VMCS_EXCEPTION_BITMAP, 1u << MC_VECTOR);
	}
	x->step = VMX_STEP_NONE;
}

void vcpu_step_end(struct vcpu *v, enum guest_exit reason)
{
	vmx_step_disarm(v);
	v->stepping = false;
	v->step_ended = true;
	v->step_exit = reason;
	v->paused = true;
}

bool vmx_step_owns_db(struct vcpu *v, uint64_t qual)
{
	/* The exit qualification of a #DB exit holds what DR6 would (28.2.1). */
	return to_vmx(v)->step == VMX_STEP_TF && (qual & PENDING_DBG_BS);
}
