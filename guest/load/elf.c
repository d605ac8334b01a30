/* guest/load/elf.c - ELF32/ELF64 executable validation (System V gABI 4.1, "ELF Header" and
 * "Program Header"; x86-64 psABI 1.0, 4.1 "Machine Information"). */
#include "guest/load/elf.h"
#include "lib/format.h"
#include "lib/le.h"

/* e_ident (gABI "ELF Identification"). */
#define EI_NIDENT       16
#define EI_CLASS        4
#define EI_DATA         5
#define EI_VERSION      6
#define ELFCLASS32      1
#define ELFCLASS64      2
#define ELFDATA2LSB     1
#define EV_CURRENT      1

#define ET_EXEC         2
#define EM_386          3
#define EM_X86_64       62
#define PT_LOAD         1
#define PN_XNUM         0xffff     /* real e_phnum in section header 0 (gABI, "Extended numbering") */

/* Header and program-header sizes, and where each field sits in them. The
 * two classes differ in field widths and, for phdrs, in field order, so each
 * class gets a layout and one reader handles both. */
struct elf_layout {
	unsigned int bits;
	uint16_t machine;
	size_t ehsize, phentsize;
	size_t e_entry, e_phoff, e_ehsize, e_phentsize, e_phnum;   /* e_entry, e_phoff are word-sized */
	size_t p_type, p_flags, p_offset, p_paddr, p_filesz, p_memsz;
	size_t word;                   /* 4 or 8: width of addresses and offsets */
};

static const struct elf_layout elf32_layout = {
	.bits = 32, .machine = EM_386, .ehsize = 52, .phentsize = 32,
	.e_entry = 24, .e_phoff = 28, .e_ehsize = 40, .e_phentsize = 42, .e_phnum = 44,
	.p_type = 0, .p_offset = 4, .p_paddr = 12, .p_filesz = 16, .p_memsz = 20, .p_flags = 24,
	.word = 4,
};

static const struct elf_layout elf64_layout = {
	.bits = 64, .machine = EM_X86_64, .ehsize = 64, .phentsize = 56,
	.e_entry = 24, .e_phoff = 32, .e_ehsize = 52, .e_phentsize = 54, .e_phnum = 56,
	.p_type = 0, .p_flags = 4, .p_offset = 8, .p_paddr = 24, .p_filesz = 32, .p_memsz = 40,
	.word = 8,
};

static uint64_t rdword(const struct elf_layout *l, const uint8_t *p)
{
	return l->word == 8 ? le64_read(p) : le32_read(p);
}

