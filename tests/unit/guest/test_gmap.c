/* tests/unit/guest/test_gmap.c - host tests for the guest memory map: Bochs, QEMU q35
 * and server maps, registrations, lookups against linear models, e820 output. */
#include "tests/unit/check.h"
#include "guest/gmap.h"

#define HOST_CAP 1024
#define HVMEM    (64 * MiB)

struct raw { hpa_t start; uint64_t len; enum mem_type type; };
struct carve { hpa_t start, end; enum mem_type type; };
struct exp { gpa_t start, end; enum gmap_kind kind; uint8_t e820; };

static struct mem_range host_ranges[HOST_CAP];
static struct memmap host;
static struct gmap g, saved;
static int dev_a, dev_b;
static const char lapic[] = "lapic";       /* one pointer: flat merges by owner pointer */

/* Builds the host map as mm/setup.c does: firmware entries, normalize, carve-outs,
 * then the working memory at the top of RAM. */
static void build_host(const struct raw *raw, unsigned int n, const struct carve *c,
		       unsigned int nc)
{
	hpa_t work;

	memmap_init(&host, host_ranges, HOST_CAP);
	for (unsigned int i = 0; i < n; i++)
		CHECK_EQ(memmap_add(&host, raw[i].start, raw[i].len, raw[i].type), 0);
	CHECK_EQ(memmap_normalize(&host), 0);
	if (host.ranges[0].type == MEM_USABLE)    /* low memory (the fixtures have one range there) */
		CHECK_EQ(memmap_set(&host, 0, MIN(host.ranges[0].end, 1 * MiB), MEM_LOWMEM), 0);
	for (unsigned int i = 0; i < nc; i++)
		CHECK_EQ(memmap_set(&host, c[i].start, c[i].end, c[i].type), 0);
	work = memmap_find_top(&host, HVMEM, PAGE_SIZE_2M);
	CHECK(work != INVALID_HPA);
	CHECK_EQ(memmap_set(&host, work, work + HVMEM, MEM_HV_WORKING), 0);
}

/* max(4 GiB, end of map rounded up to 1 GiB), as the caller of gmap_init computes it. */
static gpa_t top_of_host(void)
{
	gpa_t end = host.count ? host.ranges[host.count - 1].end : 0;

	return MAX(4 * GiB, ALIGN_UP(end, PAGE_SIZE_1G));
}

static bool same_kind(const struct gmap_range *a, const struct gmap_range *b)
{
	return a->kind == b->kind && a->e820_type == b->e820_type && a->owner == b->owner &&
	       a->dev == b->dev;
}

static bool same_flat(const struct gmap *a, const struct gmap *b)
{
	bool ok = a->flat_count == b->flat_count;

	for (unsigned int i = 0; ok && i < a->flat_count; i++)
		ok = same_kind(&a->flat[i], &b->flat[i]) && a->flat[i].start == b->flat[i].start &&
		     a->flat[i].end == b->flat[i].end;
	return ok;
}

/* Flat covers [0, top) without gaps, and no two neighbours could have been merged. */
static bool flat_ok(const struct gmap *m)
{
	for (unsigned int i = 0; i < m->flat_count; i++) {
		const struct gmap_range *r = &m->flat[i], *p = i ? r - 1 : NULL;

		if (r->start >= r->end || r->start != (p ? p->end : 0) || (p && same_kind(p, r)))
			return false;
	}
	return m->flat_count && m->flat[m->flat_count - 1].end == m->top;
}

/* The host map's type at a; MEM_TYPE_COUNT where it has none (a hole). */
static enum mem_type host_type(hpa_t a)
{
	for (unsigned int i = 0; i < host.count; i++)
		if (host.ranges[i].start <= a && a < host.ranges[i].end)
			return host.ranges[i].type;
	return MEM_TYPE_COUNT;
}

/* The owner the base layer gives each kind of range starting at a: a hidden range is a
 * boot module's if the carve there is MEM_MODULE, else the hypervisor's. */
static const char *base_owner(enum gmap_kind k, uint8_t e820, gpa_t a)
{
	if (k == GMAP_RAM)
		return e820 == 1 ? "ram" : "acpi";
	if (k == GMAP_MMIO)
		return e820 ? "reserved" : "hole";
	if (k == GMAP_HIDDEN)
		return host_type(a) == MEM_MODULE ? "boot module" : "hypervisor";
	return "bad";
}

/* Flat equals e[] (owners as the base layer names them); every range is found at
 * its first and last byte, nothing at or past top. */
static void check_flat(const struct gmap *m, const struct exp *e, unsigned int n)
{
	CHECK_EQ(m->flat_count, n);
	CHECK(flat_ok(m));
	for (unsigned int i = 0; i < n && i < m->flat_count; i++) {
		const struct gmap_range *r = &m->flat[i];

		CHECK(r->start == e[i].start && r->end == e[i].end && r->kind == e[i].kind &&
		      r->e820_type == e[i].e820 && r->dev == NULL);
		CHECK_STR(r->owner, base_owner(e[i].kind, e[i].e820, e[i].start));
	}
}

static void check_boundaries(const struct gmap *m)
{
	for (unsigned int i = 0; i < m->flat_count; i++) {
		CHECK(gmap_lookup(m, m->flat[i].start) == &m->flat[i]);
		CHECK(gmap_lookup(m, m->flat[i].end - 1) == &m->flat[i]);
	}
	CHECK(gmap_lookup(m, m->top) == NULL);
	CHECK(gmap_lookup(m, ~0ULL) == NULL);
}

