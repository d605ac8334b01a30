/* shell/line_edit.c - the shell's line editor: keys in, echo bytes out (no hardware). */
#include "shell/line_edit.h"

#define KEY_CTRL_U  0x15
#define KEY_BS      0x08
#define KEY_DEL     0x7f
#define KEY_TAB     '\t'
#define KEY_ESC     0x1b
#define CSI_MAX_PARAMS 16        /* longer sequences are garbage: give up on them */

static unsigned int str_len(const char *s)
{
	unsigned int n = 0;

	while (s[n])
		n++;
	return n;
}

static void str_copy(char *dst, const char *src)
{
	unsigned int i = 0;

	for (; src[i] && i + 1 < LE_LINE_MAX; i++)
		dst[i] = src[i];
	dst[i] = 0;
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static void out_put(struct le_output *out, char c)
{
	if (out->len >= LE_OUT_MAX) {
		out->overflow = true;
		return;
	}
	out->buf[out->len++] = c;
	out->buf[out->len] = 0;
}

static void out_puts(struct le_output *out, const char *s)
{
	while (*s)
		out_put(out, *s++);
}

static void out_repeat(struct le_output *out, char c, unsigned int n)
{
	while (n--)
		out_put(out, c);
}

void le_output_reset(struct le_output *out)
{
	out->len = 0;
	out->buf[0] = 0;
	out->overflow = false;
}

void le_init(struct line_edit *le)
{
	char *p = (char *)le;

	for (size_t i = 0; i < sizeof(*le); i++)
		p[i] = 0;
	le->esc = LE_ESC_NONE;
	le->names = NULL;
}

void le_set_completions(struct line_edit *le, const char *const *names, unsigned int n)
{
	le->names = names;
	le->name_count = names ? n : 0;
}

const char *le_line(const struct line_edit *le)
{
	return le->buf;
}

/* Inserts s at the cursor as far as it fits, echoing the new text and the shifted tail. */
static void insert(struct line_edit *le, const char *s, unsigned int n, struct le_output *out)
{
	unsigned int tail = le->len - le->cursor;

	if (n > LE_LINE_MAX - 1 - le->len)
		n = LE_LINE_MAX - 1 - le->len;
	if (!n)
		return;
	for (unsigned int i = le->len; i > le->cursor; i--)
		le->buf[i - 1 + n] = le->buf[i - 1];
	for (unsigned int i = 0; i < n; i++)
		le->buf[le->cursor + i] = s[i];
	le->len += n;
	le->buf[le->len] = 0;
	for (unsigned int i = le->cursor; i < le->len; i++)
		out_put(out, le->buf[i]);
	le->cursor += n;
	out_repeat(out, '\b', tail);
}

static void backspace(struct line_edit *le, struct le_output *out)
{
	unsigned int tail = le->len - le->cursor;

	if (!le->cursor)
		return;
	for (unsigned int i = le->cursor; i <= le->len; i++)
		le->buf[i - 1] = le->buf[i];
	le->cursor--;
	le->len--;
	out_put(out, '\b');
	out_puts(out, le->buf + le->cursor);
	out_put(out, ' ');
	out_repeat(out, '\b', tail + 1);
}

/* Overwrites the whole line with s (cursor at its end), blanking what is left of the old one. */
static void replace_line(struct line_edit *le, const char *s, struct le_output *out)
{
	unsigned int old = le->len;

	out_repeat(out, '\b', le->cursor);
	str_copy(le->buf, s);
	le->len = le->cursor = str_len(le->buf);
	out_puts(out, le->buf);
	if (old > le->len) {
		out_repeat(out, ' ', old - le->len);
		out_repeat(out, '\b', old - le->len);
	}
}

/* The k-th most recent history line, k = 1..hist_count. */
static const char *hist_get(const struct line_edit *le, unsigned int k)
{
	return le->hist[(le->hist_next + LE_HISTORY - k) % LE_HISTORY];
}

static void hist_up(struct line_edit *le, struct le_output *out)
{
	if (le->hist_pos >= le->hist_count)
		return;
	if (!le->hist_pos)
		str_copy(le->draft, le->buf);
	le->hist_pos++;
	replace_line(le, hist_get(le, le->hist_pos), out);
}

static void hist_down(struct line_edit *le, struct le_output *out)
{
	if (!le->hist_pos)
		return;
	le->hist_pos--;
	replace_line(le, le->hist_pos ? hist_get(le, le->hist_pos) : le->draft, out);
}

/* Lines of only spaces are not worth recalling; nor is the line just before. */
static void hist_add(struct line_edit *le)
{
	const char *p = le->buf;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || (le->hist_count && str_eq(hist_get(le, 1), le->buf)))
		return;
	str_copy(le->hist[le->hist_next], le->buf);
	le->hist_next = (le->hist_next + 1) % LE_HISTORY;
	if (le->hist_count < LE_HISTORY)
		le->hist_count++;
}

