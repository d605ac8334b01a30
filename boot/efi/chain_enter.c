/* boot/efi/chain_enter.c - chain mode (boot/info/efi_handoff.h): the core
 * runs with boot services still running and returns as the firmware's guest.
 *
 * Memory (docs/architecture.md, "hv.efi"): the core's image and its pool
 * (frames, heap, page tables, EPT, stacks: everything it uses) are
 * EfiUnusableMemory below 4 GiB: the firmware never hands allocated pages
 * out again, the type is neither boot services memory (which the OS takes
 * after ExitBootServices) nor runtime memory (which the OS maps for the
 * firmware), Linux turns it into e820 "unusable" and never maps it, Windows
 * leaves it alone. The comparison with EfiReservedMemoryType is in the docs.
 * The core's ACPI view (copies of the RSDP, XSDT, RSDT and MADT the OS reads
 * through the configuration table) gets its own EfiACPIMemoryNVS area: the
 * type UEFI gives ACPI tables that the OS keeps (never EfiACPIReclaimMemory,
 * which the OS takes as RAM once it has read the tables: the guest's writes
 * to the view are dropped).
 */
#include "boot/efi/chain_enter.h"
#include "boot/efi/chain_aps.h"
#include "boot/efi/console.h"
#include "boot/efi/core_enter.h"
#include "boot/efi/core_load.h"
#include "boot/efi/cpu_cover.h"
#include "boot/efi/sysinfo.h"
#include "guest/load/cpu_resume.h"
#include "guest/hypercall_abi.h"
#include "lib/format.h"
#include "lib/cmdline.h"
#include "lib/string.h"

#define WITHOUT "continuing the boot without the hypervisor"

/* One allocation: what AllocatePages gave and the aligned part kept. */
struct chain_alloc {
	EFI_PHYSICAL_ADDRESS base;      /* 0: none */
	UINTN pages;
};

static void release(struct efi_fw *fw, struct chain_alloc *a)
{
	if (a->base)
		fw->bs->FreePages(a->base, a->pages);
	a->base = 0;
}

/*
 * `bytes` of `type` memory aligned to `align` (a power of two, at least a
 * page) ending at most at `max` + 1: allocates align more and gives the
 * head and tail back, so only the aligned part stays allocated. Returns
 * the aligned address, 0 if there is no room.
 */
static hpa_t alloc_aligned(struct efi_fw *fw, EFI_MEMORY_TYPE type, uint64_t bytes, uint64_t align,
			   uint64_t max, struct chain_alloc *a)
{
	EFI_PHYSICAL_ADDRESS pa = max;
	UINTN pages = EFI_SIZE_TO_PAGES(bytes + align - PAGE_SIZE);
	hpa_t start, end;

	a->base = 0;
	if (EFI_ERROR(fw->bs->AllocatePages(AllocateMaxAddress, type, pages, &pa)))
		return 0;
	start = ALIGN_UP(pa, align);
	end = start + ALIGN_UP(bytes, PAGE_SIZE);
	if (start > pa)
		fw->bs->FreePages(pa, EFI_SIZE_TO_PAGES(start - pa));
	if (pa + pages * PAGE_SIZE > end)
		fw->bs->FreePages(end, EFI_SIZE_TO_PAGES(pa + pages * PAGE_SIZE - end));
	a->base = start;
	a->pages = EFI_SIZE_TO_PAGES(end - start);
	return start;
}

/*
 * Whether the core will be able to resume the firmware from where it is
 * now: the same checks the core makes after the entry (boot/main.c
 * take_chain), made here, where a failure still lets the boot go on. The
 * GDT must lie below 4 GiB (the core reads it through its early identity
 * map), and guest/load/cpu_resume.c must accept the state (long mode,
 * CPL 0, segments it can rebuild from the GDT). The return point's
 * registers do not matter to the checks: RFLAGS as a 64-bit application
 * runs (no virtual-8086 flag).
 */