/* Bochs 2.7 with 512 MiB, as the hypervisor prints it at boot. */
static const struct raw bochs_raw[] = {
	{ 0x0, 0x9f000, MEM_USABLE },              { 0x9f000, 0x1000, MEM_RESERVED },
	{ 0xe8000, 0x18000, MEM_RESERVED },        { 0x100000, 0x1fef0000, MEM_USABLE },
	{ 0x1fff0000, 0x10000, MEM_ACPI_RECLAIM }, { 0xfffc0000, 0x40000, MEM_RESERVED },
};
static const struct carve bochs_carve[] = {
	{ 0x200000, 0x26a000, MEM_HV_IMAGE }, { 0x26a000, 0x26b000, MEM_BOOT_INFO },
	{ 0x300000, 0x1300000, MEM_MODULE },
};

/* QEMU q35 with 4 GiB: 2 GiB below the PCI hole, 2 GiB above 4 GiB. */
static const struct raw q35_raw[] = {
	{ 0x0, 0x9fc00, MEM_USABLE },             { 0x9fc00, 0x400, MEM_RESERVED },
	{ 0xf0000, 0x10000, MEM_RESERVED },       { 0x100000, 0x7fee0000, MEM_USABLE },
	{ 0x7ffe0000, 0x20000, MEM_RESERVED },    { 0xb0000000, 0x10000000, MEM_RESERVED },
	{ 0xfed1c000, 0x4000, MEM_RESERVED },     { 0xfeffc000, 0x4000, MEM_RESERVED },
	{ 0xfffc0000, 0x40000, MEM_RESERVED },    { 0x100000000, 0x80000000, MEM_USABLE },
};
static const struct carve q35_carve[] = {
	{ 0x200000, 0x280000, MEM_HV_IMAGE }, { 0x280000, 0x281000, MEM_BOOT_INFO },
	{ 0x1000000, 0x2000000, MEM_MODULE },
};

static void init_bochs(void)
{
	build_host(bochs_raw, ARRAY_SIZE(bochs_raw), bochs_carve, ARRAY_SIZE(bochs_carve));
	CHECK_EQ(gmap_init(&g, &host, top_of_host()), 0);
}

static void init_q35(void)
{
	build_host(q35_raw, ARRAY_SIZE(q35_raw), q35_carve, ARRAY_SIZE(q35_carve));
	CHECK_EQ(gmap_init(&g, &host, top_of_host()), 0);
}

TEST(bochs_flat)
{
	/* Boot info stays guest RAM and merges with it; the module is hidden and reserved,
	 * owned by "boot module", splitting the RAM around it. */
	static const struct exp e[] = {
		{ 0x0, 0x9f000, GMAP_RAM, 1 },                  { 0x9f000, 0xa0000, GMAP_MMIO, 2 },
		{ 0xa0000, 0xe8000, GMAP_MMIO, 0 },             { 0xe8000, 0x100000, GMAP_MMIO, 2 },
		{ 0x100000, 0x200000, GMAP_RAM, 1 },            { 0x200000, 0x26a000, GMAP_HIDDEN, 2 },
		{ 0x26a000, 0x300000, GMAP_RAM, 1 },            { 0x300000, 0x1300000, GMAP_HIDDEN, 2 },
		{ 0x1300000, 0x1be00000, GMAP_RAM, 1 },         { 0x1be00000, 0x1fe00000, GMAP_HIDDEN, 2 },
		{ 0x1fe00000, 0x1fff0000, GMAP_RAM, 1 },        { 0x1fff0000, 0x20000000, GMAP_RAM, 3 },
		{ 0x20000000, 0xfffc0000, GMAP_MMIO, 0 },       { 0xfffc0000, 0x100000000, GMAP_MMIO, 2 },
	};

	init_bochs();
	CHECK(g.top == 4 * GiB && g.generation == 1 && g.reg_count == 0);
	CHECK_EQ(g.base_count, ARRAY_SIZE(e));
	check_flat(&g, e, ARRAY_SIZE(e));
	check_boundaries(&g);
	/* The module: not RAM, not mapped, the boot module's (not the hypervisor's). */
	CHECK(!gmap_is_ram(&g, 0x300000, 1) && !gmap_is_ram(&g, 0x12fffff, 1));
	CHECK(!gmap_kind_mapped(gmap_lookup(&g, 0x300000)->kind));
	CHECK_STR(gmap_lookup(&g, 0x12fffff)->owner, "boot module");
	CHECK_STR(gmap_lookup(&g, 0x200000)->owner, "hypervisor");
}

TEST(q35_flat)
{
	static const struct exp e[] = {
		{ 0x0, 0x9fc00, GMAP_RAM, 1 },                  { 0x9fc00, 0xa0000, GMAP_MMIO, 2 },
		{ 0xa0000, 0xf0000, GMAP_MMIO, 0 },             { 0xf0000, 0x100000, GMAP_MMIO, 2 },
		{ 0x100000, 0x200000, GMAP_RAM, 1 },            { 0x200000, 0x280000, GMAP_HIDDEN, 2 },
		{ 0x280000, 0x1000000, GMAP_RAM, 1 },           { 0x1000000, 0x2000000, GMAP_HIDDEN, 2 },
		{ 0x2000000, 0x7ffe0000, GMAP_RAM, 1 },         { 0x7ffe0000, 0x80000000, GMAP_MMIO, 2 },
		{ 0x80000000, 0xb0000000, GMAP_MMIO, 0 },       { 0xb0000000, 0xc0000000, GMAP_MMIO, 2 },
		{ 0xc0000000, 0xfed1c000, GMAP_MMIO, 0 },       { 0xfed1c000, 0xfed20000, GMAP_MMIO, 2 },
		{ 0xfed20000, 0xfeffc000, GMAP_MMIO, 0 },       { 0xfeffc000, 0xff000000, GMAP_MMIO, 2 },
		{ 0xff000000, 0xfffc0000, GMAP_MMIO, 0 },       { 0xfffc0000, 0x100000000, GMAP_MMIO, 2 },
		{ 0x100000000, 0x17c000000, GMAP_RAM, 1 },      { 0x17c000000, 0x180000000, GMAP_HIDDEN, 2 },
	};

	init_q35();
	CHECK_EQ(g.top, 6 * GiB);
	check_flat(&g, e, ARRAY_SIZE(e));
	check_boundaries(&g);
	/* Both hidden kinds, each with its owner. */
	CHECK_STR(gmap_lookup(&g, 0x1000000)->owner, "boot module");
	CHECK_STR(gmap_lookup(&g, 0x17c000000)->owner, "hypervisor");
	CHECK_STR(gmap_lookup(&g, 0x200000)->owner, "hypervisor");
}

