/* vmx/exit.c - running a vCPU to its next VM exit (SDM Vol. 3C, 28 "VM
 * Exits"; 28.2 exit information): what must be delivered before the entry,
 * the entry, the facts every exit needs, the neutral reason, and the exit
 * details generic handlers ask for on demand. */
#include "vmx/vmx_vcpu.h"
#include "vmx/events.h"
#include "vmx/step.h"
#include "vmx/handlers.h"
#include "vmx/dump.h"
#include "vmx/exit_map.h"
#include "vmx/exit_decode.h"
#include "vmx/guest_state.h"
#include "vmx/vmx_cpu.h"
#include "vmx/fast_exit.h"
#include "guest/dev/isa_irq.h"
#include "guest/dev/device.h"
#include "arch/cpu.h"
#include "arch/trap.h"
#include "arch/cpu_request.h"

#include "lib/log.h"

#define RFLAGS_TF        (1ULL << 8)
#define PENDING_DBG_BS   (1ULL << 14)

const char *backend_exit_name(uint32_t vendor_reason)
{
	return vmx_exit_reason_name(vendor_reason);
}

static inline __attribute__((always_inline)) void instruction_completed(struct exit_state *xs, uint64_t rflags)
{
	uint64_t intr = exs_get(xs, EXS_GUEST_INTERRUPTIBILITY_INFO);

	if (intr & INTERRUPTIBILITY_ENDS_WITH_INSN)
		exs_set(xs, EXS_GUEST_INTERRUPTIBILITY_INFO, intr & ~(uint64_t)INTERRUPTIBILITY_ENDS_WITH_INSN);
	if (rflags & RFLAGS_TF)
		exs_set(xs, EXS_GUEST_PENDING_DBG_EXCEPTIONS,
			exs_get(xs, EXS_GUEST_PENDING_DBG_EXCEPTIONS) | PENDING_DBG_BS);
}

void vcpu_instruction_completed(struct vcpu *v)
{
	instruction_completed(&to_vmx(v)->xs, vmx_reg(v, VREG_RFLAGS, VMCS_GUEST_RFLAGS));
}

void vcpu_exit_done(struct vcpu *v)
{
	if (v->rc.dirty)
		vcpu_regs_flush(v);
	exit_state_flush(&to_vmx(v)->xs);
}

/* The new RIP is written at once rather than marked dirty: it is the one
 * register most exits change, and the write is due anyway; the cache keeps
 * the value, so later readers in this exit see it. */
void vcpu_skip_instruction(struct vcpu *v)
{
	struct exit_state *xs = &to_vmx(v)->xs;
	uint64_t rip = vmx_reg(v, VREG_RIP, VMCS_GUEST_RIP) + exs_get(xs, EXS_VM_EXIT_INSTRUCTION_LEN);

	vmcs_write(VMCS_GUEST_RIP, rip);
	v->rc.val[VREG_RIP] = rip;
	v->rc.dirty &= ~(1u << VREG_RIP);
	instruction_completed(xs, vmx_reg(v, VREG_RFLAGS, VMCS_GUEST_RFLAGS));
}

