/* vmx/handlers.c - the VM exits the VMX backend handles itself inside
 * vcpu_enter (vmx_exit_is_internal; SDM Vol. 3C, 26.1-26.2 for what exits,
 * 28.2.1 for the qualifications): control-register accesses (guest/host
 * masks and read shadows), VMX instructions, intercepted exceptions and
 * NMIs, the NMI window, entry failures. Every other exit is
 * handled by generic code (guest/run/exit.c). */
#include "vmx/handlers.h"
#include "vmx/guest_state.h"
#include "vmx/step.h"
#include "vmx/flush.h"
#include "vmx/dump.h"
#include "vmx/vmx_cpu.h"
#include "vmx/exit_decode.h"
#include "guest/run/exit.h"
#include "guest/gmem.h"
#include "arch/cpu.h"
#include "arch/trap.h"

#define CR0_PE  (1ULL << 0)
#define CR0_TS  (1ULL << 3)
#define CR0_NW  (1ULL << 29)
#define CR0_CD  (1ULL << 30)
#define CR4_PAE (1ULL << 5)
#define CR4_VMXE (1ULL << 13)
#define CR4_PCIDE (1ULL << 17)

/* With EPT and PAE paging outside IA-32e mode, VM entry loads the PDPTEs from
 * the VMCS (27.3.2.4): refresh them after an emulated CR write. */
static bool load_pdptes(struct vcpu *v, uint64_t cr0, uint64_t cr4)
{
	uint64_t pdpte[4];
	gpa_t base = vmcs_read(VMCS_GUEST_CR3) & 0xffffffe0ULL;

	if (!(cr0 & CR0_PG) || !(cr4 & CR4_PAE) || (to_vmx(v)->efer & EFER_LME))
		return true;
	if (gmem_read(base, pdpte, sizeof(pdpte)))
		return false;
	for (unsigned int i = 0; i < 4; i++) {
		/* Reserved bits in a present PDPTE: #GP (4.4.1). */
		if ((pdpte[i] & 1) && (pdpte[i] & 0x1e6))
			return false;
		vmcs_write(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
	}
	return true;
}

/* MOV to CR0 that touched a bit the hypervisor owns (CR0.PG among them:
 * every change of it exits): do what the CPU would (SDM Vol. 2, MOV to
 * CR0; Vol. 3A 9.8.5 for entering/leaving IA-32e mode, which sets and
 * clears IA32_EFER.LMA and, with it, the "IA-32e mode guest" entry control
 * that VM entry checks against it, 27.3.1.1). */
static bool emulate_cr0_write(struct vcpu *v, uint64_t val)
{
	const struct vmx_cap_msrs *c = &vmx_this_cpu.caps;
	struct vmx_vcpu *x = to_vmx(v);
	uint64_t old = guest_cr0_view(v);
	uint64_t efer = x->efer;
	uint64_t cr4 = vmcs_read(VMCS_GUEST_CR4);
	uint32_t entry = 0;

	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) || ((val & CR0_NW) && !(val & CR0_CD)))
		return false;
	if (!(old & CR0_PG) && (val & CR0_PG) && (efer & EFER_LME)) {
		/* Activating IA-32e mode needs PAE and a CS without L (as KVM's kvm_set_cr0). */
		if (!(cr4 & CR4_PAE) || (vmcs_read(VMCS_GUEST_CS_AR_BYTES) & GUEST_AR_L))
			return false;
		efer |= EFER_LMA;
	} else if ((old & CR0_PG) && !(val & CR0_PG) && (efer & EFER_LMA)) {
		if (guest_64bit_code(v) || (cr4 & CR4_PCIDE))
			return false;
		efer &= ~EFER_LMA;
	}
	if (!load_pdptes(v, val, cr4))
		return false;
	if (efer != x->efer) {
		entry = (uint32_t)vmcs_read(VMCS_VM_ENTRY_CONTROLS);
		entry = efer & EFER_LMA ? entry | ENTRY_IA32E_MODE_GUEST : entry & ~ENTRY_IA32E_MODE_GUEST;
		vmx_set_guest_efer(x, efer);
		vmcs_write(VMCS_VM_ENTRY_CONTROLS, entry);
	}
	vmcs_write(VMCS_CR0_READ_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR0, vmx_apply_fixed(val, c->cr0_fixed0 & ~(CR0_PE | CR0_PG), c->cr0_fixed1));
	return true;
}

static bool emulate_cr4_write(struct vcpu *v, uint64_t val)
{
	const struct vmx_cap_msrs *c = &vmx_this_cpu.caps;

	/* VMXE is hidden (VMX does not exist for guests) and bits the CPU
	 * does not allow are reserved: both #GP like on a CPU without them. */
	if ((val >> 32) || (val & CR4_VMXE) || (val & ~c->cr4_fixed1 & 0xffffffffULL))
		return false;
	if (!(val & CR4_PAE) && (to_vmx(v)->efer & EFER_LMA))
		return false;
	if (!load_pdptes(v, vmcs_read(VMCS_GUEST_CR0), val))
		return false;
	vmcs_write(VMCS_CR4_READ_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR4, vmx_apply_fixed(val, c->cr4_fixed0, c->cr4_fixed1) | vmx_guest_cr4_forced());
	return true;
}

