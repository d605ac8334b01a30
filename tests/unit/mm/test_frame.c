/* tests/unit/mm/test_frame.c - the buddy frame allocator on synthetic regions. */
#include "tests/unit/check.h"
#include "mm/frame.h"

#define TBASE  0x1003000ULL             /* deliberately not 2 MiB aligned */
#define TSIZE  (64 * MiB)
#define TFRAMES (TSIZE / PAGE_SIZE)

struct fixture {
	struct frame_alloc fa;
	void *meta;
};

static void setup(struct fixture *f, hpa_t base, uint64_t size)
{
	size_t n = frame_alloc_meta_size(size / PAGE_SIZE);

	f->meta = malloc(n);
	CHECK(f->meta != NULL);
	CHECK_EQ(frame_alloc_init(&f->fa, base, size, f->meta, n), 0);
}

static void teardown(struct fixture *f)
{
	free(f->meta);
}

/* xorshift64: deterministic, so a failure replays. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Allocates every block of `order` until exhaustion; returns how many. */
static uint64_t drain(struct frame_alloc *fa, unsigned int order, hpa_t *out, uint64_t max)
{
	uint64_t n = 0;
	hpa_t pa;

	while ((pa = frame_alloc_order(fa, order)) != INVALID_HPA) {
		CHECK(n < max);
		if (n >= max)
			break;
		out[n++] = pa;
	}
	return n;
}

TEST(init_rejects_bad_arguments)
{
	struct frame_alloc fa;
	static uint64_t meta[64];

	CHECK_EQ(frame_alloc_init(&fa, 0x1001, PAGE_SIZE, meta, sizeof(meta)), -EINVAL);
	CHECK_EQ(frame_alloc_init(&fa, 0x1000, 100, meta, sizeof(meta)), -EINVAL);
	CHECK_EQ(frame_alloc_init(&fa, 0x1000, 0, meta, sizeof(meta)), -EINVAL);
	CHECK_EQ(frame_alloc_init(&fa, 0x1000, 64 * PAGE_SIZE, meta, 8), -EINVAL);
	CHECK_EQ(frame_alloc_init(&fa, 0x1000, PAGE_SIZE, NULL, sizeof(meta)), -EINVAL);
	CHECK_EQ(frame_alloc_init(&fa, ~0ULL - 0xfff, 2 * PAGE_SIZE, meta, sizeof(meta)), -EINVAL);
	CHECK_EQ(frame_alloc_init(&fa, 0, (uint64_t)FRAME_NONE << PAGE_SHIFT, meta, SIZE_MAX),
		 -EINVAL);
	CHECK_EQ(frame_alloc_meta_size((uint64_t)FRAME_NONE), SIZE_MAX);
	CHECK_EQ(frame_alloc_init(&fa, 0x1000, 8 * PAGE_SIZE, meta, sizeof(meta)), 0);
	CHECK_EQ(frame_free_count(&fa), 8);
}

TEST(unaligned_base_blocks_are_aligned)
{
	struct fixture f;
	uint64_t covered = 0;

	setup(&f, TBASE, TSIZE);
	CHECK_EQ(frame_free_count(&f.fa), TFRAMES);
	/* [0x1003000, 0x5003000) holds one 32 MiB block, 0x2000000-0x4000000... */
	CHECK_EQ(frame_largest_free_order(&f.fa), 13);
	/* ...so draining each order from the top must give aligned blocks covering it all. */
	for (int k = FRAME_MAX_ORDER; k >= 0; k--) {
		hpa_t pa;

		while ((pa = frame_alloc_order(&f.fa, (unsigned int)k)) != INVALID_HPA) {
			CHECK(IS_ALIGNED(pa, PAGE_SIZE << k));
			CHECK(pa >= TBASE && pa + (PAGE_SIZE << k) <= TBASE + TSIZE);
			covered += 1ULL << k;
		}
	}
	CHECK_EQ(covered, TFRAMES);
	CHECK_EQ(frame_free_count(&f.fa), 0);
	CHECK_EQ(frame_largest_free_order(&f.fa), -1);
	teardown(&f);
}

TEST(exhaust_single_frames_then_coalesce)
{
	struct fixture f;
	hpa_t *pas = malloc(TFRAMES * sizeof(*pas));
	uint8_t *seen = calloc(TFRAMES, 1);
	uint64_t n;
	int largest;

	setup(&f, TBASE, TSIZE);
	largest = frame_largest_free_order(&f.fa);
	n = drain(&f.fa, 0, pas, TFRAMES);
	CHECK_EQ(n, TFRAMES);
	CHECK_EQ(frame_free_count(&f.fa), 0);
	CHECK(frame_alloc_one(&f.fa) == INVALID_HPA);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t idx = (pas[i] - TBASE) / PAGE_SIZE;

		CHECK(pas[i] >= TBASE && idx < TFRAMES && IS_ALIGNED(pas[i], PAGE_SIZE));
		if (idx < TFRAMES) {
			CHECK(!seen[idx]);
			seen[idx] = 1;
		}
	}
	/* Free in a scattered order: even indices first, then odd. */
	for (uint64_t i = 0; i < n; i += 2)
		CHECK_EQ(frame_free(&f.fa, pas[i], 0), 0);
	for (uint64_t i = 1; i < n; i += 2)
		CHECK_EQ(frame_free(&f.fa, pas[i], 0), 0);
	CHECK_EQ(frame_free_count(&f.fa), TFRAMES);
	CHECK_EQ(frame_largest_free_order(&f.fa), largest);
	/* Fully coalesced: all 31 whole 2 MiB blocks come back. */
	n = drain(&f.fa, 9, pas, TFRAMES);
	CHECK_EQ(n, 31);
	free(seen);
	free(pas);
	teardown(&f);
}

