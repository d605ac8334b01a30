/* lib/format.h - printf-style formatting into buffers or through a callback. */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H

#include <stdarg.h>
#include "lib/compiler.h"

/* Receives formatted output one character at a time. */
typedef void (*fmt_putc_fn)(void *ctx, char c);

/*
 * Formats like C99 printf: flags "-+ #0", width and precision (also "*"),
 * length modifiers hh h l ll z t j, conversions d i u x X o c s p %.
 * %p prints 0x followed by 16 hex digits; %s of NULL prints "(null)".
 * Unknown conversions are printed literally. No floating point.
 * Returns the number of characters produced.
 */
int fmt_vcbprintf(fmt_putc_fn out, void *ctx, const char *fmt, va_list ap);

/* Like vsnprintf: writes at most size-1 chars plus NUL (if size > 0) and
 * returns the length the full output would have had. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* For pure code that reports why it failed: formats the reason into err
 * (when err is not NULL and errlen > 0) and returns rc. */
int fmt_error(int rc, char *err, size_t errlen, const char *fmt, ...) __printf(4, 5);

/* Formats a byte count as "64 MiB", "1.5 GiB", "4 KiB", "123 B" (one decimal if not whole). */
int fmt_size(char *buf, size_t size, uint64_t bytes);

#endif
