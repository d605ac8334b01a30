/* mm/pagetable_edit.c - changing built paging structures: splitting large
 * pages, unmapping, merging pages back and freeing tables (SDM Vol. 3A,
 * 4.5 and 4.10.4; EPT Vol. 3C, 29.3 and 29.4.3). */
#include "mm/pagetable.h"

#define EDGE_SPLITS  2              /* per edge: a 1 GiB page, then a 2 MiB page */

/* Splits made by pt_unmap() so far, to undo them if a later one fails. */
struct split_log {
	unsigned int n;                 /* entries used */
	uint64_t *entry[2 * EDGE_SPLITS];   /* the entry that was split (now a table entry) */
	uint64_t old[2 * EDGE_SPLITS];      /* its value before: the large leaf */
};

/* Gives a table page back and stops counting it; its entry must already be
 * cleared or replaced, so nothing in the tree points to it any more. */
static void release_table(struct pagetable *pt, hpa_t pa)
{
	pt->mem->free_table(pt->mem->ctx, pa);
	pt->tables_used--;
}

/* Replaces the large leaf *e at `level` by a table of leaves one level down
 * that map the same range with the same bits. */
static int split_leaf(struct pagetable *pt, uint64_t *e, unsigned int level)
{
	uint64_t span = pt_level_size(level - 1);
	uint64_t base = *e & pt->fmt->addr_mask & ~(pt_level_size(level) - 1);
	uint64_t bits = *e & ~pt->fmt->addr_mask;
	uint64_t *t;
	hpa_t tpa;

	t = pt_table_alloc(pt, &tpa);
	if (!t)
		return -ENOMEM;
	/* A 4 KiB PTE has no PS bit (bit 7 is PAT or ignored there). */
	if (level - 1 == 1)
		bits &= ~pt->fmt->large;
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		t[i] = (base + i * span) | bits;
	/* Filled before it is linked: a walker never sees a half-built table. */
	*e = tpa | pt->fmt->table_bits;
	return 0;
}

uint64_t *pt_leaf_4k(struct pagetable *pt, hva_t va)
{
	struct pt_walk w;

	/* The walk re-reads each entry, so it descends into a table just split. */
	for_each_pt_entry(w, pt, va) {
		if (w.level == 1)
			return w.entry;
		if (pt_entry_present(pt, *w.entry) && pt_entry_is_leaf(pt, *w.entry, w.level) &&
		    split_leaf(pt, w.entry, w.level))
			return NULL;
	}
	return NULL;
}

/* Splits the large pages that straddle boundary b until none does: at most a
 * 1 GiB page into 2 MiB pages and the 2 MiB page at b into 4 KiB pages. */
static int split_edge(struct pagetable *pt, hva_t b, struct split_log *log)
{
	struct pt_walk w;

	/* No page is larger than 1 GiB, so none straddles a 1 GiB line; this
	 * also covers b = 2^47 or a wrapped 0 for a range at the very top. */
	if (IS_ALIGNED(b, PAGE_SIZE_1G))
		return 0;
	for_each_pt_entry(w, pt, b) {
		uint64_t old = *w.entry;

		if (w.level == 1 || !pt_entry_present(pt, old) || !pt_entry_is_leaf(pt, old, w.level))
			continue;
		if (IS_ALIGNED(b, pt_level_size(w.level)))
			break;
		if (split_leaf(pt, w.entry, w.level))
			return -ENOMEM;
		log->entry[log->n] = w.entry;
		log->old[log->n++] = old;
	}
	return 0;
}

static bool table_empty(const struct pagetable *pt, const uint64_t *t)
{
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		if (pt_entry_present(pt, t[i]))
			return false;
	return true;
}

/* Clears [va, va+size) inside the region of `table` at `level`. No leaf lies
 * partly inside (split_edge saw to that), so this cannot fail. */
static void clear_level(struct pagetable *pt, uint64_t *table, unsigned int level,
			hva_t va, uint64_t size)
{
	uint64_t span = pt_level_size(level);

	while (size) {
		uint64_t *e = &table[pt_level_index(va, level)];
		uint64_t chunk = MIN(span - (va & (span - 1)), size);

		if (pt_entry_present(pt, *e)) {
			if (pt_entry_is_leaf(pt, *e, level)) {
				*e = 0;
			} else {
				uint64_t *next = pt_entry_table(pt, *e);

				clear_level(pt, next, level - 1, va, chunk);
				/* A table wholly inside is empty now; others are checked. */
				if (pt->mem->free_table && (chunk == span || table_empty(pt, next))) {
					hpa_t tpa = *e & pt->fmt->addr_mask;

					*e = 0;
					release_table(pt, tpa);
				}
			}
		}
		/* At the top of the address space va wraps to 0 as size hits 0. */
		va += chunk;
		size -= chunk;
	}
}

