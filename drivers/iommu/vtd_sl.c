/* drivers/iommu/vtd_sl.c - VT-d second-level paging structures (VT-d spec
 * rev 5.0, 3.6, 9.8): building, walking and counting them. Non-leaf entries
 * allow read and write, so the leaf alone decides (permissions AND across
 * levels, 3.6.1). Pure. */
#include "drivers/iommu/vtd_sl.h"

#define SL_ENTRIES 512

static uint64_t span(unsigned int level) { return PAGE_SIZE << (9 * (level - 1)); }

static unsigned int index_at(uint64_t iova, unsigned int level)
{
	return (unsigned int)(iova >> (PAGE_SHIFT + 9 * (level - 1))) & (SL_ENTRIES - 1);
}

/* Whether an entry at `level` may map a page: every SL-PTE; an SL-PDE or
 * SL-PDPE with PS only where CAP.SLLPS says the unit walks such pages (a PS
 * the unit does not support is a reserved bit, 9.8). */
static bool leaf_ok(const struct vtd_sl_format *f, unsigned int level)
{
	return level == 1 || (level == 2 && f->page_2m) || (level == 3 && f->page_1g);
}

static bool is_leaf(const struct vtd_sl_format *f, uint64_t e, unsigned int level)
{
	return level == 1 || ((level == 2 || level == 3) && (e & VTD_SL_PS) && leaf_ok(f, level));
}

unsigned int vtd_sl_levels_for(uint64_t cap, unsigned int bits)
{
	unsigned int sagaw = (cap >> VTD_CAP_SAGAW_SHIFT) & 0x1f;

	/* SAGAW bit n (n = 1..3): (n + 2)-level tables, a (30 + 9n)-bit AGAW (11.4.2). */
	for (unsigned int levels = VTD_SL_MIN_LEVELS; levels <= VTD_SL_MAX_LEVELS; levels++)
		if ((sagaw & (1u << (levels - 2))) && vtd_sl_width(levels) >= bits)
			return levels;
	return 0;
}

struct vtd_sl_format vtd_sl_format_from_caps(uint64_t cap, uint64_t ecap, unsigned int levels)
{
	return (struct vtd_sl_format){
		.levels = levels,
		.page_2m = cap & VTD_CAP_SLLPS_2M,
		.page_1g = cap & VTD_CAP_SLLPS_1G,
		.snoop = ecap & VTD_ECAP_SC,
	};
}

static uint64_t *table_alloc(struct vtd_sl *sl, hpa_t *pa)
{
	uint64_t *t = sl->mem->alloc_table(sl->mem->ctx, pa);

	if (t)
		sl->tables_used++;
	return t;
}

int vtd_sl_init(struct vtd_sl *sl, const struct pt_mem *mem, const struct vtd_sl_format *fmt)
{
	*sl = (struct vtd_sl){ .fmt = *fmt, .mem = mem };
	if (fmt->levels < VTD_SL_MIN_LEVELS || fmt->levels > VTD_SL_MAX_LEVELS)
		return -EINVAL;
	sl->root = table_alloc(sl, &sl->root_pa);
	return sl->root ? 0 : -ENOMEM;
}

static int map_level(struct vtd_sl *sl, uint64_t *table, unsigned int level, uint64_t iova, hpa_t pa,
		     uint64_t size, uint64_t leaf_bits)
{
	while (size) {
		uint64_t s = span(level);
		uint64_t chunk = MIN(size, s - (iova & (s - 1)));
		uint64_t *e = &table[index_at(iova, level)];
		int rc;

		if (chunk == s && IS_ALIGNED(pa, s) && leaf_ok(&sl->fmt, level)) {
			if (!*e)                /* first mapping wins, as pt_map */
				*e = pa | leaf_bits | (level > 1 ? VTD_SL_PS : 0);
		} else if (!*e) {
			hpa_t tpa;

			if (!table_alloc(sl, &tpa))
				return -ENOMEM;
			*e = tpa | VTD_SL_R | VTD_SL_W;
		}
		if (!is_leaf(&sl->fmt, *e, level)) {
			rc = map_level(sl, sl->mem->table_ptr(sl->mem->ctx, *e & VTD_SL_ADDR_MASK), level - 1, iova,
				       pa, chunk, leaf_bits);
			if (rc)
				return rc;
		}
		iova += chunk;
		pa += chunk;
		size -= chunk;
	}
	return 0;
}

int vtd_sl_map(struct vtd_sl *sl, uint64_t iova, hpa_t pa, uint64_t size, bool write)
{
	uint64_t top = 1ULL << vtd_sl_width(sl->fmt.levels);
	uint64_t leaf = VTD_SL_R | (write ? VTD_SL_W : 0) | (sl->fmt.snoop ? VTD_SL_SNP : 0);

	if (!size || !IS_ALIGNED(iova | pa | size, PAGE_SIZE) || iova >= top || size > top - iova ||
	    pa > VTD_SL_ADDR_MASK || size - 1 > VTD_SL_ADDR_MASK - pa)
		return -EINVAL;
	return map_level(sl, sl->root, sl->fmt.levels, iova, pa, size, leaf);
}

