/* boot/efi/efi_main.c - hv.efi's entry (gnu-efi's crt0 relocates the image and calls
 * efi_main): configuration, boot information, VMX check, then the core or the next
 * loader. Every error path continues the boot: a machine never becomes unbootable
 * because of hv.efi. */
#include "boot/efi/uefi.h"
#include "boot/efi/chain.h"
#include "boot/efi/config.h"
#include "boot/efi/console.h"
#include "boot/efi/files.h"
#include "boot/efi/handoff.h"
#include "boot/efi/modules.h"
#include "boot/efi/sysinfo.h"
#include "boot/efi/vmx_check.h"
#include "lib/cmdline.h"
#include "lib/string.h"

#define WITHOUT "continuing the boot without the hypervisor"

/* Large: in the image (gnu-efi's script puts .bss into .data), not on the firmware's stack. */
static struct boot_info boot_info;
static struct hvcfg cfg;
static struct efi_fw fw;

/* Fills boot_info for the core; false if the core cannot run from it. */
static bool gather(struct boot_info *bi, UINTN *map_key)
{
	memset(bi, 0, sizeof(*bi));
	memcpy(bi->loader_name, "hv.efi", sizeof("hv.efi"));
	if (cfg.has_cmdline)
		memcpy(bi->cmdline, cfg.cmdline, sizeof(bi->cmdline));
	if (efi_modules_load(&fw, &cfg, bi) < 0) {
		efi_shout("a module cannot be read: " WITHOUT);
		return false;
	}
	/* Last: the map must show the modules' pages. */
	if (efi_sysinfo_fill(&fw, bi, map_key) < 0) {
		efi_modules_free(&fw, bi);
		efi_shout("no memory map: " WITHOUT);
		return false;
	}
	return true;
}

/* The test hook `hvtest testvmx=efientry` on the hypervisor's command line. */
static bool test_entry_without_vmx(const struct boot_info *bi)
{
	static struct hv_options o;

	cmdline_defaults(&o);
	cmdline_parse(bi->cmdline, &o);
	return o.test_hooks && o.test_vmx == TEST_VMX_EFI_ENTRY;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	enum efi_config_state state;
	char why[160];
	UINTN map_key = 0;

	fw.image = image;
	fw.st = st;
	fw.bs = st->BootServices;
	fw.rt = st->RuntimeServices;
	efi_console_init(st);
	efi_say("hv %s - x86-64 hypervisor, UEFI application", HV_VERSION);
	if (efi_chain_nested(&fw)) {
		efi_shout("started by hv.efi's own next loader: returning at once, so that it tries its next one");
		return EFI_ALREADY_STARTED;
	}
	efi_files_open(&fw);
	efi_say("loaded from %s", fw.self_path[0] ? fw.self_path : "(unknown path)");
	state = efi_config_load(&fw, &cfg);
	if (state == EFI_CONFIG_MALFORMED)
		return efi_chain_next(&fw, "");

	if (!gather(&boot_info, &map_key))
		return efi_chain_next(&fw, cfg.next);
	if (efi_vmx_available(why, sizeof(why))) {
		efi_say("VMX: available (%s)", why);
		efi_enter_core(&fw, cfg.mode, &boot_info, map_key);
	} else if (cfg.mode == HVCFG_MODE_CHAIN && test_entry_without_vmx(&boot_info)) {
		/* QEMU has VT-d but no VMX: the core's work before VMX (VT-d, the
		 * ACPI view) and its hand-back run there only this way. */
		efi_shout("VMX is not available (%s); hvtest testvmx=efientry: entering the core all the same", why);
		efi_enter_core(&fw, cfg.mode, &boot_info, map_key);
	} else if (cfg.mode == HVCFG_MODE_CHAIN) {
		/* Chain mode is VMX or nothing: the installed system boots as without hv.efi. */
		efi_shout("VMX is not available (%s): " WITHOUT, why);
	} else {
		/* Boot mode runs the core anyway, as hv.elf does: it says why no
		 * guest can run and keeps its shell. */
		efi_shout("VMX is not available (%s)", why);
		efi_enter_core(&fw, cfg.mode, &boot_info, map_key);
	}
	efi_modules_free(&fw, &boot_info);
	return efi_chain_next(&fw, cfg.next);
}
