/* mm/memmap.c - the host physical memory map: normalizing firmware maps, carve-outs. */
#include "mm/memmap.h"

/*
 * Everything here works in place on the caller's storage, with no libc: the
 * same object is linked into the freestanding hypervisor and the host tests.
 * Maps hold a few hundred ranges at most, so the quadratic loops are fine.
 */

void memmap_init(struct memmap *m, struct mem_range *storage, unsigned int capacity)
{
	m->ranges = storage;
	m->count = 0;
	m->capacity = capacity;
}

enum mem_type memmap_type_from_boot(uint32_t boot_type)
{
	/*
	 * E820 and Multiboot2 share the numbering (ACPI "Address Range Types").
	 * Everything else -- 2, 6 disabled, 7 persistent memory, 12 legacy PRAM,
	 * OEM values, garbage -- must never reach the allocator, so it is reserved.
	 */
	switch (boot_type) {
	case 1:
		return MEM_USABLE;
	case 3:
		return MEM_ACPI_RECLAIM;
	case 4:
		return MEM_ACPI_NVS;
	case 5:
		return MEM_BAD;
	default:
		return MEM_RESERVED;
	}
}

const char *memmap_type_name(enum mem_type t)
{
	static const char *const names[] = {
		[MEM_USABLE]       = "usable",
		[MEM_ACPI_RECLAIM] = "ACPI reclaim",
		[MEM_ACPI_NVS]     = "ACPI NVS",
		[MEM_RESERVED]     = "reserved",
		[MEM_BAD]          = "bad",
		[MEM_LOWMEM]       = "low memory",
		[MEM_BOOT_INFO]    = "boot info",
		[MEM_MODULE]       = "module",
		[MEM_HV_IMAGE]     = "hv image",
		[MEM_HV_WORKING]   = "hv working",
	};
	_Static_assert(ARRAY_SIZE(names) == MEM_TYPE_COUNT, "a mem_type has no name");

	/* Unsigned compare: an out-of-range enum may also be negative. */
	if ((unsigned int)t >= ARRAY_SIZE(names))
		return "?";
	return names[t];
}

int memmap_add(struct memmap *m, hpa_t start, uint64_t len, enum mem_type t)
{
	hpa_t end;

	/*
	 * [start, end) cannot express an end of 2^64, so a range reaching the top
	 * of the address space (or a bogus length past it) ends at UINT64_MAX,
	 * losing only the last byte. A range at UINT64_MAX itself becomes empty.
	 */
	end = len > UINT64_MAX - start ? UINT64_MAX : start + len;
	if (end == start)
		return 0;
	if (m->count >= m->capacity)
		return -ENOSPC;
	m->ranges[m->count++] = (struct mem_range){ .start = start, .end = end, .type = t };
	return 0;
}

/* Removes range i, keeping the order of the rest. */
static void range_remove(struct memmap *m, unsigned int i)
{
	for (; i + 1 < m->count; i++)
		m->ranges[i] = m->ranges[i + 1];
	m->count--;
}

/* Inserts a range at index i, shifting later ones up; the caller checked capacity. */
static void range_insert(struct memmap *m, unsigned int i, hpa_t start, hpa_t end,
			 enum mem_type t)
{
	unsigned int j;

	for (j = m->count; j > i; j--)
		m->ranges[j] = m->ranges[j - 1];
	m->ranges[i] = (struct mem_range){ .start = start, .end = end, .type = t };
	m->count++;
}

/* Moves range i right past any successors that start before it (its start grew). */
static void sift_right(struct memmap *m, unsigned int i)
{
	struct mem_range *r = m->ranges;

	for (; i + 1 < m->count && r[i + 1].start < r[i].start; i++) {
		struct mem_range tmp = r[i];

		r[i] = r[i + 1];
		r[i + 1] = tmp;
	}
}

/* Insertion sort by start: stable, in place, and firmware maps arrive nearly sorted. */
static void sort_by_start(struct memmap *m)
{
	struct mem_range *r = m->ranges;
	unsigned int i, j;

	for (i = 1; i < m->count; i++) {
		struct mem_range cur = r[i];

		for (j = i; j > 0 && r[j - 1].start > cur.start; j--)
			r[j] = r[j - 1];
		r[j] = cur;
	}
}

