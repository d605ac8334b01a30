/* guest/run/exit.c - the run of one vCPU to its next exit and the dispatch
 * of that exit by neutral reason (guest/exit_reason.h): the generic
 * handlers here and in guest/run/cpu_exits.c, guest/run/memory_exits.c,
 * guest/run/task_switch_exit.c; the
 * exits only the backend understands were handled inside vcpu_enter().
 * Every exit is counted here, under its neutral reason. */
#include "guest/run/exit.h"
#include "guest/run/cpu_exits.h"
#include "guest/run/memory_exits.h"
#include "guest/run/task_switch_exit.h"
#include "guest/run/hypercall.h"
#include "guest/backend.h"
#include "arch/cpu.h"
#include "arch/mca.h"
#include "drivers/console.h"
#include "lib/format.h"
#include "lib/log.h"

void guest_machine_check(struct vcpu *v, bool during_entry)
{
	uint64_t rip = vcpu_reg(v, VREG_RIP);
	char where[96];

	fmt_snprintf(where, sizeof(where), during_entry ? "during VM entry of guest %s (RIP 0x%016llx)" :
			"while guest %s ran (RIP 0x%016llx)", v->name, (unsigned long long)rip);
	if (mca_handle(where, true) == MCA_FATAL) {
		vcpu_stop(v, "machine check %s, not recoverable: guest stopped, the hypervisor goes on",
			  during_entry ? "during its VM entry" : "while it ran");
		return;
	}
	printf("machine check: guest %s resumes\n", v->name);
}

static void exit_hypercall(struct vcpu *v)
{
	hypercall(v, vcpu_cpl(v), vcpu_64bit_code(v));
	if (v->state == VCPU_RUNNING)
		vcpu_skip_instruction(v);
}

static void exit_cache_flush(struct vcpu *v)
{
	/* INVD would drop the hypervisor's dirty lines too: write back instead. */
	asm volatile("wbinvd" ::: "memory");
	vcpu_skip_instruction(v);
}

static void exit_hlt(struct vcpu *v)
{
	/* Not requested; if a CPU forces HLT exiting, halt the guest as it asked. */
	vcpu_skip_instruction(v);
	vcpu_halt(v);
}

static void exit_triple_fault(struct vcpu *v)
{
	vcpu_dump_state(v);
	vcpu_stop(v, "triple fault at RIP 0x%016llx; guest stopped, hypervisor continues",
		  (unsigned long long)vcpu_reg(v, VREG_RIP));
}

static void exit_init(struct vcpu *v)
{
	vcpu_stop(v, "INIT signal at RIP 0x%016llx (resetting a guest is not supported yet)",
		  (unsigned long long)vcpu_reg(v, VREG_RIP));
}

static void exit_unhandled(struct vcpu *v, const struct vcpu_exit *e)
{
	printf("guest %s: unhandled VM exit %u (%s)\n", v->name, e->vendor_reason,
	       backend_exit_name(e->vendor_reason));
	vcpu_dump_state(v);
	vcpu_stop(v, "unhandled VM exit %u (%s) at RIP 0x%016llx", e->vendor_reason,
		  backend_exit_name(e->vendor_reason), (unsigned long long)vcpu_reg(v, VREG_RIP));
}

void vcpu_run_once(struct vcpu *v)
{
	struct vcpu_exit e;

	if (!vcpu_enter(v, &e))
		return;
	if (unlikely(log_enabled(LOG_DEBUG)) && e.reason != GUEST_EXIT_CONSOLE_TICK)
		printf("trace: guest %s: %s at RIP 0x%llx (%s, %u)\n", v->name, guest_exit_name(e.reason),
		       (unsigned long long)vcpu_reg(v, VREG_RIP), backend_exit_name(e.vendor_reason),
		       e.vendor_reason);
	/* A direct switch: the common exits cost one jump-table lookup. */
	switch (e.reason) {
	case GUEST_EXIT_CPUID:            exit_cpuid(v); break;
	case GUEST_EXIT_IO:               exit_io(v); break;
	case GUEST_EXIT_STAGE2_FAULT:     exit_stage2_fault(v); break;
	case GUEST_EXIT_HYPERCALL:        exit_hypercall(v); break;
	case GUEST_EXIT_MSR_READ:         exit_msr(v, false); break;
	case GUEST_EXIT_MSR_WRITE:        exit_msr(v, true); break;
	case GUEST_EXIT_XSETBV:           exit_xsetbv(v); break;
	case GUEST_EXIT_INVD:
	case GUEST_EXIT_WBINVD:           exit_cache_flush(v); break;
	case GUEST_EXIT_HLT:              exit_hlt(v); break;
	case GUEST_EXIT_STAGE2_MISCONFIG: exit_stage2_misconfig(v); break;
	case GUEST_EXIT_TASK_SWITCH:      exit_task_switch(v); break;
	case GUEST_EXIT_TRIPLE_FAULT:     exit_triple_fault(v); break;
	case GUEST_EXIT_INIT:             exit_init(v); break;
	case GUEST_EXIT_MACHINE_CHECK:    guest_machine_check(v, true); break;
	case GUEST_EXIT_OTHER:
	case GUEST_EXIT_SIPI:             exit_unhandled(v, &e); break;
	default:                          break;      /* the backend's own: handled in vcpu_enter */
	}
	if (v->rc.dirty)
		vcpu_regs_flush(v);
	v->exits[e.reason].count++;
	v->exits[e.reason].tsc_total += rdtsc() - e.tsc;
	v->exit_total++;
	if (v->stepping && e.reason != GUEST_EXIT_CONSOLE_TICK)
		vcpu_step_end(v, e.reason);
}
