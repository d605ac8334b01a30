/* guest/dev/acpi_pm.c - the guest's ACPI sleep/power-off requests (ACPI 6.x,
 * 4.8.3.2.1 PM1 control: SLP_TYP bits 12:10, SLP_EN bit 13): trapped so the
 * hypervisor reports the guest's end and keeps the machine; everything else
 * on those ports reaches the chipset. */
#include "guest/dev/acpi_pm.h"
#include "drivers/acpi/acpi_fadt.h"
#include "drivers/acpi/acpi_host.h"
#include "guest/dev/device.h"
#include "arch/cpu.h"
#include "mm/paging.h"
#include "drivers/console.h"
#include "lib/string.h"
#include "mm/malloc.h"

#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_EN        (1u << 13)

static uint32_t pm1_in(struct device_model *d, struct vcpu *v, uint16_t port, unsigned int size)
{
	return size == 4 ? inl(port) : size == 2 ? inw(port) : inb(port);
}

static void pm1_out(struct device_model *d, struct vcpu *v, uint16_t port, unsigned int size,
		    uint32_t value)
{
	if (size >= 2 && (value & PM1_SLP_EN)) {
		printf("guest %s: ACPI sleep request (SLP_TYP %u) on port 0x%x: guest powered off\n",
		       v->name, (value >> PM1_SLP_TYP_SHIFT) & 7, port);
		v->state = VCPU_STOPPED;
		v->exit_status = 0;
		return;
	}
	if (size == 4)
		outl(port, value);
	else if (size == 2)
		outw(port, (uint16_t)value);
	else
		outb(port, (uint8_t)value);
}

static struct device_model pm1 = { .name = "acpi-pm1", .port_in = pm1_in, .port_out = pm1_out };

int acpi_host_fadt(const struct boot_info *bi, struct acpi_fadt_regs *out)
{
	char err[96];
	int rc = acpi_read_fadt(bi->rsdp, bi->rsdp_len, acpi_host_read, NULL, out, err, sizeof(err));

	if (rc)
		printf("ACPI: %s; a guest's ACPI power-off would power off the machine\n", err);
	return rc;
}

int acpi_pm_init(const struct acpi_fadt_regs *f)
{
	int rc = 0;

	if (f->pm1a_cnt)
		rc = device_add_ports(&pm1, f->pm1a_cnt, 2);
	if (!rc && f->pm1b_cnt)
		rc = device_add_ports(&pm1, f->pm1b_cnt, 2);
	if (!rc)
		printf("ACPI: PM1 control at port 0x%x%s: a guest's power-off stops that guest\n",
		       f->pm1a_cnt, f->pm1b_cnt ? " (and PM1b)" : "");
	return rc;
}
