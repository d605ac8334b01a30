/* boot/efi/cpu_cover.h - whether chain mode can take every CPU the firmware
 * runs: the core starts the CPUs the ACPI MADT lists (boot/smp.c, up to
 * cpus=N); any other CPU would stay the firmware's, and the OS would later
 * start it outside VMX, where nothing hides the hypervisor's memory. */
#ifndef BOOT_EFI_CPU_COVER_H
#define BOOT_EFI_CPU_COVER_H

#include "boot/efi/uefi.h"

/* The enabled processors EFI_MP_SERVICES_PROTOCOL counts (UEFI PI 1.7,
 * vol. 2, 13.4); 0 if there is no such protocol. */
unsigned int efi_firmware_cpus(struct efi_fw *fw);

/* True if the core will take every enabled processor efi_firmware_cpus
 * counts (none counted: the MADT is the only count there is), given the
 * RSDP in bi and the cpus= limit max_cpus (0: all). Else false, with why
 * in err. */
bool efi_chain_cpus_covered(struct efi_fw *fw, const struct boot_info *bi, unsigned int max_cpus,
			    char *err, size_t errlen);

#endif
