/* drivers/acpi/acpi_dmar.c - the DMAR table (VT-d spec rev 5.0, 8.1 header,
 * 8.3 DRHD, 8.3.1 device scope, 8.4 RMRR, 8.5 ATSR, 8.6 RHSA, 8.7 ANDD,
 * 8.8 SATC) -> struct dmar_info. Every structure is bounded by the table and
 * every scope by its structure; nothing is trusted. Pure. */
#include "drivers/acpi/acpi_dmar.h"
#include "lib/format.h"
#include "lib/string.h"

#define DMAR_HAW           36           /* host address width - 1 */
#define DMAR_FLAGS         37
#define DMAR_STRUCTS       48           /* after 10 reserved bytes */
#define DMAR_STRUCT_HDR    4            /* type (2), length (2) */
#define DRHD_MIN           16           /* flags, size, segment, register base; scopes follow */
#define RMRR_MIN           24           /* reserved, segment, base, limit; scopes follow */
#define ATSR_MIN           8            /* flags, reserved, segment; scopes follow */
#define RHSA_LEN           20           /* reserved (4), register base (8), proximity domain (4) */
#define ANDD_MIN           8            /* reserved (3), device number, then the object name */
#define SATC_MIN           8            /* flags, reserved, segment; scopes follow */
#define SCOPE_HDR          6            /* type, length, flags, reserved, enumeration ID, start bus */
#define SCOPE_MIN          (SCOPE_HDR + 2)   /* at least one (device, function) hop */
#define MIN_HAW            12           /* narrower than a page cannot be (Linux checks the same) */

const char *dmar_scope_type_name(uint8_t type)
{
	static const char *const names[] = { "?", "endpoint", "bridge", "ioapic", "hpet", "acpi" };

	return type < ARRAY_SIZE(names) ? names[type] : "?";
}

char *dmar_scope_format(char *buf, size_t size, const struct dmar_scope *s)
{
	size_t n;

	if (!size)
		return buf;
	n = (size_t)fmt_snprintf(buf, size, "%02x:%02x.%x", s->start_bus, s->path[0].dev, s->path[0].fn);
	for (unsigned int h = 1; h < s->path_len && n < size; h++)
		n += (size_t)fmt_snprintf(buf + n, size - n, "/%02x.%x", s->path[h].dev, s->path[h].fn);
	if (s->type >= DMAR_SCOPE_IOAPIC && n < size)
		fmt_snprintf(buf + n, size - n, " (%s %u)", dmar_scope_type_name(s->type), s->enum_id);
	return buf;
}

char *dmar_scopes_format(char *buf, size_t size, const struct dmar_info *d, struct dmar_scopes s)
{
	size_t n = 0;
	char one[48];

	if (!size)
		return buf;
	buf[0] = '\0';
	if (!s.count)
		fmt_snprintf(buf, size, "none");
	for (unsigned int i = 0; i < s.count && s.first + i < d->scope_count && n < size; i++)
		n += (size_t)fmt_snprintf(buf + n, size - n, "%s%s", i ? ", " : "",
					  dmar_scope_format(one, sizeof(one), &d->scope[s.first + i]));
	return buf;
}

static const char *struct_name(uint16_t type)
{
	static const char *const names[] = { "DRHD", "RMRR", "ATSR", "RHSA", "ANDD", "SATC" };

	return type < ARRAY_SIZE(names) ? names[type] : "structure";
}

/*
 * Reads the scope entries in t[start, end) (the rest of one remapping
 * structure). With keep, they are appended to out->scope and *s describes
 * them; without, they are only checked (a structure not kept). Entries of an
 * unknown type are skipped and counted. Returns 0, -EINVAL or -ENOSPC.
 */
static int parse_scopes(const uint8_t *t, uint32_t start, uint32_t end, bool keep, struct dmar_info *out,
			struct dmar_scopes *s, char *err, size_t errlen)
{
	*s = (struct dmar_scopes){ .first = (uint16_t)out->scope_count, .count = 0 };
	for (uint32_t off = start; off < end;) {
		uint8_t type, slen;
		struct dmar_scope *d;

		if (end - off < 2 || (slen = t[off + 1]) < SCOPE_MIN || slen > end - off || (slen - SCOPE_HDR) % 2) {
			fmt_snprintf(err, errlen, "DMAR device scope at offset %u: length %u (%u bytes left in its "
				     "structure; 6 + 2 per hop, at least one hop)", off,
				     end - off < 2 ? 0 : t[off + 1], end - off);
			return -EINVAL;
		}
		type = t[off];
		if (type < DMAR_SCOPE_PCI_ENDPOINT || type > DMAR_SCOPE_ACPI_DEVICE) {
			out->scopes_skipped++;
			off += slen;
			continue;
		}
		if ((slen - SCOPE_HDR) / 2 > DMAR_MAX_PATH) {
			fmt_snprintf(err, errlen, "DMAR device scope at offset %u: %u hops, more than the %u kept",
				     off, (slen - SCOPE_HDR) / 2, DMAR_MAX_PATH);
			return -ENOSPC;
		}
		for (uint32_t i = off + SCOPE_HDR; i < off + slen; i += 2)
			if (t[i] > 31 || t[i + 1] > 7) {
				fmt_snprintf(err, errlen, "DMAR device scope at offset %u: hop at offset %u is "
					     "device %u function %u", off, i, t[i], t[i + 1]);
				return -EINVAL;
			}
		if (keep) {
			if (out->scope_count >= DMAR_MAX_SCOPES) {
				fmt_snprintf(err, errlen, "DMAR device scope at offset %u: more than %u scopes",
					     off, DMAR_MAX_SCOPES);
				return -ENOSPC;
			}
			d = &out->scope[out->scope_count++];
			*d = (struct dmar_scope){
				.type = type, .enum_id = t[off + 4], .start_bus = t[off + 5],
				.path_len = (uint8_t)((slen - SCOPE_HDR) / 2),
			};
			for (unsigned int h = 0; h < d->path_len; h++) {
				d->path[h].dev = t[off + SCOPE_HDR + 2 * h];
				d->path[h].fn = t[off + SCOPE_HDR + 2 * h + 1];
			}
			s->count++;
		}
		off += slen;
	}
	return 0;
}

