/* mm/pagetable.c - 4-level paging builder and walker for x86-64 paging
 * (SDM Vol. 3A, 4.5) and EPT (Vol. 3C, 29.3): same layout, other entry bits. */
#include "mm/pagetable.h"

#define PT_LEVELS        4          /* 4 = PML4, 3 = PDPT, 2 = PD, 1 = PT */
#define PT_ENTRIES       512
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
	.sign_extended = true,
	.leaf_bits = x86_leaf_bits,
};

const struct pt_format pt_format_ept = {
	.name = "EPT",
	.present = EPT_R | EPT_W | EPT_X,
	.table_bits = EPT_R | EPT_W | EPT_X,
	.large = EPT_LARGE,
	.addr_mask = PTE_ADDR_MASK,
	.sign_extended = false,
	.leaf_bits = ept_leaf_bits,
};

_Static_assert((PTE_ADDR_MASK & (PTE_P | PTE_W | PTE_U | PTE_PWT | PTE_PCD | PTE_A |
				 PTE_D | PTE_PS | PTE_G | PTE_NX)) == 0,
	       "entry flag bits overlap the address field");
_Static_assert(PAGE_SIZE_1G == PAGE_SIZE << 18 && PAGE_SIZE_2M == PAGE_SIZE << 9,
	       "page sizes are 9 translation bits apart");

/* Bytes mapped by one entry of a table at `level`. */
static inline uint64_t level_size(unsigned int level)
{
	return PAGE_SIZE << (9 * (level - 1));
}

/* The index of va's entry in a table at `level` (Figure 4-8). */
static inline unsigned int level_index(hva_t va, unsigned int level)
{
	return (va >> (PAGE_SHIFT + 9 * (level - 1))) & (PT_ENTRIES - 1);
}

/* x86: bits 63:47 all equal (4.5, canonical addressing); EPT: a 48-bit
 * guest-physical address (4-level EPT translates bits 47:0). */
static inline bool va_valid(const struct pagetable *pt, hva_t va)
{
	int64_t sva = (int64_t)va;

	if (!pt->fmt->sign_extended)
		return va >> PT_VA_BITS == 0;
	return (sva >> (PT_VA_BITS - 1)) == 0 || (sva >> (PT_VA_BITS - 1)) == -1;
}

static inline bool entry_present(const struct pagetable *pt, uint64_t e)
{
	return e & pt->fmt->present;
}

/* A present entry maps a page directly if it is a PTE or has PS set; PS is
 * only defined in PDPTEs and PDEs (Tables 4-16, 4-18, 29-2, 29-4). */
static inline bool entry_is_leaf(const struct pagetable *pt, uint64_t e, unsigned int level)
{
	return level == 1 || ((level == 2 || level == 3) && (e & pt->fmt->large));
}

static inline uint64_t *table_at(const struct pagetable *pt, uint64_t entry)
{
	return pt->mem->table_ptr(pt->mem->ctx, entry & pt->fmt->addr_mask);
}

/* Allocates an empty 4 KiB table and returns its entry-ready address. */
static uint64_t *new_table(struct pagetable *pt, hpa_t *pa)
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
	return chunk == level_size(level) && IS_ALIGNED(pa, level_size(level));
}

/*
 * Maps [va, va+size), which lies inside the region covered by `table` at
 * `level`. A new table is linked in only once it is allocated and zeroed,
 * so running out of memory part way leaves a valid, partially filled tree.
 */
