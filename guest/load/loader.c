/* guest/load/loader.c - loading ELF guests from boot modules and giving them the
 * start state their mode needs (guest/load/start_tables.c), or handing a
 * bzImage to the Linux path (guest/load/linux_loader.c). */
#include "guest/load/loader.h"
#include "guest/load/linux_loader.h"
#include "guest/load/start_tables.h"
#include "guest/load/elf.h"
#include "guest/gmem.h"
#include "guest/load/multiboot_info.h"
#include "boot/info/mb2.h"
#include "mm/paging.h"
#include "drivers/console.h"
#include "lib/cmdline.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/malloc.h"

/* Fixed places in low guest memory (docs/hypercalls.md). */
#define GUEST_GDT        0x5f000ULL
#define GUEST_PML4       0x60000ULL         /* PML4, PDPT, 4 PDs: 0x60000-0x65fff */
#define GUEST_STACK_TOP  0x80000ULL
#define GUEST_REAL_SP    0x7c00ULL
#define GUEST_MB_INFO    0x60000ULL         /* Multiboot info (prot32 guests have no page tables there) */
#define GUEST_MB_INFO_MAX 0x8000ULL         /* ... up to 0x67fff, well below the stack */
_Static_assert(GUEST_MB_INFO >= GUEST_GDT + PAGE_SIZE && GUEST_MB_INFO + GUEST_MB_INFO_MAX <= GUEST_STACK_TOP,
	       "the Multiboot information lies in the low block loader_load checks is free RAM");

/* Loaded bytes may only land on RAM nobody else uses: not the boot modules
 * (the kernel we are copying from!), not the boot information. */
static bool is_free_ram(enum mem_type t)
{
	return t == MEM_USABLE || t == MEM_LOWMEM;
}

static bool free_ram(gpa_t gpa, uint64_t len)
{
	return memmap_range_all(mm_host_map(), gpa, len, is_free_ram);
}

/* Without hv.mode=, a Multiboot kernel starts as Multiboot says (prot32), even an ELF64 one. */
static int parse_mode(const char *cmdline, const struct elf_image *img, bool multiboot, enum vcpu_mode *mode)
{
	char val[16];

	if (cmdline_get(cmdline, "hv.mode", val, sizeof(val)) < 0) {
		*mode = img->bits == 64 && !multiboot ? VCPU_MODE_LONG64 : VCPU_MODE_PROT32;
		return 0;
	}
	if (!strcmp(val, "real"))
		*mode = VCPU_MODE_REAL;
	else if (!strcmp(val, "prot32"))
		*mode = VCPU_MODE_PROT32;
	else if (!strcmp(val, "long64"))
		*mode = VCPU_MODE_LONG64;
	else
		return -EINVAL;
	return 0;
}

