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
 * (28.2.4 lists the exits that can). */
#include "vmx/fast_exit.h"
#include "vmx/guest_state.h"
#include "vmx/exit_decode.h"
#include "vmx/vmx_cpu.h"
#include "guest/run/cpu_exits.h"
#include "guest/run/hypercall.h"
#include "guest/run/memory_exits.h"
#include "arch/cpu.h"
#include "arch/percpu.h"

#define RFLAGS_TF (1ULL << 8)

/* Anything for the run loop: posted or set by this CPU's run loop, a
 * request from another CPU, an NMI the guest is owed. */
static inline bool slow_needed(const struct vcpu *v)
{
	return v->slow.any | this_cpu.req.bits | this_cpu.nmis_pending;
}

/* The instruction completed (vcpu_skip_instruction): RIP past it, and STI
 * and MOV-SS blocking end with it (25.4.2); a vCPU that a SIPI started
 * also drops Bochs 2.7's stale blocking by SMI (vmx/exit.c). */
static inline void skip_instruction(const struct vcpu *v)
{
	uint64_t intr, clear;

	vmcs_write(VMCS_GUEST_RIP, vmcs_read(VMCS_GUEST_RIP) + vmcs_read(VMCS_VM_EXIT_INSTRUCTION_LEN));
	intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	clear = INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS | (v->started ? INTERRUPTIBILITY_SMI : 0);
	if (unlikely(intr & clear))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY_INFO, intr & ~clear);
}

static bool fast_rdmsr(struct vcpu *v)
{
	return fast_msr(v, false);
}

static bool fast_wrmsr(struct vcpu *v)
{
	return fast_msr(v, true);
}

static bool fast_vmcall(struct vcpu *v)
{
	return fast_hypercall(v, guest_cpl());
}

static bool fast_cpuid_exit(struct vcpu *v)
{
	return fast_cpuid(v);
}

static bool fast_io_exit(struct vcpu *v)
{
	uint64_t q = vmcs_read(VMCS_EXIT_QUALIFICATION);

	return !(q & IO_QUAL_STRING) &&
	       fast_io(v, (uint16_t)(q >> IO_QUAL_PORT_SHIFT), (unsigned int)(q & IO_QUAL_SIZE_MASK) + 1,
		       q & IO_QUAL_IN);
}

/* By basic exit reason (past the last one and NULL: not here): the handler
 * and the neutral reason it is counted under. */
static const struct {
	bool (*handle)(struct vcpu *v);
	enum guest_exit reason;
} fast_exits[EXIT_REASON_MSR_WRITE + 1] = {
	[EXIT_REASON_CPUID] = { fast_cpuid_exit, GUEST_EXIT_CPUID },
	[EXIT_REASON_VMCALL] = { fast_vmcall, GUEST_EXIT_HYPERCALL },
	[EXIT_REASON_IO_INSTRUCTION] = { fast_io_exit, GUEST_EXIT_IO },
	[EXIT_REASON_MSR_READ] = { fast_rdmsr, GUEST_EXIT_MSR_READ },
	[EXIT_REASON_MSR_WRITE] = { fast_wrmsr, GUEST_EXIT_MSR_WRITE },
};

int vmx_fast_exit(struct guest_regs *regs)
{
	struct vcpu *v = (struct vcpu *)regs;   /* regs is its first member */
	/* The full exit reason: an entry failure (bit 31) is never one of
	 * these. vcpu_enter reads it again if the exit goes on there. */
	uint32_t reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON);
	bool (*handle)(struct vcpu *v);
	struct exit_stat *st;

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
	if (!handle(v))
		return VMX_ENTER_EXIT;
	skip_instruction(v);

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
