/* guest/vcpu.h - a virtual CPU as the rest of the hypervisor sees it: guest
 * registers, start state, statistics and why it stopped. The hardware
 * backend (vmx/ now, SVM later) keeps its own state behind `arch`. */
#ifndef GUEST_VCPU_H
#define GUEST_VCPU_H

#include "lib/compiler.h"
#include "lib/addr.h"
#include <stdarg.h>
#include "guest/exit_reason.h"
#include "guest/emul/insn_cache.h"

/* General-purpose registers in the SDM's encoding order (Table 28-3), so an
 * exit qualification's register number indexes gpr[] directly. gpr[REG_RSP]
 * is not the guest's RSP: that one is VREG_RSP in the register cache. */
enum gpr {
	REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
	REG_COUNT
};

struct guest_regs {
	uint64_t gpr[REG_COUNT];
};

/* How a guest starts (docs/hypercalls.md, "Guest modules"). */
/* RESUME: a CPU that goes on exactly where it was (chain mode's firmware:
 * guest/load/cpu_resume.h), from start.resume. */
enum vcpu_mode { VCPU_MODE_REAL, VCPU_MODE_PROT32, VCPU_MODE_LONG64, VCPU_MODE_RESUME };

struct cpu_resume;

struct vcpu_start {
	enum vcpu_mode mode;
	const struct cpu_resume *resume; /* resume: the whole state (RAX 0, the rest as there) */
	uint64_t rip, rsp;
	uint64_t cr3;                    /* long64: guest page tables */
	gpa_t gdt_base;                  /* prot32/long64: flat GDT the loader built */
	uint16_t gdt_limit;
	uint64_t rax, rbx, rsi;          /* boot protocol registers (Multiboot magic/info, Linux zero page) */
};

struct exit_stat {
	uint64_t count;
	uint64_t tsc_total;              /* TSC ticks from exit to re-entry, summed */
	uint64_t unshadowed;             /* HV_VMCS_COUNT builds: VMREADs/VMWRITEs of fields KVM
					  * does not shadow, exit to next entry, summed */
};

enum vcpu_state { VCPU_RUNNING, VCPU_STOPPED };

/* Registers the backend keeps in its own structure (VMCS, VMCB), cached for
 * one exit (guest/backend.h: vcpu_reg, vcpu_set_reg): valid bits cleared by
 * each exit, so a field is read at most once per exit; dirty ones written
 * back once, after the exit's handling. CR0 and CR4 are the guest's view
 * (read shadows where the hypervisor owns bits). */
enum vcpu_reg { VREG_RIP, VREG_RSP, VREG_RFLAGS, VREG_CR0, VREG_CR3, VREG_CR4, VREG_EFER, VREG_COUNT };

struct vcpu_reg_cache {
	uint64_t val[VREG_COUNT];
	uint32_t valid, dirty;           /* bit (1 << enum vcpu_reg) */
};

/* An exit as generic code sees it (guest/backend.h, vcpu_enter). */
struct vcpu_exit {
	enum guest_exit reason;
	uint32_t vendor_reason;          /* the backend's own (VMX basic exit reason), for traces */
	uint64_t tsc;                    /* when it happened */
};

/* GUEST_EXIT_IO details (vcpu_exit_io). */
struct exit_io {
	uint16_t port;
	uint8_t size;                    /* 1, 2, 4; 0: the CPU reported an undefined size */
	bool in, string, rep;
	uint8_t addr_size;               /* INS/OUTS: 2, 4, 8 */
	uint8_t segment;                 /* OUTS source segment (0 ES .. 5 GS); INS always ES */
	uint8_t insn_len;
};

/* GUEST_EXIT_STAGE2_FAULT and _MISCONFIG details (vcpu_exit_stage2). */
struct exit_stage2 {
	gpa_t gpa;
	bool read, write, fetch;         /* the access */
	bool readable, writable, executable;   /* what the entry allowed */
	bool during_delivery;            /* by the CPU delivering an event (IDT, stack, TSS) */
	bool guest_walk;                 /* by the CPU walking the guest's page tables */
	bool gla_final;                  /* the access was to gla's translation (not a walk's) */
	gva_t gla;                       /* with gla_final: the linear address accessed */
};

#define VCPU_MSR_LOG_MAX 32

/*
 * Whether the next exits must go through the run loop (the slow path)
 * instead of the backend's fast path (vmx/fast_exit.c), in one word that
 * the fast path tests with one load. `state`: written by the vCPU's own CPU
 * before each VM entry from the run loop, from the conditions only that
 * path serves (a step, a trace, an event to inject, ...). `posted`: set by
 * producers anywhere (vcpu_slow_post: an 8259 IRQ latched for the boot
 * vCPU, the shell's NMI, vcpu_stop), taken by the vCPU's CPU before its
 * next entry from the run loop, which then looks at what they posted.
 */
union vcpu_slow {
	struct {
		uint32_t state;
		volatile uint32_t posted;
	};
	volatile uint64_t any;
};

#define VCPU_SLOW_IRQ   (1u << 0)       /* posted: an 8259 IRQ latched or unmasked */
#define VCPU_SLOW_NMI   (1u << 1)       /* posted: the shell queued an NMI */
#define VCPU_SLOW_STOP  (1u << 2)       /* posted: vcpu_stop (a device model's, on the fast path) */

struct vm;
struct gmap_range;
struct cpuid_table;

/* vcpu.msr_fast (guest/run/cpu_exits.c): the MSR policy's answers for this
 * vCPU's features, taken once, for the fast exit path. */