TEST(e820_merges_and_lists_hidden_as_reserved)
{
	static const struct gmap_e820_entry e[] = {
		{ 0x0, 0x9f000, 1 },           { 0x9f000, 0x1000, 2 },
		{ 0xe8000, 0x18000, 2 },       { 0x100000, 0x100000, 1 },
		{ 0x200000, 0x6a000, 2 },      { 0x26a000, 0x96000, 1 },
		{ 0x300000, 0x1000000, 2 },    { 0x1300000, 0x1ab00000, 1 },   /* the module: reserved */
		{ 0x1be00000, 0x4000000, 2 },  { 0x1fe00000, 0x1f0000, 1 },
		{ 0x1fff0000, 0x10000, 3 },    { 0xfff00000, 0x100000, 2 },
	};
	static const struct raw raw[] = {
		{ 0x0, 0x9f000, MEM_USABLE }, { 0x100000, 0x7ff00000, MEM_USABLE },
		{ 0x80000000, 0x100000, MEM_RESERVED },
	};
	struct gmap_e820_entry out[32];
	unsigned int n;

	init_bochs();
	/* A named pass-through range splits flat but not the e820 entry; a trapped range
	 * below the BIOS area reports reserved and merges with it. */
	CHECK_EQ(gmap_register(&g, 0xe8000, 0xf0000, GMAP_MMIO, "bios", NULL), 0);
	CHECK_EQ(gmap_register(&g, 0xfff00000, 0xfffc0000, GMAP_TRAPPED, "flash", &dev_a), 0);
	CHECK_STR(gmap_lookup(&g, 0xe8000)->owner, "bios");
	CHECK(gmap_lookup(&g, 0xe8000)->e820_type == 2 && gmap_lookup(&g, 0xfff00000)->e820_type == 2);
	n = gmap_e820(&g, out, ARRAY_SIZE(out));
	CHECK_EQ(n, ARRAY_SIZE(e));
	for (unsigned int i = 0; i < n && i < ARRAY_SIZE(e); i++)
		CHECK(out[i].addr == e[i].addr && out[i].size == e[i].size && out[i].type == e[i].type);
	CHECK_EQ(gmap_e820(&g, out, 3), 3);        /* truncated: the first ones */
	CHECK(out[2].addr == 0xe8000 && out[2].size == 0x18000);
	CHECK_EQ(gmap_e820(&g, out, 0), 0);
	/* Working memory ending where firmware reserved memory begins: one entry. */
	build_host(raw, ARRAY_SIZE(raw), NULL, 0);
	CHECK_EQ(gmap_init(&g, &host, top_of_host()), 0);
	CHECK_EQ(gmap_lookup(&g, 0x7fffffff)->kind, GMAP_HIDDEN);
	CHECK_EQ(gmap_e820(&g, out, ARRAY_SIZE(out)), 3);
	CHECK(out[2].addr == 0x80000000 - HVMEM && out[2].size == HVMEM + 0x100000 && out[2].type == 2);
}

TEST(is_ram)
{
	init_q35();
	CHECK(gmap_is_ram(&g, 0, 0x9fc00));
	CHECK(!gmap_is_ram(&g, 0, 0x9fc01));                 /* last byte is reserved */
	CHECK(gmap_is_ram(&g, 0x280000, 0x1000000 - 0x280000));      /* up to the module */
	CHECK(gmap_is_ram(&g, 0x2000000, 0x7ffe0000 - 0x2000000));   /* after it */
	CHECK(!gmap_is_ram(&g, 0x280000, 0x7ffe0000 - 0x280000));    /* across it */
	CHECK(!gmap_is_ram(&g, 0xfff000, 0x2000));           /* runs into the module */
	CHECK(!gmap_is_ram(&g, 0x1fff000, 0x2000));          /* runs out of it */
	CHECK(!gmap_is_ram(&g, 0x1000000, 1) && !gmap_is_ram(&g, 0x1ffffff, 1));
	CHECK(!gmap_is_ram(&g, 0x1000000, 0x1000000));       /* the module itself */
	CHECK(gmap_lookup(&g, 0x1800000)->kind == GMAP_HIDDEN && gmap_lookup(&g, 0x1800000)->e820_type == 2);
	CHECK_STR(gmap_lookup(&g, 0x1800000)->owner, "boot module");
	CHECK(!gmap_is_ram(&g, 0x1ff000, 0x2000));           /* runs into the image */
	CHECK(!gmap_is_ram(&g, 0x17bfff000, 0x2000));        /* runs into working memory */
	CHECK(!gmap_is_ram(&g, 0xb0000000, 8));
	CHECK(!gmap_is_ram(&g, 6 * GiB, 1) && !gmap_is_ram(&g, 6 * GiB - 1, 2));   /* past top */
	CHECK(!gmap_is_ram(&g, 0x1000, ~0ULL) && !gmap_is_ram(&g, ~0ULL - 10, 100)); /* wraps */
	CHECK(gmap_is_ram(&g, 0x1000, 0));
	init_bochs();                               /* across usable and ACPI RAM */
	CHECK(gmap_is_ram(&g, 0x1fe00000, 0x200000));
	CHECK(!gmap_is_ram(&g, 0x1fe00000, 0x200001));
}

