/* tests/unit/lib/test_ksyms.c - symbol lookup by address. */
#include "lib/ksyms.h"
#include "tests/unit/check.h"

/* The generated table is not linked into host tests: give one here. */
const struct ksym ksyms[] = { { 0, 0 } };
const unsigned int ksyms_count = 0;

static const struct ksym tab[] = {
	{ 0xffffffff80200000ULL, "a" },
	{ 0xffffffff80200010ULL, "b" },
	{ 0xffffffff80200010ULL, "b_alias" },
	{ 0xffffffff80201000ULL, "c" },
};

TEST(below_first_symbol_is_not_found)
{
	uint64_t off = 7;

	CHECK(ksym_find(tab, 4, 0xffffffff801fffffULL, &off) == NULL);
	CHECK_EQ(off, 7);
	CHECK(ksym_find(tab, 0, 0xffffffff80200000ULL, &off) == NULL);
}

TEST(exact_and_inside)
{
	uint64_t off;

	CHECK_STR(ksym_find(tab, 4, 0xffffffff80200000ULL, &off)->name, "a");
	CHECK_EQ(off, 0);
	CHECK_STR(ksym_find(tab, 4, 0xffffffff8020000fULL, &off)->name, "a");
	CHECK_EQ(off, 0xf);
	CHECK_STR(ksym_find(tab, 4, 0xffffffff80200fffULL, &off)->name, "b_alias");
	CHECK_EQ(off, 0xfef);
	CHECK_STR(ksym_find(tab, 4, 0xffffffff90000000ULL, &off)->name, "c");
}

TEST(single_entry)
{
	uint64_t off;

	CHECK_STR(ksym_find(tab, 1, 0xffffffff80201000ULL, &off)->name, "a");
	CHECK_EQ(off, 0x1000);
}
