/* arch/cpu_request.h - the hypervisor's own cross-CPU requests: work bits a
 * CPU leaves in another CPU's block, a sequence number the target echoes
 * as its acknowledgement, and the one NMI that makes it look (SDM Vol. 3A,
 * 6.7.1 NMI handling, Vol. 3C 26.2 NMI exiting; docs/architecture.md, "The
 * request channel"). Pure: atomics on a struct, no hardware; the NMI itself
 * is sent by drivers/ipi.c. */
#ifndef ARCH_CPU_REQUEST_H
#define ARCH_CPU_REQUEST_H

#include "lib/compiler.h"

/* Work a CPU is asked to do before its next VM entry. */
#define CPU_REQ_FLUSH_STAGE2  (1u << 0)     /* INVEPT: the stage-2 tables changed */
#define CPU_REQ_KICK          (1u << 1)     /* leave the guest, look at the VM's state (pause, stop) */
#define CPU_REQ_ACK           (1u << 2)     /* only acknowledge: the kick came while entering the guest */

/* cpu_requests.in_guest */
#define CPU_IN_ROOT           0             /* in the hypervisor: acknowledges from its NMI handler */
#define CPU_IN_GUEST          1             /* entering or running the guest */
#define CPU_IN_WAIT_SIPI      2             /* the guest waits for SIPI: runs nothing, takes no NMI */

/*
 * One CPU's side of the channel (in struct percpu). Other CPUs write bits,
 * seq and kick_sent; the owner writes ack, in_guest and the counts.
 */
struct cpu_requests {
	volatile uint32_t bits;         /* CPU_REQ_* asked for and not yet taken */
	volatile uint32_t seq;          /* requests made so far (each requester adds one) */
	volatile uint32_t ack;          /* the seq this CPU has acknowledged up to */
	volatile uint32_t kick_sent;    /* 1 while a kick NMI is on its way: at most one at a time */
	volatile uint32_t in_guest;     /* CPU_IN_*: from the last look at bits before a VM entry to the exit */
	uint32_t kicks;                 /* NMIs that were kicks (not the guest's) */
	uint32_t served;                /* times the owner took bits */
	uint32_t flushes;               /* CPU_REQ_FLUSH_STAGE2 taken */
};

/* True if acknowledgement `ack` covers request number `seq` (wraps safely). */
static inline bool cpu_request_covers(uint32_t ack, uint32_t seq)
{
	return (int32_t)(ack - seq) >= 0;
}

/*
 * Requester: asks r's CPU for `bits`. Returns the request's number (wait
 * for cpu_request_acked(r, it)) and sets *send_nmi when the caller must
 * send the kick NMI: only when none is already on its way, so kicks never
 * merge with each other and every NMI the target gets while kick_sent is
 * set is the hypervisor's.
 */
uint32_t cpu_request_post(struct cpu_requests *r, uint32_t bits, bool *send_nmi);

/* Requester: the NMI could not be sent; the next request sends one again. */
void cpu_request_unsent(struct cpu_requests *r);

/* Requester: true once r's CPU has acknowledged request number seq, or
 * while its guest waits for SIPI: the wait-for-SIPI state blocks NMIs (SDM
 * Vol. 3C, 26.6.2) and runs no guest instruction, and the only way out is
 * a SIPI VM exit, after which the run loop looks at the bits before the
 * next entry (cpu_request_left_guest orders the two). */
bool cpu_request_acked(const struct cpu_requests *r, uint32_t seq);

/*
 * Target, on an NMI (the NMI handler in root mode, or after an NMI VM
 * exit): true if it is the hypervisor's kick, false if it is the guest's.
 * A kick is acknowledged at once unless the CPU is entering the guest
 * (in_guest: it may have looked at bits already), where CPU_REQ_ACK is
 * left for the run loop after the next exit instead.
 */
bool cpu_request_nmi(struct cpu_requests *r);

/* Target, in its run loop: takes the bits (0 if none) and the number to
 * acknowledge once their work is done (cpu_request_done). */
uint32_t cpu_request_take(struct cpu_requests *r, uint32_t *seq);
void cpu_request_done(struct cpu_requests *r, uint32_t seq);

/* Target, just before a VM entry (wait_sipi: into the wait-for-SIPI
 * state): false (and CPU_IN_ROOT) if bits came in since the run loop
 * looked; the entry is then not made. */
bool cpu_request_enter_guest(struct cpu_requests *r, bool wait_sipi);

/* Target, after the VM exit (or a failed entry). Out of wait-for-SIPI a
 * full barrier: a requester that saw CPU_IN_WAIT_SIPI did not wait, so the
 * run loop's next look at bits must see what it posted. */
static inline void cpu_request_left_guest(struct cpu_requests *r)
{
	if (unlikely(r->in_guest == CPU_IN_WAIT_SIPI))
		__atomic_exchange_n(&r->in_guest, CPU_IN_ROOT, __ATOMIC_SEQ_CST);
	else
		__atomic_store_n(&r->in_guest, CPU_IN_ROOT, __ATOMIC_RELAXED);
}

#endif
