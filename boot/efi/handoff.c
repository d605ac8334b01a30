/* boot/efi/handoff.c - the step into the hypervisor core (boot/info/efi_handoff.h).
 * Boot mode: place hv.elf (embedded in hv.efi) below 4 GiB, ExitBootServices,
 * call its efi_entry64. Chain mode (boot services running, the core returns
 * as the firmware's guest): boot/efi/chain_enter.c. */
#include "boot/efi/handoff.h"
#include "boot/efi/chain_enter.h"
#include "boot/efi/console.h"
#include "boot/efi/core_enter.h"
#include "boot/efi/core_load.h"
#include "boot/efi/sysinfo.h"
#include "arch/cpu.h"
#include "lib/string.h"

#define WITHOUT "continuing the boot without the hypervisor"

/* Pages below 4 GiB (the core's early tables identity-map only those). */
static void *alloc_low(struct efi_fw *fw, uint64_t bytes, UINTN *pages)
{
	EFI_PHYSICAL_ADDRESS pa = CORE_LOAD_LIMIT - 1;

	*pages = EFI_SIZE_TO_PAGES(bytes);
	if (EFI_ERROR(fw->bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, *pages, &pa)))
		return NULL;
	return (void *)(uintptr_t)pa;
}

/* After ExitBootServices: nothing of the firmware is left to go back to. */
static __noreturn void stop(void)
{
	efi_shout("boot services have ended: system halted");
	cpu_halt_forever();
}

/* The core's copies of boot_info and the handoff, one allocation below 4 GiB. */
struct handoff_block {
	struct boot_info bi;
	struct efi_handoff h;
};

int efi_enter_core(struct efi_fw *fw, enum hvcfg_mode mode, struct boot_info *bi, UINTN map_key)
{
	static struct core_image img;
	struct core_placed placed;
	struct handoff_block *blk;
	UINTN img_pages, blk_pages;
	uint8_t *raw;
	char err[160];
	uint64_t rc;
	EFI_STATUS s;

	if (mode != HVCFG_MODE_BOOT)
		return efi_chain_enter(fw, bi);
	if (core_parse(hv_core_elf_start, hv_core_elf_size(), &img, err, sizeof(err))) {
		efi_shout("the embedded hypervisor core is unusable: %s: " WITHOUT, err);
		return -EINVAL;
	}
	raw = alloc_low(fw, img.span + CORE_LOAD_ALIGN, &img_pages);
	blk = alloc_low(fw, sizeof(*blk), &blk_pages);
	if (!raw || !blk) {
		efi_shout("no memory below 4 GiB for the hypervisor core (%llu KiB): " WITHOUT,
			  (unsigned long long)((img.span + CORE_LOAD_ALIGN + sizeof(*blk)) >> 10));
		goto free;
	}
	{
		hpa_t load = ALIGN_UP((hpa_t)(uintptr_t)raw, CORE_LOAD_ALIGN);

		if (core_place(hv_core_elf_start, hv_core_elf_size(), &img, (void *)(uintptr_t)load, load,
			       &placed, err, sizeof(err))) {
			efi_shout("cannot place the hypervisor core: %s: " WITHOUT, err);
			goto free;
		}
	}
	core_handoff_init(&blk->h, &placed, EFI_HANDOFF_MODE_BOOT);
	efi_say("hypervisor core at 0x%llx-0x%llx, entry 0x%llx; exiting boot services",
		(unsigned long long)placed.load_pa, (unsigned long long)(placed.end - 1),
		(unsigned long long)placed.entry);

	/* The allocations changed the map: the core gets the one boot services end
	 * with (sysinfo.c also makes its e820 view). */
	for (int attempt = 0;; attempt++) {
		if (efi_sysinfo_memory_map(fw, bi, &map_key) < 0) {
			if (!attempt)
				goto free;
			stop();     /* after a failed ExitBootServices */
		}
		memcpy(&blk->bi, bi, sizeof(blk->bi));
		s = fw->bs->ExitBootServices(fw->image, map_key);
		if (!EFI_ERROR(s))
			break;
		if (attempt) {
			efi_shout("ExitBootServices failed twice (status 0x%llx)", (unsigned long long)s);
			stop();
		}
		/* After a failed ExitBootServices only GetMemoryMap and
		 * ExitBootServices may be called (UEFI 2.10, 7.4): ConOut is
		 * off limits from here, COM1 only. */
		efi_console_init(NULL);
	}
	efi_console_init(NULL);                 /* ConOut is gone: COM1 only */
	rc = core_enter(placed.entry, &blk->bi, &blk->h);
	efi_shout("the hypervisor core refused the hand-off: %s", efi_handoff_strerror(rc));
	stop();

free:
	if (raw)
		fw->bs->FreePages((EFI_PHYSICAL_ADDRESS)(uintptr_t)raw, img_pages);
	if (blk)
		fw->bs->FreePages((EFI_PHYSICAL_ADDRESS)(uintptr_t)blk, blk_pages);
	return -ENOMEM;
}
