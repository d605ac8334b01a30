/* boot/chain_fail.h - chain mode's hand-back (boot/info/efi_handoff.h,
 * EFI_HANDOFF_E_CORE): a failure between the core's entry and the
 * firmware's first instruction as the guest gives the CPU back to the
 * firmware as core_enter left it, with a reason, so that hv.efi continues
 * the boot without the hypervisor. */
#ifndef BOOT_CHAIN_FAIL_H
#define BOOT_CHAIN_FAIL_H

#include "lib/compiler.h"
#include "boot/info/efi_handoff.h"

/* From here on a failure hands back: fw is the loader's record of the
 * return point (copied), handoff_pa its handoff (out is written there). */
void chain_fail_arm(const struct efi_cpu_state *fw, hpa_t handoff_pa);

/* True once armed, until chain_fail_disarm (boot/main.c: once
 * guests_run_firmware returns after the firmware ran as the guest; it
 * returns an error only when no VM entry succeeded). */
bool chain_fail_armed(void);

/* The firmware ran as the guest: nothing can be handed back now. */
void chain_fail_disarm(void);

/* Writes n bytes at offset off of the loader's struct efi_handoff_out. */
void chain_out_write(size_t off, const void *buf, size_t n);

/* Says why, undoes what the core did to the machine (this CPU out of VMX,
 * the only one in it: the APs join after the firmware's first VM entry;
 * the VT-d units as the firmware had them, the UART as the firmware
 * programmed it), writes why to the handoff's out.reason and returns to
 * the firmware's return point with RAX = EFI_HANDOFF_E_CORE. Only while
 * armed. */
__noreturn void chain_fail(const char *why);

/* boot/chain_return.asm: back to the firmware at the return point recorded
 * at fw_pa (physical, below 4 GiB: the early tables identity-map it) with
 * RAX = code, restoring the state struct efi_cpu_state lists; slot: the
 * CPU's index (0: the boot CPU). The caller has left VMX operation. */
__noreturn void chain_return_to_firmware(hpa_t fw_pa, uint64_t code, unsigned int slot);

#endif
