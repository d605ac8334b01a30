/* tests/guests/mbinfo.c - a Multiboot kernel started the way GRUB or QEMU's
 * -kernel starts one (Multiboot 0.6.96, 3.2 and 3.3; built with MB_VERSION 2
 * by mb2info.c: Multiboot2 2.0, 3.3 and 3.6): the magic in EAX, the
 * information at EBX, its memory map against the hypervisor's own guest
 * memory map (HC_MEMMAP), mem_lower/mem_upper, and the command line of the
 * module ("guest hv.name=mbinfo mbtest=yes": the hv.* words stay behind).
 * As a standard kernel that puts its heap above its image would: RAM from
 * 1 MiB is one run nearly up to the top of RAM (the CMOS says how much RAM
 * there is), and a pattern written at its end reads back. Its two modules
 * (test_guests.sh: "module mbmodN size=BYTES sum=0xSUM", made by the test)
 * are there, page-aligned above the image in usable RAM, with those sizes
 * and contents. */
#include "tests/guests/lib/guest.h"

#ifndef MB_VERSION
#define MB_VERSION 1
#endif

#define MB1_MAGIC      0x1badb002u
#define MB1_LOADER     0x2badb002u
#define MB2_MAGIC      0xe85250d6u
#define MB2_LOADER     0x36d76289u
#define IMAGE_START    0x1000000u       /* lib/guest.ld */
#define LOW_END        0xa0000u
#define MAX_ENTRIES    64
#define WANT_CMDLINE   "mbtest=yes"
#define WANT_MODULES   2
/* What the hypervisor may take from the top of RAM besides guest RAM: 64 MiB
 * of working memory (hvmem= default), the test guests' copies (2 MiB
 * rounded), its image and the sliver above it, the BIOS's ACPI tables. */
#define HV_TAKES       (80u << 20)

extern char __bss_end[];
extern char mb_entry[];

/* The header, first in .text (lib/guest.ld), so in the first 8 KiB of the file. */
#if MB_VERSION == 1
#define MB1_FLAGS      0x3u             /* page-aligned modules, memory information (and the map) wanted */
__attribute__((section(".multiboot"), used, aligned(4)))
static const uint32_t mb_header[3] = { MB1_MAGIC, MB1_FLAGS, -(MB1_MAGIC + MB1_FLAGS) };
#else
struct mb2_header {
	uint32_t magic, architecture, length, checksum;
	struct { uint16_t type, flags; uint32_t size; uint32_t types[5], pad; } request; /* tag 1 */
	struct { uint16_t type, flags; uint32_t size; uint32_t entry, pad; } entry;      /* tag 3 */
	struct { uint16_t type, flags; uint32_t size; } end;
};
_Static_assert(sizeof(struct mb2_header) == 16 + 32 + 16 + 8, "tags 8-byte aligned");
__attribute__((section(".multiboot"), used, aligned(8)))
static const struct mb2_header mb_header = {
	MB2_MAGIC, 0, sizeof(struct mb2_header), -(MB2_MAGIC + sizeof(struct mb2_header)),
	{ 1, 0, 28, { 1, 2, 3, 4, 6 }, 0 },
	/* The entry address tag: the ELF entry stays lib/entry32.S's _start, so
	 * a loader that ignored the tag would leave EAX unrecorded. */
	{ 3, 0, 12, (uint32_t)(uintptr_t)mb_entry, 0 },
	{ 0, 0, 8 },
};
#endif

/* EAX and EBX as the loader left them, before _start zeroes the BSS with EAX
 * (in .data: the sentinels must survive that). mbinfo enters here as its ELF
 * entry (-e mb_entry, guests.mk), mb2info through its entry address tag. */
uint32_t entry_eax = 0xdeadbeef, entry_ebx = 0xdeadbeef;
asm(".text\n"
    ".globl mb_entry\n"
    "mb_entry:\n\t"
    "movl %eax, entry_eax\n\t"
    "movl %ebx, entry_ebx\n\t"
    "jmp _start\n");

