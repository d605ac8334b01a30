/* boot/efi/core_load.h - hv.efi's side of starting the hypervisor core: checking
 * hv.elf, placing its segments, filling the handoff and calling efi_entry64
 * (the contract: boot/info/efi_handoff.h).
 *
 * Use from the application, boot mode:
 *     struct core_image img;
 *     if (core_parse(hv_core_elf_start, hv_core_elf_size(), &img, err, n)) ... say why, boot on
 *     AllocatePages(AllocateMaxAddress, EfiLoaderData, pages for img.span + CORE_LOAD_ALIGN,
 *                   &max = 4 GiB - 1), then load_pa = ALIGN_UP(that, CORE_LOAD_ALIGN)
 *     if (core_place(hv_core_elf_start, size, &img, (void *)load_pa, load_pa, &placed, err, n)) ...
 *     core_handoff_init(&handoff, &placed, EFI_HANDOFF_MODE_BOOT); fill boot_info;
 *     ExitBootServices; rc = core_enter(placed.entry, &bi, &handoff);   (returns only on refusal)
 * core_parse and core_place are pure (no firmware calls; host unit tests);
 * core_enter (boot/efi/core_enter.h) is not.
 */
#ifndef BOOT_EFI_CORE_LOAD_H
#define BOOT_EFI_CORE_LOAD_H

#include "lib/compiler.h"
#include "lib/addr.h"
#include "guest/load/elf.h"
#include "boot/info/efi_handoff.h"

#define CORE_LOAD_ALIGN   (2 * MiB)        /* the early tables map the image with 2 MiB pages */
#define CORE_LOAD_LIMIT   (4 * GiB)        /* the image ends below: the early identity map */
#define CORE_SPAN_MAX     (1 * GiB)        /* the early tables map 1 GiB of image at KERNEL_VBASE */

/* hv.elf as checked by core_parse. */
struct core_image {
	struct elf_image elf;      /* its PT_LOAD segments, inside the file, not overlapping */
	uint64_t link_base;        /* lowest p_paddr, CORE_LOAD_ALIGN aligned */
	uint64_t span;             /* bytes from link_base to the end of the highest segment */
	uint64_t entry64;          /* efi_entry64's physical link address (the HV note) */
	uint64_t ap_entry64;       /* efi_ap_entry64's (HV_NOTE_EFI_AP_ENTRY64); 0 if none */
};

/* Where core_place put it. */
struct core_placed {
	hpa_t load_pa;             /* the image's base: link_base + load_offset */
	uint64_t load_offset;      /* load_pa - link_base (a multiple of CORE_LOAD_ALIGN) */
	hpa_t entry;               /* efi_entry64 where it now is */
	hpa_t ap_entry;            /* efi_ap_entry64 where it now is; 0 if the core has none */
	hpa_t end;                 /* load_pa + span */
};

/*
 * Checks hv.elf's `size` bytes: an x86-64 ELF64 executable (guest/load/elf.c's
 * checks: headers and every PT_LOAD segment inside the file, no overlaps, at
 * most ELF_MAX_SEGMENTS), the lowest segment CORE_LOAD_ALIGN aligned, the
 * span at most CORE_SPAN_MAX, and exactly one usable HV note (type
 * HV_NOTE_EFI_ENTRY64, 8-byte desc) in a PT_NOTE inside the file, whose
 * entry lies in an executable segment; at most one AP entry note
 * (HV_NOTE_EFI_AP_ENTRY64), likewise. Returns 0 or -EINVAL with a reason.
 */
int __must_check core_parse(const void *elf, size_t size, struct core_image *img,
			    char *err, size_t errlen);

/*
 * Copies img's segments from elf (the bytes core_parse checked) into dest,
 * the caller's memory at physical address load_pa, at least img->span bytes
 * long, and zeroes everything else of [load_pa, load_pa + span) (the bss and
 * the gaps between segments). load_pa must be CORE_LOAD_ALIGN aligned, not
 * below img->link_base (the entry refuses a negative offset), with
 * load_pa + span <= CORE_LOAD_LIMIT. Returns 0 or -EINVAL with a reason
 * (then dest is untouched).
 */
int __must_check core_place(const void *elf, size_t size, const struct core_image *img,
			    void *dest, hpa_t load_pa, struct core_placed *out,
			    char *err, size_t errlen);

/* Fills the handoff's header for the placed core: magic, version, sizes,
 * mode, load offset; zeroes the rest (pool and firmware state: the caller's
 * and core_enter's). */
void core_handoff_init(struct efi_handoff *h, const struct core_placed *p, enum efi_handoff_mode mode);

/* hv.elf's bytes inside hv.efi (the Makefile's $(BUILD)/efi/hv_core.o). */
extern const uint8_t hv_core_elf_start[] __attribute__((visibility("hidden")));
extern const uint8_t hv_core_elf_end[] __attribute__((visibility("hidden")));

static inline size_t hv_core_elf_size(void)
{
	return (size_t)(hv_core_elf_end - hv_core_elf_start);
}

#endif
