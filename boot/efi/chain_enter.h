/* boot/efi/chain_enter.h - chain mode's step into the hypervisor core: boot
 * services keep running and the core returns to hv.efi as the firmware's guest. */
#ifndef BOOT_EFI_CHAIN_ENTER_H
#define BOOT_EFI_CHAIN_ENTER_H

#include "boot/efi/uefi.h"

/* Allocates the hypervisor's memory (EfiUnusableMemory below 4 GiB), places
 * the core, fills the handoff (mode chain, pool, the CPU list) and
 * calls the core with boot services running. Returns 0 when the core has
 * returned as the guest (the firmware now runs under the hypervisor), or a
 * negative error after printing why, with everything it allocated freed: the
 * boot goes on without the hypervisor. */
int efi_chain_enter(struct efi_fw *fw, struct boot_info *bi);

#endif
