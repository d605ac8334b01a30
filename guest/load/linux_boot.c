/* guest/load/linux_boot.c - the Linux x86 boot protocol 2.12+: bzImage header checks, placement in
 * guest RAM, the zero page (Documentation/arch/x86/boot.rst, zero-page.rst; struct boot_params
 * in arch/x86/include/uapi/asm/bootparam.h). */
#include "guest/load/linux_boot.h"
#include "lib/le.h"
#include "guest/load/efi_map.h"
#include "lib/format.h"
#include <stdarg.h>

/* Setup header fields: the same offset in the file and in the zero page (boot.rst). */
#define HDR_START            0x1f1      /* setup_sects: the header starts here */
#define HDR_SYSSIZE          0x1f4      /* protected-mode size in 16-byte paragraphs (32-bit from 2.04) */
#define HDR_BOOT_FLAG        0x1fe
#define HDR_JUMP             0x200      /* 0xeb, then the header's length - 2 from 0x202 */
#define HDR_MAGIC            0x202
#define HDR_VERSION          0x206
#define HDR_TYPE_OF_LOADER   0x210
#define HDR_LOADFLAGS        0x211
#define HDR_CODE32_START     0x214
#define HDR_RAMDISK_IMAGE    0x218
#define HDR_RAMDISK_SIZE     0x21c
#define HDR_HEAP_END_PTR     0x224
#define HDR_CMD_LINE_PTR     0x228
#define HDR_INITRD_ADDR_MAX  0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE      0x234
#define HDR_XLOADFLAGS       0x236
#define HDR_CMDLINE_SIZE     0x238
#define HDR_HW_SUBARCH       0x23c
#define HDR_HW_SUBARCH_DATA  0x240
#define HDR_SETUP_DATA       0x250
#define HDR_PREF_ADDRESS     0x258
#define HDR_INIT_SIZE        0x260
#define HDR_MIN_END          0x268      /* a 2.12 header reaches through handover_offset */
#define HDR_HOLE_END         0x290      /* boot_params.edd_mbr_sig_buffer: the header may not go further */

#define BOOT_FLAG_MAGIC      0xaa55
#define HDR_MAGIC_HDRS       0x53726448 /* "HdrS" */
#define PROTOCOL_MIN         0x020c
#define LOADED_HIGH          (1u << 0)
#define QUIET_FLAG           (1u << 5)
#define KEEP_SEGMENTS        (1u << 6)
#define CAN_USE_HEAP         (1u << 7)
#define LOADER_UNDEFINED     0xff       /* type_of_loader: no assigned ID */

/* The rest of struct boot_params (zero-page.rst). */
#define BP_SCREEN_INFO       0x000
#define BP_ACPI_RSDP         0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE  0x0c4
#define BP_EXT_CMD_LINE_PTR  0x0c8
#define BP_EFI_INFO          0x1c0      /* struct efi_info */
#define EFI_LOADER_SIGNATURE 0x1c0
#define EFI_SYSTAB           0x1c4
#define EFI_MEMDESC_SIZE     0x1c8
#define EFI_MEMDESC_VERSION  0x1cc
#define EFI_MEMMAP           0x1d0
#define EFI_MEMMAP_SIZE      0x1d4
#define EFI_SYSTAB_HI        0x1d8
#define EFI_MEMMAP_HI        0x1dc
#define EFI_INFO_END         0x1e0
#define EFI64_SIGNATURE      0x34364c45 /* "EL64": a 64-bit EFI loader */
#define BP_E820_ENTRIES      0x1e8
#define BP_E820_TABLE        0x2d0
#define E820_ENTRY_SIZE      20         /* packed { u64 addr, size; u32 type } */
#define E820_MAX_ZEROPAGE    128