/* Checks e_ident and the fixed header fields; picks the class layout. */
static int elf_check_header(const uint8_t *b, size_t size, const struct elf_layout **lp,
			    char *err, size_t errlen)
{
	const struct elf_layout *l;
	uint16_t type, machine, ehsize, phentsize;
	uint32_t version;

	if (size < elf32_layout.ehsize)
		return fmt_error(-EINVAL, err, errlen, "file too small for an ELF header (0x%zx bytes)", size);
	if (b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F')
		return fmt_error(-EINVAL, err, errlen, "bad magic %02x %02x %02x %02x (not an ELF file)",
				b[0], b[1], b[2], b[3]);
	if (b[EI_CLASS] == ELFCLASS32)
		l = &elf32_layout;
	else if (b[EI_CLASS] == ELFCLASS64)
		l = &elf64_layout;
	else
		return fmt_error(-EINVAL, err, errlen, "bad class %u (neither ELFCLASS32 nor ELFCLASS64)",
				b[EI_CLASS]);
	if (b[EI_DATA] != ELFDATA2LSB)
		return fmt_error(-EINVAL, err, errlen, "data encoding %u is not little-endian", b[EI_DATA]);
	if (b[EI_VERSION] != EV_CURRENT)
		return fmt_error(-EINVAL, err, errlen, "e_ident version %u is not 1", b[EI_VERSION]);
	if (size < l->ehsize)
		return fmt_error(-EINVAL, err, errlen, "file too small for an ELF%u header (0x%zx bytes)",
				l->bits, size);

	type = le16_read(b + 16);
	machine = le16_read(b + 18);
	version = le32_read(b + 20);
	ehsize = le16_read(b + l->e_ehsize);
	phentsize = le16_read(b + l->e_phentsize);
	if (type != ET_EXEC)
		return fmt_error(-EINVAL, err, errlen, "type %u is not ET_EXEC", type);
	if (machine != l->machine)
		return fmt_error(-EINVAL, err, errlen, "machine %u is not %s for ELF%u", machine,
				l->bits == 32 ? "EM_386" : "EM_X86_64", l->bits);
	if (version != EV_CURRENT)
		return fmt_error(-EINVAL, err, errlen, "e_version %u is not 1", version);
	if (ehsize != l->ehsize)
		return fmt_error(-EINVAL, err, errlen, "e_ehsize %u is not %zu", ehsize, l->ehsize);
	/* Exact, as Linux's loader wants: a larger entry would be a format this
	 * code does not know, and a smaller one would make fields overlap. */
	if (phentsize != l->phentsize)
		return fmt_error(-EINVAL, err, errlen, "e_phentsize %u is not %zu", phentsize, l->phentsize);
	*lp = l;
	return 0;
}

/* Checks one PT_LOAD program header (index i) and fills s from it. */
static int elf_check_segment(const struct elf_layout *l, const uint8_t *ph, unsigned int i,
			     size_t size, struct elf_segment *s, char *err, size_t errlen)
{
	s->offset = rdword(l, ph + l->p_offset);
	s->paddr = rdword(l, ph + l->p_paddr);
	s->filesz = rdword(l, ph + l->p_filesz);
	s->memsz = rdword(l, ph + l->p_memsz);
	s->flags = le32_read(ph + l->p_flags);

	/* Written as subtractions so that no sum can wrap. */
	if (s->offset > size || s->filesz > size - s->offset)
		return fmt_error(-EINVAL, err, errlen,
				"segment %u: file range 0x%llx+0x%llx past the end of the file (0x%zx bytes)",
				i, (unsigned long long)s->offset, (unsigned long long)s->filesz, size);
	if (s->filesz > s->memsz)
		return fmt_error(-EINVAL, err, errlen, "segment %u: filesz 0x%llx larger than memsz 0x%llx",
				i, (unsigned long long)s->filesz, (unsigned long long)s->memsz);
	if (s->memsz > UINT64_MAX - s->paddr)
		return fmt_error(-EINVAL, err, errlen, "segment %u: paddr 0x%llx + memsz 0x%llx overflows",
				i, (unsigned long long)s->paddr, (unsigned long long)s->memsz);
	/* A 32-bit kernel starts with paging off (or 32-bit paging): it can only
	 * reach the first 4 GiB, so the last byte must sit below 4 GiB. */
	if (l->bits == 32 && s->paddr + s->memsz > 4 * GiB)
		return fmt_error(-EINVAL, err, errlen, "segment %u: paddr 0x%llx + memsz 0x%llx ends above 4 GiB",
				i, (unsigned long long)s->paddr, (unsigned long long)s->memsz);
	return 0;
}

/* Half-open ranges [a, a+alen) and [b, b+blen), both non-empty and not wrapping. */
static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* The whole-image checks that need every segment: overlap and the entry point. */
static int elf_check_image(struct elf_image *img, const uint16_t *phidx, char *err, size_t errlen)
{
	const struct elf_segment *s, *t;
	unsigned int i, j;
	bool entry_ok = false;

	img->lowest = UINT64_MAX;
	img->highest = 0;
	for (i = 0; i < img->segment_count; i++) {
		s = &img->segments[i];
		for (j = 0; j < i; j++) {
			t = &img->segments[j];
			if (ranges_overlap(s->paddr, s->memsz, t->paddr, t->memsz))
				return fmt_error(-EINVAL, err, errlen,
						"segment %u: paddr 0x%llx+0x%llx overlaps segment %u (0x%llx+0x%llx)",
						phidx[i], (unsigned long long)s->paddr,
						(unsigned long long)s->memsz, phidx[j],
						(unsigned long long)t->paddr, (unsigned long long)t->memsz);
		}
		img->lowest = MIN(img->lowest, s->paddr);
		img->highest = MAX(img->highest, s->paddr + s->memsz);
		if ((s->flags & PF_X) && img->entry >= s->paddr && img->entry - s->paddr < s->memsz)
			entry_ok = true;
	}
	if (!entry_ok)
		return fmt_error(-EINVAL, err, errlen, "entry 0x%llx is not inside an executable segment",
				(unsigned long long)img->entry);
	return 0;
}

/* elf_parse without the cleanup of `out` on failure. */
static int elf_parse_image(const uint8_t *b, size_t size, struct elf_image *out,
			   char *err, size_t errlen)
{
	const struct elf_layout *l;
	uint16_t phidx[ELF_MAX_SEGMENTS];   /* program-header index of each kept segment */
	uint64_t phoff, phsize;
	unsigned int i, phnum, loads = 0;
	struct elf_segment s;
	int rc;

	rc = elf_check_header(b, size, &l, err, errlen);
	if (rc)
		return rc;

	out->bits = l->bits;
	out->entry = rdword(l, b + l->e_entry);
	phoff = rdword(l, b + l->e_phoff);
	phnum = le16_read(b + l->e_phnum);
	if (phnum == PN_XNUM)
		return fmt_error(-EINVAL, err, errlen, "e_phnum PN_XNUM (extended numbering) not supported");
	if (phnum == 0)
		return fmt_error(-EINVAL, err, errlen, "no program headers");
	phsize = (uint64_t)phnum * l->phentsize;   /* at most 0xfffe * 56: no overflow */
	if (phoff > size || phsize > size - phoff)
		return fmt_error(-EINVAL, err, errlen,
				"program headers 0x%llx+0x%llx past the end of the file (0x%zx bytes)",
				(unsigned long long)phoff, (unsigned long long)phsize, size);

	for (i = 0; i < phnum; i++) {
		const uint8_t *ph = b + phoff + (size_t)i * l->phentsize;

		if (le32_read(ph + l->p_type) != PT_LOAD)
			continue;
		loads++;
		rc = elf_check_segment(l, ph, i, size, &s, err, errlen);
		if (rc)
			return rc;
		/* Empty segments load nothing; dropping them keeps the overlap
		 * check and lowest/highest about memory actually written. */
		if (s.memsz == 0)
			continue;
		if (out->segment_count == ELF_MAX_SEGMENTS)
			return fmt_error(-EINVAL, err, errlen, "segment %u: more than %u loadable segments",
					i, ELF_MAX_SEGMENTS);
		phidx[out->segment_count] = (uint16_t)i;
		out->segments[out->segment_count++] = s;
	}
	if (!loads)
		return fmt_error(-EINVAL, err, errlen, "no PT_LOAD segment");
	if (!out->segment_count)
		return fmt_error(-EINVAL, err, errlen, "every PT_LOAD segment is empty (memsz 0)");
	return elf_check_image(out, phidx, err, errlen);
}

int elf_parse(const void *data, size_t size, struct elf_image *out, char *err, size_t errlen)
{
	int rc;

	*out = (struct elf_image){ 0 };
	if (err && errlen)
		err[0] = '\0';
	rc = elf_parse_image(data, size, out, err, errlen);
	if (rc)
		*out = (struct elf_image){ 0 };   /* no half-checked segments for a careless caller */
	return rc;
}
