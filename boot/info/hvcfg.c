/* boot/info/hvcfg.c - the hv.cfg parser: one command per line (README.md, "hv.cfg (UEFI)").
 * The file comes from a FAT volume anyone may have edited: every byte is checked, every
 * field bounded, and the first error leaves the safe default (chain mode). */
#include "boot/info/hvcfg.h"
#include "lib/format.h"
#include "lib/string.h"

#define QUOTE_MAX 40                   /* bytes of the input quoted in a message */

/* Parser state. */
struct hvcfg_parser {
	struct hvcfg *cfg;
	char *err;                         /* caller's message buffer, may be NULL */
	size_t errlen;
	size_t line;                       /* the line being parsed, from 1 */
	size_t mode_line, cmdline_line, next_line;   /* where each was given, 0 if not yet */
};

/* A piece of the current line: [p, p + n). */
struct span {
	const char *p;
	size_t n;
};

static bool __printf(2, 3) fail(struct hvcfg_parser *ps, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (!ps->err || !ps->errlen)
		return false;
	k = fmt_snprintf(ps->err, ps->errlen, "hv.cfg line %zu: ", ps->line);
	if (k >= 0 && (size_t)k < ps->errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(ps->err + k, ps->errlen - k, fmt, ap);
		va_end(ap);
	}
	return false;
}

