/* guest/dev/acpi_pm.h - the guest's ACPI power-off, noticed instead of obeyed. */
#ifndef GUEST_ACPI_PM_H
#define GUEST_ACPI_PM_H

#include "boot/info/boot_info.h"
#include "drivers/acpi/acpi_fadt.h"

/* Reads the machine's FADT through the boot loader's RSDP copy. Returns 0,
 * or a negative error after printing why. */
int acpi_host_fadt(const struct boot_info *bi, struct acpi_fadt_regs *out);

/* Traps the FADT's PM1 control ports: a write with SLP_EN stops the guest
 * ("powered off") instead of powering off the machine under the hypervisor;
 * other accesses go through. Prints what it found; 0 or a negative error. */
int acpi_pm_init(const struct acpi_fadt_regs *f);

#endif
