/* mm/heap.c - the hypervisor's heap: boundary-tagged chunks in segregated free lists. */
#include "mm/heap.h"

/*
 * Every chunk starts with a 16-byte header and is a multiple of 16 bytes,
 * so payloads are 16-byte aligned. A free chunk also holds its bin links
 * right after the header and a copy of its size in its last 8 bytes (the
 * footer), which the chunk after it reaches when its CHUNK_PREV_FREE bit is
 * set. Free chunks are merged on free, so two are never adjacent. Each
 * region ends with a sentinel header (size 0, never free).
 *
 * The magic is keyed by the chunk's address, so a copied header is not
 * mistaken for a chunk, and sits right below the payload, so it is the
 * first thing an underflow overwrites. In debug mode an allocated chunk's
 * bytes past the requested size (the slack, at least HEAP_GUARD) hold
 * GUARD_BYTE, and a free chunk's bytes past its links hold POISON_BYTE,
 * except for the magic of each header a merge swallowed (MAGIC_DEAD), which
 * turns a later free of that stale pointer into a double free. h->debug
 * must not change after heap_init().
 */
struct chunk {
	size_t size;                 /* bytes incl. header, multiple of 16 | CHUNK_PREV_FREE */
	uint32_t slack;              /* allocated: payload capacity - requested bytes */
	uint32_t magic;              /* chunk_magic(c, MAGIC_*) */
	struct chunk *next, *prev;   /* free chunks only: bin list */
};

/* One region: a header, chunks, and the sentinel at `end`. */
struct heap_region {
	struct heap_region *next;    /* the next region, NULL at the last */
	struct chunk *chunks;        /* the region's first chunk */
	struct chunk *end;           /* the sentinel header ending the chunks */
	uintptr_t pad;
};

#define HEAP_NBINS 64                /* bin b: free chunks of [2^b, 2^(b+1)) bytes */
_Static_assert(sizeof(size_t) == 8, "bin_of() counts 64 bits");

/* h->first: at the start of the first region, whose header it embeds. */
struct heap_root {
	struct heap_region region;
	struct chunk *bins[HEAP_NBINS];
};

#define HDR             offsetof(struct chunk, next)
#define MIN_CHUNK       48           /* header, links, footer */
#define HEAP_GUARD      16           /* least debug guard after each payload */
#define REGION_MIN      (sizeof(struct heap_region) + MIN_CHUNK + HDR)
#define CHUNK_PREV_FREE 1UL
#define GUARD_BYTE      0xab
#define POISON_BYTE     0xdf

#define MAGIC_ALLOC     0xa11c8ed5u
#define MAGIC_FREE      0xf4eef4eeu
#define MAGIC_DEAD      0xdeadc4c7u
#define MAGIC_END       0xe4d0e4d0u

_Static_assert(HDR == HEAP_ALIGN && sizeof(struct chunk) == 2 * HEAP_ALIGN, "chunk layout");
_Static_assert(sizeof(struct heap_region) % HEAP_ALIGN == 0, "region header alignment");
_Static_assert(sizeof(struct heap_root) % HEAP_ALIGN == 0, "root alignment");

static inline uint32_t chunk_magic(const void *c, uint32_t m)
{
	return m ^ (uint32_t)((uintptr_t)c >> 4);
}

static inline size_t csize(const struct chunk *c) { return c->size & ~(size_t)(HEAP_ALIGN - 1); }
static inline char *payload(struct chunk *c) { return (char *)c + HDR; }
static inline struct chunk *cnext(struct chunk *c) { return (void *)((char *)c + csize(c)); }
static inline size_t *footer(struct chunk *c) { return (size_t *)cnext(c) - 1; }
static inline bool is_free(const struct chunk *c) { return c->magic == chunk_magic(c, MAGIC_FREE); }
static inline struct heap_root *root(struct heap *h) { return h->first; }
static inline unsigned int bin_of(size_t size) { return 63u - (unsigned int)__builtin_clzll(size); }

static void fill(void *p, uint8_t v, size_t n)
{
	uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = v;
}

static bool all_equal(const void *p, uint8_t v, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != v)
			return false;
	return true;
}