/* struct screen_info (include/uapi/linux/screen_info.h). */
#define SI_ORIG_VIDEO_MODE   0x06
#define SI_ORIG_VIDEO_COLS   0x07
#define SI_ORIG_VIDEO_LINES  0x0e
#define SI_ORIG_VIDEO_ISVGA  0x0f
#define SI_ORIG_VIDEO_POINTS 0x10
#define SI_LFB_WIDTH         0x12
#define SI_LFB_HEIGHT        0x14
#define SI_LFB_DEPTH         0x16
#define SI_LFB_BASE          0x18
#define SI_LFB_SIZE          0x1c       /* VIDEO_TYPE_VLFB: in 64 KiB units */
#define SI_LFB_LINELENGTH    0x24
#define SI_RED_SIZE          0x26       /* red, green, blue, rsvd: size then pos */
#define SI_PAGES             0x32
#define SI_CAPABILITIES      0x36
#define SI_EXT_LFB_BASE      0x3a
#define VIDEO_TYPE_VGA_TEXT  0x01       /* orig_video_isVGA as arch/x86/boot/video-vga.c sets it */
#define VIDEO_TYPE_VLFB      0x23
#define VIDEO_CAP_64BIT_BASE (1u << 1)

/* Low RAM the zero page, GDT, page tables and command line may use. */
#define LOW_START            0x10000ULL /* above the IVT, BDA and the first 64 KiB Linux keeps for itself */
#define LOW_END              0x90000ULL /* below the EBDA and the 6.1 trampoline's top-of-low-RAM pages */
#define PLACE_MAX_TAKEN      4

_Static_assert(BP_E820_TABLE + E820_MAX_ZEROPAGE * E820_ENTRY_SIZE <= LINUX_ZERO_PAGE_SIZE,
	       "e820 table inside the zero page");
_Static_assert(EFI_INFO_END <= BP_E820_ENTRIES && BP_EFI_INFO == EFI_LOADER_SIGNATURE, "efi_info layout");
_Static_assert(HDR_HOLE_END <= BP_E820_TABLE && HDR_MIN_END <= HDR_HOLE_END, "header hole");
_Static_assert(LINUX_ZERO_PAGE_SIZE + LINUX_GDT_SIZE + LINUX_PAGE_TABLES_SIZE < LOW_END - LOW_START,
	       "the low block fits in low RAM");

/* Where the setup header ends (exclusive) per its jump, clamped to the hole boot_params leaves for it. */
static unsigned int hdr_end(const uint8_t *data)
{
	return MIN(0x202u + data[HDR_JUMP + 1], (unsigned int)HDR_HOLE_END);
}

