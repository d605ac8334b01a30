/* guest/dev/acpi_pm.h - the guest's ACPI power-off, noticed instead of obeyed. */
#ifndef GUEST_ACPI_PM_H
#define GUEST_ACPI_PM_H

#include "boot/info/boot_info.h"
#include "drivers/acpi/acpi_fadt.h"

/* Reads the machine's FADT through the boot loader's RSDP copy. Returns 0,
 * or a negative error after printing why. */
int acpi_host_fadt(const struct boot_info *bi, struct acpi_fadt_regs *out);

/* An acpi_read_fn for the machine's ACPI tables (RAM-like ranges only). */
int acpi_host_read(void *ctx, uint64_t pa, void *buf, uint32_t len);

/* An acpi_read_fn that also reads firmware-reserved ranges (SeaBIOS under
 * QEMU puts its tables there; real firmware may), through the device
 * window, a page at a time, with the memory type the MTRRs give them.
 * Holes and anything else stay unread (-EFAULT). */
int acpi_firmware_read(void *ctx, uint64_t pa, void *buf, uint32_t len);

/* Traps the FADT's PM1 control ports: a write with SLP_EN stops the guest
 * ("powered off") instead of powering off the machine under the hypervisor;
 * other accesses go through. Prints what it found; 0 or a negative error. */
int acpi_pm_init(const struct acpi_fadt_regs *f);

#endif
