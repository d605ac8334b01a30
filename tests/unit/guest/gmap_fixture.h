/* tests/unit/guest/gmap_fixture.h - guest memory maps built the way the
 * hypervisor builds them (mm/setup.c, then gmap_init), from firmware maps
 * captured under Bochs and QEMU q35: shared by the guest-loader tests.
 * Include after tests/unit/check.h, once per test file. */
#ifndef TESTS_UNIT_GUEST_GMAP_FIXTURE_H
#define TESTS_UNIT_GUEST_GMAP_FIXTURE_H

#include "guest/gmap.h"
#include "mm/memmap.h"

struct raw { hpa_t start; uint64_t len; enum mem_type type; };
struct carve { hpa_t start, end; enum mem_type type; };

static struct mem_range host_ranges[1024];
static struct memmap host;
static struct gmap g;
static hpa_t hv_work;

/* The host map as mm/setup.c makes it (firmware, normalize, low memory, carve-outs,
 * working memory at the top), then the guest map over max(4 GiB, end). */
static void build_gmap(const struct raw *fw, unsigned int n, const struct carve *c, unsigned int nc,
		       uint64_t hvmem)
{
	gpa_t end;

	memmap_init(&host, host_ranges, ARRAY_SIZE(host_ranges));
	for (unsigned int i = 0; i < n; i++)
		CHECK_EQ(memmap_add(&host, fw[i].start, fw[i].len, fw[i].type), 0);
	CHECK_EQ(memmap_normalize(&host), 0);
	if (host.ranges[0].type == MEM_USABLE)
		CHECK_EQ(memmap_set(&host, 0, MIN(host.ranges[0].end, 1 * MiB), MEM_LOWMEM), 0);
	for (unsigned int i = 0; i < nc; i++)
		CHECK_EQ(memmap_set(&host, c[i].start, c[i].end, c[i].type), 0);
	hv_work = memmap_find_top(&host, hvmem, PAGE_SIZE_2M);
	CHECK(hv_work != INVALID_HPA);
	CHECK_EQ(memmap_set(&host, hv_work, hv_work + hvmem, MEM_HV_WORKING), 0);
	end = host.ranges[host.count - 1].end;
	CHECK_EQ(gmap_init(&g, &host, MAX(4 * GiB, ALIGN_UP(end, PAGE_SIZE_1G))), 0);
}

/* Bochs 2.7 with 512 MiB, as the hypervisor prints it at boot. */
static const struct raw bochs_raw[] = {
	{ 0x0, 0x9f000, MEM_USABLE },              { 0x9f000, 0x1000, MEM_RESERVED },
	{ 0xe8000, 0x18000, MEM_RESERVED },        { 0x100000, 0x1fef0000, MEM_USABLE },
	{ 0x1fff0000, 0x10000, MEM_ACPI_RECLAIM }, { 0xfffc0000, 0x40000, MEM_RESERVED },
};

/* QEMU q35 with 8 GiB: 2 GiB below the PCI hole, 6 GiB above 4 GiB. */
static const struct raw q35_raw[] = {
	{ 0x0, 0x9fc00, MEM_USABLE },             { 0x9fc00, 0x400, MEM_RESERVED },
	{ 0xf0000, 0x10000, MEM_RESERVED },       { 0x100000, 0x7fee0000, MEM_USABLE },
	{ 0x7ffe0000, 0x20000, MEM_RESERVED },    { 0xb0000000, 0x10000000, MEM_RESERVED },
	{ 0xfed1c000, 0x4000, MEM_RESERVED },     { 0xfeffc000, 0x4000, MEM_RESERVED },
	{ 0xfffc0000, 0x40000, MEM_RESERVED },    { 0x100000000, 0x180000000, MEM_USABLE },
};

#endif
