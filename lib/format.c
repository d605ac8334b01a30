/* lib/format.c - printf-style formatting (C99 7.19.6.1 subset, no floating point). */
#include <limits.h>
#include "lib/format.h"

#define FL_LEFT   (1u << 0)   /* '-': pad on the right */
#define FL_PLUS   (1u << 1)   /* '+': always print a sign on signed conversions */
#define FL_SPACE  (1u << 2)   /* ' ': space where a '+' would go */
#define FL_ALT    (1u << 3)   /* '#': 0x/0X prefix for x/X, leading 0 for o */
#define FL_ZERO   (1u << 4)   /* '0': pad integers with zeros after sign/prefix */

enum fmt_len { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

/* One parsed conversion specification. */
struct fmt_spec {
	unsigned int flags;     /* FL_* */
	int width;              /* minimum field width, 0 if none */
	int prec;               /* precision, -1 if none */
	enum fmt_len len;       /* length modifier */
	char conv;              /* conversion character */
};

/* The output sink plus the running count, which keeps growing past any
 * truncation the sink does so callers learn the full length. */
struct fmt_out {
	fmt_putc_fn putc;
	void *ctx;
	size_t count;
};

static void out_char(struct fmt_out *o, char c)
{
	o->putc(o->ctx, c);
	o->count++;
}

static void out_repeat(struct fmt_out *o, char c, long n)
{
	while (n-- > 0)
		out_char(o, c);
}

/* Digit accumulation saturates so an absurd width cannot overflow int. */
static int parse_num(const char **p)
{
	int v = 0;

	while (**p >= '0' && **p <= '9') {
		int d = **p - '0';

		v = v > (INT_MAX - d) / 10 ? INT_MAX : v * 10 + d;
		(*p)++;
	}
	return v;
}

/*
 * Prints magnitude v with an optional sign or 0x prefix. Order within the
 * field: [spaces] prefix [zeros] digits [spaces] (C99 7.19.6.1p6).
 */
static void emit_int(struct fmt_out *o, const struct fmt_spec *s, uint64_t v,
		     bool neg)
{
	const char *xdigits = s->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned int base = 10;
	char digits[24];        /* 22 octal digits cover 64 bits */
	char prefix[2];
	int ndig = 0, npre = 0;
	int prec = s->prec < 0 ? 1 : s->prec;
	long zeros, len;

	if (s->conv == 'x' || s->conv == 'X' || s->conv == 'p')
		base = 16;
	else if (s->conv == 'o')
		base = 8;

	if (s->conv == 'd' || s->conv == 'i') {
		if (neg)
			prefix[npre++] = '-';
		else if (s->flags & FL_PLUS)
			prefix[npre++] = '+';
		else if (s->flags & FL_SPACE)
			prefix[npre++] = ' ';
	} else if (s->conv == 'p' || (base == 16 && (s->flags & FL_ALT) && v)) {
		prefix[npre++] = '0';
		prefix[npre++] = s->conv == 'X' ? 'X' : 'x';
	}

	/* Precision 0 with value 0 yields no digits at all (7.19.6.1p8). */
	while (v) {
		digits[ndig++] = xdigits[v % base];
		v /= base;
	}
	zeros = prec > ndig ? prec - ndig : 0;

	/* '#' with o raises the precision just enough to start with a 0. */
	if (base == 8 && (s->flags & FL_ALT) && zeros == 0 &&
	    (ndig == 0 || digits[ndig - 1] != '0'))
		zeros = 1;

	len = npre + zeros + ndig;
	/* '0' is ignored with '-' and whenever a precision is given (p6). */
	if ((s->flags & (FL_ZERO | FL_LEFT)) == FL_ZERO && s->prec < 0 &&
	    s->width > len) {
		zeros += s->width - len;
		len = s->width;
	}

	if (!(s->flags & FL_LEFT))
		out_repeat(o, ' ', s->width - len);
	for (int i = 0; i < npre; i++)
		out_char(o, prefix[i]);
	out_repeat(o, '0', zeros);
	while (ndig > 0)
		out_char(o, digits[--ndig]);
	if (s->flags & FL_LEFT)
		out_repeat(o, ' ', s->width - len);
}

/* Prints up to n chars of str (n < 0: all), space-padded to the width. */
static void emit_str(struct fmt_out *o, const struct fmt_spec *s,
		     const char *str, long n)
{
	long len = 0;

	while ((n < 0 || len < n) && str[len])
		len++;
	if (!(s->flags & FL_LEFT))
		out_repeat(o, ' ', s->width - len);
	for (long i = 0; i < len; i++)
		out_char(o, str[i]);
	if (s->flags & FL_LEFT)
		out_repeat(o, ' ', s->width - len);
}

/* Reads a signed argument of the spec's length, widened to 64 bits. */
static int64_t arg_signed(const struct fmt_spec *s, va_list *ap)
{
	switch (s->len) {
	case LEN_HH: return (signed char)va_arg(*ap, int);
	case LEN_H:  return (short)va_arg(*ap, int);
	case LEN_L:  return va_arg(*ap, long);
	case LEN_LL: return va_arg(*ap, long long);
	case LEN_Z:  return (int64_t)va_arg(*ap, size_t);   /* the signed size_t */
	case LEN_T:  return va_arg(*ap, ptrdiff_t);
	case LEN_J:  return va_arg(*ap, intmax_t);
	default:     return va_arg(*ap, int);
	}
}

/* Reads an unsigned argument of the spec's length, widened to 64 bits. */
static uint64_t arg_unsigned(const struct fmt_spec *s, va_list *ap)
{
	switch (s->len) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:  return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:  return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_Z:  return va_arg(*ap, size_t);
	case LEN_T:  return (uint64_t)va_arg(*ap, ptrdiff_t);  /* the unsigned ptrdiff_t */
	case LEN_J:  return va_arg(*ap, uintmax_t);
	default:     return va_arg(*ap, unsigned int);
	}
}

