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
#include "guest/dev/device.h"
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

/* INIT (SDM Vol. 3C, 25.2: an INIT signal always exits in VMX non-root
 * operation). An AP's INIT leaves it waiting for SIPI, in the state INIT
 * gives (Vol. 3A, 10.4.7.3); the boot vCPU's would be a reset, which is not
 * emulated (the guest resets through 0xcf9 and the like). */
static void exit_init(struct vcpu *v)
{
	if (v->cpu) {
		/* No instruction ran since the SIPI: a CPU that keeps an INIT
		 * pending past its exit (Bochs 2.7) can never run this vCPU. */
		if (v->fresh_start && !v->stale_init_said) {
			v->stale_init_said = true;
			printf("guest %s: APIC ID %u: INIT again at once after its start-up IPI: this CPU "
			       "keeps an INIT pending after the INIT exit (Bochs 2.7); the guest's INIT "
			       "must be trapped and emulated instead\n", v->name, v->apic_id);
		}
		vcpu_init_signal(v);
		return;
	}
	vcpu_stop(v, "INIT signal at RIP 0x%016llx (resetting a guest is not supported yet)",
		  (unsigned long long)vcpu_reg(v, VREG_RIP));
}

/* SIPI (25.2: only in wait-for-SIPI). A wake-up the hypervisor sent
 * (VCPU_MB_KICK: the guest is stopping) starts nothing. */
static void exit_sipi(struct vcpu *v)
{
	uint8_t vector = vcpu_exit_sipi_vector(v);

	/* The hypervisor's wake-up (vcpu_kick_wait_sipi): the vCPU goes back to
	 * waiting. The exit took it out of wait-for-SIPI (Bochs 2.7 saves the
	 * activity state as active, with a stale blocking by SMI that the next
	 * entry refuses); it was in the INIT state, which is written again as
	 * it was. Its run loop may enter it again (a shell command that read
	 * it), not only leave it. */
	if (__atomic_fetch_and(&v->mailbox, ~VCPU_MB_KICK, __ATOMIC_ACQ_REL) & VCPU_MB_KICK) {
		vcpu_init_signal(v);
		return;
	}
	vcpu_start_up(v, vector);
	v->started = true;
	v->sipis++;
	v->fresh_start = true;
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
	/* Device models, the MMIO emulation and hypercalls: one CPU at a time. */
	case GUEST_EXIT_IO:               device_lock(); exit_io(v); device_unlock(); break;
	case GUEST_EXIT_STAGE2_FAULT:     device_lock(); exit_stage2_fault(v); device_unlock(); break;
	case GUEST_EXIT_HYPERCALL:        device_lock(); exit_hypercall(v); device_unlock(); break;
	case GUEST_EXIT_MSR_READ:         exit_msr(v, false); break;
	case GUEST_EXIT_MSR_WRITE:        exit_msr(v, true); break;
	case GUEST_EXIT_XSETBV:           exit_xsetbv(v); break;
	case GUEST_EXIT_INVD:
	case GUEST_EXIT_WBINVD:           exit_cache_flush(v); break;
	case GUEST_EXIT_HLT:              exit_hlt(v); break;
	case GUEST_EXIT_STAGE2_MISCONFIG: device_lock(); exit_stage2_misconfig(v); device_unlock(); break;
	case GUEST_EXIT_TASK_SWITCH:      exit_task_switch(v); break;
	case GUEST_EXIT_TRIPLE_FAULT:     exit_triple_fault(v); break;
	case GUEST_EXIT_INIT:             exit_init(v); break;
	case GUEST_EXIT_MACHINE_CHECK:    guest_machine_check(v, true); break;
	case GUEST_EXIT_SIPI:             exit_sipi(v); break;
	case GUEST_EXIT_OTHER:            exit_unhandled(v, &e); break;
	default:                          break;      /* the backend's own: handled in vcpu_enter */
	}
	if (e.reason != GUEST_EXIT_SIPI)
		v->fresh_start = false;
	vcpu_exit_done(v);
	v->exits[e.reason].count++;
	v->exits[e.reason].tsc_total += rdtsc() - e.tsc;
	if (v->stepping && e.reason != GUEST_EXIT_CONSOLE_TICK)
		vcpu_step_end(v, e.reason);
}
