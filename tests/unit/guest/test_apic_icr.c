/* tests/unit/guest/test_apic_icr.c - the ICR decoder on Linux's own AP start
 * sequences (arch/x86/kernel/smpboot.c, wakeup_secondary_cpu_via_init: INIT
 * assert 0xc500, INIT de-assert 0x8500, start-up 0x6VV twice), in both
 * encodings, and the IPIs it passes, drops or refuses. */
#include "guest/policy/apic_icr.h"
#include "tests/unit/check.h"

static enum icr_action x2(uint64_t val)
{
	struct apic_icr_decision d;

	apic_icr_decode_x2apic(val, &d);
	return d.action;
}

static enum icr_action xa(uint32_t low, uint32_t high)
{
	struct apic_icr_decision d;

	apic_icr_decode_xapic(low, high, &d);
	return d.action;
}

TEST(linux_ap_start_x2apic)
{
	struct apic_icr_decision d;

	/* INIT assert to APIC ID 1: level-triggered, asserted, physical. */
	apic_icr_decode_x2apic(0x000000010000c500ULL, &d);
	CHECK_EQ(d.action, ICR_INIT);
	CHECK_EQ(d.icr.dest, 1);
	CHECK_EQ(d.icr.mode, ICR_MODE_INIT);
	CHECK(d.icr.assert && d.icr.level_trigger && !d.icr.logical && d.icr.x2apic);
	CHECK(apic_icr_reaches(&d.icr, 0, 1));
	CHECK(!apic_icr_reaches(&d.icr, 0, 0));
	CHECK(!apic_icr_reaches(&d.icr, 0, 2));
	/* INIT de-assert: nothing. */
	CHECK_EQ(x2(0x0000000100008500ULL), ICR_NOTHING);
	/* Start-up at 0x9a000, twice: both decode the same (the second is
	 * ignored by the target, which no longer waits for one). */
	apic_icr_decode_x2apic(0x000000010000069aULL, &d);
	CHECK_EQ(d.action, ICR_STARTUP);
	CHECK_EQ(d.icr.vector, 0x9a);
	CHECK(apic_icr_reaches(&d.icr, 0, 1));
	CHECK_EQ(x2(0x000000010000069aULL), ICR_STARTUP);
	/* A 32-bit ID beyond the xAPIC's 8 bits. */
	apic_icr_decode_x2apic(0x0000012300000608ULL, &d);
	CHECK_EQ(d.icr.dest, 0x123);
	CHECK(apic_icr_reaches(&d.icr, 0, 0x123));
	CHECK(!apic_icr_reaches(&d.icr, 0, 0x23));
}

TEST(linux_ap_start_xapic)
{
	struct apic_icr_decision d;

	/* ICR2 = SET_XAPIC_DEST_FIELD(3) = 3 << 24, then the low dword. */
	apic_icr_decode_xapic(0x0000c500, 3u << 24, &d);
	CHECK_EQ(d.action, ICR_INIT);
	CHECK_EQ(d.icr.dest, 3);
	CHECK(!d.icr.x2apic);
	CHECK(apic_icr_reaches(&d.icr, 0, 3));
	CHECK(!apic_icr_reaches(&d.icr, 0, 1));
	CHECK_EQ(xa(0x00008500, 3u << 24), ICR_NOTHING);
	apic_icr_decode_xapic(0x0000069a, 3u << 24, &d);
	CHECK_EQ(d.action, ICR_STARTUP);
	CHECK_EQ(d.icr.vector, 0x9a);
	CHECK(apic_icr_reaches(&d.icr, 0, 3));
	/* Only bits 63:56 are the destination; 55:32 are reserved and ignored. */
	apic_icr_decode_xapic(0x0000069a, 0x03ffffffu, &d);
	CHECK_EQ(d.icr.dest, 3);
	/* The xAPIC has no #GP: reserved low bits (13, 16-17, 20-31) and the
	 * read-only delivery status are ignored. */
	CHECK_EQ(xa(0xfff3e69a, 3u << 24), ICR_STARTUP);
}

