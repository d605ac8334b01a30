/* tests/unit/mm/test_mtrr.c - host tests for the MTRR calculator (SDM Vol. 3A, 12.11): the SDM's
 * example, firmware-like layouts, overlaps, odd masks, and runs against a brute-force reference. */
#include "tests/unit/check.h"
#include "mm/mtrr.h"

#define V   0x800ULL                    /* PHYSMASKn.V */
#define E   (1ULL << 11)                /* DEF_TYPE.E */
#define FE  (1ULL << 10)                /* DEF_TYPE.FE */
#define FIX (1ULL << 8)                 /* MTRRCAP.FIX */
#define PAGE 0x1000ULL

static const uint8_t types[] = { MT_UC, MT_WC, MT_WT, MT_WP, MT_WB };

/* A state from MSR values: vcnt pairs (base, mask), fixed MSRs only if given. */
static struct mtrr_state from_msrs(uint64_t def_type, const uint64_t *fixed,
				   const uint64_t *pairs, unsigned int vcnt, unsigned int bits)
{
	struct mtrr_state s;

	mtrr_state_from_msrs(&s, vcnt | (fixed ? FIX : 0), def_type, fixed, pairs, bits);
	return s;
}

/* Appends a contiguous variable range [base, base + size) of type t to s. */
static void add_var(struct mtrr_state *s, uint64_t base, uint64_t size, uint8_t t)
{
	uint64_t addr = ((1ULL << s->phys_bits) - 1) & ~0xfffULL;

	s->var[s->var_count].base = base | t;
	s->var[s->var_count].mask = (~(size - 1) & addr) | V;
	s->var_count++;
}

/* 12.11.4.1 written out independently: bitsets of matched types, Table 12-9 as data. */
static uint8_t ref_type(const struct mtrr_state *s, uint64_t pa)
{
	static const struct { uint64_t base, gran; } fix[11] = {
		{ 0x00000, 0x10000 }, { 0x80000, 0x4000 }, { 0xa0000, 0x4000 },
		{ 0xc0000, 0x1000 }, { 0xc8000, 0x1000 }, { 0xd0000, 0x1000 }, { 0xd8000, 0x1000 },
		{ 0xe0000, 0x1000 }, { 0xe8000, 0x1000 }, { 0xf0000, 0x1000 }, { 0xf8000, 0x1000 },
	};
	uint64_t addr = ((1ULL << s->phys_bits) - 1) & ~0xfffULL;
	unsigned int seen = 0;

	if (!s->enabled)
		return MT_UC;
	for (unsigned int i = 0; s->fixed_enabled && i < 11; i++)
		if (pa >= fix[i].base && pa < fix[i].base + 8 * fix[i].gran)
			return s->fixed[i * 8 + (pa - fix[i].base) / fix[i].gran];
	for (unsigned int n = 0; n < s->var_count; n++)
		if ((s->var[n].mask & V) && !((pa ^ s->var[n].base) & s->var[n].mask & addr))
			seen |= 1u << (s->var[n].base & 7);
	if (!seen)
		return s->default_type;
	if (!(seen & (seen - 1)))
		return (uint8_t)__builtin_ctz(seen);
	if (seen == ((1u << MT_WT) | (1u << MT_WB)))
		return MT_WT;
	return MT_UC;
}

/* Walks [lo, hi) with mtrr_type_run and checks every run against ref_type: the
 * run's start, every stride-th page inside and its last byte have its type,
 * and the byte at its end has another one unless it is hi (maximal). With
 * stride 1 this is the brute-force 4 KiB scan: boundaries must be equal.
 * Returns the number of runs, stopping after max_runs or the first failure. */
static unsigned long check_runs(const struct mtrr_state *s, uint64_t lo, uint64_t hi,
				uint64_t stride, unsigned long max_runs)
{
	unsigned long runs = 0;

	for (uint64_t a = lo, b; a < hi && runs < max_runs; a = b, runs++) {
		uint8_t t = mtrr_type_run(s, a, hi, &b);

		if (b <= a || b > hi || t != ref_type(s, a) || t != ref_type(s, b - 1) ||
		    (b < hi && ref_type(s, b) == t)) {
			CHECK_EQ(a, ~0ULL);     /* prints the run's start */
			CHECK_EQ(b, ~0ULL);
			return runs;
		}
		for (uint64_t p = ALIGN_DOWN(a, PAGE) + stride * PAGE; p < b && p > a; p += stride * PAGE)
			if (ref_type(s, p) != t) {
				CHECK_EQ(p, ~0ULL);
				return runs;
			}
	}
	return runs;
}

