/* guest/load/multiboot_info.c - Multiboot headers and boot information for guest
 * kernels (Multiboot 0.6.96, 3.1 and 3.3; Multiboot2 2.0, 3.1 and 3.6), as
 * GRUB or QEMU's -kernel would hand them over; the memory map is the guest
 * memory map's e820 view, so hidden hypervisor memory shows as reserved. */
#include "guest/load/multiboot_info.h"
#include "lib/le.h"
#include "guest/gmap.h"

#define MB1_HDR_SIZE       12        /* magic, flags, checksum */
#define MB1_HDR_AOUT_SIZE  32        /* ... header_addr to entry_addr */
#define MB2_HDR_SIZE       16        /* magic, architecture, header_length, checksum */
#define MB2_TAG_HDR        8         /* u16 type, u16 flags, u32 size (both the header's and the info's) */
#define MB2_ALIGN          8
#define LOWER_MAX          (640 * KiB)
#define UPPER_START        (1 * MiB)

_Static_assert(MB1_INFO_MMAP_ADDR == MB1_INFO_MMAP_LENGTH + 4, "v1 mmap fields are a pair (3.3)");
_Static_assert(MB1_INFO_LOADER_PTR == 64 && MB1_INFO_SIZE == 116, "v1 info layout (3.3)");
_Static_assert(MB1_MMAP_ENTRY_SIZE + 4 == 24, "v1 map entry: size field + base, length, type");

/* Byte-wise little-endian access: images and buffers have any alignment. */

static size_t str_size(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n + 1;
}

static void put_bytes(uint8_t *dst, const void *src, size_t n)
{
	const uint8_t *s = src;

	while (n--)
		*dst++ = *s++;
}

static void zero(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = 0;
}

static void clear_info(struct multiboot_header_info *out)
{
	zero((uint8_t *)out, sizeof(*out));
}

static int find_v1(const uint8_t *h, size_t avail, size_t off, struct multiboot_header_info *out)
{
	clear_info(out);
	out->version = 1;
	out->offset = off;
	out->flags = le32_read(h + 4);
	if (out->flags & MB1_HF_AOUT_KLUDGE) {
		if (avail < MB1_HDR_AOUT_SIZE)
			return -EINVAL;
		out->header_addr = le32_read(h + 12);
		out->load_addr = le32_read(h + 16);
		out->load_end_addr = le32_read(h + 20);
		out->bss_end_addr = le32_read(h + 24);
		out->entry_addr = le32_read(h + 28);
	}
	return 0;
}

/* Header tags hv honours or may ignore for an ELF kernel: the address tag
 * (the ELF program headers say the same), console flags (hv's console is
 * serial), the framebuffer (only a preference, 3.1.10), module alignment
 * (modules are always page-aligned), relocatable (loading at the preferred
 * place is allowed). */
static bool v2_tag_known(uint32_t type)
{
	return type == MB2_HTAG_INFO_REQUEST || type == MB2_HTAG_ADDRESS || type == MB2_HTAG_ENTRY ||
	       type == MB2_HTAG_FLAGS || type == MB2_HTAG_FRAMEBUFFER || type == MB2_HTAG_MODULE_ALIGN ||
	       type == MB2_HTAG_RELOCATABLE;
}

static void v2_info_request(const uint8_t *t, uint32_t size, bool optional, struct multiboot_header_info *out)
{
	for (uint32_t i = MB2_TAG_HDR; i + 4 <= size; i += 4) {
		uint32_t type = le32_read(t + i);
		bool provided = type < 64 && (MB2_ITAGS_PROVIDED >> type & 1);

		if (type < 64)
			out->requested |= 1ull << type;
		if (!optional && !provided && !out->unsupported_request)
			out->unsupported_request = type;
	}
}