TEST(broadcast_init)
{
	struct apic_icr_decision d;

	/* All excluding self (Linux's old broadcast path, and kexec's). */
	apic_icr_decode_x2apic(0x00000000000cc500ULL, &d);
	CHECK_EQ(d.action, ICR_INIT);
	CHECK_EQ(d.icr.shorthand, ICR_DEST_OTHERS);
	CHECK(!apic_icr_reaches(&d.icr, 2, 2));
	CHECK(apic_icr_reaches(&d.icr, 2, 0));
	CHECK(apic_icr_reaches(&d.icr, 2, 3));
	apic_icr_decode_xapic(0x000cc500, 0, &d);
	CHECK_EQ(d.action, ICR_INIT);
	CHECK(apic_icr_reaches(&d.icr, 0, 1) && !apic_icr_reaches(&d.icr, 0, 0));
	CHECK_EQ(xa(0x000c069a, 0), ICR_STARTUP);
	/* Physical broadcast IDs reach every APIC (the caller leaves the sender out). */
	apic_icr_decode_xapic(0x0000c500, 0xffu << 24, &d);
	CHECK_EQ(d.action, ICR_INIT);
	CHECK(apic_icr_reaches(&d.icr, 0, 0) && apic_icr_reaches(&d.icr, 0, 7));
	apic_icr_decode_x2apic(0xffffffff0000c500ULL, &d);
	CHECK(apic_icr_reaches(&d.icr, 0, 0x1234));
	/* 0xff is an ordinary ID in x2APIC mode. */
	apic_icr_decode_x2apic(0x000000ff0000c500ULL, &d);
	CHECK(apic_icr_reaches(&d.icr, 0, 0xff) && !apic_icr_reaches(&d.icr, 0, 1));
}

TEST(invalid_shorthands_for_init_and_startup)
{
	struct apic_icr_decision d;

	apic_icr_decode_x2apic(0x000000000004c500ULL, &d);     /* INIT to self */
	CHECK_EQ(d.action, ICR_DROP);
	CHECK(d.why != NULL);
	CHECK_EQ(x2(0x0000000000080608ULL), ICR_DROP);         /* start-up to all including self */
	CHECK_EQ(xa(0x00044500, 0), ICR_DROP);
	/* The de-assert is nothing whatever its destination. */
	CHECK_EQ(x2(0x0000000000088500ULL), ICR_NOTHING);
}

TEST(logical_destinations)
{
	struct apic_icr_decision d;

	/* x2APIC cluster mode: cluster 1, bits 0 and 2 = IDs 0x10 and 0x12. */
	apic_icr_decode_x2apic(0x000100050000cd00ULL, &d);
	CHECK_EQ(d.action, ICR_INIT);
	CHECK(d.icr.logical);
	CHECK(apic_icr_reaches(&d.icr, 0, 0x10));
	CHECK(apic_icr_reaches(&d.icr, 0, 0x12));
	CHECK(!apic_icr_reaches(&d.icr, 0, 0x11));
	CHECK(!apic_icr_reaches(&d.icr, 0, 0x00));
	CHECK(!apic_icr_reaches(&d.icr, 0, 0x22));
	apic_icr_decode_x2apic(0xffffffff00000e08ULL, &d);      /* logical broadcast */
	CHECK_EQ(d.action, ICR_STARTUP);
	CHECK(apic_icr_reaches(&d.icr, 0, 5));
	/* xAPIC logical (flat or cluster: the targets' LDR and DFR decide): refused. */
	apic_icr_decode_xapic(0x0000cd00, 0x01u << 24, &d);
	CHECK_EQ(d.action, ICR_DROP);
	CHECK(d.why != NULL);
	CHECK(!apic_icr_reaches(&d.icr, 0, 0));
	/* ... but a shorthand ignores the destination mode. */
	CHECK_EQ(xa(0x000ccd00, 0), ICR_INIT);
	/* Fixed IPIs pass whatever their destination mode. */
	CHECK_EQ(xa(0x000008ec, 0x01u << 24), ICR_SEND);
}