/* Edges first, clearing second: only the splits can fail, and until all of
 * them succeeded nothing is unmapped. */
int pt_unmap(struct pagetable *pt, hva_t va, uint64_t size)
{
	struct split_log log = { .n = 0 };
	int ret;

	if (pt_check_range(pt, va, size))
		return -EINVAL;
	ret = split_edge(pt, va, &log);
	if (!ret)
		ret = split_edge(pt, va + size, &log);
	if (ret) {
		/* Without free_table the split tables cannot go back: they stay,
		 * mapping exactly what the large pages did. */
		while (pt->mem->free_table && log.n) {
			uint64_t *e = log.entry[--log.n];
			hpa_t tpa = *e & pt->fmt->addr_mask;

			*e = log.old[log.n];
			release_table(pt, tpa);
		}
		return ret;
	}
	clear_level(pt, pt->root, PT_LEVELS, va, size);
	return 0;
}

/*
 * The large leaf for `level` that maps what table t (one level down) maps,
 * or 0 if there is none: all 512 entries present leaves, physically
 * contiguous from an address aligned to the new page, same bits apart from
 * A/D. For 2 MiB children bits 20:12 are not address but PAT (x86, Table
 * 4-17) or reserved, so they take part in the comparison and are kept.
 */
static uint64_t merged_leaf(const struct pagetable *pt, const uint64_t *t, unsigned int level)
{
	const struct pt_format *f = pt->fmt;
	uint64_t span = pt_level_size(level - 1);
	uint64_t amask = f->addr_mask & ~(span - 1);
	uint64_t base = t[0] & amask;
	uint64_t bits = t[0] & ~amask & ~f->accessed_dirty;
	uint64_t ad = 0;

	if (!IS_ALIGNED(base, pt_level_size(level)))
		return 0;
	/* PTE bit 7 is PAT on x86 (a large page keeps PAT in bit 12) and
	 * ignored in EPT; split_leaf never sets it, and a leaf with it set is
	 * left alone rather than guessed at. */
	if (level - 1 == 1 && (bits & f->large))
		return 0;
	for (unsigned int i = 0; i < PT_ENTRIES; i++) {
		uint64_t e = t[i];

		if (!pt_entry_present(pt, e) || !pt_entry_is_leaf(pt, e, level - 1))
			return 0;
		if ((e & amask) != base + i * span || (e & ~amask & ~f->accessed_dirty) != bits)
			return 0;
		/* Keep "accessed" and "dirty" if any part was: never lose a D bit. */
		ad |= e & f->accessed_dirty;
	}
	return base | bits | ad | f->large;
}

/* Merges within the region of `table` at `level` (bottom-up: the children's
 * tables first), returning the number of tables freed. */
static int merge_level(struct pagetable *pt, uint64_t *table, unsigned int level,
		       hva_t va, uint64_t size)
{
	uint64_t span = pt_level_size(level);
	int freed = 0;

	while (size) {
		uint64_t *e = &table[pt_level_index(va, level)];
		uint64_t chunk = MIN(span - (va & (span - 1)), size);

		if (pt_entry_present(pt, *e) && !pt_entry_is_leaf(pt, *e, level)) {
			uint64_t *next = pt_entry_table(pt, *e);
			hpa_t tpa = *e & pt->fmt->addr_mask;
			uint64_t leaf = 0;

			if (level - 1 > 1)
				freed += merge_level(pt, next, level - 1, va, chunk);
			/* No 512 GiB pages; 1 GiB pages only where the CPU has them. */
			if (level == 2 || (level == 3 && pt->allow_1g))
				leaf = merged_leaf(pt, next, level);
			if (leaf || table_empty(pt, next)) {
				*e = leaf;
				release_table(pt, tpa);
				freed++;
			}
		}
		va += chunk;
		size -= chunk;
	}
	return freed;
}

int pt_merge(struct pagetable *pt, hva_t va, uint64_t size)
{
	if (pt_check_range(pt, va, size))
		return -EINVAL;
	/* Tables that cannot be freed cannot be merged away either. */
	if (!pt->mem->free_table)
		return 0;
	return merge_level(pt, pt->root, PT_LEVELS, va, size);
}
