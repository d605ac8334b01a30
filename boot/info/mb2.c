/* boot/info/mb2.c - Multiboot2 boot information parser (Multiboot2 spec 2.0, 3.6 "Boot information format"). */
#include "boot/info/mb2.h"
#include "lib/le.h"
#include "lib/format.h"

/* Tag types (spec 3.6.x); the ones not listed here are skipped. */
#define MB2_TAG_END          0
#define MB2_TAG_CMDLINE      1
#define MB2_TAG_LOADER_NAME  2
#define MB2_TAG_MODULE       3
#define MB2_TAG_MMAP         6
#define MB2_TAG_FRAMEBUFFER  8
#define MB2_TAG_ACPI_OLD     14
#define MB2_TAG_ACPI_NEW     15
#define MB2_TAG_EFI64        12
#define MB2_TAG_EFI_MMAP     17

#define MB2_FIXED_SIZE       8     /* u32 total_size, u32 reserved */
#define MB2_TAG_HDR_SIZE     8     /* u32 type, u32 size */
#define MB2_TAG_ALIGN        8
#define MB2_MIN_TOTAL        (MB2_FIXED_SIZE + MB2_TAG_HDR_SIZE)   /* fixed part + end tag */
#define MB2_MMAP_ENTRY_MIN   24    /* u64 base_addr, u64 length, u32 type, u32 reserved */

/* Framebuffer fields the parser reads; the spec says "u8 reserved" after the
 * type, GRUB's multiboot2.h says u16, so only bytes up to the type are required. */
#define MB2_FB_ADDR          8
#define MB2_FB_PITCH         16
#define MB2_FB_WIDTH         20
#define MB2_FB_HEIGHT        24
#define MB2_FB_BPP           28
#define MB2_FB_TYPE          29

/* EFI tags (spec 3.6.12, 3.6.14): type, size, then a u64 system table pointer,
 * or u32 descriptor size, u32 descriptor version and the map GetMemoryMap() gave. */
#define MB2_EFI64_SIZE       16
#define MB2_EFI_MMAP_HDR     16

#define RSDP_V1_LEN          20    /* ACPI 6.5, 5.2.5.3: up to and including RsdtAddress */
#define RSDP_V2_LEN          36    /* ... through the reserved bytes after ExtendedChecksum */
#define RSDP_REVISION        15

_Static_assert(RSDP_V2_LEN <= BOOT_RSDP_MAX, "boot_info.rsdp too small for an RSDPv2");

/* Parser state shared by the tag handlers. */
struct mb2_state {
	struct boot_info *bi;
	char *err;                 /* caller's message buffer, may be NULL */
	size_t errlen;
	bool have_new_rsdp;        /* tag 15 seen: tag 14 no longer overrides */
};

/* One tag; [p, p + size) was checked to lie inside the block before any handler runs. */
struct mb2_tag {
	const uint8_t *p;          /* the tag's type field */
	size_t off;                /* offset from the start of the block, for messages */
	uint32_t type;
	uint32_t size;             /* header included, >= the handler's min_size */
};

/* Byte-wise little-endian reads: the block may sit at any alignment the loader
 * chose, and reading bytes keeps the parser free of aliasing questions. */

