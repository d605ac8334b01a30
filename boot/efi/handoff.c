/* boot/efi/handoff.c - the step into the hypervisor core. Not built yet: the next
 * step puts the core's entry here (boot mode: ExitBootServices, then hv_main's
 * bring-up from bi; chain mode: VMX on every CPU, return to the firmware as the guest). */
#include "boot/efi/handoff.h"
#include "boot/efi/console.h"

int efi_enter_core(struct efi_fw *fw, enum hvcfg_mode mode, struct boot_info *bi, UINTN map_key)
{
	efi_shout("%s mode: the hand-off to the hypervisor core is not built yet: continuing the boot without the hypervisor",
		  mode == HVCFG_MODE_BOOT ? "boot" : "chain");
	return -ENOTSUP;
}
