/* boot/efi/ucs2.c - UCS-2 text to and from ASCII, and '\' paths (UEFI 2.10, 2.3.1; FAT names fold case). */
#include "boot/efi/ucs2.h"

size_t ucs2_to_ascii(char *dst, size_t size, const uint16_t *src, size_t units, bool *lossy)
{
	size_t n = 0, i;

	if (!size)
		return 0;
	for (i = 0; i < units && src[i] && n + 1 < size; i++) {
		uint16_t c = src[i];

		if (c >= 0x20 && c < 0x7f) {
			dst[n++] = (char)c;
		} else if (c == '\t') {
			dst[n++] = ' ';
		} else {
			dst[n++] = '?';
			if (lossy)
				*lossy = true;
		}
	}
	dst[n] = 0;
	return n;
}

int ascii_to_ucs2(uint16_t *dst, size_t units, const char *src)
{
	size_t n;

	for (n = 0; src[n]; n++) {
		if (n + 1 >= units) {
			if (units)
				dst[0] = 0;
			return -ENOSPC;
		}
		dst[n] = (unsigned char)src[n];
	}
	if (!units)
		return -ENOSPC;
	dst[n] = 0;
	return (int)n;
}

int efi_path_dir(const char *path, char *dir, size_t size)
{
	size_t i, cut = 0;

	for (i = 0; path[i]; i++)
		if (path[i] == '\\' || path[i] == '/')
			cut = i + 1;
	if (cut == 0) {
		if (size < 2)
			return -ENOSPC;
		dir[0] = '\\';
		dir[1] = 0;
		return 0;
	}
	if (cut + 1 > size)
		return -ENOSPC;
	for (i = 0; i < cut; i++)
		dir[i] = path[i] == '/' ? '\\' : path[i];
	dir[cut] = 0;
	return 0;
}

static char fold(char c)
{
	if (c == '/')
		return '\\';
	if (c >= 'a' && c <= 'z')
		return (char)(c - 'a' + 'A');
	return c;
}

bool efi_path_equal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (fold(*a) != fold(*b))
			return false;
	return *a == *b;
}
