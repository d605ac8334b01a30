/* lib/bit_names.c - a value as the names of its set bits. */
#include "lib/bit_names.h"
#include "lib/format.h"

int bit_names_format(char *buf, size_t size, uint64_t v, const struct bit_name *names,
		     unsigned int n, const char *sep)
{
	size_t pos = 0;

	if (size)
		buf[0] = 0;
	for (unsigned int i = 0; i < n; i++) {
		if ((v & names[i].mask) != names[i].mask)
			continue;
		pos += (size_t)fmt_snprintf(pos < size ? buf + pos : NULL, pos < size ? size - pos : 0,
					    "%s%s", pos ? sep : "", names[i].name);
	}
	return (int)pos;
}
