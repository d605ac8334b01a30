/* tests/unit/guest/test_acpi_view.c - the guest's ACPI view: RSDP, XSDT/RSDT
 * and MADT copies with the CPUs that do not run disabled and dropped
 * signatures left out; malformed host tables refused; the BIOS-area scan. */
#include "drivers/acpi/acpi_view.h"
#include "drivers/acpi/acpi_madt.h"
#include "tests/unit/check.h"

#include "tests/unit/guest/acpi_fixture.h"

#define VIEW_BASE 0x3000u                /* the copies are read back from phys there */

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static uint8_t sum(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;

	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

static void table(uint32_t at, const char *sig, uint32_t len)
{
	memcpy(phys + at, sig, 4);
	put32(phys + at + 4, len);
	phys[at + 8] = 1;
	memcpy(phys + at + 10, "BOCHS ", 6);
}

/* RSDP revision 0 -> RSDT at 0x1000 -> [FACP 0x1800, APIC 0x2000]: Bochs' BIOS. */
static void build_v1(uint8_t *rsdp, const uint8_t *entries, uint32_t len)
{
	memset(phys, 0, sizeof(phys));
	memset(rsdp, 0, 20);
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "BOCHS ", 6);
	put32(rsdp + 16, 0x1000);
	fix_checksum(rsdp, 20, 8);
	table(0x1000, "RSDT", 44);
	put32(phys + 0x1000 + 36, 0x1800);
	put32(phys + 0x1000 + 40, 0x2000);
	fix_checksum(phys + 0x1000, 44, 9);
	table(0x1800, "FACP", 36);
	fix_checksum(phys + 0x1800, 36, 9);
	table(0x2000, "APIC", 44 + len);
	put32(phys + 0x2000 + 36, 0xfee00000);
	put32(phys + 0x2000 + 40, 1);
	if (len)
		memcpy(phys + 0x2000 + 44, entries, len);
	fix_checksum(phys + 0x2000, 44 + len, 9);
}

/* RSDP revision 2 -> XSDT at 0x1000 and RSDT at 0x1100, both listing
 * [FACP 0x1800, APIC 0x2000, DMAR 0x2800, HPET 0x2900]: QEMU q35 with an IOMMU. */
static void build_v2(uint8_t *rsdp, const uint8_t *entries, uint32_t len)
{
	static const uint32_t t[] = { 0x1800, 0x2000, 0x2800, 0x2900 };

	memset(phys, 0, sizeof(phys));
	memset(rsdp, 0, 36);
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "BOCHS ", 6);
	rsdp[15] = 2;
	put32(rsdp + 16, 0x1100);
	put32(rsdp + 20, 36);
	put64(rsdp + 24, 0x1000);
	fix_checksum(rsdp, 20, 8);
	fix_checksum(rsdp, 36, 32);
	table(0x1000, "XSDT", 36 + 4 * 8);
	table(0x1100, "RSDT", 36 + 4 * 4);
	for (int i = 0; i < 4; i++) {
		put64(phys + 0x1000 + 36 + 8 * i, t[i]);
		put32(phys + 0x1100 + 36 + 4 * i, t[i]);
	}
	fix_checksum(phys + 0x1000, 36 + 32, 9);
	fix_checksum(phys + 0x1100, 36 + 16, 9);
	table(0x1800, "FACP", 36);
	fix_checksum(phys + 0x1800, 36, 9);
	table(0x2000, "APIC", 44 + len);
	put32(phys + 0x2000 + 36, 0xfee00000);
	if (len)
		memcpy(phys + 0x2000 + 44, entries, len);
	fix_checksum(phys + 0x2000, 44 + len, 9);
	table(0x2800, "DMAR", 48);
	fix_checksum(phys + 0x2800, 48, 9);
	table(0x2900, "HPET", 56);
	fix_checksum(phys + 0x2900, 56, 9);
}

