/* boot/efi/console.c - hv.efi's console: COM1 like the hypervisor, and the firmware's ConOut. */
#include <stdarg.h>
#include "boot/efi/console.h"
#include "drivers/uart16550.h"
#include "lib/format.h"

#define COM1_PORT 0x3f8
#define COM1_BAUD 115200
#define LINE_MAX  320

static struct uart com1;
static SIMPLE_TEXT_OUTPUT_INTERFACE *con_out;

void efi_console_init(EFI_SYSTEM_TABLE *st)
{
	/* A machine without COM1 (the scratch-register test fails) keeps ConOut. */
	uart_init(&com1, COM1_PORT, COM1_BAUD);
	con_out = st ? st->ConOut : NULL;
}

struct line {
	char buf[LINE_MAX];
	size_t len;
};

static void line_putc(void *ctx, char c)
{
	struct line *l = ctx;

	if (l->len + 1 < sizeof(l->buf))
		l->buf[l->len++] = c;
}

/* ConOut takes UCS-2 and wants CR LF; non-ASCII bytes never occur in our lines. */
static void screen_write(const char *s, size_t len)
{
	CHAR16 w[LINE_MAX + 3];
	size_t i, n = 0;

	if (!con_out)
		return;
	for (i = 0; i < len && n < LINE_MAX; i++)
		w[n++] = (unsigned char)s[i] < 0x80 ? (CHAR16)s[i] : L'?';
	w[n++] = L'\r';
	w[n++] = L'\n';
	w[n] = 0;
	con_out->OutputString(con_out, w);
}

void efi_log(unsigned int flags, const char *fmt, ...)
{
	struct line l = { .len = 0 };
	va_list ap;
	size_t i;

	for (const char *p = "hv.efi: "; *p; p++)
		line_putc(&l, *p);
	va_start(ap, fmt);
	fmt_vcbprintf(line_putc, &l, fmt, ap);
	va_end(ap);
	for (i = 0; i < l.len; i++)
		uart_putc(&com1, l.buf[i]);
	uart_putc(&com1, '\r');
	uart_putc(&com1, '\n');
	if (flags & EFI_LOG_SCREEN)
		screen_write(l.buf, l.len);
}
