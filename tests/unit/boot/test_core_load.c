/* tests/unit/boot/test_core_load.c - core_parse/core_place on the real build/hv.elf
 * (when built) and on crafted ELF64 images, valid and malformed. */
#include "tests/unit/check.h"
#include "boot/efi/core_load.h"

static char err[160];

/* ---- crafted images: ELF header, program headers at 64, a note at 0x400,
 * segment i's bytes at 0x1000 * (i + 1). */
#define IMG_SIZE    0x8000
#define NOTE_OFF    0x400
#define LINK_BASE   0x200000ULL

struct seg {
	uint32_t type, flags;
	uint64_t offset, paddr, filesz, memsz;
};

static uint8_t img[IMG_SIZE];
static struct seg segs[8];
static unsigned int nsegs;

static void wr16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void wr64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* Writes the header and the program headers from segs[]; entry: e_entry. */
static void emit(uint64_t entry)
{
	memset(img, 0, 64 + 56 * 8);
	memcpy(img, "\177ELF", 4);
	img[4] = 2;                 /* ELFCLASS64 */
	img[5] = 1;                 /* little-endian */
	img[6] = 1;                 /* EV_CURRENT */
	wr16(img + 16, 2);          /* ET_EXEC */
	wr16(img + 18, 62);         /* EM_X86_64 */
	wr32(img + 20, 1);
	wr64(img + 24, entry);
	wr64(img + 32, 64);         /* e_phoff */
	wr16(img + 52, 64);         /* e_ehsize */
	wr16(img + 54, 56);         /* e_phentsize */
	wr16(img + 56, (uint16_t)nsegs);
	for (unsigned int i = 0; i < nsegs; i++) {
		uint8_t *ph = img + 64 + 56 * i;

		wr32(ph, segs[i].type);
		wr32(ph + 4, segs[i].flags);
		wr64(ph + 8, segs[i].offset);
		wr64(ph + 16, segs[i].paddr);
		wr64(ph + 24, segs[i].paddr);
		wr64(ph + 32, segs[i].filesz);
		wr64(ph + 40, segs[i].memsz);
		wr64(ph + 48, 0x1000);
	}
}

/* One note at NOTE_OFF: name, type, an 8-byte desc. Returns its size. */
static uint64_t put_note(const char *name, uint32_t type, uint64_t desc)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1, pad = (namesz + 3) & ~3u;

	wr32(img + NOTE_OFF, namesz);
	wr32(img + NOTE_OFF + 4, 8);
	wr32(img + NOTE_OFF + 8, type);
	memset(img + NOTE_OFF + 12, 0, pad);
	memcpy(img + NOTE_OFF + 12, name, namesz);
	wr64(img + NOTE_OFF + 12 + pad, desc);
	return 12 + pad + 8;
}

/* A good image: code (R X) at LINK_BASE with the entry at +0x10, data (RW)
 * with bss after it, and the note. Its bytes: 0xc0 code, 0xda data. */
static void good(void)
{
	uint64_t note_len;

	memset(img, 0, sizeof(img));
	note_len = put_note("HV", HV_NOTE_EFI_ENTRY64, LINK_BASE + 0x10);
	nsegs = 0;
	segs[nsegs++] = (struct seg){ 1, 5, 0x1000, LINK_BASE, 0x800, 0x800 };
	segs[nsegs++] = (struct seg){ 1, 6, 0x2000, LINK_BASE + 0x3000, 0x100, 0x2000 };
	segs[nsegs++] = (struct seg){ 4, 4, NOTE_OFF, 0, note_len, note_len };
	memset(img + 0x1000, 0xc0, 0x800);
	memset(img + 0x2000, 0xda, 0x100);
	emit(LINK_BASE);
}

static int parse(size_t size)
{
	static struct core_image ci;

	return core_parse(img, size, &ci, err, sizeof(err));
}

