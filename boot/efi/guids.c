/* boot/efi/guids.c - the GUIDs hv.efi uses, from gnu-efi's definitions (UEFI 2.10). */
#include "boot/efi/uefi.h"

EFI_GUID efi_loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
EFI_GUID efi_device_path_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
EFI_GUID efi_simple_fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
EFI_GUID efi_file_info_guid = EFI_FILE_INFO_ID;
EFI_GUID efi_gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
EFI_GUID efi_acpi20_guid = ACPI_20_TABLE_GUID;
EFI_GUID efi_acpi10_guid = ACPI_TABLE_GUID;
EFI_GUID efi_global_variable_guid = EFI_GLOBAL_VARIABLE;
EFI_GUID efi_text_out_guid = EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL_GUID;
