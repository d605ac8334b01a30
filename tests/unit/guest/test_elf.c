/* tests/unit/guest/test_elf.c - elf_parse on hand-built ELF32/ELF64 images, a real
 * clang+ld.lld executable, malformed images, and a fixed-seed fuzz loop. */
#include "tests/unit/check.h"
#include "guest/load/elf.h"
#include "tests/data/tiny_elf64.h"

#define IMG_SIZE   4096
#define DATA_OFF   0x800            /* segment bytes live here; headers come before */

/* An image under construction: the ELF header, then the phdr table, then data. */
struct img {
	uint8_t b[IMG_SIZE];
	size_t len;                     /* bytes handed to elf_parse */
	unsigned int bits;
	unsigned int phnum;
};

static struct img m;
static struct elf_image out;
static char err[200];

static void w16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }   /* host is little-endian */
static void w32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void w64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static size_t ehsize(const struct img *x) { return x->bits == 64 ? 64 : 52; }
static size_t phentsize(const struct img *x) { return x->bits == 64 ? 56 : 32; }

/* Fills the ELF header as ld would for an x86 executable with no phdrs yet. */
static void img_init(struct img *x, unsigned int bits, uint64_t entry)
{
	uint8_t *b = x->b;

	memset(x, 0, sizeof(*x));
	x->bits = bits;
	x->len = IMG_SIZE;
	memcpy(b, "\x7f" "ELF", 4);
	b[4] = bits == 64 ? 2 : 1;      /* EI_CLASS */
	b[5] = 1;                       /* EI_DATA: little-endian */
	b[6] = 1;                       /* EI_VERSION */
	w16(b + 16, 2);                 /* ET_EXEC */
	w16(b + 18, bits == 64 ? 62 : 3);
	w32(b + 20, 1);
	if (bits == 64) {
		w64(b + 24, entry);
		w64(b + 32, 64);        /* e_phoff */
		w16(b + 52, 64);
		w16(b + 54, 56);
	} else {
		w32(b + 24, (uint32_t)entry);
		w32(b + 28, 52);
		w16(b + 40, 52);
		w16(b + 42, 32);
	}
	for (size_t i = DATA_OFF; i < IMG_SIZE; i++)
		b[i] = (uint8_t)i;
}

/* Appends a program header; returns its index. */
static unsigned int img_phdr(struct img *x, uint32_t type, uint32_t flags, uint64_t off,
			     uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
	unsigned int i = x->phnum++;
	uint8_t *p = x->b + ehsize(x) + i * phentsize(x);

	if (ehsize(x) + x->phnum * phentsize(x) > DATA_OFF) {
		fprintf(stderr, "too many test phdrs\n");
		exit(2);
	}
	w32(p, type);
	if (x->bits == 64) {
		w32(p + 4, flags);
		w64(p + 8, off);
		w64(p + 16, paddr + 0xffffffff80000000ULL);   /* vaddr: must be ignored */
		w64(p + 24, paddr);
		w64(p + 32, filesz);
		w64(p + 40, memsz);
		w64(p + 48, 0x1000);
		w16(x->b + 56, (uint16_t)x->phnum);
	} else {
		w32(p + 4, (uint32_t)off);
		w32(p + 8, (uint32_t)paddr + 0xc0000000u);
		w32(p + 12, (uint32_t)paddr);
		w32(p + 16, (uint32_t)filesz);
		w32(p + 20, (uint32_t)memsz);
		w32(p + 24, flags);
		w32(p + 28, 0x1000);
		w16(x->b + 44, (uint16_t)x->phnum);
	}
	return i;
}

/* The usual kernel: text RX, a note, data RW with bss. Entry in the text. */
static void img_kernel(struct img *x, unsigned int bits)
{
	img_init(x, bits, 0x100010);
	img_phdr(x, 1, PF_R | PF_X, DATA_OFF, 0x100000, 0x200, 0x200);
	img_phdr(x, 4, PF_R, DATA_OFF + 0x200, 0, 0x20, 0x20);          /* PT_NOTE */
	img_phdr(x, 1, PF_R | PF_W, DATA_OFF + 0x400, 0x200000, 0x100, 0x3000);
}

/* Parses a heap copy of exactly `len` bytes, so ASan catches any overread. */
static int parse_buf(const void *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, data, len);
	memset(err, 'x', sizeof(err));
	rc = elf_parse(copy, len, &out, err, sizeof(err));
	free(copy);
	return rc;
}