/* Checks the runs of [lo, hi) are exactly exp[] (ends and types). */
struct run { uint64_t end; uint8_t type; };
#define CHECK_RUNS(s, lo, hi, exp)                                                \
	do {                                                                      \
		uint64_t a_ = (lo), b_;                                           \
		for (unsigned int k_ = 0; k_ < ARRAY_SIZE(exp); k_++, a_ = b_) { \
			CHECK_EQ(mtrr_type_run((s), a_, (hi), &b_), (exp)[k_].type); \
			CHECK_EQ(b_, (exp)[k_].end);                              \
		}                                                                 \
		CHECK_EQ(a_, (hi));                                               \
	} while (0)

TEST(disabled_is_uc_everywhere)
{
	uint64_t fixed[11], pairs[2] = { MT_WB, 0xf80000000ULL | V }, end;
	struct mtrr_state s;

	memset(fixed, MT_WB, sizeof(fixed));
	s = from_msrs(FE | MT_WB, fixed, pairs, 1, 36);   /* E clear, everything else WB */
	CHECK(!s.enabled);
	CHECK_EQ(mtrr_type(&s, 0), MT_UC);
	CHECK_EQ(mtrr_type(&s, 0x10000000), MT_UC);
	CHECK_EQ(mtrr_type(&s, ~0ULL), MT_UC);
	CHECK_EQ(mtrr_type_run(&s, 0x123, ~0ULL, &end), MT_UC);
	CHECK_EQ(end, ~0ULL);
}

TEST(state_from_msrs)
{
	uint64_t fixed[11] = { 0x0601040400010405ULL }, pairs[2 * 40] = { 0 };
	struct mtrr_state s;

	pairs[2 * 31] = 0xabc000 | MT_WT;
	mtrr_state_from_msrs(&s, 0x5ff | FIX, E | FE | MT_WP, fixed, pairs, 0);
	CHECK(s.enabled && s.fixed_enabled);
	CHECK_EQ(s.default_type, MT_WP);
	CHECK_EQ(s.var_count, MTRR_MAX_VAR);             /* VCNT 255, capped */
	CHECK_EQ(s.var[31].base, 0xabc000 | MT_WT);
	CHECK_EQ(s.phys_bits, 36);                       /* no CPUID.80000008H */
	CHECK_EQ(s.fixed[0], MT_WP);                     /* low byte = lowest range */
	CHECK_EQ(s.fixed[3], MT_UC);
	CHECK_EQ(s.fixed[7], MT_WB);
	mtrr_state_from_msrs(&s, 8, E | FE | MT_WB, fixed, pairs, 46);
	CHECK(!s.fixed_enabled);                         /* MTRRCAP.FIX clear */
	CHECK_EQ(s.var_count, 8);
	CHECK_EQ(s.phys_bits, 46);
	mtrr_state_from_msrs(&s, 8 | FIX, E | MT_WB, fixed, pairs, 46);
	CHECK(!s.fixed_enabled);                         /* DEF_TYPE.FE clear */
}

TEST(fixed_ranges_every_granule)
{
	static const uint64_t gran[11] = { 0x10000, 0x4000, 0x4000, 0x1000, 0x1000, 0x1000,
					   0x1000, 0x1000, 0x1000, 0x1000, 0x1000 };
	uint64_t fixed[11] = { 0 }, pa = 0, end;
	struct mtrr_state s;

	/* Neighbouring granules get different types, so each one is its own run. */
	for (unsigned int i = 0; i < MTRR_FIXED_COUNT; i++)
		fixed[i / 8] |= (uint64_t)types[i % 5] << (8 * (i % 8));
	s = from_msrs(E | FE | MT_UC, fixed, NULL, 0, 36);
	for (unsigned int i = 0; i < MTRR_FIXED_COUNT; i++) {
		uint64_t g = gran[i / 8];

		CHECK_EQ(mtrr_type(&s, pa), types[i % 5]);
		CHECK_EQ(mtrr_type(&s, pa + g - 1), types[i % 5]);
		CHECK_EQ(mtrr_type_run(&s, pa, 2 * MiB, &end), types[i % 5]);
		CHECK_EQ(end, pa + g);
		pa += g;
	}
	CHECK_EQ(pa, 1 * MiB);
	CHECK_EQ(mtrr_type_run(&s, pa, 2 * MiB, &end), MT_UC);   /* default above 1 MiB */
	CHECK_EQ(end, 2 * MiB);
}

