/* vmx/fast_exit.c - the VM-exit fast path: the common exits finished right
 * after the exit, without the run loop, and the guest entered again from
 * vmx/entry.asm (SDM Vol. 3C, 28.2 exit information, 25.4.2
 * interruptibility; KVM's "fastpath" exits do the same for a few reasons).
 *
 * Taken only when nothing waits for the run loop, which one test says:
 * v->slow (the run loop's own conditions, written before each of its
 * entries, and the producers' posts), this CPU's request bits and pending
 * NMIs (the words arch/ keeps for those), and the time: the run loop comes
 * at least every tick (v->fast_until), since VM entries from here reload
 * the preemption timer. The handlers apply the same
 * checks and policy as the slow path's (guest/run/cpu_exits.h,
 * hypercall.h, memory_exits.h); anything else falls back to it,
 * with the exit untouched. Every VMCS field read or written here is one
 * KVM's nested VMX shadows (vmx/vmcs_shadow.c).
 *
 * No IDT-vectoring information to requeue: the exits taken here are caused
 * by instructions, which never exit during the delivery of an event
 * (28.2.4 lists the exits that can); an EPT violation can, and is taken
 * here only when the IDT-vectoring information says it did not. */
#include "vmx/fast_exit.h"
#include "vmx/guest_state.h"
#include "vmx/exit_decode.h"
#include "vmx/vmx_cpu.h"
#include "guest/run/cpu_exits.h"
#include "guest/run/hypercall.h"
#include "guest/hypercall_abi.h"
#include "guest/run/memory_exits.h"
#include "arch/cpu.h"
#include "arch/percpu.h"
#include "guest/backend.h"

#define RFLAGS_TF (1ULL << 8)

/* Anything for the run loop: posted or set by this CPU's run loop, a
 * request from another CPU, an NMI the guest is owed. */
static inline bool slow_needed(const struct vcpu *v)
{
	return v->slow.any | this_cpu.req.bits | this_cpu.nmis_pending;
}

/* The instruction of len bytes completed (vcpu_skip_instruction): RIP
 * past it, and STI and MOV-SS blocking end with it (25.4.2); a vCPU that a
 * SIPI started also drops Bochs 2.7's stale blocking by SMI (vmx/exit.c). */
static __always_inline void skip_instruction(struct vcpu *v, uint64_t len)
{
	uint64_t intr, clear;

	vmcs_write(VMCS_GUEST_RIP, vmcs_read(VMCS_GUEST_RIP) + len);
	intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	if (likely(!intr))
		return;                         /* nearly always: nothing to look at */
	clear = INTERRUPTIBILITY_ENDS_WITH_INSN | (v->started ? INTERRUPTIBILITY_SMI : 0);
	if (intr & clear)
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY_INFO, intr & ~clear);
}

/* The instruction-length field is defined for the exits of instructions
 * that exit unconditionally or by a control (28.2.5). */
static __always_inline uint64_t exit_len(void)
{
	return vmcs_read(VMCS_VM_EXIT_INSTRUCTION_LEN);
}

/* Whether this exit may be finished here (*t0: the TSC now, for its
 * cost): nothing waits for the run loop, its tick has not come, and the
 * guest is not single-stepping itself (the #DB it owes after the
 * instruction, pending debug exceptions: vcpu_skip_instruction). */
static __always_inline bool fast_begin(struct vcpu *v, uint64_t *t0)
{
	*t0 = rdtsc();
	if (unlikely(slow_needed(v)) || *t0 >= v->fast_until)
		return false;
	if (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_TF)
		return false;
	v->rc.valid = 0;                        /* the register cache: a new exit */
	return true;
}

/* A handled exit: the instruction skipped, counted under kind with its
 * cost since t0, and the guest entered again at once unless a handler
 * posted work for the run loop (a device raised an 8259 IRQ). A request
 * or NMI that came in after fast_begin's test is like one that comes in
 * after vcpu_enter's last look: served after the next exit. Inline with a
 * constant kind: the statistics are fixed offsets in v. */
static __always_inline int fast_done(struct vcpu *v, enum guest_exit kind, uint64_t len, uint64_t t0)
{
	struct exit_stat *st = &v->exits[kind];

	skip_instruction(v, len);
	st->count++;
#ifdef HV_VMCS_COUNT
	to_vmx(v)->last_reason = kind;
	st->unshadowed += vmx_this_cpu.unshadowed;
	vmx_this_cpu.unshadowed = 0;
#endif
	st->tsc_total += rdtsc() - t0;
	if (unlikely(v->slow.any)) {
		v->rc.valid = 0;                /* the cached RIP, if any, is the old one */
		return VMX_ENTER_HANDLED;
	}
	return VMX_FAST_RESUME;
}

/* An EPT violation by an MMIO access (fast_stage2_fault): only one the
 * CPU translated itself (the linear address valid, for the final
 * address), not a fetch, not during an event's delivery (28.2.4: the slow
 * path requeues that event), not an IRET that unblocked NMIs (28.2.3: the
 * slow path blocks them again). The length is the emulation's: the exit
 * gives none for EPT violations. 0: not handled. */
static unsigned int fast_ept_violation(struct vcpu *v)
{
	struct ept_violation e;
	struct exit_stage2 q;
	unsigned int len;

	if (vmcs_read(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID)
		return 0;
	vmx_decode_ept_violation(vmcs_read(VMCS_EXIT_QUALIFICATION), &e);
	if (!e.gla_translation || e.fetch || e.nmi_unblocking)
		return 0;
	q = (struct exit_stage2){
		.gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS), .gla = vmcs_read(VMCS_GUEST_LINEAR_ADDRESS),
		.read = e.read, .write = e.write, .readable = e.readable, .writable = e.writable,
		.executable = e.executable, .gla_final = true,
	};
	return fast_stage2_fault(v, &q, &len) ? len : 0;
}

