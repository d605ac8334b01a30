/* shell/cmd_parse.h - splitting shell lines into words and reading numeric arguments. */
#ifndef SHELL_CMD_PARSE_H
#define SHELL_CMD_PARSE_H

#include "lib/compiler.h"

/*
 * Splits line in place into words separated by spaces or tabs; double quotes
 * group (and are removed: a"b c" is one word, "" an empty one); there are no
 * backslash escapes. Fills argv[0..argc-1], and argv[argc] = NULL if it fits.
 * Returns argc, -EINVAL for an unterminated quote, -ENOSPC for more than max
 * words; on error line is partly rewritten.
 */
int __must_check cmd_split(char *line, char **argv, int max);

/* Parses a decimal or 0x-hex unsigned integer. Returns 0 or -EINVAL/-ERANGE. */
int __must_check cmd_parse_u64(const char *s, uint64_t *out);

/*
 * Reads ADDR [LEN] for commands like `x ADDR [LEN]`: len NULL means
 * default_len. Returns 0, -EINVAL for a bad number or a zero length, or
 * -ERANGE if a value overflows or the range would run past 2^64.
 */
int __must_check cmd_parse_range(const char *addr, const char *len, uint64_t *a, uint64_t *n,
				 uint64_t default_len);

/* Parses an index below count (decimal or 0x-hex): 0, -EINVAL for no
 * number, -ERANGE for one at or above count. */
int __must_check cmd_parse_index(const char *s, unsigned int count, unsigned int *out);

#endif