TEST(fixed_seabios_layout_and_fe_off)
{
	/* SeaBIOS under QEMU: RAM WB, VGA window UC, option/BIOS ROMs WP; default WB,
	 * var 0 makes the PCI hole [2 GiB, 4 GiB) UC. */
	uint64_t fixed[11] = { 0x0606060606060606ULL, 0x0606060606060606ULL, 0 };
	uint64_t pairs[2] = { 0x80000000ULL | MT_UC, 0xf80000000ULL | V };
	struct mtrr_state s;

	for (unsigned int i = 3; i < 11; i++)
		fixed[i] = 0x0505050505050505ULL;
	s = from_msrs(E | FE | MT_WB, fixed, pairs, 1, 36);
	CHECK_EQ(mtrr_type(&s, 0x0), MT_WB);
	CHECK_EQ(mtrr_type(&s, 0x9ffff), MT_WB);
	CHECK_EQ(mtrr_type(&s, 0xa0000), MT_UC);
	CHECK_EQ(mtrr_type(&s, 0xbffff), MT_UC);
	CHECK_EQ(mtrr_type(&s, 0xc0000), MT_WP);
	CHECK_EQ(mtrr_type(&s, 0xfffff), MT_WP);
	static const struct run exp[] = {
		{ 0xa0000, MT_WB }, { 0xc0000, MT_UC }, { 0x100000, MT_WP },
		{ 0x80000000, MT_WB }, { 0x100000000ULL, MT_UC }, { 8 * GiB, MT_WB },
	};
	CHECK_RUNS(&s, 0, 8 * GiB, exp);
	/* FE clear: the variable ranges and the default type rule below 1 MiB too. */
	s = from_msrs(E | MT_WB, fixed, pairs, 1, 36);
	CHECK_EQ(mtrr_type(&s, 0xa0000), MT_WB);
	CHECK_EQ(mtrr_type(&s, 0xc0000), MT_WB);
	s.var[0].base = 0;                               /* var 0 now [0, 2 GiB) UC */
	CHECK_EQ(mtrr_type(&s, 0x0), MT_UC);
	CHECK_EQ(mtrr_type(&s, 0xfffff), MT_UC);
	CHECK_EQ(check_runs(&s, 0, 8 * GiB, 1, ~0UL), 2);
}

/* SDM Vol. 3A, 12.11.3, Example 12-2 (36-bit MAXPHYADDR), default type UC. */
static const uint64_t sdm_pairs[] = {
	0x0000000000000006ULL, 0x0000000ffc000800ULL,   /* 0-64 MiB WB */
	0x0000000004000006ULL, 0x0000000ffe000800ULL,   /* 64-96 MiB WB */
	0x0000000006000006ULL, 0x0000000fffc00800ULL,   /* 96-100 MiB WB */
	0x0000000004000000ULL, 0x0000000fffc00800ULL,   /* 64-68 MiB UC */
	0x0000000000f00000ULL, 0x0000000ffff00800ULL,   /* 15-16 MiB UC */
	0x00000000a0000001ULL, 0x0000000fff800800ULL,   /* A0000000-A0800000 WC */
};

