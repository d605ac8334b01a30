/* guest/policy/cpuid_table.h - the guest's CPUID answers computed once per
 * virtual CPU, on its own CPU (per-CPU values such as the APIC IDs of
 * leaves 1, 0BH and 1FH are that CPU's), so that a CPUID exit is a lookup
 * rather than a CPUID of the hypervisor's (up to ~1,700 cycles natively, an
 * exit of its own under nested virtualization). Pure. */
#ifndef GUEST_CPUID_TABLE_H
#define GUEST_CPUID_TABLE_H

#include "guest/policy/cpuid_policy.h"

#define CPUID_TABLE_MAX 64

struct cpuid_entry {
	uint32_t leaf, subleaf;
	struct cpuid_result r;          /* the policy's answer for a guest CR4 of 0 */
};

/* Leaves looked up by index (cpuid_table_direct): basic leaves 0..31 and
 * extended leaves 0x80000000..0x8000001f, interleaved (cpuid_direct_index). */
#define CPUID_DIRECT_N 64

struct cpuid_table {
	unsigned int n;                 /* entries; 0: not built (or refused): ask the CPU */
	/* The entry in e of each leaf in the two ranges whose answer depends
	 * on neither ECX nor CR4 (every leaf in e but 1 and those with kept
	 * subleaves); NULL: look it up (cpuid_table_lookup). */
	const struct cpuid_entry *direct[CPUID_DIRECT_N];
	struct cpuid_entry e[CPUID_TABLE_MAX];
};

/* The CPU's answer for (leaf, subleaf): the hypervisor's CPUID, or a fake. */
typedef void (*cpuid_fn)(uint32_t leaf, uint32_t subleaf, struct cpuid_result *r);

/*
 * Fills t with the policy's answers (cpuid_policy_apply, features f) for
 * the leaves whose answer depends on nothing but the CPU: the basic leaves
 * up to the CPU's maximum and the extended leaves up to 0x80000008 that do
 * not depend on ECX, subleaves 0..n of leaves 4, 7, 0BH and 1FH, and the
 * hypervisor's leaves. Leaf 0DH (its sizes follow XCR0) and everything else
 * stay out: looked up, they miss.
 */
void cpuid_table_build(struct cpuid_table *t, const struct guest_features *f, cpuid_fn cpu);

/* Empties t (no entry, nothing indexed): a table refused or not built,
 * for which every lookup misses and the CPU is asked. */
void cpuid_table_clear(struct cpuid_table *t);

/* The entry of a leaf that direct[] indexes (its answer for every subleaf
 * and CR4), NULL for any other leaf: the fast exit path's lookup, a few
 * instructions instead of cpuid_table_lookup's search. */
/* The leaf rotated left by one: basic leaf k is 2k, extended leaf
 * 0x80000000 + k is 2k + 1, and every other leaf is CPUID_DIRECT_N or more
 * (a set bit among 30..5 lands among 31..6); one rotate and one compare. */
static inline unsigned int cpuid_direct_index(uint32_t leaf)
{
	return (leaf << 1) | (leaf >> 31);
}

static inline const struct cpuid_entry *cpuid_table_direct(const struct cpuid_table *t, uint32_t leaf)
{
	unsigned int i = cpuid_direct_index(leaf);

	return i < CPUID_DIRECT_N ? t->direct[i] : NULL;
}

#define CPUID_CR4_OSXSAVE (1ULL << 18)
#define CPUID_CR4_PKE     (1ULL << 22)

/* Leaves whose answer depends on ECX, and how many subleaves are kept. */
static inline unsigned int cpuid_subleaves_kept(uint32_t leaf)
{
	switch (leaf) {
	case 4:   return 8;             /* deterministic cache parameters */
	case 7:   return 3;             /* structured extended features */
	case 0xb: return 4;             /* extended topology */
	case 0x1f: return 6;            /* V2 extended topology */
	default:  return 0;
	}
}

/*
 * The guest's answer for (leaf, subleaf) with guest CR4 value cr4 (only
 * consulted for leaves 1 and 7, whose OSXSAVE and OSPKE bits follow it:
 * read_cr4 is called for those only). False: not in the table. Inline: the
 * fast exit path's (vmx/fast_exit.c).
 */
static inline bool cpuid_table_lookup(const struct cpuid_table *t, uint32_t leaf, uint32_t subleaf,
				      uint64_t (*read_cr4)(void *ctx), void *ctx, struct cpuid_result *r)
{
	/* A leaf that does not depend on ECX answers every subleaf alike. */
	uint32_t sub = cpuid_subleaves_kept(leaf) ? subleaf : 0;

	for (unsigned int i = 0; i < t->n; i++) {
		const struct cpuid_entry *e = &t->e[i];

		if (e->leaf != leaf || e->subleaf != sub)
			continue;
		*r = e->r;
		if (leaf == 1 || (leaf == 7 && sub == 0)) {
			uint64_t cr4 = read_cr4(ctx);

			if (leaf == 1 && (cr4 & CPUID_CR4_OSXSAVE))
				r->ecx |= 1u << 27;     /* CPUID.1:ECX.OSXSAVE */
			if (leaf == 7 && (cr4 & CPUID_CR4_PKE))
				r->ecx |= 1u << 4;      /* CPUID.(7,0):ECX.OSPKE */
		}
		return true;
	}
	return false;
}

#endif
