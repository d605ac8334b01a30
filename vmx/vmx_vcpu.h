/* vmx/vmx_vcpu.h - VMX state of one virtual CPU, shared by vmx/vcpu.c (setup)
 * and vmx/exit.c, vmx/handlers.c (running it). */
#ifndef VMX_VMX_VCPU_H
#define VMX_VMX_VCPU_H

#include "guest/vcpu.h"
#include "guest/policy/features.h"
#include "guest/tsc_offset.h"
#include "vmx/vmcs_access.h"
#include <stdarg.h>

struct ept;

#define VMX_MSR_LOG_MAX 32

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

struct vmx_vcpu {
	struct vmx_exit_stack exit_stack __aligned(16);
	hpa_t vmcs;
	hpa_t msr_bitmap, io_bitmap_a, io_bitmap_b;
	bool launched;                  /* VMLAUNCH done: VMRESUME from now on */
	uint64_t cr0_mask, cr4_mask;    /* guest/host masks: bits the hypervisor owns */
	struct ept *ept;
	uint32_t last_exit;             /* basic reason of the last exit */
	enum vmx_step step;             /* how a single step is armed */
	bool step_bs_was_pending;       /* the guest's own single-step #DB was already pending */
	struct guest_features features; /* what the controls let the guest use (vmx_guest_features) */
	uint64_t misc_enable;           /* the guest's IA32_MISC_ENABLE (never written to hardware) */
	struct guest_tsc tsc;           /* the TSC offset and the guest's TSC_ADJUST, TSC_DEADLINE */
	bool has_tsc_adjust;            /* CPUID.(7,0):EBX[1]: IA32_TSC_ADJUST exists */
	bool has_tsc_deadline;          /* CPUID.1:ECX[24]: IA32_TSC_DEADLINE exists */
	uint32_t msr_logged[VMX_MSR_LOG_MAX];   /* msr_log_key()s already logged */
	unsigned int msr_logged_count;  /* entries used; VMX_MSR_LOG_MAX + 1 once "more" was said */
	bool intr_window;               /* interrupt-window exiting is on (an 8259 IRQ waits) */
};

/* Facts about the current exit, read from the VMCS once (vmx/exit.c). */
struct exit_info {
	uint32_t reason;                /* full exit reason field */
	uint32_t basic;                 /* bits 15:0 */
	uint64_t qual;
	uint32_t insn_len;
	uint32_t idt_vectoring;         /* IDT-vectoring information */
	uint32_t idt_vectoring_error;
	uint64_t rip;
};

static inline struct vmx_vcpu *to_vmx(struct vcpu *v)
{
	return v->arch;
}

/* Flushes the guest's TLB entries (linear and combined) for its VPID, as a
 * real MOV to CR3/CR0/CR4 would; without VPID every VM entry already does (28.3.3.1). */
void vmx_flush_guest_tlb(struct vcpu *v);

/* Invalidates what the CPU cached from the guest's EPT after a change
 * (INVEPT single-context when supported, else all-context; 29.4.3). */
void vmx_flush_ept(struct vcpu *v);

/* Completes the exiting instruction: RIP past it, STI/MOV-SS blocking cleared. */
void vmx_skip_instruction(struct vcpu *v, const struct exit_info *e);

/* After the hypervisor completed an instruction for the guest: end STI/MOV-SS
 * blocking and, if RFLAGS.TF was set, leave the single-step #DB pending as the
 * CPU would have (pending debug exceptions BS, SDM Vol. 3C 25.4.2, 27.7.3). */
void vmx_instruction_completed(uint64_t rflags);

/* Queues a hardware exception for the next VM entry, as the CPU would deliver
 * it: the error code (low 16 bits) only in protected mode and only for the
 * vectors that have one (SDM Vol. 3C 26.2.1.3), RF set for faults. */
void vmx_inject_exception(struct vcpu *v, unsigned int vector, uint32_t error_code);

struct inject_ctx;
/* The current guest's facts for vmx/inject_rules.h (mode, IA32_VMX_BASIC[56]). */
void vmx_inject_ctx(struct inject_ctx *c);

/* Stops the guest (not the hypervisor) with a reason for the report. */
void vmx_stop_guest(struct vcpu *v, const char *fmt, ...) __printf(2, 3);
void vmx_vstop_guest(struct vcpu *v, const char *fmt, va_list ap);

/* Injects an NMI the shell asked for, or one that reached the hypervisor,
 * if the guest can take one now; otherwise sets NMI-window exiting where the
 * CPU has it, or leaves it for a later entry. */
void vmx_deliver_pending_nmi(struct vcpu *v);
/* The NMI-window exit: clears NMI-window exiting (the next entry injects). */
void vmx_nmi_window_exit(struct vcpu *v, struct exit_info *e);

/* Injects the 8259 interrupt the guest's ISA lines raised (guest/dev/isa_irq.c)
 * if the guest can take an external interrupt now; otherwise turns on
 * interrupt-window exiting so the CPU comes back as soon as it can. */
void vmx_deliver_pending_intr(struct vcpu *v);

/* Single steps (vmx/step.c): ends one after its exit (any reason but the
 * console tick); disarms one the shell cancelled; true if a #DB exception
 * exit is the step's own. */
void vmx_step_end(struct vcpu *v, uint32_t reason);
void vmx_step_disarm(struct vcpu *v);
bool vmx_step_owns_db(struct vcpu *v, uint64_t qual);

/* The exit dispatcher and the VM-entry-failure report (vmx/exit.c). */
void vmx_handle_exit(struct vcpu *v);
void vmx_entry_failed(struct vcpu *v, int how);

/* Prints the guest's registers and segment state (for stops and entry failures). */
void vmx_dump_guest_state(struct vcpu *v);

/* The TSC MSRs (vmx/tsc_msrs.c): vmx_tsc_init reads what the CPU has and
 * starts the guest's TSC at the host's; the accessors return false for #GP. */
void vmx_tsc_init(struct vmx_vcpu *x);
bool vmx_tsc_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);
bool vmx_tsc_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);

typedef void (*exit_handler_t)(struct vcpu *v, struct exit_info *e);

/* Handlers for memory and port exits (vmx/memory_exits.c). */
void vmx_handle_io(struct vcpu *v, struct exit_info *e);
void vmx_handle_ept_violation(struct vcpu *v, struct exit_info *e);
void vmx_handle_ept_misconfig(struct vcpu *v, struct exit_info *e);
/* vmx/task_switch_exit.c: hardware task switches, emulated (guest/emul/task_switch.c). */
void vmx_handle_task_switch(struct vcpu *v, struct exit_info *e);
extern const exit_handler_t vmx_exit_handlers[EXIT_REASON_COUNT];

#endif
