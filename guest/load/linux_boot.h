/* guest/load/linux_boot.h - the Linux x86 boot protocol 2.12+ (Documentation/arch/x86/boot.rst,
 * zero-page.rst): bzImage header validation, guest RAM placement, the zero page. */
#ifndef GUEST_LINUX_BOOT_H
#define GUEST_LINUX_BOOT_H

#include "lib/compiler.h"
#include "lib/addr.h"
#include "guest/gmap.h"
#include "boot/info/boot_info.h"

#define LINUX_SETUP_MAX   0x8000          /* setup sectors are at most this large */

/* xloadflags (boot.rst, 0x236). */
#define XLF_KERNEL_64                 (1u << 0)   /* has the 64-bit entry at load address + 0x200 */
#define XLF_CAN_BE_LOADED_ABOVE_4G    (1u << 1)   /* kernel, zero page, cmdline, initrd may lie above 4 GiB */
#define XLF_EFI_HANDOVER_32           (1u << 2)
#define XLF_EFI_HANDOVER_64           (1u << 3)
#define XLF_EFI_KEXEC                 (1u << 4)
#define XLF_5LEVEL                    (1u << 5)
#define XLF_5LEVEL_ENABLED            (1u << 6)

/* What linux_place reserves in low RAM, in this order and contiguous:
 * zero page, GDT, page tables, command line, firmware tables (if any). */
#define LINUX_ZERO_PAGE_SIZE    PAGE_SIZE
#define LINUX_GDT_SIZE          PAGE_SIZE                 /* 4 descriptors used: null, null, 0x10 code, 0x18 data */
#define LINUX_PT_PAGES          6                         /* PML4, PDPT, 4 PDs */
#define LINUX_PAGE_TABLES_SIZE  (LINUX_PT_PAGES * PAGE_SIZE)
#define LINUX_IDENTITY_END      (4 * GiB)                 /* the page tables map [0, 4 GiB) with 2 MiB pages */
#define LINUX_ENTRY_OFFSET      0x200                     /* 64-bit entry: startup_64 */

struct linux_image {                      /* what the bzImage header says */
	uint16_t version;                     /* boot protocol, e.g. 0x020f */
	unsigned int setup_size;              /* (setup_sects ? setup_sects : 4) * 512 + 512: bytes before the protected-mode kernel */
	uint64_t kernel_size;                 /* file size - setup_size */
	uint64_t pref_address;                /* 2.10+ */
	uint32_t kernel_alignment;
	uint32_t init_size;                   /* memory the kernel needs from its load address */
	uint32_t initrd_addr_max;             /* highest address the initrd's last byte may have */
	uint32_t cmdline_size;                /* 2.06+, else 255: longest command line without its NUL */
	uint16_t xloadflags;                  /* XLF_KERNEL_64 (bit 0), XLF_CAN_BE_LOADED_ABOVE_4G (bit 1), ... */
	bool relocatable;
};

/*
 * Validates a bzImage of `size` bytes: boot sector magic 0xaa55 at 0x1fe,
 * "HdrS" at 0x202, protocol >= 2.12, a setup header reaching at least through
 * handover_offset (0x268), LOADED_HIGH (loadflags bit 0), relocatable_kernel,
 * XLF_KERNEL_64 (we enter at the 64-bit entry point), setup_size <=
 * LINUX_SETUP_MAX and < size, the protected-mode part at least syssize * 16
 * bytes (else the file is truncated), kernel_alignment a power of two.
 * Reads nothing past `size`. Returns 0 or -EINVAL with a one-line reason in
 * err (err may be NULL).
 */
int __must_check linux_parse(const uint8_t *data, uint64_t size, struct linux_image *out, char *err, size_t errlen);

struct linux_layout {                     /* where everything goes in guest RAM (identity: GPA = HPA) */
	gpa_t kernel;                         /* protected-mode kernel: kernel_alignment-aligned, room for init_size */
	gpa_t entry;                          /* 64-bit entry: kernel + 0x200 */
	gpa_t initrd;                         /* 0 if none */
	gpa_t cmdline;
	gpa_t boot_params;                    /* the zero page, 4 KiB */
	gpa_t page_tables;                    /* identity page tables the hypervisor builds for the 64-bit entry (LINUX_PAGE_TABLES_SIZE) */
	gpa_t gdt;
	gpa_t fw;                             /* firmware tables the hypervisor copies for the guest (RSDP, EFI memory map): e820 reserved; 0 if none */
	uint64_t fw_size;                     /* bytes at fw, a multiple of 4 KiB; 0 if none */
};

struct linux_range { gpa_t start, end; };     /* [start, end) */