TEST(crafted_good_image_parses_and_places)
{
	struct core_image ci;
	struct core_placed p;
	static uint8_t dest[0x5000];
	hpa_t load = 0x40000000;

	good();
	CHECK_EQ(core_parse(img, IMG_SIZE, &ci, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(ci.link_base, LINK_BASE);
	CHECK_EQ(ci.span, 0x5000);
	CHECK_EQ(ci.entry64, LINK_BASE + 0x10);
	CHECK_EQ(ci.ap_entry64, 0);           /* no AP entry note: optional */
	memset(dest, 0x55, sizeof(dest));
	CHECK_EQ(core_place(img, IMG_SIZE, &ci, dest, load, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.load_pa, load);
	CHECK_EQ(p.load_offset, load - LINK_BASE);
	CHECK_EQ(p.entry, load + 0x10);
	CHECK_EQ(p.end, load + 0x5000);
	CHECK_EQ(dest[0], 0xc0);
	CHECK_EQ(dest[0x7ff], 0xc0);
	CHECK_EQ(dest[0x800], 0);             /* gap between segments: zeroed */
	CHECK_EQ(dest[0x3000], 0xda);
	CHECK_EQ(dest[0x30ff], 0xda);
	CHECK_EQ(dest[0x3100], 0);            /* bss: zeroed */
	CHECK_EQ(dest[0x4fff], 0);
}

TEST(handoff_init_fills_the_header)
{
	struct core_placed p = { .load_pa = 0x40200000, .load_offset = 0x40000000 };
	struct efi_handoff h;

	memset(&h, 0xee, sizeof(h));
	core_handoff_init(&h, &p, EFI_HANDOFF_MODE_BOOT);
	CHECK_EQ(h.magic, EFI_HANDOFF_MAGIC);
	CHECK_EQ(h.version, EFI_HANDOFF_VERSION);
	CHECK_EQ(h.size, sizeof(h));
	CHECK_EQ(h.boot_info_size, sizeof(struct boot_info));
	CHECK_EQ(h.mode, EFI_HANDOFF_MODE_BOOT);
	CHECK_EQ(h.load_offset, 0x40000000);
	CHECK_EQ(h.pool_start, 0);
	CHECK_EQ(h.fw.rip, 0);
}

TEST(truncated_files_are_refused)
{
	good();
	CHECK_EQ(parse(0), -EINVAL);
	CHECK_EQ(parse(40), -EINVAL);         /* half an ELF header */
	CHECK_EQ(parse(64 + 56), -EINVAL);    /* program headers cut */
	CHECK_EQ(parse(0x2080), -EINVAL);     /* the data segment cut */
	CHECK(strstr(err, "segment 1") != NULL);
	CHECK(strstr(err, "past the end of the file") != NULL);
}

TEST(segment_outside_the_file_is_refused)
{
	good();
	segs[0].offset = IMG_SIZE - 0x10;
	emit(LINK_BASE);
	CHECK_EQ(parse(IMG_SIZE), -EINVAL);
	CHECK(strstr(err, "segment 0") != NULL);
	good();
	segs[1].offset = UINT64_MAX - 0x10;   /* offset + filesz wraps */
	emit(LINK_BASE);
	CHECK_EQ(parse(IMG_SIZE), -EINVAL);
	good();
	segs[2].filesz = segs[2].memsz = IMG_SIZE;   /* the note segment past the end */
	emit(LINK_BASE);
	CHECK_EQ(parse(IMG_SIZE), -EINVAL);
	CHECK(strstr(err, "note range") != NULL);
}

TEST(overlapping_segments_are_refused)
{
	good();
	segs[1].paddr = LINK_BASE + 0x400;
	emit(LINK_BASE);
	CHECK_EQ(parse(IMG_SIZE), -EINVAL);
	CHECK(strstr(err, "overlap") != NULL);
}

TEST(missing_or_bad_note_is_refused)
{
	good();
	segs[2].type = 6;                     /* PT_PHDR: no PT_NOTE left */
	emit(LINK_BASE);
	CHECK_EQ(parse(IMG_SIZE), -EINVAL);
	CHECK(strstr(err, "no HV entry note") != NULL);

	good();
	put_note("XEN", HV_NOTE_EFI_ENTRY64, LINK_BASE + 0x10);   /* another owner's note */
	CHECK_EQ(parse(IMG_SIZE), -EINVAL);
	CHECK(strstr(err, "no HV entry note") != NULL);

	good();
	put_note("HV", 3, LINK_BASE + 0x10);  /* another type */
	CHECK_EQ(parse(IMG_SIZE), -EINVAL);

	good();
	put_note("HV", HV_NOTE_EFI_AP_ENTRY64, LINK_BASE + 0x10);  /* an AP entry, no entry */
	CHECK_EQ(parse(IMG_SIZE), -EINVAL);
	CHECK(strstr(err, "no HV entry note") != NULL);

	good();
	wr32(img + NOTE_OFF + 4, 4);          /* desc of 4 bytes */
	CHECK_EQ(parse(IMG_SIZE), -EINVAL);
	CHECK(strstr(err, "4-byte desc") != NULL);

	good();
	wr32(img + NOTE_OFF, 0xfffffff0);     /* namesz runs past the segment */
	CHECK_EQ(parse(IMG_SIZE), -EINVAL);
	CHECK(strstr(err, "runs past its segment") != NULL);

	good();
	put_note("HV", HV_NOTE_EFI_ENTRY64, LINK_BASE + 0x3010);  /* entry in the data segment */
	CHECK_EQ(parse(IMG_SIZE), -EINVAL);
	CHECK(strstr(err, "no executable segment") != NULL);
}

TEST(bad_alignment_and_class_are_refused)
{
	good();
	segs[0].paddr = LINK_BASE + 0x1000;   /* lowest segment not 2 MiB aligned */
	segs[1].paddr = LINK_BASE + 0x4000;
	emit(LINK_BASE + 0x1000);
	put_note("HV", HV_NOTE_EFI_ENTRY64, LINK_BASE + 0x1010);
	CHECK_EQ(parse(IMG_SIZE), -EINVAL);
	CHECK(strstr(err, "not 2 MiB aligned") != NULL);

	good();
	img[18] = 3;                          /* EM_386 in an ELF64 */
	CHECK_EQ(parse(IMG_SIZE), -EINVAL);

	good();
	segs[1].paddr = LINK_BASE + 2 * CORE_SPAN_MAX;   /* spans more than the early map */
	emit(LINK_BASE);
	CHECK_EQ(parse(IMG_SIZE), -EINVAL);
	CHECK(strstr(err, "span") != NULL);
}

TEST(place_refuses_bad_load_addresses)
{
	struct core_image ci;
	struct core_placed p;
	static uint8_t dest[0x5000];

	good();
	CHECK_EQ(core_parse(img, IMG_SIZE, &ci, err, sizeof(err)), 0);
	memset(dest, 0x55, sizeof(dest));
	CHECK_EQ(core_place(img, IMG_SIZE, &ci, dest, 0x40001000, &p, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "not 2 MiB aligned") != NULL);
	CHECK_EQ(core_place(img, IMG_SIZE, &ci, dest, 0, &p, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "below the link address") != NULL);
	CHECK_EQ(core_place(img, IMG_SIZE, &ci, dest, CORE_LOAD_LIMIT - 0x200000, &p, err, sizeof(err)), 0);
	CHECK_EQ(core_place(img, IMG_SIZE, &ci, dest, CORE_LOAD_LIMIT, &p, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "above 4 GiB") != NULL);
	CHECK_EQ(core_place(img, 0x1800, &ci, dest, 0x400000, &p, err, sizeof(err)), -EINVAL);
}

/* ---- the real core, when `make` has built it. */
TEST(real_hv_elf_has_its_uefi_entry)
{
	FILE *f = fopen("build/hv.elf", "rb");
	struct core_image ci;
	struct core_placed p;
	uint8_t *buf, *dest;
	long n;

	if (!f) {
		printf("  (no build/hv.elf: skipped)\n");
		return;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	CHECK(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	CHECK_EQ(core_parse(buf, (size_t)n, &ci, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(ci.link_base, 0x200000);     /* linker.ld: IMAGE_PHYS */
	CHECK(ci.entry64 > ci.link_base && ci.entry64 < ci.link_base + 0x200000);   /* in .boot */
	CHECK(ci.span > 0 && ci.span < 64 * 1024 * 1024);
	dest = malloc(ci.span);
	CHECK_EQ(core_place(buf, (size_t)n, &ci, dest, 0x7fe00000, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.entry, ci.entry64 + 0x7fe00000 - 0x200000);
	/* efi_entry64 starts with PUSHFQ (0x9c); test_efi_entry.c runs it. */
	CHECK_EQ(dest[ci.entry64 - ci.link_base], 0x9c);
	/* So does efi_ap_entry64, also in .boot, named by the second note. */
	CHECK(ci.ap_entry64 > ci.link_base && ci.ap_entry64 < ci.link_base + 0x200000);
	CHECK(ci.ap_entry64 != ci.entry64);
	CHECK_EQ(p.ap_entry, ci.ap_entry64 + 0x7fe00000 - 0x200000);
	CHECK_EQ(dest[ci.ap_entry64 - ci.link_base], 0x9c);
	/* Cut anywhere before the end of its last segment's bytes, it is refused. */
	uint64_t last = 0;

	for (unsigned int i = 0; i < ci.elf.segment_count; i++)
		last = MAX(last, ci.elf.segments[i].offset + ci.elf.segments[i].filesz);
	for (uint64_t cut = 0; cut < last; cut += 4099)
		CHECK_EQ(core_parse(buf, (size_t)cut, &ci, err, sizeof(err)), -EINVAL);
	CHECK_EQ(core_parse(buf, (size_t)last, &ci, err, sizeof(err)), 0);
	free(dest);
	free(buf);
}
