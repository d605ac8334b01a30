/* boot/info/efi_handoff.c - checks what a UEFI loader handed to the core's
 * 64-bit entry (boot/info/efi_handoff.h) before anything trusts it. */
#include "boot/info/efi_handoff.h"
#include "lib/format.h"
#include "lib/string.h"

/* True if s has a NUL within its n bytes. */
static bool terminated(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!s[i])
			return true;
	return false;
}

/* A bool field as the loader wrote it: any byte but 0 or 1 is not a bool
 * (and loading it as one would be undefined). */
static bool bool_ok(const bool *b)
{
	uint8_t v;

	memcpy(&v, b, 1);
	return v <= 1;
}

/* [addr, addr + len) is non-empty and does not wrap around. */
static bool range_ok(uint64_t addr, uint64_t len)
{
	return len && addr <= UINT64_MAX - len;
}

/* Chain mode's CPU list: 1 to EFI_HANDOFF_CPUS_MAX APIC IDs, each once
 * (each becomes one per-CPU block and one vCPU). */
static int check_cpu_list(const struct efi_handoff *h, char *err, size_t errlen)
{
	if (!h->cpu_count || h->cpu_count > EFI_HANDOFF_CPUS_MAX)
		return fmt_error(-EINVAL, err, errlen, "chain mode: %u CPUs listed, 1 to %u expected",
				 h->cpu_count, EFI_HANDOFF_CPUS_MAX);
	for (unsigned int i = 0; i < h->cpu_count; i++)
		for (unsigned int j = 0; j < i; j++)
			if (h->cpu_apic_id[i] == h->cpu_apic_id[j])
				return fmt_error(-EINVAL, err, errlen, "chain mode: APIC ID %u listed twice",
						 h->cpu_apic_id[i]);
	return 0;
}

static int check_handoff(const struct efi_handoff *h, char *err, size_t errlen)
{
	if (h->magic != EFI_HANDOFF_MAGIC)
		return fmt_error(-EINVAL, err, errlen, "handoff magic 0x%llx, expected 0x%llx",
				 (unsigned long long)h->magic, EFI_HANDOFF_MAGIC);
	if (h->version != EFI_HANDOFF_VERSION)
		return fmt_error(-EINVAL, err, errlen, "handoff version %u, this core speaks %u",
				 h->version, EFI_HANDOFF_VERSION);
	if (h->size != sizeof(*h))
		return fmt_error(-EINVAL, err, errlen, "handoff of %u bytes, this core's has %zu",
				 h->size, sizeof(*h));
	if (h->boot_info_size != sizeof(struct boot_info))
		return fmt_error(-EINVAL, err, errlen,
				 "boot_info of %u bytes, this core's has %zu (loader and core from different builds?)",
				 h->boot_info_size, sizeof(struct boot_info));
	if (h->mode != EFI_HANDOFF_MODE_BOOT && h->mode != EFI_HANDOFF_MODE_CHAIN)
		return fmt_error(-EINVAL, err, errlen, "unknown mode %u", h->mode);
	if (h->load_offset & (2 * MiB - 1))
		return fmt_error(-EINVAL, err, errlen, "load offset 0x%llx not 2 MiB aligned",
				 (unsigned long long)h->load_offset);
	if (h->pool_start > h->pool_end || (h->pool_start | h->pool_end) & (PAGE_SIZE - 1))
		return fmt_error(-EINVAL, err, errlen, "hypervisor pool [0x%llx, 0x%llx) is not a page-aligned range",
				 (unsigned long long)h->pool_start, (unsigned long long)h->pool_end);
	if (h->mode == EFI_HANDOFF_MODE_BOOT) {
		if (h->acpi_view)
			return fmt_error(-EINVAL, err, errlen, "boot mode: an ACPI view area (0x%llx)",
					 (unsigned long long)h->acpi_view);
		return 0;
	}
	/* Chain mode: the pool is all the memory the core may use (mm/setup.c). */
	if (h->pool_end - h->pool_start < EFI_HANDOFF_POOL_MIN ||
	    (h->pool_start | h->pool_end) & (EFI_HANDOFF_POOL_ALIGN - 1) || h->pool_end > 4 * GiB)
		return fmt_error(-EINVAL, err, errlen,
				 "chain mode: hypervisor pool [0x%llx, 0x%llx) is not 2 MiB aligned, "
				 "at least 16 MiB and below 4 GiB",
				 (unsigned long long)h->pool_start, (unsigned long long)h->pool_end);
	return check_cpu_list(h, err, errlen);
}