void vcpu_halt(struct vcpu *v)
{
	exs_set(&to_vmx(v)->xs, EXS_GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
}

void vcpu_exit_io(struct vcpu *v, struct exit_io *io)
{
	struct exit_state *xs = &to_vmx(v)->xs;
	uint64_t qual = exs_get(xs, EXS_EXIT_QUALIFICATION);
	struct io_access a;

	/* The instruction-information field matters only for INS/OUTS: no VMREAD otherwise. */
	vmx_decode_io(qual, qual & IO_QUAL_STRING ?
		      (uint32_t)exs_get(xs, EXS_VM_EXIT_INSTRUCTION_INFO) : 0, &a);
	*io = (struct exit_io){
		.port = a.port, .size = a.size, .in = a.in, .string = a.string, .rep = a.rep,
		.segment = a.in ? 0 : a.segment,
	};
	if (a.string) {
		/* Without the instruction-information field (IA32_VMX_BASIC[54] clear)
		 * the address size is the code's default. */
		io->addr_size = a.addr_size ? a.addr_size : vcpu_64bit_code(v) ? 8 : 4;
		io->insn_len = (uint8_t)exs_get(xs, EXS_VM_EXIT_INSTRUCTION_LEN);
	}
}

void vcpu_exit_stage2(struct vcpu *v, struct exit_stage2 *f)
{
	const struct exit_info *e = &to_vmx(v)->exit;
	struct exit_state *xs = &to_vmx(v)->xs;
	struct ept_violation q;

	*f = (struct exit_stage2){ .gpa = exs_get(xs, EXS_GUEST_PHYSICAL_ADDRESS) };
	if (e->basic != EXIT_REASON_EPT_VIOLATION)
		return;
	vmx_decode_ept_violation(exs_get(xs, EXS_EXIT_QUALIFICATION), &q);
	/* NMI unblocking by IRET was undone by the exit; redo it (28.2.3). */
	if (q.nmi_unblocking && !(e->idt_vectoring & INTR_INFO_VALID))
		exs_set(xs, EXS_GUEST_INTERRUPTIBILITY_INFO,
			exs_get(xs, EXS_GUEST_INTERRUPTIBILITY_INFO) | INTERRUPTIBILITY_NMI);
	f->read = q.read;
	f->write = q.write;
	f->fetch = q.fetch;
	f->readable = q.readable;
	f->writable = q.writable;
	f->executable = q.executable;
	f->during_delivery = e->idt_vectoring & INTR_INFO_VALID;
	f->guest_walk = q.gla_valid && !q.gla_translation;
	/* The CPU translated gla to gpa through the guest's page tables itself
	 * (28.2.1): the emulation need not walk them again for this access. */
	if (q.gla_valid && q.gla_translation && !f->during_delivery) {
		f->gla_final = true;
		f->gla = exs_get(xs, EXS_GUEST_LINEAR_ADDRESS);
	}
}

/* Whether exits may take the fast path (vmx/fast_exit.c) until the run
 * loop comes again: not before the first entry succeeded, and not while
 * the run loop has to look at every exit (a step, a trace, a vCPU just
 * started by SIPI) or owes the guest an event at an entry. */
static uint32_t slow_state(struct vcpu *v, struct vmx_vcpu *x)
{
	return !x->launched || x->step != VMX_STEP_NONE || v->stepping || v->wait_sipi ||
	       v->fresh_start || x->intr_window || v->nmis_requested || log_enabled(LOG_DEBUG);
}

bool vcpu_enter(struct vcpu *v, struct vcpu_exit *out)
{
	struct vmx_vcpu *x = to_vmx(v);
	struct exit_info *e = &x->exit;
	enum guest_exit r;
	uint64_t now;
	int rc;

	/* What producers posted (an 8259 IRQ, an NMI) is looked at below. */
	if (unlikely(v->slow.posted))
		__atomic_exchange_n(&v->slow.posted, 0, __ATOMIC_SEQ_CST);
	/* Registers the shell changed between exits (inject). */
	if (unlikely(v->rc.dirty))
		vcpu_regs_flush(v);
	/* A step the shell cancelled (pause) must not stay armed. */
	if (x->step != VMX_STEP_NONE && !v->stepping)
		vmx_step_disarm(v);
	/* Not before the guest's first instruction: it has no IDT yet; nor in
	 * wait-for-SIPI, which takes no event (26.3.1.5). The 8259's output
	 * reaches the boot vCPU only (its LINT0), under the device lock. */
	if (x->launched && !v->wait_sipi && (v->nmis_requested || trap_nmi_pending()))
		vmx_deliver_pending_nmi(v);
	if (x->launched && !v->cpu) {
		device_lock();
		if (x->intr_window || isa_irq_pending_vector() >= 0)
			vmx_deliver_pending_intr(v);
		device_unlock();
	}
	/* The last look at the request bits (arch/cpu_request.h): one that came
	 * in since the run loop's is served first, this entry is not made. */
	if (unlikely(!cpu_request_enter_guest(&percpu_self()->req, v->wait_sipi)))
		return false;
	/* Until the next tick (the boot vCPU's console tick, guests/run/run.c;
	 * an AP's from now) the fast path may keep the guest to itself. */
	v->slow.state = slow_state(v, x);
	now = rdtsc();
	v->fast_until = v->cpu ? (v->tick_tsc ? now + v->tick_tsc : ~0ULL) : v->next_tick;
#ifdef HV_VMCS_COUNT
	/* From the last exit to this entry: that exit's round trip. */
	if (x->launched)
		v->exits[x->last_reason].unshadowed += vmx_this_cpu.unshadowed;
	vmx_this_cpu.unshadowed = 0;
#endif
	rc = vmx_enter(&v->regs, x->launched, &x->exit_stack);
	cpu_request_left_guest(&percpu_self()->req);
	if (rc == VMX_ENTER_HANDLED)
		return false;           /* the fast path handled it; the run loop's turn */
	if (rc) {
		v->rc.valid = 0;        /* a fast exit before it may have left cached values */
		vmx_entry_failed(v, rc);
		return false;
	}
	out->tsc = rdtsc();
	v->rc.valid = 0;
	exit_state_begin(&x->xs);

	e->reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON);
	/* The launch state becomes "launched" only with a VM entry that
	 * succeeded (SDM Vol. 3C, 26.8: a VM-entry failure exit leaves it). */
	if (likely(!(e->reason & EXIT_REASON_ENTRY_FAILURE))) {
		x->launched = true;
		v->entered = true;
	}
	e->basic = e->reason & EXIT_REASON_BASIC_MASK;
	/* Bochs 2.7 masks NMIs (and SMIs, below) when a vCPU enters
	 * wait-for-SIPI and leaves them masked after the SIPI exit: the kicks of
	 * the request channel would never reach the started vCPU. An IRET
	 * unmasks them; on hardware NMIs are not blocked after this exit and
	 * the IRET changes nothing. */
	if (unlikely(e->basic == EXIT_REASON_SIPI))
		cpu_nmi_unblock();
	e->idt_vectoring = (uint32_t)vmcs_read(VMCS_IDT_VECTORING_INFO);
	e->idt_vectoring_error = e->idt_vectoring & INTR_INFO_DELIVER_ERROR_CODE ?
				 (uint32_t)vmcs_read(VMCS_IDT_VECTORING_ERROR_CODE) : 0;
	/* Every VM exit clears the valid bit of VM-entry interruption info
	 * (28.2.5): nothing is queued unless requeued or injected below. A
	 * failed VM entry leaves both fields as they were (26.7): what it was
	 * injecting stays queued, and the vectoring info is the last exit's. */
	if (unlikely(e->idt_vectoring & INTR_INFO_VALID) && !(e->reason & EXIT_REASON_ENTRY_FAILURE))
		vmx_requeue_vectored_event(e);
	/* Bochs 2.7 masks SMI (and NMI) when a vCPU enters wait-for-SIPI and,
	 * the SIPI being an exit, never unmasks them: every later exit of that
	 * vCPU reports blocking by SMI, which the next entry refuses outside
	 * SMM (SDM Vol. 3C, 26.3.1.5). No guest runs in SMM here, so the bit is
	 * always stale; hardware never sets it. Only vCPUs a SIPI started. */
	if (unlikely(v->started)) {
		uint64_t intr = exs_get(&x->xs, EXS_GUEST_INTERRUPTIBILITY_INFO);

		if (intr & INTERRUPTIBILITY_SMI)
			exs_set(&x->xs, EXS_GUEST_INTERRUPTIBILITY_INFO, intr & ~(uint64_t)INTERRUPTIBILITY_SMI);
	}

	r = vmx_exit_to_guest_exit(e->basic);
	if (unlikely(e->reason & EXIT_REASON_ENTRY_FAILURE) && !vmx_exit_reason_dispatched(e->reason))
		r = GUEST_EXIT_ENTRY_FAILURE;
	out->reason = r;
	x->last_reason = r;
	out->vendor_reason = e->basic;
	if (vmx_exit_is_internal(r))
		vmx_handle_internal_exit(v, r);
	return true;
}
