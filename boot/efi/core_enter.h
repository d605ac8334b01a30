/* boot/efi/core_enter.h - the call from hv.efi into the hypervisor core (boot/info/efi_handoff.h). */
#ifndef BOOT_EFI_CORE_ENTER_H
#define BOOT_EFI_CORE_ENTER_H

#include "lib/addr.h"
#include "boot/info/efi_handoff.h"

/*
 * Calls efi_entry64 at physical address entry (System V ABI: RDI = bi,
 * RSI = h; both below 4 GiB, identity-mapped) after recording the CPU state
 * of the return point in h->fw. Boot mode: returns only if the entry
 * refused, with its EFI_HANDOFF_E_* code (efi_handoff_strerror says why);
 * nothing was changed then. Chain mode (later): returns 0 when the firmware
 * resumes as the hypervisor's guest.
 */
/* What the firmware's environment looks like around the call, except the
 * registers of the return point itself (core_enter's assembly takes those):
 * control registers, EFER, PAT, segment bases, GDTR/IDTR, selectors. */
void core_capture_env(struct efi_cpu_state *fw);

uint64_t core_enter(hpa_t entry, struct boot_info *bi, struct efi_handoff *h);

/* Chain mode, on an AP (from an EFI_MP_SERVICES procedure): the same for
 * efi_ap_entry64 at ap_entry (RDI = a, below 4 GiB), recording this AP's
 * state in a->fw. Returns 0 as the hypervisor's guest, or the entry's
 * EFI_AP_E_* refusal (nothing changed); does not return if the core parked
 * the AP (a->status says so). */
uint64_t core_ap_enter(hpa_t ap_entry, struct efi_ap_handoff *a);

#endif
