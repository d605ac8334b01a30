/* tests/unit/guest/test_exit_stats.c - exit statistics since a snapshot, ordered. */
#include "guest/exit_stats.h"
#include "tests/unit/check.h"

TEST(test_order_by_count_ties_by_reason)
{
	struct exit_stat now[6] = { { 0, 0, 0 }, { 5, 50, 0 }, { 9, 90, 0 }, { 5, 55, 0 }, { 0, 0, 0 }, { 1, 7, 0 } };
	struct exit_stat out[6];
	unsigned int order[6];

	CHECK_EQ(exit_stats_since(now, NULL, 6, out, order), 4);
	CHECK_EQ(order[0], 2);
	CHECK_EQ(order[1], 1);
	CHECK_EQ(order[2], 3);
	CHECK_EQ(order[3], 5);
	CHECK_EQ(out[3].tsc_total, 55);
	CHECK_EQ(out[4].count, 0);
}

TEST(test_since_a_snapshot)
{
	struct exit_stat base[3] = { { 10, 100, 0 }, { 2, 20, 0 }, { 7, 70, 0 } };
	struct exit_stat now[3] = { { 10, 100, 0 }, { 12, 140, 0 }, { 8, 75, 0 } };
	struct exit_stat out[3];
	unsigned int order[3];

	CHECK_EQ(exit_stats_since(now, base, 3, out, order), 2);
	CHECK_EQ(order[0], 1);
	CHECK_EQ(out[1].count, 10);
	CHECK_EQ(out[1].tsc_total, 120);
	CHECK_EQ(order[1], 2);
	CHECK_EQ(out[2].count, 1);
	CHECK_EQ(out[0].count, 0);
}

TEST(test_nothing_counted)
{
	struct exit_stat now[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
	struct exit_stat out[2];
	unsigned int order[2];

	CHECK_EQ(exit_stats_since(now, NULL, 2, out, order), 0);
}

TEST(test_add_sums_every_reason)
{
	struct exit_stat sum[3] = { { 1, 10, 0 }, { 0, 0, 0 }, { 4, 40, 0 } };
	struct exit_stat add[3] = { { 2, 25, 0 }, { 3, 30, 0 }, { 0, 0, 0 } };
	struct exit_stat out[3];
	unsigned int order[3];

	exit_stats_add(sum, add, 3);
	CHECK_EQ(sum[0].count, 3);
	CHECK_EQ(sum[0].tsc_total, 35);
	CHECK_EQ(sum[1].count, 3);
	CHECK_EQ(sum[1].tsc_total, 30);
	CHECK_EQ(sum[2].count, 4);
	CHECK_EQ(sum[2].tsc_total, 40);
	/* Summed, then ordered like one vCPU's: ties keep reason order. */
	CHECK_EQ(exit_stats_since(sum, NULL, 3, out, order), 3);
	CHECK_EQ(order[0], 2);
	CHECK_EQ(order[1], 0);
	CHECK_EQ(order[2], 1);
}

TEST(test_total_counts_every_reason)
{
	struct exit_stat s[3] = { { 5, 50, 0 }, { 0, 0, 0 }, { 7, 1, 2 } };

	CHECK_EQ(exit_stats_total(s, 3), 12);
	CHECK_EQ(exit_stats_total(s, 1), 5);
	CHECK_EQ(exit_stats_total(s, 0), 0);
}
