/* lib/cmdline.c - the hypervisor's command line: words, options, sizes and numbers. */
#include "lib/cmdline.h"
#include "lib/format.h"

#define CMDLINE_VALUE_MAX 64      /* longer option values are refused as "too long" */
#define CMDLINE_SHOW_MAX  48      /* characters of a key or value quoted in a warning */

/*
 * One word of the line, raw: [start, end) still holds its quotes. Only the
 * quotes decide where a word ends; the split into key and value is at the
 * first '=', quoted or not, since keys never contain '='.
 */
struct cmdline_word {
	const char *start;         /* first character */
	const char *end;           /* one past the last character */
	const char *eq;            /* the first '=', or NULL for a bare word */
	bool open_quote;           /* a '"' was never closed: the word ran to the end */
};

/* Newlines count as spaces too: some loaders leave a trailing one. */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool str_ieq(const char *a, const char *b)
{
	for (; *a && lower(*a) == lower(*b); a++, b++)
		;
	return lower(*a) == lower(*b);
}

/* Advances *pp past the next word into w; returns false at the end of the line. */
static bool next_word(const char **pp, struct cmdline_word *w)
{
	const char *p = *pp;
	bool quoted = false;

	while (*p && is_space(*p))
		p++;
	if (!*p) {
		*pp = p;
		return false;
	}
	w->start = p;
	w->eq = NULL;
	for (; *p && (quoted || !is_space(*p)); p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '=' && !w->eq)
			w->eq = p;
	}
	w->end = p;
	w->open_quote = quoted;
	*pp = p;
	return true;
}

static const char *key_end(const struct cmdline_word *w)
{
	return w->eq ? w->eq : w->end;
}

/* Compares the word's key, quotes removed, with `key`. */
static bool key_equals(const struct cmdline_word *w, const char *key)
{
	const char *p, *e = key_end(w);

	for (p = w->start; p < e; p++) {
		if (*p == '"')
			continue;
		if (*p != *key++)
			return false;
	}
	return *key == '\0';
}

/* Copies [s, e) without its quotes to buf (NUL-terminated if size > 0);
 * returns the length, or -ERANGE if it had to be cut to fit. */