/* What either version says, gathered for the common checks. */
struct map_entry { uint64_t base, len; uint32_t type; };
struct module { uint32_t start, end; const char *cmdline; };
static struct {
	bool have_mem, have_map, have_cmdline, have_name;
	uint32_t lower, upper;
	const char *cmdline, *name;
	struct map_entry map[MAX_ENTRIES];
	unsigned n;
	bool map_too_long;
	uint32_t info_size;
	struct module mods[WANT_MODULES + 1];
	unsigned nmods;
} mb;

static void add_module(uint32_t start, uint32_t end, const char *cmdline)
{
	if (mb.nmods <= WANT_MODULES)
		mb.mods[mb.nmods] = (struct module){ start, end, cmdline };
	mb.nmods++;
}

static uint32_t rd32(uintptr_t a) { return *(const volatile uint32_t *)a; }
static uint64_t rd64(uintptr_t a) { return rd32(a) | (uint64_t)rd32(a + 4) << 32; }

static void add_entry(uint64_t base, uint64_t len, uint32_t type)
{
	if (mb.n == MAX_ENTRIES)
		mb.map_too_long = true;
	else
		mb.map[mb.n++] = (struct map_entry){ base, len, type };
}

#if MB_VERSION == 1
/* Multiboot 0.6.96, 3.3: the fixed part and the map of {size, base, length, type}. */
static void read_info(uintptr_t info)
{
	uint32_t flags = rd32(info), len = rd32(info + 44), addr = rd32(info + 48), bad_size = 0;

	check_eq("EAX is the Multiboot loader magic 0x2BADB002", entry_eax, MB1_LOADER);
	checkf("EBX points to the information in low memory, 4-byte aligned",
	       info && info < LOW_END && !(info & 3), "EBX 0x%x", (unsigned)info);
	checkf("flags: memory, command line, memory map, boot loader name (bits 0, 2, 6, 9)",
	       (flags & 0x245) == 0x245, "flags 0x%x", flags);
	mb.have_mem = flags & 1;
	mb.have_cmdline = flags & 4;
	mb.have_map = flags & 0x40;
	mb.have_name = flags & 0x200;
	mb.lower = rd32(info + 4);
	mb.upper = rd32(info + 8);
	mb.cmdline = (const char *)(uintptr_t)rd32(info + 16);
	mb.name = (const char *)(uintptr_t)rd32(info + 64);
	mb.info_size = 116;
	if (flags & 8)
		for (uint32_t i = 0, a = rd32(info + 24); i < rd32(info + 20) && i < 64; i++)
			add_module(rd32(a + 16 * i), rd32(a + 16 * i + 4), (const char *)(uintptr_t)rd32(a + 16 * i + 8));
	/* Each entry's size field excludes itself: the next is size + 4 further on. */
	for (uint32_t off = 0; mb.have_map && off + 24 <= len && off < 0x8000; off += 24) {
		if (rd32(addr + off) != 20) {
			bad_size = rd32(addr + off);
			break;
		}
		add_entry(rd64(addr + off + 4), rd64(addr + off + 12), rd32(addr + off + 20));
	}
	checkf("memory map: mmap_length a multiple of 24, every entry's size field 20",
	       len && len % 24 == 0 && !bad_size && mb.n == len / 24, "mmap_length %u, a size field %u",
	       len, bad_size);
}
#else
/* Multiboot2 3.6: 8-byte aligned tags up to an end tag inside total_size. */
static void read_info(uintptr_t info)
{
	uint32_t total = rd32(info), off, type = 0, size = 0, seen = 0, esize = 0, version = 0;

	check_eq("EAX is the Multiboot2 loader magic 0x36d76289", entry_eax, MB2_LOADER);
	checkf("EBX points to the information in low memory, 8-byte aligned",
	       info && info < LOW_END && !(info & 7), "EBX 0x%x", (unsigned)info);
	for (off = 8; off + 8 <= total; off += (size + 7) & ~7u) {
		type = rd32(info + off);
		size = rd32(info + off + 4);
		if (type == 0 || size < 8 || size > total - off)
			break;
		if (type < 32)
			seen |= 1u << type;
		if (type == 1)
			mb.cmdline = (const char *)(info + off + 8);
		if (type == 2)
			mb.name = (const char *)(info + off + 8);
		if (type == 3 && size >= 17)
			add_module(rd32(info + off + 8), rd32(info + off + 12), (const char *)(info + off + 16));
		if (type == 4 && size >= 16) {
			mb.lower = rd32(info + off + 8);
			mb.upper = rd32(info + off + 12);
		}
		if (type == 6 && size >= 16) {
			esize = rd32(info + off + 8);
			version = rd32(info + off + 12);
			for (uint32_t e = 16; esize >= 24 && e + esize <= size; e += esize)
				add_entry(rd64(info + off + e), rd64(info + off + e + 8), rd32(info + off + e + 16));
		}
	}
	checkf("tags 8-byte aligned up to an end tag of size 8 inside total_size",
	       total >= 16 && total < 0x8000 && type == 0 && size == 8 && off + 8 <= total,
	       "total_size %u, stopped at offset %u on type %u size %u", total, off, type, size);
	checkf("tags: command line, boot loader name, basic memory info, memory map (1, 2, 4, 6)",
	       (seen & 0x56) == 0x56, "tag types seen 0x%x", seen);
	mb.have_cmdline = seen & 2;
	mb.have_name = seen & 4;
	mb.have_mem = seen & 0x10;
	mb.have_map = seen & 0x40;
	mb.info_size = total;
	checkf("memory map tag: entry_size 24, entry_version 0", esize == 24 && version == 0,
	       "entry_size %u, entry_version %u", esize, version);
}
#endif

