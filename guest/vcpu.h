/* guest/vcpu.h - a virtual CPU as the rest of the hypervisor sees it: guest
 * registers, start state, statistics and why it stopped. The hardware
 * backend (vmx/ now, SVM later) keeps its own state behind `arch`. */
#ifndef GUEST_VCPU_H
#define GUEST_VCPU_H

#include "lib/compiler.h"
#include "lib/addr.h"
#include "vmx/vmcs.h"

/* General-purpose registers in the SDM's encoding order (Table 28-3), so an
 * exit qualification's register number indexes gpr[] directly. gpr[REG_RSP]
 * is a copy of the guest's RSP, synced by the backend around handlers. */
enum gpr {
	REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
	REG_COUNT
};

struct guest_regs {
	uint64_t gpr[REG_COUNT];
};

/* How a guest starts (docs/hypercalls.md, "Guest modules"). */
enum vcpu_mode { VCPU_MODE_REAL, VCPU_MODE_PROT32, VCPU_MODE_LONG64 };

struct vcpu_start {
	enum vcpu_mode mode;
	uint64_t rip, rsp;
	uint64_t cr3;                    /* long64: guest page tables */
	gpa_t gdt_base;                  /* prot32/long64: flat GDT the loader built */
	uint16_t gdt_limit;
	uint64_t rax, rbx, rsi;          /* boot protocol registers (Multiboot magic/info, Linux zero page) */
};

struct exit_stat {
	uint64_t count;
	uint64_t tsc_total;              /* TSC ticks from exit to re-entry, summed */
};

enum vcpu_state { VCPU_RUNNING, VCPU_STOPPED };

struct vcpu {
	struct guest_regs regs;          /* first: the VM-entry stub relies on it (vmx/entry.asm) */
	const char *name;
	enum vcpu_state state;
	int exit_status;                 /* HC_EXIT status, or -1 if stopped by the hypervisor */
	char stop_reason[160];           /* why it stopped, for the report */
	struct exit_stat exits[EXIT_REASON_COUNT];
	uint64_t exit_total;
	uint64_t started_tsc;            /* when the run loop first entered it */
	uint64_t tick_tsc;               /* exit at least this often (TSC ticks) so the console is polled; 0 = never */
	/* Set by the debug shell (shell/), acted on by the run loop and the backend. */
	bool paused;                     /* not entered until resumed */
	bool stepping;                   /* run until the next VM exit of one instruction, then pause */
	bool step_ended;                 /* a step ended: the shell says where */
	uint32_t step_exit;              /* the exit reason that ended it */
	unsigned int nmis_requested;     /* NMIs to inject when the guest can take one */
	bool reset_requested;            /* stopped in order to start again */
	bool reset_by_guest;             /* the guest reset itself (guest/dev/reset.c) */
	uint8_t on_reset;                /* enum reset_action: what that does (hv.onreset=) */
	gpa_t unmap_once_gpa;            /* HC_UNMAP_ONCE page, INVALID_GPA if none */
	uint64_t unmap_once_entry;       /* its EPT entry while unmapped */
	void *arch;                      /* backend state (struct vmx_vcpu) */
};


/* What generic guest code (hypercalls, port models) asks of the backend
 * (vmx/handlers.c today). */
void vcpu_inject_exception(struct vcpu *v, unsigned int vector, uint32_t error_code);
/* How a hardware exception of this vector reaches the guest in its current
 * mode: 1 with an error code, 0 without, -EINVAL if this CPU has no such
 * exception to deliver (NMI, reserved vectors, #CP without CET). */
int vcpu_exception_error_code(struct vcpu *v, unsigned int vector);
int __must_check vcpu_unmap_once(struct vcpu *v, gpa_t page);
void vcpu_stop(struct vcpu *v, const char *fmt, ...) __printf(2, 3);
/* The guest memory map changed over [start, end): bring the EPT (or NPT) in line. */
int __must_check vcpu_map_changed(struct vcpu *v, gpa_t start, gpa_t end);

/* What the run loop and the debug shell ask of the backend. */
struct guest_cpu;
/* One VM entry and the handling of the exit that ends it (stops the guest on failure). */
void vcpu_run_once(struct vcpu *v);
/* Arms a single step (monitor trap flag); -ENOTSUP if the CPU cannot. */
int __must_check vcpu_single_step(struct vcpu *v);
/* The guest's registers, control registers and segments, decoded. */
void vcpu_print_regs(struct vcpu *v);
/* The backend's per-guest control structure (the VMCS): all fields grouped,
 * or one by name; -ENOENT for an unknown name. */
int __must_check vcpu_print_hw_state(struct vcpu *v, const char *field);
/* The guest's state for the instruction emulator and page walks. */
void vcpu_read_cpu(struct vcpu *v, struct guest_cpu *c);
/* The name of an exit reason counted in exits[] ("CPUID", "I/O instruction"). */
const char *vcpu_exit_name(unsigned int reason);
/* The exit reason of the tick that polls the console (not traced, not a step). */
bool vcpu_exit_is_tick(unsigned int reason);

#endif
