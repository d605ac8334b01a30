/* boot/efi/chain_aps.h - chain mode's APs: checked before the boot CPU
 * enters the core, brought under the hypervisor after it returned
 * (boot/chain_ap.c, the core's side, says why this way). */
#ifndef BOOT_EFI_CHAIN_APS_H
#define BOOT_EFI_CHAIN_APS_H

#include "boot/efi/cpu_cover.h"

/*
 * Before the boot CPU enters: runs on every AP of cpus (one at a time,
 * EFI_MP_SERVICES_PROTOCOL.StartupAllAPs) what its entry will depend on:
 * VMX usable (boot/efi/vmx_check.c), 4-level paging, a state the core can
 * resume (guest/load/cpu_resume.c, the GDT below 4 GiB), its APIC ID in the
 * list. ap_entry: efi_ap_entry64 where the core is placed (0: the core has
 * none). True if every AP passed (or there is none), else false with why.
 */
bool efi_chain_aps_check(struct efi_fw *fw, const struct efi_cpus *cpus, hpa_t ap_entry,
			 char *err, size_t errlen);

/*
 * After core_enter returned 0 (this CPU is the guest now): each AP, one at
 * a time, captures its state into blocks[i] and enters the core through
 * efi_ap_entry64, returning as the guest. blocks: cpus->count of them,
 * below 4 GiB. Prints what came of each AP, decided by its status word
 * (settled: an AP whose call did not return is abandoned, so it can no
 * longer join); returns how many are not under VMX (0: all are), exactly.
 * The blocks must stay allocated if any did not answer (its CPU may still
 * write its status on its way back).
 */
unsigned int efi_chain_aps_enter(struct efi_fw *fw, const struct efi_cpus *cpus, hpa_t ap_entry,
				 struct efi_ap_handoff *blocks, bool *blocks_in_use);

#endif
