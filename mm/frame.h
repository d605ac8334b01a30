/* mm/frame.h - host-physical frame allocator (binary buddy over one region). */
#ifndef MM_FRAME_H
#define MM_FRAME_H

#include "lib/compiler.h"
#include "lib/addr.h"
#include "lib/spinlock.h"

#define FRAME_MAX_ORDER 18          /* largest block: 2^18 frames = 1 GiB */
#define FRAME_NONE      0xffffffffu /* "no frame" in the free lists; also caps nframes */

/*
 * Per-frame metadata lives in caller-provided storage (not in the frames
 * themselves), so the allocator never dereferences a physical address and
 * the host tests reach all of it. Blocks of order k are 2^k frames and are
 * naturally aligned in host-physical terms (hfn % 2^k == 0), whatever the
 * alignment of the region's base.
 */
struct frame_meta;                  /* opaque, defined in frame.c */

struct frame_alloc {
	hfn_t base;                      /* first frame of the region */
	uint64_t nframes;                /* frames in the region */
	struct frame_meta *meta;         /* nframes entries */
	uint32_t free_head[FRAME_MAX_ORDER + 1];  /* index into meta, or FRAME_NONE */
	uint64_t free_frames;
	struct spinlock lock;            /* held inside frame_reserve/alloc/free: innermost */
};

/*
 * Bytes of metadata storage frame_alloc_init() needs for `nframes` frames
 * (SIZE_MAX if nframes is too large for one allocator).
 */
size_t frame_alloc_meta_size(uint64_t nframes);

/*
 * Sets up an allocator over [base, base+size) (both page-aligned) with
 * metadata in `meta` (frame_alloc_meta_size() bytes). All frames start free.
 * Returns 0 or -EINVAL (unaligned, empty, too large, meta too small).
 */
int __must_check frame_alloc_init(struct frame_alloc *fa, hpa_t base, uint64_t size,
				  void *meta, size_t meta_size);

/*
 * Marks [start, end), widened to whole frames, as allocated for good (e.g.
 * the metadata itself); frame_free() refuses reserved frames. Returns 0, or
 * -EINVAL if the range leaves the region or any of it is already allocated
 * (nothing is reserved then).
 */
int __must_check frame_reserve(struct frame_alloc *fa, hpa_t start, hpa_t end);

/* Allocates 2^order contiguous, 2^order-aligned frames; INVALID_HPA if none. */
hpa_t frame_alloc_order(struct frame_alloc *fa, unsigned int order);

/* Allocates one frame; INVALID_HPA if none. */
static inline hpa_t frame_alloc_one(struct frame_alloc *fa) { return frame_alloc_order(fa, 0); }

/*
 * Frees a block returned by frame_alloc_order() with the same order.
 * Returns 0, or -EINVAL for an address outside the region, misaligned, not
 * the start of an allocated block of that order, or already free (double free).
 */
int __must_check frame_free(struct frame_alloc *fa, hpa_t pa, unsigned int order);

/* Free frames in total, and the order of the largest free block (-1 if none). */
uint64_t frame_free_count(const struct frame_alloc *fa);
int frame_largest_free_order(const struct frame_alloc *fa);

#endif