static int parse(const struct img *x)
{
	return parse_buf(x->b, x->len);
}

/* Expects -EINVAL, a message containing `what`, and a cleared image. */
static void expect_fail(const struct img *x, const char *what)
{
	CHECK_EQ(parse(x), -EINVAL);
	if (!strstr(err, what))
		CHECK_STR(err, what);
	CHECK_EQ(out.segment_count, 0);
	CHECK_EQ(out.bits, 0);
}

static uint8_t *phdr(struct img *x, unsigned int i)
{
	return x->b + ehsize(x) + i * phentsize(x);
}

TEST(valid_elf64)
{
	img_kernel(&m, 64);
	CHECK_EQ(parse(&m), 0);
	CHECK_STR(err, "");
	CHECK_EQ(out.bits, 64);
	CHECK_EQ(out.entry, 0x100010);
	CHECK_EQ(out.segment_count, 2);
	CHECK_EQ(out.segments[0].offset, DATA_OFF);
	CHECK_EQ(out.segments[0].paddr, 0x100000);
	CHECK_EQ(out.segments[0].filesz, 0x200);
	CHECK_EQ(out.segments[0].memsz, 0x200);
	CHECK_EQ(out.segments[0].flags, PF_R | PF_X);
	CHECK_EQ(out.segments[1].offset, DATA_OFF + 0x400);
	CHECK_EQ(out.segments[1].paddr, 0x200000);
	CHECK_EQ(out.segments[1].filesz, 0x100);
	CHECK_EQ(out.segments[1].memsz, 0x3000);
	CHECK_EQ(out.segments[1].flags, PF_R | PF_W);
	CHECK_EQ(out.lowest, 0x100000);
	CHECK_EQ(out.highest, 0x203000);
}

TEST(valid_elf32)
{
	img_kernel(&m, 32);
	CHECK_EQ(parse(&m), 0);
	CHECK_EQ(out.bits, 32);
	CHECK_EQ(out.entry, 0x100010);
	CHECK_EQ(out.segment_count, 2);
	CHECK_EQ(out.segments[1].paddr, 0x200000);
	CHECK_EQ(out.segments[1].memsz, 0x3000);
	CHECK_EQ(out.lowest, 0x100000);
	CHECK_EQ(out.highest, 0x203000);
}

TEST(real_elf64_from_lld)
{
	CHECK_EQ(parse_buf(tiny_elf64, tiny_elf64_len), 0);
	CHECK_EQ(out.bits, 64);
	CHECK_EQ(out.entry, 0x1000f0);
	CHECK_EQ(out.segment_count, 2);
	CHECK_EQ(out.segments[0].offset, 0xf0);
	CHECK_EQ(out.segments[0].paddr, 0x1000f0);
	CHECK_EQ(out.segments[0].filesz, 0x2e);
	CHECK_EQ(out.segments[0].memsz, 0x2e);
	CHECK_EQ(out.segments[0].flags, PF_R | PF_X);
	CHECK_EQ(out.segments[1].offset, 0x120);
	CHECK_EQ(out.segments[1].paddr, 0x101120);
	CHECK_EQ(out.segments[1].filesz, 0x8);
	CHECK_EQ(out.segments[1].memsz, 0x210);
	CHECK_EQ(out.segments[1].flags, PF_R | PF_W);
	CHECK_EQ(out.lowest, 0x1000f0);
	CHECK_EQ(out.highest, 0x101330);
}

TEST(unaligned_buffer_and_null_err)
{
	static uint8_t buf[IMG_SIZE + 1];

	img_kernel(&m, 64);
	memcpy(buf + 1, m.b, IMG_SIZE);
	CHECK_EQ(elf_parse(buf + 1, IMG_SIZE, &out, NULL, 0), 0);
	CHECK_EQ(out.segment_count, 2);
	m.b[0] = 0;
	CHECK_EQ(elf_parse(m.b, IMG_SIZE, &out, NULL, 0), -EINVAL);
	CHECK_EQ(elf_parse(m.b, IMG_SIZE, &out, err, 1), -EINVAL);
	CHECK_EQ(err[0], '\0');
}