/* s for a message: at most QUOTE_MAX bytes, "..." if cut, non-ASCII as '?'. */
static const char *quote(char buf[QUOTE_MAX + 4], struct span s)
{
	size_t i;

	for (i = 0; i < s.n && i < QUOTE_MAX; i++)
		buf[i] = (unsigned char)s.p[i] < 0x80 ? s.p[i] : '?';
	if (i < s.n)
		for (int j = 0; j < 3; j++)
			buf[i++] = '.';
	buf[i] = '\0';
	return buf;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool span_is(struct span s, const char *word)
{
	size_t n = strlen(word);

	return s.n == n && !memcmp(s.p, word, n);
}

/* Splits the first word (blank-separated) off s: *word gets it, s keeps the rest from
 * the next non-blank. Returns false if s held no word. */
static bool take_word(struct span *s, struct span *word)
{
	size_t i = 0;

	while (i < s->n && !is_blank(s->p[i]))
		i++;
	*word = (struct span){ s->p, i };
	while (i < s->n && is_blank(s->p[i]))
		i++;
	*s = (struct span){ s->p + i, s->n - i };
	return word->n > 0;
}

/*
 * Length of the character at s (n > 0 bytes left) if it is a printable
 * character in UTF-8 (tab counts as one), else 0: C0 and C1 controls, DEL,
 * stray continuation bytes, overlong forms, surrogates and code points past
 * U+10FFFF are not.
 */
static size_t utf8_printable(const unsigned char *s, size_t n)
{
	uint32_t cp, min;
	size_t len;

	if (s[0] < 0x80)
		return (s[0] >= 0x20 && s[0] != 0x7f) || s[0] == '\t';
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	min = len == 2 ? 0xa0 : len == 3 ? 0x800 : 0x10000;  /* 0x80-0x9f: C1 controls */
	if (n < len)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static bool check_bytes(struct hvcfg_parser *ps, struct span s)
{
	const unsigned char *p = (const unsigned char *)s.p;
	size_t i = 0, k;

	while (i < s.n) {
		k = utf8_printable(p + i, s.n - i);
		if (k) {
			i += k;
			continue;
		}
		if (p[i] == 0)
			return fail(ps, "NUL byte at column %zu", i + 1);
		if (p[i] == '\r')
			return fail(ps, "carriage return at column %zu not ending the line", i + 1);
		if (p[i] < 0x20 || p[i] == 0x7f)
			return fail(ps, "control character 0x%02x at column %zu", p[i], i + 1);
		return fail(ps, "byte 0x%02x at column %zu is not printable UTF-8", p[i], i + 1);
	}
	return true;
}

/* Characters FAT does not allow in names (and ':' would name a volume). */
static bool bad_path_char(char c)
{
	return c == '"' || c == '*' || c == ':' || c == '<' || c == '>' || c == '?' || c == '|' ||
	       (unsigned char)c >= 0x80 || c < 0x20;
}

static bool is_sep(char c)
{
	return c == '/' || c == '\\';
}

/*
 * Writes path p, absolute on hv.efi's volume with '/' or '\' separators, to dst
 * as UEFI writes paths: '\' separators, one between components, none at the end.
 */
static bool parse_path(struct hvcfg_parser *ps, const char *cmd, struct span p, char dst[HVCFG_PATH_MAX])
{
	char q[QUOTE_MAX + 4];
	size_t i = 0, out = 0, start;

	if (!is_sep(p.p[0]))
		return fail(ps, "%s: path \"%s\" is not absolute (start it with / or \\)", cmd,
			    quote(q, p));
	if (is_sep(p.p[p.n - 1]))
		return fail(ps, "%s: path \"%s\" ends with a separator: it names a directory, not a file",
			    cmd, quote(q, p));
	while (i < p.n) {
		while (i < p.n && is_sep(p.p[i]))
			i++;
		for (start = i; i < p.n && !is_sep(p.p[i]); i++)
			if (bad_path_char(p.p[i]))
				return fail(ps, "%s: path \"%s\": %s", cmd, quote(q, p),
					    (unsigned char)p.p[i] >= 0x80 ? "not ASCII" :
					    "a character FAT does not allow (one of \" * : < > ? |)");
		if (span_is((struct span){ p.p + start, i - start }, ".") ||
		    span_is((struct span){ p.p + start, i - start }, ".."))
			return fail(ps, "%s: path \"%s\": no . or .. components, please", cmd, quote(q, p));
		if (HVCFG_PATH_MAX - out < 2 + (i - start))
			return fail(ps, "%s: path longer than %u characters", cmd, HVCFG_PATH_MAX - 1);
		dst[out++] = '\\';
		memcpy(dst + out, p.p + start, i - start);
		out += i - start;
	}
	dst[out] = '\0';
	return true;
}

/* Copies text to dst (size bytes, NUL included); cmd names the command in a message. */
static bool copy_text(struct hvcfg_parser *ps, const char *cmd, struct span text, char *dst,
		      size_t size)
{
	if (text.n >= size)
		return fail(ps, "%s: command line longer than %zu characters", cmd, size - 1);
	memcpy(dst, text.p, text.n);
	dst[text.n] = '\0';
	return true;
}

static bool once(struct hvcfg_parser *ps, const char *cmd, size_t *seen)
{
	if (*seen)
		return fail(ps, "%s given twice (first on line %zu)", cmd, *seen);
	*seen = ps->line;
	return true;
}

static bool nothing_after(struct hvcfg_parser *ps, const char *cmd, struct span rest)
{
	char q[QUOTE_MAX + 4];

	if (rest.n)
		return fail(ps, "%s: unexpected \"%s\" at the end of the line", cmd, quote(q, rest));
	return true;
}

static bool cmd_mode(struct hvcfg_parser *ps, struct span rest)
{
	char q[QUOTE_MAX + 4];
	struct span w;

	if (!once(ps, "mode", &ps->mode_line))
		return false;
	if (!take_word(&rest, &w))
		return fail(ps, "mode: missing boot or chain");
	if (span_is(w, "boot"))
		ps->cfg->mode = HVCFG_MODE_BOOT;
	else if (span_is(w, "chain"))
		ps->cfg->mode = HVCFG_MODE_CHAIN;
	else
		return fail(ps, "mode: \"%s\" is neither boot nor chain", quote(q, w));
	return nothing_after(ps, "mode", rest);
}

static bool cmd_cmdline(struct hvcfg_parser *ps, struct span rest)
{
	if (!once(ps, "cmdline", &ps->cmdline_line) ||
	    !copy_text(ps, "cmdline", rest, ps->cfg->cmdline, BOOT_CMDLINE_MAX))
		return false;
	ps->cfg->has_cmdline = true;
	return true;
}

static bool cmd_module(struct hvcfg_parser *ps, const char *cmd, struct span rest)
{
	struct hvcfg *cfg = ps->cfg;
	struct hvcfg_module *m;
	struct span path;

	if (!take_word(&rest, &path))
		return fail(ps, "%s: missing PATH (and the module's command line after it)", cmd);
	if (cfg->module_count >= BOOT_MODULES_MAX)
		return fail(ps, "%s: more than %u modules", cmd, BOOT_MODULES_MAX);
	m = &cfg->modules[cfg->module_count];
	if (!parse_path(ps, cmd, path, m->path) ||
	    !copy_text(ps, cmd, rest, m->cmdline, BOOT_MOD_CMDLINE_MAX))
		return false;
	cfg->module_count++;
	return true;
}

static bool cmd_next(struct hvcfg_parser *ps, struct span rest)
{
	struct span path;

	if (!once(ps, "next", &ps->next_line))
		return false;
	if (!take_word(&rest, &path))
		return fail(ps, "next: missing PATH");
	return parse_path(ps, "next", path, ps->cfg->next) && nothing_after(ps, "next", rest);
}

/* One line, CR LF / LF removed, its bytes checked. */
static bool parse_line(struct hvcfg_parser *ps, struct span s)
{
	char q[QUOTE_MAX + 4];
	struct span cmd;

	while (s.n && is_blank(s.p[0]))
		s = (struct span){ s.p + 1, s.n - 1 };
	while (s.n && is_blank(s.p[s.n - 1]))
		s.n--;
	/* '#' only at the start: a module's command line may hold one. */
	if (!s.n || s.p[0] == '#')
		return true;
	take_word(&s, &cmd);
	if (span_is(cmd, "mode"))
		return cmd_mode(ps, s);
	if (span_is(cmd, "cmdline"))
		return cmd_cmdline(ps, s);
	if (span_is(cmd, "module") || span_is(cmd, "module2"))   /* module2: as in grub.cfg */
		return cmd_module(ps, span_is(cmd, "module") ? "module" : "module2", s);
	if (span_is(cmd, "next"))
		return cmd_next(ps, s);
	return fail(ps, "unknown command \"%s\" (expected mode, cmdline, module, next)",
		    quote(q, cmd));
}

void hvcfg_default(struct hvcfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = HVCFG_MODE_CHAIN;
}

bool hvcfg_parse(const char *text, size_t len, struct hvcfg *out, char *err, size_t err_size)
{
	struct hvcfg_parser ps = { .cfg = out, .err = err, .errlen = err_size };
	size_t pos = 0, end;

	if (err && err_size)
		err[0] = '\0';
	if (!out)
		return fail(&ps, "nothing to parse into");
	hvcfg_default(out);
	if (!text && len)
		return fail(&ps, "no text");
	/* A UTF-8 byte order mark, as Windows editors write one. */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		pos = 3;
	while (pos < len) {
		struct span s;

		ps.line++;
		for (end = pos; end < len && text[end] != '\n'; end++)
			;
		s = (struct span){ text + pos, end - pos };
		if (s.n && s.p[s.n - 1] == '\r')
			s.n--;
		if (!check_bytes(&ps, s) || !parse_line(&ps, s)) {
			hvcfg_default(out);
			return false;
		}
		pos = end + (end < len);
	}
	return true;
}
