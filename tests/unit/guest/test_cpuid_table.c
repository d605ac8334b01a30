/* tests/unit/guest/test_cpuid_table.c - the per-vCPU CPUID table gives what
 * the CPU's answer through the policy gives, for every leaf it holds. */
#include "tests/unit/check.h"
#include "guest/policy/cpuid_table.h"
#include "guest/hypercall_abi.h"

/* A fake CPU: max basic leaf 0x1f, extended 0x80000008; every answer made
 * from leaf and subleaf, with ECX[7:0] echoing the subleaf like leaf 0BH. */
static void fake_cpu(uint32_t leaf, uint32_t sub, struct cpuid_result *r)
{
	if (leaf == 0) {
		*r = (struct cpuid_result){ 0x1f, 0x756e6547, 0x6c65746e, 0x49656e69 };
		return;
	}
	if (leaf == 0x80000000) {
		*r = (struct cpuid_result){ 0x80000008, 0, 0, 0 };
		return;
	}
	*r = (struct cpuid_result){ leaf * 3 + sub, ~leaf, 0xffffffffu ^ sub, leaf << 8 | sub };
}

/* A CPU with basic leaves up to 2 and no extended ones. */
static void small_cpu(uint32_t leaf, uint32_t sub, struct cpuid_result *r)
{
	if (leaf == 0 || leaf == 0x80000000) {
		*r = (struct cpuid_result){ leaf ? 0x80000000 : 2, 0, 0, 0 };
		return;
	}
	fake_cpu(leaf, sub, r);
}

static uint64_t cr4_val;
static unsigned int cr4_reads;

static uint64_t read_cr4(void *ctx)
{
	(void)ctx;
	cr4_reads++;
	return cr4_val;
}

static void expected(const struct guest_features *f, uint32_t leaf, uint32_t sub, uint64_t cr4,
		     struct cpuid_result *r)
{
	*r = (struct cpuid_result){ 0, 0, 0, 0 };
	if (!cpuid_is_hypervisor_leaf(leaf))
		fake_cpu(leaf, sub, r);
	cpuid_policy_apply(leaf, sub, f, cr4, r);
}

TEST(every_entry_matches_the_policy_on_the_cpu)
{
	static struct cpuid_table t;
	struct guest_features f = { 0 };
	static const uint64_t cr4s[] = { 0, 1ULL << 18, 1ULL << 22, 1ULL << 18 | 1ULL << 22 };

	cpuid_table_build(&t, &f, fake_cpu);
	CHECK(t.n > 30 && t.n <= CPUID_TABLE_MAX);
	for (unsigned int i = 0; i < t.n; i++)
		for (unsigned int c = 0; c < 4; c++) {
			struct cpuid_result a, b;

			cr4_val = cr4s[c];
			CHECK(cpuid_table_lookup(&t, t.e[i].leaf, t.e[i].subleaf, read_cr4, NULL, &a));
			expected(&f, t.e[i].leaf, t.e[i].subleaf, cr4s[c], &b);
			CHECK(!memcmp(&a, &b, sizeof(a)));
		}
}

TEST(leaves_without_subleaves_answer_any_ecx)
{
	static struct cpuid_table t;
	struct guest_features f = { 0 };
	struct cpuid_result a, b;

	cpuid_table_build(&t, &f, fake_cpu);
	cr4_val = 0;
	/* The fake CPU's leaf 2 would differ by ECX: a real one ignores it,
	 * so the table answers subleaf 0's. */
	CHECK(cpuid_table_lookup(&t, 2, 5, read_cr4, NULL, &a));
	expected(&f, 2, 0, 0, &b);
	CHECK(!memcmp(&a, &b, sizeof(a)));
}

/* cpuid_table_direct: for every leaf in its two ranges either the same
 * entry the search finds for every subleaf and CR4, or NULL; NULL for
 * leaf 1 (CR4), the subleaf leaves and every leaf outside the ranges. */