static enum heap_error report(struct heap *h, enum heap_error err, const void *ptr)
{
	if (h->on_error)
		h->on_error(h->error_ctx, err, ptr);
	return err;
}

static void bin_remove(struct heap *h, struct chunk *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		root(h)->bins[bin_of(csize(c))] = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

/* Makes c a free chunk of `size` bytes; its predecessor is never free. */
static void make_free(struct heap *h, struct chunk *c, size_t size)
{
	struct chunk **bin = &root(h)->bins[bin_of(size)];

	c->size = size;
	c->slack = 0;
	c->magic = chunk_magic(c, MAGIC_FREE);
	*footer(c) = size;
	cnext(c)->size |= CHUNK_PREV_FREE;
	c->prev = NULL;
	c->next = *bin;
	if (*bin)
		(*bin)->prev = c;
	*bin = c;
}

/*
 * c's header was swallowed by a merge: leave a dead magic (in both modes)
 * so that freeing c's stale pointer is a double free, not a live chunk.
 */
static void bury(struct heap *h, struct chunk *c)
{
	if (h->debug)
		fill(c, POISON_BYTE, sizeof(*c));
	c->magic = chunk_magic(c, MAGIC_DEAD);
}

/* Does c look like a live chunk of region r (header intact, inside r)? */
static bool header_ok(const struct heap *h, const struct heap_region *r, struct chunk *c)
{
	size_t size = csize(c);

	if ((c->size & (HEAP_ALIGN - 1) & ~CHUNK_PREV_FREE) || size < MIN_CHUNK ||
	    size > (uintptr_t)r->end - (uintptr_t)c)
		return false;
	if (is_free(c))
		return true;
	return c->magic == chunk_magic(c, MAGIC_ALLOC) && c->slack <= size - HDR &&
	       (!h->debug || c->slack >= HEAP_GUARD);
}

static bool guard_ok(struct chunk *c)
{
	return all_equal(payload(c) + csize(c) - HDR - c->slack, GUARD_BYTE, c->slack);
}

/* Debug: free bytes past the links are poison, but for buried magics. */
static bool poison_ok(struct chunk *c)
{
	char *end = (char *)footer(c);

	for (char *q = payload(c) + 2 * sizeof(void *); q < end; q += HEAP_ALIGN) {
		size_t n = MIN((size_t)HEAP_ALIGN, (size_t)(end - q));

		if (n == HEAP_ALIGN && ((struct chunk *)q)->magic == chunk_magic(q, MAGIC_DEAD))
			n = offsetof(struct chunk, magic);
		if (!all_equal(q, POISON_BYTE, n))
			return false;
	}
	return true;
}

/* Links in the region at `start` (whose header takes `hdr` bytes) and frees all of it. */
static void region_setup(struct heap *h, char *start, size_t hdr, char *end)
{
	struct heap_region *r = (struct heap_region *)start, *first = &root(h)->region;
	struct chunk *c = (struct chunk *)(start + hdr);

	r->next = r == first ? NULL : first->next;
	if (r != first)
		first->next = r;
	r->chunks = c;
	r->end = (struct chunk *)(end - HDR);
	r->end->size = 0;
	r->end->slack = 0;
	r->end->magic = chunk_magic(r->end, MAGIC_END);
	if (h->debug)
		fill(payload(c), POISON_BYTE, (size_t)((char *)r->end - payload(c)));
	make_free(h, c, (size_t)((char *)r->end - (char *)c));
	h->total += (size_t)(end - start);
}

/* Aligns [mem, mem+size) inward; false if it holds less than `need` bytes. */
static bool align_region(void *mem, size_t size, size_t need, char **start, char **end)
{
	uintptr_t s = (uintptr_t)mem, e;

	if (!mem || size > UINTPTR_MAX - s)
		return false;
	e = ALIGN_DOWN(s + size, HEAP_ALIGN);
	s = ALIGN_UP(s, HEAP_ALIGN);
	if (e < s || e - s < need)
		return false;
	*start = (char *)s;
	*end = (char *)e;
	return true;
}

const char *heap_error_name(enum heap_error e)
{
	switch (e) {
	case HEAP_OK:                return "ok";
	case HEAP_ERR_DOUBLE_FREE:   return "double free";
	case HEAP_ERR_BAD_POINTER:   return "bad pointer";
	case HEAP_ERR_OVERFLOW:      return "overflow";
	case HEAP_ERR_UNDERFLOW:     return "underflow";
	case HEAP_ERR_CORRUPT:       return "corrupt heap";
	}
	return "unknown heap error";
}

int heap_init(struct heap *h, void *mem, size_t size, bool debug,
	      heap_error_fn on_error, void *error_ctx)
{
	struct heap_root *rt;
	char *start, *end;

	h->first = NULL;
	h->total = h->used = 0;
	h->debug = debug;
	h->on_error = on_error;
	h->error_ctx = error_ctx;
	if (!align_region(mem, size, sizeof(*rt) - sizeof(rt->region) + REGION_MIN, &start, &end))
		return -EINVAL;

	rt = (struct heap_root *)start;
	for (unsigned int b = 0; b < HEAP_NBINS; b++)
		rt->bins[b] = NULL;
	h->first = rt;
	region_setup(h, start, sizeof(*rt), end);
	return 0;
}

int heap_add_region(struct heap *h, void *mem, size_t size)
{
	struct heap_region *r;
	char *start, *end;

	if (!h->first || !align_region(mem, size, REGION_MIN, &start, &end))
		return -EINVAL;
	/* The first region's header is the root, so [r, end + HDR) covers all. */
	for (r = &root(h)->region; r; r = r->next)
		if (start < (char *)r->end + HDR && (char *)r < end)
			return -EINVAL;

	region_setup(h, start, sizeof(*r), end);
	return 0;
}

/* First fit within need's own bin, where sizes vary; any chunk of a higher bin fits. */
static struct chunk *bin_find(struct heap *h, size_t need)
{
	unsigned int b = bin_of(need);

	for (struct chunk *c = root(h)->bins[b]; c; c = c->next)
		if (csize(c) >= need)
			return c;
	for (b++; b < HEAP_NBINS; b++)
		if (root(h)->bins[b])
			return root(h)->bins[b];
	return NULL;
}

void *heap_alloc(struct heap *h, size_t n)
{
	size_t need, size;
	struct chunk *c;

	if (!n || !h->first || n > SIZE_MAX / 2)
		return NULL;
	need = MAX(ALIGN_UP(n + HDR + (h->debug ? HEAP_GUARD : 0), (size_t)HEAP_ALIGN),
		   (size_t)MIN_CHUNK);
	c = bin_find(h, need);
	if (!c)
		return NULL;

	bin_remove(h, c);
	size = csize(c);
	if (size - need >= MIN_CHUNK) {
		make_free(h, (struct chunk *)((char *)c + need), size - need);
		size = need;
	} else {
		cnext(c)->size &= ~CHUNK_PREV_FREE;
	}
	c->size = size;
	c->slack = (uint32_t)(size - HDR - n);   /* < need - n + MIN_CHUNK: small */
	c->magic = chunk_magic(c, MAGIC_ALLOC);
	if (h->debug)
		fill(payload(c) + n, GUARD_BYTE, c->slack);
	h->used += size - HDR;
	return payload(c);
}

void *heap_calloc(struct heap *h, size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	p = heap_alloc(h, bytes);
	if (p)
		fill(p, 0, bytes);
	return p;
}

static struct heap_region *region_of(struct heap *h, const void *p)
{
	for (struct heap_region *r = &root(h)->region; r; r = r->next)
		if ((uintptr_t)p >= (uintptr_t)payload(r->chunks) && (uintptr_t)p < (uintptr_t)r->end)
			return r;
	return NULL;
}

/*
 * Debug: the header below p is no live chunk's. Walk the region to tell a
 * damaged header at a real chunk (underflow) from a pointer that never
 * was one; a damaged header met on the way is reported for its own block.
 */
static enum heap_error classify(struct heap *h, struct heap_region *r, struct chunk *target)
{
	struct chunk *c;

	for (c = r->chunks; c < target; c = cnext(c))
		if (!header_ok(h, r, c))
			return report(h, HEAP_ERR_UNDERFLOW, payload(c));
	if (c == target)
		return report(h, HEAP_ERR_UNDERFLOW, payload(c));
	return report(h, HEAP_ERR_BAD_POINTER, payload(target));
}

enum heap_error heap_free(struct heap *h, void *p)
{
	struct heap_region *r;
	struct chunk *c, *next, *prev = NULL;
	size_t size;

	if (!p)
		return HEAP_OK;
	r = h->first ? region_of(h, p) : NULL;
	if (!r || !IS_ALIGNED((uintptr_t)p, HEAP_ALIGN))
		return report(h, HEAP_ERR_BAD_POINTER, p);
	c = (struct chunk *)((char *)p - HDR);
	if (is_free(c) || c->magic == chunk_magic(c, MAGIC_DEAD))
		return report(h, HEAP_ERR_DOUBLE_FREE, p);
	if (!header_ok(h, r, c))
		return h->debug ? classify(h, r, c) : report(h, HEAP_ERR_BAD_POINTER, p);
	if (h->debug && !guard_ok(c))
		return report(h, HEAP_ERR_OVERFLOW, p);

	/* Check the neighbour's boundary tag before changing anything. */
	if (c->size & CHUNK_PREV_FREE) {
		size_t psize = *((size_t *)c - 1);

		prev = (struct chunk *)((char *)c - psize);
		if (!IS_ALIGNED(psize, (size_t)HEAP_ALIGN) || psize < MIN_CHUNK ||
		    psize > (uintptr_t)c - (uintptr_t)r->chunks || !is_free(prev) ||
		    csize(prev) != psize)
			return report(h, HEAP_ERR_CORRUPT, p);
	}

	size = csize(c);
	h->used -= size - HDR;
	if (h->debug)
		fill(p, POISON_BYTE, size - HDR);
	next = cnext(c);
	if (is_free(next)) {
		bin_remove(h, next);
		size += csize(next);
		bury(h, next);
	}
	if (prev) {
		bin_remove(h, prev);
		size += csize(prev);
		if (h->debug)
			fill((size_t *)c - 1, POISON_BYTE, sizeof(size_t));
		bury(h, c);
		c = prev;
	}
	make_free(h, c, size);
	return HEAP_OK;
}

enum heap_error heap_check(struct heap *h)
{
	size_t nfree = 0, nbinned = 0;

	if (!h->first)
		return HEAP_OK;
	for (struct heap_region *r = &root(h)->region; r; r = r->next) {
		size_t prev_free = 0;
		struct chunk *c;

		for (c = r->chunks; c != r->end; c = cnext(c)) {
			bool f = is_free(c);

			if (!header_ok(h, r, c))
				return report(h, HEAP_ERR_UNDERFLOW, payload(c));
			if ((c->size & CHUNK_PREV_FREE) != prev_free || (f && prev_free) ||
			    (f && *footer(c) != csize(c)) || (f && h->debug && !poison_ok(c)))
				return report(h, HEAP_ERR_CORRUPT, payload(c));
			if (!f && h->debug && !guard_ok(c))
				return report(h, HEAP_ERR_OVERFLOW, payload(c));
			nfree += f;
			prev_free = f ? CHUNK_PREV_FREE : 0;
		}
		if (c->magic != chunk_magic(c, MAGIC_END) || (c->size & CHUNK_PREV_FREE) != prev_free)
			return report(h, HEAP_ERR_CORRUPT, NULL);
	}

	/* Every free chunk is in the bin of its size, once; bounded against cycles. */
	for (unsigned int b = 0; b < HEAP_NBINS; b++) {
		struct chunk *prev = NULL;

		for (struct chunk *c = root(h)->bins[b]; c; prev = c, c = c->next)
			if (++nbinned > nfree || !is_free(c) || bin_of(csize(c)) != b || c->prev != prev)
				return report(h, HEAP_ERR_CORRUPT, NULL);
	}
	if (nbinned != nfree)
		return report(h, HEAP_ERR_CORRUPT, NULL);
	return HEAP_OK;
}