/* h has avail readable bytes; the fixed part was checked (magic, checksum). */
static int find_v2(const uint8_t *h, size_t avail, size_t off, struct multiboot_header_info *out)
{
	uint32_t len = le32_read(h + 8);
	size_t pos;

	clear_info(out);
	out->version = 2;
	out->offset = off;
	out->architecture = le32_read(h + 4);
	out->header_length = len;
	if (len < MB2_HDR_SIZE + MB2_TAG_HDR || len > avail)
		return -EINVAL;
	for (pos = MB2_HDR_SIZE;; pos += ALIGN_UP((size_t)le32_read(h + pos + 4), MB2_ALIGN)) {
		const uint8_t *t = h + pos;
		uint32_t type, size;
		bool optional;

		if (pos > len || len - pos < MB2_TAG_HDR)
			return -EINVAL;             /* no end tag inside header_length */
		type = le16_read(t);
		optional = le16_read(t + 2) & MB2_HTAG_OPTIONAL;
		size = le32_read(t + 4);
		if (size < MB2_TAG_HDR || size > len - pos)
			return -EINVAL;
		if (type == MB2_HTAG_END)
			return 0;
		if (type == MB2_HTAG_INFO_REQUEST)
			v2_info_request(t, size, optional, out);
		else if (type == MB2_HTAG_ENTRY) {
			if (size < MB2_TAG_HDR + 4)
				return -EINVAL;
			out->has_entry = true;
			out->entry_addr = le32_read(t + 8);
		}
		if (!optional && !v2_tag_known(type) && !out->unsupported_tag)
			out->unsupported_tag = type;
	}
}

/* The whole header must lie inside the search window (v1 3.1.1, v2 3.1.1):
 * the a.out fields of v1 and every tag up to header_length of v2. */
int multiboot_find_header(const uint8_t *image, size_t size, struct multiboot_header_info *out)
{
	size_t w1 = MIN(size, (size_t)MB1_SEARCH), w2 = MIN(size, (size_t)MB2_SEARCH);

	if (!image || !out)
		return -EINVAL;
	/* Both scans in one pass, so the header nearest the start wins. */
	for (size_t off = 0; off + MB1_HDR_SIZE <= w2; off += 4) {
		const uint8_t *h = image + off;
		uint32_t magic = le32_read(h);

		if (magic == MB1_HEADER_MAGIC && off + MB1_HDR_SIZE <= w1 &&
		    (uint32_t)(magic + le32_read(h + 4) + le32_read(h + 8)) == 0)
			return find_v1(h, w1 - off, off, out);
		if (magic == MB2_HEADER_MAGIC && IS_ALIGNED(off, MB2_ALIGN) && off + MB2_HDR_SIZE <= w2 &&
		    (uint32_t)(magic + le32_read(h + 4) + le32_read(h + 8) + le32_read(h + 12)) == 0)
			return find_v2(h, w2 - off, off, out);
	}
	return -ENOENT;
}

/* The map both versions give, with mem_lower/mem_upper computed from it. */
struct mb_map {
	struct gmap_e820_entry e[MB_MMAP_MAX + 1];   /* one more to see an overflow */
	unsigned int n;
	uint32_t lower, upper;                       /* KiB */
};

static int get_map(const struct gmap *g, struct mb_map *m)
{
	m->n = gmap_e820(g, m->e, ARRAY_SIZE(m->e));
	if (m->n > MB_MMAP_MAX)
		return -ENOSPC;
	m->lower = m->upper = 0;
	for (unsigned int i = 0; i < m->n; i++) {
		const struct gmap_e820_entry *e = &m->e[i];
		uint64_t end = e->addr + e->size;

		if (e->type != GMAP_E820_USABLE)
			continue;
		if (e->addr == 0)
			m->lower = (uint32_t)(MIN(end, LOWER_MAX) / KiB);
		if (e->addr <= UPPER_START && end > UPPER_START)
			m->upper = (uint32_t)MIN((end - UPPER_START) / KiB, (uint64_t)UINT32_MAX);
	}
	return 0;
}

/* Modules are sane: few enough, ends not before starts, all below 4 GiB (32-bit fields). */
static int check_mods(const struct multiboot_module *mods, unsigned int count)
{
	if (count > MB_MODULES_MAX)
		return -ENOSPC;
	if (count && !mods)
		return -EINVAL;
	for (unsigned int i = 0; i < count; i++)
		if (!mods[i].cmdline || mods[i].end < mods[i].start || mods[i].end > 4 * GiB)
			return -EINVAL;
	return 0;
}