static int copy_segments(const struct boot_module *m, const struct elf_image *img, const char *name)
{
	const uint8_t *file = hpa_to_ptr(m->start);

	for (unsigned int i = 0; i < img->segment_count; i++) {
		const struct elf_segment *s = &img->segments[i];

		if (!free_ram(s->paddr, s->memsz)) {
			printf("guest %s: segment %u at 0x%llx-0x%llx is not free guest RAM "
			       "(hypervisor memory, a module, or MMIO)\n", name, i,
			       (unsigned long long)s->paddr, (unsigned long long)(s->paddr + s->memsz - 1));
			return -EINVAL;
		}
	}
	for (unsigned int i = 0; i < img->segment_count; i++) {
		const struct elf_segment *s = &img->segments[i];
		uint8_t *dst = gmem_ptr(s->paddr);

		memcpy(dst, file + s->offset, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	return 0;
}

/* What a Multiboot header requires that hv cannot give makes the kernel
 * unbootable (Multiboot 3.1.2, Multiboot2 3.1.3): say which. */
static int multiboot_check(const struct multiboot_header_info *h, const char *name)
{
	if (h->version == 1 && multiboot1_unsupported_flags(h->flags))
		printf("guest %s: Multiboot header requires flags 0x%x (video mode or unknown), which hv "
		       "does not provide\n", name, multiboot1_unsupported_flags(h->flags));
	else if (h->version == 2 && h->architecture != MB2_ARCH_I386)
		printf("guest %s: Multiboot2 header is for architecture %u, not i386\n", name, h->architecture);
	else if (h->unsupported_request)
		printf("guest %s: Multiboot2 header requires information tag %u, which hv does not provide\n",
		       name, h->unsupported_request);
	else if (h->unsupported_tag)
		printf("guest %s: Multiboot2 header tag %u is required but not supported\n", name,
		       h->unsupported_tag);
	else
		return 0;
	return -EINVAL;
}

/* The guest's "module" modules, copied into its RAM above its image as GRUB
 * places them (page-aligned, usable RAM below 4 GiB), for its Multiboot
 * information. Returns how many, or a negative error after printing why. */
static int multiboot_modules(const struct boot_info *bi, const struct boot_module *m,
			     const struct elf_image *img, struct multiboot_module *mods, const char *name)
{
	static uint64_t sizes[MB_MODULES_MAX];
	static gpa_t at[MB_MODULES_MAX];
	struct multiboot_range avoid[2] = {
		{ GUEST_GDT, GUEST_STACK_TOP },                     /* GDT, information block, stack */
		{ ALIGN_DOWN(bi->info_start, PAGE_SIZE), ALIGN_UP(bi->info_end, PAGE_SIZE) },
	};
	unsigned int first, n = loader_guest_modules(bi, m, &first), failed = 0;
	gpa_t image_end = 0;
	char size[32];

	if (n > MB_MODULES_MAX) {
		printf("guest %s: %u modules; a Multiboot kernel takes at most %u\n", name, n, MB_MODULES_MAX);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < img->segment_count; i++)
		image_end = MAX(image_end, img->segments[i].paddr + img->segments[i].memsz);
	for (unsigned int i = 0; i < n; i++)
		sizes[i] = bi->modules[first + i].end - bi->modules[first + i].start;
	if (multiboot_place_modules(gmem_map(), image_end, avoid, ARRAY_SIZE(avoid), sizes, n, at, &failed)) {
		fmt_size(size, sizeof(size), sizes[failed]);
		printf("guest %s: module %u (%s, \"%s\") does not fit in its usable RAM between its image's "
		       "end 0x%llx and 4 GiB\n", name, failed + 1, size,
		       loader_module_cmdline(&bi->modules[first + failed]), (unsigned long long)image_end);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct boot_module *src = &bi->modules[first + i];

		memcpy(gmem_ptr(at[i]), hpa_to_ptr(src->start), sizes[i]);
		mods[i] = (struct multiboot_module){ at[i], at[i] + sizes[i], loader_module_cmdline(src) };
		printf("guest %s: module %u: %llu bytes at 0x%llx \"%s\"\n", name, i + 1,
		       (unsigned long long)sizes[i], (unsigned long long)at[i], mods[i].cmdline);
	}
	return (int)n;
}

/* EAX = the magic, EBX = the information, built in low guest memory from the
 * guest memory map (Multiboot 3.2, Multiboot2 3.3); the start state is prot32.
 * The "module" modules after the guest go into its RAM and its information. */
static int multiboot_prepare(const struct boot_info *bi, const struct boot_module *m,
			     const struct multiboot_header_info *h, const struct elf_image *img,
			     struct guest_image *g)
{
	static struct multiboot_module mods[MB_MODULES_MAX];
	char cmdline[BOOT_MOD_CMDLINE_MAX];
	unsigned int entries;
	size_t used;
	uint8_t *buf = gmem_ptr(GUEST_MB_INFO);
	int rc, n;

	for (unsigned int i = 0; i < img->segment_count; i++)
		if (img->segments[i].paddr < GUEST_MB_INFO + GUEST_MB_INFO_MAX &&
		    GUEST_MB_INFO < img->segments[i].paddr + img->segments[i].memsz) {
			printf("guest %s: segment %u overlaps the Multiboot information at 0x%llx\n", g->name, i,
			       (unsigned long long)GUEST_MB_INFO);
			return -EINVAL;
		}
	if (h->has_entry)
		g->start.rip = h->entry_addr;
	if (g->start.rip >= 4 * GiB) {
		printf("guest %s: Multiboot entry 0x%llx is not a 32-bit address\n", g->name,
		       (unsigned long long)g->start.rip);
		return -EINVAL;
	}
	n = multiboot_modules(bi, m, img, mods, g->name);
	if (n < 0)
		return -EINVAL;
	loader_guest_cmdline(m, cmdline, sizeof(cmdline));
	if (h->version == 1)
		rc = multiboot1_build_info(gmem_map(), cmdline, mods, (unsigned int)n, GUEST_MB_INFO, buf,
					   GUEST_MB_INFO_MAX, &used, &entries);
	else
		rc = multiboot2_build_info(gmem_map(), cmdline, mods, (unsigned int)n, buf, GUEST_MB_INFO_MAX,
					   &used, &entries);
	if (rc == -ENOSPC)
		printf("guest %s: the Multiboot information (%d modules) does not fit in its %llu KiB at 0x%llx\n",
		       g->name, n, (unsigned long long)(GUEST_MB_INFO_MAX >> 10), (unsigned long long)GUEST_MB_INFO);
	else if (rc)
		printf("guest %s: cannot build the Multiboot information (error %d)\n", g->name, rc);
	if (rc)
		return -EINVAL;
	g->start.rax = h->version == 1 ? MB1_BOOTLOADER_MAGIC : MB2_BOOTLOADER_MAGIC;
	g->start.rbx = GUEST_MB_INFO;
	printf("guest %s: Multiboot v%u info at 0x%llx, %u memory map entries\n", g->name, h->version,
	       (unsigned long long)GUEST_MB_INFO, entries);
	return 0;
}

/* Modules for a kernel that takes none are a mistake worth a line. */
static void warn_ignored_modules(const struct boot_info *bi, const struct boot_module *m, const char *name)
{
	unsigned int first, n = loader_guest_modules(bi, m, &first);

	if (n)
		printf("guest %s: its %u 'module' modules are ignored: only Multiboot kernels take modules\n",
		       name, n);
}

/* A bzImage has the "HdrS" signature at 0x202 (Linux boot protocol). */
static bool is_bzimage(const struct boot_module *m)
{
	const uint8_t *p = hpa_to_ptr(m->start);

	return m->end - m->start > 0x206 && p[0x202] == 'H' && p[0x203] == 'd' &&
	       p[0x204] == 'r' && p[0x205] == 'S';
}

int loader_load(const struct boot_info *bi, const struct boot_module *m,
		const struct boot_module *initrd, unsigned int index, struct guest_image *g)
{
	struct elf_image img;
	struct multiboot_header_info mbh;
	char err[128];
	int mb;

	memset(g, 0, sizeof(*g));
	if (cmdline_get(m->cmdline, "hv.name", g->name, sizeof(g->name)) <= 0)
		fmt_snprintf(g->name, sizeof(g->name), "guest%u", index);
	if (is_bzimage(m)) {
		warn_ignored_modules(bi, m, g->name);
		return linux_load(bi, m, initrd, g);
	}
	if (elf_parse(hpa_to_ptr(m->start), m->end - m->start, &img, err, sizeof(err))) {
		printf("guest %s: module 0x%llx-0x%llx is not a guest hv can load: %s\n", g->name,
		       (unsigned long long)m->start, (unsigned long long)(m->end - 1), err);
		return -EINVAL;
	}
	mb = multiboot_find_header(hpa_to_ptr(m->start), m->end - m->start, &mbh);
	if (mb == -EINVAL) {
		printf("guest %s: malformed Multiboot header\n", g->name);
		return -EINVAL;
	}
	if (parse_mode(m->cmdline, &img, mb == 0, &g->start.mode)) {
		printf("guest %s: bad hv.mode= (real, prot32 or long64)\n", g->name);
		return -EINVAL;
	}
	/* An explicit hv.mode=real or long64 starts it as a plain ELF. */
	mb = mb == 0 && g->start.mode == VCPU_MODE_PROT32;
	if (mb && multiboot_check(&mbh, g->name))
		return -EINVAL;
	if (g->start.mode == VCPU_MODE_REAL && img.entry >= 0x100000) {
		printf("guest %s: a real-mode entry must be below 1 MiB (it is 0x%llx)\n", g->name,
		       (unsigned long long)img.entry);
		return -EINVAL;
	}
	if (!free_ram(GUEST_GDT, GUEST_STACK_TOP - GUEST_GDT)) {
		printf("guest %s: low memory 0x%llx-0x%llx is not free RAM\n", g->name,
		       (unsigned long long)GUEST_GDT, (unsigned long long)GUEST_STACK_TOP - 1);
		return -EINVAL;
	}
	if (copy_segments(m, &img, g->name))
		return -EINVAL;

	g->start.rip = img.entry;
	g->start.rsp = g->start.mode == VCPU_MODE_REAL ? GUEST_REAL_SP : GUEST_STACK_TOP;
	if (g->start.mode != VCPU_MODE_REAL)
		loader_build_gdt(&g->start, GUEST_GDT, g->start.mode == VCPU_MODE_LONG64);
	if (g->start.mode == VCPU_MODE_LONG64)
		loader_build_identity_tables(&g->start, GUEST_PML4);
	if (!mb)
		warn_ignored_modules(bi, m, g->name);
	return mb ? multiboot_prepare(bi, m, &mbh, &img, g) : 0;
}