static int unquote(const char *s, const char *e, char *buf, size_t size)
{
	size_t n = 0;

	for (; s < e; s++) {
		if (*s == '"')
			continue;
		if (n + 1 < size)
			buf[n] = *s;
		n++;
	}
	if (size)
		buf[n < size ? n : size - 1] = '\0';
	if ((n >= size && n > 0) || n > 0x7fffffff)
		return -ERANGE;
	return (int)n;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Reads the digits at s: "0x"/"0X" then hex, else decimal (a leading 0 does
 * not mean octal). *end gets the first byte that is not a digit. Returns 0,
 * -EINVAL for no digits, -ERANGE if the value does not fit in 64 bits.
 */
static int parse_digits(const char *s, const char **end, uint64_t *out)
{
	unsigned int base = 10;
	bool over = false;
	uint64_t v = 0;
	const char *d;
	int dv;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (d = s; (dv = digit_value(*d)) >= 0 && (unsigned int)dv < base; d++) {
		if (v > (UINT64_MAX - (unsigned int)dv) / base)
			over = true;
		else
			v = v * base + (unsigned int)dv;
	}
	*end = d;
	if (d == s)
		return -EINVAL;
	*out = v;
	return over ? -ERANGE : 0;
}

/* Trailing garbage is reported before overflow: "99999999999999999999x" is -EINVAL. */
int parse_u64(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t v;
	int rc;

	if (!s)
		return -EINVAL;
	rc = parse_digits(s, &end, &v);
	if (rc == -EINVAL || *end)
		return -EINVAL;
	if (rc)
		return rc;
	*out = v;
	return 0;
}

/*
 * Suffixes K M G T P E (powers of 1024, either case) follow the number
 * directly; nothing may follow them. In hex the digits are read greedily, so
 * "0x1E" is 30 bytes and "0x10M" is 16 MiB.
 */
int parse_size(const char *s, uint64_t *out)
{
	static const char suffixes[] = "kmgtpe";
	unsigned int shift = 0, i;
	const char *end;
	uint64_t v;
	int rc;

	if (!s)
		return -EINVAL;
	rc = parse_digits(s, &end, &v);
	if (rc == -EINVAL)
		return -EINVAL;
	if (*end) {
		for (i = 0; suffixes[i] && suffixes[i] != lower(*end); i++)
			;
		if (!suffixes[i] || end[1])
			return -EINVAL;
		shift = 10 * (i + 1);
	}
	if (rc)
		return rc;
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

/* Option parsers: return NULL if val was taken, else why it was refused. */
typedef const char *(*cmdline_opt_fn)(const char *val, struct hv_options *o);

static const char *opt_serial(const char *val, struct hv_options *o)
{
	static const uint16_t com_ports[] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
	uint64_t v;

	if (lower(val[0]) == 'c' && lower(val[1]) == 'o' && lower(val[2]) == 'm' &&
	    val[3] >= '1' && val[3] <= '4' && !val[4]) {
		o->serial_port = com_ports[val[3] - '1'];
		return NULL;
	}
	if (parse_u64(val, &v))
		return "not com1..com4 or a port number";
	if (v == 0 || v > 0xffff)
		return "port must be 1..0xffff";
	o->serial_port = (uint16_t)v;
	return NULL;
}

static const char *opt_baud(const char *val, struct hv_options *o)
{
	uint64_t v;

	if (parse_u64(val, &v))
		return "not a number";
	if (v < 50 || v > 115200)
		return "must be 50..115200";
	if (115200 % v)
		return "must divide 115200";     /* the UART's divisor latch is 115200 / baud */
	o->serial_baud = (uint32_t)v;
	return NULL;
}

static const char *opt_hvmem(const char *val, struct hv_options *o)
{
	uint64_t v;
	int rc = parse_size(val, &v);

	if (rc == -ERANGE)
		return "too large";
	if (rc)
		return "not a size (e.g. 64M, 2G, 0x4000000)";
	if (v < 16 * MiB || v > 64 * GiB)
		return "must be 16M..64G";
	if (!IS_ALIGNED(v, 2 * MiB))
		return "must be a multiple of 2M";   /* mapped with 2 MiB pages */
	o->hv_mem = v;
	return NULL;
}

static const char *parse_bool(const char *val, bool *out)
{
	if (str_ieq(val, "on") || str_ieq(val, "yes") || str_ieq(val, "1"))
		*out = true;
	else if (str_ieq(val, "off") || str_ieq(val, "no") || str_ieq(val, "0"))
		*out = false;
	else
		return "must be on|off|yes|no|1|0";
	return NULL;
}

static const char *opt_heapdebug(const char *val, struct hv_options *o)
{
	return parse_bool(val, &o->debug_heap);
}

static const char *opt_debugexit(const char *val, struct hv_options *o)
{
	uint64_t v;

	if (parse_u64(val, &v))
		return "not a port number";
	if (!v || v > 0xfffc)
		return "port must be 1..0xfffc";
	o->debug_exit_port = (uint16_t)v;
	return NULL;
}

static const char *opt_eptmap(const char *val, struct hv_options *o)
{
	return parse_bool(val, &o->print_ept_map);
}

static const char *opt_cpus(const char *val, struct hv_options *o)
{
	uint64_t v;

	if (parse_u64(val, &v))
		return "not a number";
	if (!v || v > 256)
		return "must be 1..256";        /* PERCPU_MAX */
	o->max_cpus = (unsigned int)v;
	return NULL;
}

static const char *const ap_start_names[] = {
	[AP_START_AUTO] = "auto", [AP_START_SIPI] = "sipi", [AP_START_TRAP] = "trap",
};

const char *ap_start_name(enum ap_start a)
{
	return (unsigned int)a < ARRAY_SIZE(ap_start_names) ? ap_start_names[a] : "?";
}

enum ap_start ap_start_resolve(enum ap_start requested, bool wait_for_sipi)
{
	return requested == AP_START_TRAP || !wait_for_sipi ? AP_START_TRAP : AP_START_SIPI;
}

static const char *opt_apstart(const char *val, struct hv_options *o)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(ap_start_names); i++) {
		if (str_ieq(val, ap_start_names[i])) {
			o->ap_start = (enum ap_start)i;
			return NULL;
		}
	}
	return "must be auto|sipi|trap";
}

static const char *const iommu_mode_names[] = {
	[IOMMU_ON] = "on", [IOMMU_OFF] = "off", [IOMMU_REQUIRED] = "required",
};

const char *iommu_mode_name(enum iommu_mode m)
{
	return (unsigned int)m < ARRAY_SIZE(iommu_mode_names) ? iommu_mode_names[m] : "?";
}

static const char *opt_iommu(const char *val, struct hv_options *o)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(iommu_mode_names); i++) {
		if (str_ieq(val, iommu_mode_names[i])) {
			o->iommu = (enum iommu_mode)i;
			return NULL;
		}
	}
	return "must be off|on|required";
}