int linux_parse(const uint8_t *data, uint64_t size, struct linux_image *out, char *err, size_t errlen)
{
	unsigned int sects, end;
	uint8_t loadflags;
	uint64_t syssize;

	if (size < HDR_JUMP)
		return fmt_error(-EINVAL, err, errlen, "%llu bytes: too small for a boot sector", (unsigned long long)size);
	if (le16_read(data + HDR_BOOT_FLAG) != BOOT_FLAG_MAGIC)
		return fmt_error(-EINVAL, err, errlen, "no boot sector signature 0xaa55 at 0x1fe (found 0x%04x)",
			    le16_read(data + HDR_BOOT_FLAG));
	if (size < HDR_VERSION + 2 || le32_read(data + HDR_MAGIC) != HDR_MAGIC_HDRS)
		return fmt_error(-EINVAL, err, errlen, "no \"HdrS\" setup header at 0x202: not a bzImage");
	out->version = le16_read(data + HDR_VERSION);
	if (out->version < PROTOCOL_MIN)
		return fmt_error(-EINVAL, err, errlen, "boot protocol %u.%02u is too old (2.12 or later needed)",
			    out->version >> 8, out->version & 0xff);
	end = hdr_end(data);
	if (data[HDR_JUMP] != 0xeb || end < HDR_MIN_END)
		return fmt_error(-EINVAL, err, errlen, "setup header ends at 0x%x (jump %02x %02x at 0x200), "
			    "before the 2.12 fields end (0x%x)", end, data[HDR_JUMP], data[HDR_JUMP + 1], HDR_MIN_END);
	if (size < end)
		return fmt_error(-EINVAL, err, errlen, "%llu bytes: truncated inside the setup header (ends at 0x%x)",
			    (unsigned long long)size, end);

	sects = data[HDR_START] ? data[HDR_START] : 4;
	out->setup_size = (sects + 1) * 512;
	if (out->setup_size > LINUX_SETUP_MAX)
		return fmt_error(-EINVAL, err, errlen, "setup_sects %u: setup of 0x%x bytes is over the 0x%x limit",
			    sects, out->setup_size, LINUX_SETUP_MAX);
	if (out->setup_size >= size)
		return fmt_error(-EINVAL, err, errlen, "%llu bytes: truncated, nothing after the 0x%x bytes of setup",
			    (unsigned long long)size, out->setup_size);
	out->kernel_size = size - out->setup_size;
	syssize = (uint64_t)le32_read(data + HDR_SYSSIZE) * 16;
	if (out->kernel_size < syssize)
		return fmt_error(-EINVAL, err, errlen, "truncated: protected-mode kernel is 0x%llx bytes, syssize says 0x%llx",
			    (unsigned long long)out->kernel_size, (unsigned long long)syssize);

	loadflags = data[HDR_LOADFLAGS];
	out->relocatable = data[HDR_RELOCATABLE] != 0;
	out->xloadflags = le16_read(data + HDR_XLOADFLAGS);
	out->kernel_alignment = le32_read(data + HDR_KERNEL_ALIGNMENT);
	out->pref_address = le64_read(data + HDR_PREF_ADDRESS);
	out->init_size = le32_read(data + HDR_INIT_SIZE);
	out->initrd_addr_max = le32_read(data + HDR_INITRD_ADDR_MAX);
	out->cmdline_size = le32_read(data + HDR_CMDLINE_SIZE);
	if (!(loadflags & LOADED_HIGH))
		return fmt_error(-EINVAL, err, errlen, "LOADED_HIGH clear in loadflags 0x%02x: a zImage, not a bzImage", loadflags);
	if (!out->relocatable)
		return fmt_error(-EINVAL, err, errlen, "kernel is not relocatable (relocatable_kernel 0)");
	if (!(out->xloadflags & XLF_KERNEL_64))
		return fmt_error(-EINVAL, err, errlen, "no 64-bit entry point (XLF_KERNEL_64 clear in xloadflags 0x%04x)",
			    out->xloadflags);
	if (!out->kernel_alignment || (out->kernel_alignment & (out->kernel_alignment - 1)))
		return fmt_error(-EINVAL, err, errlen, "kernel_alignment 0x%x is not a power of two", out->kernel_alignment);
	return 0;
}

/* Placement state: the request and the pieces placed so far. */
struct placer {
	const struct linux_place_request *r;
	struct linux_range taken[PLACE_MAX_TAKEN];   /* low block, kernel, initrd source */
	unsigned int ntaken;
};

static bool overlaps(gpa_t a, gpa_t end, const struct linux_range *x)
{
	return a < x->end && x->start < end;
}

static bool usable_ram(const struct gmap *g, gpa_t a, gpa_t end, struct linux_range *why)
{
	for (gpa_t x = a; x < end;) {
		const struct gmap_range *gr = gmap_lookup(g, x);

		if (!gr) {
			*why = (struct linux_range){ x, UINT64_MAX };
			return false;
		}
		if (gr->kind != GMAP_RAM || gr->e820_type != GMAP_E820_USABLE) {
			*why = (struct linux_range){ gr->start, gr->end };
			return false;
		}
		x = gr->end;
	}
	return true;
}

