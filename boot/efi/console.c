/* boot/efi/console.c - hv.efi's console: COM1 like the hypervisor, and the firmware's ConOut. */
#include <stdarg.h>
#include "boot/efi/console.h"
#include "drivers/uart16550.h"
#include "lib/format.h"

#define COM1_PORT 0x3f8
#define COM1_BAUD 115200
#define LINE_MAX  320

#define SCREENS_MAX 8
#define DP_MESSAGING 0x03
#define DP_MSG_UART  0x0e               /* UEFI 2.10, 10.3.4.13: UART device path node */
#define DP_END       0x7f
#define DP_ACPI      0x02
#define DP_ACPI_HID  0x01
#define PNP0501      0x050141d0u        /* EISA ID of a 16550 serial port */

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static struct uart com1;
static SIMPLE_TEXT_OUTPUT_INTERFACE *con_out;
/* ConOut is a splitter over every console, and firmware such as OVMF puts
 * a terminal on COM1 among them: a line written to COM1 and to ConOut
 * appeared twice on the serial port. Where a text output device sits on a
 * UART, the screen lines go to the other devices one by one instead. */
static SIMPLE_TEXT_OUTPUT_INTERFACE *screens[SCREENS_MAX];
static unsigned int screen_count;
static bool con_out_on_serial;

/* True if the device path is a terminal on COM1: a UART node, after an ACPI
 * node PNP0501 with UID 0 where there is one (10.3.3: ACPI device path). */
static bool path_on_com1(const EFI_DEVICE_PATH *dp)
{
	const uint8_t *p = (const uint8_t *)dp;
	uint32_t uid = 0;

	for (unsigned int i = 0; i < 64 && p[0] != DP_END; i++) {
		unsigned int len = (unsigned int)(p[2] | p[3] << 8);

		if (p[0] == DP_ACPI && p[1] == DP_ACPI_HID && len >= 12 && le32(p + 4) == PNP0501)
			uid = le32(p + 8);
		if (p[0] == DP_MESSAGING && p[1] == DP_MSG_UART)
			return uid == 0;
		if (len < 4)
			return false;
		p += len;
	}
	return false;
}

/* The text output devices that are not serial terminals (ConSplitter's own
 * handles have no device path and are left out: they are ConOut). */
static void find_screens(EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_HANDLE *h = NULL;
	UINTN n = 0;

	screen_count = 0;
	con_out_on_serial = false;
	if (EFI_ERROR(bs->LocateHandleBuffer(ByProtocol, &efi_text_out_guid, NULL, &n, &h)) || !h)
		return;
	for (UINTN i = 0; i < n; i++) {
		EFI_DEVICE_PATH *dp = NULL;
		SIMPLE_TEXT_OUTPUT_INTERFACE *o = NULL;

		if (EFI_ERROR(bs->HandleProtocol(h[i], &efi_device_path_guid, (void **)&dp)) || !dp ||
		    EFI_ERROR(bs->HandleProtocol(h[i], &efi_text_out_guid, (void **)&o)) || !o)
			continue;
		if (path_on_com1(dp))
			con_out_on_serial = true;
		else if (screen_count < SCREENS_MAX)
			screens[screen_count++] = o;
	}
	bs->FreePool(h);
}

void efi_console_init(EFI_SYSTEM_TABLE *st)
{
	/* A machine without COM1 (the scratch-register test fails) keeps ConOut. */
	bool have_com1 = uart_init(&com1, COM1_PORT, COM1_BAUD);

	con_out = st ? st->ConOut : NULL;
	screen_count = 0;
	con_out_on_serial = false;
	if (st && have_com1)
		find_screens(st);
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
	if (!con_out_on_serial) {
		con_out->OutputString(con_out, w);
		return;
	}
	for (unsigned int k = 0; k < screen_count; k++)
		screens[k]->OutputString(screens[k], w);
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
