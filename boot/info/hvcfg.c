/* boot/info/hvcfg.c - hv.cfg parser. TEMPORARY STAND-IN (branch efiapp) for branch
 * efipure's: "mode chain|boot", "cmdline TEXT", "module PATH [CMDLINE]", "next PATH",
 * '#' comments; efipure's parser replaces this file. */
#include "boot/info/hvcfg.h"
#include "lib/format.h"
#include "lib/string.h"

static size_t copy_word(char *dst, size_t size, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < size; i++)
		dst[i] = s[i] == '/' ? '\\' : s[i];
	dst[i] = 0;
	return i;
}

bool hvcfg_parse(const char *text, size_t len, struct hvcfg *out, char *err, size_t err_size)
{
	size_t pos = 0;
	unsigned int line = 0;

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		size_t end = pos, k, kl, v;

		line++;
		while (end < len && text[end] != '\n')
			end++;
		k = pos;
		pos = end + 1;
		while (end > k && (text[end - 1] == '\r' || text[end - 1] == ' '))
			end--;
		while (k < end && (text[k] == ' ' || text[k] == '\t'))
			k++;
		if (k == end || text[k] == '#')
			continue;
		for (kl = 0; k + kl < end && text[k + kl] != ' '; kl++)
			;
		for (v = k + kl; v < end && text[v] == ' '; v++)
			;
		if (kl == 4 && !strncmp(text + k, "mode", 4)) {
			if (end - v == 5 && !strncmp(text + v, "chain", 5))
				out->mode = HVCFG_MODE_CHAIN;
			else if (end - v == 4 && !strncmp(text + v, "boot", 4))
				out->mode = HVCFG_MODE_BOOT;
			else
				goto bad;
		} else if (kl == 4 && !strncmp(text + k, "next", 4) && v < end) {
			copy_word(out->next, sizeof(out->next), text + v, end - v);
		} else if (kl == 7 && !strncmp(text + k, "cmdline", 7)) {
			size_t i;

			for (i = 0; v + i < end && i + 1 < sizeof(out->cmdline); i++)
				out->cmdline[i] = text[v + i];
			out->cmdline[i] = 0;
			out->has_cmdline = true;
		} else if (kl == 6 && !strncmp(text + k, "module", 6) && v < end &&
			   out->module_count < BOOT_MODULES_MAX) {
			struct hvcfg_module *m = &out->modules[out->module_count++];
			size_t pl, i;

			for (pl = 0; v + pl < end && text[v + pl] != ' '; pl++)
				;
			copy_word(m->path, sizeof(m->path), text + v, pl);
			for (v += pl; v < end && text[v] == ' '; v++)
				;
			for (i = 0; v + i < end && i + 1 < sizeof(m->cmdline); i++)
				m->cmdline[i] = text[v + i];
			m->cmdline[i] = 0;
		} else {
			goto bad;
		}
	}
	return true;
bad:
	fmt_error(0, err, err_size, "line %u: not understood", line);
	return false;
}
