/* boot/efi/config.c - hv.cfg and the load options (UEFI 2.10, 9.1: LoadOptions is the
 * boot option's OptionalData, UCS-2 text for options made by efibootmgr -u or a shell). */
#include "boot/efi/config.h"
#include "boot/efi/console.h"
#include "boot/efi/files.h"
#include "boot/efi/ucs2.h"
#include "lib/string.h"

#define HVCFG_NAME      "hv.cfg"
#define HVCFG_SIZE_MAX  (64 * KiB)   /* a configuration file, not a module */

/* The load options as a command line: only UCS-2 text that is not blank. */
static void load_options(struct efi_fw *fw, struct hvcfg *cfg)
{
	char text[BOOT_CMDLINE_MAX];
	const uint16_t *w;
	size_t units, n;
	bool lossy = false;

	if (!fw->loaded || !fw->loaded->LoadOptions || fw->loaded->LoadOptionsSize < 2) {
		efi_say("load options: none");
		return;
	}
	w = fw->loaded->LoadOptions;
	units = fw->loaded->LoadOptionsSize / 2;
	n = ucs2_to_ascii(text, sizeof(text), w, units, &lossy);
	while (n && text[n - 1] == ' ')
		text[--n] = 0;
	if (lossy) {
		efi_say("load options: %u bytes that are not ASCII text: ignored", fw->loaded->LoadOptionsSize);
		return;
	}
	if (!n) {
		efi_say("load options: empty");
		return;
	}
	memcpy(cfg->cmdline, text, n + 1);
	cfg->has_cmdline = true;
	efi_say("load options: hypervisor command line \"%s\"", cfg->cmdline);
}

static const char *mode_name(enum hvcfg_mode m)
{
	return m == HVCFG_MODE_BOOT ? "boot" : "chain";
}

enum efi_config_state efi_config_load(struct efi_fw *fw, struct hvcfg *cfg)
{
	char path[HVCFG_PATH_MAX + sizeof(HVCFG_NAME)], err[160];
	enum efi_config_state state;
	uint64_t len;
	void *text;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = HVCFG_MODE_CHAIN;
	memcpy(path, fw->self_dir, strlen(fw->self_dir) + 1);
	memcpy(path + strlen(path), HVCFG_NAME, sizeof(HVCFG_NAME));
	rc = efi_read_file(fw, path, EFI_READ_POOL, &text, &len, err, sizeof(err));
	if (rc == -ENOENT) {
		efi_say("no %s (%s): defaults: mode chain, next loader from BootNext/BootOrder", path, err);
		state = EFI_CONFIG_DEFAULT;
	} else if (rc < 0) {
		efi_shout("%s cannot be read (%s): continuing the boot without the hypervisor", path, err);
		state = EFI_CONFIG_MALFORMED;
	} else if (len > HVCFG_SIZE_MAX) {
		efi_shout("%s is malformed: %llu bytes, more than %llu: continuing the boot without the hypervisor",
			  path, (unsigned long long)len, (unsigned long long)HVCFG_SIZE_MAX);
		state = EFI_CONFIG_MALFORMED;
	} else if (!hvcfg_parse(text, (size_t)len, cfg, err, sizeof(err))) {
		/* The parser names the file "hv.cfg": name the one read instead. */
		const char *what = strncmp(err, "hv.cfg ", 7) == 0 ? err + 7 : err;

		efi_shout("%s %s: continuing the boot without the hypervisor", path, what);
		state = EFI_CONFIG_MALFORMED;
	} else {
		efi_say("%s: mode %s, next loader %s, %u module%s%s", path, mode_name(cfg->mode),
			cfg->next[0] ? cfg->next : "from BootNext/BootOrder", cfg->module_count,
			cfg->module_count == 1 ? "" : "s", cfg->has_cmdline ? ", a command line" : "");
		state = EFI_CONFIG_READ;
	}
	if (rc == 0)
		efi_free_file(fw, EFI_READ_POOL, text, len);
	if (state == EFI_CONFIG_MALFORMED) {
		/* Nothing of a malformed file is used: the boot goes on as without hv.efi. */
		memset(cfg, 0, sizeof(*cfg));
		cfg->mode = HVCFG_MODE_CHAIN;
		return state;
	}
	load_options(fw, cfg);
	return state;
}
