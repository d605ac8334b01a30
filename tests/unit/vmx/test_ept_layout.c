/* tests/unit/vmx/test_ept_layout.c - the EPT built from real firmware memory
 * maps and MTRR settings uses exactly the minimum number of table pages
 * (pt_min_tables, computed independently of the builder), maps nothing
 * hidden, and gives every page the MTRR type of its bytes. */
#include "vmx/ept_layout.h"
#include "vmx/ept_space.h"
#include "tests/unit/check.h"

#define MAX_RUNS   8192

#include "tests/unit/fake_tables.h"

static struct gmap g;
static struct pt_run runs[MAX_RUNS];

/* The map as mm/setup.c makes it: firmware entries, normalized, carve-outs. */
static void host_map(struct memmap *m, struct mem_range *st, unsigned int cap,
		     const uint64_t (*e)[3], unsigned int n, hpa_t image, hpa_t work, uint64_t work_size)
{
	memmap_init(m, st, cap);
	for (unsigned int i = 0; i < n; i++)
		CHECK_EQ(memmap_add(m, e[i][0], e[i][1], (enum mem_type)e[i][2]), 0);
	CHECK_EQ(memmap_normalize(m), 0);
	CHECK_EQ(memmap_set(m, image, image + 0x41000, MEM_HV_IMAGE), 0);
	CHECK_EQ(memmap_set(m, work, work + work_size, MEM_HV_WORKING), 0);
}

/* SeaBIOS/Bochs-BIOS style fixed MTRRs: WB RAM, UC VGA, WP option ROMs and BIOS. */
static void bios_mtrrs(struct mtrr_state *s, uint64_t uc_base, uint64_t uc_size)
{
	uint64_t fixed[11] = {
		0x0606060606060606ULL, 0x0606060606060606ULL, 0x0000000000000000ULL,
		0x0505050505050505ULL, 0x0505050505050505ULL, 0x0505050505050505ULL, 0x0505050505050505ULL,
		0x0505050505050505ULL, 0x0505050505050505ULL, 0x0505050505050505ULL, 0x0505050505050505ULL,
	};
	uint64_t var[16] = { uc_base | MT_UC, (~(uc_size - 1) & ((1ULL << 40) - 1)) | (1ULL << 11) };

	mtrr_state_from_msrs(s, 0x508, (1 << 11) | (1 << 10) | MT_WB, fixed, var, 40);
}

/* Builds the EPT for g, checks optimality and attributes; returns tables used. */
static unsigned int build_and_check(const char *name, const struct mtrr_state *m, bool allow_1g)
{
	struct pagetable pt;
	int n = ept_layout(&g, m, 0, g.top, runs, MAX_RUNS);
	unsigned int min;

	CHECK(n > 0);
	if (n <= 0)
		return 0;
	CHECK_EQ(pt_init(&pt, &pt_format_ept, &fake_mem, allow_1g), 0);
	for (int i = 0; i < n; i++)
		CHECK_EQ(pt_map(&pt, runs[i].va, runs[i].pa, runs[i].size, runs[i].perm), 0);
	min = pt_min_tables(runs, (unsigned int)n, allow_1g);
	printf("  %s (%s): %d runs, %u table pages, minimum %u\n", name, allow_1g ? "1G pages" : "no 1G",
	       n, pt.tables_used, min);
	CHECK_EQ(pt.tables_used, min);

	/* Every flat range: mapped kinds identity with the MTRR type, others absent. */
	for (unsigned int i = 0; i < g.flat_count; i++) {
		const struct gmap_range *r = &g.flat[i];
		gpa_t probe[2] = { r->start, r->end - 1 };

		for (unsigned int k = 0; k < 2; k++) {
			struct pt_lookup l;
			int rc = pt_lookup(&pt, probe[k] & ~0xfffULL, &l);

			if (!gmap_kind_mapped(r->kind)) {
				/* Unmapped ranges are page-aligned carve-outs or registrations. */
				CHECK_EQ(rc, -ENOENT);
				continue;
			}
			/* A page shared with an unmapped neighbour cannot happen: checked above. */
			CHECK_EQ(rc, 0);
			if (r->kind == GMAP_ROM) {
				/* Read/execute-only at its host bytes, with their type. */
				hpa_t h = r->host + ((probe[k] & ~0xfffULL) - r->start);

				CHECK_EQ(l.pa, h);
				CHECK_EQ((l.entry >> EPT_MT_SHIFT) & 7, mtrr_type(m, h));
				CHECK_EQ(l.entry & 7, EPT_R | EPT_X);
				continue;
			}
			CHECK_EQ(l.pa, probe[k] & ~0xfffULL);
			if (r->kind == GMAP_WRITE_TRAPPED) {
				/* Read-only, UC whatever the MTRRs say, not executable. */
				CHECK_EQ((l.entry >> EPT_MT_SHIFT) & 7, MT_UC);
				CHECK_EQ(l.entry & 7, EPT_R);
				continue;
			}
			CHECK_EQ((l.entry >> EPT_MT_SHIFT) & 7, mtrr_type(m, probe[k] & ~0xfffULL));
			CHECK_EQ(l.entry & 7, EPT_R | EPT_W | EPT_X);
		}
	}
	free_fake();
	return min;
}

