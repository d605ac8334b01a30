/* boot/efi/core_load.c - checking and placing hv.elf for the UEFI hand-off
 * (System V gABI 4.1, "Program Header" and "Note Section"; the contract in
 * boot/info/efi_handoff.h). Pure: the caller allocates and maps. */
#include "boot/efi/core_load.h"
#include "lib/format.h"
#include "lib/le.h"
#include "lib/string.h"

#define EHDR64_PHOFF      32
#define EHDR64_PHENTSIZE  54
#define EHDR64_PHNUM      56
#define PHDR64_SIZE       56
#define PHDR64_TYPE       0
#define PHDR64_OFFSET     8
#define PHDR64_FILESZ     32
#define PT_NOTE           4
#define PN_XNUM           0xffff
#define NOTE_HDR          12          /* namesz, descsz, type */

/*
 * Looks for HV notes in the PT_NOTE segment at [off, off + len) of the file
 * (already checked to lie inside it). Each note: namesz, descsz, type, then
 * the name and the desc, each padded to 4 bytes. Counts the notes of each
 * entry type (HV_NOTE_EFI_ENTRY64, HV_NOTE_EFI_AP_ENTRY64) in found[type - 1]
 * and keeps the last address of each in entry[type - 1].
 */
static int scan_notes(const uint8_t *b, uint64_t off, uint64_t len, unsigned int found[2],
		      uint64_t entry[2], char *err, size_t errlen)
{
	uint64_t pos = 0;

	while (pos < len) {
		uint32_t namesz, descsz, type;
		uint64_t name_pad, desc_pad;
		const uint8_t *n = b + off + pos;

		if (len - pos < NOTE_HDR)
			return fmt_error(-EINVAL, err, errlen, "note at file offset 0x%llx cut short",
					 (unsigned long long)(off + pos));
		namesz = le32_read(n);
		descsz = le32_read(n + 4);
		type = le32_read(n + 8);
		name_pad = ALIGN_UP((uint64_t)namesz, 4);
		desc_pad = ALIGN_UP((uint64_t)descsz, 4);
		if (name_pad + desc_pad > len - pos - NOTE_HDR)
			return fmt_error(-EINVAL, err, errlen,
					 "note at file offset 0x%llx (name %u, desc %u bytes) runs past its segment",
					 (unsigned long long)(off + pos), namesz, descsz);
		if (namesz == sizeof(HV_NOTE_NAME) && !memcmp(n + NOTE_HDR, HV_NOTE_NAME, namesz) &&
		    (type == HV_NOTE_EFI_ENTRY64 || type == HV_NOTE_EFI_AP_ENTRY64)) {
			if (descsz != 8)
				return fmt_error(-EINVAL, err, errlen,
						 "HV entry note with a %u-byte desc, expected 8", descsz);
			entry[type - 1] = le64_read(n + NOTE_HDR + name_pad);
			found[type - 1]++;
		}
		pos += NOTE_HDR + name_pad + desc_pad;
	}
	return 0;
}

/* Finds the HV entry notes in hv.elf's PT_NOTE segments (headers already
 * checked by elf_parse: the program-header table lies inside the file):
 * entry[0] efi_entry64 (exactly one), entry[1] efi_ap_entry64 (at most
 * one; 0 if none). */
static int find_entry_note(const uint8_t *b, size_t size, uint64_t entry[2], char *err, size_t errlen)
{
	uint64_t phoff = le64_read(b + EHDR64_PHOFF);
	uint16_t phnum = le16_read(b + EHDR64_PHNUM);
	unsigned int found[2] = { 0, 0 };
	int rc;

	if (le16_read(b + EHDR64_PHENTSIZE) != PHDR64_SIZE || phnum == PN_XNUM)
		return fmt_error(-EINVAL, err, errlen, "unexpected program-header table");
	for (unsigned int i = 0; i < phnum; i++) {
		const uint8_t *ph = b + phoff + (uint64_t)i * PHDR64_SIZE;
		uint64_t off = le64_read(ph + PHDR64_OFFSET), len = le64_read(ph + PHDR64_FILESZ);

		if (le32_read(ph + PHDR64_TYPE) != PT_NOTE)
			continue;
		if (off > size || len > size - off)
			return fmt_error(-EINVAL, err, errlen,
					 "segment %u: note range 0x%llx+0x%llx past the end of the file (0x%zx bytes)",
					 i, (unsigned long long)off, (unsigned long long)len, size);
		rc = scan_notes(b, off, len, found, entry, err, errlen);
		if (rc)
			return rc;
	}
	if (!found[0])
		return fmt_error(-EINVAL, err, errlen,
				 "no HV entry note (PT_NOTE \"HV\", type %u): not a hypervisor core with a UEFI entry",
				 HV_NOTE_EFI_ENTRY64);
	if (found[0] > 1)
		return fmt_error(-EINVAL, err, errlen, "%u HV entry notes, expected one", found[0]);
	if (found[1] > 1)
		return fmt_error(-EINVAL, err, errlen, "%u HV AP entry notes, expected at most one", found[1]);
	return 0;
}