/* Parses flags, width, precision and length after a '%'; *p ends on the
 * conversion character (possibly the terminating NUL). */
static void parse_spec(const char **p, struct fmt_spec *s, va_list *ap)
{
	const char *f = *p;

	s->flags = 0;
	s->width = 0;
	s->prec = -1;
	s->len = LEN_NONE;
	for (;; f++) {
		if (*f == '-')
			s->flags |= FL_LEFT;
		else if (*f == '+')
			s->flags |= FL_PLUS;
		else if (*f == ' ')
			s->flags |= FL_SPACE;
		else if (*f == '#')
			s->flags |= FL_ALT;
		else if (*f == '0')
			s->flags |= FL_ZERO;
		else
			break;
	}

	if (*f == '*') {
		int w = va_arg(*ap, int);

		/* A negative '*' width is a '-' flag plus a positive width. */
		if (w < 0) {
			s->flags |= FL_LEFT;
			w = w == INT_MIN ? INT_MAX : -w;
		}
		s->width = w;
		f++;
	} else {
		s->width = parse_num(&f);
	}

	if (*f == '.') {
		f++;
		if (*f == '*') {
			s->prec = va_arg(*ap, int);   /* negative: as if omitted */
			if (s->prec < 0)
				s->prec = -1;
			f++;
		} else {
			s->prec = parse_num(&f);
		}
	}

	switch (*f) {
	case 'h':
		f++;
		s->len = LEN_H;
		if (*f == 'h') {
			f++;
			s->len = LEN_HH;
		}
		break;
	case 'l':
		f++;
		s->len = LEN_L;
		if (*f == 'l') {
			f++;
			s->len = LEN_LL;
		}
		break;
	case 'z': f++; s->len = LEN_Z; break;
	case 't': f++; s->len = LEN_T; break;
	case 'j': f++; s->len = LEN_J; break;
	default: break;
	}
	s->conv = *f;
	*p = f;
}