TEST(sdm_example_12_2)
{
	struct mtrr_state s = from_msrs(E | MT_UC, NULL, sdm_pairs, 6, 36);
	static const struct run exp[] = {
		{ 15 * MiB, MT_WB }, { 16 * MiB, MT_UC }, { 64 * MiB, MT_WB }, { 68 * MiB, MT_UC },
		{ 100 * MiB, MT_WB }, { 0xa0000000, MT_UC }, { 0xa0800000, MT_WC }, { 64 * GiB, MT_UC },
	};

	CHECK_EQ(mtrr_type(&s, 15 * MiB - 1), MT_WB);
	CHECK_EQ(mtrr_type(&s, 15 * MiB), MT_UC);        /* UC over WB */
	CHECK_EQ(mtrr_type(&s, 66 * MiB), MT_UC);
	CHECK_EQ(mtrr_type(&s, 99 * MiB), MT_WB);
	CHECK_EQ(mtrr_type(&s, 0xa07fffff), MT_WC);
	CHECK_RUNS(&s, 0, 64 * GiB, exp);
	CHECK_EQ(check_runs(&s, 0, 8 * GiB, 1, ~0UL), 8);
	/* Past MAXPHYADDR the masks no longer see the address bits: aliases. */
	CHECK_EQ(mtrr_type(&s, 64 * GiB + 15 * MiB), MT_UC);
	CHECK_EQ(mtrr_type(&s, 64 * GiB + 70 * MiB), MT_WB);
	CHECK_EQ(check_runs(&s, 0, 256 * GiB, 1 << 12, ~0UL), 4 * 8);
}

TEST(server_layout)
{
	/* Default UC; the firmware covers RAM with large WB ranges and punches the
	 * PCI hole and the flash window out of them with overlapping UC ones. */
	struct mtrr_state s = { .enabled = true, .default_type = MT_UC, .phys_bits = 46 };
	unsigned long runs;

	add_var(&s, 0, 4 * GiB, MT_WB);
	add_var(&s, 3 * GiB, 1 * GiB, MT_UC);
	add_var(&s, 4 * GiB, 4 * GiB, MT_WB);
	add_var(&s, 8 * GiB, 512 * MiB, MT_WB);
	add_var(&s, 0xfc000000, 64 * MiB, MT_UC);
	static const struct run exp[] = {
		{ 3 * GiB, MT_WB }, { 4 * GiB, MT_UC }, { 8 * GiB + 512 * MiB, MT_WB }, { 1ULL << 46, MT_UC },
	};
	CHECK_RUNS(&s, 0, 1ULL << 46, exp);
	CHECK_EQ(check_runs(&s, 0, 9 * GiB, 1, ~0UL), 4);
	/* Walking the whole 52-bit space takes a few steps per alias, not 2^40 pages. */
	runs = check_runs(&s, 0, 1ULL << 52, 1ULL << 30, ~0UL);
	CHECK_EQ(runs, 4 * 64);
}

TEST(overlap_rules)
{
	static const struct { uint8_t a, b, c, want; } cases[] = {
		{ MT_UC, MT_WB, 0xff, MT_UC }, { MT_WB, MT_UC, 0xff, MT_UC },
		{ MT_WT, MT_WB, 0xff, MT_WT }, { MT_WB, MT_WT, MT_WB, MT_WT },
		{ MT_WC, MT_WB, 0xff, MT_UC }, { MT_WP, MT_WB, 0xff, MT_UC },   /* undefined -> UC */
		{ MT_WC, MT_WC, 0xff, MT_WC }, { MT_WP, MT_WP, MT_WP, MT_WP },
		{ MT_WT, MT_WB, MT_UC, MT_UC }, { MT_WT, MT_WC, 0xff, MT_UC },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mtrr_state s = { .enabled = true, .default_type = MT_WB, .phys_bits = 39 };
		uint64_t end;

		add_var(&s, 1 * GiB, 1 * GiB, cases[i].a);       /* [1, 2) GiB */
		add_var(&s, 1 * GiB, 256 * MiB, cases[i].b);     /* its first 256 MiB */
		if (cases[i].c != 0xff)
			add_var(&s, 1 * GiB + 128 * MiB, 128 * MiB, cases[i].c);
		CHECK_EQ(mtrr_type(&s, 1 * GiB + 200 * MiB), cases[i].want);
		CHECK_EQ(mtrr_type(&s, 1 * GiB + 512 * MiB), cases[i].a);   /* a alone */
		CHECK_EQ(mtrr_type(&s, 4 * GiB), MT_WB);                     /* none */
		CHECK_EQ(mtrr_type_run(&s, 1 * GiB + 200 * MiB, 4 * GiB, &end), cases[i].want);
		CHECK_EQ(end, cases[i].want == cases[i].a ? 2 * GiB : 1 * GiB + 256 * MiB);
		check_runs(&s, 0, 4 * GiB, 1, ~0UL);
	}
	struct mtrr_state s = { .enabled = true, .default_type = MT_WB, .phys_bits = 39 };
	add_var(&s, 0, 1 * GiB, MT_WB);
	s.var[0].mask &= ~V;                             /* invalid: ignored */
	s.var[0].base = MT_UC;
	CHECK_EQ(mtrr_type(&s, 0), MT_WB);
}