/* Bochs, 512 MiB (the map the hypervisor prints at boot under Bochs). */
static const uint64_t bochs_map[][3] = {
	{ 0x0, 0x9f000, MEM_USABLE }, { 0x9f000, 0x1000, MEM_RESERVED },
	{ 0xe8000, 0x18000, MEM_RESERVED }, { 0x100000, 0x1fef0000, MEM_USABLE },
	{ 0x1fff0000, 0x10000, MEM_ACPI_RECLAIM }, { 0xfffc0000, 0x40000, MEM_RESERVED },
};

TEST(bochs_512m)
{
	static struct mem_range st[64];
	struct memmap m;
	struct mtrr_state mt;
	struct ept_space s;
	unsigned int base;

	host_map(&m, st, 64, bochs_map, ARRAY_SIZE(bochs_map), 0x200000, 0x1be00000, 64 << 20);
	CHECK_EQ(gmap_init(&g, &m, 4ULL << 30), 0);
	bios_mtrrs(&mt, 0xc0000000, 0x40000000);
	base = build_and_check("bochs 512 MiB", &mt, true);

	/* Bochs' MAXPHYADDR 40 with 1 GiB pages: 4 GiB-1 TiB costs one more PDPT. */
	ept_space_plan(&s, 0x100000000ULL, 40, 0, true);
	CHECK_EQ(gmap_init(&g, &m, s.top), 0);
	CHECK_EQ(build_and_check("bochs 512 MiB to MAXPHYADDR 40", &mt, true), base + s.above_tables);

	/* MAXPHYADDR 39 without 1 GiB pages: a PD per GiB above 4 GiB. */
	CHECK_EQ(gmap_init(&g, &m, 4ULL << 30), 0);
	base = build_and_check("bochs 512 MiB", &mt, false);
	ept_space_plan(&s, 0x100000000ULL, 39, 0, false);
	CHECK_EQ(gmap_init(&g, &m, s.top), 0);
	CHECK_EQ(build_and_check("bochs 512 MiB to MAXPHYADDR 39", &mt, false), base + s.above_tables);
}

/* QEMU q35 with 8 GiB: 2 GiB below the PCI hole, 6 GiB above 4 GiB, ECAM reserved. */
static const uint64_t q35_map[][3] = {
	{ 0x0, 0x9fc00, MEM_USABLE }, { 0x9fc00, 0x400, MEM_RESERVED },
	{ 0xf0000, 0x10000, MEM_RESERVED }, { 0x100000, 0x7fee0000, MEM_USABLE },
	{ 0x7ffe0000, 0x20000, MEM_RESERVED }, { 0xb0000000, 0x10000000, MEM_RESERVED },
	{ 0xfed1c000, 0x4000, MEM_RESERVED }, { 0xfeffc000, 0x4000, MEM_RESERVED },
	{ 0xfffc0000, 0x40000, MEM_RESERVED }, { 0x100000000ULL, 0x180000000ULL, MEM_USABLE },
	{ 0xfd00000000ULL, 0x300000000ULL, MEM_RESERVED },
};