/*
 * Formats fmt through out(ctx, c). %p is "0x" plus 16 lower-case hex digits
 * (width and '-' apply); an unknown conversion prints '%' and its character,
 * dropping flags, width and length; a lone '%' at the end prints '%'.
 * Returns the character count, saturated at INT_MAX.
 */
int fmt_vcbprintf(fmt_putc_fn out, void *ctx, const char *fmt, va_list ap)
{
	struct fmt_out o = { .putc = out, .ctx = ctx, .count = 0 };
	struct fmt_spec s;
	va_list args;
	const char *p;

	/* va_list is an array type on x86-64; a copy can be passed by pointer. */
	va_copy(args, ap);
	for (p = fmt; *p; p++) {
		if (*p != '%') {
			out_char(&o, *p);
			continue;
		}
		p++;
		parse_spec(&p, &s, &args);
		switch (s.conv) {
		case 'd':
		case 'i': {
			int64_t v = arg_signed(&s, &args);

			/* Negate in unsigned arithmetic: INT64_MIN has no positive twin. */
			emit_int(&o, &s, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			emit_int(&o, &s, arg_unsigned(&s, &args), false);
			break;
		case 'p':
			s.prec = 16;
			emit_int(&o, &s, (uintptr_t)va_arg(args, void *), false);
			break;
		case 'c': {
			char c = (char)va_arg(args, int);

			emit_str(&o, &s, &c, 1);
			break;
		}
		case 's': {
			const char *str = va_arg(args, const char *);

			emit_str(&o, &s, str ? str : "(null)", s.prec);
			break;
		}
		case '%':
			out_char(&o, '%');
			break;
		case '\0':
			out_char(&o, '%');
			p--;            /* let the loop see the terminator */
			break;
		default:
			out_char(&o, '%');
			out_char(&o, s.conv);
			break;
		}
	}
	va_end(args);
	return o.count > INT_MAX ? INT_MAX : (int)o.count;
}

/* A bounded buffer: chars past size-1 are counted but dropped. */
struct fmt_buf {
	char *buf;
	size_t size;
	size_t pos;
};

static void buf_putc(void *ctx, char c)
{
	struct fmt_buf *b = ctx;

	if (b->pos + 1 < b->size)
		b->buf[b->pos] = c;
	b->pos++;
}

/* Writes at most size-1 chars plus a NUL (nothing if size is 0, when buf may
 * be NULL); returns the length the untruncated output has. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_buf b = { .buf = buf, .size = size, .pos = 0 };
	int n = fmt_vcbprintf(buf_putc, &b, fmt, ap);

	if (size > 0)
		buf[b.pos < size ? b.pos : size - 1] = '\0';
	return n;
}

/* snprintf over fmt_vsnprintf. */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int fmt_error(int rc, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/*
 * Writes bytes in the largest binary unit it reaches, B up to EiB, with one
 * decimal rounded down ("1.99 MiB" prints "1.9 MiB") and omitted when it is
 * 0 (1 MiB + 1 byte prints "1 MiB"). Returns as fmt_snprintf.
 */
int fmt_size(char *buf, size_t size, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned int u = 0;
	uint64_t whole, rem, tenths;

	while (u + 1 < ARRAY_SIZE(units) && bytes >> (10 * (u + 1)))
		u++;
	whole = bytes >> (10 * u);
	rem = bytes & ((1ULL << (10 * u)) - 1);
	/* rem < 2^60 even for EiB, so rem * 10 cannot overflow. */
	tenths = (rem * 10) >> (10 * u);
	if (tenths)
		return fmt_snprintf(buf, size, "%llu.%llu %s", (unsigned long long)whole,
				    (unsigned long long)tenths, units[u]);
	return fmt_snprintf(buf, size, "%llu %s", (unsigned long long)whole, units[u]);
}