static bool resumable(char *err, size_t errlen)
{
	static struct efi_cpu_state fw;
	static struct cpu_resume r;
	size_t gdt_size;

	memset(&fw, 0, sizeof(fw));
	core_capture_env(&fw);
	fw.rflags = 0x2;
	gdt_size = (size_t)fw.gdtr_limit + 1;
	if (fw.gdtr_base >= CORE_LOAD_LIMIT - gdt_size) {
		fmt_snprintf(err, errlen, "its GDT at 0x%llx is not below 4 GiB", (unsigned long long)fw.gdtr_base);
		return false;
	}
	return cpu_resume_from_efi(&fw, (const void *)(uintptr_t)fw.gdtr_base, gdt_size, &r, err, errlen) == 0;
}

/*
 * As the guest, once every AP was asked to join: HC_CHAIN_APS_DONE ends the
 * joining phase (guest/run/chain_done.c). Until then the hypervisor passes
 * the guest's INIT and start-up IPIs on to the APs not under VMX yet, as
 * the firmware needs them; after it, an AP that did not join gets none and
 * is disabled in the ACPI view, and the core says so on its console.
 */
static void aps_done(void)
{
	int64_t rc = HC_CHAIN_APS_DONE;

	asm volatile("vmcall" : "+a"(rc) : : "memory");
	if (rc > 0)
		efi_shout("chain mode: %lld AP%s did not join: %s outside the hypervisor, where isolation does "
			  "not hold (the hypervisor's console says more)", (long long)rc, rc == 1 ? "" : "s",
			  rc == 1 ? "it runs" : "they run");
	else if (rc < 0)
		efi_shout("chain mode: the hypervisor refused the end of the APs' joining phase (error %lld): "
			  "it still passes INIT and start-up IPIs on to APs that did not join", (long long)-rc);
}

/* The core's copies of boot_info and the handoff (it copies both at once),
 * and the APs' blocks for efi_ap_entry64 (boot/efi/chain_aps.c). */
struct chain_block {
	struct boot_info bi;
	struct efi_handoff h;
	struct efi_ap_handoff ap[EFI_HANDOFF_CPUS_MAX];
};

