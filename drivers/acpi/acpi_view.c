/* drivers/acpi/acpi_view.c - copies of the RSDP, XSDT/RSDT and MADT for a
 * guest (ACPI 6.x, 5.2.5-5.2.8, 5.2.12.2, 5.2.12.12), and the firmware-area
 * RSDP scan (5.2.5.1). Every length, count and checksum is checked. Pure. */
#include "drivers/acpi/acpi_view.h"
#include "lib/le.h"
#include "lib/format.h"

#define RSDP_V1_LEN        20
#define RSDP_V2_LEN        36
#define RSDP_CHECKSUM      8
#define RSDP_REVISION      15
#define RSDP_RSDT          16
#define RSDP_LENGTH        20
#define RSDP_XSDT          24
#define RSDP_EXT_CHECKSUM  32
#define SDT_LENGTH         4
#define SDT_CHECKSUM       9
#define MADT_ENTRIES       44
#define MADT_TYPE_LAPIC    0            /* 8 bytes: UID (1), APIC ID (1), flags (4) */
#define MADT_TYPE_X2APIC   9            /* 16 bytes: reserved (2), x2APIC ID, flags, UID (4 each) */
#define MADT_CPU_ENABLED   (1u << 0)
#define MADT_CPU_ONLINE_CAPABLE (1u << 1)
#define EBDA_SEGMENT_PTR   0x40e
#define BIOS_AREA_START    0xe0000ULL
#define BIOS_AREA_END      0x100000ULL
#define SCAN_PAGE          4096u

