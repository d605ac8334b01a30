/* tests/unit/shell/test_cmd_parse.c - splitting shell lines and reading numeric arguments. */
#include "shell/cmd_parse.h"
#include "tests/unit/check.h"

static char buf[256];
static char *argv[8];

static int split(const char *s, int max)
{
	snprintf(buf, sizeof(buf), "%s", s);
	return cmd_split(buf, argv, max);
}

TEST(test_split_words)
{
	CHECK_EQ(split("x 0x1000 64", 8), 3);
	CHECK_STR(argv[0], "x");
	CHECK_STR(argv[1], "0x1000");
	CHECK_STR(argv[2], "64");
	CHECK(argv[3] == NULL);
}

TEST(test_split_blanks)
{
	CHECK_EQ(split("", 8), 0);
	CHECK(argv[0] == NULL);
	CHECK_EQ(split(" \t  ", 8), 0);
	CHECK_EQ(split("\t ept \t stats  ", 8), 2);
	CHECK_STR(argv[0], "ept");
	CHECK_STR(argv[1], "stats");
}

TEST(test_split_quotes)
{
	CHECK_EQ(split("log \"a b\" c", 8), 3);
	CHECK_STR(argv[1], "a b");
	CHECK_STR(argv[2], "c");
	CHECK_EQ(split("a\"b c\"d e", 8), 2);          /* quotes join with the word around them */
	CHECK_STR(argv[0], "ab cd");
	CHECK_STR(argv[1], "e");
	CHECK_EQ(split("\"\" x \"\"", 8), 3);            /* empty arguments */
	CHECK_STR(argv[0], "");
	CHECK_STR(argv[1], "x");
	CHECK_STR(argv[2], "");
	CHECK_EQ(split("\"\t\"", 8), 1);
	CHECK_STR(argv[0], "\t");
}

TEST(test_split_unterminated_quote)
{
	CHECK_EQ(split("x \"abc", 8), -EINVAL);
	CHECK_EQ(split("\"", 8), -EINVAL);
	CHECK_EQ(split("a\"\"\"", 8), -EINVAL);
}

TEST(test_split_max)
{
	CHECK_EQ(split("a b c", 3), 3);                  /* exactly full: no NULL slot */
	CHECK_STR(argv[2], "c");
	CHECK_EQ(split("a b c d", 3), -ENOSPC);
	CHECK_EQ(split("a b  ", 2), 2);                  /* trailing blanks are not a word */
	CHECK_EQ(split("", 0), 0);
	CHECK_EQ(split("a", 0), -ENOSPC);
}

