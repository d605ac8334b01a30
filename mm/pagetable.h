/* mm/pagetable.h - 4-level paging structures: building, changing and walking
 * the hypervisor's own x86-64 tables (SDM Vol. 3A, 4.5) and EPT (Vol. 3C,
 * 29.3), which share the layout and differ only in their entry bits. */
#ifndef MM_PAGETABLE_H
#define MM_PAGETABLE_H

#include "lib/compiler.h"
#include "lib/addr.h"

typedef uint64_t hva_t;            /* host-virtual address (the hypervisor's own) */

/* Entry bits (SDM Vol. 3A, Table 4-19 .. 4-20). */
#define PTE_P        (1ULL << 0)
#define PTE_W        (1ULL << 1)
#define PTE_U        (1ULL << 2)
#define PTE_PWT      (1ULL << 3)
#define PTE_PCD      (1ULL << 4)
#define PTE_A        (1ULL << 5)
#define PTE_D        (1ULL << 6)
#define PTE_PS       (1ULL << 7)    /* in PDPTE/PDE: maps a 1 GiB / 2 MiB page */
#define PTE_G        (1ULL << 8)
#define PTE_NX       (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

/* EPT entry bits (SDM Vol. 3C, Table 29-1 .. 29-6). */
#define EPT_R        (1ULL << 0)
#define EPT_W        (1ULL << 1)
#define EPT_X        (1ULL << 2)
#define EPT_MT_SHIFT 3              /* leaf: memory type, bits 5:3 */
#define EPT_IPAT     (1ULL << 6)
#define EPT_LARGE    (1ULL << 7)
#define EPT_A        (1ULL << 8)
#define EPT_D        (1ULL << 9)

/* Memory types (SDM Vol. 3A, Table 12-8 / Vol. 3C 29.3.7). */
#define MT_UC 0u
#define MT_WC 1u
#define MT_WT 4u
#define MT_WP 5u
#define MT_WB 6u

/* Mapping permissions for pt_map(); the format turns them into entry bits. */
#define PT_READ      0u             /* every present mapping is readable */
#define PT_WRITE     (1u << 0)
#define PT_EXEC      (1u << 1)
#define PT_UNCACHED  (1u << 2)      /* x86: PCD|PWT, for MMIO; EPT: memory type UC */
#define PT_MT_SHIFT  8              /* EPT: memory type (MT_*) unless PT_UNCACHED */
#define PT_MT(t)     ((unsigned int)(t) << PT_MT_SHIFT)
#define PT_PERM_MASK (PT_WRITE | PT_EXEC | PT_UNCACHED | PT_MT(7))

/* The entry encoding of one kind of paging structure. */
struct pt_format {
	const char *name;
	uint64_t present;               /* any of these bits set: the entry maps something */
	uint64_t table_bits;            /* bits of an entry that points to a table */
	uint64_t large;                 /* PS: a PDPTE/PDE that maps a page */
	uint64_t addr_mask;             /* address bits of an entry */
	uint64_t accessed_dirty;        /* A/D bits the CPU sets in leaves (ignored when merging) */
	bool sign_extended;             /* addresses are canonical (x86) or zero-extended below 2^48 (EPT) */
	uint64_t (*leaf_bits)(unsigned int perm);
};

extern const struct pt_format pt_format_x86;   /* IA-32e paging, NX needs IA32_EFER.NXE */
extern const struct pt_format pt_format_ept;   /* EPT, 4-level, IPAT clear */

/* Where paging-structure pages come from and go back to. Hypervisor: a
 * static pool, then the frame allocator; EPT: the frame allocator; host
 * tests: malloc. */
struct pt_mem {
	void *(*alloc_table)(void *ctx, hpa_t *pa);   /* zeroed 4 KiB page, NULL if none */
	void *(*table_ptr)(void *ctx, hpa_t pa);      /* pointer to a table by its address */
	void (*free_table)(void *ctx, hpa_t pa);      /* NULL: tables are never freed (see pt_unmap) */
	void *ctx;
};

struct pagetable {
	const struct pt_format *fmt;
	hpa_t root_pa;                  /* PML4: the value for CR3, or the EPTP's address */
	uint64_t *root;
	bool allow_1g;                  /* CPUID.80000001H:EDX.Page1GB */
	const struct pt_mem *mem;
	unsigned int tables_used;       /* table pages allocated and not freed, root included */
};