static const char *const test_fault_names[TEST_FAULT_COUNT] = {
	[TEST_FAULT_NONE] = "none",
	[TEST_FAULT_UD] = "ud",
	[TEST_FAULT_NULL] = "null",
	[TEST_FAULT_WRITE_TEXT] = "wtext",
	[TEST_FAULT_EXEC_DATA] = "xdata",
	[TEST_FAULT_STACK] = "stack",
	[TEST_FAULT_PANIC] = "panic",
	[TEST_FAULT_HEAP_OVERFLOW] = "heapoverflow",
	[TEST_FAULT_DOUBLE_FREE] = "doublefree",
	[TEST_FAULT_NMI] = "nmi",
	[TEST_FAULT_MC] = "mc",
	[TEST_FAULT_CPU_STACK] = "cpustack",
};

const char *test_fault_name(enum test_fault f)
{
	return (unsigned int)f < TEST_FAULT_COUNT ? test_fault_names[f] : "?";
}

static const char *opt_testfault(const char *val, struct hv_options *o)
{
	for (unsigned int i = 0; i < TEST_FAULT_COUNT; i++) {
		if (str_ieq(val, test_fault_names[i])) {
			o->test_fault = (enum test_fault)i;
			return NULL;
		}
	}
	return "must be ud|null|wtext|xdata|stack|panic|heapoverflow|doublefree|nmi";
}

static const char *opt_testvmx(const char *val, struct hv_options *o)
{
	static const char *const names[TEST_VMX_COUNT] = {
		[TEST_VMX_NONE] = "none", [TEST_VMX_FC_LOCKED] = "fclocked",
		[TEST_VMX_NO_EPT] = "noept", [TEST_VMX_NO_UG] = "noug",
		[TEST_VMX_NO_WFS] = "nowfs", [TEST_VMX_EFI_ENTRY] = "efientry",
		[TEST_VMX_AP_JOIN] = "apjoin",
	};

	for (unsigned int i = 0; i < TEST_VMX_COUNT; i++) {
		if (str_ieq(val, names[i])) {
			o->test_vmx = (enum test_vmx)i;
			return NULL;
		}
	}
	return "must be fclocked|noept|noug|nowfs|efientry|apjoin";
}

static const char *opt_testmmio(const char *val, struct hv_options *o)
{
	uint64_t v;

	if (parse_u64(val, &v))
		return "not an address";
	if (!v || v & 0xfff || v >= (1ULL << 52))
		return "must be a 4 KiB-aligned guest-physical address";
	o->test_mmio = v;
	return NULL;
}

static const char *opt_testx2apic(const char *val, struct hv_options *o)
{
	return parse_bool(val, &o->test_x2apic);
}

static const char *opt_testvtd(const char *val, struct hv_options *o)
{
	if (str_ieq(val, "qi"))
		o->test_vtd_qi = true;
	else if (str_ieq(val, "fw"))
		o->test_vtd_fw = true;
	else if (str_ieq(val, "auto"))
		o->test_vtd_qi = o->test_vtd_fw = false;
	else
		return "must be qi|fw|auto";
	return NULL;
}

static const char *opt_hvtest(const char *val, struct hv_options *o)
{
	return parse_bool(val, &o->test_hooks);
}

/* The options: adding one is one line here plus its field and parser. */
static const struct {
	const char *key;
	cmdline_opt_fn parse;
	const char *bare;          /* value a bare "key" word means, NULL if one is required */
	bool test_only;            /* a test hook: exists only with hvtest */
} cmdline_opts[] = {
	{ "serial",    opt_serial,    NULL,   false },
	{ "baud",      opt_baud,      NULL,   false },
	{ "hvmem",     opt_hvmem,     NULL,   false },
	{ "heapdebug", opt_heapdebug, "on",   false },
	{ "hvtest",    opt_hvtest,    "on",   false },
	{ "testfault", opt_testfault, NULL,   true },
	{ "testvmx",   opt_testvmx,   NULL,   true },
	{ "testmmio",  opt_testmmio,  NULL,   true },
	{ "testx2apic", opt_testx2apic, "on", true },
	{ "testvtd",   opt_testvtd,   NULL,   true },
	{ "eptmap",    opt_eptmap,    "on",   false },
	{ "debugexit", opt_debugexit, "0xf4", false },
	{ "cpus",      opt_cpus,      NULL,   false },
	{ "apstart",   opt_apstart,   NULL,   false },
	{ "iommu",     opt_iommu,     NULL,   false },
};