struct linux_place_request {
	const struct gmap *g;
	const struct linux_image *img;
	uint64_t initrd_size;                 /* 0 if none */
	gpa_t initrd_where;                   /* where the initrd module already lies (to keep it in place if allowed), 0 if none */
	uint64_t cmdline_len;                 /* including the NUL */
	/* ranges that must not be overwritten (the boot modules we copy from): */
	const struct linux_range *avoid; unsigned int avoid_count;
	uint64_t low_reserved_end;            /* low-RAM floor: nothing is placed below max(this, 0x10000) */
	uint64_t fw_size;                     /* bytes of firmware tables to place (rounded up to 4 KiB), 0 if none */
};

/*
 * Chooses the layout. Nothing lands outside GMAP_RAM with e820 type 1, on an
 * `avoid` range, on the initrd's current bytes (unless it stays there), or on
 * another piece, so every destination can be filled from its source in any order.
 * - Low block, first fit upward in [max(0x10000, low_reserved_end), 0x90000),
 *   page-aligned: zero page, GDT, page tables, command line, firmware tables
 *   (fw_size rounded up to 4 KiB, none if 0), contiguous. The top
 *   of low RAM is left alone: Linux 6.1's startup_64 copies a 32-bit trampoline
 *   there (just below the EBDA) while running on our page tables.
 * - Kernel: max(init_size, kernel_size) bytes at the lowest kernel_alignment-
 *   aligned free address >= pref_address (so pref_address itself when it is
 *   free) ending at or below 4 GiB, the reach of the identity page tables. Never
 *   lower: a relocatable kernel decompresses at max(load address,
 *   LOAD_PHYSICAL_ADDR = pref_address), so below it init_size would not cover
 *   the memory it uses.
 * - Initrd: stays at initrd_where if it is free RAM (never the case for a
 *   boot module, which the guest map hides), clear of the pieces above, and ends at or below
 *   initrd_addr_max + 1 (anywhere with XLF_CAN_BE_LOADED_ABOVE_4G); else the
 *   highest page-aligned free RAM above 1 MiB below that limit.
 * Returns 0, -ENOSPC with a reason (nothing fits), or -EINVAL (a command line
 * longer than cmdline_size, cmdline_len 0, or missing pointers).
 */
int __must_check linux_place(const struct linux_place_request *r, struct linux_layout *out, char *err, size_t errlen);

struct linux_params_request {
	const uint8_t *image; uint64_t image_size;  /* the bzImage: its setup header is copied into the zero page */
	const struct linux_image *img;
	const struct linux_layout *lay;
	const struct gmap *g;                 /* the e820 table comes from gmap_e820() */
	uint64_t initrd_size;
	uint64_t cmdline_len;
	uint64_t acpi_rsdp;                   /* 0 if unknown */
	const struct boot_framebuffer *fb;    /* NULL or type NONE: no screen_info; EGA text: video mode 3 80x25; RGB: VESA LFB (orig_video_isVGA 0x23) with the framebuffer's geometry */
	uint64_t efi_systab;                  /* EFI system table; 0: no EFI (efi_info stays zero) */
	gpa_t efi_memmap;                     /* the guest's EFI memory map (guest/load/efi_map.h: 48-byte version-1 descriptors) */
	uint32_t efi_memmap_size;             /* its size in bytes */
};

/*
 * Fills the 4 KiB zero page `bp` (caller zeroes it first): the setup header
 * copied from 0x1f1 to its end (0x202 + the jump byte at 0x201, at most 0x290
 * where the header's hole in boot_params ends), type_of_loader 0xff, loadflags
 * with LOADED_HIGH and without QUIET, KEEP_SEGMENTS and CAN_USE_HEAP (heap_end_ptr 0),
 * code32_start, ramdisk_image/size and cmd_line_ptr (+ ext_ high halves),
 * setup_data 0, hardware_subarch 0 (PC), e820 from gmap_e820 (more than 128
 * entries is refused with -EINVAL: SETUP_E820_EXT is not implemented, and a
 * truncated map would show hypervisor memory at the top as a hole Linux may
 * put PCI BARs in) with the layout's firmware tables typed reserved (2),
 * acpi_rsdp_addr, efi_info when efi_systab is set (signature "EL64", system
 * table, memory map address and size, descriptor size 48, version 1; the
 * _hi halves too), screen_info: EGA text as VGA colour text
 * (mode 3, the framebuffer's columns and lines, 80x25 if unset), RGB with
 * 15/16/24/32 bpp as a VESA LFB in the usual channel layout (boot_info keeps no
 * channel positions), anything else none. Returns 0 or -EINVAL with a reason.
 */
int __must_check linux_fill_params(const struct linux_params_request *r, uint8_t *bp, char *err, size_t errlen);

#endif
