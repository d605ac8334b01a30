/* guest/run/requests.c - serving the hypervisor's cross-CPU requests in the
 * run loop (after a VM exit, before the next entry: vmx/exit.c looks once
 * more right before it), and pausing every vCPU of a VM (docs/architecture.md,
 * "The request channel"). */
#include "guest/run/requests.h"
#include "guest/run/vcpu_call.h"
#include "guest/backend.h"
#include "guest/vcpu.h"
#include "guest/vm.h"
#include "drivers/ipi.h"

void guest_requests_serve(struct vcpu *v)
{
	struct cpu_requests *r = &percpu_self()->req;
	uint32_t seq, bits = cpu_request_take(r, &seq);

	/* Before the acknowledgement: the requester frees table pages after it. */
	if (bits & CPU_REQ_FLUSH_STAGE2)
		vcpu_flush_stage2(v);
	/* CPU_REQ_KICK: this CPU is out of its guest; the run loop looks at
	 * the VM's pause next, and a function the shell posted runs now.
	 * CPU_REQ_ACK: nothing but the acknowledgement. */
	vcpu_call_serve(v);
	cpu_request_done(r, seq);
}

bool guest_held(const struct vcpu *v)
{
	return v->paused || (v->vm && __atomic_load_n(&v->vm->paused, __ATOMIC_ACQUIRE) &&
			     !v->stepping);
}

unsigned int vm_pause_all(struct vm *vm)
{
	/* The flag before the kicks: a CPU that acknowledges reads it before
	 * its next entry. */
	__atomic_store_n(&vm->paused, true, __ATOMIC_SEQ_CST);
	return cpu_request_all_wait(CPU_REQ_KICK, CPU_REQUEST_WAIT_US, "pause");
}

void vm_resume_all(struct vm *vm)
{
	__atomic_store_n(&vm->paused, false, __ATOMIC_RELEASE);
}

void vcpu_kick(struct vcpu *target)
{
	struct percpu *pc = target->cpu < percpu_limit ? percpu_cpus[target->cpu] : NULL;
	uint32_t seq;

	if (pc && pc != percpu_self())
		(void)cpu_request(pc, CPU_REQ_KICK, &seq);
}
