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
static inline void skip_instruction(struct vcpu *v, unsigned int len)
{
	uint64_t intr, clear;

	vmcs_write(VMCS_GUEST_RIP, vmcs_read(VMCS_GUEST_RIP) + len);
	v->rc.valid = 0;                        /* a handler may have cached the old RIP */
	intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	clear = INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS | (v->started ? INTERRUPTIBILITY_SMI : 0);
	if (unlikely(intr & clear))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY_INFO, intr & ~clear);
}

/* The handlers answer the exiting instruction's length, 0 if not handled.
 * The instruction-length field is defined for the exits of instructions
 * that exit unconditionally or by a control (28.2.5). */
static inline unsigned int exit_len(bool handled)
{
	return handled ? (unsigned int)vmcs_read(VMCS_VM_EXIT_INSTRUCTION_LEN) : 0;
}

static unsigned int fast_rdmsr(struct vcpu *v)
{
	return exit_len(fast_msr(v, false));
}

static unsigned int fast_wrmsr(struct vcpu *v)
{
	return exit_len(fast_msr(v, true));
}

static unsigned int fast_vmcall(struct vcpu *v)
{
	return exit_len(fast_hypercall(v, guest_cpl()));
}

static unsigned int fast_cpuid_exit(struct vcpu *v)
{
	return exit_len(fast_cpuid(v));
}

static unsigned int fast_io_exit(struct vcpu *v)
{
	uint64_t q = vmcs_read(VMCS_EXIT_QUALIFICATION);

	return exit_len(!(q & IO_QUAL_STRING) &&
			fast_io(v, (uint16_t)(q >> IO_QUAL_PORT_SHIFT),
				(unsigned int)(q & IO_QUAL_SIZE_MASK) + 1, q & IO_QUAL_IN));
}

/* An EPT violation by an MMIO access (fast_stage2_fault): only one the
 * CPU translated itself (the linear address valid, for the final
 * address), not a fetch, not during an event's delivery (28.2.4: the slow
 * path requeues that event), not an IRET that unblocked NMIs (28.2.3: the
 * slow path blocks them again). The length is the emulation's: the exit
 * gives none for EPT violations. */
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

/* By basic exit reason (past the last one and NULL: not here): the handler
 * and the neutral reason it is counted under. */
static const struct {
	unsigned int (*handle)(struct vcpu *v);
	enum guest_exit reason;
} fast_exits[EXIT_REASON_EPT_VIOLATION + 1] = {
	[EXIT_REASON_CPUID] = { fast_cpuid_exit, GUEST_EXIT_CPUID },
	[EXIT_REASON_VMCALL] = { fast_vmcall, GUEST_EXIT_HYPERCALL },
	[EXIT_REASON_IO_INSTRUCTION] = { fast_io_exit, GUEST_EXIT_IO },
	[EXIT_REASON_MSR_READ] = { fast_rdmsr, GUEST_EXIT_MSR_READ },
	[EXIT_REASON_MSR_WRITE] = { fast_wrmsr, GUEST_EXIT_MSR_WRITE },
	[EXIT_REASON_EPT_VIOLATION] = { fast_ept_violation, GUEST_EXIT_STAGE2_FAULT },
};

int vmx_fast_exit(struct guest_regs *regs)
{
	struct vcpu *v = (struct vcpu *)regs;   /* regs is its first member */
	/* The full exit reason: an entry failure (bit 31) is never one of
	 * these. vcpu_enter reads it again if the exit goes on there. */
	uint32_t reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON);
	unsigned int (*handle)(struct vcpu *v);
	struct exit_stat *st;
	unsigned int len;

	if (reason >= ARRAY_SIZE(fast_exits) || !(handle = fast_exits[reason].handle))
		return VMX_ENTER_EXIT;
	/* The stamp and the statistics' place in the vCPU, not in registers:
	 * only v lives across the handler's call. */
	v->fast_stat = &v->exits[fast_exits[reason].reason];
	v->fast_t0 = rdtsc();
	if (unlikely(slow_needed(v)) || v->fast_t0 >= v->fast_until)
		return VMX_ENTER_EXIT;
	/* The guest's own single step owes a #DB after the instruction
	 * (pending debug exceptions, vcpu_skip_instruction): the slow path. */
	if (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_TF)
		return VMX_ENTER_EXIT;
	v->rc.valid = 0;                        /* the register cache: a new exit */
	len = handle(v);
	if (!len)
		return VMX_ENTER_EXIT;
	skip_instruction(v, len);

	st = v->fast_stat;
	st->count++;
	v->exit_total++;
#ifdef HV_VMCS_COUNT
	to_vmx(v)->last_reason = (enum guest_exit)(st - v->exits);
	st->unshadowed += vmx_this_cpu.unshadowed;
	vmx_this_cpu.unshadowed = 0;
#endif
	st->tsc_total += rdtsc() - v->fast_t0;
	/* What a handler posted (a device raised an 8259 IRQ). A request or
	 * NMI that came in after the test above is like one that comes in
	 * after vcpu_enter's last look: served after the next exit. */
	return unlikely(v->slow.any) ? VMX_ENTER_HANDLED : VMX_FAST_RESUME;
}
