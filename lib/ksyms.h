/* lib/ksyms.h - the hypervisor's own symbol table, for readable stack traces. */
#ifndef LIB_KSYMS_H
#define LIB_KSYMS_H

#include "lib/compiler.h"

struct ksym {
	uint64_t addr;
	const char *name;
};

/* The image's text symbols sorted by address (generated at link time, tools/gen-ksyms.sh). */
extern const struct ksym ksyms[];
extern const unsigned int ksyms_count;

/* The symbol at or below addr in a sorted table of n, or NULL if addr is
 * below the first one; *offset gets addr - symbol address. */
const struct ksym *ksym_find(const struct ksym *tab, unsigned int n, uint64_t addr, uint64_t *offset);

#endif
