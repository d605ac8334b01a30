/* vmx/ept.c - the guest's EPT: identity mapping of everything but the
 * hypervisor's own memory (SDM Vol. 3C, 29.3; memory types 29.3.7). The
 * tables come from the frame allocator and are built by mm/pagetable.c.
 * Memory types here are coarse (RAM write-back, the rest uncached); the MTRR
 * calculation that makes them exact belongs to the EPT issue. */
#include "vmx/ept.h"
#include "arch/paging.h"
#include "mm/malloc.h"
#include "lib/string.h"

#define EPTP_MT_WB          6ULL
#define EPTP_WALK_LENGTH_4  (3ULL << 3)
#define EPTP_AD_ENABLE      (1ULL << 6)

static void *ept_alloc_table(void *ctx, hpa_t *pa)
{
	void *p;

	*pa = frame_alloc_one(mm_frames());
	if (*pa == INVALID_HPA)
		return NULL;
	p = hpa_to_ptr(*pa);
	memset(p, 0, PAGE_SIZE);
	return p;
}

static void *ept_table_ptr(void *ctx, hpa_t pa)
{
	return hpa_to_ptr(pa);
}

static const struct pt_mem ept_mem = { ept_alloc_table, ept_table_ptr, NULL };

static bool is_hidden(enum mem_type t)
{
	return t == MEM_HV_IMAGE || t == MEM_HV_WORKING;
}

static bool is_ram(enum mem_type t)
{
	return t == MEM_USABLE || t == MEM_ACPI_RECLAIM || t == MEM_ACPI_NVS ||
	       (t >= MEM_LOWMEM && !is_hidden(t));
}

static int map_piece(struct ept *e, gpa_t start, gpa_t end, unsigned int perm)
{
	start = ALIGN_DOWN(start, PAGE_SIZE);
	end = ALIGN_UP(end, PAGE_SIZE);
	if (start >= end)
		return 0;
	e->mapped += end - start;
	return pt_map(&e->pt, start, start, end - start, perm);
}

static void count_leaves(struct ept *e, const uint64_t *table, unsigned int level)
{
	for (unsigned int i = 0; i < 512; i++) {
		uint64_t x = table[i];

		if (!(x & (EPT_R | EPT_W | EPT_X)))
			continue;
		if (level == 1 || (x & EPT_LARGE))
			e->pages[level]++;
		else
			count_leaves(e, hpa_to_ptr(x & PTE_ADDR_MASK), level - 1);
	}
}

int ept_build_identity(struct ept *e, const struct memmap *m, bool allow_1g, bool ad)
{
	const unsigned int ram = PT_WRITE | PT_EXEC | PT_MT(MT_WB);
	const unsigned int io = PT_WRITE | PT_EXEC | PT_UNCACHED;
	gpa_t pos = 0, top = 4 * GiB;
	int rc;

	memset(e, 0, sizeof(*e));
	rc = pt_init(&e->pt, &pt_format_ept, &ept_mem, allow_1g);
	if (m->count && m->ranges[m->count - 1].end > top)
		top = m->ranges[m->count - 1].end;

	/* Holes between ranges are MMIO that belongs to the guest's devices. */
	for (unsigned int i = 0; i < m->count && !rc; i++) {
		const struct mem_range *r = &m->ranges[i];

		if (r->start > pos)
			rc = map_piece(e, pos, r->start, io);
		if (rc)
			break;
		if (is_hidden(r->type))
			e->hidden += r->end - r->start;
		else
			rc = map_piece(e, r->start, r->end, is_ram(r->type) ? ram : io);
		pos = r->end;
	}
	if (!rc && pos < top)
		rc = map_piece(e, pos, top, io);
	if (rc)
		return rc;
	count_leaves(e, e->pt.root, 4);
	e->eptp = e->pt.root_pa | EPTP_WALK_LENGTH_4 | EPTP_MT_WB | (ad ? EPTP_AD_ENABLE : 0);
	return 0;
}

bool ept_range_is_ram(const struct memmap *m, gpa_t gpa, uint64_t len)
{
	return memmap_range_all(m, gpa, len, is_ram);
}
