/* boot/efi/sysinfo.c - the memory map (UEFI 2.10, 7.2 GetMemoryMap), the ACPI RSDP
 * (4.6 configuration table: ACPI 2.0 GUID first, ACPI 5.2.5.3 RSDP) and the GOP
 * framebuffer (12.9 EFI_GRAPHICS_OUTPUT_PROTOCOL) into struct boot_info. */
#include "boot/efi/sysinfo.h"
#include "boot/efi/console.h"
#include "lib/format.h"
#include "lib/string.h"
#include "boot/info/efi_e820.h"

/* The map as raw descriptors: room for BOOT_EFI_MMAP_MAX of EDK II's 48-byte
 * stride, and slack for the descriptors that this allocation may add. */
static uint8_t map_buf[(BOOT_EFI_MMAP_MAX + 16) * 48] __aligned(8);

int efi_sysinfo_memory_map(struct efi_fw *fw, struct boot_info *bi, UINTN *map_key)
{
	UINTN size = sizeof(map_buf), dsize = 0;
	UINT32 dver = 0;
	struct efi_e820_stats st;
	unsigned int count = 0;
	EFI_STATUS s;
	char err[96];
	int rc;

	s = fw->bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)map_buf, map_key, &dsize, &dver);
	if (EFI_ERROR(s) || dsize < EFI_DESC_MIN_SIZE) {
		efi_shout("GetMemoryMap failed (status 0x%llx, %llu bytes needed, descriptor size %llu)",
			  (unsigned long long)s, (unsigned long long)size, (unsigned long long)dsize);
		return -EFAULT;
	}
	bi->efi.desc_size = (uint32_t)dsize;
	bi->efi.desc_version = dver;
	bi->efi.note[0] = 0;
	/* One unpacker for GetMemoryMap's bytes (the Multiboot2 EFI map tag uses it too). */
	rc = efi_mmap_unpack(map_buf, size, (uint32_t)dsize, dver, bi->efi.mmap, BOOT_EFI_MMAP_MAX,
			     &count, err, sizeof(err));
	if (rc < 0) {
		efi_shout("the firmware's memory map is unusable: %s", err);
		bi->efi.mmap_count = 0;
		return -EINVAL;
	}
	bi->efi.mmap_count = count;
	/* The hypervisor's memory map, by the rules Linux's EFI stub uses (boot services
	 * memory counts as RAM: it is, once the boot services are gone). */
	bi->mmap_count = efi_mmap_to_e820(bi->efi.mmap, count, bi->mmap, BOOT_MMAP_MAX, &st);
	bi->mmap_truncated = st.truncated;
	efi_say("memory map: %u descriptors of %u bytes (version %u) -> %u E820 entries%s%s%s",
		count, bi->efi.desc_size, bi->efi.desc_version, bi->mmap_count,
		st.truncated ? " (truncated)" : "", st.dropped_bad ? ", malformed descriptors dropped" : "",
		st.skipped_unknown ? ", descriptors of unknown types skipped" : "");
	return 0;
}

static bool guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* The RSDP's length: 20 bytes for revision 0 (ACPI 1.0), else its Length field (offset 20). */
static void rsdp(struct efi_fw *fw, struct boot_info *bi)
{
	static EFI_GUID *const order[] = { &efi_acpi20_guid, &efi_acpi10_guid };
	const uint8_t *r = NULL;
	unsigned int len, k;

	for (k = 0; k < ARRAY_SIZE(order) && !r; k++)
		for (UINTN i = 0; i < fw->st->NumberOfTableEntries; i++)
			if (guid_eq(&fw->st->ConfigurationTable[i].VendorGuid, order[k])) {
				r = fw->st->ConfigurationTable[i].VendorTable;
				break;
			}
	bi->rsdp_len = 0;
	if (!r) {
		efi_say("ACPI: no RSDP in the configuration table");
		return;
	}
	if (memcmp(r, "RSD PTR ", 8) != 0) {
		efi_say("ACPI: the configuration table's RSDP at %p has no signature: ignored", (const void *)r);
		return;
	}
	bi->rsdp_revision = r[15];
	len = 20;
	if (r[15] >= 2) {
		len = (unsigned int)(r[20] | r[21] << 8 | r[22] << 16 | (unsigned int)r[23] << 24);
		if (len < 36 || len > BOOT_RSDP_MAX)
			len = 36;
	}
	memcpy(bi->rsdp, r, len);
	bi->rsdp_len = len;
	efi_say("ACPI: RSDP revision %u at %p (%u bytes)", bi->rsdp_revision, (const void *)r, len);
}

