/* boot/info/hvcfg.h - hv.cfg, the configuration file beside hv.efi: what the UEFI entry boots
 * (syntax: README.md, "hv.cfg (UEFI)"). */
#ifndef BOOT_HVCFG_H
#define BOOT_HVCFG_H

#include "boot/info/boot_info.h"

#define HVCFG_PATH_MAX 256             /* a path, NUL included */

enum hvcfg_mode {
	HVCFG_MODE_CHAIN = 0,              /* take over the machine, then start the next boot loader */
	HVCFG_MODE_BOOT,                   /* load the modules and run them as guests, as from GRUB */
};

struct hvcfg_module {
	char path[HVCFG_PATH_MAX];         /* absolute on hv.efi's volume, '\' separators: "\boot\vmlinuz" */
	char cmdline[BOOT_MOD_CMDLINE_MAX]; /* as after "module2 PATH" in grub.cfg, "" if none */
};

struct hvcfg {
	enum hvcfg_mode mode;
	char cmdline[BOOT_CMDLINE_MAX];    /* the hypervisor's command line */
	bool has_cmdline;                  /* a cmdline line was given (it may be empty) */
	struct hvcfg_module modules[BOOT_MODULES_MAX];
	unsigned int module_count;
	char next[HVCFG_PATH_MAX];         /* chain mode's next loader like a module path; "": BootNext/BootOrder */
};

/* Sets cfg to what a missing or broken hv.cfg means: chain mode, nothing else. */
void hvcfg_default(struct hvcfg *cfg);

/*
 * Parses len bytes of hv.cfg at text (not NUL-terminated; len may be 0) into
 * out. Returns true; or false with out left as hvcfg_default makes it and the
 * first error in err, "hv.cfg line 3: unknown command "modul" (expected mode,
 * cmdline, module, next)", so that the caller can report it and boot on.
 */
bool hvcfg_parse(const char *text, size_t len, struct hvcfg *out, char *err, size_t err_size);

#endif