static int check_maps(const struct boot_info *bi, char *err, size_t errlen)
{
	if (bi->mmap_count > BOOT_MMAP_MAX)
		return fmt_error(-EINVAL, err, errlen, "%u memory map entries, at most %u fit",
				 bi->mmap_count, BOOT_MMAP_MAX);
	if (!bi->mmap_count)
		return fmt_error(-EINVAL, err, errlen, "no memory map");
	for (unsigned int i = 0; i < bi->mmap_count; i++)
		if (!range_ok(bi->mmap[i].addr, bi->mmap[i].len))
			return fmt_error(-EINVAL, err, errlen, "memory map entry %u: 0x%llx+0x%llx is empty or wraps",
					 i, (unsigned long long)bi->mmap[i].addr,
					 (unsigned long long)bi->mmap[i].len);
	if (bi->efi.mmap_count > BOOT_EFI_MMAP_MAX)
		return fmt_error(-EINVAL, err, errlen, "%u EFI memory descriptors, at most %u fit",
				 bi->efi.mmap_count, BOOT_EFI_MMAP_MAX);
	if (bi->efi.mmap_count && bi->efi.desc_size < EFI_DESC_MIN_SIZE)
		return fmt_error(-EINVAL, err, errlen, "EFI descriptor size %u below %u",
				 bi->efi.desc_size, EFI_DESC_MIN_SIZE);
	for (unsigned int i = 0; i < bi->efi.mmap_count; i++) {
		const struct efi_desc *d = &bi->efi.mmap[i];

		if (d->phys & (EFI_PAGE_SIZE - 1) || !d->pages ||
		    d->pages > (UINT64_MAX - d->phys) >> EFI_PAGE_SHIFT)
			return fmt_error(-EINVAL, err, errlen,
					 "EFI descriptor %u: 0x%llx, %llu pages is unaligned, empty or wraps", i,
					 (unsigned long long)d->phys, (unsigned long long)d->pages);
	}
	if (!terminated(bi->efi.note, sizeof(bi->efi.note)))
		return fmt_error(-EINVAL, err, errlen, "EFI note not terminated");
	return 0;
}

static int check_boot_info(const struct boot_info *bi, char *err, size_t errlen)
{
	uint32_t fb_type;
	int rc;

	if (!terminated(bi->cmdline, sizeof(bi->cmdline)))
		return fmt_error(-EINVAL, err, errlen, "command line not terminated within %u bytes",
				 BOOT_CMDLINE_MAX);
	if (!terminated(bi->loader_name, sizeof(bi->loader_name)))
		return fmt_error(-EINVAL, err, errlen, "loader name not terminated within %u bytes",
				 BOOT_LOADER_NAME_MAX);
	if (!bool_ok(&bi->mmap_truncated) || !bool_ok(&bi->modules_truncated))
		return fmt_error(-EINVAL, err, errlen, "a truncation flag is neither 0 nor 1");
	rc = check_maps(bi, err, errlen);
	if (rc)
		return rc;
	if (bi->module_count > BOOT_MODULES_MAX)
		return fmt_error(-EINVAL, err, errlen, "%u modules, at most %u fit",
				 bi->module_count, BOOT_MODULES_MAX);
	for (unsigned int i = 0; i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];

		if (m->end < m->start)
			return fmt_error(-EINVAL, err, errlen, "module %u: end 0x%llx below its start 0x%llx",
					 i, (unsigned long long)m->end, (unsigned long long)m->start);
		if (!terminated(m->cmdline, sizeof(m->cmdline)))
			return fmt_error(-EINVAL, err, errlen, "module %u: command line not terminated", i);
	}
	if (bi->rsdp_len > BOOT_RSDP_MAX)
		return fmt_error(-EINVAL, err, errlen, "RSDP of %u bytes, at most %u fit",
				 bi->rsdp_len, BOOT_RSDP_MAX);
	memcpy(&fb_type, &bi->fb.type, sizeof(fb_type));
	if (fb_type > BOOT_FB_EGA_TEXT)
		return fmt_error(-EINVAL, err, errlen, "framebuffer type %u unknown", fb_type);
	return 0;
}

/* [a, a + alen) and [b, b + blen) share a byte (neither wraps: checked before). */
static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* What the core must not overwrite while it reads it, and the pool (all the
 * memory mm_init hands out in chain mode) must not cover anything the core
 * still needs: the image and the two structures. */
