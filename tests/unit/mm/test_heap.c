/* tests/unit/mm/test_heap.c - the heap over malloc'd regions, in plain and debug mode. */
#include "tests/unit/check.h"
#include "mm/heap.h"

/* What the heap reported through on_error. */
struct errlog {
	int calls;
	enum heap_error err;
	const void *ptr;
};

static void log_error(void *ctx, enum heap_error err, const void *ptr)
{
	struct errlog *log = ctx;

	log->calls++;
	log->err = err;
	log->ptr = ptr;
}

static void *backing(size_t size)
{
	void *mem = aligned_alloc(64, size);

	CHECK(mem != NULL);
	return mem;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The largest single allocation the heap can satisfy right now. */
static size_t max_alloc(struct heap *h)
{
	size_t lo = 0, hi = h->total;

	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		void *p = heap_alloc(h, mid);

		if (p) {
			CHECK_EQ(heap_free(h, p), HEAP_OK);
			lo = mid;
		} else {
			hi = mid - 1;
		}
	}
	return lo;
}

TEST(init_rejects_small_regions)
{
	struct heap h;
	char *mem = backing(4096);

	CHECK_EQ(heap_init(&h, NULL, 4096, false, NULL, NULL), -EINVAL);
	CHECK_EQ(heap_init(&h, mem, 64, false, NULL, NULL), -EINVAL);
	CHECK(heap_alloc(&h, 1) == NULL);                /* failed init: a dead heap */
	CHECK_EQ(heap_add_region(&h, mem, 4096), -EINVAL);
	CHECK_EQ(heap_init(&h, mem + 3, 4093, false, NULL, NULL), 0);
	CHECK(h.total <= 4093 && h.total >= 4000);
	CHECK_EQ(h.used, 0);
	free(mem);
}

TEST(alloc_free_reuse)
{
	struct heap h;
	char *mem = backing(64 * KiB);
	char *a, *b, *c;

	CHECK_EQ(heap_init(&h, mem, 64 * KiB, false, NULL, NULL), 0);
	CHECK(heap_alloc(&h, 0) == NULL);
	CHECK(heap_alloc(&h, SIZE_MAX) == NULL);
	CHECK_EQ(heap_free(&h, NULL), HEAP_OK);
	a = heap_alloc(&h, 100);
	b = heap_alloc(&h, 100);
	CHECK(a && b && a != b);
	CHECK(a + 100 <= b || b + 100 <= a);
	CHECK(h.used >= 200);
	memset(a, 0x11, 100);
	memset(b, 0x22, 100);
	CHECK_EQ(heap_free(&h, a), HEAP_OK);
	c = heap_alloc(&h, 100);
	CHECK(c == a);                                   /* the hole is reused */
	CHECK_EQ(b[0], 0x22);
	CHECK_EQ(heap_free(&h, b), HEAP_OK);
	CHECK_EQ(heap_free(&h, c), HEAP_OK);
	CHECK_EQ(h.used, 0);
	CHECK_EQ(heap_check(&h), HEAP_OK);
	free(mem);
}

TEST(alignment_of_many_sizes)
{
	for (int debug = 0; debug < 2; debug++) {
		struct heap h;
		char *mem = backing(1 * MiB);
		void *ps[300];

		CHECK_EQ(heap_init(&h, mem, 1 * MiB, debug, NULL, NULL), 0);
		for (size_t n = 1; n <= 300; n++) {
			ps[n - 1] = heap_alloc(&h, n * (n % 7 ? 1 : 13));
			CHECK(ps[n - 1] != NULL);
			CHECK(((uintptr_t)ps[n - 1] & (HEAP_ALIGN - 1)) == 0);
			memset(ps[n - 1], (int)n, n * (n % 7 ? 1 : 13));
		}
		CHECK_EQ(heap_check(&h), HEAP_OK);
		for (size_t n = 1; n <= 300; n += 2)
			CHECK_EQ(heap_free(&h, ps[n - 1]), HEAP_OK);
		for (size_t n = 2; n <= 300; n += 2)
			CHECK_EQ(heap_free(&h, ps[n - 1]), HEAP_OK);
		CHECK_EQ(h.used, 0);
		CHECK_EQ(heap_check(&h), HEAP_OK);
		free(mem);
	}
}

TEST(exhaustion_then_room_after_free)
{
	struct heap h;
	char *mem = backing(4096);
	void *ps[128];
	int n = 0;

	CHECK_EQ(heap_init(&h, mem, 4096, false, NULL, NULL), 0);
	while (n < 128 && (ps[n] = heap_alloc(&h, 64)) != NULL)
		n++;
	CHECK(n > 10 && n < 128);
	CHECK(heap_alloc(&h, 64) == NULL);
	CHECK_EQ(heap_free(&h, ps[n / 2]), HEAP_OK);
	ps[n / 2] = heap_alloc(&h, 64);
	CHECK(ps[n / 2] != NULL);
	free(mem);
}