TEST(order9_allocations_are_2m_aligned)
{
	struct fixture f;
	hpa_t pas[64];
	uint64_t n;

	setup(&f, TBASE, TSIZE);
	n = drain(&f.fa, 9, pas, 64);
	/* [0x1003000, 0x5003000) holds 2 MiB blocks from 0x1200000 to 0x4e00000. */
	CHECK_EQ(n, 31);
	for (uint64_t i = 0; i < n; i++)
		CHECK(IS_ALIGNED(pas[i], PAGE_SIZE_2M));
	CHECK_EQ(frame_free_count(&f.fa), TFRAMES - 31 * 512);
	for (uint64_t i = 0; i < n; i++)
		CHECK_EQ(frame_free(&f.fa, pas[i], 9), 0);
	CHECK_EQ(frame_free_count(&f.fa), TFRAMES);
	teardown(&f);
}

TEST(bad_frees_are_rejected)
{
	struct fixture f;
	hpa_t a, b;
	uint64_t before;

	setup(&f, TBASE, TSIZE);
	a = frame_alloc_order(&f.fa, 2);
	b = frame_alloc_one(&f.fa);
	CHECK(a != INVALID_HPA && b != INVALID_HPA);
	before = frame_free_count(&f.fa);

	CHECK_EQ(frame_free(&f.fa, a, 1), -EINVAL);             /* wrong order */
	CHECK_EQ(frame_free(&f.fa, a, 3), -EINVAL);
	CHECK_EQ(frame_free(&f.fa, a + PAGE_SIZE, 0), -EINVAL); /* middle frame */
	CHECK_EQ(frame_free(&f.fa, a + 2 * PAGE_SIZE, 1), -EINVAL);
	CHECK_EQ(frame_free(&f.fa, a + 1, 2), -EINVAL);         /* not page aligned */
	CHECK_EQ(frame_free(&f.fa, TBASE - PAGE_SIZE, 0), -EINVAL);
	CHECK_EQ(frame_free(&f.fa, TBASE + TSIZE, 0), -EINVAL);
	CHECK_EQ(frame_free(&f.fa, 0, 0), -EINVAL);
	CHECK_EQ(frame_free(&f.fa, a, FRAME_MAX_ORDER + 1), -EINVAL);
	CHECK_EQ(frame_free_count(&f.fa), before);

	CHECK_EQ(frame_free(&f.fa, b, 0), 0);
	CHECK_EQ(frame_free(&f.fa, b, 0), -EINVAL);             /* double free */
	CHECK_EQ(frame_free(&f.fa, a, 2), 0);
	CHECK_EQ(frame_free(&f.fa, a, 2), -EINVAL);             /* double free, merged */
	CHECK_EQ(frame_free_count(&f.fa), TFRAMES);
	teardown(&f);
}

TEST(reserve_keeps_frames_out)
{
	struct fixture f;
	hpa_t *pas = malloc(TFRAMES * sizeof(*pas));
	/* Metadata-sized head of the region (not page-multiple) plus a middle range. */
	hpa_t r0 = TBASE, r0_end = TBASE + frame_alloc_meta_size(TFRAMES);
	hpa_t r1 = 0x2345000, r1_end = 0x2545000;
	uint64_t r0_frames = (ALIGN_UP(r0_end, PAGE_SIZE) - r0) / PAGE_SIZE;
	uint64_t n;

	setup(&f, TBASE, TSIZE);
	CHECK_EQ(frame_reserve(&f.fa, r0, r0_end), 0);
	CHECK_EQ(frame_reserve(&f.fa, r1, r1_end), 0);
	CHECK_EQ(frame_free_count(&f.fa), TFRAMES - r0_frames - 0x200);
	/* Overlapping, outside and reversed ranges fail without side effects. */
	CHECK_EQ(frame_reserve(&f.fa, r1 - PAGE_SIZE, r1 + PAGE_SIZE), -EINVAL);
	CHECK_EQ(frame_reserve(&f.fa, TBASE - PAGE_SIZE, TBASE + PAGE_SIZE), -EINVAL);
	CHECK_EQ(frame_reserve(&f.fa, TBASE + TSIZE - PAGE_SIZE, TBASE + TSIZE + 1), -EINVAL);
	CHECK_EQ(frame_reserve(&f.fa, r1_end + PAGE_SIZE, r1_end), -EINVAL);
	CHECK_EQ(frame_free_count(&f.fa), TFRAMES - r0_frames - 0x200);
	/* Reserved frames cannot be freed. */
	CHECK_EQ(frame_free(&f.fa, r0, 0), -EINVAL);
	CHECK_EQ(frame_free(&f.fa, r1, 0), -EINVAL);

	n = drain(&f.fa, 0, pas, TFRAMES);
	CHECK_EQ(n, TFRAMES - r0_frames - 0x200);
	for (uint64_t i = 0; i < n; i++) {
		CHECK(!(pas[i] >= r0 && pas[i] < r0_end));
		CHECK(!(pas[i] >= r1 && pas[i] < r1_end));
	}
	for (uint64_t i = 0; i < n; i++)
		CHECK_EQ(frame_free(&f.fa, pas[i], 0), 0);
	CHECK_EQ(frame_free_count(&f.fa), TFRAMES - r0_frames - 0x200);
	free(pas);
	teardown(&f);
}

