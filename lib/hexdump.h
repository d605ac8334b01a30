/* lib/hexdump.h - one line of a hex dump, as the shell's x and xp print it. */
#ifndef LIB_HEXDUMP_H
#define LIB_HEXDUMP_H

#include "lib/compiler.h"

#define HEXDUMP_PER_LINE 16
#define HEXDUMP_LINE_MAX 96      /* enough for any line, NUL included */

/*
 * Formats up to HEXDUMP_PER_LINE bytes that start at address addr:
 * "0x00000000000901f0  55 aa 00 ...  |U..|", the hex column padded to a full
 * line so the text column lines up. Returns the length written (n is
 * clamped to HEXDUMP_PER_LINE; buf must hold HEXDUMP_LINE_MAX bytes).
 */
int hexdump_line(char *buf, uint64_t addr, const uint8_t *bytes, unsigned int n);

/*
 * Formats exactly n bytes as "0f 0b 90", no address or text column (n == 0:
 * an empty string). Returns the length it wanted, truncating as
 * fmt_snprintf does; 3 * n bytes always suffice (n > 0).
 */
int hexdump_bytes(char *buf, size_t size, const uint8_t *bytes, unsigned int n);

#endif
