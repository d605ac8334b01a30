/* arch/idt.h - the interrupt descriptor table (SDM Vol. 3A, 6.14.1): gates
 * as the CPU reads them (pure: host tests check the encoding; arch/percpu.c
 * loads a CPU's table). */
#ifndef ARCH_IDT_H
#define ARCH_IDT_H

#include "lib/compiler.h"

#define IDT_VECTORS 256

struct __packed idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "SDM Figure 6-8");

/* Fills idt: interrupt gates (DPL 0, kernel code selector) to stubs[v] for
 * the first n vectors, #DF, NMI and #MC on their IST stacks; the rest not
 * present. */
void idt_build(struct idt_gate idt[IDT_VECTORS], const uint64_t *stubs, unsigned int n);

/* The handler address a gate points at. */
static inline uint64_t idt_gate_offset(const struct idt_gate *g)
{
	return g->offset_lo | (uint64_t)g->offset_mid << 16 | (uint64_t)g->offset_hi << 32;
}

#endif
