/* boot/efi/cpu_list.h - chain mode's list of the firmware's CPUs (from
 * EFI_MP_SERVICES_PROTOCOL, PI 1.7 vol. 2, 13.4) checked against the ACPI
 * MADT and cpus=: every CPU the OS could start must come under the
 * hypervisor. Pure: the host tests reach it. */
#ifndef BOOT_EFI_CPU_LIST_H
#define BOOT_EFI_CPU_LIST_H

#include "drivers/acpi/acpi_madt.h"

/*
 * ids[0..n): the enabled processors' APIC IDs, the boot CPU's first;
 * total: the processors MP services counts, enabled or not. madt: the
 * MADT's processors, NULL where there is no MADT (then the list is all
 * there is: the OS finds no other CPU either). max_cpus: cpus= (0: all).
 * Chain mode is possible if there is at least one CPU and at most
 * EFI_HANDOFF_CPUS_MAX, each APIC ID once, cpus= does not leave any
 * out, and every CPU the MADT lists enabled is in the list (the OS
 * starts what the MADT lists: one missing would run outside VMX). A CPU
 * listed but not in the MADT is only a vCPU the OS never starts: fine.
 * Returns 0, or -EINVAL with one line in err.
 */
int __must_check cpu_list_check(const uint32_t *ids, unsigned int n, unsigned int total,
				const struct acpi_madt_info *madt, unsigned int max_cpus,
				char *err, size_t errlen);

/* The index of apic_id in ids[0..n), or -1. */
int cpu_list_find(const uint32_t *ids, unsigned int n, uint32_t apic_id);

#endif
