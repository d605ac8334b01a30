/* tests/unit/guest/test_isa_irq_route.c - what an ISA IRQ edge becomes: the
 * I/O APIC entry's verdict (only fixed/lowest-priority messages with a legal
 * vector are sent) and whether the 8259 reaches the CPU. */
#include "guest/dev/isa_irq_route.h"
#include "tests/unit/check.h"

static enum ioapic_verdict verdict(uint64_t rte, uint8_t *vec)
{
	const char *why;
	enum ioapic_verdict v = ioapic_rte_verdict(rte, vec, &why);

	CHECK((v == IOAPIC_REFUSED) == (why != NULL));
	return v;
}

TEST(linux_entry_is_sent)
{
	uint8_t vec = 0;

	/* Linux's entry for ISA IRQ 4: vector 0x24, fixed, physical, edge, high. */
	CHECK_EQ(verdict(0x24, &vec), IOAPIC_SEND);
	CHECK_EQ(vec, 0x24);
	/* Lowest priority, logical, to some other CPU (ioapic_rte_ipi says which). */
	CHECK_EQ(verdict(0x0300000000000931ull, &vec), IOAPIC_SEND);
	CHECK_EQ(vec, 0x31);
	/* Level-triggered: sent as an edge. */
	CHECK_EQ(verdict(0x8040 | 0x2000, &vec), IOAPIC_SEND);
}

TEST(masked_entry_drops_the_edge)
{
	uint8_t vec;

	CHECK_EQ(verdict(IOAPIC_RTE_MASKED | 0x24, &vec), IOAPIC_MASKED);
	/* Masked wins over anything nonsensical. */
	CHECK_EQ(verdict(IOAPIC_RTE_MASKED | 0x500 | 0x02, &vec), IOAPIC_MASKED);
	/* The reset state: masked, vector 0. */
	CHECK_EQ(verdict(IOAPIC_RTE_MASKED, &vec), IOAPIC_MASKED);
}

TEST(dangerous_or_illegal_entries_are_refused)
{
	uint8_t vec;

	for (unsigned int mode = 2; mode < 8; mode++)           /* SMI, NMI, INIT, ExtINT, reserved */
		CHECK_EQ(verdict((uint64_t)mode << 8 | 0x40, &vec), IOAPIC_REFUSED);
	for (unsigned int v = 0; v < 16; v++)
		CHECK_EQ(verdict(v, &vec), IOAPIC_REFUSED);
	CHECK_EQ(verdict(0x10, &vec), IOAPIC_SEND);             /* 16 is legal (if odd) */
	CHECK_EQ(verdict(0x1ff, &vec), IOAPIC_SEND);            /* lowest priority, 0xff */
}

static struct apic_ipi ipi_for(uint64_t rte, enum apic_logical_model m)
{
	struct apic_ipi ipi;

	ioapic_rte_ipi(rte, m, &ipi);
	return ipi;
}

TEST(ipi_goes_where_the_entry_points)
{
	struct apic_ipi ipi;

	/* Physical: the APIC ID, whatever the logical model. */
	ipi = ipi_for(0x0100000000000024ull, APIC_LOGICAL_FLAT);
	CHECK(!ipi.self && !ipi.logical);
	CHECK_EQ(ipi.dest, 1u);
	ipi = ipi_for(0x0300000000000124ull, APIC_LOGICAL_X2APIC);   /* lowest, physical */
	CHECK(!ipi.self && !ipi.logical);
	CHECK_EQ(ipi.dest, 3u);
	ipi = ipi_for(0xff00000000000024ull, APIC_LOGICAL_FLAT);     /* physical broadcast */
	CHECK_EQ(ipi.dest, 0xffu);
	/* Flat logical: fixed keeps the whole mask; lowest priority picks one CPU. */
	ipi = ipi_for(0x0600000000000824ull, APIC_LOGICAL_FLAT);
	CHECK(ipi.logical && !ipi.self);
	CHECK_EQ(ipi.dest, 0x06u);
	ipi = ipi_for(0x0600000000000924ull, APIC_LOGICAL_FLAT);
	CHECK_EQ(ipi.dest, 0x02u);
	ipi = ipi_for(0x0000000000000924ull, APIC_LOGICAL_FLAT);     /* nobody: nobody */
	CHECK_EQ(ipi.dest, 0u);
	/* Cluster: the cluster kept, one member for lowest priority. */
	ipi = ipi_for(0x2c00000000000924ull, APIC_LOGICAL_CLUSTER);
	CHECK_EQ(ipi.dest, 0x24u);
	ipi = ipi_for(0x2c00000000000824ull, APIC_LOGICAL_CLUSTER);
	CHECK_EQ(ipi.dest, 0x2cu);
	ipi = ipi_for(0xfc00000000000924ull, APIC_LOGICAL_CLUSTER);  /* all clusters */
	CHECK_EQ(ipi.dest, 0xfcu);
	/* x2APIC logical: no 8-bit name for it: this CPU. */
	ipi = ipi_for(0x0100000000000824ull, APIC_LOGICAL_X2APIC);
	CHECK(ipi.self);
}

TEST(i8259_connection)
{
	CHECK(i8259_reaches_cpu(false, APIC_LVT_MASKED));      /* APIC off: INTR direct */
	CHECK(i8259_reaches_cpu(true, 0x700));                  /* virtual wire */
	CHECK(!i8259_reaches_cpu(true, 0x10700));               /* masked (or APIC soft-disabled) */
	CHECK(!i8259_reaches_cpu(true, 0x400));                 /* LINT0 as NMI */
	CHECK(!i8259_reaches_cpu(true, 0x000));                 /* fixed */
}

TEST(describe)
{
	char buf[96];

	ioapic_rte_describe(0x0100000000000924ull | IOAPIC_RTE_MASKED, buf, sizeof(buf));
	CHECK_STR(buf, "vector 0x24, lowest priority, edge, logical destination 0x01, masked");
	ioapic_rte_describe(0x8434, buf, sizeof(buf));
	CHECK_STR(buf, "vector 0x34, NMI, level, physical destination 0x00");
}
