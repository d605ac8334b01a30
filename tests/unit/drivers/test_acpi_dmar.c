/* tests/unit/drivers/test_acpi_dmar.c - the DMAR parser on QEMU q35's table,
 * on a hand-built two-socket server table (several units, RMRRs, ATSR, RHSA,
 * ANDD, multi-hop device scopes), and on malformed variants: every length
 * wrong in each direction, scopes overrunning their structure, zero lengths,
 * bad checksums; each refused with a message naming the offset. QEMU's
 * tables are the bytes QEMU 7.2 put in memory (tests/data/dmar_qemu_q35.h). */
#include <stdarg.h>
#include "drivers/acpi/acpi_dmar.h"
#include "tests/unit/check.h"
#include "tests/data/dmar_qemu_q35.h"

#include "tests/unit/guest/acpi_fixture.h"

static struct dmar_info info;
static char err[200];

/* A table being built: bytes, and where the structure being written began. */
static uint8_t tb[16384];
static uint32_t tn, sstart;

static void put8(uint8_t v) { tb[tn++] = v; }
static void put16(uint16_t v) { put8((uint8_t)v); put8((uint8_t)(v >> 8)); }
static void put32(uint32_t v) { put16((uint16_t)v); put16((uint16_t)(v >> 16)); }
static void put64(uint64_t v) { put32((uint32_t)v); put32((uint32_t)(v >> 32)); }

/* Header with host address width haw bits and flags. */
static void begin(unsigned int haw, uint8_t flags)
{
	memset(tb, 0, sizeof(tb));
	memcpy(tb, "DMAR", 4);
	tb[8] = 1;
	memcpy(tb + 10, "SERVER", 6);
	memcpy(tb + 16, "PURLEY  ", 8);
	tn = 36;
	put8((uint8_t)(haw - 1));
	put8(flags);
	tn = 48;
}

static void open_struct(uint16_t type) { sstart = tn; put16(type); put16(0); }
static void close_struct(void) { tb[sstart + 2] = (uint8_t)(tn - sstart); tb[sstart + 3] = (uint8_t)((tn - sstart) >> 8); }

static void drhd(uint8_t flags, uint16_t seg, uint64_t base)
{
	open_struct(DMAR_TYPE_DRHD);
	put8(flags); put8(0); put16(seg); put64(base);
}

static void rmrr(uint16_t seg, uint64_t base, uint64_t limit)
{
	open_struct(DMAR_TYPE_RMRR);
	put16(0); put16(seg); put64(base); put64(limit);
}

static void atsr(uint8_t flags, uint16_t seg)
{
	open_struct(DMAR_TYPE_ATSR);
	put8(flags); put8(0); put16(seg);
}

/* A scope entry with n hops given as dev, fn, dev, fn ... */
static void scope(uint8_t type, uint8_t enum_id, uint8_t bus, unsigned int n, ...)
{
	va_list ap;

	put8(type); put8((uint8_t)(6 + 2 * n)); put16(0); put8(enum_id); put8(bus);
	va_start(ap, n);
	for (unsigned int i = 0; i < 2 * n; i++)
		put8((uint8_t)va_arg(ap, int));
	va_end(ap);
}

static void rhsa(uint64_t base, uint32_t domain)
{
	open_struct(DMAR_TYPE_RHSA);
	put32(0); put64(base); put32(domain);
	close_struct();
}

static void andd(uint8_t num, const char *name)
{
	open_struct(DMAR_TYPE_ANDD);
	put16(0); put8(0); put8(num);
	memcpy(tb + tn, name, strlen(name) + 1);
	tn += (uint32_t)strlen(name) + 1;
	close_struct();
}

/* Sets the header's length and checksum. */
static void finish(void)
{
	tb[4] = (uint8_t)tn; tb[5] = (uint8_t)(tn >> 8); tb[6] = 0; tb[7] = 0;
	fix_checksum(tb, tn, 9);
}

static int parse(void) { return dmar_parse(tb, tn, &info, err, sizeof(err)); }

