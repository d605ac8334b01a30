/* guest/dev/i8259_shadow.c - following the master 8259A's programming (8259A data
 * sheet, "Initialization command words" and "Operation command words"). Pure. */
#include "guest/dev/i8259_shadow.h"

void i8259_shadow_reset(struct i8259_shadow *s, uint8_t imr)
{
	*s = (struct i8259_shadow){ .base = I8259_BIOS_BASE, .imr = imr, .next = I8259_NEXT_OCW1 };
}

uint8_t i8259_vector(const struct i8259_shadow *s, unsigned int irq)
{
	return (uint8_t)((s->base & 0xf8) | (irq & 7));
}

void i8259_shadow_injected(struct i8259_shadow *s, unsigned int irq)
{
	s->injected_isr |= (uint8_t)(1u << (irq & 7));
}

/* The highest-priority IRQ in service among the chip's and ours (fully nested
 * mode without rotation: IRQ 0 highest), or -1. */
static int highest_in_service(uint8_t isr)
{
	for (int i = 0; i < 8; i++)
		if (isr & (1u << i))
			return i;
	return -1;
}

/* OCW2: an EOI for an injected IRQ ends it here; the chip never saw it. */
static bool ocw2(struct i8259_shadow *s, uint8_t val, uint8_t chip_isr)
{
	int irq;

	if ((val & (I8259_OCW2_EOI | I8259_OCW2_SL)) == (I8259_OCW2_EOI | I8259_OCW2_SL))
		irq = val & 7;                                      /* specific EOI */
	else if ((val & (I8259_OCW2_EOI | I8259_OCW2_SL)) == I8259_OCW2_EOI)
		irq = highest_in_service(chip_isr | s->injected_isr); /* non-specific */
	else
		return true;                                        /* priority commands */
	if (irq < 0 || !(s->injected_isr & (1u << irq)))
		return true;
	s->injected_isr &= (uint8_t)~(1u << irq);
	return false;
}

bool i8259_shadow_needs_isr(const struct i8259_shadow *s, unsigned int reg, uint8_t val)
{
	return s->injected_isr && reg == I8259_CMD && !(val & (I8259_ICW1 | I8259_OCW3)) &&
	       (val & (I8259_OCW2_EOI | I8259_OCW2_SL)) == I8259_OCW2_EOI;
}

bool i8259_shadow_write(struct i8259_shadow *s, unsigned int reg, uint8_t val, uint8_t chip_isr)
{
	if (reg == I8259_CMD) {
		if (val & I8259_ICW1) {
			/* ICW1 clears the mask and restarts the sequence. */
			s->icw1 = val;
			s->imr = 0;
			s->injected_isr = 0;
			s->read_isr = false;
			s->next = I8259_NEXT_ICW2;
			return true;
		}
		if (val & I8259_OCW3) {
			if (val & I8259_OCW3_RR)
				s->read_isr = val & I8259_OCW3_RIS;
			return true;
		}
		return ocw2(s, val, chip_isr);
	}
	switch (s->next) {
	case I8259_NEXT_ICW2:
		s->base = val & 0xf8;
		s->base_known = true;
		s->next = !(s->icw1 & I8259_ICW1_SNGL) ? I8259_NEXT_ICW3 :
			  (s->icw1 & I8259_ICW1_IC4) ? I8259_NEXT_ICW4 : I8259_NEXT_OCW1;
		break;
	case I8259_NEXT_ICW3:
		s->next = (s->icw1 & I8259_ICW1_IC4) ? I8259_NEXT_ICW4 : I8259_NEXT_OCW1;
		break;
	case I8259_NEXT_ICW4:
		s->next = I8259_NEXT_OCW1;
		break;
	case I8259_NEXT_OCW1:
		s->imr = val;
		break;
	}
	return true;
}
