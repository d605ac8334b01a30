/* vmx/task_switch_exit.c - the VM exit for a task switch (SDM Vol. 3C, 26.4.2;
 * 28.2.1 Table 28-2 exit qualification; 28.2.4 IDT-vectoring information): the
 * exit's facts and the guest's state from the VMCS for the generic handler
 * (guest/run/task_switch_exit.c), and the new task's state back into it. */
#include "vmx/guest_state.h"
#include "vmx/flush.h"
#include "vmx/inject_rules.h"
#include "guest/emul/task_switch.h"
#include "arch/cpu.h"

#define DR6_BT          (1ULL << 15)        /* #DB caused by a task switch (17.2.3) */

/* Fills ev's event part from the IDT-vectoring information of a switch through a task gate. */
static void event_of(const struct exit_info *e, struct ts_event *ev)
{
	unsigned int type = (e->idt_vectoring & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	unsigned int vector = e->idt_vectoring & INTR_INFO_VECTOR_MASK;

	ev->after_insn = type == INTR_TYPE_SOFTWARE_INTERRUPT || type == INTR_TYPE_PRIV_SOFTWARE_EXCEPTION ||
			 type == INTR_TYPE_SOFTWARE_EXCEPTION;
	ev->external = type == INTR_TYPE_EXTERNAL_INTERRUPT || type == INTR_TYPE_NMI ||
		       type == INTR_TYPE_HARDWARE_EXCEPTION || type == INTR_TYPE_PRIV_SOFTWARE_EXCEPTION;
	ev->saved_rf = type == INTR_TYPE_HARDWARE_EXCEPTION && exception_class(vector) == EXC_FAULT;
	ev->has_error_code = e->idt_vectoring & INTR_INFO_DELIVER_ERROR_CODE;
	ev->error_code = e->idt_vectoring_error;
}

void vcpu_exit_task_switch(struct vcpu *v, struct exit_task_switch *ts)
{
	const struct exit_info *e = &to_vmx(v)->exit;
	struct exit_state *xs = &to_vmx(v)->xs;
	uint64_t qual = exs_get(xs, EXS_EXIT_QUALIFICATION);
	struct ts_event *ev = &ts->ev;

	*ev = (struct ts_event){
		.source = (enum ts_source)((qual >> 30) & 3), .selector = (uint16_t)qual,
		.insn_len = (uint32_t)exs_get(xs, EXS_VM_EXIT_INSTRUCTION_LEN), .after_insn = true,
	};
	ts->vectored = ev->source == TS_GATE && (e->idt_vectoring & INTR_INFO_VALID);
	ts->vectored_nmi = ts->vectored &&
			   ((e->idt_vectoring & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT) == INTR_TYPE_NMI;
	if (ev->source == TS_GATE) {
		ev->after_insn = false;
		if (ts->vectored)
			event_of(e, ev);
	}
}

void vcpu_read_task_state(struct vcpu *v, struct ts_cpu *t)
{
	for (unsigned int i = 0; i < 8; i++)
		t->gpr[i] = (uint32_t)v->regs.gpr[i];
	t->gpr[REG_RSP] = (uint32_t)vcpu_reg(v, VREG_RSP);
	t->eip = (uint32_t)vcpu_reg(v, VREG_RIP);
	t->eflags = (uint32_t)vcpu_reg(v, VREG_RFLAGS);
	/* Selector, base, limit and AR fields are 2 apart in their groups, ES..GS, LDTR, TR (B.1.2). */
	for (unsigned int s = 0; s < TS_SEG_COUNT; s++) {
		t->seg[s].sel = (uint16_t)vmcs_read(VMCS_GUEST_ES_SELECTOR + 2 * s);
		t->seg[s].base = (uint32_t)vmcs_read(VMCS_GUEST_ES_BASE + 2 * s);
		t->seg[s].limit = (uint32_t)vmcs_read(VMCS_GUEST_ES_LIMIT + 2 * s);
		t->seg[s].ar = (uint32_t)vmcs_read(VMCS_GUEST_ES_AR_BYTES + 2 * s);
	}
	t->gdt_base = (uint32_t)vmcs_read(VMCS_GUEST_GDTR_BASE);
	t->gdt_limit = (uint32_t)vmcs_read(VMCS_GUEST_GDTR_LIMIT);
	t->cr0 = vcpu_reg(v, VREG_CR0);
	t->cr3 = vcpu_reg(v, VREG_CR3);
	t->dr7 = vmcs_read(VMCS_GUEST_DR7);
}

void vcpu_write_task_state(struct vcpu *v, const struct ts_cpu *t, const uint64_t pdpte[4])
{
	struct exit_state *xs = &to_vmx(v)->xs;
	uint64_t intr = exs_get(xs, EXS_GUEST_INTERRUPTIBILITY_INFO);

	for (unsigned int i = 0; i < 8; i++)
		v->regs.gpr[i] = t->gpr[i];
	vmcs_write(VMCS_GUEST_RSP, t->gpr[REG_RSP]);
	vmcs_write(VMCS_GUEST_RIP, t->eip);
	vmcs_write(VMCS_GUEST_RFLAGS, t->eflags);
	for (unsigned int s = 0; s < TS_SEG_COUNT; s++) {
		vmcs_write(VMCS_GUEST_ES_SELECTOR + 2 * s, t->seg[s].sel);
		vmcs_write(VMCS_GUEST_ES_BASE + 2 * s, t->seg[s].base);
		vmcs_write(VMCS_GUEST_ES_LIMIT + 2 * s, t->seg[s].limit);
		vmcs_write(VMCS_GUEST_ES_AR_BYTES + 2 * s, t->seg[s].ar);
	}
	/* CR0.TS: the guest's bit, or the read shadow's where the hypervisor owns it. */
	vmcs_write(VMCS_GUEST_CR0, (vmcs_read(VMCS_GUEST_CR0) & ~TS_CR0_TS) | (t->cr0 & TS_CR0_TS));
	vmcs_write(VMCS_CR0_READ_SHADOW, (vmcs_read(VMCS_CR0_READ_SHADOW) & ~TS_CR0_TS) | (t->cr0 & TS_CR0_TS));
	if (t->cr3 != vmcs_read(VMCS_GUEST_CR3)) {
		vmcs_write(VMCS_GUEST_CR3, t->cr3);
		/* With EPT and PAE paging VM entry takes the PDPTEs from the VMCS (27.3.2.4). */
		for (unsigned int i = 0; i < 4; i++)
			vmcs_write(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
		vmx_flush_guest_tlb(v);
	}
	vmcs_write(VMCS_GUEST_DR7, t->dr7);
	/* The instruction (or event delivery) is over: its STI / MOV SS blocking too. */
	if (intr & INTERRUPTIBILITY_ENDS_WITH_INSN)
		exs_set(xs, EXS_GUEST_INTERRUPTIBILITY_INFO, intr & ~(uint64_t)INTERRUPTIBILITY_ENDS_WITH_INSN);
	/* Written to the VMCS directly: the register cache's copies are void. */
	v->rc.valid = 0;
}

void vcpu_set_nmi_blocked(struct vcpu *v, bool blocked)
{
	struct exit_state *xs = &to_vmx(v)->xs;
	uint64_t intr = exs_get(xs, EXS_GUEST_INTERRUPTIBILITY_INFO);

	exs_set(xs, EXS_GUEST_INTERRUPTIBILITY_INFO,
		blocked ? intr | INTERRUPTIBILITY_NMI : intr & ~(uint64_t)INTERRUPTIBILITY_NMI);
}

void vcpu_set_dr6_bt(struct vcpu *v)
{
	/* DR6 is not in the VMCS: the CPU's own DR6 is the guest's. */
	write_dr6(read_dr6() | DR6_BT);
}