static void gop(struct efi_fw *fw, struct boot_info *bi)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *g = NULL;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *m;
	EFI_STATUS s = fw->bs->LocateProtocol(&efi_gop_guid, NULL, (void **)&g);

	memset(&bi->fb, 0, sizeof(bi->fb));
	if (EFI_ERROR(s) || !g || !g->Mode || !g->Mode->Info) {
		efi_say("framebuffer: none (no graphics output protocol)");
		return;
	}
	m = g->Mode->Info;
	if (m->PixelFormat == PixelBltOnly) {
		efi_say("framebuffer: none (the graphics output is blit-only)");
		return;
	}
	/* RGB and BGR 8-bit-per-colour formats and bit masks all take 4 bytes a pixel. */
	bi->fb.type = BOOT_FB_RGB;
	bi->fb.addr = g->Mode->FrameBufferBase;
	bi->fb.width = m->HorizontalResolution;
	bi->fb.height = m->VerticalResolution;
	bi->fb.bpp = 32;
	bi->fb.pitch = m->PixelsPerScanLine * 4;
	efi_say("framebuffer: %ux%u, 32 bpp, pitch %u, at 0x%llx", bi->fb.width, bi->fb.height, bi->fb.pitch,
		(unsigned long long)bi->fb.addr);
}

int efi_sysinfo_fill(struct efi_fw *fw, struct boot_info *bi, UINTN *map_key)
{
	bi->efi.systab = (hpa_t)(uintptr_t)fw->st;
	rsdp(fw, bi);
	gop(fw, bi);
	return efi_sysinfo_memory_map(fw, bi, map_key);
}

void efi_acpi_install_view(struct efi_fw *fw, hpa_t rsdp)
{
	static EFI_GUID *const guids[] = { &efi_acpi20_guid, &efi_acpi10_guid };
	static const char *const names[] = { "ACPI 2.0", "ACPI 1.0" };
	bool had[ARRAY_SIZE(guids)] = { false };
	EFI_STATUS s;

	/* Which entries the firmware has, before installing changes the array. */
	for (unsigned int k = 0; k < ARRAY_SIZE(guids); k++)
		for (UINTN i = 0; i < fw->st->NumberOfTableEntries; i++)
			had[k] |= guid_eq(&fw->st->ConfigurationTable[i].VendorGuid, guids[k]);
	for (unsigned int k = 0; k < ARRAY_SIZE(guids); k++) {
		if (!had[k])
			continue;
		/* An existing GUID's entry is replaced (UEFI 2.10, 7.3 InstallConfigurationTable). */
		s = fw->bs->InstallConfigurationTable(guids[k], (void *)(uintptr_t)rsdp);
		if (EFI_ERROR(s))
			efi_shout("ACPI: the %s entry of the configuration table could not be pointed at the "
				  "hypervisor's view (status 0x%llx): the OS reads the firmware's tables (CPUs the "
				  "hypervisor did not start, the DMAR of the units it owns)", names[k],
				  (unsigned long long)s);
		else
			efi_say("ACPI: the configuration table's %s RSDP is now the hypervisor's view at 0x%llx",
				names[k], (unsigned long long)rsdp);
	}
}
