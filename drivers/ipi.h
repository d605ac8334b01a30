/* drivers/ipi.h - the hypervisor's inter-processor interrupts: one IPI
 * through the local APIC's interrupt command register in the mode the APIC
 * is in (xAPIC or x2APIC), and the request channel's sending side: ask other
 * CPUs for work (arch/cpu_request.h) with an NMI and wait for their
 * acknowledgement (SDM Vol. 3A, 11.6.1, 11.12.9; docs/architecture.md,
 * "The request channel"). */
#ifndef DRIVERS_IPI_H
#define DRIVERS_IPI_H

#include "arch/percpu.h"
#include "arch/lapic_icr.h"

/* How long cpu_request_all_wait waits by default: a running guest exits
 * for the kick at once, or at its next console tick if the kick came while
 * it was being entered (1 ms, but 2^20 TSC ticks at least: 262 ms in Bochs,
 * whose TSC counts instructions); a few ticks of margin. */
#define CPU_REQUEST_WAIT_US 1000000

/*
 * The one writer of the local APIC's ICR: sends i through the local APIC
 * whose IA32_APIC_BASE is apic_base, in the mode that value names (x2APIC:
 * MSR 0x830, or the SELF IPI register where it takes i; xAPIC: the ICR's
 * two dwords in the APIC page, after the delivery status of the IPI before
 * has gone idle). i->x2apic is not looked at. In xAPIC mode the ICR's high
 * dword is put back as it was: the guest owns the APIC page and may be
 * between its own two ICR writes. Returns at once, without waiting for the
 * IPI to be accepted. 0; -ENOTSUP if the APIC is disabled; -ERANGE or
 * -EINVAL if i does not fit the mode's format (apic_icr_pack); -EBUSY if
 * the delivery status stayed busy; -EFAULT if the APIC page cannot be
 * reached.
 */
int __must_check ipi_send_icr(uint64_t apic_base, const struct apic_icr *i);

/*
 * The hypervisor's own IPI: delivery mode `mode` with `vector`, asserted,
 * edge, to the CPU apic_id alone (physical), through ipi_send_icr. True if
 * it was sent and, in xAPIC mode, accepted (the delivery status went idle
 * again: x2APIC writes have none, 11.12.9). False if the APIC is disabled,
 * apic_id does not name one CPU in the mode (xAPIC: above 0xfe, 0xff being
 * the broadcast) or the xAPIC's delivery status stayed busy.
 */
bool ipi_send_base(uint64_t apic_base, uint32_t apic_id, enum icr_mode mode, uint8_t vector);

/* The same through this CPU's local APIC in the mode it is in now (the
 * guest owns the APIC and may have switched it to x2APIC mode). */
bool ipi_send(uint32_t apic_id, enum icr_mode mode, uint8_t vector);

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