/* Merges touching neighbours of equal type in a sorted, non-overlapping map. */
static void merge_touching(struct memmap *m)
{
	struct mem_range *r = m->ranges;
	unsigned int i, out = 0;

	if (m->count == 0)
		return;
	for (i = 1; i < m->count; i++) {
		if (r[out].end == r[i].start && r[out].type == r[i].type)
			r[out].end = r[i].end;
		else
			r[++out] = r[i];
	}
	m->count = out + 1;
}

int memmap_normalize(struct memmap *m)
{
	struct mem_range *r = m->ranges;
	unsigned int i;

	/* memmap_add never stores empty ranges, but callers may fill storage directly. */
	for (i = 0; i < m->count;) {
		if (r[i].end <= r[i].start)
			range_remove(m, i);
		else
			i++;
	}
	sort_by_start(m);

	/*
	 * Sweep left to right resolving each overlap between r[i] and its
	 * successor. Invariants: the map stays sorted by start, r[0..i-1] are
	 * disjoint and nothing later starts before r[i-1].end, and every step
	 * keeps, for each address, the maximum type of the ranges covering it.
	 * A step either advances i or strictly shrinks the total coverage counted
	 * in the intervals between the original boundaries (no step makes a new
	 * boundary), so the loop ends. By the last invariant an -ENOSPC return
	 * leaves a sorted map that still describes the same memory, with only
	 * some overlaps left: the caller may retry with more storage.
	 */
	i = 0;
	while (i + 1 < m->count) {
		struct mem_range *a = &r[i], *b = &r[i + 1];

		if (b->start > a->end || (b->start == a->end && b->type != a->type)) {
			i++;
			continue;
		}
		if (a->type == b->type) {
			a->end = MAX(a->end, b->end);
			range_remove(m, i + 1);
		} else if (a->type > b->type) {
			/* a keeps the overlap; whatever of b lies past a may now sort later. */
			if (b->end <= a->end) {
				range_remove(m, i + 1);
			} else {
				b->start = a->end;
				sift_right(m, i + 1);
			}
		} else {
			/*
			 * b takes the overlap: a keeps its head below b and its tail
			 * above b. Only keeping both needs a new slot.
			 */
			if (a->end <= b->end) {
				if (a->start == b->start)
					range_remove(m, i);
				else
					a->end = b->start;
			} else if (a->start == b->start) {
				a->start = b->end;
				sift_right(m, i);
			} else {
				unsigned int j = i + 2;

				if (m->count >= m->capacity)
					return -ENOSPC;
				while (j < m->count && r[j].start <= b->end)
					j++;
				range_insert(m, j, b->end, a->end, a->type);
				a->end = b->start;
			}
		}
	}
	/*
	 * A range that replaced r[i] (its predecessor lost the overlap) can touch
	 * r[i-1] with the same type; the sweep never looks back, so merge here.
	 */
	merge_touching(m);
	return 0;
}

/* Splits r into the up to three pieces memmap_set() makes of it; returns how many. */
static unsigned int set_pieces(const struct mem_range *r, hpa_t start, hpa_t end,
			       enum mem_type t, struct mem_range out[3])
{
	unsigned int n = 0;

	if (r->type == t || r->end <= start || r->start >= end) {
		out[0] = *r;
		return 1;
	}
	if (r->start < start)
		out[n++] = (struct mem_range){ r->start, start, r->type };
	out[n++] = (struct mem_range){ MAX(r->start, start), MIN(r->end, end), t };
	if (r->end > end)
		out[n++] = (struct mem_range){ end, r->end, r->type };
	return n;
}

/* Counts the ranges memmap_set() would leave, without changing the map. */
static unsigned int set_count(const struct memmap *m, hpa_t start, hpa_t end, enum mem_type t)
{
	struct mem_range p[3], prev = { 0, 0, MEM_TYPE_COUNT };
	unsigned int i, j, k, n = 0;

	for (i = 0; i < m->count; i++) {
		k = set_pieces(&m->ranges[i], start, end, t, p);
		for (j = 0; j < k; j++) {
			if (!n || prev.end != p[j].start || prev.type != p[j].type)
				n++;
			prev = p[j];
		}
	}
	return n;
}