#define PT_LEVELS    4              /* 4 = PML4, 3 = PDPT, 2 = PD, 1 = PT */
#define PT_ENTRIES   512

/* Bytes mapped by one entry of a table at `level`. */
static inline uint64_t pt_level_size(unsigned int level)
{
	return PAGE_SIZE << (9 * (level - 1));
}

/* The index of va's entry in a table at `level` (Figure 4-8). */
static inline unsigned int pt_level_index(hva_t va, unsigned int level)
{
	return (va >> (PAGE_SHIFT + 9 * (level - 1))) & (PT_ENTRIES - 1);
}

/* Whether entry e maps a page or points to a table. */
static inline bool pt_entry_present(const struct pagetable *pt, uint64_t e)
{
	return e & pt->fmt->present;
}

/* Whether present entry e of a table at `level` maps a page: every PTE, a
 * PDPTE or PDE with PS; PS is defined nowhere else (Tables 4-14..4-19, 29-1..29-6). */
static inline bool pt_entry_is_leaf(const struct pagetable *pt, uint64_t e, unsigned int level)
{
	return level == 1 || ((level == 2 || level == 3) && (e & pt->fmt->large));
}

/* The table that non-leaf entry e points to. */
static inline uint64_t *pt_entry_table(const struct pagetable *pt, uint64_t e)
{
	return pt->mem->table_ptr(pt->mem->ctx, e & pt->fmt->addr_mask);
}

/* Allocates an empty PML4 for tables of format fmt. Returns 0 or -ENOMEM. */
int __must_check pt_init(struct pagetable *pt, const struct pt_format *fmt,
			 const struct pt_mem *mem, bool allow_1g);

/*
 * Maps [va, va+size) to [pa, pa+size) with `perm` (PT_* bits), using the
 * largest pages (1 GiB if allowed, 2 MiB, 4 KiB) that va/pa alignment and
 * the extent allow. Parts already mapped are left as they are ("first mapping
 * wins"): an existing table is descended into rather than replaced by a large
 * page, and an existing leaf is kept. va, pa and size must be 4 KiB-aligned,
 * va canonical. Returns 0, -EINVAL, or -ENOMEM (tables already installed stay).
 *
 * Into a range emptied by pt_unmap() it builds what it would build in a fresh
 * tree, except inside tables that survived the unmap (shared with mappings
 * outside the range, or kept empty without free_table), which it descends
 * into instead of installing a large page: pt_merge() removes that
 * difference. Changing a range is pt_unmap(), pt_map(), pt_merge().
 */
int __must_check pt_map(struct pagetable *pt, hva_t va, hpa_t pa, uint64_t size, unsigned int perm);

/*
 * Removes every mapping in [va, va+size) (4 KiB-aligned, checked as for
 * pt_map(); holes in it are fine). A 1 GiB or 2 MiB page partly inside is
 * split only as far as its edge needs (1 GiB into 2 MiB pages, then just the
 * 2 MiB page at the edge into 4 KiB pages), the parts outside keeping their
 * bits. Tables left without a present entry are freed and their entry
 * cleared, never the root; without mem->free_table they stay linked, empty,
 * and later pt_map() calls reuse them. Returns 0, -EINVAL, or -ENOMEM when a
 * split found no table page: then nothing was unmapped and with free_table
 * the tree is exactly as before (splits already made are undone); without
 * it, edges may remain split into smaller pages with the same addresses and
 * bits. Freed tables may be reused at once, so no CPU may run on these tables
 * until the caller has invalidated (INVLPG/INVEPT; paging-structure caches
 * may hold the freed tables, SDM Vol. 3A 4.10.3, Vol. 3C 29.4).
 */
int __must_check pt_unmap(struct pagetable *pt, hva_t va, uint64_t size);

/*
 * Coalesces bottom-up the tables that cover [va, va+size): a PT or PD whose
 * 512 entries are present leaves mapping one contiguous physical range
 * aligned to the parent entry's size, all with the same bits apart from
 * A/D (ORed into the result), becomes one 2 MiB page (1 GiB only if
 * allow_1g) and is freed; a table with no present entry is freed and its
 * entry cleared. Translations do not change. Nothing happens without
 * mem->free_table. Returns the number of tables freed, or -EINVAL for a
 * range pt_map() would refuse. Invalidate as after pt_unmap().
 */