TEST(qemu_q35_8g_pci_hole)
{
	static struct mem_range st[64];
	struct memmap m;
	struct mtrr_state mt;

	host_map(&m, st, 64, q35_map, ARRAY_SIZE(q35_map), 0x200000, 0x27be00000ULL, 64 << 20);
	CHECK_EQ(gmap_init(&g, &m, 0x10000000000ULL), 0);
	bios_mtrrs(&mt, 0x80000000, 0x80000000);       /* the PCI hole UC */
	build_and_check("q35 8 GiB", &mt, true);
	build_and_check("q35 8 GiB", &mt, false);
}

/* A two-socket server: many holes, ACPI and reserved islands, RAM above 4 GiB
 * in pieces, a WT and a UC variable range inside WB RAM. */
TEST(server_many_holes_and_mtrr_overlaps)
{
	static struct mem_range st[128];
	static uint64_t e[64][3];
	unsigned int n = 0;
	struct memmap m;
	struct mtrr_state mt;
	uint64_t fixed[11] = { 0 };
	uint64_t var[8];

	e[n][0] = 0; e[n][1] = 0x9a000; e[n++][2] = MEM_USABLE;
	e[n][0] = 0x9a000; e[n][1] = 0x6000; e[n++][2] = MEM_RESERVED;
	e[n][0] = 0xe0000; e[n][1] = 0x20000; e[n++][2] = MEM_RESERVED;
	e[n][0] = 0x100000; e[n][1] = 0x5ff00000; e[n++][2] = MEM_USABLE;
	for (unsigned int i = 0; i < 12; i++) {           /* firmware islands below 2 GiB */
		e[n][0] = 0x60000000 + i * 0x1800000ULL; e[n][1] = 0x1000000; e[n++][2] = MEM_USABLE;
		e[n][0] = 0x61000000 + i * 0x1800000ULL; e[n][1] = 0x3000 + i * 0x1000;
		e[n++][2] = i % 3 == 0 ? MEM_ACPI_NVS : i % 3 == 1 ? MEM_ACPI_RECLAIM : MEM_RESERVED;
	}
	e[n][0] = 0x80000000; e[n][1] = 0x10000000; e[n++][2] = MEM_RESERVED;   /* ECAM */
	e[n][0] = 0xfec00000; e[n][1] = 0x1000; e[n++][2] = MEM_RESERVED;      /* IOAPIC */
	e[n][0] = 0xfee00000; e[n][1] = 0x1000; e[n++][2] = MEM_RESERVED;      /* LAPIC */
	e[n][0] = 0xff000000; e[n][1] = 0x1000000; e[n++][2] = MEM_RESERVED;   /* flash */
	e[n][0] = 0x100000000ULL; e[n][1] = 0x380000000ULL; e[n++][2] = MEM_USABLE;
	e[n][0] = 0x480000000ULL; e[n][1] = 0x1000; e[n++][2] = MEM_BAD;
	e[n][0] = 0x480001000ULL; e[n][1] = 0x47ffff000ULL; e[n++][2] = MEM_USABLE;
	e[n][0] = 0x900000000ULL; e[n][1] = 0x800000000ULL; e[n++][2] = MEM_USABLE; /* second socket */
	host_map(&m, st, 128, e, n, 0x200000, 0x10fc000000ULL, 64 << 20);
	CHECK_EQ(gmap_init(&g, &m, 0x1100000000ULL), 0);

	/* default UC; WB RAM; UC hole 2-4 GiB inside a WB 0-4 GiB range; WT over 3 GiB of WB. */
	var[0] = 0x0 | MT_WB;            var[1] = (~(0x100000000ULL - 1) & 0xffffffffffULL) | (1 << 11);
	var[2] = 0x80000000 | MT_UC;     var[3] = (~(0x80000000ULL - 1) & 0xffffffffffULL) | (1 << 11);
	var[4] = 0x100000000ULL | MT_WB; var[5] = (~(0x1000000000ULL - 1) & 0xffffffffffULL) | (1 << 11);
	var[6] = 0x440000000ULL | MT_WT; var[7] = (~(0x40000000ULL - 1) & 0xffffffffffULL) | (1 << 11);
	for (unsigned int i = 0; i < 11; i++)
		fixed[i] = 0x0606060606060606ULL;
	mtrr_state_from_msrs(&mt, 0x504, (1 << 11) | (1 << 10) | MT_UC, fixed, var, 40);
	build_and_check("server with holes", &mt, true);
	build_and_check("server with holes", &mt, false);
}