TEST(test_parse_u64)
{
	uint64_t v = 0;

	CHECK_EQ(cmd_parse_u64("0", &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(cmd_parse_u64("4096", &v), 0);
	CHECK_EQ(v, 4096);
	CHECK_EQ(cmd_parse_u64("0xFe000000", &v), 0);
	CHECK_EQ(v, 0xfe000000);
	CHECK_EQ(cmd_parse_u64("0X10", &v), 0);
	CHECK_EQ(v, 16);
	CHECK_EQ(cmd_parse_u64("010", &v), 0);           /* not octal */
	CHECK_EQ(v, 10);
	CHECK_EQ(cmd_parse_u64("18446744073709551615", &v), 0);
	CHECK_EQ(v, UINT64_MAX);
	CHECK_EQ(cmd_parse_u64("0xffffffffffffffff", &v), 0);
	CHECK_EQ(v, UINT64_MAX);
	v = 7;
	CHECK_EQ(cmd_parse_u64("18446744073709551616", &v), -ERANGE);
	CHECK_EQ(cmd_parse_u64("0x10000000000000000", &v), -ERANGE);
	CHECK_EQ(cmd_parse_u64("", &v), -EINVAL);
	CHECK_EQ(cmd_parse_u64("0x", &v), -EINVAL);
	CHECK_EQ(cmd_parse_u64("12z", &v), -EINVAL);
	CHECK_EQ(cmd_parse_u64("-1", &v), -EINVAL);
	CHECK_EQ(cmd_parse_u64(" 1", &v), -EINVAL);
	CHECK_EQ(cmd_parse_u64("0xg", &v), -EINVAL);
	CHECK_EQ(cmd_parse_u64(NULL, &v), -EINVAL);
	CHECK_EQ(v, 7);                                  /* untouched on error */
}

TEST(test_parse_range)
{
	uint64_t a = 1, n = 1;

	CHECK_EQ(cmd_parse_range("0x1000", NULL, &a, &n, 64), 0);
	CHECK_EQ(a, 0x1000);
	CHECK_EQ(n, 64);
	CHECK_EQ(cmd_parse_range("0x1000", "0x20", &a, &n, 64), 0);
	CHECK_EQ(n, 32);
	CHECK_EQ(cmd_parse_range("0xfffffffffffffff0", "16", &a, &n, 64), 0); /* ends at 2^64 */
	CHECK_EQ(n, 16);
	CHECK_EQ(cmd_parse_range("0xffffffffffffffff", NULL, &a, &n, 1), 0);
	CHECK_EQ(cmd_parse_range("0", "0xffffffffffffffff", &a, &n, 1), 0);
	CHECK_EQ(cmd_parse_range("1", "0xffffffffffffffff", &a, &n, 1), 0);  /* last byte 2^64-1 */
	a = n = 5;
	CHECK_EQ(cmd_parse_range("0xfffffffffffffff0", "17", &a, &n, 64), -ERANGE);
	CHECK_EQ(cmd_parse_range("0xfffffffffffffff0", NULL, &a, &n, 64), -ERANGE);
	CHECK_EQ(cmd_parse_range("2", "0xffffffffffffffff", &a, &n, 1), -ERANGE);
	CHECK_EQ(cmd_parse_range("0x10000000000000000", NULL, &a, &n, 1), -ERANGE);
	CHECK_EQ(cmd_parse_range("0", "99999999999999999999", &a, &n, 1), -ERANGE);
	CHECK_EQ(cmd_parse_range("0x1000", "0", &a, &n, 64), -EINVAL);
	CHECK_EQ(cmd_parse_range("0x1000", NULL, &a, &n, 0), -EINVAL);
	CHECK_EQ(cmd_parse_range("zz", NULL, &a, &n, 64), -EINVAL);
	CHECK_EQ(cmd_parse_range(NULL, NULL, &a, &n, 64), -EINVAL);
	CHECK_EQ(cmd_parse_range("0x1000", "4k", &a, &n, 64), -EINVAL);
	CHECK_EQ(a, 5);                                  /* untouched on error */
	CHECK_EQ(n, 5);
}

TEST(test_split_then_range)
{
	char line[] = "xp  0x9000 \"256\"";
	char *av[4];
	uint64_t a, n;

	CHECK_EQ(cmd_split(line, av, 4), 3);
	CHECK_EQ(cmd_parse_range(av[1], av[2], &a, &n, 64), 0);
	CHECK_EQ(a, 0x9000);
	CHECK_EQ(n, 256);
}

TEST(test_parse_index)
{
	unsigned int i = 99;

	CHECK_EQ(cmd_parse_index("0", 2, &i), 0);
	CHECK_EQ(i, 0);
	CHECK_EQ(cmd_parse_index("1", 2, &i), 0);
	CHECK_EQ(i, 1);
	CHECK_EQ(cmd_parse_index("0x1", 2, &i), 0);
	CHECK_EQ(i, 1);
	i = 7;
	CHECK_EQ(cmd_parse_index("2", 2, &i), -ERANGE);
	CHECK_EQ(cmd_parse_index("99999999999999999999999", 2, &i), -ERANGE);
	CHECK_EQ(cmd_parse_index("x", 2, &i), -EINVAL);
	CHECK_EQ(cmd_parse_index("", 2, &i), -EINVAL);
	CHECK_EQ(cmd_parse_index("-1", 2, &i), -EINVAL);
	CHECK_EQ(cmd_parse_index("0", 0, &i), -ERANGE);
	CHECK_EQ(i, 7);
}