#define MSR_FAST_KNOWN        (1u << 0)
#define MSR_FAST_FC_READ      (1u << 1)   /* RDMSR IA32_FEATURE_CONTROL: the kept view */
#define MSR_FAST_MISC_READ    (1u << 2)   /* RDMSR IA32_MISC_ENABLE: v->misc_enable */
#define MSR_FAST_MISC_WRITE   (1u << 3)   /* WRMSR IA32_MISC_ENABLE: into v->misc_enable */

struct vcpu {
	struct guest_regs regs;          /* first: the VM-entry stub relies on it (vmx/entry.asm) */
	const char *name;
	enum vcpu_state state;
	int exit_status;                 /* HC_EXIT status, or -1 if stopped by the hypervisor */
	char stop_reason[160];           /* why it stopped, for the report */
	struct vcpu_reg_cache rc;        /* RIP, RSP, RFLAGS, CRs, EFER for this exit */
	union vcpu_slow slow;            /* the fast path's one test (above) */
	uint64_t fast_until;             /* TSC: from here the next exit takes the run loop (its tick) */
	uint64_t next_tick;              /* TSC: the boot vCPU's next console tick (guest/run/run.c) */
	struct exit_stat exits[GUEST_EXIT_COUNT];
	bool entered;                    /* a VM entry succeeded (an exit without the entry-failure bit came) */
	uint64_t started_tsc;            /* when the run loop first entered it */
	uint64_t tick_tsc;               /* exit at least this often (TSC ticks) so the console is polled; 0 = never */
	/* Set by the debug shell (shell/), acted on by the run loop and the backend. */
	bool paused;                     /* not entered until resumed */
	bool stepping;                   /* run until the next VM exit of one instruction, then pause */
	bool step_ended;                 /* a step ended: the shell says where */
	enum guest_exit step_exit;       /* the exit reason that ended it */
	unsigned int nmis_requested;     /* NMIs to inject when the guest can take one */
	bool reset_requested;            /* stopped in order to start again */
	bool reset_by_guest;             /* the guest reset itself (guest/dev/reset.c) */
	uint8_t on_reset;                /* enum reset_action: what that does (hv.onreset=) */
	gpa_t unmap_once_gpa;            /* HC_UNMAP_ONCE page, INVALID_GPA if none */
	uint64_t unmap_once_entry;       /* its stage-2 entry while unmapped */
	const struct cpuid_table *cpuid_table;  /* its CPU's CPUID table (guest/run/cpu_exits.c) once
					  * built for it (by its first CPUID exit); NULL before */
	uint8_t msr_fast;                /* MSR_FAST_*: what the MSR policy lets the fast path answer */
	uint64_t misc_enable;            /* the guest's IA32_MISC_ENABLE (never written to hardware) */
	uint64_t efer_supported;         /* the IA32_EFER bits its CPUID gives it (guest/policy/efer.h) */
	uint64_t feature_control;        /* the guest's IA32_FEATURE_CONTROL view; 0 until first read */
	uint32_t msr_logged[VCPU_MSR_LOG_MAX];  /* msr_log_key()s already logged */
	unsigned int msr_logged_count;   /* entries used; VCPU_MSR_LOG_MAX + 1 once "more" was said */
	struct vm *vm;                   /* its VM: memory map, stage-2 tables */
	void *arch;                      /* backend state (struct vmx_vcpu) */
	/* Its physical CPU (1:1) and the start-up protocol (guest/vm.h). */
	uint32_t apic_id;                /* that CPU's APIC ID, which the guest sees too */
	unsigned int cpu;                /* that CPU's index (arch/percpu.h); 0: the boot vCPU */
	bool wait_sipi;                  /* in the wait-for-SIPI activity state */
	bool started;                    /* an AP that left wait-for-SIPI at least once */
	uint32_t sipis;                  /* start-ups taken, for the report */
	bool fresh_start;                /* started by a SIPI, no exit since */
	bool joined;                     /* chain mode: joined the running guest resumed; until
					    its first exit (entered) INIT and SIPI sent to it go
					    to its mailbox (guest/dev/guest_ipi.c) */
	bool stale_init_said;            /* the INIT-right-after-SIPI diagnosis was printed */
	volatile uint32_t mailbox;       /* VCPU_MB_* posted by other CPUs, taken by its run loop */
	struct insn_cache icache;        /* decoded MMIO instructions (guest/dev/emulate.c) */
	const struct gmap_range *mmio_range;  /* the guest map's range of the last stage-2 fault */
	uint64_t mmio_range_gen;         /* the map's generation then (the range is stale after a change) */
};

/* vcpu.mailbox: signals for the vCPU's own CPU to carry out. */
#define VCPU_MB_INIT        (1u << 0)   /* emulated INIT */
#define VCPU_MB_SIPI        (1u << 1)   /* emulated SIPI, vector in bits 15:8 */
#define VCPU_MB_KICK        (1u << 2)   /* the next SIPI exit is the hypervisor's wake-up, not the guest's */
#define VCPU_MB_VECTOR(m)   ((uint8_t)((m) >> 8))

_Static_assert(offsetof(struct vcpu, regs) == 0, "vmx/fast_exit.c: regs is the vCPU");

/* Makes v's next exit take the run loop, which then looks at what `why`
 * says changed (VCPU_SLOW_*). Any CPU. */
static inline void vcpu_slow_post(struct vcpu *v, uint32_t why)
{
	__atomic_or_fetch(&v->slow.posted, why, __ATOMIC_SEQ_CST);
}

/* Stops the guest (not the hypervisor) with a reason for its report. */
void vcpu_stop(struct vcpu *v, const char *fmt, ...) __printf(2, 3);
void vcpu_vstop(struct vcpu *v, const char *fmt, va_list ap);

#endif
