/* boot/efi/uefi.h - gnu-efi's UEFI definitions (UEFI 2.10) together with the project's
 * boot_info.h, and the firmware pointers hv.efi keeps while boot services run. */
#ifndef BOOT_EFI_UEFI_H
#define BOOT_EFI_UEFI_H

#include <efi.h>

/* boot/info/efi.h defines these two with the same values (as 64-bit
 * constants for pure code that never sees gnu-efi): its definitions win. */
#undef EFI_MEMORY_RUNTIME
#undef EFI_PAGE_SIZE

#include "boot/info/boot_info.h"

/* The firmware as hv.efi found it: set once by efi_main, valid until
 * ExitBootServices (which hv.efi does not call yet). */
struct efi_fw {
	EFI_HANDLE image;                 /* hv.efi's own image handle */
	EFI_SYSTEM_TABLE *st;
	EFI_BOOT_SERVICES *bs;
	EFI_RUNTIME_SERVICES *rt;
	EFI_LOADED_IMAGE *loaded;         /* hv.efi's EFI_LOADED_IMAGE_PROTOCOL */
	EFI_DEVICE_PATH *device_path;     /* the path of loaded->DeviceHandle, NULL if it has none */
	EFI_FILE_HANDLE root;             /* root directory of hv.efi's volume, NULL if unreadable */
	char self_path[256];              /* hv.efi's file path on its volume ("\EFI\BOOT\BOOTX64.EFI"), "" if unknown */
	char self_dir[256];               /* its directory with a trailing '\' ("\EFI\BOOT\"), "\" if unknown */
};

/* The GUIDs hv.efi uses (UEFI 2.10: 9.1, 13.4, 12.9, 4.6 and 3.3). */
extern EFI_GUID efi_loaded_image_guid, efi_device_path_guid, efi_simple_fs_guid,
	efi_file_info_guid, efi_gop_guid, efi_acpi20_guid, efi_acpi10_guid, efi_global_variable_guid,
	efi_text_out_guid;

#endif
