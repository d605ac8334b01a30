/* mm/pagetable.c - 4-level paging builder and walker for x86-64 paging
 * (SDM Vol. 3A, 4.5) and EPT (Vol. 3C, 29.3): same layout, other entry bits.
 * Changes to a built tree (unmap, merge, splits) are in mm/pagetable_edit.c. */
#include "mm/pagetable.h"

#define PT_VA_BITS       48         /* 4-level paging: linear addresses are 48 bits */
#define PT_PA_LIMIT      (1ULL << 52)   /* MAXPHYADDR can be at most 52 (4.1.4) */

/* Leaf entry bits for perm. NX relies on IA32_EFER.NXE = 1, which the boot
 * code sets before loading these tables (bit 63 is reserved otherwise). */
static uint64_t x86_leaf_bits(unsigned int perm)
{
	uint64_t bits = PTE_P;

	if (perm & PT_WRITE)
		bits |= PTE_W;
	if (!(perm & PT_EXEC))
		bits |= PTE_NX;
	if (perm & PT_UNCACHED)
		bits |= PTE_PCD | PTE_PWT;
	return bits;
}

/* EPT leaves always allow reads (no execute-only mappings) and carry the
 * memory type; IPAT stays clear so the guest's PAT still combines (29.3.7.2). */
static uint64_t ept_leaf_bits(unsigned int perm)
{
	uint64_t mt = (perm & PT_UNCACHED) ? MT_UC : (perm >> PT_MT_SHIFT) & 7;
	uint64_t bits = EPT_R | (mt << EPT_MT_SHIFT);

	if (perm & PT_WRITE)
		bits |= EPT_W;
	if (perm & PT_EXEC)
		bits |= EPT_X;
	return bits;
}

/* Non-leaf entries allow everything: the leaf alone decides the permissions,
 * since they combine across levels (4.6, 29.3.3). */
const struct pt_format pt_format_x86 = {
	.name = "x86-64",
	.present = PTE_P,
	.table_bits = PTE_P | PTE_W,
	.large = PTE_PS,
	.addr_mask = PTE_ADDR_MASK,
	.accessed_dirty = PTE_A | PTE_D,
	.sign_extended = true,
	.leaf_bits = x86_leaf_bits,
};

const struct pt_format pt_format_ept = {
	.name = "EPT",
	.present = EPT_R | EPT_W | EPT_X,
	.table_bits = EPT_R | EPT_W | EPT_X,
	.large = EPT_LARGE,
	.addr_mask = PTE_ADDR_MASK,
	.accessed_dirty = EPT_A | EPT_D,
	.sign_extended = false,
	.leaf_bits = ept_leaf_bits,
};

_Static_assert((PTE_ADDR_MASK & (PTE_P | PTE_W | PTE_U | PTE_PWT | PTE_PCD | PTE_A |
				 PTE_D | PTE_PS | PTE_G | PTE_NX)) == 0,
	       "entry flag bits overlap the address field");
_Static_assert(((EPT_R | EPT_W | EPT_X | (7ULL << EPT_MT_SHIFT) | EPT_IPAT | EPT_LARGE) &
		(EPT_A | EPT_D | PTE_ADDR_MASK)) == 0,
	       "EPT A/D bits overlap permission, type or address bits");
_Static_assert(PAGE_SIZE_1G == PAGE_SIZE << 18 && PAGE_SIZE_2M == PAGE_SIZE << 9,
	       "page sizes are 9 translation bits apart");

/* x86: bits 63:47 all equal (4.5, canonical addressing); EPT: a 48-bit
 * guest-physical address (4-level EPT translates bits 47:0). */
static inline bool va_valid(const struct pagetable *pt, hva_t va)
{
	int64_t sva = (int64_t)va;

	if (!pt->fmt->sign_extended)
		return va >> PT_VA_BITS == 0;
	return (sva >> (PT_VA_BITS - 1)) == 0 || (sva >> (PT_VA_BITS - 1)) == -1;
}

/* A zeroed table page, counted in tables_used; NULL if none is left. */
uint64_t *pt_table_alloc(struct pagetable *pt, hpa_t *pa)
{
	uint64_t *t = pt->mem->alloc_table(pt->mem->ctx, pa);

	if (t)
		pt->tables_used++;
	return t;
}

/* May a page of `level` size be installed for this piece of the range? */
static bool can_leaf(const struct pagetable *pt, unsigned int level, hpa_t pa,
		     uint64_t chunk)
{
	if (level == 1)
		return true;
	if (level == 4 || (level == 3 && !pt->allow_1g))
		return false;
	/* A full entry's worth means va is aligned to it; pa must be too. */
	return chunk == pt_level_size(level) && IS_ALIGNED(pa, pt_level_size(level));
}