TEST(noncontiguous_masks)
{
	/* Odd pages of [1 GiB, 2 GiB): mask bit 12 plus bits 35:30. */
	struct mtrr_state s = { .enabled = true, .default_type = MT_WB, .phys_bits = 36,
				.var_count = 1, .var = { { 0x40001000ULL | MT_UC, 0xfc0001000ULL | V } } };
	uint64_t end;
	static const struct run exp[] = {
		{ 1 * GiB + PAGE, MT_WB }, { 1 * GiB + 2 * PAGE, MT_UC },
		{ 1 * GiB + 3 * PAGE, MT_WB }, { 1 * GiB + 4 * PAGE, MT_UC },
	};

	CHECK_RUNS(&s, 1 * GiB - 2 * PAGE, 1 * GiB + 4 * PAGE, exp);
	CHECK_EQ(mtrr_type(&s, 2 * GiB - 1), MT_UC);
	CHECK_EQ(mtrr_type(&s, 2 * GiB + PAGE), MT_WB);
	CHECK_EQ(mtrr_type_run(&s, 0, 8 * GiB, &end), MT_WB);
	CHECK_EQ(end, 1 * GiB + PAGE);
	CHECK_EQ(check_runs(&s, 1 * GiB - 64 * MiB, 2 * GiB + 64 * MiB, 1, ~0UL), 262144 + 1);
	/* Same type as the default: one run, though the match flips every page. */
	s.var[0].base = 0x40001000ULL | MT_WB;
	CHECK_EQ(mtrr_type_run(&s, 0, 8 * GiB, &end), MT_WB);
	CHECK_EQ(end, 8 * GiB);
	/* A hole at bit 24: [1, 2) MiB and [17, 18) MiB, nothing between. */
	s = (struct mtrr_state){ .enabled = true, .default_type = MT_UC, .phys_bits = 36, .var_count = 1,
				 .var = { { 0x100000ULL | MT_WT, (0xffff00000ULL & ~(1ULL << 24)) | V } } };
	static const struct run exp2[] = {
		{ 1 * MiB, MT_UC }, { 2 * MiB, MT_WT }, { 17 * MiB, MT_UC }, { 18 * MiB, MT_WT },
		{ 64 * GiB + 1 * MiB, MT_UC },
	};
	CHECK_RUNS(&s, 0, 64 * GiB + 1 * MiB, exp2);
}

TEST(phys_bits_masks)
{
	/* Reserved mask bits above MAXPHYADDR do not take part in the match. */
	struct mtrr_state s = { .enabled = true, .default_type = MT_WB, .phys_bits = 36, .var_count = 1,
				.var = { { 0x80000000ULL | MT_UC, 0xffffffff80000800ULL } } };
	uint64_t end;

	CHECK_EQ(mtrr_type(&s, 3 * GiB), MT_UC);
	CHECK_EQ(mtrr_type(&s, 5 * GiB), MT_WB);
	CHECK_EQ(mtrr_type(&s, 64 * GiB + 3 * GiB), MT_UC);   /* beyond MAXPHYADDR: its alias */
	/* The same 36-bit mask on a 40-bit CPU leaves bits 39:36 free: 16 copies. */
	s.var[0].mask = 0xf80000800ULL;
	s.phys_bits = 40;
	CHECK_EQ(mtrr_type(&s, 64 * GiB + 3 * GiB), MT_UC);
	CHECK_EQ(mtrr_type(&s, 15 * 64 * GiB + 2 * GiB), MT_UC);
	CHECK_EQ(mtrr_type_run(&s, 4 * GiB, ~0ULL, &end), MT_WB);
	CHECK_EQ(end, 64 * GiB + 2 * GiB);
	CHECK_EQ(check_runs(&s, 0, 1ULL << 41, 1 << 16, ~0UL), 2 * 16 * 2 + 1);
	/* Runs near the top of the 64-bit space must not overflow: [62, 64) GiB
	 * of every 64 GiB, the last copy ending at 2^64. */
	s.var[0].base = 0xf80000000ULL | MT_UC;
	CHECK_EQ(mtrr_type_run(&s, ~0ULL - 2 * GiB, ~0ULL, &end), MT_WB);
	CHECK_EQ(end, ~0ULL - 2 * GiB + 1);
	CHECK_EQ(mtrr_type_run(&s, end, ~0ULL, &end), MT_UC);
	CHECK_EQ(end, ~0ULL);
	CHECK_EQ(check_runs(&s, ~0ULL - 66 * GiB, ~0ULL, 1 << 8, ~0UL), 4);
}