int efi_chain_enter(struct efi_fw *fw, struct boot_info *bi)
{
	static struct core_image img;
	static struct hv_options opt;
	static struct efi_cpus cpus;
	struct chain_alloc a_img = { 0 }, a_pool = { 0 }, a_blk = { 0 }, a_view = { 0 };
	struct core_placed placed;
	struct chain_block *blk;
	hpa_t img_pa, pool, view;
	bool aps_in_use;
	UINTN map_key;
	char err[160];
	uint64_t rc;

	if (!resumable(err, sizeof(err))) {
		efi_shout("the firmware's CPU state cannot be resumed as a guest: %s: " WITHOUT, err);
		return -EINVAL;
	}
	if (core_parse(hv_core_elf_start, hv_core_elf_size(), &img, err, sizeof(err))) {
		efi_shout("the embedded hypervisor core is unusable: %s: " WITHOUT, err);
		return -EINVAL;
	}
	/* hvmem= sizes the pool as it sizes the working memory after GRUB
	 * (the core reports the command line's other warnings itself). */
	cmdline_defaults(&opt);
	cmdline_parse(bi->cmdline, &opt);
	/* A CPU the core does not take would be started by the OS outside VMX;
	 * an AP that could not come under VMX once the boot CPU is the guest
	 * would be lost (boot/chain_ap.c): both checked now. */
	if (!efi_chain_cpus_covered(fw, bi, opt.max_cpus, &cpus, err, sizeof(err)) ||
	    !efi_chain_aps_check(fw, &cpus, img.ap_entry64, err, sizeof(err))) {
		efi_shout("chain mode needs every CPU under the hypervisor: %s: " WITHOUT, err);
		return -EINVAL;
	}

	img_pa = alloc_aligned(fw, EfiUnusableMemory, img.span, CORE_LOAD_ALIGN, CORE_LOAD_LIMIT - 1, &a_img);
	pool = alloc_aligned(fw, EfiUnusableMemory, opt.hv_mem, 2 * MiB, CORE_LOAD_LIMIT - 1, &a_pool);
	blk = (void *)(uintptr_t)alloc_aligned(fw, EfiLoaderData, sizeof(*blk), PAGE_SIZE,
					       CORE_LOAD_LIMIT - 1, &a_blk);
	if (!img_pa || !pool || !blk) {
		efi_shout("no memory below 4 GiB for the hypervisor (image %llu KiB, pool %llu MiB): " WITHOUT,
			  (unsigned long long)(img.span >> 10), (unsigned long long)(opt.hv_mem >> 20));
		goto fail;
	}
	view = alloc_aligned(fw, EfiACPIMemoryNVS, EFI_HANDOFF_VIEW_SIZE, PAGE_SIZE, CORE_LOAD_LIMIT - 1, &a_view);
	if (view)
		efi_say("chain mode: ACPI view area 0x%llx-0x%llx (%u KiB, EfiACPIMemoryNVS) for the tables the OS "
			"will read", (unsigned long long)view, (unsigned long long)(view + EFI_HANDOFF_VIEW_SIZE - 1),
			(unsigned int)(EFI_HANDOFF_VIEW_SIZE >> 10));
	else
		efi_say("chain mode: no EfiACPIMemoryNVS below 4 GiB for the ACPI view: the core keeps it in "
			"its pool (EfiUnusableMemory)");
	if (core_place(hv_core_elf_start, hv_core_elf_size(), &img, (void *)(uintptr_t)img_pa, img_pa,
		       &placed, err, sizeof(err))) {
		efi_shout("cannot place the hypervisor core: %s: " WITHOUT, err);
		goto fail;
	}
	core_handoff_init(&blk->h, &placed, EFI_HANDOFF_MODE_CHAIN);
	blk->h.pool_start = pool;
	blk->h.pool_end = pool + opt.hv_mem;
	blk->h.acpi_view = view;
	blk->h.cpu_count = cpus.count;
	memcpy(blk->h.cpu_apic_id, cpus.apic_id, cpus.count * sizeof(cpus.apic_id[0]));
	/* The map as the core starts: the allocations above are in it. */
	if (efi_sysinfo_fill(fw, bi, &map_key) < 0) {
		efi_shout("no memory map: " WITHOUT);
		goto fail;
	}
	memcpy(&blk->bi, bi, sizeof(blk->bi));
	efi_say("chain mode: hypervisor core at 0x%llx-0x%llx, pool 0x%llx-0x%llx (%llu MiB, EfiUnusableMemory), "
		"%u CPU%s; entering the core with boot services running",
		(unsigned long long)placed.load_pa, (unsigned long long)(placed.end - 1),
		(unsigned long long)pool, (unsigned long long)(pool + opt.hv_mem - 1),
		(unsigned long long)(opt.hv_mem >> 20), cpus.count, cpus.count == 1 ? "" : "s");

	rc = core_enter(placed.entry, &blk->bi, &blk->h);
	if (!rc) {
		/* Here as the guest. The core has its copies; the APs come
		 * now. Then only the image and the pool stay allocated (and
		 * the APs' blocks if one did not come back: it may write). */
		efi_say("the firmware now runs under the hypervisor");
		(void)efi_chain_aps_enter(fw, &cpus, placed.ap_entry, blk->ap, &aps_in_use);
		aps_done();
		/* After the APs (the view disables those that did not join),
		 * before any loader reads ACPI: the OS must see the view. */
		if (blk->h.out.view_rsdp)
			efi_acpi_install_view(fw, blk->h.out.view_rsdp);
		else if (view) {
			release(fw, &a_view);
			efi_say("chain mode: no ACPI view (the firmware's tables are right as they are): its area "
				"is freed");
		}
		if (!aps_in_use)
			release(fw, &a_blk);
		return 0;
	}
	if (rc == EFI_HANDOFF_E_CORE) {
		blk->h.out.reason[sizeof(blk->h.out.reason) - 1] = 0;
		efi_shout("the hypervisor core failed and handed the firmware back: %s: " WITHOUT,
			  blk->h.out.reason[0] ? blk->h.out.reason : "(no reason given)");
	} else {
		efi_shout("the hypervisor core refused the hand-off: %s: " WITHOUT, efi_handoff_strerror(rc));
	}
fail:
	release(fw, &a_view);
	release(fw, &a_blk);
	release(fw, &a_pool);
	release(fw, &a_img);
	return -EINVAL;
}
