/* mm/mtrr.c - MTRR memory-type calculator (SDM Vol. 3A, 12.11.2 and 12.11.4.1). */
#include "mm/mtrr.h"

#define MTRRCAP_VCNT       0xffULL         /* 12.11.1: number of variable ranges */
#define MTRRCAP_FIX        (1ULL << 8)     /* fixed-range MTRRs supported */
#define DEF_TYPE_TYPE      0xffULL         /* 12.11.2.1 */
#define DEF_TYPE_FE        (1ULL << 10)
#define DEF_TYPE_E         (1ULL << 11)
#define PHYSBASE_TYPE      0xffULL         /* 12.11.2.3 */
#define PHYSMASK_V         (1ULL << 11)

#define MTRR_FIXED_MSRS    11
#define FIXED_END          0x100000ULL     /* the fixed ranges cover [0, 1 MiB) */
#define DEFAULT_PHYS_BITS  36              /* MAXPHYADDR without CPUID.80000008H */
#define NO_CHANGE          UINT64_MAX      /* "no boundary below 2^64" */

_Static_assert(MTRR_FIXED_COUNT == MTRR_FIXED_MSRS * 8, "eight fixed ranges per MSR");

/* MAXPHYADDR as the masks see it: the state may have been filled by hand, so
 * 0 means the architectural 36 and anything past 52 (the architectural limit)
 * is clamped rather than shifted out of range. */
static unsigned int phys_bits_of(unsigned int bits)
{
	if (bits == 0)
		return DEFAULT_PHYS_BITS;
	return MIN(MAX(bits, 12u), 52u);
}

void mtrr_state_from_msrs(struct mtrr_state *s, uint64_t cap, uint64_t def_type,
			  const uint64_t fixed_msrs[11], const uint64_t *var_base_mask_pairs, unsigned int phys_bits)
{
	bool has_fixed = (cap & MTRRCAP_FIX) && fixed_msrs;

	*s = (struct mtrr_state){
		.enabled = def_type & DEF_TYPE_E,
		.fixed_enabled = has_fixed && (def_type & DEF_TYPE_FE),
		.default_type = (uint8_t)(def_type & DEF_TYPE_TYPE),
		.var_count = var_base_mask_pairs ? MIN((unsigned int)(cap & MTRRCAP_VCNT), MTRR_MAX_VAR) : 0,
		.phys_bits = phys_bits_of(phys_bits),
	};
	/* 12.11.2.2: byte k of each fixed MSR is its k-th sub-range, lowest address first. */
	for (unsigned int i = 0; has_fixed && i < MTRR_FIXED_COUNT; i++)
		s->fixed[i] = (uint8_t)(fixed_msrs[i / 8] >> (8 * (i % 8)));
	for (unsigned int n = 0; n < s->var_count; n++) {
		s->var[n].base = var_base_mask_pairs[2 * n];
		s->var[n].mask = var_base_mask_pairs[2 * n + 1];
	}
}

/* Index into fixed[] of pa < 1 MiB (Table 12-9): 8 x 64 KiB, 16 x 16 KiB, 64 x 4 KiB. */
static unsigned int fixed_index(uint64_t pa)
{
	if (pa < 0x80000)
		return (unsigned int)(pa >> 16);
	if (pa < 0xc0000)
		return 8 + (unsigned int)((pa - 0x80000) >> 14);
	return 24 + (unsigned int)((pa - 0xc0000) >> 12);
}

/* End (exclusive) of the fixed sub-range holding pa < 1 MiB. */
static uint64_t fixed_granule_end(uint64_t pa)
{
	uint64_t g = pa < 0x80000 ? 0x10000 : pa < 0xc0000 ? 0x4000 : 0x1000;

	return ALIGN_DOWN(pa, g) + g;
}

static unsigned int var_count_of(const struct mtrr_state *s)
{
	return MIN(s->var_count, MTRR_MAX_VAR);
}

/* The compared bits of variable range n: PhysMask over [MAXPHYADDR-1:12] (Figure
 * 12-8); the valid bit, reserved bits and bits past MAXPHYADDR take no part,
 * so an address beyond MAXPHYADDR matches as its alias below 2^MAXPHYADDR does. */
static uint64_t var_mask(const struct mtrr_state *s, unsigned int n)
{
	uint64_t addr = ((1ULL << phys_bits_of(s->phys_bits)) - 1) & ~0xfffULL;

	return s->var[n].mask & addr;
}

static bool var_valid(const struct mtrr_state *s, unsigned int n)
{
	return s->var[n].mask & PHYSMASK_V;
}

