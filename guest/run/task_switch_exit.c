/* guest/run/task_switch_exit.c - the exit for a hardware task switch (CALL
 * or JMP to a TSS or task gate, IRET with NT, an event through a task gate):
 * the guest's state from the backend, the switch itself in the pure
 * guest/emul/task_switch.c (SDM Vol. 3A, 8.3), its memory accesses through
 * the emulator's paths (guest/dev/emulate.c), and the outcome back. */
#include "guest/run/task_switch_exit.h"
#include "guest/backend.h"
#include "guest/dev/emulate.h"
#include "guest/gmem.h"
#include "guest/emul/task_switch.h"
#include "arch/msr.h"
#include "lib/string.h"

#define CR0_PG          (1ULL << 31)
#define CR4_PAE         (1ULL << 5)
#define PDPTE_RESERVED  0x1e6ULL            /* bits 2:1 and 8:5 of a present PDPTE (4.4.1) */

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

void exit_task_switch(struct vcpu *v)
{
	struct exit_task_switch ts;
	struct guest_cpu c;
	struct emul_result er;
	struct emul_ctx x = { v, &c, &er, true, NULL, INVALID_GPA };
	struct insn_ops mem;
	struct ts_ops ops = { &mem, load_cr3, &x };
	struct ts_cpu t;
	struct ts_result r;

	if (vcpu_reg(v, VREG_EFER) & EFER_LMA) {
		vcpu_stop(v, "task switch exit in IA-32e mode, where the CPU raises #GP itself");
		return;
	}
	vcpu_exit_task_switch(v, &ts);
	vcpu_read_cpu(v, &c);
	emulate_system_ops(&x, &mem);
	vcpu_read_task_state(v, &t);
	task_switch(&t, &ts.ev, &ops, &r);
	if (r.committed) {
		/* IRET unblocks NMIs (SDM Vol. 3A, 6.7.1), also when it switches tasks. */
		if (ts.ev.source == TS_IRET)
			vcpu_set_nmi_blocked(v, false);
		/* The event that went through the task gate is delivered (the backend requeued it). */
		if (ts.vectored) {
			vcpu_cancel_event(v);
			if (ts.vectored_nmi)
				vcpu_set_nmi_blocked(v, true);
		}
		vcpu_write_task_state(v, &t, c.pdpte);
	}
	/* A fault before the commit belongs to the old task and, for an event
	 * through a gate, meets the requeued event there (#DF, or a triple fault). */
	switch (r.status) {
	case TS_DONE:
		if (r.debug_trap) {
			vcpu_set_dr6_bt(v);
			vcpu_inject_exception(v, 1, 0);
		}
		break;
	case TS_FAULT:
		vcpu_inject_exception(v, r.vector, r.error_code);
		break;
	case TS_MEMORY:
		if (er.status == EMUL_EXCEPTION) {
			if (er.vector == 14)
				vcpu_set_cr2(v, er.cr2);
			vcpu_inject_exception(v, er.vector, er.error_code);
		} else {
			vcpu_stop(v, "task switch to TSS selector 0x%x: %s", ts.ev.selector,
				  er.status == EMUL_STOP ? er.why : "guest memory unreachable");
		}
		break;
	case TS_UNSUPPORTED:
		vcpu_stop(v, "task switch to TSS selector 0x%x at RIP 0x%08x: %s", ts.ev.selector,
			  (unsigned int)vcpu_reg(v, VREG_RIP), r.why);
		break;
	}
}
