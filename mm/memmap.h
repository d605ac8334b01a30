/* mm/memmap.h - the host physical memory map: normalized, non-overlapping ranges. */
#ifndef MM_MEMMAP_H
#define MM_MEMMAP_H

#include "lib/compiler.h"
#include "lib/addr.h"

/*
 * Types in increasing order of restrictiveness for the firmware types: when
 * firmware entries overlap, the overlap takes the more restrictive type
 * (usable < ACPI reclaimable < ACPI NVS < reserved < bad). The types after
 * MEM_BAD are carve-outs the hypervisor makes itself; they override whatever
 * was there when set with memmap_set().
 */
enum mem_type {
	MEM_USABLE = 0,
	MEM_ACPI_RECLAIM,
	MEM_ACPI_NVS,
	MEM_RESERVED,
	MEM_BAD,
	/* carve-outs (never reported by firmware) */
	MEM_LOWMEM,        /* usable RAM below 1 MiB: kept from the allocator, belongs to the guest */
	MEM_BOOT_INFO,     /* the boot loader's information block */
	MEM_MODULE,        /* a boot module (guest kernel, initrd, ...) */
	MEM_HV_IMAGE,      /* the hypervisor's own image */
	MEM_HV_WORKING,    /* the hypervisor's working memory (frame allocator) */
	MEM_TYPE_COUNT
};

struct mem_range {
	hpa_t start;               /* first byte */
	hpa_t end;                 /* one past the last byte; end > start */
	enum mem_type type;
};

struct memmap {
	struct mem_range *ranges;  /* storage owned by the caller */
	unsigned int count;
	unsigned int capacity;
};

/* Initializes an empty map over caller storage of `capacity` ranges. */
void memmap_init(struct memmap *m, struct mem_range *storage, unsigned int capacity);

/* Maps a raw boot-loader type (enum boot_mem_type or unknown value) to a mem_type. */
enum mem_type memmap_type_from_boot(uint32_t boot_type);

/* Short name of a type for tables ("usable", "reserved", ...). */
const char *memmap_type_name(enum mem_type t);

/*
 * Appends a raw range [start, start+len) without normalizing; zero-length
 * ranges are ignored and lengths that would wrap past 2^64 are clipped.
 * Returns 0 or -ENOSPC when the storage is full. A range reaching 2^64 ends at
 * UINT64_MAX instead (its last byte is lost; one at UINT64_MAX is dropped).
 */
int __must_check memmap_add(struct memmap *m, hpa_t start, uint64_t len, enum mem_type t);

/*
 * Sorts, resolves overlaps toward the more restrictive type, and merges
 * adjacent ranges of equal type. Afterwards ranges are sorted, non-empty,
 * non-overlapping, and no two neighbours that touch share a type.
 * Returns 0, or -ENOSPC if splitting overlaps needed more storage; the map is
 * then sorted and describes the same memory but may still overlap, so the
 * caller can retry with larger storage.
 */
int __must_check memmap_normalize(struct memmap *m);

/*
 * Sets [start, end) to type t in a normalized map, splitting ranges as
 * needed and keeping the map normalized. Only the parts already covered by
 * some range change: holes stay holes. Returns 0, or -ENOSPC (map unchanged)
 * only if the result needs more ranges than the storage holds.
 */
int __must_check memmap_set(struct memmap *m, hpa_t start, hpa_t end, enum mem_type t);

/*
 * Retypes the parts of [start, end) whose type is `from` to `to` (memmap_set
 * on each); other types and holes stay. Returns 0, or -ENOSPC if the storage
 * ran out (the parts done so far stay done).
 */
int __must_check memmap_retype(struct memmap *m, hpa_t start, hpa_t end, enum mem_type from,
			       enum mem_type to);

/*
 * Chooses `size` bytes (a multiple of `align`, which is a power of two) at the
 * top of the highest MEM_USABLE range that can hold an aligned block of that
 * size, so the rest of RAM stays one large aligned run. Returns the start,
 * or INVALID_HPA if no usable range is large enough, size is 0 or align is not
 * a power of two. Does not modify the map.
 */
hpa_t memmap_find_top(const struct memmap *m, uint64_t size, uint64_t align);

/*
 * True if every byte of [start, start+len) lies in ranges whose type
 * satisfies pred (holes and wrap-around fail; len 0 is trivially true).
 */
bool memmap_range_all(const struct memmap *m, hpa_t start, uint64_t len,
		      bool (*pred)(enum mem_type t));

/* Total bytes of ranges of type t. */
uint64_t memmap_total(const struct memmap *m, enum mem_type t);

#endif
