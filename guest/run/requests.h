/* guest/run/requests.h - the run loop's side of the hypervisor's cross-CPU
 * requests (arch/cpu_request.h): serving them between VM exits, and the
 * VM-wide pause and resume that every vCPU's run loop obeys. */
#ifndef GUEST_RUN_REQUESTS_H
#define GUEST_RUN_REQUESTS_H

#include "arch/percpu.h"

struct vcpu;
struct vm;

/* Does what other CPUs asked of this one (the stage-2 INVEPT) and
 * acknowledges it. */
void guest_requests_serve(struct vcpu *v);

/* Once per run-loop iteration: one %gs-relative load when nothing is asked. */
static inline void guest_requests_check(struct vcpu *v)
{
	if (unlikely(this_cpu.req.bits))
		guest_requests_serve(v);
}

/* True while v must not be entered: the shell paused it or its VM
 * (a single step of a paused vCPU still runs). */
bool guest_held(const struct vcpu *v);

/*
 * Pauses every vCPU of vm: sets its pause and kicks every other CPU out of
 * its guest, waiting for each to acknowledge (after which none enters a
 * guest until vm_resume_all). Returns the CPUs that did not answer (named
 * in one line by cpu_request_all_wait).
 */
unsigned int vm_pause_all(struct vm *vm);
/* Lets every vCPU of vm run again (each run loop looks at the flag). */
void vm_resume_all(struct vm *vm);

/* Makes target's CPU leave its guest soon, without waiting: for what was
 * posted to it (its mailbox: INIT, SIPI; the VM's stop), which its run loop
 * looks at after the exit. A vCPU waiting for SIPI takes no NMI: see
 * vcpu_kick_wait_sipi. Nothing for this CPU's own vCPU. */
void vcpu_kick(struct vcpu *target);

#endif
