/* mm/frame.c - host-physical frame allocator: binary buddy over one region. */
#include "mm/frame.h"

/*
 * Only the first frame of a block (its head) says what the block is; the
 * other frames are FRAME_TAIL. A block of order k always starts at an hfn
 * that is a multiple of 2^k, so its buddy is hfn ^ 2^k; a buddy that lies
 * (even partly) outside the region is never free, so it is never merged.
 */
enum frame_state {
	FRAME_TAIL = 0,         /* inside a block whose head is elsewhere */
	FRAME_FREE,             /* head of a free block, on free_head[order] */
	FRAME_ALLOCATED,        /* head of a block frame_alloc_order() returned */
	FRAME_RESERVED,         /* head of a block frame_reserve() took */
};

struct frame_meta {
	uint32_t next, prev;    /* free-list neighbours (indices), FRAME_NONE at the ends */
	uint8_t order;          /* block order, meaningful for heads only */
	uint8_t state;          /* enum frame_state */
};

_Static_assert(FRAME_MAX_ORDER < 32, "orders must fit the uint32 block sizes");
_Static_assert(FRAME_MAX_ORDER <= UINT8_MAX, "order must fit frame_meta.order");

static inline uint64_t order_frames(unsigned int order)
{
	return 1ULL << order;
}

static inline uint32_t frame_index(const struct frame_alloc *fa, hfn_t hfn)
{
	return (uint32_t)(hfn - fa->base);
}

static inline bool hfn_in_region(const struct frame_alloc *fa, hfn_t hfn)
{
	return hfn >= fa->base && hfn - fa->base < fa->nframes;
}

static void list_push(struct frame_alloc *fa, uint32_t idx, unsigned int order)
{
	struct frame_meta *m = &fa->meta[idx];
	uint32_t head = fa->free_head[order];

	m->state = FRAME_FREE;
	m->order = (uint8_t)order;
	m->prev = FRAME_NONE;
	m->next = head;
	if (head != FRAME_NONE)
		fa->meta[head].prev = idx;
	fa->free_head[order] = idx;
	fa->free_frames += order_frames(order);
}

/* Unlinks a free block; the caller gives its head a new state. */
static void list_remove(struct frame_alloc *fa, uint32_t idx)
{
	struct frame_meta *m = &fa->meta[idx];

	if (m->prev != FRAME_NONE)
		fa->meta[m->prev].next = m->next;
	else
		fa->free_head[m->order] = m->next;
	if (m->next != FRAME_NONE)
		fa->meta[m->next].prev = m->prev;
	m->next = m->prev = FRAME_NONE;
	m->state = FRAME_TAIL;
	fa->free_frames -= order_frames(m->order);
}

size_t frame_alloc_meta_size(uint64_t nframes)
{
	if (nframes >= FRAME_NONE || nframes > SIZE_MAX / sizeof(struct frame_meta))
		return SIZE_MAX;
	return (size_t)nframes * sizeof(struct frame_meta);
}

int frame_alloc_init(struct frame_alloc *fa, hpa_t base, uint64_t size,
		     void *meta, size_t meta_size)
{
	uint64_t nframes = size >> PAGE_SHIFT;

	if (!IS_ALIGNED(base, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE) || !nframes)
		return -EINVAL;
	if (base + size < base || nframes >= FRAME_NONE)
		return -EINVAL;
	if (!meta || meta_size < frame_alloc_meta_size(nframes) ||
	    !IS_ALIGNED((uintptr_t)meta, _Alignof(struct frame_meta)))
		return -EINVAL;

	fa->lock = (struct spinlock)SPINLOCK_INIT;
	fa->base = hpa_to_hfn(base);
	fa->nframes = nframes;
	fa->meta = meta;
	fa->free_frames = 0;
	for (unsigned int k = 0; k <= FRAME_MAX_ORDER; k++)
		fa->free_head[k] = FRAME_NONE;
	for (uint64_t i = 0; i < nframes; i++) {
		fa->meta[i].next = fa->meta[i].prev = FRAME_NONE;
		fa->meta[i].order = 0;
		fa->meta[i].state = FRAME_TAIL;
	}

	/*
	 * Cover the region with the largest naturally aligned blocks that fit:
	 * an unaligned base starts with small blocks that grow up to the
	 * first large boundary, and the tail shrinks again towards the end.
	 */
	for (uint64_t i = 0; i < nframes;) {
		hfn_t hfn = fa->base + i;
		unsigned int k = FRAME_MAX_ORDER;

		while (k > 0 && (!IS_ALIGNED(hfn, order_frames(k)) ||
				 order_frames(k) > nframes - i))
			k--;
		list_push(fa, (uint32_t)i, k);
		i += order_frames(k);
	}
	return 0;
}

/*
 * Finds the free block containing `hfn`: free blocks are disjoint and
 * naturally aligned, so it can only start at hfn rounded down to some
 * order k and have exactly that order. Returns its order, or -1.
 */
