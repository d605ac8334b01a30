/* arch/cpu_request.c - the hypervisor's cross-CPU requests: posting,
 * acknowledging, telling its kick NMIs from the guest's (SDM Vol. 3A, 6.7.1:
 * NMIs do not queue past one pending; docs/architecture.md, "The request
 * channel"). The target's NMI handler and its run loop run on one CPU, so
 * between them only the order of instructions matters; between CPUs the
 * atomics below are full barriers. */
#include "arch/cpu_request.h"

uint32_t cpu_request_post(struct cpu_requests *r, uint32_t bits, bool *send_nmi)
{
	uint32_t seq;

	/* Bits before the number: a target that reads a number finds its bits. */
	__atomic_or_fetch(&r->bits, bits, __ATOMIC_SEQ_CST);
	seq = __atomic_add_fetch(&r->seq, 1, __ATOMIC_SEQ_CST);
	/* A kick already on its way covers this request: the target reads seq
	 * after it clears kick_sent (cpu_request_nmi). */
	*send_nmi = !__atomic_exchange_n(&r->kick_sent, 1, __ATOMIC_SEQ_CST);
	return seq;
}

void cpu_request_unsent(struct cpu_requests *r)
{
	__atomic_store_n(&r->kick_sent, 0, __ATOMIC_SEQ_CST);
}

bool cpu_request_acked(const struct cpu_requests *r, uint32_t seq)
{
	return cpu_request_covers(__atomic_load_n(&r->ack, __ATOMIC_ACQUIRE), seq) ||
	       __atomic_load_n(&r->in_guest, __ATOMIC_SEQ_CST) == CPU_IN_WAIT_SIPI;
}

/* Acknowledges up to seq, never backwards: the NMI handler may have gone
 * further while the run loop served older bits. */
static void ack_to(struct cpu_requests *r, uint32_t seq)
{
	uint32_t cur = __atomic_load_n(&r->ack, __ATOMIC_RELAXED);

	while (!cpu_request_covers(cur, seq) &&
	       !__atomic_compare_exchange_n(&r->ack, &cur, seq, false, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED))
		;
}

bool cpu_request_nmi(struct cpu_requests *r)
{
	if (!__atomic_exchange_n(&r->kick_sent, 0, __ATOMIC_SEQ_CST))
		return false;
	r->kicks++;
	if (__atomic_load_n(&r->in_guest, __ATOMIC_RELAXED)) {
		/* Between the last look at bits and the VM entry: the guest is
		 * about to run. Only the run loop, after the next exit, can say
		 * that this CPU is out of the guest again. */
		__atomic_or_fetch(&r->bits, CPU_REQ_ACK, __ATOMIC_SEQ_CST);
		return true;
	}
	/* Outside the guest, and the run loop looks at bits before any entry
	 * (cpu_request_enter_guest): that is what an acknowledgement promises. */
	ack_to(r, __atomic_load_n(&r->seq, __ATOMIC_SEQ_CST));
	return true;
}

uint32_t cpu_request_take(struct cpu_requests *r, uint32_t *seq)
{
	uint32_t bits;

	*seq = __atomic_load_n(&r->seq, __ATOMIC_SEQ_CST);
	bits = __atomic_exchange_n(&r->bits, 0, __ATOMIC_SEQ_CST);
	if (bits) {
		r->served++;
		if (bits & CPU_REQ_FLUSH_STAGE2)
			r->flushes++;
	}
	return bits;
}

void cpu_request_done(struct cpu_requests *r, uint32_t seq)
{
	ack_to(r, seq);
}

bool cpu_request_enter_guest(struct cpu_requests *r, bool wait_sipi)
{
	__atomic_store_n(&r->in_guest, wait_sipi ? CPU_IN_WAIT_SIPI : CPU_IN_GUEST, __ATOMIC_RELAXED);
	/* Against this CPU's own NMI handler only: program order suffices. */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&r->bits, __ATOMIC_RELAXED)) {
		__atomic_store_n(&r->in_guest, CPU_IN_ROOT, __ATOMIC_RELAXED);
		return false;
	}
	return true;
}