int vtd_sl_map_runs(struct vtd_sl *sl, const struct pt_run *runs, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		int rc = vtd_sl_map(sl, runs[i].va, runs[i].pa, runs[i].size, runs[i].perm & PT_WRITE);

		if (rc)
			return rc;
	}
	return 0;
}

int vtd_sl_lookup(const struct vtd_sl *sl, uint64_t iova, struct vtd_sl_lookup *out)
{
	const uint64_t *t = sl->root;

	if (iova >> vtd_sl_width(sl->fmt.levels))
		return -ENOENT;
	for (unsigned int level = sl->fmt.levels; level >= 1; level--) {
		uint64_t e = t[index_at(iova, level)];

		if (!(e & (VTD_SL_R | VTD_SL_W)))
			return -ENOENT;
		if (is_leaf(&sl->fmt, e, level)) {
			uint64_t s = span(level);

			*out = (struct vtd_sl_lookup){
				.pa = (e & VTD_SL_ADDR_MASK & ~(s - 1)) + (iova & (s - 1)), .page_size = s, .entry = e,
			};
			return 0;
		}
		t = sl->mem->table_ptr(sl->mem->ctx, e & VTD_SL_ADDR_MASK);
	}
	return -ENOENT;
}

static void stats_level(const struct vtd_sl *sl, const uint64_t *t, unsigned int level, struct pt_stats *out)
{
	out->tables++;
	for (unsigned int i = 0; i < SL_ENTRIES; i++) {
		uint64_t e = t[i];

		if (!(e & (VTD_SL_R | VTD_SL_W)))
			continue;
		if (is_leaf(&sl->fmt, e, level)) {
			out->leaves[level]++;
			out->mapped += span(level);
		} else {
			stats_level(sl, sl->mem->table_ptr(sl->mem->ctx, e & VTD_SL_ADDR_MASK), level - 1, out);
		}
	}
}

void vtd_sl_stats(const struct vtd_sl *sl, struct pt_stats *out)
{
	*out = (struct pt_stats){ .tables = 0 };
	stats_level(sl, sl->root, sl->fmt.levels, out);
}

/* Whether the block of span(level) at start lies inside a page of some level
 * >= `level` that one run maps whole (so no table is needed below it). */
static bool in_leaf(const struct pt_run *runs, unsigned int n, const struct vtd_sl_format *f, uint64_t start,
		    unsigned int level)
{
	for (unsigned int m = level; m <= MIN(f->levels, 3u); m++) {
		uint64_t a, s = span(m);
		unsigned int lo = 0, hi = n;

		if (!leaf_ok(f, m))
			continue;
		a = ALIGN_DOWN(start, s);
		while (lo < hi) {               /* the last run starting at or below a */
			unsigned int mid = (lo + hi) / 2;

			if (runs[mid].va <= a)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo && a + s - 1 <= runs[lo - 1].va + runs[lo - 1].size - 1 &&
		    IS_ALIGNED(runs[lo - 1].pa - runs[lo - 1].va, s))
			return true;
	}
	return false;
}

unsigned int vtd_sl_min_tables(const struct pt_run *runs, unsigned int n, const struct vtd_sl_format *f)
{
	uint64_t total = 1, top;

	if (f->levels < VTD_SL_MIN_LEVELS || f->levels > VTD_SL_MAX_LEVELS)
		return 0;
	top = 1ULL << vtd_sl_width(f->levels);
	for (unsigned int i = 0; i < n; i++) {
		const struct pt_run *r = &runs[i];

		if (!r->size || !IS_ALIGNED(r->va | r->pa | r->size, PAGE_SIZE) || r->va >= top ||
		    r->size > top - r->va || (i && r->va < runs[i - 1].va + runs[i - 1].size))
			return 0;
	}
	/* A table at level l (l < levels) is needed for each block of span(l + 1)
	 * that some run touches, unless a page at level l + 1 or above covers it. */
	for (unsigned int l = 1; l < f->levels; l++) {
		uint64_t s = span(l + 1), prev = UINT64_MAX;

		for (unsigned int i = 0; i < n; i++)
			for (uint64_t b = runs[i].va / s; b <= (runs[i].va + runs[i].size - 1) / s; b++) {
				if (b == prev)
					continue;
				prev = b;
				if (!in_leaf(runs, n, f, b * s, l + 1))
					total++;
			}
	}
	return total > UINT32_MAX ? UINT32_MAX : (unsigned int)total;
}
