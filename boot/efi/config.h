/* boot/efi/config.h - hv.efi's configuration: hv.cfg beside hv.efi, and the
 * hypervisor command line from the image's load options. */
#ifndef BOOT_EFI_CONFIG_H
#define BOOT_EFI_CONFIG_H

#include "boot/efi/uefi.h"
#include "boot/info/hvcfg.h"

enum efi_config_state {
	EFI_CONFIG_DEFAULT,     /* no hv.cfg: chain mode, next loader from BootNext/BootOrder */
	EFI_CONFIG_READ,        /* hv.cfg read and understood */
	EFI_CONFIG_MALFORMED,   /* hv.cfg unreadable or malformed: continue the boot without the hypervisor */
};

/* Reads hv.cfg from hv.efi's directory into cfg (defaults when there is none)
 * and, when the load options hold text, puts it in cfg->cmdline (it wins over
 * hv.cfg's). Prints one line for each. */
enum efi_config_state efi_config_load(struct efi_fw *fw, struct hvcfg *cfg);

#endif