/* Retypes the part [start, end) of range i, which straddles start or end (or both). */
static void set_split(struct memmap *m, unsigned int i, hpa_t start, hpa_t end,
		      enum mem_type t)
{
	struct mem_range p[3], *r = m->ranges;
	unsigned int k = set_pieces(&r[i], start, end, t, p);

	/* Join the retyped piece to a neighbour of type t rather than take a slot. */
	if (k == 2 && p[0].type == t && i > 0 && r[i - 1].end == p[0].start &&
	    r[i - 1].type == t) {
		r[i - 1].end = p[0].end;
		r[i] = p[1];
	} else if (k == 2 && p[1].type == t && i + 1 < m->count &&
		   r[i + 1].start == p[1].end && r[i + 1].type == t) {
		r[i + 1].start = p[1].start;
		r[i] = p[0];
	} else {
		r[i] = p[0];
		for (unsigned int j = 1; j < k; j++)
			range_insert(m, i + j, p[j].start, p[j].end, p[j].type);
	}
}

int memmap_set(struct memmap *m, hpa_t start, hpa_t end, enum mem_type t)
{
	struct mem_range *r = m->ranges;
	unsigned int i;

	if (start >= end)
		return 0;
	if (set_count(m, start, end, t) > m->capacity)
		return -ENOSPC;

	/*
	 * Retype the ranges inside [start, end) and merge first: that can only
	 * shrink the map. Then split the at most two ranges straddling start or
	 * end, each taking a slot only if it cannot join a neighbour. The count
	 * thus only grows towards set_count(), which fits, so no step overflows.
	 */
	for (i = 0; i < m->count; i++)
		if (r[i].start >= start && r[i].end <= end)
			r[i].type = t;
	merge_touching(m);
	for (i = 0; i < m->count; i++) {
		bool straddles = (r[i].start < start && start < r[i].end) ||
				 (r[i].start < end && end < r[i].end);

		if (straddles && r[i].type != t)
			set_split(m, i, start, end, t);
	}
	return 0;
}

int memmap_retype(struct memmap *m, hpa_t start, hpa_t end, enum mem_type from, enum mem_type to)
{
	bool again = true;
	int rc = 0;

	/* memmap_set() reshapes the array: rescan after each change. */
	while (again && !rc) {
		again = false;
		for (unsigned int i = 0; i < m->count; i++) {
			const struct mem_range *r = &m->ranges[i];

			if (r->type == from && from != to && r->start < end && r->end > start) {
				rc = memmap_set(m, MAX(r->start, start), MIN(r->end, end), to);
				again = true;
				break;
			}
		}
	}
	return rc;
}

hpa_t memmap_find_top(const struct memmap *m, uint64_t size, uint64_t align)
{
	hpa_t best = INVALID_HPA;
	unsigned int i;

	if (size == 0 || align == 0 || (align & (align - 1)))
		return INVALID_HPA;

	/*
	 * Take the highest candidate over all ranges rather than trusting the
	 * order: in a normalized map that is the top of the highest range able
	 * to hold the block. The start is never INVALID_HPA since size > 0.
	 */
	for (i = 0; i < m->count; i++) {
		const struct mem_range *r = &m->ranges[i];
		hpa_t s;

		if (r->type != MEM_USABLE || r->end - r->start < size)
			continue;
		s = ALIGN_DOWN(r->end - size, align);
		if (s < r->start)
			continue;
		if (best == INVALID_HPA || s > best)
			best = s;
	}
	return best;
}

uint64_t memmap_total(const struct memmap *m, enum mem_type t)
{
	uint64_t total = 0;
	unsigned int i;

	for (i = 0; i < m->count; i++)
		if (m->ranges[i].type == t)
			total += m->ranges[i].end - m->ranges[i].start;
	return total;
}

bool memmap_range_all(const struct memmap *m, hpa_t start, uint64_t len,
		      bool (*pred)(enum mem_type t))
{
	hpa_t end = start + len;

	if (end < start)
		return false;
	/* Normalized: the ranges covering [start, end) come in order. */
	for (unsigned int i = 0; i < m->count && start < end; i++) {
		const struct mem_range *r = &m->ranges[i];

		if (r->end <= start)
			continue;
		if (r->start > start || !pred(r->type))
			return false;
		start = r->end;
	}
	return start >= end;
}
