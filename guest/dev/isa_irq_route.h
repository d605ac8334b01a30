/* guest/dev/isa_irq_route.h - where an edge on a guest's ISA IRQ line goes, from
 * what the guest programmed: its I/O APIC redirection entry (82093AA data
 * sheet, 3.2.4; SDM Vol. 3A, 11.6.1 for what a fixed/lowest-priority message
 * is) and whether its 8259's output reaches the CPU (SDM Vol. 3A, 11.5.1,
 * LVT LINT0 as ExtINT, or the local APIC disabled). Pure. */
#ifndef GUEST_ISA_IRQ_ROUTE_H
#define GUEST_ISA_IRQ_ROUTE_H

#include "lib/compiler.h"

#define IOAPIC_RTE_VECTOR       0xffu
#define IOAPIC_RTE_DELMOD_SHIFT 8
#define IOAPIC_RTE_DESTMOD      (1ull << 11)    /* 1 = logical */
#define IOAPIC_RTE_POLARITY     (1ull << 13)    /* 1 = active low */
#define IOAPIC_RTE_LEVEL        (1ull << 15)
#define IOAPIC_RTE_MASKED       (1ull << 16)
#define IOAPIC_RTE_DEST_SHIFT   56

#define APIC_DELMOD_FIXED       0
#define APIC_DELMOD_LOWEST      1
#define APIC_DELMOD_SMI         2
#define APIC_DELMOD_NMI         4
#define APIC_DELMOD_INIT        5
#define APIC_DELMOD_EXTINT      7

#define APIC_LVT_DELMOD_SHIFT   8
#define APIC_LVT_MASKED         (1u << 16)
#define APIC_FIRST_LEGAL_VECTOR 16              /* 0-15: "illegal vector" for fixed IPIs (11.5.3) */

enum ioapic_verdict {
	IOAPIC_MASKED,              /* the pin is masked: an edge is dropped, as the chip drops it */
	IOAPIC_SEND,                /* a fixed interrupt with the entry's vector to this CPU */
	IOAPIC_REFUSED,             /* programmed with something the hypervisor does not send */
};

/* What an edge on a pin programmed rte becomes: *vector gets the vector of
 * IOAPIC_SEND; *why a reason for IOAPIC_REFUSED (SMI, NMI, INIT, ExtINT,
 * reserved delivery modes, vectors below 16). Lowest priority is sent as
 * fixed (to the entry's destination, which the caller takes from rte), nor
 * is the trigger mode looked at (an edge is sent either way). */
enum ioapic_verdict ioapic_rte_verdict(uint64_t rte, uint8_t *vector, const char **why);

/* Whether the 8259's INTR output reaches the CPU: the local APIC is disabled
 * in IA32_APIC_BASE (then INTR goes straight to the core), or its LVT LINT0
 * entry is unmasked with delivery mode ExtINT (virtual-wire mode). */
bool i8259_reaches_cpu(bool lapic_enabled, uint32_t lvt_lint0);

/* "vector 0x34, fixed, edge, physical destination 0x00" for the shell. */
void ioapic_rte_describe(uint64_t rte, char *buf, size_t len);

#endif
