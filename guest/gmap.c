/* guest/gmap.c - the guest memory map: base layer from the host map, device-model
 * registrations on top, flattened into one sorted view (compare QEMU's FlatView). */
#include "guest/gmap.h"

static const char owner_ram[] = "ram";
static const char owner_acpi[] = "acpi";
static const char owner_reserved[] = "reserved";
static const char owner_bad[] = "bad";
static const char owner_hv[] = "hypervisor";
static const char owner_hole[] = "hole";
static const char owner_module[] = "boot module";

/* Appends ranges to an array, merging a piece into the last one when they touch and are equal. */
struct gmap_out {
	struct gmap_range *r;      /* the array */
	unsigned int n;            /* ranges written */
	unsigned int max;          /* capacity */
	bool full;                 /* a range did not fit */
};

static bool same_range_kind(const struct gmap_range *a, const struct gmap_range *b)
{
	return a->kind == b->kind && a->e820_type == b->e820_type &&
	       a->owner == b->owner && a->dev == b->dev;
}

/* Whether the range `like`, placed at start, continues last (ROM: also its host bytes). */
static bool continues(const struct gmap_range *last, gpa_t start, const struct gmap_range *like)
{
	return last->end == start && same_range_kind(last, like) &&
	       (like->kind != GMAP_ROM || last->host + (last->end - last->start) == like->host);
}

static void out_put(struct gmap_out *o, gpa_t start, gpa_t end, const struct gmap_range *like)
{
	struct gmap_range *last = o->n ? &o->r[o->n - 1] : NULL;

	if (last && continues(last, start, like)) {
		last->end = end;
		return;
	}
	if (o->n == o->max) {
		o->full = true;
		return;
	}
	o->r[o->n] = *like;
	o->r[o->n].start = start;
	o->r[o->n].end = end;
	o->n++;
}

/* What each host range type becomes in the guest's base layer. */
static const struct gmap_range base_kinds[MEM_TYPE_COUNT] = {
	[MEM_USABLE]       = { .kind = GMAP_RAM, .e820_type = GMAP_E820_USABLE, .owner = owner_ram },
	[MEM_LOWMEM]       = { .kind = GMAP_RAM, .e820_type = GMAP_E820_USABLE, .owner = owner_ram },
	[MEM_BOOT_INFO]    = { .kind = GMAP_RAM, .e820_type = GMAP_E820_USABLE, .owner = owner_ram },
	/* Kept from the guest (reserved, not mapped) so that a reset can load
	 * the guest again from intact modules; loaders copy what they use. */
	[MEM_MODULE]       = { .kind = GMAP_HIDDEN, .e820_type = GMAP_E820_RESERVED, .owner = owner_module },
	[MEM_ACPI_RECLAIM] = { .kind = GMAP_RAM, .e820_type = GMAP_E820_ACPI, .owner = owner_acpi },
	[MEM_ACPI_NVS]     = { .kind = GMAP_RAM, .e820_type = GMAP_E820_NVS, .owner = owner_acpi },
	[MEM_RESERVED]     = { .kind = GMAP_MMIO, .e820_type = GMAP_E820_RESERVED, .owner = owner_reserved },
	[MEM_BAD]          = { .kind = GMAP_UNUSABLE, .e820_type = GMAP_E820_BAD, .owner = owner_bad },
	[MEM_HV_IMAGE]     = { .kind = GMAP_HIDDEN, .e820_type = GMAP_E820_RESERVED, .owner = owner_hv },
	[MEM_HV_WORKING]   = { .kind = GMAP_HIDDEN, .e820_type = GMAP_E820_RESERVED, .owner = owner_hv },
};

static const struct gmap_range hole = {
	.kind = GMAP_MMIO, .e820_type = GMAP_E820_NONE, .owner = owner_hole,
};