static int check_ranges(const struct efi_handoff *h, const struct efi_handoff_where *w, char *err, size_t errlen)
{
	const struct { const char *name; uint64_t pa, len; } r[] = {
		{ "boot_info", w->bi_pa, sizeof(struct boot_info) },
		{ "the handoff", w->h_pa, sizeof(struct efi_handoff) },
	};
	uint64_t img_len = w->image_end - w->image_start, pool_len = h->pool_end - h->pool_start;

	for (unsigned int i = 0; i < 2; i++)
		if (overlap(r[i].pa, r[i].len, w->image_start, img_len))
			return fmt_error(-EINVAL, err, errlen, "%s at 0x%llx lies inside the core's image [0x%llx, 0x%llx)",
					 r[i].name, (unsigned long long)r[i].pa, (unsigned long long)w->image_start,
					 (unsigned long long)w->image_end);
	if (h->mode != EFI_HANDOFF_MODE_CHAIN)
		return 0;
	if (overlap(h->pool_start, pool_len, w->image_start, img_len))
		return fmt_error(-EINVAL, err, errlen, "chain mode: the pool [0x%llx, 0x%llx) overlaps the core's image "
				 "[0x%llx, 0x%llx)", (unsigned long long)h->pool_start, (unsigned long long)h->pool_end,
				 (unsigned long long)w->image_start, (unsigned long long)w->image_end);
	for (unsigned int i = 0; i < ARRAY_SIZE(r); i++)
		if (r[i].len && overlap(h->pool_start, pool_len, r[i].pa, r[i].len))
			return fmt_error(-EINVAL, err, errlen, "chain mode: the pool [0x%llx, 0x%llx) covers %s at 0x%llx",
					 (unsigned long long)h->pool_start, (unsigned long long)h->pool_end, r[i].name,
					 (unsigned long long)r[i].pa);
	return 0;
}

/* Chain mode's ACPI view area (the core writes it, the OS reads it): page
 * aligned, below 4 GiB, inside one ACPI NVS range of bi's map (memory the
 * loader allocated for it, not the firmware's), clear of the image, the
 * pool and the two structures. bi's map is checked already. */
static int check_view(const struct boot_info *bi, const struct efi_handoff *h, const struct efi_handoff_where *w,
		      char *err, size_t errlen)
{
	const struct { const char *name; uint64_t pa, len; } r[] = {
		{ "the core's image", w->image_start, w->image_end - w->image_start },
		{ "the pool", h->pool_start, h->pool_end - h->pool_start },
		{ "boot_info", w->bi_pa, sizeof(struct boot_info) },
		{ "the handoff", w->h_pa, sizeof(struct efi_handoff) },
	};
	uint64_t v = h->acpi_view, len = EFI_HANDOFF_VIEW_SIZE;
	bool in_nvs = false;

	if (!v)
		return 0;
	if (v & (PAGE_SIZE - 1) || v > 4 * GiB - len)
		return fmt_error(-EINVAL, err, errlen, "chain mode: the ACPI view area at 0x%llx is not page "
				 "aligned and below 4 GiB", (unsigned long long)v);
	for (unsigned int i = 0; i < ARRAY_SIZE(r); i++)
		if (r[i].len && overlap(v, len, r[i].pa, r[i].len))
			return fmt_error(-EINVAL, err, errlen, "chain mode: the ACPI view area at 0x%llx overlaps %s "
					 "at 0x%llx", (unsigned long long)v, r[i].name, (unsigned long long)r[i].pa);
	for (unsigned int i = 0; i < bi->mmap_count; i++)
		in_nvs |= bi->mmap[i].type == BOOT_MEM_ACPI_NVS && bi->mmap[i].addr <= v &&
			  v + len - bi->mmap[i].addr <= bi->mmap[i].len;
	if (!in_nvs)
		return fmt_error(-EINVAL, err, errlen, "chain mode: the ACPI view area at 0x%llx is not inside "
				 "one ACPI NVS range of the memory map", (unsigned long long)v);
	return 0;
}

int efi_handoff_check(const struct boot_info *bi, const struct efi_handoff *h, const struct efi_handoff_where *w,
		      struct boot_info *out, char *err, size_t errlen)
{
	hpa_t bi_pa;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!bi || !h || !w || !out)
		return fmt_error(-EINVAL, err, errlen, "no boot_info or no handoff");
	bi_pa = w->bi_pa;
	rc = check_handoff(h, err, errlen);
	if (!rc)
		rc = check_ranges(h, w, err, errlen);
	if (!rc)
		rc = check_boot_info(bi, err, errlen);
	if (!rc && h->mode == EFI_HANDOFF_MODE_CHAIN)
		rc = check_view(bi, h, w, err, errlen);
	if (rc)
		return rc;
	memcpy(out, bi, sizeof(*out));
	out->info_start = bi_pa;
	out->info_end = bi_pa + sizeof(*bi);
	return 0;
}

const char *efi_handoff_strerror(uint64_t code)
{
	switch (code) {
	case EFI_HANDOFF_E_POINTER:
		return "boot_info or handoff pointer null, not 8-byte aligned or above 4 GiB";
	case EFI_HANDOFF_E_HEADER:
		return "handoff magic or version not this core's";
	case EFI_HANDOFF_E_MODE:
		return "mode neither boot nor chain (loader and core from different builds?)";
	case EFI_HANDOFF_E_OFFSET:
		return "image not 2 MiB aligned, below its link address, not where the handoff says, or above 4 GiB";
	case EFI_HANDOFF_E_CPU:
		return "the CPU has no NX, or the firmware runs 5-level paging";
	case EFI_HANDOFF_E_CORE:
		return "the core failed after its entry and handed the CPU back";
	default:
		return "unknown refusal code";
	}
}
