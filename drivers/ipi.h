/* drivers/ipi.h - the hypervisor's inter-processor interrupts: one IPI
 * through the local APIC's interrupt command register in the mode the APIC
 * is in (xAPIC or x2APIC), and the request channel's sending side: ask other
 * CPUs for work (arch/cpu_request.h) with an NMI and wait for their
 * acknowledgement (SDM Vol. 3A, 11.6.1, 11.12.9; docs/architecture.md,
 * "The request channel"). */
#ifndef DRIVERS_IPI_H
#define DRIVERS_IPI_H

#include "arch/percpu.h"

/* How long cpu_request_all_wait waits by default: a running guest exits
 * for the kick at once, or at its next console tick if the kick came while
 * it was being entered (1 ms, but 2^20 TSC ticks at least: 262 ms in Bochs,
 * whose TSC counts instructions); a few ticks of margin. */
#define CPU_REQUEST_WAIT_US 1000000

/*
 * Sends one IPI (ICR low half `lo`: delivery mode, vector, level) to
 * apic_id through the local APIC whose IA32_APIC_BASE is apic_base. In
 * xAPIC mode the guest may be between its two ICR writes (a VM exit fell
 * between them): its destination is put back after ours. false if the APIC
 * is disabled, the ID does not fit the mode, or an xAPIC's delivery status
 * stayed busy (the message was not accepted). x2APIC writes have no
 * delivery status (11.12.9).
 */
bool ipi_send_base(uint64_t apic_base, uint32_t apic_id, uint32_t lo);

/* The same through this CPU's local APIC in the mode it is in now (the
 * guest owns the APIC and may have switched it to x2APIC mode). */
bool ipi_send(uint32_t apic_id, uint32_t lo);

/* Sends an NMI to apic_id. */
bool ipi_send_nmi(uint32_t apic_id);

/*
 * Asks the CPU of pc for `bits` (CPU_REQ_*) and kicks it with an NMI unless
 * a kick is already on its way. *seq: the request's number, for
 * cpu_request_acked(&pc->req, *seq). 0, or -EBUSY if the NMI could not be
 * sent (the bits stay: the CPU serves them at its next look).
 */
int __must_check cpu_request(struct percpu *pc, uint32_t bits, uint32_t *seq);

/*
 * Asks every other online CPU for `bits` and waits, at most timeout_us in
 * all (TSC), until each has acknowledged: it is outside the guest and does
 * the work before its next VM entry, or has done it. Returns how many did
 * not answer; those are named in one line ("cpus: no answer to <what> from
 * APIC IDs 2 3 within 100 ms"). Never waits longer; a CPU in the
 * hypervisor answers from its NMI handler, so callers may hold locks that
 * the others wait for.
 */
unsigned int cpu_request_all_wait(uint32_t bits, uint64_t timeout_us, const char *what);

/* Totals since boot, for reports: request rounds, acknowledgements received,
 * CPUs that did not answer. */
struct cpu_request_totals {
	uint64_t rounds, acks, missed;
};
void cpu_request_totals(struct cpu_request_totals *t);

/* Prints the totals and each CPU's share: "cross-CPU requests: 4 rounds, 4
 * acknowledged, 0 unanswered; APIC ID 1: 4 kicks, 3 served, 2 stage-2 flushes". */
void cpu_request_print_stats(void);

#endif