TEST(passed_dropped_refused)
{
	CHECK_EQ(x2(0x00000001000000ecULL), ICR_SEND);   /* fixed to APIC 1 */
	CHECK_EQ(x2(0x00000000000c40fdULL), ICR_SEND);   /* fixed, all but self */
	CHECK_EQ(x2(0x0000000000000130ULL), ICR_SEND);   /* lowest priority */
	CHECK_EQ(x2(0x0000000200000400ULL), ICR_SEND);   /* NMI */
	CHECK_EQ(x2(0x0000000000000200ULL), ICR_DROP);   /* SMI */
	CHECK_EQ(x2(0x0000000000000300ULL), ICR_DROP);   /* reserved modes */
	CHECK_EQ(x2(0x0000000000000700ULL), ICR_DROP);
	CHECK_EQ(x2(0x00000000000010ecULL), ICR_GP);     /* bit 12 */
	CHECK_EQ(x2(0x00000000000020ecULL), ICR_GP);     /* bit 13 */
	CHECK_EQ(x2(0x00000000000100ecULL), ICR_GP);     /* bit 16 */
	CHECK_EQ(x2(0x00000000801000ecULL), ICR_GP);     /* bits 20-31 */
	CHECK_EQ(x2(0x000000010010c500ULL), ICR_GP);     /* an INIT with a reserved bit */
	CHECK_EQ(xa(0x000000ec, 1u << 24), ICR_SEND);
	CHECK_EQ(xa(0x00000400, 1u << 24), ICR_SEND);
	CHECK_EQ(xa(0x00000200, 1u << 24), ICR_DROP);
	/* An INIT with level 0 but edge-triggered is an INIT (only the
	 * level-triggered de-assert is special). */
	CHECK_EQ(xa(0x00000500, 1u << 24), ICR_INIT);
	CHECK_STR(apic_icr_mode_name(ICR_MODE_STARTUP), "start-up");
	CHECK_STR(apic_icr_mode_name((enum icr_mode)9), "?");
}

static uint64_t targets(uint64_t x2apic_icr, uint32_t self, const uint32_t *ids, unsigned int n)
{
	struct apic_icr_decision d;

	apic_icr_decode_x2apic(x2apic_icr, &d);
	return apic_icr_vcpu_targets(&d.icr, self, ids, n);
}

/* Only the VM's vCPUs, never the sender: CPU 6 runs no vCPU. */
TEST(init_and_startup_reach_other_vcpus_only)
{
	static const uint32_t ids[] = { 0, 2, 4 };

	CHECK_EQ(targets(0x000000020000c500ULL, 0, ids, 3), 1u << 1);          /* INIT to APIC 2 */
	CHECK_EQ(targets(0x000000040000069aULL, 0, ids, 3), 1u << 2);          /* SIPI to APIC 4 */
	CHECK_EQ(targets(0x000000060000c500ULL, 0, ids, 3), 0);                /* a CPU outside */
	CHECK_EQ(targets(0x000000000000c500ULL, 0, ids, 3), 0);                /* itself by ID */
	CHECK_EQ(targets(0x000000020000c500ULL, 2, ids, 3), 0);
	CHECK_EQ(targets(0x00000000000cc500ULL, 0, ids, 3), 1u << 1 | 1u << 2); /* all but self */
	CHECK_EQ(targets(0x00000000000c069aULL, 2, ids, 3), 1u << 0 | 1u << 2);
	CHECK_EQ(targets(0xffffffff0000c500ULL, 4, ids, 3), 1u << 0 | 1u << 1); /* broadcast, not self */
	CHECK_EQ(targets(0x00000000000cc500ULL, 0, ids, 1), 0);                /* a VM of one vCPU */
	CHECK_EQ(targets(0x000000020000c500ULL, 0, ids, 0), 0);
}

TEST(xapic_write_kinds)
{
	CHECK_EQ(apic_xapic_write_kind(0x300, 4), XAPIC_WRITE_ICR);
	CHECK_EQ(apic_xapic_write_kind(0x300, 8), XAPIC_WRITE_ICR);
	CHECK_EQ(apic_xapic_write_kind(0x310, 4), XAPIC_WRITE_OTHER);   /* ICR high */
	CHECK_EQ(apic_xapic_write_kind(0x0b0, 4), XAPIC_WRITE_OTHER);   /* EOI */
	CHECK_EQ(apic_xapic_write_kind(0x2fc, 4), XAPIC_WRITE_OTHER);
	CHECK_EQ(apic_xapic_write_kind(0x304, 4), XAPIC_WRITE_OTHER);
	CHECK_EQ(apic_xapic_write_kind(0x301, 1), XAPIC_WRITE_ICR_PART); /* the delivery mode byte */
	CHECK_EQ(apic_xapic_write_kind(0x300, 2), XAPIC_WRITE_ICR_PART);
	CHECK_EQ(apic_xapic_write_kind(0x2fc, 8), XAPIC_WRITE_ICR_PART); /* straddling */
	CHECK_EQ(apic_xapic_write_kind(0x302, 4), XAPIC_WRITE_ICR_PART);
}
