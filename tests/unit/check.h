/* tests/unit/check.h - the host unit-test harness: include once per test file.
 *
 * TEST(name) { ... CHECK(expr); CHECK_EQ(a, b); CHECK_STR(a, b); }
 * Each test prints "PASS: file: name" or "FAIL: file: name" with every failed
 * check above it; the program exits non-zero if any test failed. The order
 * of tests is the order of definition.
 */
#ifndef TESTS_UNIT_CHECK_H
#define TESTS_UNIT_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*check_test_fn)(void);

static struct { const char *name; check_test_fn fn; } check_tests[512];
static int check_ntests;
static int check_cur_failed;

static void check_register(const char *name, check_test_fn fn)
{
	if (check_ntests >= (int)(sizeof(check_tests) / sizeof(check_tests[0]))) {
		fprintf(stderr, "check.h: too many tests\n");
		exit(2);
	}
	check_tests[check_ntests].name = name;
	check_tests[check_ntests].fn = fn;
	check_ntests++;
}

static void check_fail(const char *file, int line, const char *what)
{
	printf("  %s:%d: check failed: %s\n", file, line, what);
	check_cur_failed = 1;
}

#define TEST(name)                                                        \
	static void name(void);                                           \
	__attribute__((constructor)) static void check_reg_##name(void)   \
	{ check_register(#name, name); }                                  \
	static void name(void)

#define CHECK(expr)                                                       \
	do { if (!(expr)) check_fail(__FILE__, __LINE__, #expr); } while (0)

#define CHECK_EQ(a, b)                                                    \
	do {                                                              \
		unsigned long long check_a_ = (unsigned long long)(a);    \
		unsigned long long check_b_ = (unsigned long long)(b);    \
		if (check_a_ != check_b_) {                               \
			char check_m_[512];                               \
			snprintf(check_m_, sizeof(check_m_),              \
				 "%s == %s (0x%llx != 0x%llx)", #a, #b,   \
				 check_a_, check_b_);                     \
			check_fail(__FILE__, __LINE__, check_m_);         \
		}                                                         \
	} while (0)

#define CHECK_STR(a, b)                                                   \
	do {                                                              \
		const char *check_a_ = (a), *check_b_ = (b);              \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_)) { \
			char check_m_[1024];                              \
			snprintf(check_m_, sizeof(check_m_),              \
				 "%s == %s (\"%s\" != \"%s\")", #a, #b,   \
				 check_a_ ? check_a_ : "(null)",          \
				 check_b_ ? check_b_ : "(null)");         \
			check_fail(__FILE__, __LINE__, check_m_);         \
		}                                                         \
	} while (0)

int main(void)
{
	int failed = 0;

	for (int i = 0; i < check_ntests; i++) {
		check_cur_failed = 0;
		check_tests[i].fn();
		printf("%s: %s: %s\n", check_cur_failed ? "FAIL" : "PASS",
		       __BASE_FILE__, check_tests[i].name);
		failed += check_cur_failed;
	}
	return failed ? 1 : 0;
}

#endif