static int __printf(2, 3) mb2_fail(struct mb2_state *st, const char *fmt, ...)
{
	va_list ap;

	if (st->err && st->errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(st->err, st->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Like mb2_fail, prefixed with "tag T at offset 0xO: ". */
static int __printf(3, 4) tag_fail(struct mb2_state *st, const struct mb2_tag *t,
				   const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!st->err || !st->errlen)
		return -EINVAL;
	n = fmt_snprintf(st->err, st->errlen, "tag %u at offset 0x%zx: ", t->type, t->off);
	if (n >= 0 && (size_t)n < st->errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(st->err + n, st->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/*
 * Finds the string that starts `off` bytes into tag t and copies it to dst,
 * truncated to dstlen - 1 characters. Fails unless a NUL lies inside the tag:
 * the loader's word for where the string ends is the NUL, and the tag size is
 * the only bound we may read up to.
 */
static int tag_string(struct mb2_state *st, const struct mb2_tag *t, size_t off,
		      char *dst, size_t dstlen)
{
	const uint8_t *s = t->p + off;
	size_t len = t->size - off, i;

	for (i = 0; i < len && s[i]; i++)
		;
	if (i == len)
		return tag_fail(st, t, "unterminated string");
	for (i = 0; i + 1 < dstlen && s[i]; i++)
		dst[i] = (char)s[i];
	dst[i] = '\0';
	return 0;
}

static void copy_bytes(uint8_t *dst, const uint8_t *src, size_t n)
{
	while (n--)
		*dst++ = *src++;
}

/* A later tag of a single-instance type (1, 2, 6, 8) replaces the earlier one. */
static int mb2_cmdline(struct mb2_state *st, const struct mb2_tag *t)
{
	return tag_string(st, t, MB2_TAG_HDR_SIZE, st->bi->cmdline, sizeof(st->bi->cmdline));
}

static int mb2_loader_name(struct mb2_state *st, const struct mb2_tag *t)
{
	return tag_string(st, t, MB2_TAG_HDR_SIZE, st->bi->loader_name,
			  sizeof(st->bi->loader_name));
}

/* Modules past BOOT_MODULES_MAX are still validated, only not stored. */
static int mb2_module(struct mb2_state *st, const struct mb2_tag *t)
{
	struct boot_info *bi = st->bi;
	uint32_t start = le32_read(t->p + 8), end = le32_read(t->p + 12);
	char scratch[1];
	struct boot_module *m;

	if (end < start)
		return tag_fail(st, t, "module end 0x%x below its start 0x%x", end, start);
	if (bi->module_count >= BOOT_MODULES_MAX) {
		bi->modules_truncated = true;
		return tag_string(st, t, 16, scratch, sizeof(scratch));
	}
	m = &bi->modules[bi->module_count];
	m->start = start;
	m->end = end;
	if (tag_string(st, t, 16, m->cmdline, sizeof(m->cmdline)))
		return -EINVAL;
	bi->module_count++;
	return 0;
}

/* entry_size is honoured so that larger future entries still parse (spec 3.6.8). */
static int mb2_mmap(struct mb2_state *st, const struct mb2_tag *t)
{
	struct boot_info *bi = st->bi;
	uint32_t esz = le32_read(t->p + 8);
	uint32_t body = t->size - 16;
	uint32_t i, n;

	if (esz < MB2_MMAP_ENTRY_MIN)
		return tag_fail(st, t, "memory map entry size %u below %u", esz,
				MB2_MMAP_ENTRY_MIN);
	if (body % esz)
		return tag_fail(st, t, "%u bytes of memory map entries not a multiple of entry size %u",
				body, esz);
	n = body / esz;
	bi->mmap_count = 0;
	bi->mmap_truncated = n > BOOT_MMAP_MAX;
	for (i = 0; i < n && i < BOOT_MMAP_MAX; i++) {
		const uint8_t *e = t->p + 16 + (size_t)i * esz;

		bi->mmap[i].addr = le64_read(e);
		bi->mmap[i].len = le64_read(e + 8);
		bi->mmap[i].type = le32_read(e + 16);
	}
	bi->mmap_count = i;
	return 0;
}

/* Only the common part is kept; a framebuffer type this code does not know
 * (a newer spec) leaves the framebuffer unreported rather than failing the boot. */
static int mb2_framebuffer(struct mb2_state *st, const struct mb2_tag *t)
{
	struct boot_framebuffer *fb = &st->bi->fb;
	uint8_t type = t->p[MB2_FB_TYPE];

	if (type > 2) {
		fb->type = BOOT_FB_NONE;
		return 0;
	}
	fb->type = type == 0 ? BOOT_FB_INDEXED : type == 1 ? BOOT_FB_RGB : BOOT_FB_EGA_TEXT;
	fb->addr = le64_read(t->p + MB2_FB_ADDR);
	fb->pitch = le32_read(t->p + MB2_FB_PITCH);
	fb->width = le32_read(t->p + MB2_FB_WIDTH);
	fb->height = le32_read(t->p + MB2_FB_HEIGHT);
	fb->bpp = t->p[MB2_FB_BPP];
	return 0;
}

/*
 * Only 20 bytes of an old-RSDP tag are an RSDP we may use: if the firmware's
 * revision byte says 2, the XSDT fields were still not handed over, so the
 * revision is reported as 0 to keep rsdp_revision and rsdp_len consistent.
 */
static int mb2_acpi_old(struct mb2_state *st, const struct mb2_tag *t)
{
	struct boot_info *bi = st->bi;

	if (st->have_new_rsdp)
		return 0;
	copy_bytes(bi->rsdp, t->p + MB2_TAG_HDR_SIZE, RSDP_V1_LEN);
	bi->rsdp_len = RSDP_V1_LEN;
	bi->rsdp_revision = 0;
	return 0;
}

static int mb2_acpi_new(struct mb2_state *st, const struct mb2_tag *t)
{
	struct boot_info *bi = st->bi;

	copy_bytes(bi->rsdp, t->p + MB2_TAG_HDR_SIZE, RSDP_V2_LEN);
	bi->rsdp_len = RSDP_V2_LEN;
	bi->rsdp_revision = bi->rsdp[RSDP_REVISION];
	st->have_new_rsdp = true;
	return 0;
}

/* Like tag_fail for the EFI tags, which never fail the boot: the map is
 * dropped with the reason in bi->efi.note, and guests boot without EFI. */
static int __printf(3, 4) efi_drop(struct mb2_state *st, const struct mb2_tag *t,
				   const char *fmt, ...)
{
	struct boot_efi *e = &st->bi->efi;
	va_list ap;
	int n;

	e->mmap_count = 0;
	n = fmt_snprintf(e->note, sizeof(e->note), "tag %u at offset 0x%zx: ", t->type, t->off);
	if (n >= 0 && (size_t)n < sizeof(e->note)) {
		va_start(ap, fmt);
		fmt_vsnprintf(e->note + n, sizeof(e->note) - n, fmt, ap);
		va_end(ap);
	}
	return 0;
}

static int mb2_efi64(struct mb2_state *st, const struct mb2_tag *t)
{
	if (t->size < MB2_EFI64_SIZE)
		return efi_drop(st, t, "size %u too small for an EFI system table pointer", t->size);
	st->bi->efi.systab = le64_read(t->p + 8);
	return 0;
}

/*
 * The map is copied whole or not at all: a guest given part of it would miss
 * runtime regions. Descriptors are checked only as far as copying them and
 * rewriting them later needs (aligned, non-empty, no wrap); their order and
 * overlaps are the firmware's business, as for the OS it would hand them to.
 */
static int mb2_efi_mmap(struct mb2_state *st, const struct mb2_tag *t)
{
	struct boot_efi *e = &st->bi->efi;
	char why[BOOT_EFI_NOTE_MAX];
	unsigned int n;

	e->note[0] = '\0';
	e->mmap_count = 0;
	if (t->size < MB2_EFI_MMAP_HDR)
		return efi_drop(st, t, "size %u too small for an EFI memory map", t->size);
	e->desc_size = le32_read(t->p + 8);
	e->desc_version = le32_read(t->p + 12);
	if (efi_mmap_unpack(t->p + MB2_EFI_MMAP_HDR, t->size - MB2_EFI_MMAP_HDR, e->desc_size,
			    e->desc_version, e->mmap, BOOT_EFI_MMAP_MAX, &n, why, sizeof(why)) ||
	    efi_mmap_check(e->mmap, n, why, sizeof(why)))
		return efi_drop(st, t, "%s", why);
	e->mmap_count = n;
	return 0;
}

typedef int (*mb2_tag_fn)(struct mb2_state *st, const struct mb2_tag *t);

/* Handlers by tag type; min_size covers the fixed fields the handler reads. */
static const struct {
	mb2_tag_fn fn;
	uint32_t min_size;
	const char *what;
} mb2_tags[] = {
	[MB2_TAG_CMDLINE]     = { mb2_cmdline,     MB2_TAG_HDR_SIZE, "a command line" },
	[MB2_TAG_LOADER_NAME] = { mb2_loader_name, MB2_TAG_HDR_SIZE, "a boot loader name" },
	[MB2_TAG_MODULE]      = { mb2_module,      16,               "a module" },
	[MB2_TAG_MMAP]        = { mb2_mmap,        16,               "a memory map" },
	[MB2_TAG_FRAMEBUFFER] = { mb2_framebuffer, MB2_FB_TYPE + 1,  "a framebuffer" },
	[MB2_TAG_ACPI_OLD]    = { mb2_acpi_old,    MB2_TAG_HDR_SIZE + RSDP_V1_LEN, "an ACPI 1.0 RSDP" },
	[MB2_TAG_ACPI_NEW]    = { mb2_acpi_new,    MB2_TAG_HDR_SIZE + RSDP_V2_LEN, "an ACPI 2.0 RSDP" },
	/* checked by their handlers, which drop the EFI data instead of failing */
	[MB2_TAG_EFI64]       = { mb2_efi64,       MB2_TAG_HDR_SIZE, "an EFI system table pointer" },
	[MB2_TAG_EFI_MMAP]    = { mb2_efi_mmap,    MB2_TAG_HDR_SIZE, "an EFI memory map" },
};

/*
 * Decisions beyond the spec: a total_size that is not a multiple of 8 is
 * accepted as long as every tag fits; bytes after the end tag are ignored;
 * the block's physical address must be 8-byte aligned (spec 3.6.1), which
 * also catches a garbage EBX; on failure bi is left partly filled.
 */
int mb2_parse(const void *info, size_t avail, hpa_t info_pa,
	      struct boot_info *bi, char *err, size_t errlen)
{
	struct mb2_state st = { .bi = bi, .err = err, .errlen = errlen };
	const uint8_t *b = info;
	struct mb2_tag t;
	uint32_t total;
	size_t off, i;
	unsigned char *z;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!bi)
		return mb2_fail(&st, "no boot_info to fill");
	for (z = (unsigned char *)bi, i = 0; i < sizeof(*bi); i++)
		z[i] = 0;

	if (!b || avail < MB2_FIXED_SIZE)
		return mb2_fail(&st, "only %zu bytes readable, the fixed part needs %u",
				b ? avail : (size_t)0, MB2_FIXED_SIZE);
	if (!IS_ALIGNED(info_pa, MB2_TAG_ALIGN))
		return mb2_fail(&st, "info block at 0x%llx not 8-byte aligned",
				(unsigned long long)info_pa);
	total = le32_read(b);
	if (total < MB2_MIN_TOTAL)
		return mb2_fail(&st, "total_size %u below the minimum %u", total, MB2_MIN_TOTAL);
	if (total > MB2_INFO_MAX)
		return mb2_fail(&st, "total_size %u above the limit %u", total, MB2_INFO_MAX);
	if (total > avail)
		return mb2_fail(&st, "total_size %u but only %zu bytes readable", total, avail);
	if (info_pa > INVALID_HPA - total)
		return mb2_fail(&st, "info block at 0x%llx wraps around",
				(unsigned long long)info_pa);

	/* Invariant: off <= total + 7 and total <= MB2_INFO_MAX, so no offset
	 * arithmetic can overflow however large a tag claims to be. */
	for (off = MB2_FIXED_SIZE;; off += ALIGN_UP((size_t)t.size, MB2_TAG_ALIGN)) {
		if (off >= total || total - off < MB2_TAG_HDR_SIZE)
			return mb2_fail(&st, "no end tag");
		t.p = b + off;
		t.off = off;
		t.type = le32_read(t.p);
		t.size = le32_read(t.p + 4);
		if (t.size < MB2_TAG_HDR_SIZE)
			return tag_fail(&st, &t, "size %u smaller than a tag header", t.size);
		if (t.size > total - off)
			return tag_fail(&st, &t, "size %u runs past total_size %u", t.size, total);
		if (t.type == MB2_TAG_END)
			break;
		if (t.type >= ARRAY_SIZE(mb2_tags) || !mb2_tags[t.type].fn)
			continue;       /* unknown or uninteresting: skipped */
		if (t.size < mb2_tags[t.type].min_size)
			return tag_fail(&st, &t, "size %u too small for %s", t.size,
					mb2_tags[t.type].what);
		rc = mb2_tags[t.type].fn(&st, &t);
		if (rc)
			return rc;
	}

	bi->info_start = info_pa;
	bi->info_end = info_pa + total;
	return 0;
}
