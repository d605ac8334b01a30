/* vmx/events.c - events for the guest (SDM Vol. 3C, 27.6 event injection;
 * 28.2.4 IDT-vectoring information and its re-injection; 26.2 NMI and
 * interrupt windows): exceptions the hypervisor raises, NMIs and 8259
 * interrupts delivered when the guest can take them, and the event an exit
 * interrupted delivered again. */
#include "vmx/events.h"
#include "vmx/vmx_cpu.h"
#include "vmx/exit_decode.h"
#include "vmx/inject_rules.h"
#include "vmx/intr_ready.h"
#include "guest/dev/isa_irq.h"
#include "arch/cpu.h"
#include "arch/trap.h"

/* Exception classes for double-fault detection (SDM Vol. 3A, Table 6-4/6-5). */
static bool is_contributory(unsigned int v)
{
	return v == 0 || (v >= 10 && v <= 13);
}

void vmx_inject_ctx(struct vcpu *v, struct inject_ctx *c)
{
	/* Without unrestricted guest the guest's CR0.PE is always 1 in the VMCS. */
	c->protected_mode = !(vmx_this_cpu.ctl.proc2 & CPU2_UNRESTRICTED_GUEST) ||
			    (vcpu_reg(v, VREG_CR0) & 1);
	c->any_error_code = vmx_this_cpu.caps.basic & VMX_BASIC_NO_ERROR_CODE_CHECK;
}

