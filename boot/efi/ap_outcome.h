/* boot/efi/ap_outcome.h - what became of one AP in chain mode, from the
 * core's status word and the procedure's return (boot/info/efi_handoff.h,
 * efi_ap_status), for hv.efi's exact count of the APs under the
 * hypervisor. Pure: the host tests reach it. */
#ifndef BOOT_EFI_AP_OUTCOME_H
#define BOOT_EFI_AP_OUTCOME_H

#include "lib/compiler.h"

enum ap_outcome {
	AP_OUT_JOINED,          /* under the hypervisor (the status word says JOINED) */
	AP_OUT_RETURNED,        /* the core gave it back outside VMX (EFI_AP_E_CORE) */
	AP_OUT_REFUSED,         /* the entry refused it, nothing changed (another EFI_AP_E_*) */
	AP_OUT_PARKED,          /* parked in the hypervisor: lost to the OS */
	AP_OUT_ABANDONED,       /* its procedure never came back; it can no longer join */
	AP_OUT_NOT_RUN,         /* the firmware did not run the procedure on it */
	AP_OUT_MISMATCH,        /* the call returned 0 but the status word is not JOINED */
};

/*
 * ran/returned: the procedure ran on the AP / its call returned rc.
 * status: the word once settled: after StartupAllAPs returned, the caller
 * swapped NONE -> ABANDONED for an AP whose call had not returned and
 * passes what the word then holds. The status word decides (an AP whose
 * call returns 0 is JOINED by then: the core claims it before the first
 * VM entry); rc only tells a refusal from a hand-back.
 */
enum ap_outcome ap_outcome(bool ran, bool returned, uint64_t rc, int32_t status);

#endif