TEST(register_splits_and_unregister_restores)
{
	const struct gmap_range *r;

	init_q35();
	memcpy(&saved, &g, sizeof(g));
	/* IOAPIC page inside the 0xc0000000 hole: the hole splits in three. */
	CHECK_EQ(gmap_register(&g, 0xfec00000, 0xfec01000, GMAP_TRAPPED, "ioapic", &dev_a), 0);
	CHECK(g.flat_count == saved.flat_count + 2 && g.generation == 2 && flat_ok(&g));
	r = gmap_lookup(&g, 0xfec00abc);
	CHECK(r->start == 0xfec00000 && r->end == 0xfec01000 && r->kind == GMAP_TRAPPED);
	CHECK(r->dev == &dev_a && r->e820_type == 2 && !gmap_kind_mapped(r->kind));
	CHECK_STR(r->owner, "ioapic");
	r = gmap_lookup(&g, 0xfebfffff);
	CHECK(r->start == 0xc0000000 && r->end == 0xfec00000);
	r = gmap_lookup(&g, 0xfec01000);
	CHECK(r->start == 0xfec01000 && r->end == 0xfed1c000 && r->e820_type == 0);
	/* The whole ECAM window (firmware reserved) trapped: replaces it exactly. */
	CHECK_EQ(gmap_register(&g, 0xb0000000, 0xc0000000, GMAP_TRAPPED, "ecam", &dev_b), 0);
	CHECK_EQ(g.flat_count, saved.flat_count + 2);
	r = gmap_lookup(&g, 0xb0000000);
	CHECK(r->start == 0xb0000000 && r->end == 0xc0000000 && r->dev == &dev_b);
	/* Part of a reserved range, spanning into the next hole. */
	CHECK_EQ(gmap_register(&g, 0xfeffe000, 0xff001000, GMAP_TRAPPED, "x", &dev_a), 0);
	CHECK_EQ(gmap_lookup(&g, 0xfeffd000)->end, 0xfeffe000);
	CHECK_EQ(gmap_lookup(&g, 0xff000fff)->start, 0xfeffe000);
	CHECK_EQ(gmap_lookup(&g, 0xff001000)->start, 0xff001000);
	CHECK(g.generation == 4 && flat_ok(&g));
	check_boundaries(&g);
	/* Adjacent registrations of one model merge in flat but stay separate registrations. */
	CHECK_EQ(gmap_register(&g, 0xfee00000, 0xfee01000, GMAP_TRAPPED, lapic, &dev_b), 0);
	CHECK_EQ(gmap_register(&g, 0xfee01000, 0xfee02000, GMAP_TRAPPED, lapic, &dev_b), 0);
	CHECK(gmap_lookup(&g, 0xfee00000)->end == 0xfee02000 && g.reg_count == 5 && flat_ok(&g));
	/* Unregistering in another order restores the original exactly. */
	CHECK_EQ(gmap_unregister(&g, 0xb0000000), 0);
	CHECK_EQ(gmap_unregister(&g, 0xfee01000), 0);
	CHECK_EQ(gmap_lookup(&g, 0xfee01000)->e820_type, 0);
	CHECK_EQ(gmap_unregister(&g, 0xfec00000), 0);
	CHECK_EQ(gmap_unregister(&g, 0xfeffe000), 0);
	CHECK_EQ(gmap_unregister(&g, 0xfee00000), 0);
	CHECK(g.reg_count == 0 && same_flat(&g, &saved) && g.generation == 11);
	CHECK_EQ(gmap_unregister(&g, 0xfee00000), -ENOENT);
	CHECK_EQ(gmap_unregister(&g, 0xfee00000 + 0x1000), -ENOENT);
	CHECK_EQ(g.generation, 11);
}

/* Review chain2 finding 9: chain mode's ACPI view lies in an ACPI NVS area
 * hv.efi allocated; it is shown read-only there and stays NVS in the e820.
 * ACPI reclaim memory (which the OS takes as RAM) and RAM stay refused. */
TEST(rom_over_acpi_nvs)
{
	static const struct raw raw[] = {
		{ 0, 0x9f000, MEM_USABLE }, { 0x100000, 0x7ef00000, MEM_USABLE },
		{ 0x7f000000, 0x10000, MEM_ACPI_NVS }, { 0x7f010000, 0x10000, MEM_ACPI_RECLAIM },
		{ 0x7f020000, 0xfe0000, MEM_USABLE },
	};
	static const char view[] = "acpi view";
	const struct gmap_range *r;

	build_host(raw, ARRAY_SIZE(raw), NULL, 0);
	CHECK_EQ(gmap_init(&g, &host, top_of_host()), 0);
	CHECK_EQ(gmap_register_rom(&g, 0x7f00c000, 0x7f010000, 0x7f00c000, view), 0);
	r = gmap_lookup(&g, 0x7f00d234);
	CHECK(r->kind == GMAP_ROM && r->start == 0x7f00c000 && r->end == 0x7f010000 && r->host == 0x7f00c000);
	CHECK_EQ(r->e820_type, GMAP_E820_NVS);
	CHECK(gmap_lookup(&g, 0x7f00bfff)->kind == GMAP_RAM);
	CHECK(flat_ok(&g));
	CHECK_EQ(gmap_unregister(&g, 0x7f00c000), 0);
	CHECK_EQ(gmap_register_rom(&g, 0x7f00c000, 0x7f011000, 0x7f00c000, view), -EINVAL);   /* into reclaim */
	CHECK_EQ(gmap_register_rom(&g, 0x7f010000, 0x7f014000, 0x7f010000, view), -EINVAL);   /* reclaim */
	CHECK_EQ(gmap_register_rom(&g, 0x7f020000, 0x7f021000, 0x7f020000, view), -EINVAL);   /* RAM */
}

