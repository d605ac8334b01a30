/* arch/idt.c - the interrupt descriptor table (SDM Vol. 3A, 6.14.1). */
#include "arch/idt.h"
#include "arch/gdt.h"
#include "arch/vectors.h"

#define GATE_INTERRUPT_P_DPL0 0x8e

static unsigned int vector_ist(unsigned int v)
{
	/* These can arrive on a broken stack (overflow into a guard page ends in #DF). */
	switch (v) {
	case VEC_DF:  return IST_DF;
	case VEC_NMI: return IST_NMI;
	case VEC_MC:  return IST_MC;
	}
	return 0;
}

void idt_build(struct idt_gate idt[IDT_VECTORS], const uint64_t *stubs, unsigned int n)
{
	for (unsigned int v = 0; v < IDT_VECTORS; v++) {
		uint64_t a = v < n ? stubs[v] : 0;

		idt[v] = v >= n ? (struct idt_gate){ 0 } : (struct idt_gate){
			.offset_lo = a & 0xffff,
			.selector = GDT_SEL_CODE,
			.ist = (uint8_t)vector_ist(v),
			.type_attr = GATE_INTERRUPT_P_DPL0,
			.offset_mid = (a >> 16) & 0xffff,
			.offset_hi = a >> 32,
		};
	}
}
