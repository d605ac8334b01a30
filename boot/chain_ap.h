/* boot/chain_ap.h - chain mode's APs: each comes under the hypervisor on its
 * own, through efi_ap_entry64, after the firmware runs as the guest
 * (boot/info/efi_handoff.h, struct efi_ap_handoff; docs/architecture.md,
 * "Chain mode"). */
#ifndef BOOT_CHAIN_AP_H
#define BOOT_CHAIN_AP_H

#include "lib/compiler.h"
#include "lib/addr.h"

/*
 * On the boot CPU, after mm_init, before any guest: a per-CPU block (with
 * its stacks) for each AP of ids[1..n) (ids[0]: the boot CPU), the
 * hypervisor's CR3 and control registers for them, and then the entry is
 * open: efi_ap_entry64 takes an AP at index 1..n-1. Memory is all taken
 * here, while a failure can still be said on one CPU. 0, or -ENOMEM (said).
 */
int __must_check chain_aps_prepare(const uint32_t *ids, unsigned int n);

/* From efi_ap_entry64 on the AP, on the hypervisor's tables and its run
 * stack, interrupts off: ap_pa is its struct efi_ap_handoff. */
void __noreturn chain_ap_main(hpa_t ap_pa, unsigned int index);

#endif
