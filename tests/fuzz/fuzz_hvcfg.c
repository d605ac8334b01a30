/* tests/fuzz/fuzz_hvcfg.c - libFuzzer target: random bytes as hv.cfg through hvcfg_parse, with
 * ASan and UBSan watching. Beyond "no crash, no UB" it checks the contract: a failed parse
 * leaves the default (chain mode, nothing else) and says "hv.cfg line N: ..."; a successful one
 * leaves terminated strings within their arrays, at most BOOT_MODULES_MAX modules, and paths
 * that are absolute, '\'-separated, free of "." and ".." components and of FAT-illegal bytes.
 */
#include <stdlib.h>
#include <string.h>
#include "boot/info/hvcfg.h"

static void check_path(const char *p, bool may_be_empty)
{
	size_t n = strnlen(p, HVCFG_PATH_MAX);

	if (n == HVCFG_PATH_MAX)
		abort();
	if (!n) {
		if (!may_be_empty)
			abort();
		return;
	}
	if (p[0] != '\\' || p[n - 1] == '\\' || strstr(p, "\\\\") || strpbrk(p, "/\"*:<>?|"))
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] >= 0x80)
			abort();
	for (const char *c = p; c; c = strchr(c + 1, '\\'))
		if (!strncmp(c, "\\.\\", 3) || !strcmp(c, "\\.") || !strncmp(c, "\\..\\", 4) ||
		    !strcmp(c, "\\.."))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hvcfg cfg, def;
	char err[160];

	memset(&cfg, 0xa5, sizeof(cfg));
	if (!hvcfg_parse((const char *)data, size, &cfg, err, sizeof(err))) {
		hvcfg_default(&def);
		if (memcmp(&cfg, &def, sizeof(cfg)) || strncmp(err, "hv.cfg line ", 12))
			abort();
		return 0;
	}
	if (err[0] || (cfg.mode != HVCFG_MODE_CHAIN && cfg.mode != HVCFG_MODE_BOOT) ||
	    cfg.module_count > BOOT_MODULES_MAX ||
	    strnlen(cfg.cmdline, BOOT_CMDLINE_MAX) == BOOT_CMDLINE_MAX ||
	    (!cfg.has_cmdline && cfg.cmdline[0]))
		abort();
	check_path(cfg.next, true);
	for (unsigned int i = 0; i < cfg.module_count; i++) {
		check_path(cfg.modules[i].path, false);
		if (strnlen(cfg.modules[i].cmdline, BOOT_MOD_CMDLINE_MAX) == BOOT_MOD_CMDLINE_MAX)
			abort();
	}
	return 0;
}