TEST(free_coalesces_neighbours)
{
	for (int debug = 0; debug < 2; debug++) {
		struct heap h;
		char *mem = backing(16 * KiB);
		size_t whole;
		void *a, *b, *c, *d;

		CHECK_EQ(heap_init(&h, mem, 16 * KiB, debug, NULL, NULL), 0);
		whole = max_alloc(&h);
		CHECK(whole > 15 * KiB);
		a = heap_alloc(&h, whole / 4);
		b = heap_alloc(&h, whole / 4);
		c = heap_alloc(&h, whole / 4);
		d = heap_alloc(&h, 16);                  /* keeps C from the tail */
		CHECK(a && b && c && d);
		CHECK_EQ(heap_free(&h, a), HEAP_OK);
		CHECK_EQ(heap_free(&h, c), HEAP_OK);
		CHECK(heap_alloc(&h, whole / 2) == NULL); /* A and C are apart */
		CHECK_EQ(heap_free(&h, b), HEAP_OK);     /* joins A, B and C */
		a = heap_alloc(&h, 3 * (whole / 4));
		CHECK(a != NULL);
		CHECK_EQ(heap_free(&h, a), HEAP_OK);
		CHECK_EQ(heap_free(&h, d), HEAP_OK);
		CHECK_EQ(max_alloc(&h), whole);
		a = heap_alloc(&h, whole);
		CHECK(a != NULL);
		CHECK_EQ(heap_free(&h, a), HEAP_OK);
		CHECK_EQ(heap_check(&h), HEAP_OK);
		free(mem);
	}
}

TEST(add_region_extends_heap)
{
	struct heap h;
	char *m1 = backing(2 * KiB), *m2 = backing(64 * KiB);
	size_t total1;
	char *p;

	CHECK_EQ(heap_init(&h, m1, 2 * KiB, true, NULL, NULL), 0);
	total1 = h.total;
	CHECK(heap_alloc(&h, 8 * KiB) == NULL);
	CHECK_EQ(heap_add_region(&h, m1 + 512, 1 * KiB), -EINVAL); /* overlaps */
	CHECK_EQ(heap_add_region(&h, m2, 32), -EINVAL);            /* too small */
	CHECK_EQ(heap_add_region(&h, m2, 64 * KiB), 0);
	CHECK_EQ(h.total, total1 + 64 * KiB);
	CHECK_EQ(heap_add_region(&h, m2 + 100, 100), -EINVAL);
	p = heap_alloc(&h, 8 * KiB);
	CHECK(p >= m2 && p + 8 * KiB <= m2 + 64 * KiB);
	memset(p, 0x5a, 8 * KiB);
	CHECK_EQ(heap_check(&h), HEAP_OK);
	CHECK_EQ(heap_free(&h, p), HEAP_OK);
	CHECK_EQ(heap_check(&h), HEAP_OK);
	CHECK_EQ(h.used, 0);
	free(m1);
	free(m2);
}

TEST(calloc_zeroes_and_checks_overflow)
{
	struct heap h;
	char *mem = backing(16 * KiB);
	unsigned char *p;
	int nonzero = 0;

	CHECK_EQ(heap_init(&h, mem, 16 * KiB, false, NULL, NULL), 0);
	p = heap_alloc(&h, 1000);
	memset(p, 0xff, 1000);
	CHECK_EQ(heap_free(&h, p), HEAP_OK);
	p = heap_calloc(&h, 100, 10);
	CHECK(p != NULL);
	for (int i = 0; p && i < 1000; i++)
		nonzero += p[i] != 0;
	CHECK_EQ(nonzero, 0);
	CHECK(heap_calloc(&h, SIZE_MAX / 2, 3) == NULL);
	CHECK(heap_calloc(&h, (size_t)1 << 33, (size_t)1 << 33) == NULL);
	CHECK(heap_calloc(&h, 0, 16) == NULL);
	CHECK_EQ(heap_free(&h, p), HEAP_OK);
	free(mem);
}

TEST(debug_one_byte_overflow_detected_on_free)
{
	static const size_t sizes[] = { 1, 10, 16, 32, 47, 100 };

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct errlog log = { 0 };
		struct heap h;
		char *mem = backing(8 * KiB), *p, saved;

		CHECK_EQ(heap_init(&h, mem, 8 * KiB, true, log_error, &log), 0);
		p = heap_alloc(&h, sizes[i]);
		memset(p, 'x', sizes[i]);                /* the whole block is fine */
		saved = p[sizes[i]];
		p[sizes[i]] = 'x';                       /* one byte too many */
		CHECK_EQ(heap_free(&h, p), HEAP_ERR_OVERFLOW);
		CHECK_EQ(log.calls, 1);
		CHECK_EQ(log.err, HEAP_ERR_OVERFLOW);
		CHECK(log.ptr == p);
		/* Not freed: still live, still overflowed, freeable once repaired. */
		CHECK_EQ(heap_check(&h), HEAP_ERR_OVERFLOW);
		CHECK_EQ(log.calls, 2);
		p[sizes[i]] = saved;
		CHECK_EQ(heap_free(&h, p), HEAP_OK);
		CHECK_EQ(log.calls, 2);
		CHECK_EQ(h.used, 0);
		free(mem);
	}
}

