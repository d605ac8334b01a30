/* mm/pagetable.h - 4-level paging structures, building and walking them: the
 * hypervisor's own x86-64 tables (SDM Vol. 3A, 4.5) and EPT (Vol. 3C, 29.3),
 * which share the layout and differ only in their entry bits (struct pt_format). */
#ifndef MM_PAGETABLE_H
#define MM_PAGETABLE_H

#include "lib/compiler.h"
#include "mm/addr.h"

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
	bool sign_extended;             /* addresses are canonical (x86) or zero-extended below 2^48 (EPT) */
	uint64_t (*leaf_bits)(unsigned int perm);
};

extern const struct pt_format pt_format_x86;   /* IA-32e paging, NX needs IA32_EFER.NXE */
extern const struct pt_format pt_format_ept;   /* EPT, 4-level, IPAT clear */

/* Where paging-structure pages come from. Hypervisor: a static pool, then
 * the frame allocator; host tests: malloc. */
struct pt_mem {
	void *(*alloc_table)(void *ctx, hpa_t *pa);   /* zeroed 4 KiB page, NULL if none */
	void *(*table_ptr)(void *ctx, hpa_t pa);      /* pointer to a table by its address */
	void *ctx;
};

struct pagetable {
	const struct pt_format *fmt;
	hpa_t root_pa;                  /* PML4: the value for CR3, or the EPTP's address */
	uint64_t *root;
	bool allow_1g;                  /* CPUID.80000001H:EDX.Page1GB */
	const struct pt_mem *mem;
	unsigned int tables_used;       /* paging-structure pages allocated, root included */
};

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
 */
int __must_check pt_map(struct pagetable *pt, hva_t va, hpa_t pa, uint64_t size, unsigned int perm);

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

#endif