static void handle_cr_access(struct vcpu *v)
{
	struct cr_access a;
	uint64_t val, cr0;
	bool ok = true;

	vmx_decode_cr_access(vmcs_read(VMCS_EXIT_QUALIFICATION), &a);
	switch (a.type) {
	case CR_ACCESS_MOV_TO:
		val = gpr_get(v, a.gpr);
		if (!guest_64bit_code(v))
			val &= 0xffffffffULL;
		if (a.cr == 0)
			ok = emulate_cr0_write(v, val);
		else if (a.cr == 4)
			ok = emulate_cr4_write(v, val);
		else if (a.cr == 3)
			vmcs_write(VMCS_GUEST_CR3, val);      /* the cache forgets CR3 below */
		else if (a.cr == 8)
			asm volatile("mov %0, %%cr8" : : "r"(val & 0xf));
		break;
	case CR_ACCESS_MOV_FROM:
		if (a.cr == 3)
			val = vmcs_read(VMCS_GUEST_CR3);
		else
			asm volatile("mov %%cr8, %0" : "=r"(val));
		gpr_set(v, a.gpr, val);
		break;
	case CR_ACCESS_CLTS:
		cr0 = guest_cr0_view(v);
		ok = emulate_cr0_write(v, cr0 & ~CR0_TS);
		break;
	case CR_ACCESS_LMSW:
		/* LMSW loads CR0[3:0] but can set PE, never clear it. */
		cr0 = guest_cr0_view(v);
		ok = emulate_cr0_write(v, (cr0 & ~0xeULL) | (a.lmsw_source & 0xf) | (cr0 & CR0_PE));
		break;
	}
	/* Written to the VMCS directly above: the cached copies are void. */
	v->rc.valid &= ~(1u << VREG_CR0 | 1u << VREG_CR3 | 1u << VREG_CR4 | 1u << VREG_EFER);
	if (!ok) {
		vcpu_inject_exception(v, 13, 0);
		return;
	}
	/* The real instruction would have flushed the TLB (SDM Vol. 3A, 4.10.4.1);
	 * the emulated one must too (harmless for reads and CLTS: these exits are rare). */
	if (a.type != CR_ACCESS_MOV_FROM && a.cr != 8)
		vmx_flush_guest_tlb(v);
	vcpu_skip_instruction(v);
}

/* Intercepted: #MC always (machine checks are the hypervisor's), #DB while
 * the shell single-steps with RFLAGS.TF (vmx/step.c). With "NMI exiting"
 * an NMI exits here too: it is the guest's (it owns the devices) and is
 * queued like one that reaches the hypervisor's IDT. */
static void handle_exception(struct vcpu *v, const struct exit_info *e)
{
	uint32_t info = (uint32_t)vmcs_read(VMCS_VM_EXIT_INTR_INFO);
	char what[96];

	/* The exit undid the unblocking by an IRET it interrupted: with virtual
	 * NMIs, restore virtual-NMI blocking (28.2.3, VM-exit interruption info bit 12). */
	if ((info & INTR_INFO_NMI_UNBLOCKING_IRET) && !(e->idt_vectoring & INTR_INFO_VALID) &&
	    (vmx_this_cpu.ctl.pin & PIN_VIRTUAL_NMIS))
		exs_set(&to_vmx(v)->xs, EXS_GUEST_INTERRUPTIBILITY_INFO,
			exs_get(&to_vmx(v)->xs, EXS_GUEST_INTERRUPTIBILITY_INFO) | INTERRUPTIBILITY_NMI);
	if (((info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT) == INTR_TYPE_NMI) {
		/* The hypervisor's kick is not the guest's: not counted, not
		 * injected (arch/cpu_request.c; the run loop serves it next). */
		if (!cpu_request_nmi(&percpu_self()->req))
			trap_nmi_arrived();
		/* An NMI VM exit leaves NMIs blocked until the next IRET: without
		 * one, this CPU would miss kicks while it stays in the
		 * hypervisor (the shell). After the kick is told apart: an NMI
		 * that comes at once is the next one. */
		cpu_nmi_unblock();
		return;
	}
	vmx_describe_intr_info(info, what, sizeof(what));
	if ((info & INTR_INFO_VECTOR_MASK) == 1) {
		/* Only intercepted while the shell steps with RFLAGS.TF (vmx/step.c). */
		if (!vmx_step_owns_db(v, vmcs_read(VMCS_EXIT_QUALIFICATION)))
			vcpu_inject_exception(v, 1, 0);
		return;
	}
	if ((info & INTR_INFO_VECTOR_MASK) == 18) {
		guest_machine_check(v, false);
		return;
	}
	vcpu_stop(v, "unexpected exception exit: %s", what);
}

void vmx_handle_internal_exit(struct vcpu *v, enum guest_exit r)
{
	const struct exit_info *e = &to_vmx(v)->exit;

	switch (r) {
	case GUEST_EXIT_EXCEPTION:
		handle_exception(v, e);
		break;
	case GUEST_EXIT_CR_ACCESS:
		handle_cr_access(v);
		break;
	case GUEST_EXIT_VIRT_INSN:
		/* VMX is hidden from guests: as on a CPU without it (CPUID.1:ECX.VMX = 0). */
		vcpu_inject_exception(v, 6, 0);
		break;
	case GUEST_EXIT_NMI_WINDOW:
		/* The guest can take an NMI now: the entry after this exit injects it. */
		vmcs_write(VMCS_CPU_BASED_VM_EXEC_CONTROL,
			   vmcs_read(VMCS_CPU_BASED_VM_EXEC_CONTROL) & ~(uint64_t)CPU_NMI_WINDOW_EXITING);
		break;
	case GUEST_EXIT_ENTRY_FAILURE:
		vmx_entry_failure_exit(v, e);
		break;
	default:
		/* External interrupts, the interrupt window (the next entry injects
		 * the 8259 interrupt that waits), the console tick and the end of a
		 * single step (the run loop acts on both): nothing to do here. */
		break;
	}
}
