/* boot/efi/load_option.h - EFI_LOAD_OPTION, the value of a Boot#### variable
 * (UEFI 2.10, 3.1.3 "Load Options"). Pure: checks every length. */
#ifndef BOOT_EFI_LOAD_OPTION_H
#define BOOT_EFI_LOAD_OPTION_H

#include "lib/compiler.h"

#define LOAD_OPTION_ACTIVE          0x00000001u
#define LOAD_OPTION_HIDDEN          0x00000008u
#define LOAD_OPTION_CATEGORY_MASK   0x00001f00u
#define LOAD_OPTION_CATEGORY_BOOT   0x00000000u   /* APP (0x100) options are not booted by the boot manager */

struct load_option {
	uint32_t attributes;           /* LOAD_OPTION_* */
	char description[64];          /* ASCII, '?' for other characters, truncated */
	const uint8_t *file_path;      /* FilePathList[0] and the rest, inside the parsed buffer */
	size_t file_path_len;          /* FilePathListLength in bytes */
	const uint8_t *optional;       /* OptionalData: what the boot manager passes as LoadOptions */
	size_t optional_len;
};

/* Parses the load option in buf (len bytes). Returns 0, or -EINVAL with a
 * reason in err (description without its NUL, a file path list that runs past
 * the end or holds no well-formed path). */
int load_option_parse(const uint8_t *buf, size_t len, struct load_option *out, char *err, size_t errlen);

/* True for an option the boot manager would boot: active, category boot. */
bool load_option_bootable(const struct load_option *o);

#endif
