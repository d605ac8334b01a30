/* mm/heap.h - the hypervisor's heap: malloc/free over memory it is given. */
#ifndef MM_HEAP_H
#define MM_HEAP_H

#include "lib/compiler.h"

#define HEAP_ALIGN 16               /* every allocation is 16-byte aligned */

/* Why heap_check()/heap_free() complained. */
enum heap_error {
	HEAP_OK = 0,
	HEAP_ERR_DOUBLE_FREE,            /* block freed twice */
	HEAP_ERR_BAD_POINTER,            /* not a pointer heap_alloc() returned */
	HEAP_ERR_OVERFLOW,               /* bytes after the block's end were written */
	HEAP_ERR_UNDERFLOW,              /* the block's header was overwritten */
	HEAP_ERR_CORRUPT,                /* free-list or chunk metadata broken */
};

/*
 * Reports a heap error; the hypervisor panics, the host tests record it.
 * `ptr` is the user pointer involved (NULL for a heap-wide problem).
 */
typedef void (*heap_error_fn)(void *ctx, enum heap_error err, const void *ptr);

struct heap {
	void *first;                     /* implementation-defined: the root (free bins,
					    region list) at the start of the first region */
	size_t total;                    /* bytes under management (regions, 16-aligned inward) */
	size_t used;                     /* bytes handed out (payload, rounded; in debug
					    mode including the guard) */
	bool debug;                      /* guard bytes + poisoning + checks on free; fixed at init */
	heap_error_fn on_error;
	void *error_ctx;
};

/* Error name for messages ("double free", ...). */
const char *heap_error_name(enum heap_error e);

/*
 * Initializes a heap over [mem, mem+size). `debug` turns on overflow
 * detection (guard bytes after every block, checked on free and by
 * heap_check), double-free detection and poisoning of freed memory.
 * Returns 0 or -EINVAL if the region is too small.
 */
int __must_check heap_init(struct heap *h, void *mem, size_t size, bool debug,
			   heap_error_fn on_error, void *error_ctx);

/* Adds another region to the heap. Returns 0 or -EINVAL. */
int __must_check heap_add_region(struct heap *h, void *mem, size_t size);

/* Returns HEAP_ALIGN-aligned memory of at least n bytes, or NULL (also for n == 0). */
void *heap_alloc(struct heap *h, size_t n);

/* Like heap_alloc, zero-filled; NULL if n*size overflows. */
void *heap_calloc(struct heap *h, size_t n, size_t size);

/*
 * Returns a block to the heap; NULL is ignored. In debug mode a bad pointer,
 * double free or overwritten guard is reported through on_error and the
 * block is not freed. Returns the error found (HEAP_OK if none).
 */
enum heap_error heap_free(struct heap *h, void *p);

/* Walks every chunk and checks its guards. Reports and returns the first error. */
enum heap_error heap_check(struct heap *h);

#endif
