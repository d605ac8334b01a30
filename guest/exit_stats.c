/* guest/exit_stats.c - VM-exit statistics per reason, ordered for reports. */
#include "guest/exit_stats.h"

unsigned int exit_stats_since(const struct exit_stat *now, const struct exit_stat *base,
			      unsigned int n, struct exit_stat *out, unsigned int *order)
{
	unsigned int k = 0;

	for (unsigned int r = 0; r < n; r++) {
		unsigned int i = k;

		out[r].count = now[r].count - (base ? base[r].count : 0);
		out[r].tsc_total = now[r].tsc_total - (base ? base[r].tsc_total : 0);
		out[r].unshadowed = now[r].unshadowed - (base ? base[r].unshadowed : 0);
		if (!out[r].count)
			continue;
		/* Insertion: strictly greater counts move ahead, so ties keep reason order. */
		while (i && out[order[i - 1]].count < out[r].count) {
			order[i] = order[i - 1];
			i--;
		}
		order[i] = r;
		k++;
	}
	return k;
}

uint64_t exit_stats_total(const struct exit_stat *s, unsigned int n)
{
	uint64_t total = 0;

	for (unsigned int r = 0; r < n; r++)
		total += s[r].count;
	return total;
}

void exit_stats_add(struct exit_stat *sum, const struct exit_stat *add, unsigned int n)
{
	for (unsigned int r = 0; r < n; r++) {
		sum[r].count += add[r].count;
		sum[r].tsc_total += add[r].tsc_total;
		sum[r].unshadowed += add[r].unshadowed;
	}
}