struct range { uint64_t start, size, e820, kind; };

static long memmap(long index, struct range *r)
{
	long ret;
	uint32_t b = (uint32_t)index, c, d, s;

	asm volatile("vmcall" : "=a"(ret), "+b"(b), "=c"(c), "=d"(d), "=S"(s) : "a"(HC_MEMMAP) : "memory");
	*r = (struct range){ b, c, d, s };
	return ret;
}

/* The guest map merged by e820 type where ranges touch, holes left out: the
 * map a Multiboot loader should give (the hypervisor's gmap_e820()). */
static void check_against_hypervisor(void)
{
	static struct map_entry want[MAX_ENTRIES];
	unsigned n = 0, i, hidden = 0, hidden_reserved = 0, differ = MAX_ENTRIES;
	struct range r;

	for (long k = 0; memmap(k, &r) == 0 && n < MAX_ENTRIES; k++) {
		if (r.kind == HC_MEM_HIDDEN) {
			bool covered = false;

			for (i = 0; i < mb.n; i++)
				covered |= mb.map[i].type == 2 && mb.map[i].base <= r.start &&
					   r.start + r.size <= mb.map[i].base + mb.map[i].len;
			hidden++;
			hidden_reserved += covered;
		}
		if (!r.e820)
			continue;
		if (n && want[n - 1].type == r.e820 && want[n - 1].base + want[n - 1].len == r.start)
			want[n - 1].len += r.size;
		else
			want[n++] = (struct map_entry){ r.start, r.size, (uint32_t)r.e820 };
	}
	for (i = 0; i < n && i < mb.n && differ == MAX_ENTRIES; i++)
		if (want[i].base != mb.map[i].base || want[i].len != mb.map[i].len || want[i].type != mb.map[i].type)
			differ = i;
	checkf(sfmt("the memory map is the hypervisor's guest map (HC_MEMMAP), %u entries", n),
	       n == mb.n && differ == MAX_ENTRIES && !mb.map_too_long,
	       "%u entries, HC_MEMMAP gives %u; first difference at %u: 0x%llx+0x%llx type %u, want 0x%llx+0x%llx type %u",
	       mb.n, n, differ, differ < mb.n ? (unsigned long long)mb.map[differ].base : 0,
	       differ < mb.n ? (unsigned long long)mb.map[differ].len : 0, differ < mb.n ? mb.map[differ].type : 0,
	       differ < n ? (unsigned long long)want[differ].base : 0,
	       differ < n ? (unsigned long long)want[differ].len : 0, differ < n ? want[differ].type : 0);
	checkf("the hypervisor's hidden memory is reserved (type 2) in the map", hidden && hidden == hidden_reserved,
	       "%u hidden ranges, %u inside type-2 entries", hidden, hidden_reserved);
}