/*
 * Maps [va, va+size), which lies inside the region covered by `table` at
 * `level`. A new table is linked in only once it is allocated and zeroed,
 * so running out of memory part way leaves a valid, partially filled tree.
 */
static int map_level(struct pagetable *pt, uint64_t *table, unsigned int level,
		     hva_t va, hpa_t pa, uint64_t size, uint64_t bits)
{
	uint64_t span = pt_level_size(level);

	while (size) {
		uint64_t *e = &table[pt_level_index(va, level)];
		uint64_t chunk = span - (va & (span - 1));
		uint64_t *next;
		int ret;

		if (chunk > size)
			chunk = size;

		if (pt_entry_present(pt, *e)) {
			/* First mapping wins: an existing leaf stays as it is. */
			if (pt_entry_is_leaf(pt, *e, level))
				goto advance;
			next = pt_entry_table(pt, *e);
		} else if (can_leaf(pt, level, pa, chunk)) {
			*e = pa | bits | (level > 1 ? pt->fmt->large : 0);
			goto advance;
		} else {
			hpa_t tpa;

			next = pt_table_alloc(pt, &tpa);
			if (!next)
				return -ENOMEM;
			*e = tpa | pt->fmt->table_bits;
		}

		ret = map_level(pt, next, level - 1, va, pa, chunk, bits);
		if (ret)
			return ret;
advance:
		/* At the top of the address space va wraps to 0 as size hits 0. */
		va += chunk;
		pa += chunk;
		size -= chunk;
	}
	return 0;
}

/* Allocates an empty PML4. Returns 0 or -ENOMEM. */
int pt_init(struct pagetable *pt, const struct pt_format *fmt, const struct pt_mem *mem,
	    bool allow_1g)
{
	pt->fmt = fmt;
	pt->mem = mem;
	pt->allow_1g = allow_1g;
	pt->tables_used = 0;
	pt->root = pt_table_alloc(pt, &pt->root_pa);
	return pt->root ? 0 : -ENOMEM;
}

/* The range checks of pt_map(): 4 KiB-aligned, not empty, translatable at
 * both ends, not wrapping and (x86) not across the non-canonical hole. */
int pt_check_range(const struct pagetable *pt, hva_t va, uint64_t size)
{
	hva_t last = va + size - 1;

	if (!size || !IS_ALIGNED(va | size, PAGE_SIZE))
		return -EINVAL;
	if (last < va || !va_valid(pt, va) || !va_valid(pt, last))
		return -EINVAL;
	/* Both ends canonical but in different halves: the range spans the hole. */
	if ((int64_t)va >= 0 && (int64_t)last < 0)
		return -EINVAL;
	return 0;
}

/* Maps [va, va+size) to [pa, pa+size) with the largest fitting pages, keeping
 * whatever is already mapped. Returns 0, -EINVAL (misaligned, empty,
 * non-canonical or wrapping range, pa range beyond 2^52, unknown perm bits)
 * or -ENOMEM. */
int pt_map(struct pagetable *pt, hva_t va, hpa_t pa, uint64_t size, unsigned int perm)
{
	if (pt_check_range(pt, va, size) || !IS_ALIGNED(pa, PAGE_SIZE) || (perm & ~PT_PERM_MASK))
		return -EINVAL;
	if (pa >= PT_PA_LIMIT || size > PT_PA_LIMIT - pa)
		return -EINVAL;

	return map_level(pt, pt->root, PT_LEVELS, va, pa, size, pt->fmt->leaf_bits(perm));
}

/* Walks the tables for va. Returns 0 with the leaf in *out, or -ENOENT. */
int pt_lookup(const struct pagetable *pt, hva_t va, struct pt_lookup *out)
{
	struct pt_walk w;
	uint64_t e = 0, span;
	unsigned int level = 0;

	/* The walk ends on the leaf or on the first non-present entry. */
	for_each_pt_entry(w, pt, va) {
		e = *w.entry;
		level = w.level;
	}
	if (!level || !pt_entry_present(pt, e))
		return -ENOENT;
	span = pt_level_size(level);
	/* Bit 12 of a large-page entry is PAT, not address (Table 4-17). */
	out->pa = (e & pt->fmt->addr_mask & ~(span - 1)) | (va & (span - 1));
	out->page_size = span;
	out->entry = e;
	out->level = level;
	return 0;
}

void pt_walk_begin(struct pt_walk *w, const struct pagetable *pt, hva_t va)
{
	w->pt = pt;
	w->va = va;
	w->level = PT_LEVELS;
	w->table_pa = pt->root_pa;
	w->done = !va_valid(pt, va);
	w->entry = w->done ? NULL : &pt->root[pt_level_index(va, PT_LEVELS)];
}

