/* boot/efi/mp_services.h - EFI_MP_SERVICES_PROTOCOL (UEFI PI 1.7, vol. 2,
 * 13.4): the firmware's CPUs, and running a procedure on its APs. */
#ifndef BOOT_EFI_MP_SERVICES_H
#define BOOT_EFI_MP_SERVICES_H

#include "boot/efi/uefi.h"

#define PROCESSOR_AS_BSP_BIT        (1u << 0)
#define PROCESSOR_ENABLED_BIT       (1u << 1)
#define PROCESSOR_HEALTH_STATUS_BIT (1u << 2)

/* EFI_PROCESSOR_INFORMATION; PI 1.7's ExtendedInformation after Location is
 * written only when the processor number has bit 24 set (never here), but
 * room is left for it. */
struct efi_processor_info {
	UINT64 ProcessorId;             /* the (x2)APIC ID */
	UINT32 StatusFlag;
	UINT32 Package, Core, Thread;
	UINT8 extended[32];
};

typedef VOID (EFIAPI *efi_ap_procedure)(VOID *arg);

struct efi_mp_services {
	EFI_STATUS (EFIAPI *GetNumberOfProcessors)(struct efi_mp_services *self, UINTN *count,
						   UINTN *enabled);
	EFI_STATUS (EFIAPI *GetProcessorInfo)(struct efi_mp_services *self, UINTN number,
					      struct efi_processor_info *info);
	EFI_STATUS (EFIAPI *StartupAllAPs)(struct efi_mp_services *self, efi_ap_procedure procedure,
					   BOOLEAN single_thread, EFI_EVENT wait_event, UINTN timeout_us,
					   VOID *arg, UINTN **failed_cpus);
	VOID *StartupThisAP, *SwitchBSP, *EnableDisableAP, *WhoAmI;     /* not called */
};

/* The protocol, or NULL if the firmware has none. */
struct efi_mp_services *efi_mp_services(struct efi_fw *fw);

#endif
