/* vmx/ept.c - the guest's EPT (SDM Vol. 3C, 29.3): built from the guest
 * memory map and the MTRRs through vmx/ept_layout.c, with tables from the
 * frame allocator, updated in place when the map changes. */
#include "vmx/ept.h"
#include "vmx/ept_layout.h"
#include "mm/paging.h"
#include "drivers/console.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/malloc.h"

#define EPTP_MT_WB          6ULL
#define EPTP_WALK_LENGTH_4  (3ULL << 3)
#define EPTP_AD_ENABLE      (1ULL << 6)
#define LAYOUT_WINDOW       PAGE_SIZE_1G     /* pages never cross it: windowing loses nothing */
#define LAYOUT_RUNS         512

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

static void free_frame(hpa_t pa)
{
	if (frame_free(mm_frames(), pa, 0))
		panic("EPT: freeing table page 0x%llx failed", (unsigned long long)pa);
}

/* Not freed yet: another CPU's paging-structure cache may still lead into
 * the page, and a new owner's writes would then be read as EPT entries. Its
 * bytes stay as they are (no list threaded through it, for the same reason)
 * until ept_release_held, after every CPU's INVEPT (vmx/stage2.c). */
static void ept_free_table(void *ctx, hpa_t pa)
{
	struct ept *e = ctx;

	if (e->held_count == e->held_cap) {
		unsigned int cap = e->held_cap ? 2 * e->held_cap : 64;
		hpa_t *n = malloc(cap * sizeof(*n));

		if (!n) {
			e->tables_leaked++;     /* safe: never reused */
			return;
		}
		if (e->held_count)
			memcpy(n, e->held, e->held_count * sizeof(*n));
		free(e->held);
		e->held = n;
		e->held_cap = cap;
	}
	e->held[e->held_count++] = pa;
}

void ept_release_held(struct ept *e)
{
	for (unsigned int i = 0; i < e->held_count; i++)
		free_frame(e->held[i]);
	e->held_count = 0;
}

static const struct pt_mem ept_mem = {
	.alloc_table = ept_alloc_table,
	.table_ptr = ept_table_ptr,
	.free_table = ept_free_table,
};

/* Maps the runs of [start, end), a 1 GiB window at a time. */
static int map_layout(struct ept *e, const struct gmap *g, const struct mtrr_state *m,
		      gpa_t start, gpa_t end)
{
	struct pt_run *runs = malloc(LAYOUT_RUNS * sizeof(*runs));
	int rc = 0;

	if (!runs)
		return -ENOMEM;
	while (start < end && !rc) {
		gpa_t wend = MIN(ALIGN_DOWN(start, LAYOUT_WINDOW) + LAYOUT_WINDOW, end);
		int n = ept_layout(g, m, start, wend, runs, LAYOUT_RUNS);

		if (n < 0) {
			printf("EPT: more than %u runs of different memory types in 1 GiB at 0x%llx\n",
			       LAYOUT_RUNS, (unsigned long long)start);
			rc = n;
			break;
		}
		for (int i = 0; i < n && !rc; i++)
			rc = pt_map(&e->pt, runs[i].va, runs[i].pa, runs[i].size, runs[i].perm);
		start = wend;
	}
	free(runs);
	return rc;
}

int ept_build(struct ept *e, const struct gmap *g, const struct mtrr_state *m, bool allow_1g, bool ad)
{
	int rc;

	memset(e, 0, sizeof(*e));
	e->gmap = g;
	e->mtrr = m;
	e->mem = ept_mem;
	e->mem.ctx = e;
	rc = pt_init(&e->pt, &pt_format_ept, &e->mem, allow_1g);
	if (!rc)
		rc = map_layout(e, g, m, 0, g->top);
	if (rc)
		return rc;
	e->eptp = e->pt.root_pa | EPTP_WALK_LENGTH_4 | EPTP_MT_WB | (ad ? EPTP_AD_ENABLE : 0);
	return 0;
}

int ept_update(struct ept *e, gpa_t start, gpa_t end)
{
	int rc;

	start = ALIGN_DOWN(start, PAGE_SIZE);
	end = ALIGN_UP(end, PAGE_SIZE);
	if (start >= end)
		return 0;
	rc = pt_unmap(&e->pt, start, end - start);
	if (!rc)
		rc = map_layout(e, e->gmap, e->mtrr, start, end);
	if (!rc) {
		gpa_t lo = ALIGN_DOWN(start, PAGE_SIZE_1G), hi = ALIGN_UP(end, PAGE_SIZE_1G);

		(void)pt_merge(&e->pt, lo, hi - lo);
	}
	return rc;
}

void ept_print_summary(const struct ept *e)
{
	const struct gmap *g = e->gmap;
	struct pt_stats st;
	uint64_t hidden = 0;
	char mapped[32], hid[32];

	pt_stats(&e->pt, &st);
	for (unsigned int i = 0; i < g->flat_count; i++)
		if (g->flat[i].kind == GMAP_HIDDEN)
			hidden += g->flat[i].end - g->flat[i].start;
	fmt_size(mapped, sizeof(mapped), st.mapped);
	fmt_size(hid, sizeof(hid), hidden);
	printf("EPT: %s mapped (%u x 1G, %u x 2M, %u x 4K), %s hidden, %u table pages", mapped,
	       st.leaves[3], st.leaves[2], st.leaves[1], hid, e->pt.tables_used);
	if (e->held_count || e->tables_leaked)
		printf(" (%u unlinked, held until every CPU has invalidated; %u kept for good)",
		       e->held_count, e->tables_leaked);
	printf("\n");
}