TEST(trapped_range_inside_a_1g_page)
{
	static struct mem_range st[64];
	struct memmap m;
	struct mtrr_state mt;
	unsigned int before, after;
	int dev;

	host_map(&m, st, 64, bochs_map, ARRAY_SIZE(bochs_map), 0x200000, 0x1be00000, 64 << 20);
	CHECK_EQ(gmap_init(&g, &m, 4ULL << 30), 0);
	bios_mtrrs(&mt, 0xc0000000, 0x40000000);
	before = build_and_check("bochs", &mt, true);
	CHECK_EQ(gmap_register(&g, 0x92345000, 0x92346000, GMAP_TRAPPED, "dev", &dev), 0);
	after = build_and_check("bochs + trapped page", &mt, true);
	CHECK_EQ(after, before + 2);                    /* one PD and one PT for the 1 GiB page */
	CHECK_EQ(gmap_unregister(&g, 0x92345000), 0);
	CHECK_EQ(build_and_check("bochs again", &mt, true), before);
}

/* The guest's ACPI view: the copies in hidden working memory and the RSDP's
 * page of the firmware area (fixed MTRRs there) mapped read-only to a frame
 * of working memory: two PTs' worth of 4 KiB pages more, nothing else. */
TEST(rom_pages)
{
	static struct mem_range st[64];
	struct memmap m;
	struct mtrr_state mt;
	unsigned int before;
	hpa_t w = 0x1be00000 + (32 << 20);

	host_map(&m, st, 64, bochs_map, ARRAY_SIZE(bochs_map), 0x200000, 0x1be00000, 64 << 20);
	CHECK_EQ(gmap_init(&g, &m, 4ULL << 30), 0);
	bios_mtrrs(&mt, 0xc0000000, 0x40000000);
	before = build_and_check("bochs", &mt, true);
	CHECK_EQ(gmap_lookup(&g, w)->kind, GMAP_HIDDEN);
	CHECK_EQ(gmap_register_rom(&g, w, w + 0x4000, w, "acpi view"), 0);
	CHECK_EQ(gmap_register_rom(&g, 0xf5000, 0xf6000, w + 0x4000, "acpi view"), 0);
	CHECK(build_and_check("bochs + ACPI view", &mt, true) >= before);
	CHECK_EQ(gmap_unregister(&g, w), 0);
	CHECK_EQ(gmap_unregister(&g, 0xf5000), 0);
	CHECK_EQ(build_and_check("bochs again", &mt, true), before);
}

/* The local APIC page write-trapped (apstart=trap): read-only and UC in the
 * EPT, even where the MTRRs make it WB (no UC range over it here). */