/* ROM: the hypervisor's copies shown read-only where they lie (its own hidden
 * memory) and a page of the firmware area shown as a copy (the guest's ACPI view). */
TEST(rom_ranges)
{
	static const char view[] = "acpi view";
	const struct gmap_range *r;
	gpa_t w = 0;

	init_bochs();
	for (unsigned int i = 0; i < g.flat_count; i++)
		if (g.flat[i].kind == GMAP_HIDDEN && !strcmp(g.flat[i].owner, "hypervisor"))
			w = g.flat[i].start;                     /* the last: working memory */
	CHECK(w > 0x1000000);
	memcpy(&saved, &g, sizeof(g));
	CHECK_EQ(gmap_register_rom(&g, w + 0x3000, w + 0x7000, w + 0x3000, view), 0);
	r = gmap_lookup(&g, w + 0x5abc);
	CHECK(r->kind == GMAP_ROM && r->start == w + 0x3000 && r->end == w + 0x7000 && r->host == w + 0x3000);
	CHECK(r->e820_type == 2 && gmap_kind_mapped(r->kind) && !gmap_is_ram(&g, w + 0x5000, 1));
	CHECK_STR(gmap_kind_name(r->kind), "rom");
	CHECK(gmap_lookup(&g, w + 0x2fff)->kind == GMAP_HIDDEN && gmap_lookup(&g, w + 0x7000)->kind == GMAP_HIDDEN);
	/* The RSDP's page of the firmware area, elsewhere in host memory. */
	CHECK_EQ(gmap_register_rom(&g, 0xf5000, 0xf6000, w + 0x8000, view), 0);
	r = gmap_lookup(&g, 0xf5a30);
	CHECK(r->kind == GMAP_ROM && r->start == 0xf5000 && r->end == 0xf6000 && r->host == w + 0x8000);
	CHECK_EQ(r->e820_type, 2);
	CHECK(gmap_lookup(&g, 0xf4fff)->kind == GMAP_MMIO && gmap_lookup(&g, 0xf6000)->kind == GMAP_MMIO);
	CHECK(flat_ok(&g));
	/* Across a hole and a reserved range: each piece keeps its host offset and e820 type. */
	CHECK_EQ(gmap_register_rom(&g, 0xe7000, 0xe9000, w + 0x10000, view), 0);
	CHECK(gmap_lookup(&g, 0xe7000)->host == w + 0x10000 && gmap_lookup(&g, 0xe7000)->e820_type == 0);
	CHECK(gmap_lookup(&g, 0xe8000)->host == w + 0x11000 && gmap_lookup(&g, 0xe8000)->e820_type == 2);
	/* Refused: RAM, a boot module, the image's neighbour RAM, misaligned, overlapping, past top. */
	CHECK_EQ(gmap_register_rom(&g, 0x100000, 0x101000, w, view), -EINVAL);
	CHECK_EQ(gmap_register_rom(&g, 0x300000, 0x301000, w, view), -EINVAL);
	CHECK_EQ(gmap_register_rom(&g, 0x9f000, 0xa0000, w, view), 0);          /* reserved: fine */
	CHECK_EQ(gmap_unregister(&g, 0x9f000), 0);
	CHECK_EQ(gmap_register_rom(&g, 0x9e000, 0x9f000, w, view), -EINVAL);    /* low RAM */
	CHECK_EQ(gmap_register_rom(&g, 0xf0000, 0xf1000, w + 0x800, view), -EINVAL);
	CHECK_EQ(gmap_register_rom(&g, 0xf0800, 0xf1000, w, view), -EINVAL);
	CHECK_EQ(gmap_register_rom(&g, 0xf5000, 0xf6000, w, view), -EEXIST);
	CHECK_EQ(gmap_register_rom(&g, 0xf0000, 0xf1000, w, NULL), -EINVAL);
	CHECK_EQ(gmap_register_rom(&g, g.top - 0x1000, g.top + 0x1000, w, view), -EINVAL);
	/* Gone again: the map is what it was. */
	CHECK_EQ(gmap_unregister(&g, 0xe7000), 0);
	CHECK_EQ(gmap_unregister(&g, 0xf5000), 0);
	CHECK_EQ(gmap_unregister(&g, w + 0x3000), 0);
	CHECK(g.reg_count == 0 && same_flat(&g, &saved));
}