int pt_merge(struct pagetable *pt, hva_t va, uint64_t size);

/* Result of translating one address. */
struct pt_lookup {
	hpa_t pa;                       /* translated address */
	uint64_t page_size;             /* 4 KiB, 2 MiB or 1 GiB */
	uint64_t entry;                 /* the leaf entry */
	unsigned int level;             /* 1 = PTE, 2 = PDE, 3 = PDPTE */
};

/* Translates va. Returns 0, or -ENOENT if not mapped (out untouched). */
int __must_check pt_lookup(const struct pagetable *pt, hva_t va, struct pt_lookup *out);

/*
 * Returns the 4 KiB leaf entry that maps va, first splitting a 1 GiB or
 * 2 MiB page that covers it into pages of the next size with the same
 * bits (so nothing else changes). NULL if va is not mapped or a table could
 * not be allocated. The caller invalidates TLBs after changing the entry.
 */
uint64_t *pt_leaf_4k(struct pagetable *pt, hva_t va);

/* A walk through the tables for one address, one entry per level, as the
 * CPU walks them (Vol. 3A 4.5, Vol. 3C 29.3.2). */
struct pt_walk {
	const struct pagetable *pt;     /* the tables walked */
	hva_t va;                       /* the address being translated */
	unsigned int level;             /* current level: 4 = PML4 ... 1 = PT */
	uint64_t *entry;                /* the entry at this level for va */
	hpa_t table_pa;                 /* physical address of the table holding it */
	bool done;                      /* past the leaf, a non-present entry, or level 1 */
};

/* Starts a walk for va at its PML4 entry; for an address the tables cannot
 * translate (x86: non-canonical, EPT: beyond 48 bits) the walk visits nothing. */
void pt_walk_begin(struct pt_walk *w, const struct pagetable *pt, hva_t va);

/* Whether w is at an entry to visit. */
bool pt_walk_ok(const struct pt_walk *w);

/* Steps to va's entry in the next table, or ends the walk after a leaf or a
 * non-present entry. It reads the current entry now, so the loop body may
 * split the leaf it visits and the walk continues into the new table. */
void pt_walk_next(struct pt_walk *w);

/* Visits the entries for va from the root down to and including the leaf or
 * the first non-present entry. */
#define for_each_pt_entry(w, pt, va) \
	for (pt_walk_begin(&(w), (pt), (va)); pt_walk_ok(&(w)); pt_walk_next(&(w)))

/* What a tree holds, counted by walking all of it. */
struct pt_stats {
	unsigned int leaves[4];         /* [1] 4 KiB, [2] 2 MiB, [3] 1 GiB pages; [0] is 0 */
	unsigned int tables;            /* table pages reachable from the root, root included */
	uint64_t mapped;                /* bytes mapped */
};

/* Fills *out for pt; out->tables equals pt->tables_used unless a table leaked. */
void pt_stats(const struct pagetable *pt, struct pt_stats *out);

/* [va, va+size) mapped to [pa, pa+size) with one set of attributes. */
struct pt_run {
	uint64_t va;                    /* start, 4 KiB-aligned */
	uint64_t pa;                    /* what va maps to, 4 KiB-aligned */
	uint64_t size;                  /* bytes, a non-zero multiple of 4 KiB */
	unsigned int perm;              /* PT_* bits: runs with equal perm have equal attributes */
};

/*
 * Returns the fewest table pages (root included) that any 4-level tree
 * needs to map exactly these runs (sorted by va, not overlapping), with or
 * without 1 GiB pages, counted without building a tree so that it can check
 * a builder: 1 with no runs, 0 if the runs are misaligned, empty, wrapping,
 * unsorted or overlapping; UINT32_MAX if the count does not fit.
 */
unsigned int pt_min_tables(const struct pt_run *runs, unsigned int n, bool allow_1g);

/* For mm/pagetable.c and mm/pagetable_edit.c only: a zeroed table counted
 * in tables_used (NULL if none), and the range check of pt_map(). */
uint64_t *pt_table_alloc(struct pagetable *pt, hpa_t *pa);
int pt_check_range(const struct pagetable *pt, hva_t va, uint64_t size);

#endif