TEST(write_trapped_apic_page)
{
	static struct mem_range st[64];
	struct memmap m;
	struct mtrr_state mt;
	struct pagetable pt;
	struct pt_lookup l;
	unsigned int before;
	int dev, n;

	host_map(&m, st, 64, bochs_map, ARRAY_SIZE(bochs_map), 0x200000, 0x1be00000, 64 << 20);
	CHECK_EQ(gmap_init(&g, &m, 4ULL << 30), 0);
	bios_mtrrs(&mt, 0xc0000000, 0x40000000);
	before = build_and_check("bochs", &mt, true);
	CHECK_EQ(gmap_register(&g, 0xfee00000, 0xfee01000, GMAP_WRITE_TRAPPED, "lapic", &dev), 0);
	CHECK_EQ(build_and_check("bochs + write-trapped APIC page", &mt, true), before + 2);
	/* With WB over the page (no UC variable range) the leaf is still UC. */
	bios_mtrrs(&mt, 0x80000000, 0x40000000);
	build_and_check("bochs, APIC page WB in the MTRRs", &mt, true);
	n = ept_layout(&g, &mt, 0, g.top, runs, MAX_RUNS);
	CHECK(n > 0);
	CHECK_EQ(pt_init(&pt, &pt_format_ept, &fake_mem, true), 0);
	for (int i = 0; i < n; i++)
		CHECK_EQ(pt_map(&pt, runs[i].va, runs[i].pa, runs[i].size, runs[i].perm), 0);
	CHECK_EQ(pt_lookup(&pt, 0xfee00000, &l), 0);
	CHECK_EQ(l.entry & 7, EPT_R);
	CHECK_EQ((l.entry >> EPT_MT_SHIFT) & 7, MT_UC);
	CHECK_EQ(pt_lookup(&pt, 0xfee01000, &l), 0);
	CHECK_EQ(l.entry & 7, EPT_R | EPT_W | EPT_X);
	free_fake();
	CHECK_EQ(gmap_unregister(&g, 0xfee00000), 0);
}

TEST(mtrrs_disabled_is_all_uc)
{
	static struct mem_range st[64];
	struct memmap m;
	struct mtrr_state mt;
	uint64_t fixed[11] = { 0 };

	host_map(&m, st, 64, bochs_map, ARRAY_SIZE(bochs_map), 0x200000, 0x1be00000, 64 << 20);
	CHECK_EQ(gmap_init(&g, &m, 4ULL << 30), 0);
	mtrr_state_from_msrs(&mt, 0x508, MT_WB, fixed, NULL, 40);   /* E clear */
	CHECK_EQ(mtrr_type(&mt, 0x100000), MT_UC);
	build_and_check("bochs, MTRRs off", &mt, true);
}

/* A two-socket server with 260 GiB: holes, ACPI, a bad page, the hypervisor
 * at the top of RAM. Firmware MTRRs: default UC, WB RAM, the PCI hole UC,
 * a WC variable range over the 64-bit window at 56 TiB (where big servers
 * put their GPU and NIC BARs). */
static const uint64_t big_server_map[][3] = {
	{ 0x0, 0x9a000, MEM_USABLE }, { 0x9a000, 0x6000, MEM_RESERVED },
	{ 0xe0000, 0x20000, MEM_RESERVED }, { 0x100000, 0x6ff00000, MEM_USABLE },
	{ 0x70000000, 0x400000, MEM_ACPI_RECLAIM }, { 0x70400000, 0x200000, MEM_ACPI_NVS },
	{ 0x80000000, 0x10000000, MEM_RESERVED }, { 0xfec00000, 0x1000, MEM_RESERVED },
	{ 0xfee00000, 0x1000, MEM_RESERVED }, { 0xff000000, 0x1000000, MEM_RESERVED },
	{ 0x100000000ULL, 0x1f80000000ULL, MEM_USABLE },          /* socket 0: to 130 GiB */
	{ 0x2100000000ULL, 0x1000, MEM_BAD },                     /* socket 1 from 132 GiB */
	{ 0x2100001000ULL, 0x1fffff000ULL, MEM_USABLE },
	{ 0x2300000000ULL, 0x1e00000000ULL, MEM_USABLE },         /* ... to 260 GiB */
};
#define BIG_RAM_END 0x4100000000ULL
#define WINDOW_64   0x380000000000ULL                             /* 56 TiB */