TEST(empty_load_segments_skipped)
{
	img_kernel(&m, 64);
	img_phdr(&m, 1, PF_R, 0, 0x100000, 0, 0);     /* would overlap if it counted */
	CHECK_EQ(parse(&m), 0);
	CHECK_EQ(out.segment_count, 2);
	CHECK_EQ(out.lowest, 0x100000);
}

TEST(truncated_header)
{
	img_kernel(&m, 64);
	for (m.len = 0; m.len < 52; m.len++)
		expect_fail(&m, "file too small for an ELF header");
	m.len = 63;
	expect_fail(&m, "file too small for an ELF64 header (0x3f bytes)");
	img_kernel(&m, 32);
	m.len = 51;
	expect_fail(&m, "file too small for an ELF header (0x33 bytes)");
}

TEST(bad_ident)
{
	img_kernel(&m, 64);
	m.b[1] = 'e';
	expect_fail(&m, "bad magic 7f 65 4c 46");
	img_kernel(&m, 64);
	m.b[4] = 0;
	expect_fail(&m, "bad class 0");
	m.b[4] = 3;
	expect_fail(&m, "bad class 3");
	img_kernel(&m, 64);
	m.b[5] = 2;
	expect_fail(&m, "data encoding 2 is not little-endian");
	img_kernel(&m, 32);
	m.b[6] = 0;
	expect_fail(&m, "e_ident version 0 is not 1");
	img_kernel(&m, 32);
	w32(m.b + 20, 2);
	expect_fail(&m, "e_version 2 is not 1");
}

TEST(bad_machine_and_type)
{
	img_kernel(&m, 32);
	w16(m.b + 18, 62);              /* x32-style ELF32 for x86-64: not a 32-bit kernel */
	expect_fail(&m, "machine 62 is not EM_386 for ELF32");
	img_kernel(&m, 64);
	w16(m.b + 18, 3);
	expect_fail(&m, "machine 3 is not EM_X86_64 for ELF64");
	w16(m.b + 18, 183);             /* EM_AARCH64 */
	expect_fail(&m, "machine 183");
	img_kernel(&m, 64);
	w16(m.b + 16, 3);               /* ET_DYN */
	expect_fail(&m, "type 3 is not ET_EXEC");
	w16(m.b + 16, 1);               /* ET_REL */
	expect_fail(&m, "type 1 is not ET_EXEC");
}

TEST(bad_header_sizes)
{
	img_kernel(&m, 64);
	w16(m.b + 54, 32);
	expect_fail(&m, "e_phentsize 32 is not 56");
	w16(m.b + 54, 64);
	expect_fail(&m, "e_phentsize 64 is not 56");
	img_kernel(&m, 32);
	w16(m.b + 42, 56);
	expect_fail(&m, "e_phentsize 56 is not 32");
	img_kernel(&m, 64);
	w16(m.b + 52, 52);
	expect_fail(&m, "e_ehsize 52 is not 64");
}

TEST(phdr_table_bounds)
{
	img_kernel(&m, 64);
	w16(m.b + 56, 0);
	expect_fail(&m, "no program headers");
	w16(m.b + 56, 0xffff);
	expect_fail(&m, "PN_XNUM");
	img_kernel(&m, 64);
	w64(m.b + 32, IMG_SIZE - 56 * 3 + 1);
	expect_fail(&m, "program headers 0xf59+0xa8 past the end of the file (0x1000 bytes)");
	w64(m.b + 32, 0xfffffffffffffff0ULL);          /* phoff + size wraps */
	expect_fail(&m, "past the end of the file");
	img_kernel(&m, 64);
	w16(m.b + 56, 200);             /* 200 * 56 bytes do not fit */
	expect_fail(&m, "program headers 0x40+0x2bc0 past the end");
	img_kernel(&m, 32);
	m.len = 52 + 32 * 3 - 1;        /* table cut by one byte */
	expect_fail(&m, "program headers 0x34+0x60 past the end of the file (0x93 bytes)");
}

