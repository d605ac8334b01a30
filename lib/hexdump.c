/* lib/hexdump.c - one line of a hex dump. */
#include "lib/hexdump.h"
#include "lib/format.h"

int hexdump_line(char *buf, uint64_t addr, const uint8_t *bytes, unsigned int n)
{
	int pos;

	n = MIN(n, HEXDUMP_PER_LINE);
	pos = fmt_snprintf(buf, HEXDUMP_LINE_MAX, "0x%016llx ", (unsigned long long)addr);
	for (unsigned int i = 0; i < HEXDUMP_PER_LINE; i++) {
		/* An extra space after eight bytes, as od and xxd-style dumps do. */
		const char *gap = i == 8 ? "  " : " ";

		if (i < n)
			pos += fmt_snprintf(buf + pos, HEXDUMP_LINE_MAX - pos, "%s%02x", gap, bytes[i]);
		else
			pos += fmt_snprintf(buf + pos, HEXDUMP_LINE_MAX - pos, "%s  ", gap);
	}
	pos += fmt_snprintf(buf + pos, HEXDUMP_LINE_MAX - pos, "  |");
	for (unsigned int i = 0; i < n; i++)
		buf[pos++] = bytes[i] >= 0x20 && bytes[i] < 0x7f ? (char)bytes[i] : '.';
	buf[pos++] = '|';
	buf[pos] = 0;
	return pos;
}

int hexdump_bytes(char *buf, size_t size, const uint8_t *bytes, unsigned int n)
{
	int pos = 0;

	if (size)
		buf[0] = 0;
	for (unsigned int i = 0; i < n; i++) {
		/* Past the end: counted only (buf may be NULL when size is 0). */
		bool room = (size_t)pos < size;

		pos += fmt_snprintf(room ? buf + pos : NULL, room ? size - (size_t)pos : 0,
				    i ? " %02x" : "%02x", bytes[i]);
	}
	return pos;
}
