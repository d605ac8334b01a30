/* boot/efi/load_option.c - EFI_LOAD_OPTION (UEFI 2.10, 3.1.3): UINT32 Attributes,
 * UINT16 FilePathListLength, CHAR16 Description[] (NUL-terminated), then the
 * file path list, then optional data up to the variable's end. */
#include "boot/efi/load_option.h"
#include "boot/efi/devpath.h"
#include "boot/efi/ucs2.h"
#include "lib/format.h"

#define LO_HEADER 6   /* Attributes + FilePathListLength */

int load_option_parse(const uint8_t *buf, size_t len, struct load_option *out, char *err, size_t errlen)
{
	size_t off = LO_HEADER, desc_units = 0, fpl;
	uint16_t desc[64];
	bool lossy = false;

	if (len < LO_HEADER + 2)
		return fmt_error(-EINVAL, err, errlen, "%zu bytes: shorter than a load option", len);
	out->attributes = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
			  (uint32_t)buf[3] << 24;
	fpl = (size_t)(buf[4] | buf[5] << 8);
	/* The description, read unit by unit (it is not aligned). */
	for (;;) {
		uint16_t c;

		if (off + 2 > len)
			return fmt_error(-EINVAL, err, errlen, "the description has no NUL");
		c = (uint16_t)(buf[off] | buf[off + 1] << 8);
		off += 2;
		if (!c)
			break;
		if (desc_units < ARRAY_SIZE(desc) - 1)
			desc[desc_units++] = c;
	}
	desc[desc_units] = 0;
	ucs2_to_ascii(out->description, sizeof(out->description), desc, desc_units, &lossy);
	if (fpl > len - off)
		return fmt_error(-EINVAL, err, errlen, "the file path list (%zu bytes) runs past the end", fpl);
	out->file_path = buf + off;
	out->file_path_len = fpl;
	if (!devpath_size(out->file_path, fpl))
		return fmt_error(-EINVAL, err, errlen, "the file path list holds no well-formed device path");
	out->optional = buf + off + fpl;
	out->optional_len = len - off - fpl;
	return 0;
}

bool load_option_bootable(const struct load_option *o)
{
	return (o->attributes & LOAD_OPTION_ACTIVE) &&
	       (o->attributes & LOAD_OPTION_CATEGORY_MASK) == LOAD_OPTION_CATEGORY_BOOT;
}