void vcpu_inject_exception(struct vcpu *v, unsigned int vector, uint32_t error_code)
{
	uint32_t pending = (uint32_t)vmcs_read(VMCS_VM_ENTRY_INTR_INFO);
	struct inject_ctx c;
	bool has_code;

	/* An event is already queued (re-injection of an interrupted delivery):
	 * combine the two as the CPU would (Table 6-5). */
	if (pending & INTR_INFO_VALID &&
	    ((pending & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT) == INTR_TYPE_HARDWARE_EXCEPTION) {
		unsigned int first = pending & INTR_INFO_VECTOR_MASK;

		if (first == 8) {
			vcpu_stop(v, "triple fault: exception %u while delivering a double fault", vector);
			return;
		}
		if ((is_contributory(first) && is_contributory(vector)) ||
		    (first == 14 && (vector == 14 || is_contributory(vector)))) {
			vector = 8;
			error_code = 0;
		}
	}
	/* 26.2.1.3: an error code only in protected mode, only for the vectors
	 * that have one, bits 31:16 zero; anything else fails the VM entry. */
	vmx_inject_ctx(v, &c);
	has_code = inject_exception_has_error_code(vector, &c);
	vmcs_write(VMCS_VM_ENTRY_INTR_INFO, vmx_intr_info(vector, INTR_TYPE_HARDWARE_EXCEPTION, has_code));
	if (has_code)
		vmcs_write(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, error_code & 0xffff);
	/* A fault delivered by the CPU pushes RF = 1; injection pushes the RFLAGS field. */
	if (c.protected_mode && exception_class(vector) == EXC_FAULT)
		vcpu_set_reg(v, VREG_RFLAGS, inject_rflags(vector, true, vcpu_reg(v, VREG_RFLAGS)));
}

int vcpu_exception_error_code(struct vcpu *v, unsigned int vector)
{
	struct inject_ctx c;

	vmx_inject_ctx(v, &c);
	switch (exception_class(vector)) {
	case EXC_RESERVED:
	case EXC_INTERRUPT:
		return -EINVAL;
	default:
		break;
	}
	/* #CP exists only on CPUs with CET, which are the ones with IA32_VMX_BASIC[56]. */
	if (vector == 21 && !c.any_error_code)
		return -EINVAL;
	return inject_exception_has_error_code(vector, &c);
}

void vcpu_set_cr2(struct vcpu *v, uint64_t cr2)
{
	/* CR2 is not in the VMCS: the CPU's own CR2 becomes the guest's on entry. */
	write_cr2(cr2);
}

void vcpu_cancel_event(struct vcpu *v)
{
	vmcs_write(VMCS_VM_ENTRY_INTR_INFO, 0);
}

/* Software interrupts and exceptions need the instruction length to push
 * the right RIP (27.6.1.3). */
void vmx_requeue_vectored_event(const struct exit_info *e)
{
	uint32_t type = (e->idt_vectoring & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;

	vmcs_write(VMCS_VM_ENTRY_INTR_INFO, e->idt_vectoring & ~INTR_INFO_NMI_UNBLOCKING_IRET);
	if (e->idt_vectoring & INTR_INFO_DELIVER_ERROR_CODE)
		vmcs_write(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, e->idt_vectoring_error);
	if (type == INTR_TYPE_SOFTWARE_INTERRUPT || type == INTR_TYPE_PRIV_SOFTWARE_EXCEPTION ||
	    type == INTR_TYPE_SOFTWARE_EXCEPTION)
		vmcs_write(VMCS_VM_ENTRY_INSTRUCTION_LEN, vmcs_read(VMCS_VM_EXIT_INSTRUCTION_LEN));
}

/* An NMI that reached the hypervisor (an NMI exit, or one while it ran) or
 * that the shell asked for goes to the guest at the first VM entry at which
 * it can take one. Where it cannot yet (inside its NMI handler, after MOV SS,
 * another event queued), NMI-window exiting brings the exit at the first
 * instruction boundary where it can (26.2), whose entry injects it. */
void vmx_deliver_pending_nmi(struct vcpu *v)
{
	uint32_t proc;
	bool queued;

	/* Nearly every entry: nothing pending, and no VMREAD spent finding out. */
	if (!trap_nmi_pending() && !v->nmis_requested)
		return;
	if (v->state != VCPU_RUNNING)
		return;
	queued = vmcs_read(VMCS_VM_ENTRY_INTR_INFO) & INTR_INFO_VALID;
	switch (nmi_entry_action(queued, (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO),
				 vmx_this_cpu.nmi_window)) {
	case NMI_INJECT:
		if (v->nmis_requested)
			v->nmis_requested--;
		else if (!trap_take_nmi())
			return;
		vmcs_write(VMCS_VM_ENTRY_INTR_INFO, vmx_intr_info(2, INTR_TYPE_NMI, false));
		return;
	case NMI_OPEN_WINDOW:
		proc = (uint32_t)vmcs_read(VMCS_CPU_BASED_VM_EXEC_CONTROL);
		if (!(proc & CPU_NMI_WINDOW_EXITING))
			vmcs_write(VMCS_CPU_BASED_VM_EXEC_CONTROL, proc | CPU_NMI_WINDOW_EXITING);
		return;
	case NMI_WAIT:
		return;
	}
}

static void set_intr_window(struct vmx_vcpu *x, bool on)
{
	uint64_t proc;

	if (x->intr_window == on)
		return;
	proc = vmcs_read(VMCS_CPU_BASED_VM_EXEC_CONTROL);
	vmcs_write(VMCS_CPU_BASED_VM_EXEC_CONTROL,
		   on ? proc | CPU_INTERRUPT_WINDOW_EXITING : proc & ~(uint64_t)CPU_INTERRUPT_WINDOW_EXITING);
	x->intr_window = on;
}

void vmx_deliver_pending_intr(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);
	int vector = isa_irq_pending_vector();

	if (vector >= 0 && v->state == VCPU_RUNNING &&
	    intr_injectable((uint32_t)vmcs_read(VMCS_VM_ENTRY_INTR_INFO), vmcs_read(VMCS_GUEST_RFLAGS),
			    vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO), vmcs_read(VMCS_GUEST_ACTIVITY_STATE))) {
		vmcs_write(VMCS_VM_ENTRY_INTR_INFO,
			   vmx_intr_info((unsigned int)vector, INTR_TYPE_EXTERNAL_INTERRUPT, false));
		isa_irq_injected();
		vector = isa_irq_pending_vector();        /* another one waiting? */
	}
	set_intr_window(x, vector >= 0);
}