TEST(segment_past_eof)
{
	img_kernel(&m, 64);
	w64(phdr(&m, 2) + 32, 0x1000);  /* filesz: 0xc00 + 0x1000 > 0x1000 */
	expect_fail(&m, "segment 2: file range 0xc00+0x1000 past the end of the file (0x1000 bytes)");
	img_kernel(&m, 64);
	w64(phdr(&m, 0) + 8, 0x1001);   /* offset alone past the end */
	expect_fail(&m, "segment 0: file range 0x1001+0x200 past the end");
	w64(phdr(&m, 0) + 8, 0xffffffffffffff00ULL);   /* offset + filesz wraps */
	expect_fail(&m, "segment 0: file range 0xffffffffffffff00+0x200 past the end");
	img_kernel(&m, 32);
	w32(phdr(&m, 2) + 16, 0xfffffff0u);
	w32(phdr(&m, 2) + 20, 0xfffffff0u);
	expect_fail(&m, "segment 2: file range 0xc00+0xfffffff0 past the end");
	img_kernel(&m, 64);             /* ending exactly at the end is fine */
	w64(phdr(&m, 2) + 32, IMG_SIZE - (DATA_OFF + 0x400));
	CHECK_EQ(parse(&m), 0);
}

TEST(filesz_above_memsz)
{
	img_kernel(&m, 64);
	w64(phdr(&m, 2) + 40, 0xff);
	expect_fail(&m, "segment 2: filesz 0x100 larger than memsz 0xff");
	img_kernel(&m, 32);
	w32(phdr(&m, 0) + 20, 0);       /* memsz 0 with file bytes: still an error */
	expect_fail(&m, "segment 0: filesz 0x200 larger than memsz 0x0");
}

TEST(overlapping_segments)
{
	img_kernel(&m, 64);
	img_phdr(&m, 1, PF_R, DATA_OFF, 0x202fff, 0, 0x10);    /* last byte of segment 2 */
	expect_fail(&m, "segment 3: paddr 0x202fff+0x10 overlaps segment 2 (0x200000+0x3000)");
	img_kernel(&m, 64);
	img_phdr(&m, 1, PF_R, DATA_OFF, 0xff000, 0, 0x200000); /* contains segment 0 */
	expect_fail(&m, "segment 3: paddr 0xff000+0x200000 overlaps segment 0");
	img_kernel(&m, 32);
	img_phdr(&m, 1, PF_R, DATA_OFF, 0x100100, 0, 1);       /* inside segment 0 */
	expect_fail(&m, "overlaps segment 0");
	img_kernel(&m, 64);             /* touching is not overlapping */
	img_phdr(&m, 1, PF_R, DATA_OFF, 0x203000, 0, 0x1000);
	img_phdr(&m, 1, PF_R, DATA_OFF, 0xff000, 0, 0x1000);
	CHECK_EQ(parse(&m), 0);
	CHECK_EQ(out.segment_count, 4);
	CHECK_EQ(out.lowest, 0xff000);
	CHECK_EQ(out.highest, 0x204000);
}

TEST(segment_limit)
{
	unsigned int i;

	img_init(&m, 64, 0x100000);
	for (i = 0; i < ELF_MAX_SEGMENTS; i++)
		img_phdr(&m, 1, PF_R | PF_X, DATA_OFF, 0x100000 + i * 0x1000, 0x10, 0x1000);
	img_phdr(&m, 1, PF_R, 0, 0x900000, 0, 0);       /* empty: does not count */
	img_phdr(&m, 6, PF_R, 0x40, 0, 0x40, 0x40);     /* PT_PHDR: does not count */
	CHECK_EQ(parse(&m), 0);
	CHECK_EQ(out.segment_count, ELF_MAX_SEGMENTS);
	CHECK_EQ(out.highest, 0x110000);
	img_phdr(&m, 1, PF_R, DATA_OFF, 0x800000, 0x10, 0x10);
	expect_fail(&m, "segment 18: more than 16 loadable segments");
}

TEST(no_loadable_segment)
{
	img_init(&m, 64, 0x100000);
	img_phdr(&m, 4, PF_R, DATA_OFF, 0, 0x20, 0x20);
	expect_fail(&m, "no PT_LOAD segment");
	img_phdr(&m, 1, PF_R | PF_X, DATA_OFF, 0x100000, 0, 0);
	expect_fail(&m, "every PT_LOAD segment is empty");
}

TEST(entry_outside)
{
	img_kernel(&m, 64);
	w64(m.b + 24, 0x200010);        /* in the data segment, which is not PF_X */
	expect_fail(&m, "entry 0x200010 is not inside an executable segment");
	w64(m.b + 24, 0x100200);        /* one past the end of the text */
	expect_fail(&m, "entry 0x100200 is not inside");
	w64(m.b + 24, 0xffffffff80100010ULL);   /* the virtual address: not accepted */
	expect_fail(&m, "entry 0xffffffff80100010 is not inside");
	w64(m.b + 24, 0x1001ff);        /* last byte of the text */
	CHECK_EQ(parse(&m), 0);
	img_kernel(&m, 32);
	w32(m.b + 24, 0xfffff);
	expect_fail(&m, "entry 0xfffff is not inside");
}