/* The usable entry containing [a, a + len), or NULL. */
static const struct map_entry *usable(uint64_t a, uint64_t len)
{
	for (unsigned i = 0; i < mb.n; i++)
		if (mb.map[i].type == 1 && mb.map[i].base <= a && a + len <= mb.map[i].base + mb.map[i].len)
			return &mb.map[i];
	return NULL;
}

static void check_map(uintptr_t info)
{
	const struct map_entry *e;
	bool sorted = mb.n > 0, reserved = false;
	uint32_t lower = 0, upper = 0;

	for (unsigned i = 0; i < mb.n; i++) {
		if (i && mb.map[i].base < mb.map[i - 1].base + mb.map[i - 1].len)
			sorted = false;
		if (!mb.map[i].len)
			sorted = false;
		reserved |= mb.map[i].type == 2;
	}
	checkf(sfmt("%u memory map entries, sorted, non-empty, not overlapping", mb.n), sorted, "not so");
	checkf("our image (0x1000000 to the end of the BSS) is usable RAM (type 1)",
	       usable(IMAGE_START, (uintptr_t)__bss_end - IMAGE_START) != NULL, "no type-1 entry covers it");
	check("the map has a reserved entry (type 2)", reserved);
	checkf("the information block is in usable RAM", usable(info, mb.info_size) != NULL, "at 0x%x",
	       (unsigned)info);
	check_against_hypervisor();

	/* GRUB's rule: lower = usable RAM at 0 (at most 640 KiB), upper = usable RAM from 1 MiB on. */
	if ((e = usable(0, 1)))
		lower = (uint32_t)((e->len < 0xa0000 ? e->len : 0xa0000) / 1024);
	if ((e = usable(0x100000, 1)))
		upper = (uint32_t)((e->base + e->len - 0x100000) / 1024);
	checkf(sfmt("mem_lower %u KiB: the usable RAM at 0", mb.lower), mb.have_mem && mb.lower == lower && lower,
	       "map says %u KiB", lower);
	checkf(sfmt("mem_upper %u KiB: the usable RAM from 1 MiB to the first hole", mb.upper),
	       mb.have_mem && mb.upper == upper && upper, "map says %u KiB", upper);
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static uint8_t cmos(uint8_t reg)
{
	uint8_t v;

	asm volatile("outb %0, $0x70" : : "a"(reg));
	asm volatile("inb $0x71, %0" : "=a"(v));
	return v;
}

/* RAM from 1 MiB up to the first hole is nearly all RAM (the CMOS's count:
 * registers 0x34/0x35, 64 KiB units above 16 MiB), and its end is RAM. */
static void check_upper_run(void)
{
	uint64_t top = (16u << 20) + ((uint64_t)(cmos(0x34) | cmos(0x35) << 8) << 16);
	uint64_t run_end = 0x100000 + (uint64_t)mb.upper * 1024;
	volatile uint32_t *p;
	unsigned bad = 0;

	checkf(sfmt("RAM from 1 MiB is one run of %u KiB, to within %u MiB of the top of RAM (CMOS: %u MiB)",
		    mb.upper, HV_TAKES >> 20, (unsigned)(top >> 20)),
	       top > HV_TAKES && run_end >= top - HV_TAKES, "the run ends at 0x%llx", (unsigned long long)run_end);
	/* A heap above the image: its last 4 KiB and a page halfway take a pattern. */
	for (int k = 0; k < 2 && run_end > 0x1100000; k++) {
		uintptr_t a = k ? (uintptr_t)(((run_end - 0x1000000) / 2 + 0x1000000) & ~0xfffull)
				: (uintptr_t)(run_end - 0x1000);

		p = (volatile uint32_t *)a;
		for (unsigned i = 0; i < 1024; i++)
			p[i] = 0x5a000000u ^ (uint32_t)a ^ i * 2654435761u;
		for (unsigned i = 0; i < 1024; i++)
			bad += p[i] != (0x5a000000u ^ (uint32_t)a ^ i * 2654435761u);
	}
	checkf("a pattern written at the end of that run (and halfway) reads back", run_end > 0x1100000 && !bad,
	       "%u words differ", bad);
}

/* The value of "KEY=" in s (decimal, or hex after 0x); 0 without. */
static uint32_t word_value(const char *s, const char *key)
{
	size_t n = str_len(key);
	uint32_t v = 0;

	for (; *s; s++) {
		size_t i = 0;

		while (i < n && s[i] == key[i])
			i++;
		if (i < n || s[n] != '=')
			continue;
		s += n + 1;
		if (s[0] == '0' && s[1] == 'x')
			for (s += 2; (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'); s++)
				v = v * 16 + (uint32_t)(*s <= '9' ? *s - '0' : *s - 'a' + 10);
		else
			for (; *s >= '0' && *s <= '9'; s++)
				v = v * 10 + (uint32_t)(*s - '0');
		return v;
	}
	return 0;
}

/* The test's checksum: sum of byte * (its index + 1), modulo 2^32. */
static uint32_t weighted_sum(const uint8_t *p, uint32_t n)
{
	uint32_t s = 0;

	for (uint32_t i = 0; i < n; i++)
		s += p[i] * (i + 1);
	return s;
}

static void check_modules(uintptr_t info)
{
	check_eq("two modules passed", mb.nmods, WANT_MODULES);
	for (unsigned i = 0; i < mb.nmods && i < WANT_MODULES; i++) {
		const struct module *m = &mb.mods[i];
		const char *name = i ? "mbmod2" : "mbmod1";
		uint32_t size = word_value(m->cmdline, "size"), sum = word_value(m->cmdline, "sum");
		bool named = true, clear = true;

		for (unsigned k = 0; name[k]; k++)
			named &= m->cmdline[k] == name[k];
		checkf(sfmt("module %u: command line \"%s\" (the module line after \"module\")", i + 1, m->cmdline),
		       named && m->cmdline[6] == ' ' && size, "no %s size=", name);
		for (unsigned k = 0; k < i; k++)
			clear &= m->start >= mb.mods[k].end;
		checkf(sfmt("module %u: at 0x%x, page-aligned, above our image and the one before, in usable RAM",
			    i + 1, (unsigned)m->start),
		       !(m->start & 0xfff) && m->start >= (uintptr_t)__bss_end && clear &&
		       usable(m->start, m->end - m->start + 1) &&
		       (info + mb.info_size <= m->start || m->end <= info), "ends at 0x%x", (unsigned)m->end);
		check_eq(sfmt("module %u: %u bytes", i + 1, size), m->end - m->start, size);
		check_eq(sfmt("module %u: its bytes' checksum is 0x%x", i + 1, sum),
			 weighted_sum((const uint8_t *)(uintptr_t)m->start, m->end - m->start), sum);
	}
}

void main(void)
{
	uintptr_t info = entry_ebx;

	read_info(info);
	check_map(info);
	check_upper_run();
	check_modules(info);
	checkf("command line is \"" WANT_CMDLINE "\" (module line without guest and hv.*)",
	       mb.have_cmdline && mb.cmdline && str_eq(mb.cmdline, WANT_CMDLINE), "\"%s\"",
	       mb.have_cmdline && mb.cmdline ? mb.cmdline : "(none)");
	checkf("boot loader name is \"hv\"", mb.have_name && mb.name && str_eq(mb.name, "hv"), "\"%s\"",
	       mb.have_name && mb.name ? mb.name : "(none)");
}