/* False if [a, a + len) is free (caller ensures no wrap); else true with one obstacle in *why. */
static bool blocked(const struct placer *p, gpa_t a, uint64_t len, struct linux_range *why)
{
	gpa_t end = a + len;

	if (!usable_ram(p->r->g, a, end, why))
		return true;
	for (unsigned int i = 0; i < p->r->avoid_count; i++)
		if (overlaps(a, end, &p->r->avoid[i]))
			return *why = p->r->avoid[i], true;
	for (unsigned int i = 0; i < p->ntaken; i++)
		if (overlaps(a, end, &p->taken[i]))
			return *why = p->taken[i], true;
	return false;
}

/* Lowest align-aligned free [a, a + len) inside [lo, hi), or INVALID_GPA. Each step
 * skips past an obstacle, so the loop ends. */
static gpa_t fit_lowest(const struct placer *p, gpa_t lo, gpa_t hi, uint64_t len, uint64_t align)
{
	struct linux_range why;
	gpa_t a = ALIGN_UP(lo, align);

	while (a >= lo && a < hi && hi - a >= len) {
		if (!blocked(p, a, len, &why))
			return a;
		if (why.end > UINT64_MAX - align || ALIGN_UP(why.end, align) <= a)
			break;
		a = ALIGN_UP(why.end, align);
	}
	return INVALID_GPA;
}

/* Highest align-aligned free [a, a + len) inside [lo, hi), or INVALID_GPA. */
static gpa_t fit_highest(const struct placer *p, gpa_t lo, gpa_t hi, uint64_t len, uint64_t align)
{
	struct linux_range why;
	gpa_t a;

	if (hi < len || hi - len < lo)
		return INVALID_GPA;
	for (a = ALIGN_DOWN(hi - len, align); a >= lo;) {
		if (!blocked(p, a, len, &why))
			return a;
		if (why.start < lo + len || ALIGN_DOWN(why.start - len, align) >= a)
			break;
		a = ALIGN_DOWN(why.start - len, align);
	}
	return INVALID_GPA;
}

static void take(struct placer *p, gpa_t start, uint64_t len)
{
	p->taken[p->ntaken++] = (struct linux_range){ start, start + len };
}

/* The initrd may stay where the module lies: free RAM, clear of what we placed, below its limit. */
static bool initrd_can_stay(const struct placer *p, gpa_t where, uint64_t size, gpa_t limit)
{
	struct linux_range why;

	if (!where || where > limit || limit - where < size || !usable_ram(p->r->g, where, where + size, &why))
		return false;
	for (unsigned int i = 0; i < p->ntaken; i++)
		if (overlaps(where, where + size, &p->taken[i]) &&
		    !(p->taken[i].start == where && p->taken[i].end == where + size))
			return false;
	return true;
}

