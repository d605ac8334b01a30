/* tests/guests/mbinfo.c - a Multiboot kernel started the way GRUB or QEMU's
 * -kernel starts one (Multiboot 0.6.96, 3.2 and 3.3; built with MB_VERSION 2
 * by mb2info.c: Multiboot2 2.0, 3.3 and 3.6): the magic in EAX, the
 * information at EBX, its memory map against the hypervisor's own guest
 * memory map (HC_MEMMAP), mem_lower/mem_upper, and the command line of the
 * module ("guest hv.name=mbinfo mbtest=yes": the hv.* words stay behind). */
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

extern char __bss_end[];
extern char mb_entry[];

/* The header, first in .text (lib/guest.ld), so in the first 8 KiB of the file. */
#if MB_VERSION == 1
#define MB1_FLAGS      0x2u             /* memory information (and the map) wanted */
__attribute__((section(".multiboot"), used, aligned(4)))
static const uint32_t mb_header[3] = { MB1_MAGIC, MB1_FLAGS, -(MB1_MAGIC + MB1_FLAGS) };
#else
struct mb2_header {
	uint32_t magic, architecture, length, checksum;
	struct { uint16_t type, flags; uint32_t size; uint32_t types[4]; } request;      /* tag 1 */
	struct { uint16_t type, flags; uint32_t size; uint32_t entry, pad; } entry;      /* tag 3 */
	struct { uint16_t type, flags; uint32_t size; } end;
};
_Static_assert(sizeof(struct mb2_header) == 16 + 24 + 16 + 8, "tags 8-byte aligned");
__attribute__((section(".multiboot"), used, aligned(8)))
static const struct mb2_header mb_header = {
	MB2_MAGIC, 0, sizeof(struct mb2_header), -(MB2_MAGIC + sizeof(struct mb2_header)),
	{ 1, 0, 24, { 1, 2, 4, 6 } },
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
static struct {
	bool have_mem, have_map, have_cmdline, have_name;
	uint32_t lower, upper;
	const char *cmdline, *name;
	struct map_entry map[MAX_ENTRIES];
	unsigned n;
	bool map_too_long;
	uint32_t info_size;
} mb;

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

void main(void)
{
	uintptr_t info = entry_ebx;

	read_info(info);
	check_map(info);
	checkf("command line is \"" WANT_CMDLINE "\" (module line without guest and hv.*)",
	       mb.have_cmdline && mb.cmdline && str_eq(mb.cmdline, WANT_CMDLINE), "\"%s\"",
	       mb.have_cmdline && mb.cmdline ? mb.cmdline : "(none)");
	checkf("boot loader name is \"hv\"", mb.have_name && mb.name && str_eq(mb.name, "hv"), "\"%s\"",
	       mb.have_name && mb.name ? mb.name : "(none)");
}
