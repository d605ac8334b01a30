/* tests/guests/lib/runtime.c - console lines, formatting and the check tally
 * of the test guests. */
#include "tests/guests/lib/guest.h"

static unsigned long nchecks, nfailed;

void *memset(void *d, int c, size_t n)
{
	volatile uint8_t *p = d;   /* volatile: clang would turn this loop back into memset */

	while (n--)
		*p++ = (uint8_t)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	volatile uint8_t *p = d;
	const uint8_t *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

size_t str_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Divides *N by BASE in place, returning the remainder; 16-bit steps keep to
 * 32-bit divisions, so the i386 build needs no libgcc. */
static unsigned divmod(uint64_t *n, unsigned base)
{
	uint64_t q = 0;
	uint32_t rem = 0;

	for (int shift = 48; shift >= 0; shift -= 16) {
		uint32_t cur = rem << 16 | (uint32_t)(*n >> shift & 0xffff);

		q |= (uint64_t)(cur / base) << shift;
		rem = cur % base;
	}
	*n = q;
	return rem;
}

struct out {
	char *buf;
	size_t size, len;          /* len counts what would have been written */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

/* A subset of printf: %s %c %d %u %x %p, flags '0' and '-', a width, l, ll, z. */
int vfmt(char *buf, size_t size, const char *f, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		bool zero = false, left = false;
		unsigned width = 0, longs = 0;

		for (f++; *f == '0' || *f == '-'; f++)
			*f == '0' ? (zero = true) : (left = true);
		for (; *f >= '0' && *f <= '9'; f++)
			width = width * 10 + (unsigned)(*f - '0');
		for (; *f == 'l' || *f == 'z'; f++)   /* size_t is as wide as long on both targets */
			longs++;

		char tmp[24];
		const char *s = tmp;
		size_t n = 0;
		uint64_t v;
		bool neg = false;

		switch (*f) {
		case 's':
			s = va_arg(ap, const char *);
			n = str_len(s);
			break;
		case 'c':
			tmp[n++] = (char)va_arg(ap, int);
			break;
		case 'd':
		case 'u':
		case 'x':
		case 'p': {
			if (*f == 'p')
				v = (uintptr_t)va_arg(ap, void *);
			else if (*f == 'd') {
				int64_t sv = longs >= 2 ? va_arg(ap, long long) :
					     longs ? va_arg(ap, long) : va_arg(ap, int);
				neg = sv < 0;
				v = neg ? -(uint64_t)sv : (uint64_t)sv;
			} else
				v = longs >= 2 ? va_arg(ap, unsigned long long) :
				    longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			unsigned base = *f == 'x' || *f == 'p' ? 16 : 10;
			char *e = tmp + sizeof(tmp);
			do
				*--e = "0123456789abcdef"[divmod(&v, base)];
			while (v);
			if (*f == 'p') {
				*--e = 'x';
				*--e = '0';
			}
			if (neg)
				*--e = '-';
			s = e;
			n = (size_t)(tmp + sizeof(tmp) - e);
			break;
		}
		case '%':
			tmp[n++] = '%';
			break;
		default:                    /* unknown: print it as it is */
			tmp[n++] = '%';
			if (*f)
				tmp[n++] = *f;
			else
				f--;
			break;
		}
		if (zero && neg && n < width) {   /* the sign goes before the zeros */
			put(&o, '-');
			s++, n--, width--;
		}
		for (; !left && n < width; width--)
			put(&o, zero ? '0' : ' ');
		for (size_t i = 0; i < n; i++)
			put(&o, s[i]);
		for (; left && n < width; width--)
			put(&o, ' ');
	}
	if (o.size)
		o.buf[o.len < o.size ? o.len : o.size - 1] = '\0';
	return (int)o.len;
}

int fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vfmt(buf, size, f, ap);
	va_end(ap);
	return n;
}

const char *sfmt(const char *f, ...)
{
	static char bufs[16][160];
	static unsigned next;
	char *b = bufs[next++ % 16];
	va_list ap;

	va_start(ap, f);
	vfmt(b, sizeof(bufs[0]), f, ap);
	va_end(ap);
	return b;
}

void print(const char *s)
{
	hc(HC_CONSOLE_WRITE, gpa(s), (long)str_len(s), 0);
}

static char line[512];

void printf_(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vfmt(line, sizeof(line), f, ap);
	va_end(ap);
	print(line);
}

void check_counted(bool ok)
{
	nchecks++;
	if (!ok)
		nfailed++;
}

bool checkf(const char *desc, bool ok, const char *detail, ...)
{
	check_counted(ok);
	if (ok) {
		printf_("[%s] ok: %s\n", guest_name, desc);
	} else {
		char d[200];
		va_list ap;

		va_start(ap, detail);
		vfmt(d, sizeof(d), detail, ap);
		va_end(ap);
		printf_("[%s] FAILED: %s (%s)\n", guest_name, desc, d);
	}
	return ok;
}

bool check(const char *desc, bool ok)
{
	return checkf(desc, ok, "condition false");
}

/* Hypercall results and counts read best in decimal, addresses and MSRs in hex. */
static const char *num(uint64_t v)
{
	int64_t s = (int64_t)v;

	return s > -100000 && s < 100000 ? sfmt("%lld", (long long)s) :
					   sfmt("0x%llx", (unsigned long long)v);
}

bool check_eq(const char *desc, uint64_t got, uint64_t want)
{
	return checkf(desc, got == want, "got %s expected %s", num(got), num(want));
}

void report_done(void)
{
	printf_("[%s] done: %lu checks, %lu failed\n", guest_name, nchecks, nfailed);
}

void guest_exit(long status)
{
	for (;;)
		hc(HC_EXIT, status, 0, 0);
}

void finish(void)
{
	report_done();
	guest_exit((long)nfailed);
}
