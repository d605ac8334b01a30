/* tests/unit/lib/test_log.c - log level names. */
#include "lib/log.h"
#include "tests/unit/check.h"

TEST(test_names_round_trip)
{
	enum log_level l;

	for (unsigned int i = 0; i < LOG_LEVEL_COUNT; i++) {
		CHECK_EQ(log_level_parse(log_level_name((enum log_level)i), &l), 0);
		CHECK_EQ(l, i);
	}
	CHECK_EQ(log_level_parse("warning", &l), 0);
	CHECK_EQ(l, LOG_WARN);
	CHECK_STR(log_level_name(LOG_LEVEL_COUNT), "?");
}

TEST(test_bad_names)
{
	enum log_level l = LOG_INFO;

	CHECK_EQ(log_level_parse("verbose", &l), -EINVAL);
	CHECK_EQ(log_level_parse("", &l), -EINVAL);
	CHECK_EQ(log_level_parse("DEBUG", &l), -EINVAL);
	CHECK_EQ(log_level_parse(NULL, &l), -EINVAL);
	CHECK_EQ(l, LOG_INFO);
}

TEST(test_default_is_info)
{
	CHECK_EQ(log_level, LOG_INFO);
	CHECK(log_enabled(LOG_WARN));
	CHECK(!log_enabled(LOG_DEBUG));
}
