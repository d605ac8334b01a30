/* vmx/guest_state.h - the guest's state as the exit handlers need it, read
 * from the VMCS (SDM Vol. 3C, 25.4 guest-state area) or, for IA32_EFER,
 * from its copy in struct vmx_vcpu. */
#ifndef VMX_GUEST_STATE_H
#define VMX_GUEST_STATE_H

#include "vmx/vmx_vcpu.h"
#include "arch/msr.h"

#define GUEST_AR_L (1u << 13)          /* CS.L: 64-bit code segment */

/* vcpu_reg() for a register kept in one VMCS field (not CR0/CR4, whose
 * view combines two), with the VMREAD inline: for the exit path. */
static inline uint64_t vmx_reg(struct vcpu *v, enum vcpu_reg r, uint32_t field)
{
	if (!(v->rc.valid & (1u << r))) {
		v->rc.val[r] = vmcs_read(field);
		v->rc.valid |= 1u << r;
	}
	return v->rc.val[r];
}

static inline unsigned int guest_cpl(void)
{
	return (vmcs_read(VMCS_GUEST_SS_AR_BYTES) >> 5) & 3;
}

/*
 * The guest's IA32_EFER, kept in software as KVM keeps it: KVM's nested VMX
 * does not shadow GUEST_IA32_EFER, so under it every VMREAD of the field
 * is an exit to L0 (issue 17). Nothing changes the guest's EFER without
 * an exit: its WRMSRs are trapped (guest/policy/msr_policy.c, emulated by
 * guest/policy/efer.c's rule) and so is every change of CR0.PG, which sets
 * and clears LMA (set_control_registers: PG is in the CR0 guest/host
 * mask; vmx/handlers.c emulate_cr0_write). The copy and the field change
 * together here, the only place that writes the field.
 */
static inline void vmx_set_guest_efer(struct vmx_vcpu *x, uint64_t efer)
{
	x->efer = efer;
	vmcs_write(VMCS_GUEST_IA32_EFER, efer);
}

/* 64-bit code: IA-32e mode and CS.L (the only mode with 64-bit registers). */
static inline bool guest_64bit_code(struct vcpu *v)
{
	return (to_vmx(v)->efer & EFER_LMA) && (vmcs_read(VMCS_GUEST_CS_AR_BYTES) & GUEST_AR_L);
}

/* The CR0/CR4 the guest believes it has: its own bits, and the read shadow
 * where the hypervisor owns them (25.6.6). Read from the VMCS: exit
 * handlers use the register cache (vcpu_reg(v, VREG_CR0)) instead. */
static inline uint64_t guest_cr0_view(struct vcpu *v)
{
	uint64_t m = to_vmx(v)->cr0_mask;

	return (vmcs_read(VMCS_GUEST_CR0) & ~m) | (vmcs_read(VMCS_CR0_READ_SHADOW) & m);
}

static inline uint64_t guest_cr4_view(struct vcpu *v)
{
	uint64_t m = to_vmx(v)->cr4_mask;

	return (vmcs_read(VMCS_GUEST_CR4) & ~m) | (vmcs_read(VMCS_CR4_READ_SHADOW) & m);
}

/* RSP through the register cache (guest/backend.h), the others from regs. */
static inline uint64_t gpr_get(struct vcpu *v, unsigned int r)
{
	if (r == REG_RSP)
		return vcpu_reg(v, VREG_RSP);
	return v->regs.gpr[r];
}

/* Writes a register as an instruction with that operand size would: 32-bit
 * results zero-extend outside 64-bit code. */
static inline void gpr_set(struct vcpu *v, unsigned int r, uint64_t val)
{
	if (!guest_64bit_code(v))
		val &= 0xffffffffULL;
	if (r == REG_RSP)
		vcpu_set_reg(v, VREG_RSP, val);
	else
		v->regs.gpr[r] = val;
}


#endif
