/* boot/efi/cpu_cover.c - the firmware's CPUs for chain mode (cpu_cover.h). */
#include "boot/efi/cpu_cover.h"
#include "boot/efi/cpu_list.h"
#include "boot/efi/mp_services.h"
#include "arch/cpu.h"
#include "lib/format.h"
#include "lib/string.h"

static EFI_GUID mp_services_guid = {
	0x3fdda605, 0xa76e, 0x4f46, { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 }
};

struct efi_mp_services *efi_mp_services(struct efi_fw *fw)
{
	struct efi_mp_services *mp = NULL;

	if (EFI_ERROR(fw->bs->LocateProtocol(&mp_services_guid, NULL, (void **)&mp)))
		return NULL;
	return mp;
}

uint32_t efi_cpu_apic_id(void)
{
	struct cpuid_regs r;

	cpuid(0, 0, &r);
	if (r.eax >= 0xb) {
		cpuid(0xb, 0, &r);
		if (r.ebx)
			return r.edx;
	}
	cpuid(1, 0, &r);
	return r.ebx >> 24;
}

/* Boot services run on the firmware's identity map: a physical address is a pointer. */
static int read_phys(void *ctx, uint64_t pa, void *buf, uint32_t len)
{
	memcpy(buf, (const void *)(uintptr_t)pa, len);
	return 0;
}

/* The list from MP services: the boot CPU first, then the other enabled
 * processors in the firmware's order. No protocol: this CPU alone. */
static int read_cpus(struct efi_fw *fw, struct efi_cpus *c, char *err, size_t errlen)
{
	struct efi_mp_services *mp = efi_mp_services(fw);
	struct efi_processor_info info;
	UINTN count = 0, enabled = 0;

	memset(c, 0, sizeof(*c));
	c->apic_id[c->count++] = efi_cpu_apic_id();
	c->total = c->enabled = 1;
	if (!mp)
		return 0;
	if (EFI_ERROR(mp->GetNumberOfProcessors(mp, &count, &enabled)))
		return fmt_error(-EINVAL, err, errlen, "EFI_MP_SERVICES_PROTOCOL does not count the CPUs");
	c->total = (unsigned int)MIN(count, (UINTN)UINT32_MAX);
	c->enabled = 0;
	for (UINTN i = 0; i < count; i++) {
		memset(&info, 0, sizeof(info));
		if (EFI_ERROR(mp->GetProcessorInfo(mp, i, &info)))
			return fmt_error(-EINVAL, err, errlen, "EFI_MP_SERVICES_PROTOCOL: no information on "
					 "processor %llu", (unsigned long long)i);
		if (!(info.StatusFlag & PROCESSOR_ENABLED_BIT))
			continue;
		c->enabled++;
		if (info.StatusFlag & PROCESSOR_AS_BSP_BIT) {
			if (info.ProcessorId != c->apic_id[0])
				return fmt_error(-EINVAL, err, errlen, "EFI_MP_SERVICES_PROTOCOL calls APIC ID %llu "
						 "the boot CPU, which reads its ID as %u",
						 (unsigned long long)info.ProcessorId, c->apic_id[0]);
			continue;
		}
		if (c->count < EFI_HANDOFF_CPUS_MAX)
			c->apic_id[c->count++] = (uint32_t)info.ProcessorId;
	}
	return 0;
}

bool efi_chain_cpus_covered(struct efi_fw *fw, const struct boot_info *bi, unsigned int max_cpus,
			    struct efi_cpus *cpus, char *err, size_t errlen)
{
	static struct acpi_madt_info madt;
	const struct acpi_madt_info *m = NULL;
	char why[96];

	if (read_cpus(fw, cpus, err, errlen))
		return false;
	if (bi->rsdp_len) {
		if (acpi_read_madt(bi->rsdp, bi->rsdp_len, read_phys, NULL, &madt, why, sizeof(why)) < 0) {
			fmt_snprintf(err, errlen, "the firmware runs %u CPUs and the ACPI MADT is unusable (%s)",
				     cpus->enabled, why);
			return false;
		}
		m = &madt;
	}
	/* More enabled than the list holds: cpu_list_check refuses the count. */
	return cpu_list_check(cpus->apic_id, cpus->enabled > cpus->count ? cpus->enabled : cpus->count,
			      cpus->total, m, max_cpus, err, errlen) == 0;
}
