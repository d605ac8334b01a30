/* guest/run/vcpu_call.c - a function run on the CPU of a vCPU, for the
 * debug shell (guest/run/vcpu_call.h). One slot per CPU: the caller posts
 * fn and arg, kicks the CPU out of its guest through the request channel
 * (CPU_REQ_KICK, as vcpu_kick does), and the run loop takes the slot when
 * it serves its requests (guest/run/requests.c), before the next VM entry. */
#include "guest/run/vcpu_call.h"
#include "drivers/ipi.h"
#include "guest/vcpu.h"
#include "guest/vm.h"
#include "arch/cpu.h"
#include "arch/percpu.h"
#include "arch/tsc.h"

enum call_state {
	CALL_IDLE,              /* free for the caller */
	CALL_POSTED,            /* fn and arg written; the target may take it */
	CALL_RUNNING,           /* the target took it: only the target moves it on */
	CALL_DONE,              /* fn returned; the caller frees the slot */
};

struct call_slot {
	volatile int state;     /* enum call_state */
	void (*fn)(struct vcpu *v, void *arg);
	void *arg;
};

static struct call_slot slots[VM_MAX_VCPUS];     /* by CPU index */

static uint64_t us_to_tsc(uint64_t us)
{
	return tsc_khz() * us / 1000;
}

static int state_of(struct call_slot *s)
{
	return __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
}

/* Waits up to us microseconds for fn to end; kicks a vCPU that waits for
 * SIPI every 10 ms (it takes no NMI in the guest; one held in the
 * hypervisor gets the NMI kick, vcpu_kick_wait_sipi). */
static bool wait_done(struct call_slot *s, struct vcpu *target, uint64_t us)
{
	uint64_t t0 = rdtsc(), last = t0;

	while (state_of(s) != CALL_DONE) {
		if (rdtsc() - t0 > us_to_tsc(us))
			return false;
		if (state_of(s) == CALL_POSTED && rdtsc() - last > us_to_tsc(10000)) {
			(void)vcpu_kick_wait_sipi(target);
			last = rdtsc();
		}
		cpu_relax();
	}
	return true;
}

int vcpu_call(struct vcpu *target, void (*fn)(struct vcpu *v, void *arg), void *arg,
	      uint64_t timeout_us)
{
	struct call_slot *s;
	struct percpu *pc;
	uint32_t seq;
	int expect = CALL_POSTED;

	if (target->cpu == this_cpu.cpu) {
		fn(target, arg);
		return 0;
	}
	if (target->cpu >= VM_MAX_VCPUS || target->cpu >= percpu_limit)
		return -ETIMEDOUT;       /* no such CPU: nothing can answer */
	s = &slots[target->cpu];
	if (state_of(s) == CALL_RUNNING)
		return -EBUSY;
	s->fn = fn;
	s->arg = arg;
	/* The slot before the kick's bits: the target reads it after them. */
	__atomic_store_n(&s->state, CALL_POSTED, __ATOMIC_SEQ_CST);
	/* A paused VM's vCPUs wait in their run loops, which look at the slot
	 * (no NMI: one arriving after a step's entry would end the step as an
	 * NMI exit); otherwise kick it out of the guest. */
	if (!target->vm || !__atomic_load_n(&target->vm->paused, __ATOMIC_ACQUIRE)) {
		pc = percpu_cpus[target->cpu];
		if (pc)
			(void)cpu_request(pc, CPU_REQ_KICK, &seq);
	}
	(void)vcpu_kick_wait_sipi(target);
	if (!wait_done(s, target, timeout_us)) {
		/* Not taken: withdrawn, it never runs. Taken: give it as long again. */
		if (__atomic_compare_exchange_n(&s->state, &expect, CALL_IDLE, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return -ETIMEDOUT;
		if (!wait_done(s, target, timeout_us))
			return -EINPROGRESS;
	}
	__atomic_store_n(&s->state, CALL_IDLE, __ATOMIC_RELEASE);
	return 0;
}

void vcpu_call_serve(struct vcpu *v)
{
	struct call_slot *s;
	int expect = CALL_POSTED;

	if (v->cpu >= VM_MAX_VCPUS)
		return;
	s = &slots[v->cpu];
	if (!__atomic_compare_exchange_n(&s->state, &expect, CALL_RUNNING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;
	s->fn(v, s->arg);
	__atomic_store_n(&s->state, CALL_DONE, __ATOMIC_RELEASE);
}
