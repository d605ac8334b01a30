/* guest/load/elf.h - ELF32/ELF64 executable validation for loading guest kernels
 * at their physical addresses (System V gABI 4.1, ch. 4-5; x86-64 psABI 1.0, 4.1). */
#ifndef GUEST_ELF_H
#define GUEST_ELF_H

#include "lib/compiler.h"

#define ELF_MAX_SEGMENTS 16

/* Segment permission flags (p_flags, gABI "Program Header"). */
#define PF_X 1u
#define PF_W 2u
#define PF_R 4u

/* One PT_LOAD segment, checked to lie inside the file. */
struct elf_segment {
	uint64_t offset;      /* file offset of the bytes */
	uint64_t filesz;      /* bytes to copy */
	uint64_t paddr;       /* guest-physical load address (p_paddr) */
	uint64_t memsz;       /* bytes in memory; memsz - filesz are zeroed */
	uint32_t flags;       /* PF_X 1, PF_W 2, PF_R 4 */
};

struct elf_image {
	unsigned int bits;                 /* 32 or 64 */
	uint64_t entry;                    /* e_entry */
	unsigned int segment_count;        /* PT_LOAD segments with memsz > 0 */
	struct elf_segment segments[ELF_MAX_SEGMENTS];
	uint64_t lowest, highest;          /* [lowest, highest): union of the segments' paddr ranges */
};

/*
 * Parses an ELF executable of `size` bytes. Trusts nothing: header sizes,
 * phdr table bounds, each segment's offset+filesz within the file,
 * filesz <= memsz, no paddr+memsz overflow, 32-bit images below 4 GiB,
 * machine EM_386 (32) or EM_X86_64 (64), type ET_EXEC, little-endian,
 * version 1, at least one PT_LOAD, segments do not overlap each other, entry
 * inside an executable segment. Segments keep program-header order; the entry
 * is taken as a physical address (as in Linux's vmlinux) and must lie in
 * [paddr, paddr + memsz) of a PF_X segment. Messages number segments by their
 * program-header index, as readelf lists them. `data` needs no alignment.
 * Returns 0 or -EINVAL with a one-line reason in err ("segment 2: file range
 * 0x...+0x... past the end of the file (0x... bytes)"); err may be NULL.
 */
int __must_check elf_parse(const void *data, size_t size, struct elf_image *out, char *err, size_t errlen);

#endif
