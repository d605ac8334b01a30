/* tests/unit/lib/test_format.c - fmt_* against the host libc's snprintf, plus fmt_size. */
#include <stdint.h>
#include <limits.h>
#include <stddef.h>
#include "lib/format.h"
#include "tests/unit/check.h"

/* Formats built at run time or deliberately odd ones are not checkable by
 * -Wformat; the comparisons below are the check. */
#pragma clang diagnostic ignored "-Wformat"
#pragma clang diagnostic ignored "-Wformat-nonliteral"
#pragma clang diagnostic ignored "-Wformat-extra-args"
#pragma clang diagnostic ignored "-Wformat-invalid-specifier"

static int cases_compared;

static void same_report(const char *file, int line, const char *fmt,
			const char *want, int rwant, const char *got, int rgot)
{
	char m[768];

	cases_compared++;
	if (!strcmp(want, got) && rwant == rgot)
		return;
	snprintf(m, sizeof(m), "format \"%s\": libc \"%s\" (%d), fmt \"%s\" (%d)",
		 fmt, want, rwant, got, rgot);
	check_fail(file, line, m);
}

/* Formats the same arguments with libc and with fmt_snprintf and compares. */
#define SAME(fmt, ...)                                                         \
	do {                                                                   \
		char w_[512], g_[512];                                         \
		int rw_ = snprintf(w_, sizeof(w_), fmt, ##__VA_ARGS__);        \
		int rg_ = fmt_snprintf(g_, sizeof(g_), fmt, ##__VA_ARGS__);    \
		same_report(__FILE__, __LINE__, fmt, w_, rw_, g_, rg_);        \
	} while (0)

/* Checks fmt_snprintf's output literally where libc differs or is undefined. */
#define LIT(want, fmt, ...)                                                    \
	do {                                                                   \
		char g_[512];                                                  \
		int rg_ = fmt_snprintf(g_, sizeof(g_), fmt, ##__VA_ARGS__);    \
		same_report(__FILE__, __LINE__, fmt, want, (int)strlen(want),  \
			    g_, rg_);                                          \
	} while (0)

enum { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_T, L_J, L_COUNT };
static const char *const len_str[L_COUNT] = { "", "hh", "h", "l", "ll", "z", "t", "j" };

/* Passes raw with the C type that length modifier `len` reads. */
static void same_int(const char *fmt, int len, uint64_t raw)
{
	switch (len) {
	case L_NONE:
	case L_HH:
	case L_H:
		SAME(fmt, (int)raw);
		break;
	case L_L:  SAME(fmt, (long)raw); break;
	case L_LL: SAME(fmt, (long long)raw); break;
	case L_Z:  SAME(fmt, (size_t)raw); break;
	case L_T:  SAME(fmt, (ptrdiff_t)raw); break;
	case L_J:  SAME(fmt, (intmax_t)raw); break;
	}
}

static const uint64_t int_values[] = {
	0, 1, 7, 8, 9, 10, 42, 255, 256, 300, 0x7f, 0x80, 0xff, 0x7fff, 0x8000,
	0xffff, 65536, 123456789, (uint64_t)INT_MAX, (uint64_t)(int64_t)INT_MIN,
	(uint64_t)UINT_MAX, 0x100000000ULL, (uint64_t)INT64_MAX, (uint64_t)INT64_MIN,
	UINT64_MAX, (uint64_t)-1, (uint64_t)-42, (uint64_t)-129, 0x123456789abcdefULL,
	0xdeadbeefcafef00dULL,
};

/* Every flag subset x width x precision x conversion x length x value. */
TEST(integers_match_libc)
{
	static const char *const widths[] = { "", "1", "3", "8", "25" };
	static const char *const precs[] = { "", ".", ".0", ".1", ".3", ".12", ".30" };
	static const char convs[] = "diuxXo";
	static const char flagchars[] = "-+ #0";
	char fmt[64];

	for (int f = 0; f < 32; f++) {
		char flags[8];
		int nf = 0;

		for (int b = 0; b < 5; b++)
			if (f & (1 << b))
				flags[nf++] = flagchars[b];
		flags[nf] = '\0';
		for (size_t c = 0; c < sizeof(convs) - 1; c++) {
			/* '#' with d/i/u is undefined in C. */
			if ((f & 8) && (convs[c] == 'd' || convs[c] == 'i' || convs[c] == 'u'))
				continue;
			for (size_t w = 0; w < ARRAY_SIZE(widths); w++)
				for (size_t p = 0; p < ARRAY_SIZE(precs); p++)
					for (int l = 0; l < L_COUNT; l++) {
						snprintf(fmt, sizeof(fmt), "<%%%s%s%s%s%c>", flags,
							 widths[w], precs[p], len_str[l], convs[c]);
						for (size_t v = 0; v < ARRAY_SIZE(int_values); v++)
							same_int(fmt, l, int_values[v]);
					}
		}
	}
	CHECK(cases_compared > 100000);
}

TEST(integer_extremes)
{
	SAME("%d %d %d", INT_MIN, INT_MAX, 0);
	SAME("%lld %lld", (long long)INT64_MIN, (long long)INT64_MAX);
	SAME("%ld %li", (long)INT64_MIN, (long)INT64_MIN);
	SAME("%jd %zd %td", (intmax_t)INT64_MIN, (size_t)INT64_MIN, (ptrdiff_t)INT64_MIN);
	SAME("%llu %llx %llX %llo", (unsigned long long)UINT64_MAX, (unsigned long long)UINT64_MAX,
	     (unsigned long long)UINT64_MAX, (unsigned long long)UINT64_MAX);
	SAME("%#llo %#llx", (unsigned long long)UINT64_MAX, (unsigned long long)UINT64_MAX);
	SAME("%+030lld|%-30lld|% lld", (long long)INT64_MIN, (long long)INT64_MIN,
	     (long long)INT64_MIN);
	SAME("%hhd %hhu %hd %hu", 200, -1, 40000, -1);
	SAME("%u %x", -1, INT_MIN);
	LIT("-9223372036854775808", "%lld", (long long)INT64_MIN);
}

TEST(star_width_and_precision)
{
	SAME("[%*d]", 6, 42);
	SAME("[%*d]", -6, 42);          /* negative width: left-justify */
	SAME("[%-*d]", -6, 42);
	SAME("[%0*d]", -6, 42);         /* '-' beats '0' */
	SAME("[%.*d]", 4, 42);
	SAME("[%.*d]", -1, 42);         /* negative precision: none */
	SAME("[%08.*d]", -3, 42);       /* ... so '0' applies again */
	SAME("[%08.*d]", 3, 42);
	SAME("[%*.*x]", 10, 6, 0xabc);
	SAME("[%*.*s]", -8, 2, "hello");
	SAME("[%.*s]", -1, "hello");
	SAME("[%*c]", 4, 'z');
	SAME("[%.*d]", 0, 0);
}

TEST(strings_and_chars)
{
	static const char *const strs[] = { "", "a", "hello", "hello, world" };
	static const char *const specs[] = {
		"%s", "%10s", "%-10s", "%.0s", "%.3s", "%.20s", "%8.2s", "%-8.2s", "%1s",
	};
	char fmt[32];

	for (size_t i = 0; i < ARRAY_SIZE(specs); i++)
		for (size_t j = 0; j < ARRAY_SIZE(strs); j++) {
			snprintf(fmt, sizeof(fmt), "[%s]", specs[i]);
			SAME(fmt, strs[j]);
		}
	SAME("%c%c%c", 'a', 'b', 'c');
	SAME("[%5c][%-5c][%c]", 'x', 'y', 256 + 'q');
	SAME("%s=%d, %s", "x", 3, "end");
	/* Precision may stop before a missing terminator. */
	{
		char unterminated[3] = { 'a', 'b', 'c' };

		SAME("[%.3s]", unterminated);
		SAME("[%.2s]", unterminated);
	}
}

TEST(null_string)
{
	LIT("(null)", "%s", (char *)NULL);
	LIT("[  (null)]", "[%8s]", (char *)NULL);
	LIT("[(null)  ]", "[%-8s]", (char *)NULL);
	LIT("[(nu]", "[%.3s]", (char *)NULL);   /* precision cuts it like any string */
}

TEST(percent_and_unknown)
{
	SAME("100%%");
	SAME("%%d %d", 5);
	SAME("%%%%");
	LIT("%y", "%y");
	LIT("a%yb", "a%yb");
	LIT("%y7", "%-5ly%d", 7);       /* flags, width and length are dropped */
	LIT("%!", "%!");
	LIT("abc%", "abc%");            /* '%' at the end */
	LIT("abc%", "abc%-08l");        /* an unfinished spec at the end */
	LIT("%", "%");
	LIT("", "");
}

TEST(pointer)
{
	LIT("0x0000000000000000", "%p", (void *)0);
	LIT("0x00000000deadbeef", "%p", (void *)0xdeadbeefUL);
	LIT("0xffffffff80001000", "%p", (void *)0xffffffff80001000UL);
	LIT("[  0x0000000000001234]", "[%20p]", (void *)0x1234UL);
	LIT("[0x0000000000001234  ]", "[%-20p]", (void *)0x1234UL);
	LIT("[0x0000000000001234]", "[%5p]", (void *)0x1234UL);
	LIT("[0x00000000000000ab]", "[%.2p]", (void *)0xabUL);  /* precision fixed at 16 */
}

TEST(mixed_formats)
{
	SAME("%s: %d/%u 0x%08x %-4s|", "cpu0", -3, 17u, 0xbeefu, "ok");
	SAME("rip=%016llx rsp=%#llx err=%lu", 0xffffffff81000000ULL, 0x7fffULL, 12UL);
	SAME("%zu bytes at %#zx (%td)", (size_t)4096, (size_t)0x1000, (ptrdiff_t)-8);
	SAME("%jd %ju %jx", (intmax_t)-5, (uintmax_t)5, (uintmax_t)255);
	SAME("%5.3d|%-+5d|% 05d|%+ d", 7, 7, 7, 7);
	SAME("%#5o|%#.0o|%#o|%#x|%#X|%#.0x", 8, 0, 0, 0, 255, 0);
}

/* fmt_vsnprintf through a variadic wrapper, the way callers use it. */
static int vs(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

TEST(truncation)
{
	char buf[16];

	CHECK_EQ(vs(NULL, 0, "hello %d", 12345), 11);
	memset(buf, '#', sizeof(buf));
	CHECK_EQ(vs(buf, 0, "hello"), 5);
	CHECK_EQ(buf[0], '#');          /* size 0 writes nothing */

	memset(buf, '#', sizeof(buf));
	CHECK_EQ(vs(buf, 1, "hello"), 5);
	CHECK_EQ(buf[0], '\0');
	CHECK_EQ(buf[1], '#');

	memset(buf, '#', sizeof(buf));
	CHECK_EQ(vs(buf, 5, "hello, %s", "world"), 12);
	CHECK_STR(buf, "hell");
	CHECK_EQ(buf[5], '#');

	memset(buf, '#', sizeof(buf));
	CHECK_EQ(vs(buf, 6, "hello"), 5);   /* exactly fits */
	CHECK_STR(buf, "hello");
	CHECK_EQ(buf[6], '#');

	memset(buf, '#', sizeof(buf));
	CHECK_EQ(vs(buf, 5, "hello"), 5);   /* one short */
	CHECK_STR(buf, "hell");

	memset(buf, '#', sizeof(buf));
	CHECK_EQ(vs(buf, 3, "%-10d|", 7), 11);
	CHECK_STR(buf, "7 ");
	CHECK_EQ(buf[3], '#');

	memset(buf, '#', sizeof(buf));
	CHECK_EQ(vs(buf, sizeof(buf), ""), 0);
	CHECK_STR(buf, "");

	/* Same return values as libc for every small size. */
	for (size_t n = 0; n <= 12; n++) {
		char a[16], b[16];

		memset(a, '#', sizeof(a));
		memset(b, '#', sizeof(b));
		CHECK_EQ(fmt_snprintf(b, n, "%s-%04x", "abc", 0x2a),
			 snprintf(a, n, "%s-%04x", "abc", 0x2a));
		CHECK(!memcmp(a, b, sizeof(a)));
	}
}

static void count_putc(void *ctx, char c)
{
	(*(int *)ctx)++;
}

static int cb(fmt_putc_fn out, void *ctx, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vcbprintf(out, ctx, fmt, ap);
	va_end(ap);
	return n;
}

TEST(vcbprintf_calls_back_once_per_char)
{
	int calls = 0;

	CHECK_EQ(cb(count_putc, &calls, "[%8s|%-5d]", "ab", -3), 16);
	CHECK_EQ(calls, 16);
	calls = 0;
	CHECK_EQ(cb(count_putc, &calls, "%50d", 1), 50);
	CHECK_EQ(calls, 50);
}

static void size_is(const char *file, int line, uint64_t bytes, const char *want)
{
	char buf[32], m[128];
	int n = fmt_size(buf, sizeof(buf), bytes);

	if (strcmp(buf, want) || n != (int)strlen(want)) {
		snprintf(m, sizeof(m), "fmt_size(%llu) = \"%s\" (%d), want \"%s\"",
			 (unsigned long long)bytes, buf, n, want);
		check_fail(file, line, m);
	}
}
#define SIZE_IS(bytes, want) size_is(__FILE__, __LINE__, (bytes), (want))

TEST(sizes)
{
	SIZE_IS(0, "0 B");
	SIZE_IS(1, "1 B");
	SIZE_IS(123, "123 B");
	SIZE_IS(1023, "1023 B");
	SIZE_IS(1024, "1 KiB");
	SIZE_IS(4096, "4 KiB");
	SIZE_IS(1536, "1.5 KiB");
	SIZE_IS(1024 + 1, "1 KiB");              /* tenths round down to 0: omitted */
	SIZE_IS(1024 + 102, "1 KiB");
	SIZE_IS(1024 + 103, "1.1 KiB");
	SIZE_IS(MiB + MiB / 2, "1.5 MiB");
	SIZE_IS(2 * MiB - 1, "1.9 MiB");         /* rounded down, not up to 2 */
	SIZE_IS(64 * MiB, "64 MiB");
	SIZE_IS(1023 * MiB, "1023 MiB");
	SIZE_IS(2 * GiB, "2 GiB");
	SIZE_IS(GiB * 5 / 2, "2.5 GiB");
	SIZE_IS(1024 * GiB, "1 TiB");
	SIZE_IS(1024 * 1024 * GiB, "1 PiB");
	SIZE_IS(1ULL << 60, "1 EiB");
	SIZE_IS(3ULL << 59, "1.5 EiB");
	SIZE_IS(UINT64_MAX, "15.9 EiB");
}

TEST(size_truncates_like_snprintf)
{
	char buf[4];

	memset(buf, '#', sizeof(buf));
	CHECK_EQ(fmt_size(buf, sizeof(buf), 64 * MiB), 6);
	CHECK_STR(buf, "64 ");
	CHECK_EQ(fmt_size(NULL, 0, 1536), 7);
}