TEST(register_refusals)
{
	static const struct { gpa_t start, end; enum gmap_kind kind; bool named, dev; int rc; } bad[] = {
		{ 0x9f000, 0xa0000, GMAP_TRAPPED, 1, 1, -EINVAL },        /* first 3 KiB are RAM */
		{ 0x7ffd0000, 0x80000000, GMAP_TRAPPED, 1, 1, -EINVAL },  /* RAM then reserved */
		{ 0x200000, 0x201000, GMAP_TRAPPED, 1, 1, -EINVAL },      /* the image */
		{ 0x17c000000, 0x17c001000, GMAP_MMIO, 1, 0, -EINVAL },   /* working memory */
		{ 0xfebff000, 0xfec01000, GMAP_TRAPPED, 1, 1, -EEXIST },
		{ 0xfec00000, 0xfed00000, GMAP_MMIO, 1, 0, -EEXIST },
		{ 0xfed00800, 0xfed01000, GMAP_TRAPPED, 1, 1, -EINVAL },  /* misaligned */
		{ 0xfed00000, 0xfed00800, GMAP_TRAPPED, 1, 1, -EINVAL },
		{ 0xfed00000, 0xfed00000, GMAP_TRAPPED, 1, 1, -EINVAL },  /* empty */
		{ 6 * GiB - 0x1000, 6 * GiB + 0x1000, GMAP_TRAPPED, 1, 1, -EINVAL },   /* past top */
		{ 0xfed00000, 0xfed01000, GMAP_RAM, 1, 0, -EINVAL },      /* not a registrable kind */
		{ 0xfed00000, 0xfed01000, (enum gmap_kind)99, 1, 0, -EINVAL },
		{ 0xfed00000, 0xfed01000, GMAP_TRAPPED, 1, 0, -EINVAL },  /* trapped without a model */
		{ 0xfed00000, 0xfed01000, GMAP_MMIO, 1, 1, -EINVAL },     /* pass-through with one */
		{ 0xfed00000, 0xfed01000, GMAP_TRAPPED, 0, 1, -EINVAL },  /* no owner */
		{ 0xfed00000, 0xfed01000, GMAP_WRITE_TRAPPED, 1, 0, -EINVAL },  /* without a model */
		{ 0x9f000, 0xa0000, GMAP_WRITE_TRAPPED, 1, 1, -EINVAL },  /* RAM: not pass-through */
		{ 0xfebff000, 0xfec01000, GMAP_WRITE_TRAPPED, 1, 1, -EEXIST },
		{ 0x9f000, 0xa0000, GMAP_HIDDEN, 1, 0, -EINVAL },         /* hidden over RAM */
		{ 0x17c000000, 0x17c001000, GMAP_HIDDEN, 1, 0, -EINVAL }, /* over working memory */
		{ 0xfed00000, 0xfed01000, GMAP_HIDDEN, 1, 1, -EINVAL },   /* hidden with a model */
	};

	init_q35();
	CHECK_EQ(gmap_register(&g, 0xfec00000, 0xfec01000, GMAP_TRAPPED, "ioapic", &dev_a), 0);
	memcpy(&saved, &g, sizeof(g));
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_EQ(gmap_register(&g, bad[i].start, bad[i].end, bad[i].kind,
				       bad[i].named ? "b" : NULL, bad[i].dev ? &dev_b : NULL), bad[i].rc);
	CHECK(g.generation == saved.generation && g.reg_count == 1 && same_flat(&g, &saved));
	/* Right next to the existing one on both sides is fine. */
	CHECK_EQ(gmap_register(&g, 0xfebff000, 0xfec00000, GMAP_TRAPPED, "b", &dev_b), 0);
	CHECK_EQ(gmap_register(&g, 0xfec01000, 0xfec02000, GMAP_TRAPPED, "b", &dev_b), 0);
	CHECK(g.regs[0].start == 0xfebff000 && g.regs[2].start == 0xfec01000 && flat_ok(&g));
}

/* A VT-d unit's register page (issue 16): unmapped, e820 of what it covers. */
TEST(hidden_device_page_keeps_e820_and_is_unmapped)
{
	const struct gmap_range *r;

	init_q35();
	CHECK_EQ(gmap_register(&g, 0xfed90000, 0xfed91000, GMAP_HIDDEN, "iommu", NULL), 0);
	r = gmap_lookup(&g, 0xfed90abc);
	CHECK(r && r->kind == GMAP_HIDDEN && r->start == 0xfed90000 && r->end == 0xfed91000);
	CHECK(r->e820_type == gmap_lookup(&g, 0xfed8f000)->e820_type && !strcmp(r->owner, "iommu"));
	CHECK(!gmap_kind_mapped(r->kind) && gmap_lookup(&g, 0xfed91000)->kind == GMAP_MMIO);
	CHECK_EQ(gmap_unregister(&g, 0xfed90000), 0);
	CHECK(gmap_lookup(&g, 0xfed90000)->kind == GMAP_MMIO);
}

TEST(write_trapped_keeps_e820_and_is_mapped)
{
	const struct gmap_range *r;

	init_q35();
	memcpy(&saved, &g, sizeof(g));
	/* The local APIC page (a hole in q35's map: e820 0) trapped for writes. */
	CHECK_EQ(gmap_register(&g, 0xfee00000, 0xfee01000, GMAP_WRITE_TRAPPED, "lapic", &dev_a), 0);
	r = gmap_lookup(&g, 0xfee00300);
	CHECK(r->start == 0xfee00000 && r->end == 0xfee01000 && r->kind == GMAP_WRITE_TRAPPED);
	CHECK(r->dev == &dev_a && r->e820_type == 0 && gmap_kind_mapped(r->kind));
	CHECK(flat_ok(&g));
	CHECK_EQ(gmap_unregister(&g, 0xfee00000), 0);
	CHECK(same_flat(&g, &saved));
}

