/* boot/efi/cpu_list.c - chain mode's list of the firmware's CPUs against the
 * MADT and cpus= (cpu_list.h). */
#include "boot/efi/cpu_list.h"
#include "boot/info/efi_handoff.h"
#include "lib/format.h"

int cpu_list_find(const uint32_t *ids, unsigned int n, uint32_t apic_id)
{
	for (unsigned int i = 0; i < n; i++)
		if (ids[i] == apic_id)
			return (int)i;
	return -1;
}

int cpu_list_check(const uint32_t *ids, unsigned int n, unsigned int total,
		   const struct acpi_madt_info *madt, unsigned int max_cpus, char *err, size_t errlen)
{
	if (!n)
		return fmt_error(-EINVAL, err, errlen, "the firmware lists no enabled CPU");
	if (n > EFI_HANDOFF_CPUS_MAX)
		return fmt_error(-EINVAL, err, errlen, "the firmware runs %u CPUs, chain mode takes at most %u",
				 n, EFI_HANDOFF_CPUS_MAX);
	for (unsigned int i = 1; i < n; i++)
		if (cpu_list_find(ids, i, ids[i]) >= 0)
			return fmt_error(-EINVAL, err, errlen, "the firmware lists APIC ID %u twice", ids[i]);
	if (max_cpus && max_cpus < n)
		return fmt_error(-EINVAL, err, errlen, "cpus=%u, and %u CPUs run: the others would stay outside VMX",
				 max_cpus, n);
	if (!madt)
		return 0;
	if (madt->cpus_dropped)
		return fmt_error(-EINVAL, err, errlen, "the ACPI MADT lists more than %u CPUs", MADT_MAX_CPUS);
	for (unsigned int i = 0; i < madt->cpu_count; i++) {
		const struct madt_cpu *c = &madt->cpu[i];

		if (c->enabled && cpu_list_find(ids, n, c->apic_id) < 0)
			return fmt_error(-EINVAL, err, errlen,
					 "the ACPI MADT lists APIC ID %u enabled, and the firmware runs no such CPU "
					 "(%u of %u processors enabled): the OS would start it outside VMX",
					 c->apic_id, n, total);
	}
	return 0;
}