TEST(double_free_detected)
{
	for (int debug = 0; debug < 2; debug++) {
		struct errlog log = { 0 };
		struct heap h;
		char *mem = backing(8 * KiB);
		void *a, *b, *c;

		CHECK_EQ(heap_init(&h, mem, 8 * KiB, debug, log_error, &log), 0);
		a = heap_alloc(&h, 40);
		b = heap_alloc(&h, 40);
		c = heap_alloc(&h, 40);
		CHECK_EQ(heap_free(&h, b), HEAP_OK);
		CHECK_EQ(heap_free(&h, b), HEAP_ERR_DOUBLE_FREE);
		CHECK(log.calls == 1 && log.err == HEAP_ERR_DOUBLE_FREE && log.ptr == b);
		/* Once b has merged into a's free chunk, freeing it again still is one. */
		CHECK_EQ(heap_free(&h, a), HEAP_OK);
		CHECK_EQ(heap_free(&h, b), HEAP_ERR_DOUBLE_FREE);
		CHECK_EQ(heap_free(&h, a), HEAP_ERR_DOUBLE_FREE);
		CHECK_EQ(log.calls, 3);
		CHECK_EQ(heap_check(&h), HEAP_OK);
		/* The other order: c merges into the free chunk before it. */
		CHECK_EQ(heap_free(&h, c), HEAP_OK);
		CHECK_EQ(heap_free(&h, c), HEAP_ERR_DOUBLE_FREE);
		CHECK_EQ(log.calls, 4);
		CHECK_EQ(h.used, 0);
		CHECK_EQ(heap_check(&h), HEAP_OK);
		free(mem);
	}
}

TEST(debug_bad_pointer_detected)
{
	struct errlog log = { 0 };
	struct heap h;
	char *mem = backing(8 * KiB), *p, *q;
	char outside[32];

	CHECK_EQ(heap_init(&h, mem, 8 * KiB, true, log_error, &log), 0);
	p = heap_alloc(&h, 128);
	q = heap_alloc(&h, 16);
	memset(p, 0, 128);
	CHECK_EQ(heap_free(&h, p + 32), HEAP_ERR_BAD_POINTER);
	CHECK(log.err == HEAP_ERR_BAD_POINTER && log.ptr == p + 32);
	CHECK_EQ(heap_free(&h, p + 1), HEAP_ERR_BAD_POINTER);
	CHECK_EQ(heap_free(&h, outside), HEAP_ERR_BAD_POINTER);
	CHECK(log.ptr == outside);
	CHECK_EQ(heap_free(&h, mem + 8 * KiB + 64), HEAP_ERR_BAD_POINTER);
	CHECK_EQ(log.calls, 4);
	/* A pointer into a free chunk is no block either. */
	CHECK_EQ(heap_free(&h, q + 256), HEAP_ERR_BAD_POINTER);
	CHECK_EQ(heap_check(&h), HEAP_OK);
	CHECK_EQ(heap_free(&h, p), HEAP_OK);
	CHECK_EQ(heap_free(&h, q), HEAP_OK);
	CHECK_EQ(log.calls, 5);
	free(mem);
}

TEST(debug_header_underflow_detected)
{
	struct errlog log = { 0 };
	struct heap h;
	char *mem = backing(8 * KiB), *a, *b, saved;

	CHECK_EQ(heap_init(&h, mem, 8 * KiB, true, log_error, &log), 0);
	a = heap_alloc(&h, 32);
	b = heap_alloc(&h, 32);
	saved = b[-1];
	b[-1] = 0;                                       /* writes before b */
	CHECK_EQ(heap_free(&h, b), HEAP_ERR_UNDERFLOW);
	CHECK(log.calls == 1 && log.ptr == b);
	CHECK_EQ(heap_check(&h), HEAP_ERR_UNDERFLOW);
	CHECK(log.calls == 2 && log.ptr == b);
	b[-1] = saved;
	CHECK_EQ(heap_free(&h, b), HEAP_OK);
	CHECK_EQ(heap_free(&h, a), HEAP_OK);
	CHECK_EQ(heap_check(&h), HEAP_OK);
	free(mem);
}

