/* guest/linux_loader.c - starting a Linux bzImage through the 64-bit boot
 * protocol (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"): the
 * protected-mode kernel copied to an aligned place in guest RAM, the initrd
 * left where GRUB put it when the kernel can reach it, the command line and
 * the zero page (e820 from the guest memory map) in low memory, identity
 * page tables, and entry at startup_64 with RSI = the zero page. The
 * decisions are pure (guest/linux_boot.c); this file moves the bytes. */
#include "guest/loader.h"
#include "guest/linux_boot.h"
#include "guest/gmem.h"
#include "guest/gmap.h"
#include "arch/paging.h"
#include "drivers/console.h"
#include "lib/format.h"
#include "lib/string.h"

#define LINUX_CMDLINE_MAX 2048
#define LINUX_STACK_TOP   0x80000ULL      /* not used by Linux, which sets its own */

/* The RSDP the boot loader handed over, copied into guest RAM so that a
 * guest booted by UEFI (no RSDP in the BIOS area) finds ACPI too. */
static gpa_t place_rsdp(const struct boot_info *bi, gpa_t page)
{
	if (!bi->rsdp_len)
		return 0;
	memcpy(gmem_ptr(page), bi->rsdp, bi->rsdp_len);
	return page;
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
	size_t cmdlen;
	uint8_t *bp;

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
	pr = (struct linux_place_request){
		.g = gmem_map(), .img = &img, .initrd_size = initrd_size,
		.initrd_where = initrd ? initrd->start : 0, .cmdline_len = cmdlen,
		.avoid = avoid, .avoid_count = bi->module_count,
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
		.initrd_size = initrd_size, .cmdline_len = cmdlen,
		.acpi_rsdp = place_rsdp(bi, lay.gdt + 0x800), .fb = &bi->fb,
	};
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