int multiboot1_build_info(const struct gmap *g, const char *cmdline, const struct multiboot_module *mods,
			  unsigned int mod_count, gpa_t where, uint8_t *buf, size_t size, size_t *used,
			  unsigned int *entries)
{
	static struct mb_map map;      /* 3 KiB: kept off the hypervisor's stack */
	size_t mmap_off = ALIGN_UP((size_t)MB1_INFO_SIZE, 8), mods_off, cmd_off, name_off, str_off, total;
	int rc;

	if (!g || !cmdline || !buf || !used || !entries)
		return -EINVAL;
	rc = check_mods(mods, mod_count);
	if (!rc)
		rc = get_map(g, &map);
	if (rc)
		return rc;
	mods_off = mmap_off + map.n * (MB1_MMAP_ENTRY_SIZE + 4);
	cmd_off = mods_off + (size_t)mod_count * MB1_MOD_ENTRY_SIZE;
	name_off = cmd_off + str_size(cmdline);
	total = name_off + str_size(MULTIBOOT_LOADER_NAME);
	for (unsigned int i = 0; i < mod_count; i++)
		total += str_size(mods[i].cmdline);
	if (total > size)
		return -ENOSPC;
	if (where >= 4 * GiB || total > 4 * GiB - where)
		return -EINVAL;               /* the pointers are 32 bits */

	zero(buf, total);
	le32_write(buf + MB1_INFO_FLAGS, MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MEM_MAP | MB1_INFO_LOADER_NAME |
		 (mod_count ? MB1_INFO_MODS : 0));
	le32_write(buf + MB1_INFO_MEM_LOWER, map.lower);
	le32_write(buf + MB1_INFO_MEM_UPPER, map.upper);
	le32_write(buf + MB1_INFO_CMDLINE_PTR, (uint32_t)(where + cmd_off));
	if (mod_count) {
		le32_write(buf + MB1_INFO_MODS_COUNT, mod_count);
		le32_write(buf + MB1_INFO_MODS_ADDR, (uint32_t)(where + mods_off));
	}
	le32_write(buf + MB1_INFO_MMAP_LENGTH, map.n * (MB1_MMAP_ENTRY_SIZE + 4));
	le32_write(buf + MB1_INFO_MMAP_ADDR, (uint32_t)(where + mmap_off));
	le32_write(buf + MB1_INFO_LOADER_PTR, (uint32_t)(where + name_off));
	for (unsigned int i = 0; i < map.n; i++) {
		uint8_t *e = buf + mmap_off + i * (MB1_MMAP_ENTRY_SIZE + 4);

		le32_write(e, MB1_MMAP_ENTRY_SIZE);   /* the size field does not count itself */
		le64_write(e + 4, map.e[i].addr);
		le64_write(e + 12, map.e[i].size);
		le32_write(e + 20, map.e[i].type);
	}
	put_bytes(buf + cmd_off, cmdline, str_size(cmdline));
	put_bytes(buf + name_off, MULTIBOOT_LOADER_NAME, str_size(MULTIBOOT_LOADER_NAME));
	str_off = name_off + str_size(MULTIBOOT_LOADER_NAME);
	for (unsigned int i = 0; i < mod_count; i++) {
		uint8_t *e = buf + mods_off + i * MB1_MOD_ENTRY_SIZE;

		le32_write(e, (uint32_t)mods[i].start);
		le32_write(e + 4, (uint32_t)mods[i].end);
		le32_write(e + 8, (uint32_t)(where + str_off));
		put_bytes(buf + str_off, mods[i].cmdline, str_size(mods[i].cmdline));
		str_off += str_size(mods[i].cmdline);
	}
	*used = total;
	*entries = map.n;
	return 0;
}

/* Writes a v2 tag header at buf + off; returns the offset of the next tag. */
static size_t put_tag(uint8_t *buf, size_t off, uint32_t type, size_t size)
{
	le32_write(buf + off, type);
	le32_write(buf + off + 4, (uint32_t)size);
	return off + ALIGN_UP(size, (size_t)MB2_ALIGN);
}