TEST(direct_lookup_agrees_with_the_search)
{
	static struct cpuid_table t;
	struct guest_features f = { 0 };
	static const uint32_t bases[] = { 0, 0x80000000u };
	unsigned int hits = 0;

	cpuid_table_build(&t, &f, fake_cpu);
	for (unsigned int b = 0; b < 2; b++)
		for (uint32_t i = 0; i < CPUID_DIRECT_N / 2 + 4; i++) {
			uint32_t leaf = bases[b] + i;
			const struct cpuid_entry *e = cpuid_table_direct(&t, leaf);

			if (!e)
				continue;
			hits++;
			CHECK(i < CPUID_DIRECT_N / 2);
			CHECK(leaf != 1 && !cpuid_subleaves_kept(leaf));
			CHECK_EQ(e->leaf, leaf);
			for (unsigned int c = 0; c < 2; c++)
				for (uint32_t sub = 0; sub < 3; sub++) {
					struct cpuid_result a;

					cr4_val = c ? (1ULL << 18 | 1ULL << 22) : 0;
					CHECK(cpuid_table_lookup(&t, leaf, sub, read_cr4, NULL, &a));
					CHECK(!memcmp(&a, &e->r, sizeof(a)));
				}
		}
	CHECK(hits > 10);
	CHECK(cpuid_table_direct(&t, 0) != NULL);
	CHECK(cpuid_table_direct(&t, 0x80000000u) != NULL);
	CHECK(cpuid_table_direct(&t, 1) == NULL);
	CHECK(cpuid_table_direct(&t, 4) == NULL);
	CHECK(cpuid_table_direct(&t, 7) == NULL);
	CHECK(cpuid_table_direct(&t, 0xd) == NULL);               /* not kept */
	CHECK(cpuid_table_direct(&t, HV_CPUID_LEAF_BASE) == NULL);
	CHECK(cpuid_table_direct(&t, 0xc0000000u) == NULL);
	CHECK(cpuid_table_direct(&t, 0xffffffffu) == NULL);
	CHECK(cpuid_table_direct(&t, 0x20) == NULL);
	CHECK(cpuid_table_direct(&t, 0x7fffffffu) == NULL);
	CHECK(cpuid_table_direct(&t, 0x7fffffe0u) == NULL);     /* no wrap onto leaf 0 */
	CHECK(cpuid_table_direct(&t, 0x7fffffe2u) == NULL);
	CHECK(cpuid_table_direct(&t, 0x7ffffffeu) == NULL);
	CHECK(cpuid_table_direct(&t, 0x80000020u) == NULL);
	/* A rebuild for a CPU with fewer leaves forgets the old indices. */
	CHECK(cpuid_table_direct(&t, 0x15) != NULL);
	cpuid_table_build(&t, &f, small_cpu);
	CHECK(cpuid_table_direct(&t, 0) == &t.e[0]);
	CHECK(cpuid_table_direct(&t, 2) != NULL);
	CHECK(cpuid_table_direct(&t, 0x15) == NULL);
	CHECK(cpuid_table_direct(&t, 0x80000001u) == NULL);
	/* A refused table answers nothing, by index or search. */
	cpuid_table_build(&t, &f, fake_cpu);
	cpuid_table_clear(&t);
	cr4_val = 0;
	for (uint32_t leaf = 0; leaf < CPUID_DIRECT_N / 2; leaf++) {
		struct cpuid_result a;

		CHECK(cpuid_table_direct(&t, leaf) == NULL);
		CHECK(cpuid_table_direct(&t, 0x80000000u + leaf) == NULL);
		CHECK(!cpuid_table_lookup(&t, leaf, 0, read_cr4, NULL, &a));
	}
}

/* The index is below CPUID_DIRECT_N exactly for the two ranges, and one
 * leaf per index. */
TEST(direct_index_covers_exactly_the_two_ranges)
{
	static const uint32_t starts[] = { 0, 0x3fffff00u, 0x7ffffc00u, 0x80000000u, 0xbfffff00u, 0xfffffc00u };
	bool seen[CPUID_DIRECT_N] = { false };
	uint32_t x = 12345;

	for (unsigned int s = 0; s < 6; s++)
		for (uint32_t k = 0; k < 0x400; k++) {
			uint32_t leaf = starts[s] + k;
			unsigned int i = cpuid_direct_index(leaf);
			bool in = leaf < 32 || leaf - 0x80000000u < 32;

			CHECK_EQ(i < CPUID_DIRECT_N, in);
			if (in) {
				CHECK(!seen[i]);
				seen[i] = true;
			}
		}
	for (unsigned int i = 0; i < CPUID_DIRECT_N; i++)
		CHECK(seen[i]);
	for (unsigned int n = 0; n < 100000; n++) {     /* and elsewhere */
		x = x * 1103515245u + 12345u;
		CHECK_EQ(cpuid_direct_index(x) < CPUID_DIRECT_N, x < 32 || x - 0x80000000u < 32);
	}
}

TEST(what_it_does_not_hold_misses)
{
	static struct cpuid_table t;
	struct guest_features f = { 0 };
	struct cpuid_result a;

	cpuid_table_build(&t, &f, fake_cpu);
	CHECK(!cpuid_table_lookup(&t, 0xd, 0, read_cr4, NULL, &a));       /* follows XCR0 */
	CHECK(!cpuid_table_lookup(&t, 0xd, 1, read_cr4, NULL, &a));
	CHECK(!cpuid_table_lookup(&t, 4, 8, read_cr4, NULL, &a));         /* past the kept subleaves */
	CHECK(!cpuid_table_lookup(&t, 0x20, 0, read_cr4, NULL, &a));      /* past the maximum */
	CHECK(!cpuid_table_lookup(&t, 0x80000009, 0, read_cr4, NULL, &a));
	CHECK(!cpuid_table_lookup(&t, 0x40000002, 0, read_cr4, NULL, &a));
	CHECK(cpuid_table_lookup(&t, HV_CPUID_LEAF_BASE, 0, read_cr4, NULL, &a));
	CHECK_EQ(a.eax, HV_CPUID_MAX_LEAF);
}

TEST(cr4_read_only_for_leaves_1_and_7)
{
	static struct cpuid_table t;
	struct guest_features f = { 0 };
	struct cpuid_result a;

	cpuid_table_build(&t, &f, fake_cpu);
	cr4_reads = 0;
	CHECK(cpuid_table_lookup(&t, 0, 0, read_cr4, NULL, &a));
	CHECK(cpuid_table_lookup(&t, 0xb, 1, read_cr4, NULL, &a));
	CHECK_EQ(cr4_reads, 0);
	CHECK(cpuid_table_lookup(&t, 1, 0, read_cr4, NULL, &a));
	CHECK_EQ(cr4_reads, 1);
}