TEST(debug_check_finds_live_overflow_and_use_after_free)
{
	struct errlog log = { 0 };
	struct heap h;
	char *mem = backing(8 * KiB), *a, *b, *c, saved;

	CHECK_EQ(heap_init(&h, mem, 8 * KiB, true, log_error, &log), 0);
	a = heap_alloc(&h, 24);
	b = heap_alloc(&h, 200);
	c = heap_alloc(&h, 24);
	CHECK_EQ(heap_check(&h), HEAP_OK);
	a[24] ^= 0x55;
	CHECK_EQ(heap_check(&h), HEAP_ERR_OVERFLOW);
	CHECK(log.calls == 1 && log.ptr == a);
	a[24] ^= 0x55;
	CHECK_EQ(heap_check(&h), HEAP_OK);

	CHECK_EQ(heap_free(&h, b), HEAP_OK);
	saved = b[150];
	b[150] = 1;                                      /* write after free */
	CHECK_EQ(heap_check(&h), HEAP_ERR_CORRUPT);
	CHECK(log.calls == 2 && log.ptr == b);
	b[150] = saved;
	CHECK_EQ(heap_check(&h), HEAP_OK);
	CHECK_EQ(heap_free(&h, a), HEAP_OK);
	CHECK_EQ(heap_free(&h, c), HEAP_OK);
	CHECK_EQ(heap_check(&h), HEAP_OK);
	CHECK_EQ(log.calls, 2);
	free(mem);
}

TEST(error_names)
{
	CHECK_STR(heap_error_name(HEAP_ERR_DOUBLE_FREE), "double free");
	CHECK_STR(heap_error_name(HEAP_ERR_OVERFLOW), "overflow");
	CHECK_STR(heap_error_name((enum heap_error)99), "unknown heap error");
}

/* Contents a live block must keep: a function of its slot and generation. */
static uint8_t pattern(int slot, uint32_t gen, size_t i)
{
	return (uint8_t)(slot * 31 + gen * 7 + i);
}

static void stress(bool debug)
{
	enum { SLOTS = 200, ROUNDS = 30000, SIZE = 256 * KiB };
	struct { uint8_t *p; size_t n; uint32_t gen; } live[SLOTS] = { { 0 } };
	struct errlog log = { 0 };
	struct heap h;
	char *m1 = backing(SIZE), *m2 = backing(SIZE / 4);
	uint64_t seed = 0x0123456789abcdefULL;
	size_t whole, nallocs = 0;
	int nlive = 0, failed = 0;

	CHECK_EQ(heap_init(&h, m1, SIZE, debug, log_error, &log), 0);
	CHECK_EQ(heap_add_region(&h, m2, SIZE / 4), 0);
	whole = max_alloc(&h);
	for (uint32_t round = 0; round < ROUNDS && !failed; round++) {
		uint64_t r = rng_next(&seed);
		int s = (int)((r >> 8) % SLOTS);

		if (!live[s].p) {
			size_t n = r & (1 << 20) ? (r >> 32) % 8192 + 1 : (r >> 32) % 256 + 1;
			uint8_t *p = heap_alloc(&h, n);

			if (!p)
				continue;
			CHECK(((uintptr_t)p & (HEAP_ALIGN - 1)) == 0);
			for (int j = 0; j < SLOTS; j++) {
				if (live[j].p && p < live[j].p + live[j].n && live[j].p < p + n) {
					CHECK(!"overlapping blocks");
					failed = 1;
				}
			}
			live[s].p = p;
			live[s].n = n;
			live[s].gen = round;
			for (size_t i = 0; i < n; i++)
				p[i] = pattern(s, round, i);
			nlive++;
			nallocs++;
		} else {
			for (size_t i = 0; i < live[s].n; i++) {
				if (live[s].p[i] != pattern(s, live[s].gen, i)) {
					CHECK(!"block contents changed");
					failed = 1;
					break;
				}
			}
			CHECK_EQ(heap_free(&h, live[s].p), HEAP_OK);
			live[s].p = NULL;
			nlive--;
		}
		if (round % 1000 == 0 && heap_check(&h) != HEAP_OK)
			failed = 1;
	}
	CHECK(nallocs > 1000);
	CHECK_EQ(log.calls, 0);
	CHECK_EQ(heap_check(&h), HEAP_OK);
	for (int s = 0; s < SLOTS; s++)
		if (live[s].p)
			CHECK_EQ(heap_free(&h, live[s].p), HEAP_OK);
	CHECK_EQ(h.used, 0);
	CHECK_EQ(heap_check(&h), HEAP_OK);
	CHECK_EQ(max_alloc(&h), whole);                  /* everything merged back */
	CHECK(!failed);
	free(m1);
	free(m2);
}

TEST(random_stress_plain)
{
	stress(false);
}

TEST(random_stress_debug)
{
	stress(true);
}
