/* guest/load/multiboot_info.h - Multiboot (0.6.96) and Multiboot2 (2.0) for guest
 * kernels: finding the header in an image, building the boot information a
 * loader hands over, from the guest memory map. Pure: no hardware access. */
#ifndef GUEST_MULTIBOOT_INFO_H
#define GUEST_MULTIBOOT_INFO_H

#include "lib/compiler.h"
#include "lib/addr.h"

struct gmap;

/* Header magics and search windows (Multiboot 3.1.1, Multiboot2 3.1.1). */
#define MB1_HEADER_MAGIC      0x1badb002u
#define MB1_SEARCH            8192u          /* 4-byte aligned, within the first 8 KiB */
#define MB2_HEADER_MAGIC      0xe85250d6u
#define MB2_SEARCH            32768u         /* 8-byte aligned, within the first 32 KiB */

/* What a v1 kernel finds in EAX (3.2); v2: MB2_BOOTLOADER_MAGIC of boot/info/mb2.h. */
#define MB1_BOOTLOADER_MAGIC  0x2badb002u

/* v1 header flags (3.1.2): bits 0-15 are requirements, 16-31 optional. */
#define MB1_HF_PAGE_ALIGN     (1u << 0)      /* modules page-aligned */
#define MB1_HF_MEMORY_INFO    (1u << 1)      /* mem_* (and the map) wanted */
#define MB1_HF_VIDEO_MODE     (1u << 2)      /* video mode table wanted */
#define MB1_HF_AOUT_KLUDGE    (1u << 16)     /* address fields valid */
#define MB1_HF_REQUIRED_MASK  0xffffu

/* v1 info flags (3.3). */
#define MB1_INFO_MEMORY       (1u << 0)
#define MB1_INFO_CMDLINE      (1u << 2)
#define MB1_INFO_MODS         (1u << 3)
#define MB1_INFO_MEM_MAP      (1u << 6)
#define MB1_INFO_LOADER_NAME  (1u << 9)

/* v1 info field offsets (3.3), fenced in the builder. */
#define MB1_INFO_FLAGS        0
#define MB1_INFO_MEM_LOWER    4
#define MB1_INFO_MEM_UPPER    8
#define MB1_INFO_CMDLINE_PTR  16
#define MB1_INFO_MODS_COUNT   20
#define MB1_INFO_MODS_ADDR    24
#define MB1_MOD_ENTRY_SIZE    16             /* mod_start, mod_end, string, reserved (3.3) */
#define MB1_INFO_MMAP_LENGTH  44
#define MB1_INFO_MMAP_ADDR    48
#define MB1_INFO_LOADER_PTR   64
#define MB1_INFO_SIZE         116            /* through the framebuffer fields */
#define MB1_MMAP_ENTRY_SIZE   20             /* the entry's size field: base, length, type */

/* v2 header tags (3.1.3 ff) and info tags (3.6). */
#define MB2_HTAG_END          0
#define MB2_HTAG_INFO_REQUEST 1
#define MB2_HTAG_ADDRESS      2
#define MB2_HTAG_ENTRY        3
#define MB2_HTAG_FLAGS        4
#define MB2_HTAG_FRAMEBUFFER  5
#define MB2_HTAG_MODULE_ALIGN 6
#define MB2_HTAG_RELOCATABLE  10
#define MB2_HTAG_OPTIONAL     1u             /* tag flags bit 0 */
#define MB2_ARCH_I386         0
#define MB2_ITAG_END          0
#define MB2_ITAG_CMDLINE      1
#define MB2_ITAG_LOADER_NAME  2
#define MB2_ITAG_MODULE       3
#define MB2_ITAG_BASIC_MEMINFO 4
#define MB2_ITAG_MMAP         6
#define MB2_MMAP_ENTRY_SIZE   24
#define MB_MMAP_MAX           128            /* memory map entries the builders take */
#define MB_MODULES_MAX        32             /* modules the builders take (BOOT_MODULES_MAX) */
/* The info tags multiboot2_build_info() provides (modules: when there are some). */
#define MB2_ITAGS_PROVIDED    (1ull << MB2_ITAG_CMDLINE | 1ull << MB2_ITAG_LOADER_NAME | \
			       1ull << MB2_ITAG_MODULE | 1ull << MB2_ITAG_BASIC_MEMINFO | 1ull << MB2_ITAG_MMAP)

#define MULTIBOOT_LOADER_NAME "hv"

