/* guest/load/linux_loader.c - starting a Linux bzImage through the 64-bit boot
 * protocol (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"): the
 * protected-mode kernel copied to an aligned place in guest RAM, the initrd
 * left where GRUB put it when the kernel can reach it, the command line and
 * the zero page (e820 from the guest memory map) in low memory, identity
 * page tables, and entry at startup_64 with RSI = the zero page. Copies of
 * the RSDP and, after a UEFI boot, of the EFI memory map (the hypervisor's
 * memory taken out) go in low pages the guest's e820 reserves. The
 * decisions are pure (guest/load/linux_boot.c, guest/load/efi_map.c); this file moves the bytes. */
#include "guest/load/linux_loader.h"
#include "guest/load/boot_modules.h"
#include "guest/load/start_tables.h"
#include "guest/load/linux_boot.h"
#include "guest/load/efi_map.h"
#include "guest/dev/acpi_guest.h"
#include "guest/gmem.h"
#include "guest/gmap.h"
#include "mm/paging.h"
#include "drivers/console.h"
#include "lib/format.h"
#include "lib/string.h"

#define LINUX_CMDLINE_MAX 2048
#define LINUX_STACK_TOP   0x80000ULL      /* not used by Linux, which sets its own */

/* The firmware tables' block (layout.fw): the RSDP copy, then the EFI memory map. */
#define FW_RSDP_SLOT      64              /* >= BOOT_RSDP_MAX, keeps the map 16-byte aligned */
#define FW_EFI_SLACK      (2 * EFI_GUEST_DESC_SIZE)   /* the block itself splits one descriptor */

_Static_assert(BOOT_RSDP_MAX <= FW_RSDP_SLOT, "RSDP slot");

/* Set once a guest got efi_info: it may since have called SetVirtualAddressMap,
 * which firmware allows once per boot and which turns the system table's
 * pointers (vendor, configuration tables, runtime services) into that
 * guest's virtual addresses. A later Linux (a reset, another guest) would
 * follow them as physical ones; kexec passes the physical values in
 * setup_data, which the hypervisor does not have. */
static bool efi_handed_over;

/*
 * Whether the guest gets EFI, and how many bytes its memory map needs
 * (measured without the firmware block, which may split one more
 * descriptor: FW_EFI_SLACK). No EFI after a legacy BIOS boot, or when the
 * system table or a runtime region is not in memory the guest has mapped,
 * or when a guest got EFI before.
 */
static bool efi_for_guest(const struct boot_info *bi, const struct guest_image *g, size_t *need)
{
	const struct gmap_range *st = gmap_lookup(gmem_map(), bi->efi.systab);
	struct efi_map_request er = {
		.desc = bi->efi.mmap, .count = bi->efi.mmap_count, .g = gmem_map(),
	};
	char err[160];

	if (!bi->efi.systab || !bi->efi.mmap_count)
		return false;
	if (efi_handed_over) {
		printf("guest %s: no EFI: a guest got it before and may have switched the firmware's "
		       "runtime services to virtual mode\n", g->name);
		return false;
	}
	if (!st || !gmap_kind_mapped(st->kind)) {
		printf("guest %s: no EFI: its system table at 0x%llx is not in guest memory\n", g->name,
		       (unsigned long long)bi->efi.systab);
		return false;
	}
	if (efi_map_build(&er, NULL, 0, need, err, sizeof(err))) {
		printf("guest %s: no EFI: %s\n", g->name, err);
		return false;
	}
	*need += FW_EFI_SLACK;
	return true;
}

/* Fills the firmware block: the RSDP if the loader gave one, and the EFI
 * map (none, after saying why, if it does not fit). */
static void fill_fw(const struct boot_info *bi, const struct linux_layout *lay, bool efi,
		    struct linux_params_request *par, const struct guest_image *g)
{
	struct efi_map_request er = {
		.desc = bi->efi.mmap, .count = bi->efi.mmap_count, .g = gmem_map(),
		.reserve_start = lay->fw, .reserve_end = lay->fw + lay->fw_size,
	};
	char err[160];
	size_t len;