void cmdline_defaults(struct hv_options *o)
{
	unsigned char *z = (unsigned char *)o;
	size_t i;

	for (i = 0; i < sizeof(*o); i++)
		z[i] = 0;
	o->serial_port = 0x3f8;
	o->serial_baud = 115200;
	o->hv_mem = 64 * MiB;
	o->debug_heap = true;
}

/* Warnings of one cmdline_parse() call. */
struct cmdline_warner {
	struct hv_options *o;
	unsigned int dropped;      /* warnings that did not get a slot of their own */
};

/*
 * The first CMDLINE_MAX_WARNINGS - 1 warnings are kept as they are; the last
 * slot holds the next one, or, once more arrive, "... and N more warnings".
 */
static void __printf(2, 3) cmdline_warn(struct cmdline_warner *wr, const char *fmt, ...)
{
	struct hv_options *o = wr->o;
	va_list ap;

	if (o->warning_count < CMDLINE_MAX_WARNINGS) {
		va_start(ap, fmt);
		fmt_vsnprintf(o->warnings[o->warning_count++], CMDLINE_WARNING_LEN, fmt, ap);
		va_end(ap);
		return;
	}
	wr->dropped += wr->dropped ? 1 : 2;      /* the first time, the slot's own is lost too */
	fmt_snprintf(o->warnings[CMDLINE_MAX_WARNINGS - 1], CMDLINE_WARNING_LEN,
		     "... and %u more warnings", wr->dropped);
}

static int show_len(const char *s, const char *e)
{
	return (int)MIN((size_t)(e - s), (size_t)CMDLINE_SHOW_MAX);
}

/*
 * A refused value leaves the option as it was: the default, or the value of an
 * earlier valid occurrence. Otherwise the last occurrence wins.
 */
void cmdline_parse(const char *s, struct hv_options *o)
{
	struct cmdline_warner wr = { .o = o };
	char val[CMDLINE_VALUE_MAX];
	struct cmdline_word w;
	const char *why, *v;
	unsigned int i;
	int n;

	if (!s)
		return;
	/* hvtest decides whether the test options exist, wherever it stands. */
	n = cmdline_get(s, "hvtest", val, sizeof(val));
	if (n == 0)
		o->test_hooks = true;
	else if (n > 0)
		(void)opt_hvtest(val, o);      /* a bad value is reported below */
	while (next_word(&s, &w)) {
		for (i = 0; i < ARRAY_SIZE(cmdline_opts); i++)
			if (key_equals(&w, cmdline_opts[i].key))
				break;
		if (i < ARRAY_SIZE(cmdline_opts) && cmdline_opts[i].test_only && !o->test_hooks) {
			cmdline_warn(&wr, "unknown option '%.*s' (test options need hvtest)",
				     show_len(w.start, key_end(&w)), w.start);
			continue;
		}
		if (i == ARRAY_SIZE(cmdline_opts)) {
			cmdline_warn(&wr, "unknown option '%.*s'", show_len(w.start, key_end(&w)),
				     w.start);
			continue;
		}
		if (!w.eq) {
			v = cmdline_opts[i].bare;
			if (!v) {
				cmdline_warn(&wr, "option '%s' needs a value", cmdline_opts[i].key);
				continue;
			}
		} else if (unquote(w.eq + 1, w.end, val, sizeof(val)) < 0) {
			cmdline_warn(&wr, "bad value '%.*s...' for %s: too long", CMDLINE_SHOW_MAX,
				     val, cmdline_opts[i].key);
			continue;
		} else {
			v = val;
		}
		if (w.open_quote)
			why = "unterminated quote";
		else
			why = cmdline_opts[i].parse(v, o);
		if (why)
			cmdline_warn(&wr, "bad value '%.*s' for %s: %s", CMDLINE_SHOW_MAX, v,
				     cmdline_opts[i].key, why);
	}
}

/* A bare word and "key=" both give 0; with size 0 only those fit. */
int cmdline_get(const char *s, const char *key, char *buf, size_t size)
{
	struct cmdline_word w, last;
	bool found = false;

	if (!s || !key || !*key)
		return -ENOENT;
	while (next_word(&s, &w)) {
		if (key_equals(&w, key)) {
			last = w;
			found = true;
		}
	}
	if (!found)
		return -ENOENT;
	if (!last.eq) {
		if (size)
			buf[0] = '\0';
		return 0;
	}
	return unquote(last.eq + 1, last.end, buf, size);
}