static void big_server_mtrrs(struct mtrr_state *mt, unsigned int bits)
{
	uint64_t fixed[11], var[8], m = (1ULL << bits) - 1, v = 1 << 11;

	for (unsigned int i = 0; i < 11; i++)
		fixed[i] = 0x0606060606060606ULL;
	var[0] = 0x0 | MT_WB;            var[1] = (~(0x4000000000ULL - 1) & m) | v;    /* 0-256 GiB */
	var[2] = 0x4000000000ULL | MT_WB; var[3] = (~(0x100000000ULL - 1) & m) | v;   /* 256-260 GiB */
	var[4] = 0x80000000 | MT_UC;     var[5] = (~(0x80000000ULL - 1) & m) | v;     /* the PCI hole */
	var[6] = WINDOW_64 | MT_WC;      var[7] = (~((1ULL << 42) - 1) & m) | v;      /* 4 TiB */
	mtrr_state_from_msrs(mt, 0x504, (1 << 11) | (1 << 10) | MT_UC, fixed, var, bits);
}

/* Table pages for the big server's map up to top, checked against the minimum. */
static unsigned int big_server(gpa_t top, unsigned int bits, bool allow_1g, const char *name)
{
	static struct mem_range st[64];
	struct memmap m;
	struct mtrr_state mt;

	host_map(&m, st, 64, big_server_map, ARRAY_SIZE(big_server_map), 0x200000,
		 BIG_RAM_END - (64 << 20), 64 << 20);
	CHECK_EQ(gmap_init(&g, &m, top), 0);
	big_server_mtrrs(&mt, bits);
	return build_and_check(name, &mt, allow_1g);
}

/* The leaf that maps gpa in a tree built from the layout of g: its size and memory type. */
static void check_leaf(const struct mtrr_state *mt, gpa_t gpa, unsigned int level, unsigned int type)
{
	struct pagetable pt;
	struct pt_lookup l;
	int n = ept_layout(&g, mt, 0, g.top, runs, MAX_RUNS);

	CHECK(n > 0);
	CHECK_EQ(pt_init(&pt, &pt_format_ept, &fake_mem, true), 0);
	for (int i = 0; i < n; i++)
		CHECK_EQ(pt_map(&pt, runs[i].va, runs[i].pa, runs[i].size, runs[i].perm), 0);
	CHECK_EQ(pt_lookup(&pt, gpa, &l), 0);
	CHECK_EQ(l.level, level);
	CHECK_EQ(l.pa, gpa);                    /* identity */
	CHECK_EQ((l.entry >> EPT_MT_SHIFT) & 7, type);
	free_fake();
}

/* With 1 GiB EPT pages the space reaches MAXPHYADDR at one PDPT page per
 * 512 GiB beyond the first: 127 more (508 KiB) for 46 bits, 511 more (2044
 * KiB) for 52 bits clamped to the 4-level EPT's 48. Without them it ends
 * at the end of the map: 2 MiB pages to 2^46 would need 65 276 more PD
 * pages (255 MiB). Each tree is the minimum for its runs. */
