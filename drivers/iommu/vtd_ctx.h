/* drivers/iommu/vtd_ctx.h - VT-d root and context tables in legacy mode
 * (VT-d spec rev 5.0, 3.4.2, 9.1 root entry, 9.3 context entry): which
 * second-level tables translate each device's DMA (bus from the root
 * table, device and function from the context table). Pure.
 *
 * Every device the hypervisor does not use belongs to the guest, so all of
 * them share one domain: a single context table with its 256 entries alike,
 * named by all 256 root entries (two pages per unit, and every bus in any
 * unit's scope is covered, whatever bridges the guest renumbers). Devices
 * of separate domains later get context tables of their own.
 */
#ifndef DRIVERS_IOMMU_VTD_CTX_H
#define DRIVERS_IOMMU_VTD_CTX_H

#include "drivers/iommu/vtd_sl.h"

#define VTD_ROOT_P        (1ULL << 0)   /* root entry, low 64 bits: context table present */
#define VTD_CTX_P         (1ULL << 0)   /* context entry, low: present */
#define VTD_CTX_FPD       (1ULL << 1)   /* low: fault processing disabled (never set: faults are reported) */
#define VTD_CTX_TT_SHIFT  2             /* low bits 3:2: translation type */
#define VTD_CTX_TT_UNTRANSLATED 0       /* 00: untranslated requests through the SL tables; ATS blocked */
#define VTD_CTX_AW_MASK   7ULL          /* high bits 2:0: address width, 1/2/3 = 3/4/5 levels */
#define VTD_CTX_DID_SHIFT 8             /* high bits 23:8: domain ID */
#define VTD_ADDR_MASK     0x000ffffffffff000ULL

/* A 128-bit root or context entry as it lies in memory. */
struct vtd_entry128 { uint64_t lo, hi; };
_Static_assert(sizeof(struct vtd_entry128) == 16, "root and context entries are 128 bits");

struct vtd_ctx {
	hpa_t root_pa;                  /* for RTADDR_REG (legacy mode: TTM 00) */
	hpa_t ctx_pa;                   /* the one context table */
	unsigned int tables_used;       /* 2 */
};

/*
 * Builds a root table and one context table that put every device in
 * domain did (1..65535; 0 is refused: with CAP.CM it tags not-present
 * entries, 6.2.2) translated by sl (its root and levels, TT 00). Returns
 * 0, -EINVAL, or -ENOMEM.
 */
int __must_check vtd_ctx_build(struct vtd_ctx *c, const struct pt_mem *mem, const struct vtd_sl *sl, uint16_t did);

/* What the unit would find for bus:devfn under root table root_pa: 0 with
 * the context entry in *out, or -ENOENT (root or context entry not present). */
int __must_check vtd_ctx_lookup(const struct pt_mem *mem, hpa_t root_pa, uint8_t bus, uint8_t devfn,
				struct vtd_entry128 *out);

#endif