/* Recomputes the checksum after an edit and parses; the result and err. */
static int reparse(void) { fix_checksum(tb, tn, 9); return parse(); }

/* A two-socket server as Xeon SP firmware describes it (addresses and bus
 * numbers in the style of its tables): per socket one unit per PCIe stack
 * naming its root ports (bridges) and the stack's I/O APIC; the PCH unit last,
 * INCLUDE_PCI_ALL, naming the PCH I/O APIC and HPET (which it also covers by
 * catch-all, as 8.3.1 asks); RMRRs for USB legacy emulation (two endpoints)
 * and for the BMC's VGA behind a PCH root port (a two-hop path); ATSR for
 * the CPU root ports; RHSA per unit; an ANDD for an ACPI-enumerated UART. */
static void build_server(void)
{
	begin(46, DMAR_INTR_REMAP | DMAR_X2APIC_OPT_OUT);
	drhd(0, 0, 0xc5ffc000);                                   /* socket 0, stack bus 0x17 */
	scope(DMAR_SCOPE_PCI_BRIDGE, 0, 0x17, 1, 0, 0);
	scope(DMAR_SCOPE_PCI_BRIDGE, 0, 0x17, 1, 1, 0);
	scope(DMAR_SCOPE_IOAPIC, 9, 0x17, 1, 5, 4);
	close_struct();
	drhd(0, 0, 0xe0ffc000);                                   /* socket 1, stack bus 0x85 */
	scope(DMAR_SCOPE_PCI_BRIDGE, 0, 0x85, 1, 2, 0);
	scope(DMAR_SCOPE_IOAPIC, 10, 0x85, 1, 5, 4);
	close_struct();
	drhd(DMAR_DRHD_INCLUDE_PCI_ALL, 0, 0x9d7fc000);           /* PCH: the rest of segment 0 */
	tb[sstart + 5] = 2;                                       /* Size: 2^2 pages of registers */
	scope(DMAR_SCOPE_IOAPIC, 8, 0x00, 1, 0x1e, 7);
	scope(DMAR_SCOPE_HPET, 0, 0x00, 1, 0x1f, 0);
	scope(DMAR_SCOPE_ACPI_DEVICE, 1, 0x00, 1, 0x1e, 0);
	close_struct();
	rmrr(0, 0x6f2d0000, 0x6f2dffff);                          /* USB: xHCI and EHCI */
	scope(DMAR_SCOPE_PCI_ENDPOINT, 0, 0x00, 1, 0x14, 0);
	scope(DMAR_SCOPE_PCI_ENDPOINT, 0, 0x00, 1, 0x1a, 0);
	close_struct();
	rmrr(0, 0x7b800000, 0x7fffffff);                          /* BMC VGA: 00:1c.4 -> bridge -> 00.0 */
	scope(DMAR_SCOPE_PCI_ENDPOINT, 0, 0x00, 2, 0x1c, 4, 0, 0);
	close_struct();
	atsr(0, 0);
	scope(DMAR_SCOPE_PCI_BRIDGE, 0, 0x17, 1, 0, 0);
	scope(DMAR_SCOPE_PCI_BRIDGE, 0, 0x85, 1, 2, 0);
	close_struct();
	rhsa(0xc5ffc000, 0);
	rhsa(0xe0ffc000, 1);
	rhsa(0x9d7fc000, 0);
	andd(1, "\\_SB.PC00.UA00");
	finish();
}