int linux_place(const struct linux_place_request *r, struct linux_layout *out, char *err, size_t errlen)
{
	const struct linux_image *img = r ? r->img : NULL;
	struct placer p = { .r = r };
	uint64_t cmd_bytes, low_len, k_len, k_align, i_len;
	gpa_t low_lo, top, limit, a;

	if (!r || !r->g || !img || (r->avoid_count && !r->avoid))
		return fmt_error(-EINVAL, err, errlen, "incomplete placement request");
	if (!r->cmdline_len || r->cmdline_len - 1 > img->cmdline_size)
		return fmt_error(-EINVAL, err, errlen, "command line of %llu bytes: the kernel takes 1 to %u plus the NUL",
			    (unsigned long long)(r->cmdline_len ? r->cmdline_len - 1 : 0), img->cmdline_size);
	*out = (struct linux_layout){ 0 };
	top = r->g->top;
	/* The initrd's source bytes stay intact until copied (or used in place). */
	if (r->initrd_size && r->initrd_where && r->initrd_where <= UINT64_MAX - r->initrd_size)
		take(&p, r->initrd_where, r->initrd_size);

	if (r->fw_size > LOW_END - LOW_START)
		return fmt_error(-ENOSPC, err, errlen, "0x%llx bytes of firmware tables do not fit in low RAM",
			    (unsigned long long)r->fw_size);
	cmd_bytes = ALIGN_UP(r->cmdline_len, PAGE_SIZE);
	low_len = LINUX_ZERO_PAGE_SIZE + LINUX_GDT_SIZE + LINUX_PAGE_TABLES_SIZE + cmd_bytes +
		  ALIGN_UP(r->fw_size, PAGE_SIZE);
	low_lo = MAX(LOW_START, r->low_reserved_end);
	a = fit_lowest(&p, low_lo, LOW_END, low_len, PAGE_SIZE);
	if (a == INVALID_GPA)
		return fmt_error(-ENOSPC, err, errlen, "no 0x%llx bytes of free low RAM in 0x%llx-0x%llx for the zero page, "
			    "GDT, page tables and command line", (unsigned long long)low_len,
			    (unsigned long long)low_lo, (unsigned long long)LOW_END - 1);
	take(&p, a, low_len);
	out->boot_params = a;
	out->gdt = a + LINUX_ZERO_PAGE_SIZE;
	out->page_tables = out->gdt + LINUX_GDT_SIZE;
	out->cmdline = out->page_tables + LINUX_PAGE_TABLES_SIZE;
	out->fw_size = ALIGN_UP(r->fw_size, PAGE_SIZE);
	out->fw = out->fw_size ? out->cmdline + cmd_bytes : 0;

	k_len = ALIGN_UP(MAX((uint64_t)img->init_size, img->kernel_size), PAGE_SIZE);
	k_align = MAX((uint64_t)img->kernel_alignment, PAGE_SIZE);
	a = fit_lowest(&p, MAX(img->pref_address, 1 * MiB), MIN(top, LINUX_IDENTITY_END), k_len, k_align);
	if (a == INVALID_GPA)
		return fmt_error(-ENOSPC, err, errlen, "no free RAM for the kernel: 0x%llx bytes aligned to 0x%llx "
			    "between 0x%llx and 4 GiB", (unsigned long long)k_len, (unsigned long long)k_align,
			    (unsigned long long)MAX(img->pref_address, 1 * MiB));
	take(&p, a, k_len);
	out->kernel = a;
	out->entry = a + LINUX_ENTRY_OFFSET;

	if (!r->initrd_size)
		return 0;
	limit = img->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G ? top : MIN(top, (gpa_t)img->initrd_addr_max + 1);
	if (initrd_can_stay(&p, r->initrd_where, r->initrd_size, limit)) {
		out->initrd = r->initrd_where;
		return 0;
	}
	i_len = ALIGN_UP(r->initrd_size, PAGE_SIZE);
	a = i_len ? fit_highest(&p, 1 * MiB, limit, i_len, PAGE_SIZE) : INVALID_GPA;
	if (a == INVALID_GPA)
		return fmt_error(-ENOSPC, err, errlen, "no free RAM for the initrd: 0x%llx bytes below 0x%llx",
			    (unsigned long long)r->initrd_size, (unsigned long long)limit);
	out->initrd = a;
	return 0;
}

/* Channel sizes and positions (red, green, blue, reserved) for the usual little-endian layouts. */
static bool rgb_layout(uint8_t bpp, uint8_t ch[8])
{
	static const uint8_t l15[8] = { 5, 10, 5, 5, 5, 0, 1, 15 }, l16[8] = { 5, 11, 6, 5, 5, 0, 0, 0 },
			     l24[8] = { 8, 16, 8, 8, 8, 0, 0, 0 }, l32[8] = { 8, 16, 8, 8, 8, 0, 8, 24 };
	const uint8_t *l = bpp == 15 ? l15 : bpp == 16 ? l16 : bpp == 24 ? l24 : bpp == 32 ? l32 : NULL;

	if (!l)
		return false;
	for (unsigned int i = 0; i < 8; i++)
		ch[i] = l[i];
	return true;
}