TEST(server_256g_to_maxphyaddr)
{
	struct ept_space s46, s52, s46_no1g;
	struct mtrr_state mt;
	unsigned int base, t46, t52, n46, no1g;
	uint64_t hole_min;

	ept_space_plan(&s46, BIG_RAM_END, 46, 0, true);
	ept_space_plan(&s52, BIG_RAM_END, 52, 0, true);
	ept_space_plan(&s46_no1g, BIG_RAM_END, 46, 0, false);
	CHECK_EQ(s46.top, 1ULL << 46);
	CHECK_EQ(s46.ram_top, BIG_RAM_END);
	CHECK_EQ(s52.top, 1ULL << 48);
	CHECK(s52.clamped && !s46.clamped);
	CHECK_EQ(s46_no1g.top, BIG_RAM_END);

	base = big_server(BIG_RAM_END, 46, true, "server 260 GiB, to the end of RAM");
	t46 = big_server(s46.top, 46, true, "server 260 GiB, MAXPHYADDR 46");
	CHECK_EQ(t46, base + s46.above_tables);
	CHECK_EQ(s46.above_tables, 127);
	CHECK_EQ((uint64_t)(t46 - base) * 4096, 508 * KiB);
	/* The 64-bit window: 1 GiB leaves, WC from the MTRRs; above it the default UC. */
	big_server_mtrrs(&mt, 46);
	check_leaf(&mt, WINDOW_64 + 0x12345000, 3, MT_WC);
	check_leaf(&mt, WINDOW_64 + (1ULL << 42), 3, MT_UC);
	check_leaf(&mt, BIG_RAM_END, 3, MT_UC);
	check_leaf(&mt, (1ULL << 46) - 4096, 3, MT_UC);

	t52 = big_server(s52.top, 52, true, "server 260 GiB, MAXPHYADDR 52 (EPT: 48)");
	CHECK_EQ(t52, base + s52.above_tables);
	CHECK_EQ(s52.above_tables, 511);
	CHECK_EQ((uint64_t)t52 * 4096 <= 2 * MiB + (uint64_t)base * 4096, true);

	no1g = big_server(s46_no1g.top, 46, false, "server 260 GiB, no 1 GiB pages");
	n46 = pt_min_tables(&(struct pt_run){ .va = BIG_RAM_END, .pa = BIG_RAM_END,
					      .size = (1ULL << 46) - BIG_RAM_END, .perm = PT_WRITE },
			    1, false);
	hole_min = (uint64_t)n46 - 1;           /* without the root */
	printf("  2 MiB pages from 260 GiB to 2^46 alone: %u table pages (%llu MiB)\n", n46,
	       (unsigned long long)(hole_min * 4096 / MiB));
	CHECK_EQ(hole_min, 65276 + 128);        /* PDs for 65 276 GiB, PDPTs 0-127 */
	CHECK(no1g > base);                     /* 4 KiB/2 MiB below RAM's end cost more without 1G */
}

/* vmx/ept.c lays the EPT out a 1 GiB window at a time (up to 2^48 windows):
 * each window's runs are the full layout's runs clipped to it. */
TEST(layout_of_a_window_is_the_full_layout_clipped)
{
	static struct pt_run full[MAX_RUNS], win[64];
	static const gpa_t windows[] = { 0, 0x80000000, 0x2000000000ULL, 0x2100000000ULL,
					 BIG_RAM_END - PAGE_SIZE_1G, BIG_RAM_END, WINDOW_64,
					 (1ULL << 46) - PAGE_SIZE_1G, 1ULL << 46 };
	static struct mem_range st[64];
	struct memmap m;
	struct mtrr_state mt;
	int nf;

	host_map(&m, st, 64, big_server_map, ARRAY_SIZE(big_server_map), 0x200000,
		 BIG_RAM_END - (64 << 20), 64 << 20);
	CHECK_EQ(gmap_init(&g, &m, 1ULL << 46), 0);
	big_server_mtrrs(&mt, 46);
	nf = ept_layout(&g, &mt, 0, g.top, full, MAX_RUNS);
	CHECK(nf > 0);
	for (unsigned int w = 0; w < ARRAY_SIZE(windows); w++) {
		gpa_t a = windows[w], b = a + PAGE_SIZE_1G;
		int n = ept_layout(&g, &mt, a, b, win, 64), k = 0;

		CHECK(n >= 0);
		for (int i = 0; i < nf; i++) {
			gpa_t s = MAX(full[i].va, a), e = MIN(full[i].va + full[i].size, b);

			if (s >= e)
				continue;
			CHECK(k < n);
			if (k >= n)
				break;
			CHECK_EQ(win[k].va, s);
			CHECK_EQ(win[k].size, e - s);
			CHECK_EQ(win[k].perm, full[i].perm);
			k++;
		}
		CHECK_EQ(k, n);
	}
}
