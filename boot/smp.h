/* boot/smp.h - every CPU the MADT lists, started at boot and parked. */
#ifndef BOOT_SMP_H
#define BOOT_SMP_H

#include "boot/info/boot_info.h"
#include "lib/cmdline.h"

/*
 * After mm_init and tsc_calibrate, before any guest runs: reads the MADT's
 * processors, starts every enabled one but the boot CPU (at most
 * opt->max_cpus CPUs in all) through a trampoline in a page of low memory
 * whose bytes are put back afterwards, and prints one line: how many the
 * MADT lists, how many run, their APIC IDs. A CPU that does not answer is
 * reported ("cpu: APIC ID n did not start") and the boot goes on. The APs
 * park with interrupts off (no VMX on them yet). Returns the CPUs running.
 */
unsigned int smp_start(const struct boot_info *bi, const struct hv_options *opt);

/* Chain mode: the firmware's CPUs ids[0..n) (the UEFI loader's list, the
 * boot CPU first), n >= 1, kept by the caller. smp_start then starts no AP
 * and prepares each for efi_ap_entry64 (boot/chain_ap.h); 0 from smp_start
 * means it could not (no memory). Before smp_start. */
void smp_use_chain_cpus(const uint32_t *ids, unsigned int n);

/* CPUs the machine has: enabled in the MADT (1 without a usable MADT),
 * started or not. */
unsigned int smp_machine_cpus(void);
/* The APIC IDs of the CPUs running after smp_start(), the boot CPU's first
 * (*ids); returns how many. */
unsigned int smp_running(const uint32_t **ids);

#endif