static int parse_drhd(const uint8_t *t, uint32_t off, uint32_t slen, struct dmar_info *out, char *err,
		      size_t errlen)
{
	struct dmar_unit *u;
	uint64_t base = acpi_le64(t + off + 8);
	uint16_t seg = acpi_le16(t + off + 6);
	bool all = t[off + 4] & DMAR_DRHD_INCLUDE_PCI_ALL;

	if (!base || !IS_ALIGNED(base, 4096)) {
		fmt_snprintf(err, errlen, "DMAR DRHD at offset %u: register base 0x%llx is not a page", off,
			     (unsigned long long)base);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < out->unit_count; i++) {
		if (out->unit[i].reg_base == base) {
			fmt_snprintf(err, errlen, "DMAR DRHD at offset %u: register base 0x%llx already at offset %u",
				     off, (unsigned long long)base, out->unit[i].offset);
			return -EINVAL;
		}
		/* Two catch-alls for one segment: which unit owns a device is undefined (8.3). */
		if (all && out->unit[i].include_pci_all && out->unit[i].segment == seg) {
			fmt_snprintf(err, errlen, "DMAR DRHD at offset %u: a second INCLUDE_PCI_ALL unit for segment "
				     "%u (the first at offset %u)", off, seg, out->unit[i].offset);
			return -EINVAL;
		}
	}
	if (out->unit_count >= DMAR_MAX_UNITS) {
		fmt_snprintf(err, errlen, "DMAR DRHD at offset %u: more than %u remapping units", off, DMAR_MAX_UNITS);
		return -ENOSPC;
	}
	u = &out->unit[out->unit_count];
	*u = (struct dmar_unit){
		.reg_base = base, .reg_pages = 1u << (t[off + 5] & 0xf), .segment = seg, .include_pci_all = all,
		.offset = off,
	};
	out->unit_count++;
	return parse_scopes(t, off + DRHD_MIN, off + slen, true, out, &u->scopes, err, errlen);
}

static int parse_rmrr(const uint8_t *t, uint32_t off, uint32_t slen, struct dmar_info *out, char *err,
		      size_t errlen)
{
	uint64_t base = acpi_le64(t + off + 8), limit = acpi_le64(t + off + 16);
	/* Firmware gets these wrong in the field (Linux: "Your BIOS is broken"):
	 * such a range is skipped, not the whole table; its scopes are still checked. */
	bool ok = base <= limit && IS_ALIGNED(base, 4096) && IS_ALIGNED(limit + 1, 4096) && limit != ~0ULL;
	struct dmar_scopes s;
	int rc;

	if (ok && out->rmrr_count >= DMAR_MAX_RMRRS) {
		fmt_snprintf(err, errlen, "DMAR RMRR at offset %u: more than %u reserved regions", off,
			     DMAR_MAX_RMRRS);
		return -ENOSPC;
	}
	rc = parse_scopes(t, off + RMRR_MIN, off + slen, ok, out, &s, err, errlen);
	if (rc)
		return rc;
	if (!ok) {
		out->rmrr_bad++;
		return 0;
	}
	out->rmrr[out->rmrr_count++] = (struct dmar_rmrr){
		.base = base, .limit = limit, .segment = acpi_le16(t + off + 6), .scopes = s,
	};
	return 0;
}

static int parse_atsr(const uint8_t *t, uint32_t off, uint32_t slen, struct dmar_info *out, char *err,
		      size_t errlen)
{
	struct dmar_atsr *a;

	if (out->atsr_count >= DMAR_MAX_ATSRS) {
		fmt_snprintf(err, errlen, "DMAR ATSR at offset %u: more than %u", off, DMAR_MAX_ATSRS);
		return -ENOSPC;
	}
	a = &out->atsr[out->atsr_count++];
	*a = (struct dmar_atsr){ .segment = acpi_le16(t + off + 6), .all_ports = t[off + 4] & DMAR_ATSR_ALL_PORTS };
	return parse_scopes(t, off + ATSR_MIN, off + slen, true, out, &a->scopes, err, errlen);
}

