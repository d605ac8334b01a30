/* guest/dev/isa_irq_route.c - deciding where a guest's ISA IRQ edge goes from its
 * I/O APIC redirection entry and its 8259's connection to the CPU. Pure. */
#include "guest/dev/isa_irq_route.h"
#include "lib/format.h"

static const char *const delmod_names[8] = {
	"fixed", "lowest priority", "SMI", "reserved (3)", "NMI", "INIT", "reserved (6)", "ExtINT",
};

enum ioapic_verdict ioapic_rte_verdict(uint64_t rte, uint8_t *vector, const char **why)
{
	unsigned int mode = (rte >> IOAPIC_RTE_DELMOD_SHIFT) & 7;

	*vector = (uint8_t)(rte & IOAPIC_RTE_VECTOR);
	*why = NULL;
	if (rte & IOAPIC_RTE_MASKED)
		return IOAPIC_MASKED;
	/* Never an SMI, NMI or INIT (or ExtINT, which needs an 8259 to answer
	 * the acknowledge) on the guest's say-so. */
	if (mode != APIC_DELMOD_FIXED && mode != APIC_DELMOD_LOWEST) {
		*why = "its delivery mode is not fixed or lowest priority";
		return IOAPIC_REFUSED;
	}
	if (*vector < APIC_FIRST_LEGAL_VECTOR) {
		*why = "vectors below 16 are illegal for a fixed interrupt";
		return IOAPIC_REFUSED;
	}
	return IOAPIC_SEND;
}

/* The lowest set bit of m, 0 if none. */
static uint32_t lowest_bit(uint32_t m)
{
	return m & (~m + 1);
}

void ioapic_rte_ipi(uint64_t rte, enum apic_logical_model model, struct apic_ipi *ipi)
{
	uint32_t dest = (uint32_t)(rte >> IOAPIC_RTE_DEST_SHIFT) & 0xff;
	bool lowest = ((rte >> IOAPIC_RTE_DELMOD_SHIFT) & 7) == APIC_DELMOD_LOWEST;

	ipi->self = false;
	ipi->logical = rte & IOAPIC_RTE_DESTMOD;
	ipi->dest = dest;
	if (!ipi->logical)
		return;
	switch (model) {
	case APIC_LOGICAL_FLAT:
		if (lowest)
			ipi->dest = lowest_bit(dest);
		break;
	case APIC_LOGICAL_CLUSTER:
		/* Cluster 15 is the broadcast to all clusters (11.6.2.2): kept. */
		if (lowest && (dest >> 4) != 0xf)
			ipi->dest = (dest & 0xf0) | lowest_bit(dest & 0x0f);
		break;
	case APIC_LOGICAL_X2APIC:
		ipi->self = true;
		break;
	}
}

bool i8259_reaches_cpu(bool lapic_enabled, uint32_t lvt_lint0)
{
	if (!lapic_enabled)
		return true;
	return !(lvt_lint0 & APIC_LVT_MASKED) &&
	       ((lvt_lint0 >> APIC_LVT_DELMOD_SHIFT) & 7) == APIC_DELMOD_EXTINT;
}

void ioapic_rte_describe(uint64_t rte, char *buf, size_t len)
{
	fmt_snprintf(buf, len, "vector 0x%02x, %s, %s, %s destination 0x%02x%s",
		     (unsigned int)(rte & IOAPIC_RTE_VECTOR),
		     delmod_names[(rte >> IOAPIC_RTE_DELMOD_SHIFT) & 7],
		     rte & IOAPIC_RTE_LEVEL ? "level" : "edge",
		     rte & IOAPIC_RTE_DESTMOD ? "logical" : "physical",
		     (unsigned int)(rte >> IOAPIC_RTE_DEST_SHIFT),
		     rte & IOAPIC_RTE_MASKED ? ", masked" : "");
}
