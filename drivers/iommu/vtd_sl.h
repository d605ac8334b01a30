/* drivers/iommu/vtd_sl.h - VT-d second-level paging structures (Intel VT-d
 * spec rev 5.0, 3.6 "Second-Stage Translation", 9.8 "Second-Level Paging
 * Entries"): 3-, 4- or 5-level tables translating DMA addresses, built as an
 * identity map, with 2 MiB / 1 GiB pages only where the unit supports them
 * (CAP.SLLPS). Pure: tables come through struct pt_mem.
 *
 * Sharing the EPT's tables instead (ACRN does): the formats agree where it
 * matters, R and W in bits 0 and 1, PS in bit 7, the address in bits 51:12;
 * the EPT's X (bit 2), memory type (5:3) and IPAT (6) fall on SL bits that a
 * legacy-mode context entry ignores (X, EMT, IPAT are used only with
 * scalable-mode PASID entries), the EPT's A/D (8, 9) on SL bits ignored without
 * SLADE, and SL's SNP (bit 11) is ignored by the EPT. Sharing needs a unit
 * with 4-level SAGAW (the EPT is 4-level), SLLPS covering every page size the
 * EPT uses, MGAW reaching every address the EPT maps, and coherent walks
 * (ECAP.C; the EPT code does not flush its writes from the caches), and it
 * exposes what the EPT maps that DMA should not reach (pass-through MMIO,
 * the read-only ROM pages at the hypervisor's addresses). This step builds
 * separate tables (vtd_sl_layout.h says what they map); pointing a context
 * entry at the EPT root where the conditions hold is a later option.
 */
#ifndef DRIVERS_IOMMU_VTD_SL_H
#define DRIVERS_IOMMU_VTD_SL_H

#include "mm/pagetable.h"
#include "drivers/iommu/vtd_caps.h"

/* Second-level entry bits (9.8, Table 9-xx "SL-PML5E" .. "SL-PTE"). */
#define VTD_SL_R        (1ULL << 0)
#define VTD_SL_W        (1ULL << 1)
#define VTD_SL_PS       (1ULL << 7)     /* SL-PDPE / SL-PDE: maps a 1 GiB / 2 MiB page */
#define VTD_SL_SNP      (1ULL << 11)    /* leaf: snoop forced (only with ECAP.SC; reserved otherwise) */
#define VTD_SL_ADDR_MASK 0x000ffffffffff000ULL

#define VTD_SL_MIN_LEVELS 3             /* 39-bit AGAW */
#define VTD_SL_MAX_LEVELS 5             /* 57-bit AGAW */

/* The address width (AGAW) that levels of tables translate: 39, 48 or 57 bits. */
static inline unsigned int vtd_sl_width(unsigned int levels) { return 12 + 9 * levels; }

/*
 * The fewest levels (3..5) that the unit supports (CAP.SAGAW) and that
 * reach addresses of `bits` bits; 0 if none does.
 */
unsigned int vtd_sl_levels_for(uint64_t cap, unsigned int bits);

/* How one unit's tables are made. */
struct vtd_sl_format {
	unsigned int levels;            /* 3, 4 or 5 */
	bool page_2m, page_1g;          /* CAP.SLLPS: superpages the unit walks */
	bool snoop;                     /* set SNP in leaves (ECAP.SC) */
};

/* The format for a unit with these CAP/ECAP values and levels. */
struct vtd_sl_format vtd_sl_format_from_caps(uint64_t cap, uint64_t ecap, unsigned int levels);

struct vtd_sl {
	struct vtd_sl_format fmt;
	const struct pt_mem *mem;       /* where table pages come from (free_table unused) */
	hpa_t root_pa;                  /* the SL-PML5/PML4/PDPT: SLPTPTR of the context entries */
	uint64_t *root;
	unsigned int tables_used;       /* table pages allocated, root included */
};

/* Allocates the root. Returns 0, -EINVAL (levels not 3..5), or -ENOMEM. */
int __must_check vtd_sl_init(struct vtd_sl *sl, const struct pt_mem *mem, const struct vtd_sl_format *fmt);

/*
 * Maps [iova, iova + size) to [pa, pa + size), readable, writable if write,
 * with the largest pages the format allows and alignment permits. Parts
 * already mapped are left as they are. All 4 KiB aligned, below 2^width.
 * Returns 0, -EINVAL, or -ENOMEM (what was installed stays).
 */
int __must_check vtd_sl_map(struct vtd_sl *sl, uint64_t iova, hpa_t pa, uint64_t size, bool write);

/* Maps each run (pt_run: va = DMA address, PT_WRITE in perm) as vtd_sl_map. */
int __must_check vtd_sl_map_runs(struct vtd_sl *sl, const struct pt_run *runs, unsigned int n);

struct vtd_sl_lookup {
	hpa_t pa;
	uint64_t page_size;             /* 4 KiB, 2 MiB or 1 GiB */
	uint64_t entry;                 /* the leaf */
};

/* Translates iova as the unit would. 0, or -ENOENT (not present or beyond the width). */
int __must_check vtd_sl_lookup(const struct vtd_sl *sl, uint64_t iova, struct vtd_sl_lookup *out);

/* Counted by walking the tree: leaves[1..3] = 4K/2M/1G pages, tables, bytes mapped. */
void vtd_sl_stats(const struct vtd_sl *sl, struct pt_stats *out);

/*
 * The fewest table pages (root included) that tables of this format need
 * for these runs (sorted, disjoint, 4 KiB aligned, identity or not), counted
 * without building: 0 for bad runs, UINT32_MAX if it does not fit.
 */
unsigned int vtd_sl_min_tables(const struct pt_run *runs, unsigned int n, const struct vtd_sl_format *fmt);

#endif