static bool has_prefix(const char *s, const char *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (s[i] != p[i])
			return false;
	return true;
}

/* Completes the command name: only the first word, and only with the cursor at its end. */
static void complete(struct line_edit *le, bool second, struct le_output *out)
{
	unsigned int start = 0, plen, matches = 0, common = 0;
	const char *first = NULL;

	while (start < le->len && (le->buf[start] == ' ' || le->buf[start] == '\t'))
		start++;
	if (le->cursor != le->len)
		return;
	for (unsigned int i = start; i < le->len; i++)
		if (le->buf[i] == ' ' || le->buf[i] == '\t')
			return;
	plen = le->len - start;
	for (unsigned int i = 0; i < le->name_count; i++) {
		const char *name = le->names[i];

		if (!has_prefix(name, le->buf + start, plen))
			continue;
		if (!matches++) {
			first = name;
			common = str_len(name);
		} else {
			unsigned int j = plen;

			while (j < common && name[j] == first[j])
				j++;
			common = j;
		}
	}
	if (!matches)
		return;
	if (matches == 1) {
		insert(le, first + plen, common - plen, out);
		insert(le, " ", 1, out);
		return;
	}
	if (common > plen) {
		insert(le, first + plen, common - plen, out);
		return;
	}
	if (!second)
		return;
	out_puts(out, "\r\n");
	for (unsigned int i = 0, shown = 0; i < le->name_count; i++) {
		if (!has_prefix(le->names[i], le->buf + start, plen))
			continue;
		if (shown++)
			out_puts(out, "  ");
		out_puts(out, le->names[i]);
	}
	out_puts(out, "\r\n");
	out_puts(out, le->buf);
}

/* The final byte of ESC [ ... or ESC O ...: arrows without parameters; anything else is dropped. */
static void csi_final(struct line_edit *le, char c, struct le_output *out)
{
	if (le->esc_params)
		return;
	switch (c) {
	case 'A':
		hist_up(le, out);
		break;
	case 'B':
		hist_down(le, out);
		break;
	case 'C':
		if (le->cursor < le->len)
			out_put(out, le->buf[le->cursor++]);
		break;
	case 'D':
		if (le->cursor) {
			le->cursor--;
			out_put(out, '\b');
		}
		break;
	}
}

/* Advances the escape state machine by c; returns false if c is an ordinary key. */
static bool escape(struct line_edit *le, char c, struct le_output *out)
{
	if (le->esc != LE_ESC_NONE && ((unsigned char)c < 0x20 || c == KEY_DEL))
		le->esc = LE_ESC_NONE;  /* a control key cuts a sequence short and counts as itself */
	switch (le->esc) {
	case LE_ESC_NONE:
		if (c != KEY_ESC)
			return false;
		le->esc = LE_ESC_ESC;
		return true;
	case LE_ESC_ESC:
		le->esc_params = 0;
		le->esc = (c == '[' || c == 'O') ? LE_ESC_CSI : LE_ESC_NONE;
		return true;
	case LE_ESC_CSI:
		if (c >= 0x20 && c <= 0x3f && ++le->esc_params <= CSI_MAX_PARAMS)
			return true;        /* parameter and intermediate bytes (ECMA-48 5.4) */
		le->esc = LE_ESC_NONE;
		if (c >= 0x40 && c <= 0x7e)
			csi_final(le, c, out);
		return true;
	}
	return false;
}

enum le_result le_feed(struct line_edit *le, char c, struct le_output *out)
{
	bool after_cr = le->after_cr, last_tab = le->last_tab;

	if (c == '\n' && after_cr) {
		le->after_cr = false;
		return LE_CONTINUE;     /* the \n of "\r\n": the line is still le_line() */
	}
	if (le->done) {
		le->done = false;
		le->len = le->cursor = 0;
		le->buf[0] = 0;
	}
	le->after_cr = false;
	le->last_tab = false;
	if (escape(le, c, out))
		return LE_CONTINUE;
	switch (c) {
	case '\n':
	case '\r':
		le->after_cr = c == '\r';
		out_puts(out, "\r\n");
		hist_add(le);
		le->hist_pos = 0;
		le->done = true;
		return LE_LINE;
	case KEY_BS:
	case KEY_DEL:
		backspace(le, out);
		break;
	case KEY_CTRL_U:
		replace_line(le, "", out);
		break;
	case KEY_TAB:
		complete(le, last_tab, out);
		le->last_tab = true;
		break;
	default:
		if (c >= 0x20 && c < 0x7f)
			insert(le, &c, 1, out);
		break;
	}
	return LE_CONTINUE;
}