static bool var_match(const struct mtrr_state *s, unsigned int n, uint64_t pa)
{
	uint64_t m = var_mask(s, n);

	return (pa & m) == (s->var[n].base & m);
}

uint8_t mtrr_type(const struct mtrr_state *s, uint64_t pa)
{
	bool matched = false, same = true, any_uc = false, wt_wb_only = true;
	uint8_t first = 0;

	if (!s->enabled)
		return MT_UC;
	if (s->fixed_enabled && pa < FIXED_END)
		return s->fixed[fixed_index(pa)];
	for (unsigned int n = 0; n < var_count_of(s); n++) {
		uint8_t t = (uint8_t)(s->var[n].base & PHYSBASE_TYPE);

		if (!var_valid(s, n) || !var_match(s, n, pa))
			continue;
		if (!matched)
			first = t;
		matched = true;
		same = same && t == first;
		any_uc = any_uc || t == MT_UC;
		wt_wb_only = wt_wb_only && (t == MT_WT || t == MT_WB);
	}
	if (!matched)
		return s->default_type;
	if (same)
		return first;
	if (any_uc)
		return MT_UC;
	if (wt_wb_only)
		return MT_WT;
	return MT_UC;   /* 12.11.4.1 2e: undefined; UC is the safe reading */
}

/* Smallest y >= t with (y & m) == b (b a subset of m), or NO_CHANGE if none
 * below 2^64. y is b plus a choice of the free bits ~m, and y grows with that
 * choice, so only the highest fixed bit where b and t differ matters. */
static uint64_t next_with_bits(uint64_t t, uint64_t m, uint64_t b)
{
	uint64_t d = (b ^ t) & m, above, free_above, z;
	unsigned int h;

	if (!d)
		return t;
	h = 63 - (unsigned int)__builtin_clzll(d);
	above = h == 63 ? 0 : ~((2ULL << h) - 1);
	if (b & (1ULL << h))            /* keep t's free bits above h, zero below */
		return (t & ~m & above) | b;
	/* b is 0 where t has 1: the free bits above h must count up by one. */
	free_above = ~m & above;
	z = ((t | ~free_above) + 1) & free_above;
	return z ? z | b : NO_CHANGE;
}

/* First address above pa where variable range n starts or stops matching, or
 * NO_CHANGE. Exact for any mask, contiguous or not: on a match, bit k (the
 * lowest mask bit) flips at the end of the 2^k block holding pa, so the match
 * ends there; off a match, the next match is the next address whose mask bits
 * equal the base's. Non-contiguous masks simply give many short steps. */
static uint64_t var_next_change(const struct mtrr_state *s, unsigned int n, uint64_t pa)
{
	uint64_t m = var_mask(s, n), b = s->var[n].base & m, low, end;

	if (!m)
		return NO_CHANGE;       /* an empty mask matches everything */
	if ((pa & m) == b) {
		low = m & -m;
		end = ALIGN_DOWN(pa, low) + low;
		return end ? end : NO_CHANGE;
	}
	return pa == UINT64_MAX ? NO_CHANGE : next_with_bits(pa + 1, m, b);
}

/* First address above pa where any input of mtrr_type(pa) may change: a fixed
 * sub-range boundary, or a variable range's matching edge. */
static uint64_t next_change(const struct mtrr_state *s, uint64_t pa)
{
	uint64_t next = NO_CHANGE;

	if (!s->enabled)
		return NO_CHANGE;
	if (s->fixed_enabled && pa < FIXED_END)
		return fixed_granule_end(pa);   /* the last one ends at 1 MiB */
	for (unsigned int n = 0; n < var_count_of(s); n++)
		if (var_valid(s, n))
			next = MIN(next, var_next_change(s, n, pa));
	return next;
}

uint8_t mtrr_type_run(const struct mtrr_state *s, uint64_t start, uint64_t end, uint64_t *run_end)
{
	uint8_t t = mtrr_type(s, start);
	uint64_t pa = start;

	/* Each step lands on a candidate boundary; stop at the first whose type
	 * differs, so the run is exact and maximal. Steps are at least 4 KiB, and
	 * contiguous ranges give at most two per range in each 2^MAXPHYADDR. */
	while (pa < end) {
		uint64_t next = next_change(s, pa);

		if (next >= end) {
			pa = end;
			break;
		}
		pa = next;
		if (mtrr_type(s, pa) != t)
			break;
	}
	*run_end = pa;
	return t;
}

const char *mtrr_type_name(uint8_t t)
{
	switch (t) {
	case MT_UC: return "UC";
	case MT_WC: return "WC";
	case MT_WT: return "WT";
	case MT_WP: return "WP";
	case MT_WB: return "WB";
	default:    return "?";
	}
}