static uint8_t sum8(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;

	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

void acpi_checksum_fix(uint8_t *p, uint32_t len, uint32_t at)
{
	p[at] = 0;
	p[at] = (uint8_t)-sum8(p, len);
}

static bool same_sig(const uint8_t *p, const char *sig)
{
	return p[0] == (uint8_t)sig[0] && p[1] == (uint8_t)sig[1] && p[2] == (uint8_t)sig[2] &&
	       p[3] == (uint8_t)sig[3];
}

/* A valid RSDP at p (len bytes readable): signature, checksum, and the extended
 * checksum over 36 bytes from revision 2 (what ACPICA's acpi_tb_validate_rsdp checks). */
static bool rsdp_ok(const uint8_t *p, unsigned int len)
{
	if (len < RSDP_V1_LEN || !same_sig(p, "RSD ") || !same_sig(p + 4, "PTR ") || sum8(p, RSDP_V1_LEN))
		return false;
	if (p[RSDP_REVISION] < 2)
		return true;
	return len >= RSDP_V2_LEN && acpi_le32(p + RSDP_LENGTH) >= RSDP_V2_LEN && !sum8(p, RSDP_V2_LEN);
}

struct view_ctx {
	const struct acpi_view_request *r;
	uint8_t *buf;
	uint32_t size, pos;             /* buf's size; the next free offset */
	struct acpi_view *out;
	char *err;
	size_t errlen;
};

/* Reads the table with signature sig at pa whole into buf at the next
 * 16-byte boundary and checks its length and checksum; *off gets its offset. */
static int copy_table(struct view_ctx *c, uint64_t pa, const char *sig, uint32_t *off)
{
	uint32_t at = (c->pos + 15) & ~15u, len;
	uint8_t h[ACPI_SDT_HEADER_LEN];

	if (at < c->pos || at > c->size || c->size - at < ACPI_SDT_HEADER_LEN)
		return fmt_error(-ENOSPC, c->err, c->errlen, "no room for the %s copy", sig);
	if (c->r->read(c->r->ctx, pa, h, sizeof(h)))
		return fmt_error(-EINVAL, c->err, c->errlen, "the %s at 0x%llx cannot be read", sig,
				 (unsigned long long)pa);
	if (!same_sig(h, sig))
		return fmt_error(-EINVAL, c->err, c->errlen, "no %s signature at 0x%llx", sig, (unsigned long long)pa);
	len = acpi_le32(h + SDT_LENGTH);
	if (len < ACPI_SDT_HEADER_LEN)
		return fmt_error(-EINVAL, c->err, c->errlen, "the %s at 0x%llx claims %u bytes, less than its header",
				 sig, (unsigned long long)pa, len);
	if (len > c->size - at)
		return fmt_error(-ENOSPC, c->err, c->errlen, "the %s at 0x%llx (%u bytes) does not fit in %u bytes",
				 sig, (unsigned long long)pa, len, c->size - at);
	if (c->r->read(c->r->ctx, pa, c->buf + at, len) || sum8(c->buf + at, len))
		return fmt_error(-EINVAL, c->err, c->errlen, "the %s at 0x%llx (%u bytes) has a bad checksum", sig,
				 (unsigned long long)pa, len);
	*off = at;
	c->pos = at + len;
	return 0;
}

/* The entries of an SDT copy: entry size 4 (RSDT) or 8 (XSDT), the count from
 * a length that must hold whole entries. */
static int sdt_count(struct view_ctx *c, uint32_t off, unsigned int esize, const char *sig, uint32_t *n)
{
	uint32_t len = acpi_le32(c->buf + off + SDT_LENGTH);

	if ((len - ACPI_SDT_HEADER_LEN) % esize)
		return fmt_error(-EINVAL, c->err, c->errlen, "the %s's %u bytes are no whole number of %u-byte entries",
				 sig, len, esize);
	*n = (len - ACPI_SDT_HEADER_LEN) / esize;
	return 0;
}

static uint64_t sdt_entry(const uint8_t *t, unsigned int esize, uint32_t i)
{
	const uint8_t *p = t + ACPI_SDT_HEADER_LEN + i * esize;

	return esize == 8 ? acpi_le64(p) : acpi_le32(p);
}

/* The signature of the table at pa; false if it cannot be read. */
static bool table_sig(const struct acpi_view_request *r, uint64_t pa, uint8_t sig[4])
{
	return pa && !r->read(r->ctx, pa, sig, 4);
}

static bool dropped_sig(const struct acpi_view_request *r, const uint8_t sig[4])
{
	for (unsigned int i = 0; i < r->drop_count; i++)
		if (r->drop[i] && same_sig(sig, r->drop[i]))
			return true;
	return false;
}


/* One processor entry's APIC ID and flags offset; false if the entry is not
 * one (or too short to be one: left alone, as the MADT readers skip it). */
static bool cpu_entry(const uint8_t *e, uint32_t *id, uint32_t *flags_at)
{
	if (e[0] == MADT_TYPE_LAPIC && e[1] >= 8) {
		*id = e[3];
		*flags_at = 4;
		return true;
	}
	if (e[0] == MADT_TYPE_X2APIC && e[1] >= 16) {
		*id = acpi_le32(e + 4);
		*flags_at = 8;
		return true;
	}
	return false;
}

/* Whether an earlier processor entry of the MADT at t (entries [44, end)) has this APIC ID and flags. */
static bool seen_before(const uint8_t *t, uint32_t end, uint32_t id, uint32_t mask)
{
	uint32_t eid, fa;

	for (uint32_t off = MADT_ENTRIES; off < end; off += t[off + 1])
		if (cpu_entry(t + off, &eid, &fa) && eid == id && (acpi_le32(t + off + fa) & mask))
			return true;
	return false;
}

/* Whether the entries of the MADT at t (len bytes, at least its fixed part)
 * each lie within it; *bad: the offset of the first that does not. */
static bool madt_walk_ok(const uint8_t *t, uint32_t len, uint32_t *bad)
{
	for (uint32_t off = MADT_ENTRIES; off < len; off += t[off + 1])
		if (len - off < 2 || t[off + 1] < 2 || t[off + 1] > len - off) {
			*bad = off;
			return false;
		}
	return true;
}

static bool listed(const uint32_t *ids, unsigned int n, uint32_t id)
{
	for (unsigned int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static bool is_running(const struct acpi_view_request *r, uint32_t id)
{
	return listed(r->running, r->running_count, id);
}

/* Disables the processors not running in the MADT copy at t; counts for the report. */
static int madt_hide(struct view_ctx *c, uint8_t *t)
{
	const uint32_t both = MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE;
	uint32_t len = acpi_le32(t + SDT_LENGTH);
	struct acpi_view *o = c->out;

	uint32_t bad;

	if (len < MADT_ENTRIES)
		return fmt_error(-EINVAL, c->err, c->errlen, "the MADT is too short (%u bytes)", len);
	/* The walk must be sound before anything is counted or changed. */
	if (!madt_walk_ok(t, len, &bad))
		return fmt_error(-EINVAL, c->err, c->errlen, "MADT entry at offset %u overruns the table", bad);
	/* Counted on the host's flags, once per APIC ID: firmware may list a CPU
	 * in both entry types. */
	for (uint32_t off = MADT_ENTRIES; off < len; off += t[off + 1]) {
		uint32_t id, fa, flags;

		if (!cpu_entry(t + off, &id, &fa))
			continue;
		flags = acpi_le32(t + off + fa);
		if ((flags & MADT_CPU_ENABLED) && !seen_before(t, off, id, MADT_CPU_ENABLED)) {
			o->cpus_enabled++;
			o->cpus_left += is_running(c->r, id);
		}
		if ((flags & both) && !is_running(c->r, id) && !seen_before(t, off, id, both)) {
			if (o->hidden_count < ACPI_VIEW_MAX_HIDDEN)
				o->hidden[o->hidden_count] = id;
			o->hidden_count++;
		}
	}
	if (!o->cpus_left)
		return fmt_error(-EINVAL, c->err, c->errlen, "the MADT copy would enable none of its %u CPUs",
				 o->cpus_enabled);
	for (uint32_t off = MADT_ENTRIES; off < len; off += t[off + 1]) {
		uint32_t id, fa;

		if (cpu_entry(t + off, &id, &fa) && !is_running(c->r, id))
			le32_write(t + off + fa, acpi_le32(t + off + fa) & ~both);
	}
	acpi_checksum_fix(t, len, SDT_CHECKSUM);
	return 0;
}

int acpi_madt_disable(uint8_t *t, uint32_t size, const uint32_t *ids, unsigned int n)
{
	const uint32_t both = MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE;
	uint32_t len, bad, id, fa;
	bool left = false;
	int count = 0;

	if (!t || size < MADT_ENTRIES || !same_sig(t, "APIC"))
		return -EINVAL;
	len = acpi_le32(t + SDT_LENGTH);
	if (len < MADT_ENTRIES || len > size || sum8(t, len) || !madt_walk_ok(t, len, &bad))
		return -EINVAL;
	/* Something must stay enabled: a MADT without a CPU is no machine. */
	for (uint32_t off = MADT_ENTRIES; off < len; off += t[off + 1])
		if (cpu_entry(t + off, &id, &fa) && (acpi_le32(t + off + fa) & MADT_CPU_ENABLED) &&
		    !listed(ids, n, id))
			left = true;
	if (!left)
		return -EINVAL;
	/* Counted before anything changes, once per APIC ID: firmware may
	 * list a CPU in both entry types. */
	for (uint32_t off = MADT_ENTRIES; off < len; off += t[off + 1])
		if (cpu_entry(t + off, &id, &fa) && listed(ids, n, id) && (acpi_le32(t + off + fa) & both) &&
		    !seen_before(t, off, id, both))
			count++;
	for (uint32_t off = MADT_ENTRIES; off < len; off += t[off + 1])
		if (cpu_entry(t + off, &id, &fa) && listed(ids, n, id))
			le32_write(t + off + fa, acpi_le32(t + off + fa) & ~both);
	acpi_checksum_fix(t, len, SDT_CHECKSUM);
	return count;
}

/*
 * Rewrites the SDT copy at off in place: the MADT's entry (any table with
 * signature "APIC") becomes madt when there is a copy, tables with a drop
 * signature go, the rest stay in order; then its length and checksum.
 * An entry whose table cannot be read stays as it is.
 */
static int sdt_rewrite(struct view_ctx *c, uint32_t off, unsigned int esize, uint64_t madt, bool count)
{
	uint8_t *t = c->buf + off, sig[4];
	uint32_t n, k = 0;
	int rc = sdt_count(c, off, esize, esize == 8 ? "XSDT" : "RSDT", &n);

	if (rc)
		return rc;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t pa = sdt_entry(t, esize, i);
		uint8_t *p = t + ACPI_SDT_HEADER_LEN + k * esize;

		if (table_sig(c->r, pa, sig)) {
			if (dropped_sig(c->r, sig)) {
				c->out->dropped += count;
				continue;
			}
			if (madt && same_sig(sig, "APIC"))
				pa = madt;
		}
		if (esize == 8)
			le64_write(p, pa);
		else
			le32_write(p, (uint32_t)pa);
		k++;
	}
	for (uint32_t i = ACPI_SDT_HEADER_LEN + k * esize; i < ACPI_SDT_HEADER_LEN + n * esize; i++)
		t[i] = 0;
	le32_write(t + SDT_LENGTH, ACPI_SDT_HEADER_LEN + k * esize);
	acpi_checksum_fix(t, ACPI_SDT_HEADER_LEN + k * esize, SDT_CHECKSUM);
	return 0;
}

/* The host's MADT: the first entry of the SDT copy at off whose table is "APIC"; 0 if none. */
static uint64_t find_madt(struct view_ctx *c, uint32_t off, unsigned int esize)
{
	uint8_t sig[4];
	uint32_t n;

	if (sdt_count(c, off, esize, esize == 8 ? "XSDT" : "RSDT", &n))
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t pa = sdt_entry(c->buf + off, esize, i);

		if (table_sig(c->r, pa, sig) && same_sig(sig, "APIC"))
			return pa;
	}
	return 0;
}

int acpi_view_build(const struct acpi_view_request *r, uint8_t *buf, uint32_t size,
		    struct acpi_view *out, char *err, size_t errlen)
{
	struct view_ctx c = { .r = r, .buf = buf, .size = size, .pos = ACPI_VIEW_RSDP_SLOT, .out = out,
			      .err = err, .errlen = errlen };
	uint32_t xoff = 0, roff = 0, moff = 0, n;
	uint64_t xsdt = 0, rsdt, madt;
	bool v2;
	int rc;

	*out = (struct acpi_view){ .rsdp_len = 0 };
	if (!r || !r->rsdp || !r->read || !buf || size < ACPI_VIEW_RSDP_SLOT)
		return fmt_error(-EINVAL, err, errlen, "incomplete request");
	if (!rsdp_ok(r->rsdp, r->rsdp_len))
		return fmt_error(-EINVAL, err, errlen, "no valid RSDP (signature, checksums)");
	if (!r->running_count)
		return fmt_error(-EINVAL, err, errlen, "no CPU runs");
	v2 = r->rsdp[RSDP_REVISION] >= 2;
	rsdt = acpi_le32(r->rsdp + RSDP_RSDT);
	if (v2)
		xsdt = acpi_le64(r->rsdp + RSDP_XSDT);
	if (!xsdt && !rsdt)
		return fmt_error(-EINVAL, err, errlen, "the RSDP names neither an RSDT nor an XSDT");
	/* The RSDT and the RSDP's RsdtAddress hold 32-bit addresses. Above
	 * 4 GiB, an OS that has an XSDT uses it (ACPI 6.x, 5.2.5.3): the copy
	 * then has none; ACPI 1.0 firmware (an RSDT only) cannot be copied there. */
	if (rsdt && (r->base + size > (1ULL << 32) || r->base + size < r->base)) {
		if (!xsdt)
			return fmt_error(-ERANGE, err, errlen, "the RSDT copy cannot name tables at 0x%llx, above 4 GiB",
					 (unsigned long long)r->base);
		rsdt = 0;
	}
	if (xsdt && ((rc = copy_table(&c, xsdt, "XSDT", &xoff)) || (rc = sdt_count(&c, xoff, 8, "XSDT", &n))))
		return rc;
	if (rsdt && ((rc = copy_table(&c, rsdt, "RSDT", &roff)) || (rc = sdt_count(&c, roff, 4, "RSDT", &n))))
		return rc;
	/* What an ACPI 2.0 OS reads: the XSDT where there is one. */
	madt = xsdt ? find_madt(&c, xoff, 8) : find_madt(&c, roff, 4);
	if (madt && ((rc = copy_table(&c, madt, "APIC", &moff)) || (rc = madt_hide(&c, buf + moff))))
		return rc;
	out->madt = madt ? r->base + moff : 0;
	if (xsdt && (rc = sdt_rewrite(&c, xoff, 8, out->madt, true)))
		return rc;
	if (rsdt && (rc = sdt_rewrite(&c, roff, 4, out->madt, !xsdt)))
		return rc;
	out->xsdt = xsdt ? r->base + xoff : 0;
	out->rsdt = rsdt ? r->base + roff : 0;
	out->rsdp_len = v2 ? RSDP_V2_LEN : RSDP_V1_LEN;
	out->used = c.pos;
	for (unsigned int i = 0; i < out->rsdp_len; i++)
		buf[i] = r->rsdp[i];
	le32_write(buf + RSDP_RSDT, (uint32_t)out->rsdt);
	acpi_checksum_fix(buf, RSDP_V1_LEN, RSDP_CHECKSUM);
	if (v2) {
		le64_write(buf + RSDP_XSDT, out->xsdt);
		acpi_checksum_fix(buf, RSDP_V2_LEN, RSDP_EXT_CHECKSUM);
	}
	return 0;
}

/* Scans [start, end) on 16-byte boundaries a page at a time; 0 with *pa if found. */
static int scan_range(acpi_read_fn read, void *ctx, uint64_t start, uint64_t end, uint64_t *pa)
{
	uint8_t page[SCAN_PAGE + RSDP_V2_LEN];

	for (uint64_t p = start; p < end;) {
		uint64_t chunk_end = (p & ~(uint64_t)(SCAN_PAGE - 1)) + SCAN_PAGE;
		uint32_t n = (uint32_t)((chunk_end < end ? chunk_end : end) - p);

		if (!read(ctx, p, page, n)) {
			/* An RSDP starting near the chunk's end may run into the next page. */
			if (read(ctx, p + n, page + n, RSDP_V2_LEN))
				for (uint32_t i = 0; i < RSDP_V2_LEN; i++)
					page[n + i] = 0;
			for (uint32_t i = 0; i < n; i += 16)
				if (rsdp_ok(page + i, RSDP_V2_LEN)) {
					*pa = p + i;
					return 0;
				}
		}
		p += n;
	}
	return -ENOENT;
}

int acpi_rsdp_scan(acpi_read_fn read, void *ctx, uint64_t *pa)
{
	uint8_t seg[2];
	uint64_t ebda;

	if (!read(ctx, EBDA_SEGMENT_PTR, seg, 2)) {
		ebda = (uint64_t)acpi_le16(seg) << 4;
		/* Linux's test: an EBDA below 0x400 would be the interrupt table. */
		if (ebda > 0x400 && ebda < BIOS_AREA_START && !scan_range(read, ctx, ebda, ebda + 1024, pa))
			return 0;
	}
	return scan_range(read, ctx, BIOS_AREA_START, BIOS_AREA_END, pa);
}