/* Index of the range of r[0..n) containing a; they cover [r[0].start, r[n-1].end) without gaps. */
static unsigned int find_index(const struct gmap_range *r, unsigned int n, gpa_t a)
{
	unsigned int lo = 0, hi = n;    /* the answer is in [lo, hi) */

	while (hi - lo > 1) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (r[mid].start <= a)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Rebuilds flat from base and regs. Cannot overflow: base_count <= GMAP_MAX_BASE (see gmap.h). */
static void flatten(struct gmap *g)
{
	struct gmap_out o = { g->flat, 0, GMAP_MAX_RANGES, false };
	unsigned int j = 0;

	for (unsigned int i = 0; i < g->base_count; i++) {
		const struct gmap_range *b = &g->base[i];
		gpa_t pos = b->start;

		while (pos < b->end) {
			gpa_t next;

			while (j < g->reg_count && g->regs[j].end <= pos)
				j++;
			if (j < g->reg_count && g->regs[j].start <= pos) {
				struct gmap_range piece = g->regs[j];

				/* Trapped: reported reserved. Named pass-through and ROM: keep what they cover. */
				piece.e820_type = piece.kind == GMAP_TRAPPED ? GMAP_E820_RESERVED : b->e820_type;
				if (piece.kind == GMAP_ROM)
					piece.host += pos - g->regs[j].start;
				next = MIN(b->end, g->regs[j].end);
				out_put(&o, pos, next, &piece);
			} else {
				next = j < g->reg_count ? MIN(b->end, g->regs[j].start) : b->end;
				out_put(&o, pos, next, b);
			}
			pos = next;
		}
	}
	g->flat_count = o.n;
	g->generation++;
}

int gmap_init(struct gmap *g, const struct memmap *host, gpa_t top)
{
	struct gmap_out o = { g->base, 0, GMAP_MAX_BASE, false };
	gpa_t pos = 0;

	g->base_count = g->reg_count = g->flat_count = 0;
	g->top = 0;
	g->generation = 0;
	if (top == 0)
		return -EINVAL;
	for (unsigned int i = 0; i < host->count; i++) {
		const struct mem_range *h = &host->ranges[i];
		const struct gmap_range *like = &base_kinds[MEM_HV_WORKING];

		/* A type the table does not know (a carve-out added later) stays unmapped. */
		if ((unsigned int)h->type < MEM_TYPE_COUNT && base_kinds[h->type].owner)
			like = &base_kinds[h->type];

		if (h->start < pos || h->end <= h->start || h->end > top)
			return -EINVAL;
		if (h->start > pos)
			out_put(&o, pos, h->start, &hole);
		out_put(&o, h->start, h->end, like);
		pos = h->end;
	}
	if (pos < top)
		out_put(&o, pos, top, &hole);
	if (o.full)
		return -ENOSPC;
	g->base_count = o.n;
	g->top = top;
	flatten(g);     /* generation 0 -> 1 */
	return 0;
}

/* 0 if every base range under [start, end) may carry a registration of this kind, else -EINVAL. */
static int check_covered(const struct gmap *g, gpa_t start, gpa_t end, enum gmap_kind kind)
{
	for (unsigned int i = find_index(g->base, g->base_count, start);
	     i < g->base_count && g->base[i].start < end; i++) {
		enum gmap_kind k = g->base[i].kind;

		/* A ROM copy may be seen where the hypervisor keeps it, or in
		 * ACPI NVS (chain mode's view area: EfiACPIMemoryNVS the loader
		 * gave, which an OS keeps for ACPI and never takes as RAM). */
		if (kind == GMAP_ROM && k == GMAP_HIDDEN && g->base[i].owner == owner_hv)
			continue;
		if (kind == GMAP_ROM && k == GMAP_RAM && g->base[i].e820_type == GMAP_E820_NVS)
			continue;
		if (k == GMAP_RAM || k == GMAP_HIDDEN)
			return -EINVAL;
		if ((kind == GMAP_MMIO || kind == GMAP_ROM || kind == GMAP_WRITE_TRAPPED || kind == GMAP_HIDDEN) &&
		    k != GMAP_MMIO)
			return -EINVAL;
	}
	return 0;
}

/* Inserts a registration of kind (checked by the callers) with its host address. */
static int add_reg(struct gmap *g, gpa_t start, gpa_t end, enum gmap_kind kind,
		   const char *owner, void *dev, hpa_t host)
{
	unsigned int pos, i;
	int rc;

	if (start >= end || end > g->top || !IS_ALIGNED(start, PAGE_SIZE) ||
	    !IS_ALIGNED(end, PAGE_SIZE) || !owner)
		return -EINVAL;
	/* Insertion point: the first registration ending after start. */
	for (pos = 0; pos < g->reg_count && g->regs[pos].end <= start; pos++)
		;
	if (pos < g->reg_count && g->regs[pos].start < end)
		return -EEXIST;
	rc = check_covered(g, start, end, kind);
	if (rc)
		return rc;
	if (g->reg_count == GMAP_MAX_REGS)
		return -ENOSPC;
	for (i = g->reg_count; i > pos; i--)
		g->regs[i] = g->regs[i - 1];
	g->regs[pos] = (struct gmap_range){
		.start = start, .end = end, .kind = kind,
		.e820_type = kind == GMAP_TRAPPED ? GMAP_E820_RESERVED : GMAP_E820_NONE,
		.owner = owner, .dev = dev, .host = host,
	};
	g->reg_count++;
	flatten(g);
	return 0;
}

int gmap_register(struct gmap *g, gpa_t start, gpa_t end, enum gmap_kind kind,
		  const char *owner, void *dev)
{
	if (kind == GMAP_TRAPPED || kind == GMAP_WRITE_TRAPPED ? !dev : (kind != GMAP_MMIO && kind != GMAP_HIDDEN) || dev)
		return -EINVAL;
	return add_reg(g, start, end, kind, owner, dev, 0);
}

int gmap_register_rom(struct gmap *g, gpa_t start, gpa_t end, hpa_t host, const char *owner)
{
	if (!IS_ALIGNED(host, PAGE_SIZE) || host + (end - start) < host)
		return -EINVAL;
	return add_reg(g, start, end, GMAP_ROM, owner, NULL, host);
}

int gmap_unregister(struct gmap *g, gpa_t start)
{
	unsigned int i;

	for (i = 0; i < g->reg_count && g->regs[i].start != start; i++)
		;
	if (i == g->reg_count)
		return -ENOENT;
	for (; i + 1 < g->reg_count; i++)
		g->regs[i] = g->regs[i + 1];
	g->reg_count--;
	flatten(g);
	return 0;
}

const struct gmap_range *gmap_lookup(const struct gmap *g, gpa_t gpa)
{
	if (gpa >= g->top || g->flat_count == 0)
		return NULL;
	return &g->flat[find_index(g->flat, g->flat_count, gpa)];
}

bool gmap_kind_mapped(enum gmap_kind k)
{
	return k == GMAP_RAM || k == GMAP_MMIO || k == GMAP_ROM || k == GMAP_WRITE_TRAPPED;
}

const char *gmap_kind_name(enum gmap_kind k)
{
	static const char *const names[] = {
		[GMAP_RAM] = "ram", [GMAP_MMIO] = "mmio", [GMAP_TRAPPED] = "trapped",
		[GMAP_HIDDEN] = "hidden", [GMAP_UNUSABLE] = "unusable", [GMAP_ROM] = "rom",
		[GMAP_WRITE_TRAPPED] = "write-trapped",
	};

	if ((unsigned int)k >= ARRAY_SIZE(names) || !names[k])
		return "?";
	return names[k];
}

bool gmap_is_ram(const struct gmap *g, gpa_t gpa, uint64_t len)
{
	const struct gmap_range *r, *end;
	gpa_t last;

	if (len == 0)
		return true;
	if (gpa + (len - 1) < gpa)
		return false;
	last = gpa + (len - 1);
	r = gmap_lookup(g, gpa);
	if (!r)
		return false;
	/* flat covers [0, top) without gaps: walk forward until the range holding the last byte. */
	for (end = g->flat + g->flat_count; r < end; r++) {
		if (r->kind != GMAP_RAM)
			return false;
		if (last < r->end)
			return true;
	}
	return false;
}

unsigned int gmap_e820(const struct gmap *g, struct gmap_e820_entry *out, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < g->flat_count; i++) {
		const struct gmap_range *r = &g->flat[i];
		struct gmap_e820_entry *last = n ? &out[n - 1] : NULL;

		if (r->e820_type == GMAP_E820_NONE)
			continue;
		if (last && last->type == r->e820_type && last->addr + last->size == r->start) {
			last->size += r->end - r->start;
			continue;
		}
		if (n == max)
			break;
		out[n++] = (struct gmap_e820_entry){ r->start, r->end - r->start, r->e820_type };
	}
	return n;
}