	/* The guest's ACPI view where there is one (read-only, in the
	 * hypervisor's memory); else a copy of the host's RSDP. Kernels before
	 * boot protocol 2.14 ignore acpi_rsdp_addr and scan the firmware area,
	 * which shows the view's RSDP too (guest/dev/acpi_guest.c). */
	if (acpi_guest_rsdp()) {
		par->acpi_rsdp = acpi_guest_rsdp();
	} else if (bi->rsdp_len) {
		memcpy(gmem_ptr(lay->fw), bi->rsdp, bi->rsdp_len);
		par->acpi_rsdp = lay->fw;
	}
	if (!efi)
		return;
	if (efi_map_build(&er, gmem_ptr(lay->fw + FW_RSDP_SLOT), lay->fw_size - FW_RSDP_SLOT, &len,
			  err, sizeof(err))) {
		printf("guest %s: no EFI: %s\n", g->name, err);
		return;
	}
	efi_handed_over = true;
	par->efi_systab = bi->efi.systab;
	par->efi_memmap = lay->fw + FW_RSDP_SLOT;
	par->efi_memmap_size = (uint32_t)len;
	printf("guest %s: EFI system table 0x%llx, memory map of %zu descriptors at 0x%llx "
	       "(hypervisor memory typed reserved)\n", g->name, (unsigned long long)bi->efi.systab,
	       len / EFI_GUEST_DESC_SIZE, (unsigned long long)par->efi_memmap);
}

int linux_load(const struct boot_info *bi, const struct boot_module *m,
	       const struct boot_module *initrd, struct guest_image *g)
{
	static struct linux_range avoid[BOOT_MODULES_MAX + 1];
	const uint8_t *image = hpa_to_ptr(m->start);
	uint64_t size = m->end - m->start, initrd_size = initrd ? initrd->end - initrd->start : 0;
	struct linux_image img;
	struct linux_layout lay;
	struct linux_place_request pr;
	struct linux_params_request par;
	char cmdline[LINUX_CMDLINE_MAX], err[160];
	size_t cmdlen, efi_len = 0;
	uint8_t *bp;
	bool efi;

	if (linux_parse(image, size, &img, err, sizeof(err))) {
		printf("guest %s: not a Linux kernel hv can boot: %s\n", g->name, err);
		return -EINVAL;
	}
	cmdlen = loader_guest_cmdline(m, cmdline, sizeof(cmdline)) + 1;
	if (cmdlen > img.cmdline_size + 1) {
		printf("guest %s: command line of %zu bytes is longer than the kernel takes (%u)\n",
		       g->name, cmdlen, img.cmdline_size);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < bi->module_count; i++) {
		avoid[i].start = ALIGN_DOWN(bi->modules[i].start, PAGE_SIZE);
		avoid[i].end = ALIGN_UP(bi->modules[i].end, PAGE_SIZE);
	}
	efi = efi_for_guest(bi, g, &efi_len);
	pr = (struct linux_place_request){
		.g = gmem_map(), .img = &img, .initrd_size = initrd_size,
		.initrd_where = initrd ? initrd->start : 0, .cmdline_len = cmdlen,
		.avoid = avoid, .avoid_count = bi->module_count,
		.fw_size = bi->rsdp_len || efi ? FW_RSDP_SLOT + efi_len : 0,
	};
	if (linux_place(&pr, &lay, err, sizeof(err))) {
		printf("guest %s: no room for the kernel in guest RAM: %s\n", g->name, err);
		return -EINVAL;
	}

	memcpy(gmem_ptr(lay.kernel), image + img.setup_size, img.kernel_size);
	/* linux_place() keeps every destination clear of every source. */
	if (initrd && lay.initrd != initrd->start)
		memcpy(gmem_ptr(lay.initrd), hpa_to_ptr(initrd->start), initrd_size);
	memcpy(gmem_ptr(lay.cmdline), cmdline, cmdlen);

	bp = gmem_ptr(lay.boot_params);
	memset(bp, 0, PAGE_SIZE);
	par = (struct linux_params_request){
		.image = image, .image_size = size, .img = &img, .lay = &lay, .g = gmem_map(),
		.initrd_size = initrd_size, .cmdline_len = cmdlen, .fb = &bi->fb,
	};
	if (lay.fw_size) {
		memset(gmem_ptr(lay.fw), 0, lay.fw_size);
		fill_fw(bi, &lay, efi, &par, g);
	}
	if (linux_fill_params(&par, bp, err, sizeof(err))) {
		printf("guest %s: cannot fill the boot parameters: %s\n", g->name, err);
		return -EINVAL;
	}

	g->start.mode = VCPU_MODE_LONG64;
	g->start.rip = lay.entry;
	g->start.rsi = lay.boot_params;
	g->start.rsp = LINUX_STACK_TOP;
	loader_build_gdt(&g->start, lay.gdt, true);
	loader_build_identity_tables(&g->start, lay.page_tables);
	printf("guest %s: Linux boot protocol %u.%02u: kernel at 0x%llx (%llu KiB), initrd at 0x%llx "
	       "(%llu KiB), boot_params at 0x%llx, command line \"%s\"\n", g->name, img.version >> 8,
	       img.version & 0xff, (unsigned long long)lay.kernel,
	       (unsigned long long)(img.kernel_size >> 10), (unsigned long long)lay.initrd,
	       (unsigned long long)(initrd_size >> 10), (unsigned long long)lay.boot_params, cmdline);
	return 0;
}
