/* vmx/vmx_vcpu.h - VMX state of one virtual CPU (the data only; each vmx/
 * file declares its functions in its own header), shared by vmx/vcpu.c
 * (setup) and the files that run it (vmx/exit.c, vmx/handlers.c, ...). */
#ifndef VMX_VMX_VCPU_H
#define VMX_VMX_VCPU_H

#include "guest/backend.h"
#include "guest/policy/features.h"
#include "guest/tsc_offset.h"
#include "vmx/vmcs_access.h"
#define EXS_VMREAD(field)        vmcs_read(field)
#define EXS_VMWRITE(field, val)  vmcs_write(field, val)
#include "vmx/exit_state.h"

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
	uint64_t efer;                  /* the guest's IA32_EFER: what GUEST_IA32_EFER holds
					 * (vmx_set_guest_efer), so no exit reads the field */
	struct ept *ept;                /* the VM's (v->vm->stage2) */
	struct exit_info exit;          /* the last exit */
	enum guest_exit last_reason;     /* the neutral reason of the last exit */
	struct exit_state xs;           /* its on-demand fields, read once (vmx/exit_state.h) */
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

#endif
