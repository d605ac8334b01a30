/* guest/dev/i8259_shadow.h - what the guest programmed into the master 8259A
 * (Intel 8259A data sheet: ICW1-ICW4, OCW1-OCW3), followed from its writes
 * to ports 0x20/0x21, which still reach the chip: the vector base (ICW2 is
 * write-only) and the mask, for injecting an ISA IRQ as the chip would
 * present it; and the IRQs the hypervisor injected that the chip does not
 * know are in service, so their EOIs are not passed to it. Pure. */
#ifndef GUEST_I8259_SHADOW_H
#define GUEST_I8259_SHADOW_H

#include "lib/compiler.h"

#define I8259_CMD          0          /* port 0x20: ICW1, OCW2, OCW3 */
#define I8259_DATA         1          /* port 0x21: ICW2-4, OCW1 (IMR) */
#define I8259_ICW1         0x10       /* a command write with bit 4 is ICW1 */
#define I8259_ICW1_IC4     0x01       /* ICW4 follows */
#define I8259_ICW1_SNGL    0x02       /* single 8259: no ICW3 */
#define I8259_OCW3         0x08       /* a command write with bits 4:3 = 01 is OCW3 */
#define I8259_OCW2_EOI     0x20       /* OCW2 with EOI: 0x20 non-specific, 0x60 | n specific */
#define I8259_OCW2_SL      0x40
#define I8259_OCW3_RR      0x02       /* OCW3: set the read-register select... */
#define I8259_OCW3_RIS     0x01       /* ...to ISR (1) or IRR (0) */
#define I8259_OCW3_READ_IRR 0x0a
#define I8259_OCW3_READ_ISR 0x0b
#define I8259_BIOS_BASE    0x08       /* the PC BIOS's master vectors (IRQ 0-7 -> 0x08-0x0f) */

enum i8259_next { I8259_NEXT_OCW1, I8259_NEXT_ICW2, I8259_NEXT_ICW3, I8259_NEXT_ICW4 };

struct i8259_shadow {
	uint8_t base;                 /* ICW2 bits 7:3: vector of IRQ 0 */
	bool base_known;              /* the guest wrote ICW2 since the hypervisor started */
	uint8_t icw1;                 /* the last ICW1 (IC4, SNGL) */
	enum i8259_next next;         /* what the next data-port write is */
	uint8_t imr;                  /* OCW1: 1 = IRQ masked */
	uint8_t injected_isr;         /* IRQs injected by the hypervisor, not yet EOI'd */
	bool read_isr;                /* OCW3 RR/RIS: port 0x20 reads ISR (else IRR) */
};

/* Starts following a chip whose mask reads imr and whose base is the BIOS's. */
void i8259_shadow_reset(struct i8259_shadow *s, uint8_t imr);

/* Follows a guest write of val to reg (I8259_CMD or I8259_DATA). Returns
 * false if the write must not reach the chip: an EOI that belongs to an
 * IRQ the hypervisor injected (the chip has nothing in service for it). */
bool i8259_shadow_write(struct i8259_shadow *s, unsigned int reg, uint8_t val, uint8_t chip_isr);

/* Whether i8259_shadow_write() needs the chip's in-service register for this
 * write: a non-specific EOI while an injected IRQ is in service. */
bool i8259_shadow_needs_isr(const struct i8259_shadow *s, unsigned int reg, uint8_t val);

/* The vector the chip gives IRQ irq (0-7) as programmed. */
uint8_t i8259_vector(const struct i8259_shadow *s, unsigned int irq);

/* The hypervisor injected IRQ irq: it is in service until the guest's EOI. */
void i8259_shadow_injected(struct i8259_shadow *s, unsigned int irq);

#endif
