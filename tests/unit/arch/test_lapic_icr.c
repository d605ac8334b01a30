/* tests/unit/arch/test_lapic_icr.c - ICR values as the hypervisor packs them
 * (drivers/ipi.c: its own INIT, start-up and NMI, a guest's INIT and
 * start-up to one vCPU, the I/O APIC's messages), checked against the values
 * Linux writes (arch/x86/kernel/smpboot.c, apic.h) and against the decoder
 * that reads a guest's writes (apic_icr_unpack). */
#include "arch/lapic_icr.h"
#include "tests/unit/check.h"

static uint64_t pack(const struct apic_icr *i, bool x2apic)
{
	uint64_t v = 0xdeadbeefULL;

	CHECK_EQ(apic_icr_pack(i, x2apic, &v), 0);
	return v;
}

TEST(hypervisor_ipis)
{
	struct apic_icr init = { .dest = 3, .mode = ICR_MODE_INIT, .assert = true };
	struct apic_icr sipi = { .dest = 3, .mode = ICR_MODE_STARTUP, .vector = 0x9a, .assert = true };
	struct apic_icr nmi = { .dest = 0x123, .mode = ICR_MODE_NMI, .assert = true };

	/* What ipi_send_base wrote before it packed: mode << 8 | ASSERT | vector. */
	CHECK_EQ(pack(&init, false), 0x03000000ULL << 32 | 0x4500);
	CHECK_EQ(pack(&init, true), 0x3ULL << 32 | 0x4500);
	CHECK_EQ(pack(&sipi, false), 0x03000000ULL << 32 | 0x469a);
	CHECK_EQ(pack(&sipi, true), 0x3ULL << 32 | 0x469a);
	CHECK_EQ(pack(&nmi, true), 0x123ULL << 32 | 0x4400);
}

TEST(linux_ap_start_values)
{
	/* Linux's INIT assert (0xc500: level-triggered, asserted) and start-up. */
	struct apic_icr init = { .dest = 1, .mode = ICR_MODE_INIT, .assert = true, .level_trigger = true };
	struct apic_icr sipi = { .dest = 1, .mode = ICR_MODE_STARTUP, .vector = 0x9a, .assert = true };

	CHECK_EQ(pack(&init, true), 0x000000010000c500ULL);
	CHECK_EQ(pack(&init, false), 0x01000000ULL << 32 | 0xc500);
	CHECK_EQ(pack(&sipi, true), 0x000000010000469aULL);
}

TEST(ioapic_messages)
{
	/* A fixed, edge IPI to a flat logical mask, and to a cluster. */
	struct apic_icr flat = { .dest = 0x01, .vector = 0x24, .mode = ICR_MODE_FIXED,
				 .logical = true, .assert = true };
	struct apic_icr all = { .dest = 0xff, .vector = 0x24, .logical = true, .assert = true };

	CHECK_EQ(pack(&flat, false), 0x01000000ULL << 32 | 0x4824);
	CHECK_EQ(pack(&flat, true), 0x1ULL << 32 | 0x4824);
	/* 0xff: every CPU in flat mode, the xAPIC's 8 bits still hold it. */
	CHECK_EQ(pack(&all, false), 0xff000000ULL << 32 | 0x4824);
}

TEST(shorthands_leave_the_destination_out)
{
	struct apic_icr self = { .dest = 0x55, .vector = 0x30, .assert = true, .shorthand = ICR_DEST_SELF };
	struct apic_icr others = { .dest = 0x1234, .mode = ICR_MODE_INIT, .assert = true,
				   .shorthand = ICR_DEST_OTHERS };

	CHECK_EQ(pack(&self, false), 0x44030ULL);
	CHECK_EQ(pack(&self, true), 0x44030ULL);
	/* The destination would not fit the xAPIC: with a shorthand it is not used. */
	CHECK_EQ(pack(&others, false), 0xc4500ULL);
}