static int map_level(struct pagetable *pt, uint64_t *table, unsigned int level,
		     hva_t va, hpa_t pa, uint64_t size, uint64_t bits)
{
	uint64_t span = level_size(level);

	while (size) {
		uint64_t *e = &table[level_index(va, level)];
		uint64_t chunk = span - (va & (span - 1));
		uint64_t *next;
		int ret;

		if (chunk > size)
			chunk = size;

		if (entry_present(pt, *e)) {
			/* First mapping wins: an existing leaf stays as it is. */
			if (entry_is_leaf(pt, *e, level))
				goto advance;
			next = table_at(pt, *e);
		} else if (can_leaf(pt, level, pa, chunk)) {
			*e = pa | bits | (level > 1 ? pt->fmt->large : 0);
			goto advance;
		} else {
			hpa_t tpa;

			next = new_table(pt, &tpa);
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
	pt->root = new_table(pt, &pt->root_pa);
	return pt->root ? 0 : -ENOMEM;
}

/* Maps [va, va+size) to [pa, pa+size) with the largest fitting pages, keeping
 * whatever is already mapped. Returns 0, -EINVAL (misaligned, empty,
 * non-canonical or wrapping range, pa range beyond 2^52, unknown perm bits)
 * or -ENOMEM. */
int pt_map(struct pagetable *pt, hva_t va, hpa_t pa, uint64_t size, unsigned int perm)
{
	hva_t last = va + size - 1;

	if (!size || !IS_ALIGNED(va | pa | size, PAGE_SIZE) || (perm & ~PT_PERM_MASK))
		return -EINVAL;
	if (last < va || !va_valid(pt, va) || !va_valid(pt, last))
		return -EINVAL;
	/* Both ends canonical but in different halves: the range spans the hole. */
	if ((int64_t)va >= 0 && (int64_t)last < 0)
		return -EINVAL;
	if (pa >= PT_PA_LIMIT || size > PT_PA_LIMIT - pa)
		return -EINVAL;

	return map_level(pt, pt->root, PT_LEVELS, va, pa, size, pt->fmt->leaf_bits(perm));
}

/* Walks the tables for va. Returns 0 with the leaf in *out, or -ENOENT. */
int pt_lookup(const struct pagetable *pt, hva_t va, struct pt_lookup *out)
{
	const uint64_t *table = pt->root;

	if (!va_valid(pt, va))
		return -ENOENT;

	for (unsigned int level = PT_LEVELS; level >= 1; level--) {
		uint64_t e = table[level_index(va, level)];
		uint64_t span = level_size(level);

		if (!entry_present(pt, e))
			return -ENOENT;
		if (entry_is_leaf(pt, e, level)) {
			/* Bit 12 of a large-page entry is PAT, not address (Table 4-17). */
			out->pa = (e & pt->fmt->addr_mask & ~(span - 1)) | (va & (span - 1));
			out->page_size = span;
			out->entry = e;
			out->level = level;
			return 0;
		}
		table = table_at(pt, e);
	}
	return -ENOENT;     /* not reached: level 1 entries are always leaves */
}

/* Replaces the large leaf *e at `level` by a table of leaves one level down
 * that map the same range with the same bits. */
static int split_leaf(struct pagetable *pt, uint64_t *e, unsigned int level)
{
	uint64_t span = level_size(level - 1);
	uint64_t base = *e & pt->fmt->addr_mask & ~(level_size(level) - 1);
	uint64_t bits = *e & ~pt->fmt->addr_mask;
	uint64_t *t;
	hpa_t tpa;

	t = new_table(pt, &tpa);
	if (!t)
		return -ENOMEM;
	/* A 4 KiB PTE has no PS bit (bit 7 is PAT or ignored there). */
	if (level - 1 == 1)
		bits &= ~pt->fmt->large;
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		t[i] = (base + i * span) | bits;
	*e = tpa | pt->fmt->table_bits;
	return 0;
}

uint64_t *pt_leaf_4k(struct pagetable *pt, hva_t va)
{
	uint64_t *table = pt->root;

	if (!va_valid(pt, va))
		return NULL;
	for (unsigned int level = PT_LEVELS; level > 1; level--) {
		uint64_t *e = &table[level_index(va, level)];

		if (!entry_present(pt, *e))
			return NULL;
		if (entry_is_leaf(pt, *e, level) && split_leaf(pt, e, level))
			return NULL;
		table = table_at(pt, *e);
	}
	return &table[level_index(va, 1)];
}
