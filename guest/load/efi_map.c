/* guest/load/efi_map.c - the EFI memory map a Linux guest gets (UEFI 2.10, 7.2 GetMemoryMap()):
 * the firmware's descriptors with the hypervisor's memory retyped EfiReservedMemoryType. */
#include "guest/load/efi_map.h"
#include "lib/le.h"
#include "lib/format.h"
#include <stdarg.h>

/* The guest's map being written; bytes counts on past out_size to tell what is needed. */
struct efi_out {
	uint8_t *p;                /* NULL: only measure */
	size_t size;               /* bytes available at p */
	size_t bytes;              /* bytes the map needs so far */
};

/* Appends the piece [start, end) of d with the given type; VirtualStart moves with the piece. */
static void emit(struct efi_out *o, const struct efi_desc *d, uint32_t type, uint64_t start, uint64_t end)
{
	uint8_t *e;

	if (o->p && o->size - MIN(o->size, o->bytes) >= EFI_GUEST_DESC_SIZE) {
		e = o->p + o->bytes;
		for (unsigned int i = 0; i < EFI_GUEST_DESC_SIZE; i++)
			e[i] = 0;
		le32_write(e + EFI_DESC_OFF_TYPE, type);
		le64_write(e + EFI_DESC_OFF_PHYS, start);
		le64_write(e + EFI_DESC_OFF_VIRT, d->virt ? d->virt + (start - d->phys) : 0);
		le64_write(e + EFI_DESC_OFF_PAGES, (end - start) >> EFI_PAGE_SHIFT);
		le64_write(e + EFI_DESC_OFF_ATTR, d->attr);
	}
	o->bytes += EFI_GUEST_DESC_SIZE;
}

static bool taken_out(const struct gmap_range *x)
{
	return x->kind == GMAP_HIDDEN || x->kind == GMAP_UNUSABLE || x->kind == GMAP_ROM;
}

/* The lowest-starting range taken out (widened to pages) that ends after the
 * page-aligned pos, as [*start, *end); false if there is none. */
static bool first_out(const struct efi_map_request *r, gpa_t pos, gpa_t *start, gpa_t *end)
{
	const struct gmap_range *x = gmap_lookup(r->g, pos);
	const struct gmap_range *last = r->g->flat + r->g->flat_count;
	bool found = false;

	for (; x && x < last; x++) {
		if (taken_out(x)) {
			*start = ALIGN_DOWN(x->start, EFI_PAGE_SIZE);
			*end = ALIGN_UP(x->end, EFI_PAGE_SIZE);
			found = true;
			break;
		}
	}
	if (r->reserve_end > r->reserve_start && r->reserve_end > pos &&
	    (!found || ALIGN_DOWN(r->reserve_start, EFI_PAGE_SIZE) < *start)) {
		*start = ALIGN_DOWN(r->reserve_start, EFI_PAGE_SIZE);
		*end = ALIGN_UP(r->reserve_end, EFI_PAGE_SIZE);
		found = true;
	}
	return found;
}

/* first_out joined with every range taken out that touches or overlaps it. */
static bool next_out(const struct efi_map_request *r, gpa_t pos, gpa_t *start, gpa_t *end)
{
	gpa_t s, e;

	if (!first_out(r, pos, start, end))
		return false;
	while (first_out(r, *end, &s, &e) && s <= *end)
		*end = e;           /* e > *end: the loop ends */
	return true;
}

/* 0 if the guest has every byte of [start, end) mapped, else -EINVAL with the reason. */
static int check_mapped(const struct efi_map_request *r, unsigned int i, const struct efi_desc *d,
			uint64_t end, char *err, size_t errlen)
{
	for (gpa_t x = d->phys; x < end;) {
		const struct gmap_range *m = gmap_lookup(r->g, x);

		if (!m)
			return fmt_error(-EINVAL, err, errlen, "runtime descriptor %u (type %u, 0x%llx-0x%llx) reaches past "
				    "the guest's memory map at 0x%llx", i, d->type, (unsigned long long)d->phys,
				    (unsigned long long)end - 1, (unsigned long long)x);
		if (!gmap_kind_mapped(m->kind))
			return fmt_error(-EINVAL, err, errlen, "runtime descriptor %u (type %u, 0x%llx-0x%llx) overlaps "
				    "%s memory (%s) at 0x%llx", i, d->type, (unsigned long long)d->phys,
				    (unsigned long long)end - 1, gmap_kind_name(m->kind), m->owner,
				    (unsigned long long)x);
		x = m->end;
	}
	return 0;
}

int efi_map_build(const struct efi_map_request *r, uint8_t *out, size_t out_size,
		  size_t *len, char *err, size_t errlen)
{
	struct efi_out o = { .p = out, .size = out ? out_size : 0 };
	int rc;

	if (len)
		*len = 0;
	if (!r || !r->g || !len || (r->count && !r->desc))
		return fmt_error(-EINVAL, err, errlen, "incomplete EFI memory map request");
	for (unsigned int i = 0; i < r->count; i++) {
		const struct efi_desc *d = &r->desc[i];
		gpa_t cur, end, hs, he;

		if (!IS_ALIGNED(d->phys, EFI_PAGE_SIZE) || !d->pages ||
		    d->pages > (UINT64_MAX - d->phys) >> EFI_PAGE_SHIFT)
			return fmt_error(-EINVAL, err, errlen, "descriptor %u: 0x%llx pages at 0x%llx", i,
				    (unsigned long long)d->pages, (unsigned long long)d->phys);
		end = d->phys + (d->pages << EFI_PAGE_SHIFT);
		if (efi_desc_is_runtime(d)) {
			rc = check_mapped(r, i, d, end, err, errlen);
			if (rc)
				return rc;
			emit(&o, d, d->type, d->phys, end);
			continue;
		}
		for (cur = d->phys; cur < end;) {
			if (!next_out(r, cur, &hs, &he) || hs >= end) {
				emit(&o, d, d->type, cur, end);
				break;
			}
			if (hs > cur) {
				emit(&o, d, d->type, cur, hs);
				cur = hs;
			}
			emit(&o, d, EFI_RESERVED_MEMORY_TYPE, cur, MIN(he, end));
			cur = MIN(he, end);
		}
	}
	*len = o.bytes;
	if (out && o.bytes > out_size) {
		fmt_error(-EINVAL, err, errlen, "the guest's EFI memory map needs %zu bytes, %zu available", o.bytes, out_size);
		return -ENOSPC;
	}
	return 0;
}