/* A server map: many RAM blocks, reserved pieces, holes, ACPI NVS and bad RAM above 4 GiB. */
static void init_server(void)
{
	static const struct raw low[] = {
		{ 0x0, 0x9c000, MEM_USABLE },              { 0x9c000, 0x4000, MEM_RESERVED },
		{ 0xe0000, 0x20000, MEM_RESERVED },        { 0x100000, 0x6f000000, MEM_USABLE },
		{ 0x6f100000, 0x800000, MEM_ACPI_NVS },    { 0x6f900000, 0x200000, MEM_ACPI_RECLAIM },
		{ 0x80000000, 0x10000000, MEM_RESERVED },  { 0xfd000000, 0x1000000, MEM_RESERVED },
		{ 0xfee00000, 0x1000, MEM_RESERVED },
	};
	static struct raw raw[200];
	unsigned int n;

	for (n = 0; n < ARRAY_SIZE(low); n++)
		raw[n] = low[n];
	for (unsigned int i = 0; i < 40; i++) {    /* 1 GiB blocks from 4 GiB, gaps and stragglers */
		hpa_t b = 4 * GiB + i * PAGE_SIZE_1G;

		raw[n++] = (struct raw){ b, 0x30000000, MEM_USABLE };
		raw[n++] = (struct raw){ b + 0x30000000 + 0x1000 * i, 0x2000, MEM_RESERVED };
		if (i % 7 == 3)
			raw[n++] = (struct raw){ b + 0x10000000, 0x100000, MEM_BAD };
		if (i % 9 == 5)
			raw[n++] = (struct raw){ b + 0x38000000, 0x100000, MEM_ACPI_NVS };
	}
	build_host(raw, n, NULL, 0);
	CHECK_EQ(gmap_init(&g, &host, top_of_host()), 0);
}

