/* mm/pagetable.h - x86-64 4-level paging structures for the hypervisor's own
 * address space (SDM Vol. 3A, 4.5): building mappings and walking them. */
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

/* Mapping permissions for pt_map(); the builder turns them into entry bits. */
#define PT_READ      0u             /* every present mapping is readable */
#define PT_WRITE     (1u << 0)
#define PT_EXEC      (1u << 1)
#define PT_UNCACHED  (1u << 2)      /* PCD|PWT: for MMIO */

/* Where paging-structure pages come from. Hypervisor: a static pool, then
 * the frame allocator; host tests: malloc. */
struct pt_mem {
	void *(*alloc_table)(void *ctx, hpa_t *pa);   /* zeroed 4 KiB page, NULL if none */
	void *(*table_ptr)(void *ctx, hpa_t pa);      /* pointer to a table by its address */
	void *ctx;
};

struct pagetable {
	hpa_t root_pa;                  /* PML4, the value for CR3 */
	uint64_t *root;
	bool allow_1g;                  /* CPUID.80000001H:EDX.Page1GB */
	const struct pt_mem *mem;
	unsigned int tables_used;       /* paging-structure pages allocated, root included */
};

/* Allocates an empty PML4. Returns 0 or -ENOMEM. */
int __must_check pt_init(struct pagetable *pt, const struct pt_mem *mem, bool allow_1g);

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

#endif
