/* tests/unit/mm/memmap_check.h - CHECK_MAP for the memory-map tests. */
#ifndef TESTS_UNIT_MM_MEMMAP_CHECK_H
#define TESTS_UNIT_MM_MEMMAP_CHECK_H

/* Checks the map equals exp[] exactly (which is given as [start, end) ranges). */
#define CHECK_MAP(m, exp)                                                 \
	do {                                                              \
		CHECK_EQ((m)->count, ARRAY_SIZE(exp));                    \
		for (unsigned int k_ = 0; k_ < (m)->count && k_ < ARRAY_SIZE(exp); k_++) { \
			CHECK_EQ((m)->ranges[k_].start, (exp)[k_].start); \
			CHECK_EQ((m)->ranges[k_].end, (exp)[k_].end);     \
			CHECK_EQ((m)->ranges[k_].type, (exp)[k_].type);   \
		}                                                         \
	} while (0)

#endif
