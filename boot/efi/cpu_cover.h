/* boot/efi/cpu_cover.h - the firmware's CPUs for chain mode: every one must
 * come under the hypervisor (boot/efi/cpu_list.h), or no chain mode. */
#ifndef BOOT_EFI_CPU_COVER_H
#define BOOT_EFI_CPU_COVER_H

#include "boot/efi/uefi.h"
#include "boot/info/efi_handoff.h"

/* The enabled processors as EFI_MP_SERVICES_PROTOCOL lists them. */
struct efi_cpus {
	unsigned int count;                     /* enabled ones in apic_id[] (at most the array) */
	unsigned int total;                     /* all it counts, enabled or not */
	unsigned int enabled;                   /* all enabled (> count: the array was too small) */
	uint32_t apic_id[EFI_HANDOFF_CPUS_MAX]; /* the boot CPU's first */
};

/* This CPU's APIC ID as the core reads it (arch/percpu.c percpu_read_apic_id:
 * CPUID leaf 0BH's x2APIC ID, else leaf 1's initial APIC ID). */
uint32_t efi_cpu_apic_id(void);

/*
 * Fills *cpus from EFI_MP_SERVICES_PROTOCOL (no protocol: this CPU alone)
 * and checks the list (boot/efi/cpu_list.c) against the MADT through bi's
 * RSDP, where there is one, and cpus= (max_cpus, 0: all). True if chain
 * mode can take every CPU, else false with why in err.
 */
bool efi_chain_cpus_covered(struct efi_fw *fw, const struct boot_info *bi, unsigned int max_cpus,
			    struct efi_cpus *cpus, char *err, size_t errlen);

#endif
