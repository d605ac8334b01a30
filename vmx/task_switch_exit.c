/* vmx/task_switch_exit.c - the VM exit for a task switch (SDM Vol. 3C, 26.4.2;
 * 28.2.1 Table 28-2 exit qualification; 28.2.4 IDT-vectoring information): the
 * guest's state from the VMCS for guest/emul/task_switch.c, and back into it. */
#include "vmx/guest_state.h"
#include "vmx/vmx_cpu.h"
#include "vmx/inject_rules.h"
#include "guest/dev/emulate.h"
#include "guest/gmem.h"
#include "guest/emul/task_switch.h"
#include "arch/cpu.h"
#include "lib/string.h"

#define CR0_PG          (1ULL << 31)
#define CR4_PAE         (1ULL << 5)
#define DR6_BT          (1ULL << 15)        /* #DB caused by a task switch (17.2.3) */
#define PDPTE_RESERVED  0x1e6ULL            /* bits 2:1 and 8:5 of a present PDPTE (4.4.1) */

static void read_state(struct vcpu *v, struct ts_cpu *t)
{
	for (unsigned int i = 0; i < 8; i++)
		t->gpr[i] = (uint32_t)v->regs.gpr[i];
	t->gpr[REG_RSP] = (uint32_t)vmcs_read(VMCS_GUEST_RSP);
	t->eip = (uint32_t)vmcs_read(VMCS_GUEST_RIP);
	t->eflags = (uint32_t)vmcs_read(VMCS_GUEST_RFLAGS);
	/* Selector, base, limit and AR fields are 2 apart in their groups, ES..GS, LDTR, TR (B.1.2). */
	for (unsigned int s = 0; s < TS_SEG_COUNT; s++) {
		t->seg[s].sel = (uint16_t)vmcs_read(VMCS_GUEST_ES_SELECTOR + 2 * s);
		t->seg[s].base = (uint32_t)vmcs_read(VMCS_GUEST_ES_BASE + 2 * s);
		t->seg[s].limit = (uint32_t)vmcs_read(VMCS_GUEST_ES_LIMIT + 2 * s);
		t->seg[s].ar = (uint32_t)vmcs_read(VMCS_GUEST_ES_AR_BYTES + 2 * s);
	}
	t->gdt_base = (uint32_t)vmcs_read(VMCS_GUEST_GDTR_BASE);
	t->gdt_limit = (uint32_t)vmcs_read(VMCS_GUEST_GDTR_LIMIT);
	t->cr0 = guest_cr0_view(v);
	t->cr3 = vmcs_read(VMCS_GUEST_CR3);
	t->dr7 = vmcs_read(VMCS_GUEST_DR7);
}

static void write_state(struct vcpu *v, const struct ts_cpu *t, const struct guest_cpu *c)
{
	uint64_t intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO);

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
			vmcs_write(VMCS_GUEST_PDPTE0 + 2 * i, c->pdpte[i]);
		vmx_flush_guest_tlb(v);
	}
	vmcs_write(VMCS_GUEST_DR7, t->dr7);
	/* The instruction (or event delivery) is over: its STI / MOV SS blocking too. */
	if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			   intr & ~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
	/* Written to the VMCS directly: the register cache's copies are void. */
	v->rc.valid = 0;
}

/* The new task's CR3: later accesses of the switch walk its page tables; PAE
 * paging loads the four PDPTEs, whose reserved bits make the switch #GP(0). */
static int load_cr3(void *ctx, uint64_t cr3)
{
	struct emul_ctx *x = ctx;
	struct guest_cpu *c = x->c;
	uint64_t pdpte[4];

	c->cr3 = cr3;
	if (!(c->cr0 & CR0_PG) || !(c->cr4 & CR4_PAE))
		return 0;
	if (gmem_read(cr3 & 0xffffffe0ULL, pdpte, sizeof(pdpte)))
		return TS_CR3_INVALID;
	for (unsigned int i = 0; i < 4; i++)
		if ((pdpte[i] & 1) && ((pdpte[i] & PDPTE_RESERVED) || (pdpte[i] >> c->maxphyaddr)))
			return TS_CR3_INVALID;
	memcpy(c->pdpte, pdpte, sizeof(pdpte));
	return 0;
}

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

void vmx_handle_task_switch(struct vcpu *v, const struct exit_info *e)
{
	uint64_t qual = vmcs_read(VMCS_EXIT_QUALIFICATION);
	struct ts_event ev = {
		.source = (enum ts_source)((qual >> 30) & 3), .selector = (uint16_t)qual,
		.insn_len = (uint32_t)vmcs_read(VMCS_VM_EXIT_INSTRUCTION_LEN), .after_insn = true,
	};
	bool vectored = ev.source == TS_GATE && (e->idt_vectoring & INTR_INFO_VALID);
	struct guest_cpu c;
	struct emul_result er;
	struct emul_ctx x = { v, &c, &er, true };
	struct insn_ops mem;
	struct ts_ops ops = { &mem, load_cr3, &x };
	struct ts_cpu t;
	struct ts_result r;

	if (vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA) {
		vcpu_stop(v, "task switch exit in IA-32e mode, where the CPU raises #GP itself");
		return;
	}
	if (ev.source == TS_GATE) {
		ev.after_insn = false;
		if (vectored)
			event_of(e, &ev);
	}
	vcpu_read_cpu(v, &c);
	emulate_system_ops(&x, &mem);
	read_state(v, &t);
	task_switch(&t, &ev, &ops, &r);
	if (r.committed) {
		/* IRET unblocks NMIs (SDM Vol. 3A, 6.7.1), also when it switches tasks. */
		if (ev.source == TS_IRET)
			vmcs_write(VMCS_GUEST_INTERRUPTIBILITY_INFO,
				   vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO) & ~(uint64_t)INTERRUPTIBILITY_NMI);
		/* The event that went through the task gate is delivered (vmx/exit.c requeued it). */
		if (vectored) {
			vmcs_write(VMCS_VM_ENTRY_INTR_INFO, 0);
			if (((e->idt_vectoring & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT) == INTR_TYPE_NMI)
				vmcs_write(VMCS_GUEST_INTERRUPTIBILITY_INFO,
					   vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO) | INTERRUPTIBILITY_NMI);
		}
		write_state(v, &t, &c);
	}
	/* A fault before the commit belongs to the old task and, for an event
	 * through a gate, meets the requeued event there (#DF, or a triple fault). */
	switch (r.status) {
	case TS_DONE:
		if (r.debug_trap) {
			write_dr6(read_dr6() | DR6_BT);
			vcpu_inject_exception(v, 1, 0);
		}
		break;
	case TS_FAULT:
		vcpu_inject_exception(v, r.vector, r.error_code);
		break;
	case TS_MEMORY:
		if (er.status == EMUL_EXCEPTION) {
			if (er.vector == 14)
				write_cr2(er.cr2);
			vcpu_inject_exception(v, er.vector, er.error_code);
		} else {
			vcpu_stop(v, "task switch to TSS selector 0x%x: %s", ev.selector,
				       er.status == EMUL_STOP ? er.why : "guest memory unreachable");
		}
		break;
	case TS_UNSUPPORTED:
		vcpu_stop(v, "task switch to TSS selector 0x%x at RIP 0x%08x: %s", ev.selector,
			       (unsigned int)vcpu_reg(v, VREG_RIP), r.why);
		break;
	}
}