struct multiboot_header_info {
	unsigned int version;           /* 1 or 2 */
	size_t offset;                  /* of the header in the image */
	/* v1 */
	uint32_t flags;                 /* header flags (MB1_HF_*) */
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;   /* if MB1_HF_AOUT_KLUDGE */
	/* v2 */
	uint32_t architecture;          /* MB2_ARCH_I386 = 0 */
	uint32_t header_length;
	uint64_t requested;             /* bit t: info tag type t (< 64) asked for by an info request tag */
	uint32_t unsupported_request;   /* first info tag type requested, not optional, not provided; 0 if none */
	uint32_t unsupported_tag;       /* first header tag type not optional that hv cannot honour; 0 if none */
	bool has_entry;                 /* entry address tag (3): entry_addr overrides the ELF entry */
};

/* A boot module as the kernel is told of it: its bytes at [start, end) in
 * guest RAM (below 4 GiB: the fields are 32 bits) and its command line. */
struct multiboot_module {
	gpa_t start, end;
	const char *cmdline;
};

/* A guest-physical range [start, end) the module placement must keep clear of. */
struct multiboot_range { gpa_t start, end; };

/*
 * Places `count` modules of sizes[i] bytes for a kernel, as GRUB does: each
 * on a page boundary, in order, at or above `from` (the end of the kernel's
 * image), in guest RAM that the memory map lists as usable (gmap e820 1),
 * below 4 GiB, clear of every avoid range and of each other. at[i] gets
 * module i's start. Returns 0, -ENOSPC with *failed = the first module that
 * does not fit, or -EINVAL for NULL pointers or more than MB_MODULES_MAX
 * modules.
 */
int __must_check multiboot_place_modules(const struct gmap *g, gpa_t from,
					 const struct multiboot_range *avoid, unsigned int avoid_count,
					 const uint64_t *sizes, unsigned int count, gpa_t *at,
					 unsigned int *failed);

/* v1 header flags that are requirements hv does not meet (video mode, unknown bits 3-15). */
static inline uint32_t multiboot1_unsupported_flags(uint32_t flags)
{
	return flags & MB1_HF_REQUIRED_MASK & ~(MB1_HF_PAGE_ALIGN | MB1_HF_MEMORY_INFO);
}

/*
 * Finds the Multiboot header of an image: a v1 header (4-byte aligned, in
 * the first 8 KiB, magic + flags + checksum == 0) or a v2 header (8-byte
 * aligned, in the first 32 KiB, magic + architecture + header_length +
 * checksum == 0, tags well-formed up to an end tag inside header_length).
 * The earliest valid one wins. Returns 0 and fills *out, -ENOENT if there is
 * none, or -EINVAL if a header's checksum is right but its body (v1 a.out
 * fields, v2 tags) runs past the image or the search window, or its tags are
 * malformed.
 */
int __must_check multiboot_find_header(const uint8_t *image, size_t size,
				       struct multiboot_header_info *out);

/*
 * Builds the v1 information for a kernel into buf[0, size), for the caller
 * to place at guest-physical `where` (< 4 GiB; pointers inside are where +
 * offset): flags MEMORY, CMDLINE, MEM_MAP, LOADER_NAME, and MODS when
 * mod_count > 0 (mods_count, mods_addr: {mod_start, mod_end, string, 0}
 * entries, each module's command line after them); mem_lower = KiB of
 * usable RAM at 0 (at most 640), mem_upper = KiB of usable RAM from 1 MiB up
 * to the first hole (saturating at 2^32 - 1), as GRUB computes them; the
 * memory map from gmap_e820() as {size 20, base, length, type} entries; the
 * command line and MULTIBOOT_LOADER_NAME. Zeroes what it does not fill.
 * Returns 0 with *used bytes (*entries map entries), -ENOSPC if size is too
 * small, the map has more than MB_MMAP_MAX entries or there are more than
 * MB_MODULES_MAX modules, -EINVAL if where + the block passes 4 GiB, a
 * module passes 4 GiB or ends before it starts, or a pointer is NULL (mods
 * may be NULL when mod_count is 0).
 */
int __must_check multiboot1_build_info(const struct gmap *g, const char *cmdline,
				       const struct multiboot_module *mods, unsigned int mod_count, gpa_t where,
				       uint8_t *buf, size_t size, size_t *used, unsigned int *entries);

/*
 * Builds the v2 information into buf[0, size) (to be placed 8-byte aligned):
 * total_size, reserved, then 8-byte aligned tags: command line (1), boot
 * loader name (2), one module tag (3: mod_start, mod_end, command line) per
 * module, basic memory info (4), memory map (6; entry_size 24,
 * entry_version 0) from gmap_e820(), end tag. Same returns as
 * multiboot1_build_info (no limit on where: v2 holds no pointers).
 */
int __must_check multiboot2_build_info(const struct gmap *g, const char *cmdline,
				       const struct multiboot_module *mods, unsigned int mod_count,
				       uint8_t *buf, size_t size, size_t *used, unsigned int *entries);

#endif