/* An RHSA names a unit by its register base (8.6); one that names none is ignored, as Linux does. */
static void apply_rhsa(const uint8_t *t, uint32_t off, struct dmar_info *out)
{
	uint64_t base = acpi_le64(t + off + 8);

	for (unsigned int i = 0; i < out->unit_count; i++)
		if (out->unit[i].reg_base == base) {
			out->unit[i].has_proximity = true;
			out->unit[i].proximity = acpi_le32(t + off + 16);
		}
}

/* The least length of a remapping structure of that type. */
static uint32_t struct_min(uint16_t type)
{
	switch (type) {
	case DMAR_TYPE_DRHD: return DRHD_MIN;
	case DMAR_TYPE_RMRR: return RMRR_MIN;
	case DMAR_TYPE_ATSR: return ATSR_MIN;
	case DMAR_TYPE_RHSA: return RHSA_LEN;
	case DMAR_TYPE_ANDD: return ANDD_MIN;
	case DMAR_TYPE_SATC: return SATC_MIN;
	default: return DMAR_STRUCT_HDR;
	}
}

static int parse_struct(const uint8_t *t, uint32_t off, uint16_t type, uint32_t slen, struct dmar_info *out,
			char *err, size_t errlen)
{
	struct dmar_scopes none;

	switch (type) {
	case DMAR_TYPE_DRHD:
		return parse_drhd(t, off, slen, out, err, errlen);
	case DMAR_TYPE_RMRR:
		return parse_rmrr(t, off, slen, out, err, errlen);
	case DMAR_TYPE_ATSR:
		return parse_atsr(t, off, slen, out, err, errlen);
	case DMAR_TYPE_RHSA:
		out->rhsa_count++;
		apply_rhsa(t, off, out);
		return 0;
	case DMAR_TYPE_ANDD:
		out->andd_count++;
		return 0;
	case DMAR_TYPE_SATC:
		out->satc_count++;
		return parse_scopes(t, off + SATC_MIN, off + slen, false, out, &none, err, errlen);
	default:
		out->unknown_types++;
		return 0;
	}
}

int dmar_parse(const uint8_t *t, uint32_t len, struct dmar_info *out, char *err, size_t errlen)
{
	uint32_t tlen;
	uint8_t sum = 0;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	if (len < DMAR_STRUCTS || memcmp(t, "DMAR", 4)) {
		fmt_snprintf(err, errlen, "DMAR: %s", len < DMAR_STRUCTS ? "shorter than its 48-byte header"
								       : "signature is not DMAR");
		return -EINVAL;
	}
	tlen = acpi_le32(t + 4);
	if (tlen < DMAR_STRUCTS || tlen > len) {
		fmt_snprintf(err, errlen, "DMAR: header length %u (at offset 4) outside [48, %u]", tlen, len);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < tlen; i++)
		sum = (uint8_t)(sum + t[i]);
	if (sum) {
		fmt_snprintf(err, errlen, "DMAR: checksum (byte at offset 9) wrong: the %u bytes sum to 0x%02x", tlen,
			     sum);
		return -EINVAL;
	}
	out->haw = t[DMAR_HAW] + 1u;
	out->flags = t[DMAR_FLAGS];
	out->revision = t[ACPI_SDT_REVISION];
	if (out->haw < MIN_HAW || out->haw > 64) {
		fmt_snprintf(err, errlen, "DMAR: host address width %u bits (offset 36)", out->haw);
		return -EINVAL;
	}
	for (uint32_t off = DMAR_STRUCTS; off < tlen;) {
		uint16_t type;
		uint32_t slen;
		int rc;

		if (tlen - off < DMAR_STRUCT_HDR) {
			fmt_snprintf(err, errlen, "DMAR: %u stray bytes at offset %u, too few for a structure header",
				     tlen - off, off);
			return -EINVAL;
		}
		type = acpi_le16(t + off);
		slen = acpi_le16(t + off + 2);
		if (slen < struct_min(type) || slen > tlen - off) {
			fmt_snprintf(err, errlen, "DMAR %s (type %u) at offset %u: length %u outside [%u, %u]",
				     struct_name(type), type, off, slen, struct_min(type), tlen - off);
			return -EINVAL;
		}
		rc = parse_struct(t, off, type, slen, out, err, errlen);
		if (rc)
			return rc;
		off += slen;
	}
	if (!out->unit_count) {
		fmt_snprintf(err, errlen, "DMAR: no remapping unit (DRHD)");
		return -EINVAL;
	}
	return 0;
}

int acpi_read_dmar(const uint8_t *rsdp, unsigned int len, acpi_read_fn read, void *ctx, struct dmar_info *out,
		   char *err, size_t errlen)
{
	static uint8_t buf[DMAR_MAX_LEN];
	uint32_t tlen;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = acpi_find_table(rsdp, len, read, ctx, "DMAR", "DMAR", buf, sizeof(buf), &tlen, err, errlen);
	if (rc == -ENOENT)
		fmt_snprintf(err, errlen, "no DMAR table");
	if (rc)
		return rc;
	return dmar_parse(buf, tlen, out, err, errlen);
}
