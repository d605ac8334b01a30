/* vmx/vmx_vcpu.h - VMX state of one virtual CPU, shared by vmx/vcpu.c (setup)
 * and the files that run it (vmx/exit.c, vmx/handlers.c, vmx/events.c). */
#ifndef VMX_VMX_VCPU_H
#define VMX_VMX_VCPU_H

#include "guest/backend.h"
#include "guest/policy/features.h"
#include "guest/tsc_offset.h"
#include "vmx/vmcs_access.h"

struct ept;

/* A single step for the shell (vmx/step.c): with the monitor trap flag, or
 * where the CPU has none with RFLAGS.TF and #DB intercepted. */
enum vmx_step { VMX_STEP_NONE, VMX_STEP_MTF, VMX_STEP_TF };

/* Where VM exits land (HOST_RSP = &regs, written once): vmx/entry.asm's
 * exit stub uses the words below regs, then returns to vmx_enter's frame. */
struct vmx_exit_stack {
	uint64_t scratch[6];            /* the exit stub's pushes (one today) */
	struct guest_regs *regs;        /* stored by vmx_enter before each entry */
	uint64_t host_rsp;              /* vmx_enter's frame, likewise */
};
_Static_assert(offsetof(struct vmx_exit_stack, regs) == 6 * 8, "ES_REGS in vmx/entry.asm");
_Static_assert(offsetof(struct vmx_exit_stack, host_rsp) == 7 * 8, "ES_HOST_RSP in vmx/entry.asm");

/* Facts about the current exit every exit needs, read from the VMCS once
 * (vmx/exit.c); the rest (qualification, instruction length) on demand. */
struct exit_info {
	uint32_t reason;                /* full exit reason field */
	uint32_t basic;                 /* bits 15:0 */
	uint32_t idt_vectoring;         /* IDT-vectoring information */
	uint32_t idt_vectoring_error;
};

struct vmx_vcpu {
	struct vmx_exit_stack exit_stack __aligned(16);
	hpa_t vmcs;
	hpa_t msr_bitmap, io_bitmap_a, io_bitmap_b;
	bool launched;                  /* VMLAUNCH done: VMRESUME from now on */
	uint64_t cr0_mask, cr4_mask;    /* guest/host masks: bits the hypervisor owns */
	struct ept *ept;                /* the VM's (v->vm->stage2) */
	struct exit_info exit;          /* the last exit */
	enum vmx_step step;             /* how a single step is armed */
	bool step_bs_was_pending;       /* the guest's own single-step #DB was already pending */
	struct guest_features features; /* what the controls let the guest use (vmx_guest_features) */
	struct guest_tsc tsc;           /* the TSC offset and the guest's TSC_ADJUST, TSC_DEADLINE */
	bool has_tsc_adjust;            /* CPUID.(7,0):EBX[1]: IA32_TSC_ADJUST exists */
	bool has_tsc_deadline;          /* CPUID.1:ECX[24]: IA32_TSC_DEADLINE exists */
	bool intr_window;               /* interrupt-window exiting is on (an 8259 IRQ waits) */
};

static inline struct vmx_vcpu *to_vmx(struct vcpu *v)
{
	return v->arch;
}

/* Flushes the guest's TLB entries (linear and combined) for its VPID, as a
 * real MOV to CR3/CR0/CR4 would; without VPID every VM entry already does (28.3.3.1). */
void vmx_flush_guest_tlb(struct vcpu *v);

/* Invalidates what the CPU cached from an EPT after a change
 * (INVEPT single-context when supported, else all-context; 29.4.3). */
void vmx_flush_ept(const struct ept *ept);

/* The EPT of vm (vmx/stage2.c). */
struct ept *vmx_stage2_ept(struct vm *vm);

struct inject_ctx;
/* The current guest's facts for vmx/inject_rules.h (mode, IA32_VMX_BASIC[56]). */
void vmx_inject_ctx(struct vcpu *v, struct inject_ctx *c);

/* vmx/events.c: Injects an NMI the shell asked for, or one that reached the
 * hypervisor, if the guest can take one now; otherwise sets NMI-window
 * exiting where the CPU has it, or leaves it for a later entry. */
void vmx_deliver_pending_nmi(struct vcpu *v);
/* Injects the 8259 interrupt the guest's ISA lines raised (guest/dev/isa_irq.c)
 * if the guest can take an external interrupt now; otherwise turns on
 * interrupt-window exiting so the CPU comes back as soon as it can. */
void vmx_deliver_pending_intr(struct vcpu *v);
/* An exit interrupted the delivery of an event (28.2.4): deliver it again on
 * the next entry, unless the handler decides otherwise. */
void vmx_requeue_vectored_event(const struct exit_info *e);

/* Single steps (vmx/step.c): disarms one the shell cancelled; true if a
 * #DB exception exit is the step's own. */
void vmx_step_disarm(struct vcpu *v);
bool vmx_step_owns_db(struct vcpu *v, uint64_t qual);

/* The exits vmx/handlers.c handles inside vcpu_enter (vmx_exit_is_internal). */
void vmx_handle_internal_exit(struct vcpu *v, enum guest_exit r);
/* vmx/dump.c: VMLAUNCH/VMRESUME failed; a VM-entry failure exit. */
void vmx_entry_failed(struct vcpu *v, int how);
void vmx_entry_failure_exit(struct vcpu *v, const struct exit_info *e);

/* The TSC MSRs (vmx/tsc_msrs.c): vmx_tsc_init reads what the CPU has and
 * starts the guest's TSC at the host's. */
void vmx_tsc_init(struct vmx_vcpu *x);

#endif
