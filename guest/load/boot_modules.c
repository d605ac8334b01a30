/* guest/load/boot_modules.c - which boot modules are guests, initrds and
 * kernel modules (the first word of their command line), and the command
 * lines they pass on. */
#include "guest/load/boot_modules.h"
#include "lib/string.h"

static bool first_word_is(const struct boot_module *m, const char *w)
{
	size_t n = strlen(w);

	return !strncmp(m->cmdline, w, n) && (m->cmdline[n] == 0 || m->cmdline[n] == ' ');
}

bool loader_is_guest_module(const struct boot_module *m)
{
	return first_word_is(m, "guest");
}

bool loader_is_initrd_module(const struct boot_module *m)
{
	return first_word_is(m, "initrd");
}

bool loader_is_module_module(const struct boot_module *m)
{
	return first_word_is(m, "module");
}

unsigned int loader_guest_modules(const struct boot_info *bi, const struct boot_module *m,
				  unsigned int *first)
{
	unsigned int i = (unsigned int)(m - bi->modules) + 1, n = 0;

	if (i < bi->module_count && loader_is_initrd_module(&bi->modules[i]))
		i++;
	*first = i;
	while (i + n < bi->module_count && loader_is_module_module(&bi->modules[i + n]))
		n++;
	return n;
}

const char *loader_module_cmdline(const struct boot_module *m)
{
	const char *p = m->cmdline + 6;      /* after "module" */

	while (*p == ' ')
		p++;
	return p;
}

size_t loader_guest_cmdline(const struct boot_module *m, char *buf, size_t size)
{
	const char *p = m->cmdline + 5;      /* after "guest" */
	size_t n = 0;

	while (*p) {
		const char *w;
		size_t len;

		while (*p == ' ')
			p++;
		w = p;
		while (*p && *p != ' ')
			p++;
		len = (size_t)(p - w);
		if (!len || !strncmp(w, "hv.", 3))
			continue;
		if (n + len + 2 > size)
			break;
		if (n)
			buf[n++] = ' ';
		memcpy(buf + n, w, len);
		n += len;
	}
	if (size)
		buf[n < size ? n : size - 1] = 0;
	return n;
}
