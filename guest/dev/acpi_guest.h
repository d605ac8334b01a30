/* guest/dev/acpi_guest.h - the guest's view of ACPI: copies of the RSDP,
 * XSDT/RSDT and MADT (drivers/acpi/acpi_view.c) in which the CPUs that do
 * not run are disabled, kept in the hypervisor's memory and shown to the
 * guest read-only (GMAP_ROM), where it finds them: boot_params for Linux,
 * the firmware area's RSDP page for every guest that scans for it. */
#ifndef GUEST_ACPI_GUEST_H
#define GUEST_ACPI_GUEST_H

#include "boot/info/boot_info.h"
#include "guest/gmap.h"

/*
 * Once, after the CPUs are started and before any guest: builds the view
 * from the boot loader's RSDP when the MADT lists CPUs that are not in
 * running (count APIC IDs) or when drop_dmar (the hypervisor protects the
 * machine with VT-d: the guest must not find the units and program them)
 * or when keep (chain mode with APs still to join: an AP that does not
 * join is disabled in it later, acpi_guest_disable_cpus); otherwise guests
 * read the host's tables. Prints one line: "acpi: guest
 * view: MADT copy with N of M CPUs enabled (hidden: APIC IDs ...)" or "all
 * N CPUs enabled", then " (kept for chain mode ...)" with keep, ", without
 * the DMAR ..." when it was dropped; that
 * none is needed, or why there is none (the host's tables then stay the
 * guest's). Returns 0 or the error it printed.
 */
int acpi_guest_build(const struct boot_info *bi, const uint32_t *running, unsigned int count, bool drop_dmar,
		     bool keep);

/* Chain mode, when the joining phase ends (HC_CHAIN_APS_DONE): the CPUs of
 * ids (APs that did not come under the hypervisor) disabled in the view's
 * MADT copy (drivers/acpi/acpi_view.h acpi_madt_disable), one line said.
 * Returns the CPUs disabled, or a negative error after a message (no view
 * or no MADT copy: an OS reads the firmware's MADT). */
int acpi_guest_disable_cpus(const uint32_t *ids, unsigned int n);

/* Chain mode, before acpi_guest_build: the copies go to [pa, pa + 16 KiB),
 * the loader's EfiACPIMemoryNVS area (efi_handoff.acpi_view, checked),
 * instead of the hypervisor's frames: the OS finds its ACPI tables in
 * memory of a type it keeps for ACPI and never uses as RAM. Never freed by
 * the core (the loader frees it when there is no view). */
void acpi_guest_use_area(hpa_t pa);

/* Shows the view in g (before the stage-2 tables are built): the copies
 * read-only where they lie, and the firmware-area page holding the RSDP
 * replaced by a copy with the RSDP copy in it. Nothing without a view. On
 * error the view is dropped with a message (the host's tables stay). */
void acpi_guest_map(struct gmap *g);

/* The guest-physical address of the RSDP copy for boot_params.acpi_rsdp_addr
 * and the like; 0 if the guest reads the host's tables. */
gpa_t acpi_guest_rsdp(void);

#endif