/*
 * One function per exit reason, reached by a tail jump from
 * vmx_fast_exit's one dispatch, with its handler inline and the
 * statistics at fixed offsets (fast_done with a constant kind). The common
 * ones (CPUID, HC_VERSION, RDMSR/WRMSR) call nothing on their way: a leaf
 * with no callee-saved registers to save; what would need a call (a CPUID
 * leaf outside the direct ranges, another hypercall) continues in a
 * function of its own by a tail jump. 0 from any: VMX_ENTER_EXIT.
 */
static __noinline int fast_cpuid_search_exit(struct vcpu *v, uint64_t t0)
{
	if (!fast_cpuid_search(v))
		return VMX_ENTER_EXIT;
	return fast_done(v, GUEST_EXIT_CPUID, exit_len(), t0);
}

static __noinline int fast_cpuid_exit(struct vcpu *v)
{
	const struct cpuid_table *t = v->cpuid_table;
	const struct cpuid_entry *e;
	uint64_t t0;

	if (!fast_begin(v, &t0) || unlikely(!t))
		return VMX_ENTER_EXIT;
	e = cpuid_table_direct(t, (uint32_t)v->regs.gpr[REG_RAX]);
	if (unlikely(!e))
		return fast_cpuid_search_exit(v, t0);
	v->regs.gpr[REG_RAX] = e->r.eax;
	v->regs.gpr[REG_RBX] = e->r.ebx;
	v->regs.gpr[REG_RCX] = e->r.ecx;
	v->regs.gpr[REG_RDX] = e->r.edx;
	return fast_done(v, GUEST_EXIT_CPUID, exit_len(), t0);
}

static __noinline int fast_vmcall_more_exit(struct vcpu *v, uint64_t t0)
{
	if (!fast_hypercall_more(v))
		return VMX_ENTER_EXIT;
	return fast_done(v, GUEST_EXIT_HYPERCALL, exit_len(), t0);
}

/* HC_VERSION here, HC_EXIT_COUNT by fast_hypercall_more (the rule:
 * guest/run/hypercall.h). */
static __noinline int fast_vmcall_exit(struct vcpu *v)
{
	_Static_assert(((HC_VERSION_MAJOR << 16) | HC_VERSION_MINOR) < 0x80000000u, "fits 31 bits");
	uint64_t t0;

	if (!fast_begin(v, &t0) || guest_cpl() != 0)
		return VMX_ENTER_EXIT;
	if (v->regs.gpr[REG_RAX] != HC_VERSION)
		return fast_vmcall_more_exit(v, t0);
	v->regs.gpr[REG_RAX] = (HC_VERSION_MAJOR << 16) | HC_VERSION_MINOR;
	return fast_done(v, GUEST_EXIT_HYPERCALL, exit_len(), t0);
}

static __noinline int fast_rdmsr_exit(struct vcpu *v)
{
	uint64_t t0;

	if (!fast_begin(v, &t0) || !fast_msr(v, false))
		return VMX_ENTER_EXIT;
	return fast_done(v, GUEST_EXIT_MSR_READ, exit_len(), t0);
}

static __noinline int fast_wrmsr_exit(struct vcpu *v)
{
	uint64_t t0;

	if (!fast_begin(v, &t0) || !fast_msr(v, true))
		return VMX_ENTER_EXIT;
	return fast_done(v, GUEST_EXIT_MSR_WRITE, exit_len(), t0);
}

/* Byte IN/OUT (not INS/OUTS) that fast_io serves. */
static __noinline int fast_io_exit(struct vcpu *v)
{
	uint64_t t0, q;

	if (!fast_begin(v, &t0))
		return VMX_ENTER_EXIT;
	q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	if ((q & IO_QUAL_STRING) ||
	    !fast_io(v, (uint16_t)(q >> IO_QUAL_PORT_SHIFT), (unsigned int)(q & IO_QUAL_SIZE_MASK) + 1,
		     q & IO_QUAL_IN))
		return VMX_ENTER_EXIT;
	return fast_done(v, GUEST_EXIT_IO, exit_len(), t0);
}

static __noinline int fast_ept_violation_exit(struct vcpu *v)
{
	uint64_t t0;
	unsigned int len;

	if (!fast_begin(v, &t0) || !(len = fast_ept_violation(v)))
		return VMX_ENTER_EXIT;
	return fast_done(v, GUEST_EXIT_STAGE2_FAULT, len, t0);
}

/* The full exit reason: an entry failure (bit 31) is never one of these.
 * vcpu_enter reads it again if the exit goes on there. */
int vmx_fast_exit(struct guest_regs *regs)
{
	struct vcpu *v = (struct vcpu *)regs;   /* regs is its first member */

	switch ((uint32_t)vmcs_read(VMCS_EXIT_REASON)) {
	case EXIT_REASON_CPUID:
		return fast_cpuid_exit(v);
	case EXIT_REASON_VMCALL:
		return fast_vmcall_exit(v);
	case EXIT_REASON_IO_INSTRUCTION:
		return fast_io_exit(v);
	case EXIT_REASON_MSR_READ:
		return fast_rdmsr_exit(v);
	case EXIT_REASON_MSR_WRITE:
		return fast_wrmsr_exit(v);
	case EXIT_REASON_EPT_VIOLATION:
		return fast_ept_violation_exit(v);
	default:
		return VMX_ENTER_EXIT;
	}
}