TEST(destination_must_fit_the_format)
{
	struct apic_icr i = { .dest = 0x100, .mode = ICR_MODE_NMI, .assert = true };
	uint64_t v = 7;

	CHECK_EQ(apic_icr_pack(&i, false, &v), -ERANGE);
	CHECK_EQ(v, 7);                         /* untouched on failure */
	CHECK_EQ(apic_icr_pack(&i, true, &v), 0);
	i.dest = APIC_ICR_X2APIC_BROADCAST;
	CHECK_EQ(apic_icr_pack(&i, true, &v), 0);
	CHECK_EQ(v >> 32, 0xffffffffULL);
	CHECK_EQ(apic_icr_pack(&i, false, &v), -ERANGE);
}

TEST(out_of_range_fields_refused)
{
	struct apic_icr i = { .dest = 1, .assert = true };
	uint64_t v = 7;

	i.mode = (enum icr_mode)8;
	CHECK_EQ(apic_icr_pack(&i, true, &v), -EINVAL);
	i.mode = ICR_MODE_FIXED;
	i.shorthand = (enum icr_shorthand)4;
	CHECK_EQ(apic_icr_pack(&i, false, &v), -EINVAL);
	CHECK_EQ(v, 7);
}

static bool same(const struct apic_icr *a, const struct apic_icr *b)
{
	return a->dest == b->dest && a->vector == b->vector && a->mode == b->mode &&
	       a->logical == b->logical && a->assert == b->assert &&
	       a->level_trigger == b->level_trigger && a->shorthand == b->shorthand &&
	       a->x2apic == b->x2apic;
}

TEST(unpack_reads_what_pack_wrote)
{
	static const enum icr_mode modes[] = { ICR_MODE_FIXED, ICR_MODE_LOWEST, ICR_MODE_SMI,
					       ICR_MODE_NMI, ICR_MODE_INIT, ICR_MODE_STARTUP };
	unsigned int n = 0;

	for (unsigned int m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
		for (unsigned int bits = 0; bits < 16; bits++)
			for (unsigned int sh = 0; sh < 4; sh++)
				for (int x2 = 0; x2 < 2; x2++) {
					struct apic_icr i = {
						.dest = x2 ? 0x12345678u : 0xa5u, .vector = (uint8_t)(0x31 * bits),
						.mode = modes[m], .logical = bits & 1, .assert = bits & 2,
						.level_trigger = bits & 4, .shorthand = (enum icr_shorthand)sh,
						.x2apic = x2,
					}, o;
					uint64_t v;

					CHECK_EQ(apic_icr_pack(&i, x2, &v), 0);
					apic_icr_unpack(v, x2, &o);
					if (sh != ICR_DEST_FIELD)
						i.dest = 0;
					CHECK(same(&i, &o));
					n++;
				}
	CHECK_EQ(n, 6 * 16 * 4 * 2);
}

TEST(xapic_unpack_takes_the_high_dword_top_byte)
{
	struct apic_icr o;

	/* Bits 55:32 of the high dword are reserved: not part of the destination. */
	apic_icr_unpack(0x03abcdefULL << 32 | 0xc500, false, &o);
	CHECK_EQ(o.dest, 3);
	CHECK(o.mode == ICR_MODE_INIT && o.assert && o.level_trigger && !o.x2apic);
}

TEST(self_ipi_register_only_for_fixed_edge_self)
{
	struct apic_icr i = { .vector = 0x30, .assert = true, .shorthand = ICR_DEST_SELF };

	CHECK(apic_icr_is_self_ipi(&i));
	i.level_trigger = true;
	CHECK(!apic_icr_is_self_ipi(&i));
	i.level_trigger = false;
	i.mode = ICR_MODE_NMI;
	CHECK(!apic_icr_is_self_ipi(&i));
	i.mode = ICR_MODE_FIXED;
	i.shorthand = ICR_DEST_ALL;
	CHECK(!apic_icr_is_self_ipi(&i));
	i.shorthand = ICR_DEST_FIELD;
	CHECK(!apic_icr_is_self_ipi(&i));
}