static uint64_t rnd(void)
{
	static uint64_t x = 0x9e3779b97f4a7c15ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

/* The range of r[0..n) containing a, by linear search. */
static const struct gmap_range *linear(const struct gmap_range *r, unsigned int n, gpa_t a)
{
	for (unsigned int i = 0; i < n; i++)
		if (r[i].start <= a && a < r[i].end)
			return &r[i];
	return NULL;
}

TEST(server_lookup_matches_linear_search)
{
	gpa_t bad = 7 * GiB + 0x10000000;

	init_server();
	CHECK(g.top == 44 * GiB && g.flat_count > 100);
	CHECK(flat_ok(&g));
	check_boundaries(&g);
	CHECK_EQ(gmap_lookup(&g, 0x6f100000)->e820_type, 4);
	CHECK(gmap_lookup(&g, bad)->kind == GMAP_UNUSABLE && gmap_lookup(&g, bad)->e820_type == 5);
	/* Bad RAM: a trapped model may sit there, a pass-through name may not. */
	CHECK_EQ(gmap_register(&g, bad, bad + 0x1000, GMAP_MMIO, "n", NULL), -EINVAL);
	CHECK_EQ(gmap_register(&g, bad, bad + 0x1000, GMAP_TRAPPED, "t", &dev_a), 0);
	CHECK(gmap_unregister(&g, bad) == 0 && flat_ok(&g));
	for (unsigned int i = 0; i < 200000; i++) {
		gpa_t a = rnd() % (g.top + 0x1000);

		if (i & 1)          /* around boundaries */
			a = g.flat[rnd() % g.flat_count].start + (rnd() % 3) - 1;
		CHECK(gmap_lookup(&g, a) == linear(g.flat, g.flat_count, a));
	}
}

/* The lookup at a agrees with the registration there, else with the base range. */
static void check_model(gpa_t a)
{
	const struct gmap_range *r = gmap_lookup(&g, a), *b = linear(g.base, g.base_count, a);
	const struct gmap_range *x = linear(g.regs, g.reg_count, a);

	if (x)
		CHECK(r->kind == x->kind && r->owner == x->owner && r->dev == x->dev &&
		      r->e820_type == (x->kind == GMAP_TRAPPED ? 2 : b->e820_type));
	else
		CHECK(same_kind(r, b));
}

/* The error gmap_register() must give, from a linear scan of the layers. */
static int expected_rc(gpa_t start, gpa_t end, enum gmap_kind kind)
{
	if (start >= end)
		return -EINVAL;
	for (unsigned int i = 0; i < g.reg_count; i++)
		if (g.regs[i].start < end && start < g.regs[i].end)
			return -EEXIST;
	for (unsigned int i = 0; i < g.base_count; i++)
		if (g.base[i].start < end && start < g.base[i].end &&
		    (g.base[i].kind == GMAP_RAM || g.base[i].kind == GMAP_HIDDEN ||
		     (kind == GMAP_MMIO && g.base[i].kind != GMAP_MMIO)))
			return -EINVAL;
	return g.reg_count == GMAP_MAX_REGS ? -ENOSPC : 0;
}

TEST(server_random_registrations)
{
	static const char *const names[] = { "a", "b" };
	void *devs[] = { &dev_a, &dev_b };
	unsigned int seen[4] = { 0 };      /* 0, -EEXIST, -EINVAL, -ENOSPC */

	init_server();
	memcpy(&saved, &g, sizeof(g));
	for (unsigned int step = 0; step < 20000; step++) {
		const struct gmap_range *r = &g.flat[rnd() % g.flat_count];
		enum gmap_kind kind = rnd() % 4 ? GMAP_TRAPPED : GMAP_MMIO;
		unsigned int w = rnd() % 2, gen = g.generation;
		gpa_t start, end;
		int exp, rc;

		if (g.reg_count && rnd() % 6 == 0) {
			CHECK_EQ(gmap_unregister(&g, g.regs[rnd() % g.reg_count].start), 0);
			CHECK_EQ(g.generation, gen + 1);
			continue;
		}
		if (g.reg_count && rnd() % 2)        /* near another registration */
			start = g.regs[rnd() % g.reg_count].start + (rnd() % 5 - 2) * PAGE_SIZE;
		else if (rnd() % 2)                  /* inside some flat range */
			start = ALIGN_DOWN(r->start + rnd() % (r->end - r->start), PAGE_SIZE);
		else
			start = ALIGN_DOWN(rnd() % g.top, PAGE_SIZE);
		end = start + PAGE_SIZE * (1 + rnd() % (rnd() % 4 ? 4 : 0x40000));
		end = MIN(end, g.top);              /* not inside MIN(): it evaluates twice */
		exp = expected_rc(start, end, kind);
		rc = gmap_register(&g, start, end, kind, names[w], kind == GMAP_TRAPPED ? devs[w] : NULL);
		CHECK_EQ(rc, exp);
		CHECK_EQ(g.generation, gen + (rc == 0));
		seen[rc == 0 ? 0 : rc == -EEXIST ? 1 : rc == -EINVAL ? 2 : 3]++;
		if (step % 64)
			continue;
		CHECK(flat_ok(&g));
		for (unsigned int i = 0; i + 1 < g.reg_count; i++)
			CHECK(g.regs[i].end <= g.regs[i + 1].start);
		for (unsigned int k = 0; k < 32; k++)
			check_model(rnd() % g.top);
		for (unsigned int k = 0; k < g.flat_count; k++)
			CHECK(gmap_lookup(&g, g.flat[k].start) == &g.flat[k]);
	}
	CHECK(seen[0] > 100 && seen[1] > 100 && seen[2] > 100 && seen[3] > 100);
	while (g.reg_count)
		CHECK_EQ(gmap_unregister(&g, g.regs[rnd() % g.reg_count].start), 0);
	CHECK(same_flat(&g, &saved));
}

TEST(enospc)
{
	gpa_t base = 0xc0000000;

	/* RAM islands of 1 MiB every 2 MiB with holes between, working memory at 4 GiB, a hole
	 * up to top (5 GiB): 2 * islands + 2 ranges, one too many, then exactly GMAP_MAX_BASE. */
	for (unsigned int islands = 192; islands >= 191; islands--) {
		memmap_init(&host, host_ranges, HOST_CAP);
		for (unsigned int i = 0; i < islands; i++)
			CHECK_EQ(memmap_add(&host, i * 0x200000ULL, 0x100000, MEM_USABLE), 0);
		CHECK_EQ(memmap_add(&host, 4 * GiB, HVMEM, MEM_HV_WORKING), 0);
		CHECK_EQ(memmap_normalize(&host), 0);
		CHECK_EQ(gmap_init(&g, &host, top_of_host()), islands == 192 ? -ENOSPC : 0);
		if (islands == 192)
			CHECK(g.top == 0 && gmap_lookup(&g, 0) == NULL);
	}
	CHECK(g.base_count == GMAP_MAX_BASE && g.top == 5 * GiB);
	/* Every registration splits a hole in three: flat fills exactly. */
	for (unsigned int i = 0; i < GMAP_MAX_REGS; i++)
		CHECK_EQ(gmap_register(&g, base + i * 0x2000, base + i * 0x2000 + 0x1000,
				       GMAP_TRAPPED, "t", &dev_a), 0);
	CHECK(g.flat_count == GMAP_MAX_RANGES && flat_ok(&g));
	CHECK_EQ(gmap_register(&g, base + 0x100000, base + 0x101000, GMAP_TRAPPED, "t", &dev_a),
		 -ENOSPC);
	CHECK_EQ(gmap_register(&g, base, base + 0x1000, GMAP_TRAPPED, "t", &dev_a), -EEXIST);
	CHECK_EQ(g.generation, 1 + GMAP_MAX_REGS);
	CHECK_EQ(gmap_unregister(&g, base + 0x2000), 0);
	CHECK_EQ(g.flat_count, GMAP_MAX_RANGES - 2);
	CHECK_EQ(gmap_register(&g, base + 0x100000, base + 0x101000, GMAP_TRAPPED, "t", &dev_a), 0);
	check_boundaries(&g);
}

TEST(init_refuses_bad_input)
{
	init_q35();
	CHECK_EQ(gmap_init(&g, &host, 4 * GiB), -EINVAL);     /* map ends at 6 GiB */
	CHECK_EQ(gmap_init(&g, &host, 0), -EINVAL);
	CHECK(gmap_lookup(&g, 0) == NULL && !gmap_is_ram(&g, 0, 1) && gmap_e820(&g, NULL, 0) == 0);
	memmap_init(&host, host_ranges, HOST_CAP);            /* not normalized: overlapping */
	CHECK_EQ(memmap_add(&host, 0x0, 0x200000, MEM_USABLE), 0);
	CHECK_EQ(memmap_add(&host, 0x100000, 0x200000, MEM_RESERVED), 0);
	CHECK_EQ(gmap_init(&g, &host, 4 * GiB), -EINVAL);
	memmap_init(&host, host_ranges, HOST_CAP);            /* empty: all hole */
	CHECK_EQ(gmap_init(&g, &host, 4 * GiB), 0);
	CHECK(g.flat_count == 1 && g.flat[0].kind == GMAP_MMIO && g.flat[0].e820_type == 0);
	CHECK_EQ(gmap_e820(&g, NULL, 0), 0);
	host.ranges[0] = (struct mem_range){ 0, 0x1000, MEM_TYPE_COUNT };   /* unknown: hidden */
	host.count = 1;
	CHECK(gmap_init(&g, &host, 4 * GiB) == 0 && g.flat[0].kind == GMAP_HIDDEN);
}

TEST(kind_names_and_mapping)
{
	static const char *const names[] = { "ram", "mmio", "trapped", "hidden", "unusable", "rom",
					     "write-trapped" };

	for (unsigned int k = GMAP_RAM; k <= GMAP_WRITE_TRAPPED; k++) {
		CHECK_STR(gmap_kind_name((enum gmap_kind)k), names[k]);
		CHECK_EQ(gmap_kind_mapped((enum gmap_kind)k),
			 k == GMAP_RAM || k == GMAP_MMIO || k == GMAP_ROM || k == GMAP_WRITE_TRAPPED);
	}
	CHECK_STR(gmap_kind_name((enum gmap_kind)42), "?");
}