static int find_free_block(const struct frame_alloc *fa, hfn_t hfn, hfn_t *head)
{
	for (unsigned int k = 0; k <= FRAME_MAX_ORDER; k++) {
		hfn_t h = ALIGN_DOWN(hfn, order_frames(k));
		const struct frame_meta *m;

		if (!hfn_in_region(fa, h))
			break;
		m = &fa->meta[frame_index(fa, h)];
		if (m->state == FRAME_FREE && m->order == k) {
			*head = h;
			return (int)k;
		}
	}
	return -1;
}

static int reserve(struct frame_alloc *fa, hpa_t start, hpa_t end)
{
	hfn_t first, last, f, h;
	int k;

	if (start > end || start < hfn_to_hpa(fa->base) ||
	    end > hfn_to_hpa(fa->base + fa->nframes))
		return -EINVAL;
	first = hpa_to_hfn(start);
	last = hpa_to_hfn(ALIGN_UP(end, PAGE_SIZE));    /* cannot wrap: end <= region end */

	/* Check first, so that a failure leaves the allocator untouched. */
	for (f = first; f < last; f = h + order_frames((unsigned int)k)) {
		k = find_free_block(fa, f, &h);
		if (k < 0)
			return -EINVAL;
	}

	for (f = first; f < last; f = h + order_frames((unsigned int)k)) {
		k = find_free_block(fa, f, &h);
		list_remove(fa, frame_index(fa, h));
		/*
		 * Halve until the block lies inside [first, last), freeing the
		 * half without f. Frames before f in the range are already
		 * reserved, so a half left of f lies wholly before the range.
		 */
		while (h < first || h + order_frames((unsigned int)k) > last) {
			uint64_t half = order_frames((unsigned int)--k);

			if (f >= h + half) {
				list_push(fa, frame_index(fa, h), (unsigned int)k);
				h += half;
			} else {
				list_push(fa, frame_index(fa, h + half), (unsigned int)k);
			}
		}
		fa->meta[frame_index(fa, h)].state = FRAME_RESERVED;
		fa->meta[frame_index(fa, h)].order = (uint8_t)k;
	}
	return 0;
}

static hpa_t alloc_order(struct frame_alloc *fa, unsigned int order)
{
	unsigned int k = order;
	uint32_t idx;

	if (order > FRAME_MAX_ORDER)
		return INVALID_HPA;
	while (k <= FRAME_MAX_ORDER && fa->free_head[k] == FRAME_NONE)
		k++;
	if (k > FRAME_MAX_ORDER)
		return INVALID_HPA;

	idx = fa->free_head[k];
	list_remove(fa, idx);
	/* Keep the lower half and free the upper: the block stays aligned. */
	while (k > order) {
		k--;
		list_push(fa, idx + (uint32_t)order_frames(k), k);
	}
	fa->meta[idx].state = FRAME_ALLOCATED;
	fa->meta[idx].order = (uint8_t)order;
	return hfn_to_hpa(fa->base + idx);
}

static int free_order(struct frame_alloc *fa, hpa_t pa, unsigned int order)
{
	hfn_t hfn = hpa_to_hfn(pa);
	struct frame_meta *m;

	if (order > FRAME_MAX_ORDER || !IS_ALIGNED(pa, PAGE_SIZE) || !hfn_in_region(fa, hfn) ||
	    !IS_ALIGNED(hfn, order_frames(order)))
		return -EINVAL;
	/* A double free finds FRAME_FREE (or TAIL, once merged): both refused. */
	m = &fa->meta[frame_index(fa, hfn)];
	if (m->state != FRAME_ALLOCATED || m->order != order)
		return -EINVAL;
	m->state = FRAME_TAIL;

	while (order < FRAME_MAX_ORDER) {
		hfn_t buddy = hfn ^ order_frames(order);
		struct frame_meta *b;

		if (!hfn_in_region(fa, buddy))
			break;
		b = &fa->meta[frame_index(fa, buddy)];
		if (b->state != FRAME_FREE || b->order != order)
			break;
		list_remove(fa, frame_index(fa, buddy));
		hfn = MIN(hfn, buddy);
		order++;
	}
	list_push(fa, frame_index(fa, hfn), order);
	return 0;
}

/* The entry points take the allocator's lock: the boot CPU's exits and a
 * CPU joining the running VM (UEFI chain mode) may allocate at once. */
int frame_reserve(struct frame_alloc *fa, hpa_t start, hpa_t end)
{
	int rc;

	spin_lock(&fa->lock);
	rc = reserve(fa, start, end);
	spin_unlock(&fa->lock);
	return rc;
}

hpa_t frame_alloc_order(struct frame_alloc *fa, unsigned int order)
{
	hpa_t pa;

	spin_lock(&fa->lock);
	pa = alloc_order(fa, order);
	spin_unlock(&fa->lock);
	return pa;
}

int frame_free(struct frame_alloc *fa, hpa_t pa, unsigned int order)
{
	int rc;

	spin_lock(&fa->lock);
	rc = free_order(fa, pa, order);
	spin_unlock(&fa->lock);
	return rc;
}

uint64_t frame_free_count(const struct frame_alloc *fa)
{
	return fa->free_frames;
}

int frame_largest_free_order(const struct frame_alloc *fa)
{
	for (int k = FRAME_MAX_ORDER; k >= 0; k--)
		if (fa->free_head[k] != FRAME_NONE)
			return k;
	return -1;
}
