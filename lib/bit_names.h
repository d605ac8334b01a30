/* lib/bit_names.h - a register or entry value as the names of its set bits
 * ("[PE ET WP PG]"), for the shell's regs, gva and info. */
#ifndef LIB_BIT_NAMES_H
#define LIB_BIT_NAMES_H

#include "lib/compiler.h"

struct bit_name {
	uint64_t mask;                  /* one bit (or a field that must be all ones) */
	const char *name;
};

/*
 * Writes the names of the entries whose mask is all set in v, in table
 * order, joined by sep, into buf (NUL-terminated, truncated to size).
 * Returns the length the full text would have.
 */
int bit_names_format(char *buf, size_t size, uint64_t v, const struct bit_name *names,
		     unsigned int n, const char *sep);

#endif
