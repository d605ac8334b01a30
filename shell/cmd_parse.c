/* shell/cmd_parse.c - splitting shell lines into words and reading numeric arguments. */
#include "shell/cmd_parse.h"
#include "lib/cmdline.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Dequoting only ever shortens a word, so the write pointer never passes the read pointer. */
int cmd_split(char *line, char **argv, int max)
{
	char *r = line, *w = line;
	int argc = 0;

	for (;;) {
		bool quoted = false;

		while (is_blank(*r))
			r++;
		if (!*r)
			break;
		if (argc >= max)
			return -ENOSPC;
		argv[argc++] = w;
		for (; *r && (quoted || !is_blank(*r)); r++) {
			if (*r == '"')
				quoted = !quoted;
			else
				*w++ = *r;
		}
		if (quoted)
			return -EINVAL;
		if (*r)
			r++;            /* the blank after the word; w <= r - 1 still */
		*w++ = 0;
	}
	if (argc < max)
		argv[argc] = NULL;
	return argc;
}

int cmd_parse_u64(const char *s, uint64_t *out)
{
	return parse_u64(s, out);
}

int cmd_parse_range(const char *addr, const char *len, uint64_t *a, uint64_t *n,
		    uint64_t default_len)
{
	uint64_t va, vn = default_len;
	int rc;

	rc = cmd_parse_u64(addr, &va);
	if (rc)
		return rc;
	if (len) {
		rc = cmd_parse_u64(len, &vn);
		if (rc)
			return rc;
	}
	if (!vn)
		return -EINVAL;
	if (vn - 1 > UINT64_MAX - va)
		return -ERANGE;
	*a = va;
	*n = vn;
	return 0;
}

int cmd_parse_index(const char *s, unsigned int count, unsigned int *out)
{
	uint64_t v;
	int rc = cmd_parse_u64(s, &v);

	if (rc == -ERANGE)
		return -ERANGE;
	if (rc)
		return -EINVAL;
	if (v >= count)
		return -ERANGE;
	*out = (unsigned int)v;
	return 0;
}
