/* drivers/iommu/vtd_sl_layout.c - the guest memory map (and the RMRRs) cut
 * into the identity runs a guest's DMA may reach. Pure. */
#include "drivers/iommu/vtd_sl_layout.h"
#include "lib/format.h"

/* Inserts [start, end) into the sorted runs; overlaps are merged afterwards. */
static int insert(struct pt_run *runs, unsigned int *n, unsigned int max, uint64_t start, uint64_t end)
{
	unsigned int i = *n;

	if (*n >= max)
		return -ENOSPC;
	while (i && runs[i - 1].va > start) {
		runs[i] = runs[i - 1];
		i--;
	}
	runs[i] = (struct pt_run){ .va = start, .pa = start, .size = end - start, .perm = PT_WRITE };
	(*n)++;
	return 0;
}

/* Refuses an extra range over the hypervisor's memory: ranges of g it touches. */
static int check_extra(const struct gmap *g, uint64_t start, uint64_t end, char *err, size_t errlen)
{
	const struct gmap_range *r = gmap_lookup(g, start);

	for (unsigned int i = r ? (unsigned int)(r - g->flat) : g->flat_count; i < g->flat_count; i++) {
		r = &g->flat[i];
		if (r->start >= end)
			break;
		if (r->kind == GMAP_HIDDEN || (r->kind == GMAP_ROM && r->host == r->start)) {
			fmt_snprintf(err, errlen, "RMRR 0x%llx-0x%llx overlaps the hypervisor's memory (%s, "
				     "0x%llx-0x%llx): not mapped for DMA", (unsigned long long)start,
				     (unsigned long long)(end - 1), r->owner ? r->owner : "?",
				     (unsigned long long)r->start, (unsigned long long)(r->end - 1));
			return -EPERM;
		}
	}
	return 0;
}

int vtd_range_check(const struct gmap *g, struct vtd_range r, char *err, size_t errlen)
{
	uint64_t a = ALIGN_DOWN(r.start, PAGE_SIZE), b = ALIGN_UP(r.end, PAGE_SIZE);

	if (r.start >= r.end || b < r.end) {
		fmt_snprintf(err, errlen, "RMRR 0x%llx-0x%llx is empty or wraps", (unsigned long long)r.start,
			     (unsigned long long)r.end);
		return -EPERM;
	}
	return check_extra(g, a, b, err, errlen);
}

int vtd_sl_layout(const struct gmap *g, const struct vtd_range *extra, unsigned int nextra, unsigned int bits,
		  struct pt_run *runs, unsigned int max, char *err, size_t errlen)
{
	unsigned int n = 0, out = 0;
	int rc;

	for (unsigned int i = 0; i < g->flat_count; i++) {
		const struct gmap_range *r = &g->flat[i];
		uint64_t a = ALIGN_UP(r->start, PAGE_SIZE), b = ALIGN_DOWN(r->end, PAGE_SIZE);

		if (r->kind != GMAP_RAM || a >= b)
			continue;
		if ((rc = insert(runs, &n, max, a, b)))
			goto full;
	}
	for (unsigned int i = 0; i < nextra; i++) {
		if ((rc = vtd_range_check(g, extra[i], err, errlen)))
			return rc;
		if ((rc = insert(runs, &n, max, ALIGN_DOWN(extra[i].start, PAGE_SIZE),
				 ALIGN_UP(extra[i].end, PAGE_SIZE))))
			goto full;
	}
	/* Merge overlapping and touching runs (all identity, all read/write). */
	for (unsigned int i = 0; i < n; i++) {
		if (out && runs[i].va <= runs[out - 1].va + runs[out - 1].size) {
			uint64_t end = MAX(runs[out - 1].va + runs[out - 1].size, runs[i].va + runs[i].size);

			runs[out - 1].size = end - runs[out - 1].va;
			continue;
		}
		runs[out++] = runs[i];
	}
	if (out && (bits < 64 && runs[out - 1].va + runs[out - 1].size > (1ULL << bits))) {
		fmt_snprintf(err, errlen, "DMA map: 0x%llx-0x%llx lies above the %u-bit address width",
			     (unsigned long long)runs[out - 1].va,
			     (unsigned long long)(runs[out - 1].va + runs[out - 1].size - 1), bits);
		return -ERANGE;
	}
	return (int)out;
full:
	fmt_snprintf(err, errlen, "DMA map: more than %u runs", max);
	return rc;
}
