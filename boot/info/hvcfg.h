/* boot/info/hvcfg.h - hv.cfg, hv.efi's configuration file.
 * TEMPORARY STAND-IN (branch efiapp): the interface of branch efipure's parser,
 * with a trivial implementation; efipure's hvcfg.{h,c} replace both files. */
#ifndef BOOT_INFO_HVCFG_H
#define BOOT_INFO_HVCFG_H

#include "boot/info/boot_info.h"

#define HVCFG_PATH_MAX 256

enum hvcfg_mode {
	HVCFG_MODE_CHAIN = 0,   /* start the next boot loader as the guest */
	HVCFG_MODE_BOOT,        /* ExitBootServices and run the configured guests */
};

struct hvcfg {
	enum hvcfg_mode mode;
	char cmdline[BOOT_CMDLINE_MAX];
	bool has_cmdline;
	struct hvcfg_module {
		char path[HVCFG_PATH_MAX];
		char cmdline[BOOT_MOD_CMDLINE_MAX];
	} modules[BOOT_MODULES_MAX];
	unsigned int module_count;
	char next[HVCFG_PATH_MAX];   /* "" = BootNext, else BootOrder */
};

/* Parses hv.cfg's text (len bytes, not NUL-terminated). Returns true and fills
 * out, or false with the reason, naming the line, in err. */
bool hvcfg_parse(const char *text, size_t len, struct hvcfg *out, char *err, size_t err_size);

#endif