static void fill_screen_info(uint8_t *si, const struct boot_framebuffer *fb)
{
	uint8_t ch[8];
	uint64_t bytes;

	if (!fb)
		return;
	if (fb->type == BOOT_FB_EGA_TEXT) {
		uint8_t cols = fb->width && fb->width < 256 ? (uint8_t)fb->width : 80;
		uint8_t lines = fb->height && fb->height < 256 ? (uint8_t)fb->height : 25;

		si[SI_ORIG_VIDEO_MODE] = 3;
		si[SI_ORIG_VIDEO_COLS] = cols;
		si[SI_ORIG_VIDEO_LINES] = lines;
		si[SI_ORIG_VIDEO_ISVGA] = VIDEO_TYPE_VGA_TEXT;
		le16_write(si + SI_ORIG_VIDEO_POINTS, (uint16_t)MAX(400u / lines, 8u));   /* 400 scan lines */
		return;
	}
	if (fb->type != BOOT_FB_RGB || !fb->addr || !rgb_layout(fb->bpp, ch) || fb->width > 0xffff ||
	    fb->height > 0xffff || fb->pitch > 0xffff)
		return;
	bytes = ALIGN_UP((uint64_t)fb->pitch * fb->height, 64 * KiB);
	si[SI_ORIG_VIDEO_ISVGA] = VIDEO_TYPE_VLFB;
	le16_write(si + SI_LFB_WIDTH, (uint16_t)fb->width);
	le16_write(si + SI_LFB_HEIGHT, (uint16_t)fb->height);
	le16_write(si + SI_LFB_DEPTH, fb->bpp);
	le16_write(si + SI_LFB_LINELENGTH, (uint16_t)fb->pitch);
	le32_write(si + SI_LFB_BASE, (uint32_t)fb->addr);
	le32_write(si + SI_EXT_LFB_BASE, (uint32_t)(fb->addr >> 32));
	if (fb->addr >> 32)
		le32_write(si + SI_CAPABILITIES, VIDEO_CAP_64BIT_BASE);
	le32_write(si + SI_LFB_SIZE, (uint32_t)(bytes >> 16));
	le16_write(si + SI_PAGES, 1);
	for (unsigned int i = 0; i < 8; i++)
		si[SI_RED_SIZE + i] = ch[i];
}

/*
 * Writes the e820 table with [res, res_end) typed reserved: entries it
 * overlaps are split around it (nothing is merged). Returns the entry count,
 * or -ENOSPC past E820_MAX_ZEROPAGE.
 */
static int put_e820(uint8_t *bp, const struct gmap_e820_entry *e, unsigned int n, gpa_t res, gpa_t res_end)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t a = e[i].addr, end = e[i].addr + e[i].size;
		struct gmap_e820_entry piece[3] = {
			{ a, 0, e[i].type }, { MAX(a, res), 0, GMAP_E820_RESERVED }, { MIN(end, res_end), 0, e[i].type },
		};

		if (res >= res_end || res >= end || res_end <= a) {
			piece[0].size = e[i].size;
		} else {
			piece[0].size = MAX(a, res) - a;
			piece[1].size = MIN(end, res_end) - piece[1].addr;
			piece[2].size = end - piece[2].addr;
		}
		for (unsigned int j = 0; j < 3; j++) {
			uint8_t *p = bp + BP_E820_TABLE + k * E820_ENTRY_SIZE;

			if (!piece[j].size)
				continue;
			if (k == E820_MAX_ZEROPAGE)
				return -ENOSPC;
			le64_write(p, piece[j].addr);
			le64_write(p + 8, piece[j].size);
			le32_write(p + 16, piece[j].type);
			k++;
		}
	}
	return (int)k;
}

