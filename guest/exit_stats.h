/* guest/exit_stats.h - VM-exit statistics per reason: the difference since
 * a snapshot, ordered for reports (the guest's end report, the shell's exits). */
#ifndef GUEST_EXIT_STATS_H
#define GUEST_EXIT_STATS_H

#include "guest/vcpu.h"

/*
 * Fills out[r] = now[r] - base[r] for the n reasons (base NULL: zeros) and
 * order[] with the reasons whose count is not 0, most frequent first (equal
 * counts: lower reason first). Returns how many order[] holds.
 */
unsigned int exit_stats_since(const struct exit_stat *now, const struct exit_stat *base,
			      unsigned int n, struct exit_stat *out, unsigned int *order);

/* The exits counted over the n reasons (the vCPU's total: derived, so the
 * exit path counts each exit once). */
uint64_t exit_stats_total(const struct exit_stat *s, unsigned int n);

/* sum[r] += add[r] for the n reasons (the shell's `exits all`). */
void exit_stats_add(struct exit_stat *sum, const struct exit_stat *add, unsigned int n);

#endif