TEST(paddr_overflow)
{
	img_init(&m, 64, 0xfffffffffffff000ULL);
	img_phdr(&m, 1, PF_R | PF_X, DATA_OFF, 0xfffffffffffff000ULL, 0x10, 0x1000);
	expect_fail(&m, "segment 0: paddr 0xfffffffffffff000 + memsz 0x1000 overflows");
	w64(phdr(&m, 0) + 40, 0xfff);   /* the very top byte stays unused: fits */
	CHECK_EQ(parse(&m), 0);
	CHECK_EQ(out.highest, UINT64_MAX);
	w64(phdr(&m, 0) + 40, UINT64_MAX);
	expect_fail(&m, "overflows");
}

TEST(elf32_above_4g)
{
	img_init(&m, 32, 0xfffff000);
	img_phdr(&m, 1, PF_R | PF_X, DATA_OFF, 0xfffff000, 0x10, 0x2000);
	expect_fail(&m, "segment 0: paddr 0xfffff000 + memsz 0x2000 ends above 4 GiB");
	w32(phdr(&m, 0) + 20, 0x1000);  /* ending exactly at 4 GiB is fine */
	CHECK_EQ(parse(&m), 0);
	CHECK_EQ(out.highest, 4 * GiB);
	img_init(&m, 64, 0xfffff000);   /* ELF64 may load anywhere */
	img_phdr(&m, 1, PF_R | PF_X, DATA_OFF, 0xfffff000, 0x10, 0x2000);
	CHECK_EQ(parse(&m), 0);
}

/* xorshift64: a fixed sequence, so a failure reproduces. */
static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Whatever the input, a success must describe a self-consistent image. */
static void check_invariants(size_t len)
{
	CHECK(out.bits == 32 || out.bits == 64);
	CHECK(out.segment_count >= 1 && out.segment_count <= ELF_MAX_SEGMENTS);
	CHECK(out.lowest < out.highest);
	for (unsigned int i = 0; i < out.segment_count && i < ELF_MAX_SEGMENTS; i++) {
		const struct elf_segment *s = &out.segments[i];

		CHECK(s->offset <= len && s->filesz <= len - s->offset);
		CHECK(s->filesz <= s->memsz && s->memsz > 0);
		CHECK(s->paddr >= out.lowest && s->paddr + s->memsz <= out.highest);
		if (out.bits == 32)
			CHECK(s->paddr + s->memsz <= 4 * GiB);
	}
}

static unsigned int fuzz_one(const uint8_t *seed, size_t len, unsigned int rounds)
{
	uint8_t *buf = malloc(len);
	unsigned int ok = 0;
	size_t cut, hot = MIN(len, (size_t)0x200);   /* headers and phdrs */

	for (cut = 0; cut <= len; cut++)          /* every truncation */
		if (parse_buf(seed, cut) == 0)
			check_invariants(cut);
	for (unsigned int r = 0; r < rounds; r++) {
		unsigned int flips = 1 + rng() % 4;

		memcpy(buf, seed, len);
		while (flips--) {
			size_t at = rng() % 4 ? rng() % hot : rng() % len;

			buf[at] = rng() % 2 ? (uint8_t)rng() : buf[at] ^ (uint8_t)(1u << rng() % 8);
		}
		cut = rng() % 8 ? len : rng() % (len + 1);
		if (parse_buf(buf, cut) == 0) {
			check_invariants(cut);
			ok++;
		}
	}
	free(buf);
	return ok;
}

TEST(fuzz_never_crashes)
{
	unsigned int ok;

	ok = fuzz_one(tiny_elf64, tiny_elf64_len, 30000);
	CHECK(ok > 0 && ok < 30000);    /* both outcomes were exercised */
	img_kernel(&m, 32);
	ok = fuzz_one(m.b, 0xd00, 30000);
	CHECK(ok > 0 && ok < 30000);
	img_kernel(&m, 64);
	ok = fuzz_one(m.b, 0xd00, 30000);
	CHECK(ok > 0 && ok < 30000);
}
