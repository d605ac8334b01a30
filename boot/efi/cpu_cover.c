/* boot/efi/cpu_cover.c - every CPU under the hypervisor in chain mode, or no
 * chain mode (cpu_cover.h). */
#include "boot/efi/cpu_cover.h"
#include "drivers/acpi/acpi_madt.h"
#include "lib/format.h"
#include "lib/string.h"

/* EFI_MP_SERVICES_PROTOCOL (PI 1.7, vol. 2, 13.4): only its first member is called. */
struct efi_mp_services {
	EFI_STATUS (EFIAPI *GetNumberOfProcessors)(struct efi_mp_services *self, UINTN *count,
						   UINTN *enabled);
};

static EFI_GUID mp_services_guid = {
	0x3fdda605, 0xa76e, 0x4f46, { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 }
};

/* Boot services run on the firmware's identity map: a physical address is a pointer. */
static int read_phys(void *ctx, uint64_t pa, void *buf, uint32_t len)
{
	memcpy(buf, (const void *)(uintptr_t)pa, len);
	return 0;
}

unsigned int efi_firmware_cpus(struct efi_fw *fw)
{
	struct efi_mp_services *mp = NULL;
	UINTN count = 0, enabled = 0;

	if (EFI_ERROR(fw->bs->LocateProtocol(&mp_services_guid, NULL, (void **)&mp)) || !mp ||
	    EFI_ERROR(mp->GetNumberOfProcessors(mp, &count, &enabled)))
		return 0;
	return (unsigned int)MIN(enabled, (UINTN)UINT32_MAX);
}

bool efi_chain_cpus_covered(struct efi_fw *fw, const struct boot_info *bi, unsigned int max_cpus,
			    char *err, size_t errlen)
{
	static struct acpi_madt_info madt;
	unsigned int enabled = efi_firmware_cpus(fw);   /* 0: not counted, the MADT is all there is */
	unsigned int listed = 0;
	char why[96];

	if (enabled <= 1 && (!max_cpus || max_cpus > 1))
		return true;
	if (!bi->rsdp_len) {
		fmt_snprintf(err, errlen, "the firmware runs %u CPUs and there is no ACPI RSDP to start them from",
			     enabled);
		return false;
	}
	if (acpi_read_madt(bi->rsdp, bi->rsdp_len, read_phys, NULL, &madt, why, sizeof(why)) < 0) {
		fmt_snprintf(err, errlen, "the firmware runs %u CPUs and the ACPI MADT is unusable (%s)",
			     enabled, why);
		return false;
	}
	for (unsigned int i = 0; i < madt.cpu_count; i++)
		listed += madt.cpu[i].enabled;
	if (enabled > listed) {
		fmt_snprintf(err, errlen, "the firmware runs %u CPUs, the ACPI MADT lists %u enabled",
			     enabled, listed);
		return false;
	}
	if (max_cpus && max_cpus < MAX(enabled, listed)) {
		fmt_snprintf(err, errlen, "cpus=%u, and %u CPUs run: the others would stay outside VMX",
			     max_cpus, MAX(enabled, listed));
		return false;
	}
	return true;
}
