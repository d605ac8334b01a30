/* lib/ksyms.c - symbol lookup by address for stack traces. */
#include "lib/ksyms.h"

const struct ksym *ksym_find(const struct ksym *tab, unsigned int n, uint64_t addr, uint64_t *offset)
{
	unsigned int lo = 0, hi = n;

	if (!n || addr < tab[0].addr)
		return NULL;
	/* Invariant: tab[lo].addr <= addr, and every index >= hi is above addr. */
	while (hi - lo > 1) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (tab[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - tab[lo].addr;
	return &tab[lo];
}