static const uint8_t bochs_two[] = {
	0, 8, 0, 0, 1, 0, 0, 0,                           /* processor local APIC 0, enabled */
	0, 8, 1, 1, 1, 0, 0, 0,                           /* processor local APIC 1, enabled */
	1, 12, 2, 0, 0x00, 0x00, 0xc0, 0xfe, 0, 0, 0, 0,  /* I/O APIC 2 at 0xfec00000, GSI 0 */
	2, 10, 0, 0, 2, 0, 0, 0, 0, 0,                    /* ISA IRQ 0 -> GSI 2 */
	2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0,                 /* ISA IRQ 9 -> GSI 9, level, high */
	4, 6, 0xff, 5, 0, 1,                              /* local APIC NMI, LINT1 */
};

static struct acpi_view_request req(const uint8_t *rsdp, unsigned int len, const uint32_t *run,
				    unsigned int n)
{
	return (struct acpi_view_request){
		.rsdp = rsdp, .rsdp_len = len, .read = rd, .running = run, .running_count = n,
		.base = VIEW_BASE,
	};
}

/* Puts the view where req() said it lives, so the readers can follow it. */
static void install(const uint8_t *buf, uint32_t used)
{
	memcpy(phys + VIEW_BASE, buf, used);
}

TEST(bochs_two_cpus_one_running)
{
	static const uint32_t run[] = { 0 };
	uint8_t rsdp[20], buf[0x1000] = { 0 }, host[sizeof(phys)];
	struct acpi_view_request r;
	struct acpi_view v;
	struct acpi_madt_info m;
	char err[120] = "";
	uint32_t mo;

	build_v1(rsdp, bochs_two, sizeof(bochs_two));
	memcpy(host, phys, sizeof(phys));
	r = req(rsdp, sizeof(rsdp), run, 1);
	CHECK_EQ(acpi_view_build(&r, buf, sizeof(buf), &v, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK(memcmp(host, phys, sizeof(phys)) == 0);           /* the host's tables untouched */
	CHECK_EQ(v.rsdp_len, 20);
	CHECK_EQ(v.xsdt, 0);
	CHECK(v.rsdt >= VIEW_BASE + ACPI_VIEW_RSDP_SLOT && v.madt > v.rsdt && v.madt % 16 == 0);
	CHECK(v.used <= sizeof(buf) && v.used == v.madt - VIEW_BASE + 44 + sizeof(bochs_two));
	CHECK_EQ(v.cpus_enabled, 2);
	CHECK_EQ(v.cpus_left, 1);
	CHECK_EQ(v.hidden_count, 1);
	CHECK_EQ(v.hidden[0], 1);
	CHECK_EQ(v.dropped, 0);
	/* RSDP: the host's but for the RSDT address; checksum right. */
	CHECK(memcmp(buf, rsdp, 16) != 0 || get32(buf + 16) != get32(rsdp + 16));
	CHECK(memcmp(buf, "RSD PTR ", 8) == 0 && memcmp(buf + 9, rsdp + 9, 7) == 0);
	CHECK_EQ(get32(buf + 16), v.rsdt);
	CHECK_EQ(sum(buf, 20), 0);
	/* RSDT copy: FACP as before, the MADT copy instead of the MADT. */
	CHECK(memcmp(buf + (v.rsdt - VIEW_BASE), "RSDT", 4) == 0);
	CHECK_EQ(get32(buf + (v.rsdt - VIEW_BASE) + 4), 44);
	CHECK_EQ(get32(buf + (v.rsdt - VIEW_BASE) + 36), 0x1800);
	CHECK_EQ(get32(buf + (v.rsdt - VIEW_BASE) + 40), v.madt);
	CHECK_EQ(sum(buf + (v.rsdt - VIEW_BASE), 44), 0);
	/* MADT copy: byte for byte the host's but for the second CPU's flags and the checksum. */
	mo = (uint32_t)(v.madt - VIEW_BASE);
	CHECK_EQ(sum(buf + mo, 44 + sizeof(bochs_two)), 0);
	for (uint32_t i = 0; i < 44 + sizeof(bochs_two); i++)
		if (i != 9 && i != 44 + 12)
			CHECK(buf[mo + i] == phys[0x2000 + i]);
	CHECK_EQ(buf[mo + 44 + 4], 1);
	CHECK_EQ(buf[mo + 44 + 12], 0);
	/* The MADT reader, following the copy, sees one CPU enabled and the rest unchanged. */
	install(buf, v.used);
	CHECK_EQ(acpi_read_madt(buf, 20, rd, NULL, &m, err, sizeof(err)), 0);
	CHECK_EQ(m.cpu_count, 2);
	CHECK(m.cpu[0].enabled && !m.cpu[1].enabled && !m.cpu[1].online_capable);
	CHECK_EQ(m.ioapic_count, 1);
	CHECK_EQ(m.isa_gsi[0], 2);
	CHECK_EQ(m.isa_flags[9], 0x0d);
	CHECK(m.pcat_compat);
}

TEST(all_running_changes_nothing_but_addresses)
{
	static const uint32_t run[] = { 1, 0 };
	uint8_t rsdp[20], buf[0x1000] = { 0 };
	struct acpi_view_request r;
	struct acpi_view v;
	char err[120] = "";

	build_v1(rsdp, bochs_two, sizeof(bochs_two));
	r = req(rsdp, sizeof(rsdp), run, 2);
	CHECK_EQ(acpi_view_build(&r, buf, sizeof(buf), &v, err, sizeof(err)), 0);
	CHECK_EQ(v.cpus_enabled, 2);
	CHECK_EQ(v.cpus_left, 2);
	CHECK_EQ(v.hidden_count, 0);
	CHECK(memcmp(buf + (v.madt - VIEW_BASE), phys + 0x2000, 44 + sizeof(bochs_two)) == 0);
}

/* Four CPUs, each as a local APIC and a local x2APIC entry, one more
 * online-capable x2APIC CPU (ID 300), and a short type-0 entry. */
static const uint8_t x2_four[] = {
	0, 8, 0, 0, 1, 0, 0, 0,
	0, 8, 1, 1, 1, 0, 0, 0,
	0, 8, 2, 2, 1, 0, 0, 0,
	0, 8, 3, 3, 1, 0, 0, 0,
	9, 16, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,          /* x2APIC 0, enabled, UID 0 */
	9, 16, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0,
	9, 16, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0,
	9, 16, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0,
	9, 16, 0, 0, 0x2c, 1, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0,      /* x2APIC 300, online-capable */
	0, 6, 9, 9, 1, 0,                                        /* too short: left alone */
	1, 12, 4, 0, 0x00, 0x00, 0xc0, 0xfe, 0, 0, 0, 0,
};

TEST(qemu_like_x2apic_and_dmar_dropped)
{
	static const uint32_t run[] = { 2, 0 };
	static const char *const drop[] = { "DMAR" };
	uint8_t rsdp[36], buf[0x1000] = { 0 }, tbl[256];
	struct acpi_view_request r;
	struct acpi_view v;
	struct acpi_madt_info m;
	char err[120] = "";
	uint32_t mo, len, xo, ro;

	build_v2(rsdp, x2_four, sizeof(x2_four));
	r = req(rsdp, sizeof(rsdp), run, 2);
	r.drop = drop;
	r.drop_count = 1;
	CHECK_EQ(acpi_view_build(&r, buf, sizeof(buf), &v, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(v.rsdp_len, 36);
	CHECK_EQ(v.cpus_enabled, 4);
	CHECK_EQ(v.cpus_left, 2);
	CHECK_EQ(v.hidden_count, 3);
	CHECK(v.hidden[0] == 1 && v.hidden[1] == 3 && v.hidden[2] == 300);
	CHECK_EQ(v.dropped, 1);
	CHECK_EQ(sum(buf, 20), 0);
	CHECK_EQ(sum(buf, 36), 0);
	CHECK_EQ(buf[15], 2);
	CHECK_EQ(get32(buf + 16), v.rsdt);
	CHECK_EQ(get64(buf + 24), v.xsdt);
	/* XSDT and RSDT copies: FACP, the MADT copy, HPET; no DMAR. */
	xo = (uint32_t)(v.xsdt - VIEW_BASE);
	ro = (uint32_t)(v.rsdt - VIEW_BASE);
	CHECK_EQ(get32(buf + xo + 4), 36 + 3 * 8);
	CHECK_EQ(sum(buf + xo, 36 + 24), 0);
	CHECK(get64(buf + xo + 36) == 0x1800 && get64(buf + xo + 44) == v.madt && get64(buf + xo + 52) == 0x2900);
	CHECK_EQ(get32(buf + ro + 4), 36 + 3 * 4);
	CHECK_EQ(sum(buf + ro, 36 + 12), 0);
	CHECK(get32(buf + ro + 36) == 0x1800 && get32(buf + ro + 40) == v.madt && get32(buf + ro + 44) == 0x2900);
	/* MADT: IDs 1, 3 (both entry types) and 300 cleared, 0 and 2 enabled, the short entry as it was. */
	mo = (uint32_t)(v.madt - VIEW_BASE);
	CHECK_EQ(sum(buf + mo, 44 + sizeof(x2_four)), 0);
	CHECK(buf[mo + 44 + 4] == 1 && buf[mo + 44 + 12] == 0 && buf[mo + 44 + 20] == 1 && buf[mo + 44 + 28] == 0);
	CHECK(buf[mo + 44 + 32 + 8] == 1 && buf[mo + 44 + 48 + 8] == 0 && buf[mo + 44 + 64 + 8] == 1);
	CHECK(buf[mo + 44 + 80 + 8] == 0 && buf[mo + 44 + 96 + 8] == 0);
	CHECK(buf[mo + 44 + 112 + 4] == 1);
	install(buf, v.used);
	CHECK_EQ(acpi_read_madt(buf, 36, rd, NULL, &m, err, sizeof(err)), 0);
	CHECK_EQ(m.cpu_count, 5);
	CHECK(m.cpu[0].enabled && !m.cpu[1].enabled && m.cpu[2].enabled && !m.cpu[3].enabled);
	CHECK(m.cpu[4].apic_id == 300 && !m.cpu[4].enabled && !m.cpu[4].online_capable);
	CHECK_EQ(acpi_find_table(buf, 36, rd, NULL, "DMAR", "DMAR", tbl, sizeof(tbl), &len, err, sizeof(err)),
		 -ENOENT);
	CHECK_EQ(acpi_find_table(buf, 36, rd, NULL, "HPET", "HPET", tbl, sizeof(tbl), &len, err, sizeof(err)), 0);
	/* The RSDT path (an ACPI 1.0 OS) agrees. */
	buf[15] = 0;
	acpi_checksum_fix(buf, 20, 8);
	install(buf, v.used);
	CHECK_EQ(acpi_read_madt(buf, 20, rd, NULL, &m, err, sizeof(err)), 0);
	CHECK(m.cpu[0].enabled && !m.cpu[1].enabled && m.cpu[2].enabled && !m.cpu[3].enabled);
	CHECK_EQ(acpi_find_table(buf, 20, rd, NULL, "DMAR", "DMAR", tbl, sizeof(tbl), &len, err, sizeof(err)),
		 -ENOENT);
}

#define VIEW_SIZE 0x1000u

/* The view for the CPUs in run built into buf[VIEW_SIZE] from the tables in
 * phys (it must build); the offset of its MADT copy in buf. */
static uint32_t view_madt(const uint8_t *rsdp, unsigned int rlen, const uint32_t *run, unsigned int n,
			  uint8_t *buf, struct acpi_view *v)
{
	struct acpi_view_request r = req(rsdp, rlen, run, n);
	char err[120] = "";

	CHECK_EQ(acpi_view_build(&r, buf, VIEW_SIZE, v, err, sizeof(err)), 0);
	return (uint32_t)(v->madt - VIEW_BASE);
}

/* Chain mode: the view is built with every listed CPU enabled; the APs
 * that did not join are disabled in the copy afterwards. */
TEST(madt_disable_after_the_build)
{
	static const uint32_t run[] = { 0, 1, 2, 3, 300 }, lost[] = { 3 }, again[] = { 3, 7 };
	uint8_t rsdp[36], buf[VIEW_SIZE] = { 0 }, before[VIEW_SIZE];
	struct acpi_view v;
	struct acpi_madt_info m;
	char err[120] = "";
	uint32_t mo, mlen = 44 + sizeof(x2_four);

	build_v2(rsdp, x2_four, sizeof(x2_four));
	mo = view_madt(rsdp, sizeof(rsdp), run, 5, buf, &v);
	CHECK_EQ(v.hidden_count, 0);
	memcpy(before, buf, sizeof(buf));
	CHECK_EQ(acpi_madt_disable(buf + mo, sizeof(buf) - mo, lost, 1), 1);   /* two entries, one CPU */
	CHECK_EQ(sum(buf + mo, mlen), 0);
	/* Only APIC ID 3's two flag words and the checksum changed. */
	for (uint32_t i = 0; i < sizeof(buf); i++)
		if (i != mo + 9 && i != mo + 44 + 28 && i != mo + 44 + 80 + 8)
			CHECK(buf[i] == before[i]);
	CHECK(buf[mo + 44 + 28] == 0 && buf[mo + 44 + 80 + 8] == 0);
	install(buf, v.used);
	CHECK_EQ(acpi_read_madt(buf, 36, rd, NULL, &m, err, sizeof(err)), 0);
	CHECK(m.cpu[0].enabled && m.cpu[1].enabled && m.cpu[2].enabled && !m.cpu[3].enabled);
	CHECK(!m.cpu[3].online_capable && m.cpu[4].online_capable);
	/* Again, with an ID the MADT does not list: nothing left to disable. */
	memcpy(before, buf, sizeof(buf));
	CHECK_EQ(acpi_madt_disable(buf + mo, sizeof(buf) - mo, again, 2), 0);
	CHECK(memcmp(before, buf, sizeof(buf)) == 0);
	CHECK_EQ(acpi_madt_disable(buf + mo, sizeof(buf) - mo, NULL, 0), 0);
	/* An online-capable CPU (not enabled) is counted: its flag goes too. */
	CHECK_EQ(acpi_madt_disable(buf + mo, sizeof(buf) - mo, &run[4], 1), 1);
	CHECK_EQ(buf[mo + 44 + 96 + 8], 0);
	CHECK_EQ(sum(buf + mo, mlen), 0);
}

TEST(madt_disable_refuses)
{
	static const uint32_t run[] = { 0, 1 }, both[] = { 1, 0 }, one[] = { 1 };
	uint8_t rsdp[20], buf[VIEW_SIZE] = { 0 }, before[VIEW_SIZE];
	struct acpi_view v;
	uint32_t mo, mlen = 44 + sizeof(bochs_two);

	build_v1(rsdp, bochs_two, sizeof(bochs_two));
	mo = view_madt(rsdp, sizeof(rsdp), run, 2, buf, &v);
	memcpy(before, buf, sizeof(buf));
	/* No CPU would stay enabled. */
	CHECK_EQ(acpi_madt_disable(buf + mo, sizeof(buf) - mo, both, 2), -EINVAL);
	/* The table longer than the caller's bytes. */
	CHECK_EQ(acpi_madt_disable(buf + mo, mlen - 1, one, 1), -EINVAL);
	CHECK_EQ(acpi_madt_disable(buf + mo, 40, one, 1), -EINVAL);
	CHECK_EQ(acpi_madt_disable(NULL, 0, one, 1), -EINVAL);
	CHECK(memcmp(before, buf, sizeof(buf)) == 0);
	/* Not a MADT. */
	buf[mo] = 'X';
	CHECK_EQ(acpi_madt_disable(buf + mo, sizeof(buf) - mo, one, 1), -EINVAL);
	buf[mo] = 'A';
	/* A bad checksum: not the copy the view made. */
	buf[mo + 44 + 2] ^= 0x40;
	CHECK_EQ(acpi_madt_disable(buf + mo, sizeof(buf) - mo, one, 1), -EINVAL);
	buf[mo + 44 + 2] ^= 0x40;
	/* An entry that runs past the table's end (checksum fixed: the walk catches it). */
	buf[mo + 44 + 8 + 1] = 200;
	acpi_checksum_fix(buf + mo, mlen, 9);
	memcpy(before, buf, sizeof(buf));
	CHECK_EQ(acpi_madt_disable(buf + mo, sizeof(buf) - mo, one, 1), -EINVAL);
	CHECK(memcmp(before, buf, sizeof(buf)) == 0);
	buf[mo + 44 + 8 + 1] = 8;
	acpi_checksum_fix(buf + mo, mlen, 9);
	CHECK_EQ(acpi_madt_disable(buf + mo, mlen, one, 1), 1);
	CHECK(buf[mo + 44 + 4] == 1 && buf[mo + 44 + 12] == 0);
}

/* Each malformed input: an error with a reason, the host's tables untouched. */
static void refused(const uint8_t *rsdp, unsigned int rlen, const uint32_t *run, unsigned int n,
		    uint32_t size, uint64_t base, int want, const char *why)
{
	uint8_t buf[0x1000] = { 0 }, host[sizeof(phys)];
	struct acpi_view_request r = req(rsdp, rlen, run, n);
	struct acpi_view v;
	char err[120] = "";

	r.base = base;
	memcpy(host, phys, sizeof(phys));
	CHECK_EQ(acpi_view_build(&r, buf, size, &v, err, sizeof(err)), want);
	if (!strstr(err, why)) {
		printf("  got \"%s\", want \"%s\"\n", err, why);
		CHECK(0);
	}
	CHECK(memcmp(host, phys, sizeof(phys)) == 0);
}

TEST(malformed_tables_refused)
{
	static const uint32_t run[] = { 0 };
	static const uint8_t overrun[] = { 0, 8, 0, 0, 1, 0, 0, 0, 1, 12, 2, 0 };     /* cut I/O APIC entry */
	static const uint8_t zero_len[] = { 0, 8, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0 };
	static const uint8_t only_other[] = { 0, 8, 1, 1, 1, 0, 0, 0 };
	uint8_t rsdp[36];

	build_v1(rsdp, bochs_two, sizeof(bochs_two));
	rsdp[0] = 'X';
	refused(rsdp, 20, run, 1, 0x1000, VIEW_BASE, -EINVAL, "no valid RSDP");
	build_v1(rsdp, bochs_two, sizeof(bochs_two));
	rsdp[12]++;                                                  /* checksum off */
	refused(rsdp, 20, run, 1, 0x1000, VIEW_BASE, -EINVAL, "no valid RSDP");
	build_v1(rsdp, bochs_two, sizeof(bochs_two));
	refused(rsdp, 19, run, 1, 0x1000, VIEW_BASE, -EINVAL, "no valid RSDP");
	refused(rsdp, 20, run, 0, 0x1000, VIEW_BASE, -EINVAL, "no CPU runs");
	/* RSDT: short length, huge length, a bad checksum, a partial entry, a wrong signature. */
	put32(phys + 0x1004, 20);
	refused(rsdp, 20, run, 1, 0x1000, VIEW_BASE, -EINVAL, "less than its header");
	put32(phys + 0x1004, 0xfffffff0);
	refused(rsdp, 20, run, 1, 0x1000, VIEW_BASE, -ENOSPC, "does not fit");
	put32(phys + 0x1004, 44);
	phys[0x1000 + 36]++;
	refused(rsdp, 20, run, 1, 0x1000, VIEW_BASE, -EINVAL, "bad checksum");
	phys[0x1000 + 36]--;
	put32(phys + 0x1004, 42);
	fix_checksum(phys + 0x1000, 42, 9);
	refused(rsdp, 20, run, 1, 0x1000, VIEW_BASE, -EINVAL, "no whole number");
	build_v1(rsdp, bochs_two, sizeof(bochs_two));
	memcpy(phys + 0x1000, "XSDT", 4);
	refused(rsdp, 20, run, 1, 0x1000, VIEW_BASE, -EINVAL, "no RSDT signature");
	/* RSDT past readable memory. */
	build_v1(rsdp, bochs_two, sizeof(bochs_two));
	put32(rsdp + 16, 0x100000);
	fix_checksum(rsdp, 20, 8);
	refused(rsdp, 20, run, 1, 0x1000, VIEW_BASE, -EINVAL, "cannot be read");
	/* MADT: bad checksum, shorter than its fixed part, entries that overrun or have length 0. */
	build_v1(rsdp, bochs_two, sizeof(bochs_two));
	phys[0x2000 + 50]++;
	refused(rsdp, 20, run, 1, 0x1000, VIEW_BASE, -EINVAL, "bad checksum");
	build_v1(rsdp, NULL, 0);
	put32(phys + 0x2004, 40);
	fix_checksum(phys + 0x2000, 40, 9);
	refused(rsdp, 20, run, 1, 0x1000, VIEW_BASE, -EINVAL, "too short");
	build_v1(rsdp, overrun, sizeof(overrun));
	refused(rsdp, 20, run, 1, 0x1000, VIEW_BASE, -EINVAL, "overruns");
	build_v1(rsdp, zero_len, sizeof(zero_len));
	refused(rsdp, 20, run, 1, 0x1000, VIEW_BASE, -EINVAL, "overruns");
	/* No running CPU left enabled; the buffer too small; an RSDT copy above 4 GiB. */
	build_v1(rsdp, only_other, sizeof(only_other));
	refused(rsdp, 20, run, 1, 0x1000, VIEW_BASE, -EINVAL, "enable none");
	build_v1(rsdp, bochs_two, sizeof(bochs_two));
	refused(rsdp, 20, run, 1, 0x80, VIEW_BASE, -ENOSPC, "no room");
	refused(rsdp, 20, run, 1, 0x1000, 0xfffff800ULL, -ERANGE, "above 4 GiB");
	/* Revision 2: a bad extended checksum. */
	build_v2(rsdp, x2_four, sizeof(x2_four));
	rsdp[30]++;
	refused(rsdp, 36, run, 1, 0x1000, VIEW_BASE, -EINVAL, "no valid RSDP");
	build_v2(rsdp, x2_four, sizeof(x2_four));
	refused(rsdp, 20, run, 1, 0x1000, VIEW_BASE, -EINVAL, "no valid RSDP");   /* v2 cut to 20 bytes */
}

/* Above 4 GiB with an XSDT: the RSDP copy names no RSDT (32-bit addresses). */
TEST(above_4g_the_xsdt_alone)
{
	static const uint32_t run[] = { 0, 1 };
	uint8_t rsdp[36], buf[0x1000] = { 0 };
	struct acpi_view_request r;
	struct acpi_view v;
	char err[120] = "";

	build_v2(rsdp, x2_four, sizeof(x2_four));
	r = req(rsdp, 36, run, 2);
	r.base = 0x4fffff000ULL;
	CHECK_EQ(acpi_view_build(&r, buf, sizeof(buf), &v, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK(v.rsdt == 0 && get32(buf + 16) == 0 && get64(buf + 24) == v.xsdt && v.xsdt >= r.base);
	CHECK(sum(buf, 20) == 0 && sum(buf, 36) == 0);
	CHECK_EQ(get64(buf + (v.xsdt - r.base) + 44), v.madt);
	CHECK_EQ(v.hidden_count, 3);
	/* Just below 4 GiB but running past it: the same. */
	r.base = 0xfffff800ULL;
	CHECK_EQ(acpi_view_build(&r, buf, sizeof(buf), &v, err, sizeof(err)), 0);
	CHECK_EQ(v.rsdt, 0);
}

TEST(xsdt_only_above_4g_is_fine)
{
	static const uint32_t run[] = { 0 };
	uint8_t rsdp[36], buf[0x1000] = { 0 };
	struct acpi_view_request r;
	struct acpi_view v;
	char err[120] = "";

	build_v2(rsdp, x2_four, sizeof(x2_four));
	put32(rsdp + 16, 0);                                         /* no RSDT */
	fix_checksum(rsdp, 20, 8);
	fix_checksum(rsdp, 36, 32);
	r = req(rsdp, 36, run, 1);
	r.base = 0x100000000ULL;
	CHECK_EQ(acpi_view_build(&r, buf, sizeof(buf), &v, err, sizeof(err)), 0);
	CHECK(v.rsdt == 0 && v.xsdt > 0x100000000ULL && get32(buf + 16) == 0 && get64(buf + 24) == v.xsdt);
	CHECK_EQ(v.dropped, 0);
	CHECK_EQ(v.hidden_count, 4);
}

/* The firmware area for the scan: 1 MiB, page 0xa0000-0xdffff unreadable. */
static uint8_t low[0x100000];

static int rd_low(void *ctx, uint64_t pa, void *buf, uint32_t len)
{
	if (pa + len > sizeof(low) || (pa < 0xe0000 && pa + len > 0xa0000))
		return -EFAULT;
	memcpy(buf, low + pa, len);
	return 0;
}

static void put_rsdp(uint64_t at, uint8_t rev)
{
	memcpy(low + at, "RSD PTR ", 8);
	low[at + 15] = rev;
	put32(low + at + 16, 0x7fe0000);
	put32(low + at + 20, 36);
	fix_checksum(low + at, 20, 8);
	if (rev >= 2)
		fix_checksum(low + at, 36, 32);
}

TEST(rsdp_scan)
{
	uint64_t pa = 0;

	memset(low, 0, sizeof(low));
	CHECK_EQ(acpi_rsdp_scan(rd_low, NULL, &pa), -ENOENT);
	put_rsdp(0xf5a30, 0);
	memcpy(low + 0xe1230, "RSD PTR ", 8);                    /* bad checksum: skipped */
	CHECK_EQ(acpi_rsdp_scan(rd_low, NULL, &pa), 0);
	CHECK_EQ(pa, 0xf5a30);
	put_rsdp(0xe0ff0, 2);                                    /* runs into the next page */
	CHECK_EQ(acpi_rsdp_scan(rd_low, NULL, &pa), 0);
	CHECK_EQ(pa, 0xe0ff0);
	/* The EBDA's first KiB comes first. */
	low[0x40e] = 0xc0;
	low[0x40f] = 0x9f;
	put_rsdp(0x9fc00 + 0x100, 0);
	CHECK_EQ(acpi_rsdp_scan(rd_low, NULL, &pa), 0);
	CHECK_EQ(pa, 0x9fd00);
	/* Not on a 16-byte boundary: not an RSDP. */
	memset(low + 0x9fd00, 0, 20);
	memset(low + 0xe0ff0, 0, 36);
	memset(low + 0xf5a30, 0, 20);
	put_rsdp(0xf5a38, 0);
	CHECK_EQ(acpi_rsdp_scan(rd_low, NULL, &pa), -ENOENT);
}