bool pt_walk_ok(const struct pt_walk *w)
{
	return !w->done;
}

void pt_walk_next(struct pt_walk *w)
{
	uint64_t e;

	if (w->done)
		return;
	e = *w->entry;
	if (!pt_entry_present(w->pt, e) || pt_entry_is_leaf(w->pt, e, w->level)) {
		w->done = true;
		return;
	}
	w->level--;
	w->table_pa = e & w->pt->fmt->addr_mask;
	w->entry = &pt_entry_table(w->pt, e)[pt_level_index(w->va, w->level)];
}

static void stats_table(const struct pagetable *pt, const uint64_t *t, unsigned int level,
			struct pt_stats *out)
{
	out->tables++;
	for (unsigned int i = 0; i < PT_ENTRIES; i++) {
		uint64_t e = t[i];

		if (!pt_entry_present(pt, e))
			continue;
		if (pt_entry_is_leaf(pt, e, level)) {
			out->leaves[level]++;
			out->mapped += pt_level_size(level);
		} else {
			stats_table(pt, pt_entry_table(pt, e), level - 1, out);
		}
	}
}

void pt_stats(const struct pagetable *pt, struct pt_stats *out)
{
	*out = (struct pt_stats){ 0 };
	stats_table(pt, pt->root, PT_LEVELS, out);
}

/* Aligned blocks of size s (a power of two) that lie wholly inside [va, last]. */
static uint64_t whole_blocks(uint64_t va, uint64_t last, uint64_t s)
{
	uint64_t lo = va / s + !IS_ALIGNED(va, s);
	uint64_t hi = last / s + ((last & (s - 1)) == s - 1);   /* exclusive; last + 1 may wrap */

	return hi > lo ? hi - lo : 0;
}

/*
 * Every table but the root belongs to one region: the PT to a 2 MiB region,
 * the PD to a 1 GiB one, the PDPT to a 512 GiB one, linked from that
 * region's entry one level up. A region that maps something but cannot be a
 * single leaf (not all of it mapped, attributes or physical contiguity
 * broken, pa misaligned for its size, or the page size unavailable: 1 GiB
 * without allow_1g, never 512 GiB) must have a table: an empty entry maps
 * nothing, a leaf maps all of the region alike. Distinct regions need
 * distinct tables, so any tree has at least 1 + (number of such regions).
 * That many suffice: a region that can be one leaf has subregions that can
 * too, so the regions needing tables are closed upwards and form a valid
 * tree with leaves everywhere else. Hence the minimum is exactly that count,
 * taken per region size: regions touched by a run, minus those wholly inside
 * one stretch of continuing runs with pa aligned to the region size.
 */
unsigned int pt_min_tables(const struct pt_run *runs, unsigned int n, bool allow_1g)
{
	uint64_t total = 1;

	for (unsigned int i = 0; i < n; i++) {
		const struct pt_run *r = &runs[i];

		if (!r->size || !IS_ALIGNED(r->va | r->pa | r->size, PAGE_SIZE) ||
		    r->va + r->size - 1 < r->va)
			return 0;
		if (i && r->va <= runs[i - 1].va + runs[i - 1].size - 1)
			return 0;
	}

	/* Level 2: 2 MiB regions (a PT each); 3: 1 GiB (a PD); 4: 512 GiB (a PDPT). */
	for (unsigned int level = 2; level <= PT_LEVELS; level++) {
		uint64_t s = pt_level_size(level), touched = 0, whole = 0, prev = 0;
		bool leaf_ok = level == 2 || (level == 3 && allow_1g);

		for (unsigned int i = 0; i < n; i++) {
			uint64_t first = runs[i].va / s, last = (runs[i].va + runs[i].size - 1) / s;

			/* Sorted runs share at most the previous run's last region. */
			if (i && first == prev)
				first++;
			if (last >= first)
				touched += last - first + 1;
			prev = last;
		}
		for (unsigned int i = 0; leaf_ok && i < n;) {
			const struct pt_run *r = &runs[i];
			uint64_t last = r->va + r->size - 1;

			/* Extend over runs that continue this one in va, pa and perm. */
			for (i++; i < n && runs[i].va == last + 1 && runs[i].perm == r->perm &&
				  runs[i].pa - r->pa == runs[i].va - r->va; i++)
				last = runs[i].va + runs[i].size - 1;
			if (IS_ALIGNED(r->pa - r->va, s))
				whole += whole_blocks(r->va, last, s);
		}
		total += touched - whole;
	}
	return total > UINT32_MAX ? UINT32_MAX : (unsigned int)total;
}
