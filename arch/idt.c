/* arch/idt.c - the interrupt descriptor table (SDM Vol. 3A, 6.14.1). */
#include "arch/idt.h"
#include "arch/trap.h"
#include "arch/stack.h"
#include "arch/cpu.h"
#include "arch/gdt.h"

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

#define GATE_INTERRUPT_P_DPL0 0x8e

extern const uint64_t isr_stubs[32];    /* arch/isr.asm */
static struct idt_gate idt[256] __aligned(16);

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

void idt_init(void)
{
	struct descriptor_ptr p = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	for (unsigned int v = 0; v < ARRAY_SIZE(isr_stubs); v++) {
		uint64_t a = isr_stubs[v];

		idt[v] = (struct idt_gate){
			.offset_lo = a & 0xffff,
			.selector = GDT_SEL_CODE,
			.ist = (uint8_t)vector_ist(v),
			.type_attr = GATE_INTERRUPT_P_DPL0,
			.offset_mid = (a >> 16) & 0xffff,
			.offset_hi = a >> 32,
		};
	}
	lidt(&p);
}