int linux_fill_params(const struct linux_params_request *r, uint8_t *bp, char *err, size_t errlen)
{
	struct gmap_e820_entry e820[E820_MAX_ZEROPAGE + 1];   /* one more to see an overflow */
	const struct linux_layout *lay = r ? r->lay : NULL;
	unsigned int end, n;
	int k;

	if (!r || !r->image || !lay || !r->g || !bp)
		return fmt_error(-EINVAL, err, errlen, "incomplete zero-page request");
	if (r->image_size < HDR_MIN_END || (end = hdr_end(r->image)) < HDR_MIN_END || r->image_size < end)
		return fmt_error(-EINVAL, err, errlen, "image of %llu bytes has no complete setup header",
			    (unsigned long long)r->image_size);
	if (r->initrd_size && !lay->initrd)
		return fmt_error(-EINVAL, err, errlen, "an initrd of %llu bytes without a place",
			    (unsigned long long)r->initrd_size);
	if (lay->fw_size && lay->fw > UINT64_MAX - lay->fw_size)
		return fmt_error(-EINVAL, err, errlen, "firmware tables at 0x%llx wrap around", (unsigned long long)lay->fw);
	n = gmap_e820(r->g, e820, ARRAY_SIZE(e820));
	k = n > E820_MAX_ZEROPAGE ? -ENOSPC : put_e820(bp, e820, n, lay->fw, lay->fw + lay->fw_size);
	if (k < 0)
		return fmt_error(-EINVAL, err, errlen, "the guest memory map has more than %u e820 entries",
			    E820_MAX_ZEROPAGE);

	for (unsigned int i = HDR_START; i < end; i++)
		bp[i] = r->image[i];
	bp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	bp[HDR_LOADFLAGS] = (uint8_t)((bp[HDR_LOADFLAGS] | LOADED_HIGH) & ~(QUIET_FLAG | KEEP_SEGMENTS | CAN_USE_HEAP));
	le16_write(bp + HDR_HEAP_END_PTR, 0);
	le32_write(bp + HDR_CODE32_START, (uint32_t)lay->kernel);
	le32_write(bp + HDR_RAMDISK_IMAGE, r->initrd_size ? (uint32_t)lay->initrd : 0);
	le32_write(bp + HDR_RAMDISK_SIZE, (uint32_t)r->initrd_size);
	le32_write(bp + BP_EXT_RAMDISK_IMAGE, r->initrd_size ? (uint32_t)(lay->initrd >> 32) : 0);
	le32_write(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(r->initrd_size >> 32));
	le32_write(bp + HDR_CMD_LINE_PTR, (uint32_t)lay->cmdline);
	le32_write(bp + BP_EXT_CMD_LINE_PTR, (uint32_t)(lay->cmdline >> 32));
	le32_write(bp + HDR_HW_SUBARCH, 0);
	le64_write(bp + HDR_HW_SUBARCH_DATA, 0);
	le64_write(bp + HDR_SETUP_DATA, 0);        /* the image's value is not ours to pass on */
	le64_write(bp + BP_ACPI_RSDP, r->acpi_rsdp);

	bp[BP_E820_ENTRIES] = (uint8_t)k;
	if (r->efi_systab) {
		le32_write(bp + EFI_LOADER_SIGNATURE, EFI64_SIGNATURE);
		le32_write(bp + EFI_SYSTAB, (uint32_t)r->efi_systab);
		le32_write(bp + EFI_SYSTAB_HI, (uint32_t)(r->efi_systab >> 32));
		le32_write(bp + EFI_MEMDESC_SIZE, EFI_GUEST_DESC_SIZE);
		le32_write(bp + EFI_MEMDESC_VERSION, EFI_DESC_VERSION);
		le32_write(bp + EFI_MEMMAP, (uint32_t)r->efi_memmap);
		le32_write(bp + EFI_MEMMAP_HI, (uint32_t)(r->efi_memmap >> 32));
		le32_write(bp + EFI_MEMMAP_SIZE, r->efi_memmap_size);
	}
	fill_screen_info(bp + BP_SCREEN_INFO, r->fb);
	return 0;
}