TEST(type_names)
{
	CHECK_STR(mtrr_type_name(MT_UC), "UC");
	CHECK_STR(mtrr_type_name(MT_WC), "WC");
	CHECK_STR(mtrr_type_name(MT_WT), "WT");
	CHECK_STR(mtrr_type_name(MT_WP), "WP");
	CHECK_STR(mtrr_type_name(MT_WB), "WB");
	CHECK_STR(mtrr_type_name(2), "?");
	CHECK_STR(mtrr_type_name(7), "?");
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A random state: 1-10 ranges inside [0, 8 GiB) (or aliasing onto it), a third
 * of them non-contiguous, random fixed ranges half of the time. */
static struct mtrr_state random_state(void)
{
	static const unsigned int bits[] = { 36, 39, 46 };
	struct mtrr_state s = { .enabled = true };
	uint64_t addr;

	s.phys_bits = bits[rnd() % 3];
	s.default_type = types[rnd() % 5];
	s.fixed_enabled = rnd() % 2;
	addr = ((1ULL << s.phys_bits) - 1) & ~0xfffULL;

	for (unsigned int i = 0; i < MTRR_FIXED_COUNT; i++)
		s.fixed[i] = types[rnd() % 5];
	s.var_count = 1 + rnd() % 10;
	for (unsigned int n = 0; n < s.var_count; n++) {
		unsigned int k = 12 + rnd() % 22;
		uint64_t m = ~((1ULL << k) - 1) & addr;

		if (rnd() % 3 == 0) {                    /* flip 1-4 bits in [12, 34) */
			for (unsigned int j = 1 + rnd() % 4; j; j--)
				m ^= 1ULL << (12 + rnd() % 22);
		}
		s.var[n].base = (rnd() & m & (8 * GiB - 1)) | types[rnd() % 5];
		s.var[n].mask = m | (rnd() % 8 ? V : 0);
	}
	return s;
}

TEST(random_runs_match_brute_force)
{
	unsigned long total = 0;

	for (unsigned int iter = 0; iter < 300; iter++) {
		struct mtrr_state s = random_state();
		uint64_t lo, len;

		/* The whole [0, 8 GiB), sampled inside runs; ends and maximality exact. */
		total += check_runs(&s, 0, 8 * GiB, 61, 20000);
		/* Exact 4 KiB scans: at each range's base, below 1 MiB, and anywhere,
		 * from unaligned starts to unaligned ends. */
		for (unsigned int n = 0; n < s.var_count; n++) {
			lo = (s.var[n].base & ~0xfffULL) - MIN(s.var[n].base & ~0xfffULL, 2 * MiB);
			check_runs(&s, lo + rnd() % PAGE, lo + 4 * MiB, 1, ~0UL);
		}
		check_runs(&s, rnd() % PAGE, 2 * MiB + rnd() % PAGE, 1, ~0UL);
		for (unsigned int w = 0; w < 4; w++) {
			lo = rnd() % (16 * GiB);
			len = 1 + rnd() % (8 * MiB);
			check_runs(&s, lo, lo + len, 1, ~0UL);
		}
	}
	CHECK(total > 300);
}