void ept_print_space(const struct ept_space *s)
{
	printf("EPT: guest-physical space to 0x%016llx (MAXPHYADDR %u): ", (unsigned long long)(s->top - 1),
	       s->maxphyaddr);
	if (s->above_ram)
		printf("pass-through MMIO above RAM from 0x%llx in %s pages\n", (unsigned long long)s->ram_top,
		       s->ept_1g ? "1 GiB" : "2 MiB");
	else if (s->ram_top < (1ULL << s->bits))
		printf("nothing mapped from 0x%llx (without 1 GiB EPT pages it would take %llu table pages; "
		       "64-bit BARs there read all ones)\n", (unsigned long long)s->ram_top,
		       (unsigned long long)s->above_tables);
	else
		printf("RAM and the space below 4 GiB fill it\n");
	if (s->keyid_bits)
		printf("EPT: the top %u address bits are MKTME KeyIDs: their aliases of memory are not mapped\n",
		       s->keyid_bits);
	if (s->clamped)
		printf("EPT: a 4-level EPT reaches %u address bits: nothing mapped from 0x%llx\n", EPT_4LEVEL_BITS,
		       1ULL << EPT_4LEVEL_BITS);
}

/* A run of leaves being accumulated by ept_print_map(). */
struct map_run {
	gpa_t start, end;               /* [start, end); end == start: no run yet */
	uint64_t attrs;                 /* R/W/X and memory type bits of its leaves */
	unsigned int pages[4];          /* leaves by level */
};

static void flush_run(struct map_run *r)
{
	static const char *const mt[8] = { "UC", "WC", "?2", "?3", "WT", "WP", "WB", "?7" };

	if (r->end == r->start)
		return;
	printf("  0x%016llx-0x%016llx %c%c%c %s ", (unsigned long long)r->start,
	       (unsigned long long)(r->end - 1), r->attrs & EPT_R ? 'R' : '-', r->attrs & EPT_W ? 'W' : '-',
	       r->attrs & EPT_X ? 'X' : '-', mt[(r->attrs >> EPT_MT_SHIFT) & 7]);
	for (unsigned int l = 3; l >= 1; l--)
		if (r->pages[l])
			printf(" %u x %s", r->pages[l], l == 3 ? "1G" : l == 2 ? "2M" : "4K");
	printf("\n");
	memset(r, 0, sizeof(*r));
}

static void map_level(const struct ept *e, const uint64_t *table, unsigned int level, gpa_t base,
		      struct map_run *r)
{
	uint64_t span = PAGE_SIZE << (9 * (level - 1));
	const uint64_t attr_mask = EPT_R | EPT_W | EPT_X | (7ULL << EPT_MT_SHIFT) | EPT_IPAT;

	for (unsigned int i = 0; i < 512; i++) {
		uint64_t x = table[i];
		gpa_t gpa = base + i * span;

		if (!(x & (EPT_R | EPT_W | EPT_X))) {
			flush_run(r);
			continue;
		}
		if (level > 1 && !(x & EPT_LARGE)) {
			map_level(e, hpa_to_ptr(x & PTE_ADDR_MASK), level - 1, gpa, r);
			continue;
		}
		if (r->end != gpa || (x & attr_mask) != r->attrs)
			flush_run(r);
		if (r->end == r->start) {
			r->start = r->end = gpa;
			r->attrs = x & attr_mask;
		}
		r->end += span;
		r->pages[level]++;
	}
}

void ept_print_map(const struct ept *e)
{
	struct map_run r;

	memset(&r, 0, sizeof(r));
	if (e->space)
		ept_print_space(e->space);
	printf("EPT map (identity; runs of equal attributes):\n");
	map_level(e, e->pt.root, 4, 0, &r);
	flush_run(&r);
	ept_print_summary(e);
}

void ept_print_walk(const struct ept *e, gpa_t gpa)
{
	static const char *const level_names[] = { "", "PTE", "PDE", "PDPTE", "PML4E" };
	static const char *const mt_names[8] = { "UC", "WC", "2?", "3?", "WT", "WP", "WB", "7?" };
	struct pt_walk w;

	for_each_pt_entry(w, &e->pt, gpa) {
		uint64_t x = *w.entry;
		bool leaf = w.level == 1 || (x & EPT_LARGE);

		printf("  %-5s 0x%016llx (table 0x%llx):", level_names[w.level], (unsigned long long)x,
		       (unsigned long long)w.table_pa);
		if (!(x & (EPT_R | EPT_W | EPT_X)))
			printf(" not present\n");
		else if (leaf)
			printf(" %s%s%s page 0x%llx, %s%s\n", x & EPT_R ? "R" : "-", x & EPT_W ? "W" : "-",
			       x & EPT_X ? "X" : "-", (unsigned long long)(x & PTE_ADDR_MASK),
			       mt_names[(x >> EPT_MT_SHIFT) & 7], x & EPT_IPAT ? ", ignore PAT" : "");
		else
			printf(" table at 0x%llx\n", (unsigned long long)(x & PTE_ADDR_MASK));
	}
}