int multiboot2_build_info(const struct gmap *g, const char *cmdline, const struct multiboot_module *mods,
			  unsigned int mod_count, uint8_t *buf, size_t size, size_t *used, unsigned int *entries)
{
	static struct mb_map map;
	size_t cmd_size, name_size, mmap_size, mods_size = 0, total, off;
	int rc;

	if (!g || !cmdline || !buf || !used || !entries)
		return -EINVAL;
	rc = check_mods(mods, mod_count);
	if (!rc)
		rc = get_map(g, &map);
	if (rc)
		return rc;
	cmd_size = MB2_TAG_HDR + str_size(cmdline);
	name_size = MB2_TAG_HDR + str_size(MULTIBOOT_LOADER_NAME);
	mmap_size = 16 + (size_t)map.n * MB2_MMAP_ENTRY_SIZE;
	for (unsigned int i = 0; i < mod_count; i++)
		mods_size += ALIGN_UP(MB2_TAG_HDR + 8 + str_size(mods[i].cmdline), (size_t)MB2_ALIGN);
	total = 8 + ALIGN_UP(cmd_size, (size_t)MB2_ALIGN) + ALIGN_UP(name_size, (size_t)MB2_ALIGN) + mods_size +
		16 + mmap_size + MB2_TAG_HDR;       /* 16 and mmap_size are multiples of 8 */
	if (total > size)
		return -ENOSPC;

	zero(buf, total);
	le32_write(buf, (uint32_t)total);
	off = 8;
	put_bytes(buf + off + MB2_TAG_HDR, cmdline, str_size(cmdline));
	off = put_tag(buf, off, MB2_ITAG_CMDLINE, cmd_size);
	put_bytes(buf + off + MB2_TAG_HDR, MULTIBOOT_LOADER_NAME, str_size(MULTIBOOT_LOADER_NAME));
	off = put_tag(buf, off, MB2_ITAG_LOADER_NAME, name_size);
	for (unsigned int i = 0; i < mod_count; i++) {
		le32_write(buf + off + 8, (uint32_t)mods[i].start);
		le32_write(buf + off + 12, (uint32_t)mods[i].end);
		put_bytes(buf + off + 16, mods[i].cmdline, str_size(mods[i].cmdline));
		off = put_tag(buf, off, MB2_ITAG_MODULE, MB2_TAG_HDR + 8 + str_size(mods[i].cmdline));
	}
	le32_write(buf + off + 8, map.lower);
	le32_write(buf + off + 12, map.upper);
	off = put_tag(buf, off, MB2_ITAG_BASIC_MEMINFO, 16);
	le32_write(buf + off + 8, MB2_MMAP_ENTRY_SIZE);
	le32_write(buf + off + 12, 0);                    /* entry_version */
	for (unsigned int i = 0; i < map.n; i++) {
		uint8_t *e = buf + off + 16 + i * MB2_MMAP_ENTRY_SIZE;

		le64_write(e, map.e[i].addr);
		le64_write(e + 8, map.e[i].size);
		le32_write(e + 16, map.e[i].type);
	}
	off = put_tag(buf, off, MB2_ITAG_MMAP, mmap_size);
	off = put_tag(buf, off, MB2_ITAG_END, MB2_TAG_HDR);
	*used = off;
	*entries = map.n;
	return 0;
}

/* The end of the usable RAM run of g that contains gpa (0 if gpa is not usable RAM). */
static gpa_t usable_run_end(const struct gmap *g, gpa_t gpa)
{
	const struct gmap_range *r = gmap_lookup(g, gpa);
	gpa_t end = 0;

	while (r && r->kind == GMAP_RAM && r->e820_type == GMAP_E820_USABLE && r->start <= gpa) {
		end = r->end;
		gpa = r->end;
		r = gmap_lookup(g, gpa);
	}
	return end;
}

int multiboot_place_modules(const struct gmap *g, gpa_t from, const struct multiboot_range *avoid,
			    unsigned int avoid_count, const uint64_t *sizes, unsigned int count, gpa_t *at,
			    unsigned int *failed)
{
	gpa_t a = from;

	if (!g || (avoid_count && !avoid) || (count && (!sizes || !at)) || !failed || count > MB_MODULES_MAX)
		return -EINVAL;
	for (unsigned int i = 0; i < count; i++) {
		uint64_t len = sizes[i] > 4 * GiB ? 4 * GiB : ALIGN_UP(sizes[i], PAGE_SIZE);
		bool placed = false;

		/* Each step moves a up past an obstacle, so this ends. */
		a = ALIGN_UP(a, PAGE_SIZE);
		while (!placed && a < 4 * GiB && len <= 4 * GiB - a) {
			gpa_t run_end = usable_run_end(g, a), next = 0;

			if (!run_end) {
				const struct gmap_range *r = gmap_lookup(g, a);

				if (!r)
					break;
				a = ALIGN_UP(r->end, PAGE_SIZE);
				continue;
			}
			if (len > run_end - a) {
				a = ALIGN_UP(run_end, PAGE_SIZE);
				continue;
			}
			for (unsigned int k = 0; k < avoid_count; k++)
				if (avoid[k].start < a + len && a < avoid[k].end && avoid[k].end > next)
					next = avoid[k].end;
			if (next)
				a = ALIGN_UP(next, PAGE_SIZE);
			else
				placed = true;
		}
		if (!placed) {
			*failed = i;
			return -ENOSPC;
		}
		at[i] = a;
		a += len;
	}
	return 0;
}