TEST(qemu_q35)
{
	CHECK_EQ(dmar_parse(dmar_qemu_q35, sizeof(dmar_qemu_q35), &info, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(info.haw, 48);
	CHECK_EQ(info.flags, DMAR_INTR_REMAP);
	CHECK_EQ(info.revision, 1);
	CHECK_EQ(info.unit_count, 1);
	CHECK_EQ(info.unit[0].reg_base, 0xfed90000);
	CHECK_EQ(info.unit[0].reg_pages, 1);
	CHECK_EQ(info.unit[0].segment, 0);
	CHECK(!info.unit[0].include_pci_all);
	CHECK(!info.unit[0].has_proximity);
	CHECK_EQ(info.unit[0].offset, 48);
	CHECK_EQ(info.unit[0].scopes.first, 0);
	CHECK_EQ(info.unit[0].scopes.count, 6);
	CHECK_EQ(info.scope_count, 6);
	CHECK_EQ(info.scope[0].type, DMAR_SCOPE_IOAPIC);
	CHECK_EQ(info.scope[0].enum_id, 0);
	CHECK_EQ(info.scope[0].start_bus, 0xff);
	CHECK_EQ(info.scope[0].path_len, 1);
	CHECK_EQ(info.scope[0].path[0].dev, 0);
	CHECK_EQ(info.scope[0].path[0].fn, 0);
	for (unsigned int i = 1; i < 6; i++) {
		static const uint8_t devfn[6][2] = { { 0 }, { 0, 0 }, { 1, 0 }, { 0x1f, 0 }, { 0x1f, 2 }, { 0x1f, 3 } };

		CHECK_EQ(info.scope[i].type, DMAR_SCOPE_PCI_ENDPOINT);
		CHECK_EQ(info.scope[i].start_bus, 0);
		CHECK_EQ(info.scope[i].path_len, 1);
		CHECK_EQ(info.scope[i].path[0].dev, devfn[i][0]);
		CHECK_EQ(info.scope[i].path[0].fn, devfn[i][1]);
	}
	CHECK_EQ(info.rmrr_count + info.atsr_count + info.rhsa_count + info.andd_count + info.satc_count, 0);
	CHECK_EQ(info.unknown_types + info.scopes_skipped + info.rmrr_bad, 0);
}

TEST(qemu_q35_device_iotlb)
{
	CHECK_EQ(dmar_parse(dmar_qemu_q35_ats, sizeof(dmar_qemu_q35_ats), &info, err, sizeof(err)), 0);
	CHECK_EQ(info.unit_count, 1);
	CHECK_EQ(info.atsr_count, 1);
	CHECK(info.atsr[0].all_ports);
	CHECK_EQ(info.atsr[0].segment, 0);
	CHECK_EQ(info.atsr[0].scopes.count, 0);
	CHECK_EQ(info.scope_count, 6);
}

TEST(server_two_sockets)
{
	const struct dmar_scope *s;

	build_server();
	CHECK_EQ(parse(), 0);
	CHECK_STR(err, "");
	CHECK_EQ(info.haw, 46);
	CHECK_EQ(info.flags, DMAR_INTR_REMAP | DMAR_X2APIC_OPT_OUT);
	CHECK_EQ(info.unit_count, 3);
	CHECK_EQ(info.unit[0].reg_base, 0xc5ffc000);
	CHECK(!info.unit[0].include_pci_all);
	CHECK_EQ(info.unit[0].scopes.first, 0);
	CHECK_EQ(info.unit[0].scopes.count, 3);
	CHECK_EQ(info.unit[1].reg_base, 0xe0ffc000);
	CHECK_EQ(info.unit[1].scopes.first, 3);
	CHECK_EQ(info.unit[1].scopes.count, 2);
	CHECK_EQ(info.unit[2].reg_base, 0x9d7fc000);
	CHECK_EQ(info.unit[2].reg_pages, 4);
	CHECK(info.unit[2].include_pci_all);
	CHECK_EQ(info.unit[2].scopes.first, 5);
	CHECK_EQ(info.unit[2].scopes.count, 3);
	CHECK(info.unit[0].has_proximity && info.unit[1].has_proximity && info.unit[2].has_proximity);
	CHECK_EQ(info.unit[0].proximity, 0);
	CHECK_EQ(info.unit[1].proximity, 1);
	s = &info.scope[info.unit[0].scopes.first + 2];
	CHECK(s->type == DMAR_SCOPE_IOAPIC && s->enum_id == 9 && s->start_bus == 0x17 && s->path_len == 1);
	CHECK(s->path[0].dev == 5 && s->path[0].fn == 4);
	s = &info.scope[info.unit[2].scopes.first + 1];
	CHECK(s->type == DMAR_SCOPE_HPET && s->path[0].dev == 0x1f);
	CHECK_STR(dmar_scope_type_name(info.scope[info.unit[2].scopes.first + 2].type), "acpi");

	CHECK_EQ(info.rmrr_count, 2);
	CHECK_EQ(info.rmrr[0].base, 0x6f2d0000);
	CHECK_EQ(info.rmrr[0].limit, 0x6f2dffff);
	CHECK_EQ(info.rmrr[0].scopes.count, 2);
	CHECK_EQ(info.scope[info.rmrr[0].scopes.first + 1].path[0].dev, 0x1a);
	CHECK_EQ(info.rmrr[1].base, 0x7b800000);
	CHECK_EQ(info.rmrr[1].limit, 0x7fffffff);
	CHECK_EQ(info.rmrr[1].scopes.count, 1);
	s = &info.scope[info.rmrr[1].scopes.first];
	CHECK(s->type == DMAR_SCOPE_PCI_ENDPOINT && s->path_len == 2);
	CHECK(s->path[0].dev == 0x1c && s->path[0].fn == 4 && s->path[1].dev == 0 && s->path[1].fn == 0);

	CHECK_EQ(info.atsr_count, 1);
	CHECK(!info.atsr[0].all_ports);
	CHECK_EQ(info.atsr[0].scopes.count, 2);
	CHECK_EQ(info.scope[info.atsr[0].scopes.first + 1].start_bus, 0x85);
	CHECK_EQ(info.scope_count, 13);
	CHECK_EQ(info.rhsa_count, 3);
	CHECK_EQ(info.andd_count, 1);
	CHECK_EQ(info.unknown_types + info.scopes_skipped + info.rmrr_bad, 0);
}

/* The DRHD of QEMU's table starts at 48 (64 bytes), its six scopes at 64, 72 .. 104. */
static void load_qemu(void)
{
	memcpy(tb, dmar_qemu_q35, sizeof(dmar_qemu_q35));
	tn = sizeof(dmar_qemu_q35);
}

#define CHECK_REFUSED(rc, text)                                           \
	do {                                                              \
		CHECK_EQ(reparse(), (unsigned long long)(rc));            \
		CHECK(strstr(err, (text)) != NULL);                      \
		if (!strstr(err, (text)))                                 \
			printf("  err: %s\n", err);                       \
	} while (0)

TEST(truncated)
{
	load_qemu();
	for (uint32_t n = 0; n < sizeof(dmar_qemu_q35); n++) {
		err[0] = 0;
		CHECK_EQ(dmar_parse(dmar_qemu_q35, n, &info, err, sizeof(err)), -EINVAL);
		CHECK(err[0]);
	}
	CHECK_EQ(dmar_parse(dmar_qemu_q35, 47, &info, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "DMAR: shorter than its 48-byte header");
	CHECK_EQ(dmar_parse(dmar_qemu_q35, 111, &info, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "DMAR: header length 112 (at offset 4) outside [48, 111]");
}

TEST(header_length_and_checksum)
{
	load_qemu();
	tb[9] ^= 1;
	CHECK_EQ(parse(), -EINVAL);
	CHECK(strstr(err, "checksum (byte at offset 9) wrong") != NULL);
	load_qemu();
	tb[4] = 40;
	CHECK_REFUSED(-EINVAL, "header length 40 (at offset 4) outside [48, 112]");
	load_qemu();
	memcpy(tb, "DMAX", 4);
	CHECK_REFUSED(-EINVAL, "signature is not DMAR");
	load_qemu();
	tb[36] = 10;                                             /* 11 bits */
	CHECK_REFUSED(-EINVAL, "host address width 11 bits (offset 36)");
	/* A header length below the buffer: the bytes past it are not read. */
	load_qemu();
	tb[4] = 64;
	tb[50] = 16;                                             /* the DRHD without its scope */
	fix_checksum(tb, 64, 9);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.scope_count, 0);
}

TEST(structure_lengths)
{
	load_qemu();
	tb[50] = 0;
	CHECK_REFUSED(-EINVAL, "DMAR DRHD (type 0) at offset 48: length 0 outside [16, 64]");
	load_qemu();
	tb[50] = 15;
	CHECK_REFUSED(-EINVAL, "at offset 48: length 15 outside [16, 64]");
	load_qemu();
	tb[50] = 65;
	CHECK_REFUSED(-EINVAL, "at offset 48: length 65 outside [16, 64]");
	load_qemu();
	tb[51] = 1;                                              /* 0x140 */
	CHECK_REFUSED(-EINVAL, "at offset 48: length 320 outside");
	/* Stray bytes after the last structure. */
	load_qemu();
	tb[4] = 115; tn = 115; tb[112] = tb[113] = tb[114] = 0;
	CHECK_REFUSED(-EINVAL, "3 stray bytes at offset 112");
	/* An unknown type of length 0 or 3 must not loop or be read past. */
	load_qemu();
	tb[4] = 116; tn = 116; tb[112] = 9; tb[113] = 0; tb[114] = 0; tb[115] = 0;
	CHECK_REFUSED(-EINVAL, "DMAR structure (type 9) at offset 112: length 0 outside [4, 4]");
	tb[114] = 4;
	CHECK_EQ(reparse(), 0);
	CHECK_EQ(info.unknown_types, 1);
	/* Each known type's minimum. */
	static const struct { uint16_t type; uint8_t min; } mins[] = {
		{ DMAR_TYPE_RMRR, 24 }, { DMAR_TYPE_ATSR, 8 }, { DMAR_TYPE_RHSA, 20 }, { DMAR_TYPE_ANDD, 8 },
		{ DMAR_TYPE_SATC, 8 },
	};
	for (unsigned int i = 0; i < ARRAY_SIZE(mins); i++) {
		load_qemu();
		memset(tb + 112, 0, 32);
		tb[112] = (uint8_t)mins[i].type;
		tb[114] = (uint8_t)(mins[i].min - 1);
		tn = 112 + mins[i].min - 1;
		tb[4] = (uint8_t)tn;
		CHECK_EQ(reparse(), -EINVAL);
		CHECK(strstr(err, "at offset 112: length") != NULL);
		tb[114] = mins[i].min;
		tn = 112 + mins[i].min;
		tb[4] = (uint8_t)tn;
		if (mins[i].type == DMAR_TYPE_RMRR) {
			tb[112 + 8 + 1] = 0x10;                  /* [0x1000, 0x1fff] */
			tb[112 + 16] = 0xff; tb[112 + 17] = 0x1f;
		}
		CHECK_EQ(reparse(), 0);
	}
}

TEST(scope_lengths)
{
	load_qemu();
	tb[65] = 0;
	CHECK_REFUSED(-EINVAL, "DMAR device scope at offset 64: length 0 (48 bytes left");
	load_qemu();
	tb[65] = 6;                                              /* no hop */
	CHECK_REFUSED(-EINVAL, "device scope at offset 64: length 6");
	load_qemu();
	tb[65] = 7;                                              /* half a hop */
	CHECK_REFUSED(-EINVAL, "device scope at offset 64: length 7");
	load_qemu();
	tb[105] = 10;                                            /* the last overruns the DRHD (and the table) */
	CHECK_REFUSED(-EINVAL, "device scope at offset 104: length 10 (8 bytes left");
	/* Overruns its DRHD but not the table: bounded by the structure. */
	memcpy(tb, dmar_qemu_q35_ats, sizeof(dmar_qemu_q35_ats));
	tn = sizeof(dmar_qemu_q35_ats);
	tb[105] = 10;
	CHECK_REFUSED(-EINVAL, "device scope at offset 104: length 10 (8 bytes left in its structure");
	/* A DRHD one byte longer than its scopes: one stray byte. */
	load_qemu();
	tb[4] = 113; tn = 113; tb[50] = 65; tb[112] = 3;
	CHECK_REFUSED(-EINVAL, "device scope at offset 112: length 0 (1 bytes left");
	load_qemu();
	tb[70] = 32;
	CHECK_REFUSED(-EINVAL, "hop at offset 70 is device 32 function 0");
	load_qemu();
	tb[71] = 8;
	CHECK_REFUSED(-EINVAL, "device 0 function 8");
	/* Unknown scope types are skipped whole. */
	load_qemu();
	tb[64] = 0x77;
	CHECK_EQ(reparse(), 0);
	CHECK_EQ(info.scopes_skipped, 1);
	CHECK_EQ(info.unit[0].scopes.count, 5);
	CHECK_EQ(info.scope[0].type, DMAR_SCOPE_PCI_ENDPOINT);
}

TEST(drhd_rules)
{
	build_server();
	tb[48 + 8] = 0x10;                                       /* 0xc5ffc010 */
	CHECK_REFUSED(-EINVAL, "DMAR DRHD at offset 48: register base 0xc5ffc010 is not a page");
	build_server();
	memset(tb + 56, 0, 8);
	CHECK_REFUSED(-EINVAL, "register base 0x0 is not a page");
	/* The second unit with the first one's base. */
	build_server();
	tb[88 + 8 + 3] = 0xc5;
	CHECK_REFUSED(-EINVAL, "DMAR DRHD at offset 88: register base 0xc5ffc000 already at offset 48");
	build_server();
	tb[88 + 4] = DMAR_DRHD_INCLUDE_PCI_ALL;
	tb[120 + 4] = DMAR_DRHD_INCLUDE_PCI_ALL;
	CHECK_REFUSED(-EINVAL, "DMAR DRHD at offset 120: a second INCLUDE_PCI_ALL unit for segment 0 "
		      "(the first at offset 88)");
	tb[120 + 6] = 1;                                         /* segment 1: fine */
	CHECK_EQ(reparse(), 0);
	CHECK_EQ(info.unit[2].segment, 1);
}

TEST(no_unit)
{
	begin(39, 0);
	rmrr(0, 0x1000, 0x1fff);
	scope(DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, 2, 0);
	close_struct();
	finish();
	CHECK_EQ(parse(), -EINVAL);
	CHECK_STR(err, "DMAR: no remapping unit (DRHD)");
	begin(39, 0);
	finish();
	CHECK_EQ(parse(), -EINVAL);
}

TEST(bad_rmrr_skipped)
{
	static const uint64_t bad[][2] = {
		{ 0x2000, 0x1fff },                               /* ends before it starts */
		{ 0x1800, 0x1fff },                               /* base not page-aligned */
		{ 0x1000, 0x1ffe },                               /* end not page-aligned */
		{ 0x1000, ~0ULL },                                /* end + 1 wraps */
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		begin(39, 0);
		drhd(DMAR_DRHD_INCLUDE_PCI_ALL, 0, 0xfed90000);
		close_struct();
		rmrr(0, bad[i][0], bad[i][1]);
		scope(DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, 2, 0);
		close_struct();
		rmrr(0, 0x3000, 0x3fff);
		scope(DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, 3, 0);
		close_struct();
		finish();
		CHECK_EQ(parse(), 0);
		CHECK_EQ(info.rmrr_bad, 1);
		CHECK_EQ(info.rmrr_count, 1);
		CHECK_EQ(info.rmrr[0].base, 0x3000);
		CHECK_EQ(info.scope_count, 1);                    /* the bad one's scope is not kept */
		CHECK_EQ(info.scope[info.rmrr[0].scopes.first].path[0].dev, 3);
	}
	/* A bad RMRR's scopes are still checked. */
	tb[48 + 16 + 24 + 1] = 0;
	CHECK_REFUSED(-EINVAL, "device scope at offset 88: length 0");
}

TEST(capacity)
{
	begin(39, 0);
	for (unsigned int i = 0; i <= DMAR_MAX_UNITS; i++) {
		drhd(0, 0, 0x10000000ULL + i * 0x1000ULL);
		close_struct();
	}
	finish();
	CHECK_EQ(parse(), -ENOSPC);
	CHECK(strstr(err, "more than 128 remapping units") != NULL);
	tn -= 16;                                                /* 128 units fit */
	finish();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.unit_count, 128);

	begin(39, 0);
	drhd(DMAR_DRHD_INCLUDE_PCI_ALL, 0, 0xfed90000);
	scope(DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 9, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0);
	close_struct();
	finish();
	CHECK_EQ(parse(), -ENOSPC);
	CHECK_STR(err, "DMAR device scope at offset 64: 9 hops, more than the 8 kept");

	/* 1024 scopes fit, the 1025th does not: 5 units of 205 (8 KiB of table). */
	begin(39, 0);
	for (unsigned int u = 0; u < 5; u++) {
		drhd(0, 0, 0x10000000ULL + u * 0x1000ULL);
		for (unsigned int i = 0; i < 205; i++)
			scope(DMAR_SCOPE_PCI_ENDPOINT, 0, (uint8_t)u, 1, i % 32, i / 32);
		close_struct();
	}
	finish();
	CHECK_EQ(parse(), -ENOSPC);
	CHECK(strstr(err, "more than 1024 scopes") != NULL);
	tn -= 8;                                                 /* drop the 1025th */
	close_struct();
	finish();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.scope_count, 1024);
	CHECK_EQ(info.unit[4].scopes.first, 820);
	CHECK_EQ(info.unit[4].scopes.count, 204);
}

TEST(scope_names)
{
	char buf[200], small[10];

	build_server();
	CHECK_EQ(parse(), 0);
	CHECK_STR(dmar_scopes_format(buf, sizeof(buf), &info, info.rmrr[0].scopes), "00:14.0, 00:1a.0");
	CHECK_STR(dmar_scopes_format(buf, sizeof(buf), &info, info.rmrr[1].scopes), "00:1c.4/00.0");
	CHECK_STR(dmar_scopes_format(buf, sizeof(buf), &info, info.unit[2].scopes),
		  "00:1e.7 (ioapic 8), 00:1f.0 (hpet 0), 00:1e.0 (acpi 1)");
	CHECK_STR(dmar_scopes_format(buf, sizeof(buf), &info, (struct dmar_scopes){ 0, 0 }), "none");
	CHECK_STR(dmar_scopes_format(small, sizeof(small), &info, info.rmrr[0].scopes), "00:14.0, ");
}

TEST(read_through_rsdp)
{
	uint8_t rsdp[20];

	memset(phys, 0, sizeof(phys));
	memset(rsdp, 0, 20);
	memcpy(rsdp, "RSD PTR ", 8);
	rsdp[16] = 0x00; rsdp[17] = 0x10;                        /* RSDT at 0x1000 */
	fix_checksum(rsdp, 20, 8);
	memcpy(phys + 0x1000, "RSDT", 4);
	phys[0x1004] = 40;
	phys[0x1000 + 36 + 1] = 0x20;                            /* DMAR at 0x2000 */
	fix_checksum(phys + 0x1000, 40, 9);
	memcpy(phys + 0x2000, dmar_qemu_q35, sizeof(dmar_qemu_q35));
	CHECK_EQ(acpi_read_dmar(rsdp, sizeof(rsdp), rd, NULL, &info, err, sizeof(err)), 0);
	CHECK_EQ(info.unit[0].reg_base, 0xfed90000);
	memcpy(phys + 0x2000, "APIC", 4);
	fix_checksum(phys + 0x2000, sizeof(dmar_qemu_q35), 9);
	CHECK_EQ(acpi_read_dmar(rsdp, sizeof(rsdp), rd, NULL, &info, err, sizeof(err)), -ENOENT);
	CHECK_STR(err, "no DMAR table");
	/* A header longer than the reader takes: refused with both lengths. */
	memcpy(phys + 0x2000, "DMAR", 4);
	phys[0x2004] = 0x70; phys[0x2005] = 0x11; phys[0x2006] = 0x01;   /* 70000 bytes */
	CHECK_EQ(acpi_read_dmar(rsdp, sizeof(rsdp), rd, NULL, &info, err, sizeof(err)), -ENOSPC);
	CHECK_STR(err, "DMAR at 0x2000 is 70000 bytes, more than the 65536 this reader takes");
}
