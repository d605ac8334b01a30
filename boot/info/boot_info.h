/* boot/info/boot_info.h - what the boot loader handed over, independent of firmware. */
#ifndef BOOT_BOOT_INFO_H
#define BOOT_BOOT_INFO_H

#include "lib/compiler.h"
#include "lib/addr.h"
#include "boot/info/efi.h"

#define BOOT_CMDLINE_MAX     512
#define BOOT_LOADER_NAME_MAX 64
#define BOOT_MMAP_MAX        256
#define BOOT_MODULES_MAX     32
#define BOOT_MOD_CMDLINE_MAX 256
#define BOOT_RSDP_MAX        64
#define BOOT_EFI_MMAP_MAX    512       /* EFI memory descriptors kept (OVMF: ~100; large servers: a few hundred) */
#define BOOT_EFI_NOTE_MAX    96

/* Memory types as the boot loader reports them (Multiboot2 and E820 agree). */
enum boot_mem_type {
	BOOT_MEM_AVAILABLE    = 1,
	BOOT_MEM_RESERVED     = 2,
	BOOT_MEM_ACPI_RECLAIM = 3,
	BOOT_MEM_ACPI_NVS     = 4,
	BOOT_MEM_BAD          = 5,
	BOOT_MEM_PMEM         = 7,     /* E820 persistent memory (ACPI 6.5, table 15.4) */
	/* anything else the firmware reports is treated as reserved */
};

/* Linux's E820_TYPE_SOFT_RESERVED: RAM for a specific purpose (EFI_MEMORY_SP),
 * left to drivers (device DAX), never to a general allocator. Outside int, so no enumerator. */
#define BOOT_MEM_SOFT_RESERVED 0xefffffffu

struct boot_mmap_entry {
	hpa_t addr;
	uint64_t len;
	uint32_t type;                 /* enum boot_mem_type, or a raw firmware value */
};

struct boot_module {
	hpa_t start;                   /* first byte */
	hpa_t end;                     /* one past the last byte */
	char cmdline[BOOT_MOD_CMDLINE_MAX];
};

enum boot_fb_type {
	BOOT_FB_NONE = 0,              /* no framebuffer tag */
	BOOT_FB_INDEXED,
	BOOT_FB_RGB,
	BOOT_FB_EGA_TEXT,
};

struct boot_framebuffer {
	enum boot_fb_type type;
	hpa_t addr;
	uint32_t pitch;                /* bytes per line */
	uint32_t width, height;        /* pixels, or characters for EGA text */
	uint8_t bpp;
};

/* What a UEFI firmware left for the OS, through the boot loader (Multiboot2
 * tags 12 and 17). systab 0: booted by legacy BIOS, or nothing usable. */
struct boot_efi {
	hpa_t systab;                              /* EFI_SYSTEM_TABLE, 0 if none */
	struct efi_desc mmap[BOOT_EFI_MMAP_MAX];   /* the memory map at ExitBootServices, in firmware order */
	unsigned int mmap_count;                   /* 0: none (or dropped: see note) */
	uint32_t desc_size, desc_version;          /* as the firmware reported them */
	char note[BOOT_EFI_NOTE_MAX];              /* why an EFI memory map tag was dropped, "" if it was not */
};

/* Everything later code knows about the boot: filled by boot/info/mb2.c (Multiboot2)
 * or, later, the UEFI entry. Fixed-size so it can be filled before any allocator. */
struct boot_info {
	char cmdline[BOOT_CMDLINE_MAX];            /* hypervisor command line, "" if none */
	char loader_name[BOOT_LOADER_NAME_MAX];    /* "" if not reported */

	struct boot_mmap_entry mmap[BOOT_MMAP_MAX];
	unsigned int mmap_count;
	bool mmap_truncated;                       /* firmware reported more than BOOT_MMAP_MAX */

	struct boot_module modules[BOOT_MODULES_MAX];
	unsigned int module_count;
	bool modules_truncated;

	uint8_t rsdp[BOOT_RSDP_MAX];               /* copy of the ACPI RSDP structure */
	unsigned int rsdp_len;                     /* 0 if the loader gave none */
	unsigned int rsdp_revision;                /* 0 = ACPI 1.0 (20 bytes), 2+ = XSDT-capable */

	struct boot_framebuffer fb;

	struct boot_efi efi;

	hpa_t info_start, info_end;                /* the loader's info block itself, [start, end) */
};

#endif
