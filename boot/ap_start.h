/* boot/ap_start.h - waking one application processor: INIT-SIPI-SIPI through
 * the boot CPU's local APIC into the real-mode trampoline
 * (boot/ap_trampoline.asm), which brings it to ap_main on its own per-CPU block. */
#ifndef BOOT_AP_START_H
#define BOOT_AP_START_H

#include "arch/percpu.h"
#include "lib/addr.h"

/*
 * Saves the page at pa (below 1 MiB, usable RAM) and puts the trampoline
 * there with the first page tables an AP needs (the page identity-mapped
 * and the hypervisor's upper half). The boot CPU's CR0, CR4, EFER and PAT
 * are what each AP takes. 0, or -EINVAL if pa cannot be a start page.
 */
int __must_check ap_trampoline_install(hpa_t pa);

/* Puts back the page's own bytes: after the last AP has left the trampoline. */
void ap_trampoline_remove(void);

/*
 * Starts the CPU whose block pc is (percpu_alloc, its APIC ID in it) with
 * INIT, 10 ms, start-up IPI, 200 us, a second start-up IPI if it has not
 * begun (SDM Vol. 3A, 10.4.4), through the ICR in the boot CPU's APIC mode
 * (apic_base: IA32_APIC_BASE), timed by the TSC. Waits a bounded time for
 * it to report from ap_main. 0 once it has; -ETIMEDOUT (the CPU is then sent
 * INIT again, so it waits for a start-up IPI instead of running the
 * trampoline later) or -EBUSY (the APIC never accepted the IPI).
 */
int __must_check ap_start(struct percpu *pc, uint64_t apic_base);

/* Sends an NMI to the CPU of pc. false if the APIC did not accept it. */
bool ap_send_nmi(const struct percpu *pc, uint64_t apic_base);

/* The APIC ID the last AP to report in read from its own CPUID. */
uint32_t ap_reported_apic_id(void);

/* An NMI to apic_id, which wakes an AP halted without a vCPU
 * (guest/run/ap_run.c). False if an xAPIC did not send it. */
bool ap_wake(uint32_t apic_id);

/* A start-up IPI (vector) to apic_id through this CPU's local APIC in the
 * mode it is in now: wakes a vCPU in wait-for-SIPI (guest/vm.h,
 * vcpu_kick_wait_sipi). False if an xAPIC did not send it. */
bool ap_send_sipi(uint32_t apic_id, uint8_t vector);

#endif