static bool in_code(const struct core_image *img, uint64_t pa)
{
	for (unsigned int i = 0; i < img->elf.segment_count; i++) {
		const struct elf_segment *s = &img->elf.segments[i];

		if (s->flags & PF_X && pa >= s->paddr && pa - s->paddr < s->memsz)
			return true;
	}
	return false;
}

int core_parse(const void *elf, size_t size, struct core_image *img, char *err, size_t errlen)
{
	uint64_t entry[2] = { 0, 0 };
	char why[128];
	int rc;

	if (err && errlen)
		err[0] = '\0';
	memset(img, 0, sizeof(*img));
	if (elf_parse(elf, size, &img->elf, why, sizeof(why)))
		return fmt_error(-EINVAL, err, errlen, "hv.elf: %s", why);
	if (img->elf.bits != 64)
		return fmt_error(-EINVAL, err, errlen, "hv.elf: a 32-bit ELF, the core is ELF64");
	img->link_base = img->elf.lowest;
	img->span = img->elf.highest - img->elf.lowest;
	if (!IS_ALIGNED(img->link_base, CORE_LOAD_ALIGN))
		return fmt_error(-EINVAL, err, errlen, "hv.elf: lowest segment at 0x%llx, not 2 MiB aligned",
				 (unsigned long long)img->link_base);
	if (img->span > CORE_SPAN_MAX)
		return fmt_error(-EINVAL, err, errlen, "hv.elf: segments span 0x%llx bytes, at most 0x%llx",
				 (unsigned long long)img->span, (unsigned long long)CORE_SPAN_MAX);
	rc = find_entry_note(elf, size, entry, why, sizeof(why));
	if (rc)
		return fmt_error(rc, err, errlen, "hv.elf: %s", why);
	img->entry64 = entry[0];
	img->ap_entry64 = entry[1];
	if (!in_code(img, img->entry64))
		return fmt_error(-EINVAL, err, errlen, "hv.elf: the HV note's entry 0x%llx is in no executable segment",
				 (unsigned long long)img->entry64);
	if (img->ap_entry64 && !in_code(img, img->ap_entry64))
		return fmt_error(-EINVAL, err, errlen,
				 "hv.elf: the HV note's AP entry 0x%llx is in no executable segment",
				 (unsigned long long)img->ap_entry64);
	return 0;
}

int core_place(const void *elf, size_t size, const struct core_image *img, void *dest,
	       hpa_t load_pa, struct core_placed *out, char *err, size_t errlen)
{
	const uint8_t *b = elf;
	uint8_t *d = dest;

	if (err && errlen)
		err[0] = '\0';
	if (!IS_ALIGNED(load_pa, CORE_LOAD_ALIGN))
		return fmt_error(-EINVAL, err, errlen, "load address 0x%llx not 2 MiB aligned",
				 (unsigned long long)load_pa);
	if (load_pa < img->link_base)
		return fmt_error(-EINVAL, err, errlen, "load address 0x%llx below the link address 0x%llx",
				 (unsigned long long)load_pa, (unsigned long long)img->link_base);
	if (load_pa > CORE_LOAD_LIMIT || img->span > CORE_LOAD_LIMIT - load_pa)
		return fmt_error(-EINVAL, err, errlen, "image at 0x%llx+0x%llx would end above 4 GiB",
				 (unsigned long long)load_pa, (unsigned long long)img->span);
	/* core_parse checked every segment against this size. */
	for (unsigned int i = 0; i < img->elf.segment_count; i++) {
		const struct elf_segment *s = &img->elf.segments[i];

		if (s->offset > size || s->filesz > size - s->offset)
			return fmt_error(-EINVAL, err, errlen, "segment %u not in the %zu bytes given", i, size);
	}

	memset(d, 0, img->span);
	for (unsigned int i = 0; i < img->elf.segment_count; i++) {
		const struct elf_segment *s = &img->elf.segments[i];

		memcpy(d + (s->paddr - img->link_base), b + s->offset, s->filesz);
	}
	out->load_pa = load_pa;
	out->load_offset = load_pa - img->link_base;
	out->entry = img->entry64 + out->load_offset;
	out->ap_entry = img->ap_entry64 ? img->ap_entry64 + out->load_offset : 0;
	out->end = load_pa + img->span;
	return 0;
}

void core_handoff_init(struct efi_handoff *h, const struct core_placed *p, enum efi_handoff_mode mode)
{
	memset(h, 0, sizeof(*h));
	h->magic = EFI_HANDOFF_MAGIC;
	h->version = EFI_HANDOFF_VERSION;
	h->size = sizeof(*h);
	h->boot_info_size = sizeof(struct boot_info);
	h->mode = mode;
	h->load_offset = p->load_offset;
}