TEST(random_stress_against_shadow)
{
	enum { SLOTS = 512, ROUNDS = 200000 };
	struct fixture f;
	struct { hpa_t pa; unsigned int order; } live[SLOTS];
	uint8_t *shadow = calloc(TFRAMES, 1);
	uint64_t seed = 0x9e3779b97f4a7c15ULL, used = 0;
	int nlive = 0;

	setup(&f, TBASE, TSIZE);
	CHECK_EQ(frame_reserve(&f.fa, TBASE, TBASE + frame_alloc_meta_size(TFRAMES)), 0);
	used = TFRAMES - frame_free_count(&f.fa);
	for (int round = 0; round < ROUNDS; round++) {
		uint64_t r = rng_next(&seed);

		if (nlive < SLOTS && (r & 1)) {
			/* Mostly small orders, sometimes up to 10. */
			unsigned int order = (r >> 8) % 4 ? (r >> 16) % 3 : (r >> 16) % 11;
			hpa_t pa = frame_alloc_order(&f.fa, order);

			if (pa == INVALID_HPA)
				continue;
			CHECK(IS_ALIGNED(pa, PAGE_SIZE << order));
			for (uint64_t i = 0; i < (1ULL << order); i++) {
				uint64_t idx = (pa - TBASE) / PAGE_SIZE + i;

				CHECK(idx < TFRAMES);
				if (idx < TFRAMES) {
					CHECK(!shadow[idx]);
					shadow[idx] = 1;
				}
			}
			live[nlive].pa = pa;
			live[nlive++].order = order;
			used += 1ULL << order;
		} else if (nlive) {
			int victim = (int)((r >> 8) % (uint64_t)nlive);
			hpa_t pa = live[victim].pa;
			unsigned int order = live[victim].order;

			CHECK_EQ(frame_free(&f.fa, pa, order), 0);
			for (uint64_t i = 0; i < (1ULL << order); i++)
				shadow[(pa - TBASE) / PAGE_SIZE + i] = 0;
			live[victim] = live[--nlive];
			used -= 1ULL << order;
		}
		if (frame_free_count(&f.fa) != TFRAMES - used) {
			CHECK_EQ(frame_free_count(&f.fa), TFRAMES - used);
			break;
		}
	}
	while (nlive) {
		nlive--;
		CHECK_EQ(frame_free(&f.fa, live[nlive].pa, live[nlive].order), 0);
	}
	CHECK_EQ(frame_free_count(&f.fa), TFRAMES - (ALIGN_UP(frame_alloc_meta_size(TFRAMES),
							  PAGE_SIZE) / PAGE_SIZE));
	CHECK_EQ(frame_largest_free_order(&f.fa), 13);
	free(shadow);
	teardown(&f);
}

TEST(tiny_region_at_high_address)
{
	struct fixture f;
	hpa_t a, b, c, d;

	/* Two frames at hfn 0x7ffffffd/0x7ffffffe: neighbours but not buddies. */
	setup(&f, 0x7ffffffd000ULL, 2 * PAGE_SIZE);
	CHECK_EQ(frame_largest_free_order(&f.fa), 0);
	CHECK(frame_alloc_order(&f.fa, 1) == INVALID_HPA);
	a = frame_alloc_one(&f.fa);
	b = frame_alloc_one(&f.fa);
	c = frame_alloc_one(&f.fa);
	d = frame_alloc_one(&f.fa);
	CHECK(a != INVALID_HPA && b != INVALID_HPA && c == INVALID_HPA && d == INVALID_HPA);
	CHECK(a != b);
	CHECK_EQ(frame_free(&f.fa, a, 0), 0);
	CHECK_EQ(frame_free(&f.fa, b, 0), 0);
	CHECK_EQ(frame_free_count(&f.fa), 2);
	CHECK_EQ(frame_largest_free_order(&f.fa), 0);
	teardown(&f);
}
