/* tests/unit/guest/test_i8259_shadow.c - following the master 8259A's
 * initialization and mask, and EOIs of the IRQs the hypervisor injected. */
#include "guest/dev/i8259_shadow.h"
#include "tests/unit/check.h"

static struct i8259_shadow s;

static bool wr(unsigned int reg, uint8_t val)
{
	return i8259_shadow_write(&s, reg, val, 0);
}

TEST(bios_default_until_programmed)
{
	i8259_shadow_reset(&s, 0xb8);
	CHECK_EQ(s.imr, 0xb8);
	CHECK(!s.base_known);
	CHECK_EQ(i8259_vector(&s, 4), 0x0c);             /* the BIOS's INT 0Ch */
	CHECK(wr(I8259_DATA, 0xef));                     /* OCW1 */
	CHECK_EQ(s.imr, 0xef);
}

/* Linux's init_8259A: ICW1 0x11, ICW2 0x30, ICW3 0x04, ICW4 0x01, then the mask. */
TEST(linux_init_sequence)
{
	i8259_shadow_reset(&s, 0xff);
	CHECK(wr(I8259_DATA, 0xff));
	CHECK(wr(I8259_CMD, 0x11));
	CHECK_EQ(s.imr, 0);                              /* ICW1 clears the mask */
	CHECK(wr(I8259_DATA, 0x30));
	CHECK(wr(I8259_DATA, 0x04));
	CHECK_EQ(s.imr, 0);                              /* ICW3, not a mask */
	CHECK(wr(I8259_DATA, 0x01));
	CHECK_EQ(s.imr, 0);                              /* ICW4, not a mask */
	CHECK(s.base_known);
	CHECK_EQ(i8259_vector(&s, 4), 0x34);
	CHECK(wr(I8259_DATA, 0xfb));
	CHECK_EQ(s.imr, 0xfb);
}

/* Single mode without ICW4: ICW2 is the last word; ICW2's low bits are ignored. */
TEST(single_without_icw4)
{
	i8259_shadow_reset(&s, 0);
	CHECK(wr(I8259_CMD, 0x12));
	CHECK(wr(I8259_DATA, 0x47));
	CHECK_EQ(i8259_vector(&s, 4), 0x44);
	CHECK(wr(I8259_DATA, 0x10));
	CHECK_EQ(s.imr, 0x10);
}

/* An injected IRQ's EOI stays here; the chip's own IRQs' EOIs reach it. */
TEST(eoi_of_injected_irq)
{
	i8259_shadow_reset(&s, 0);
	CHECK(wr(I8259_CMD, 0x20));                      /* nothing injected: to the chip */
	CHECK(!i8259_shadow_needs_isr(&s, I8259_CMD, 0x20));
	i8259_shadow_injected(&s, 4);
	CHECK(i8259_shadow_needs_isr(&s, I8259_CMD, 0x20));
	CHECK(!i8259_shadow_needs_isr(&s, I8259_CMD, 0x64));
	/* The chip has IRQ 0 in service (higher priority): the EOI is its. */
	CHECK(i8259_shadow_write(&s, I8259_CMD, 0x20, 0x01));
	CHECK_EQ(s.injected_isr, 0x10);
	/* Nothing else in service: ours. */
	CHECK(!i8259_shadow_write(&s, I8259_CMD, 0x20, 0x00));
	CHECK_EQ(s.injected_isr, 0);
	/* IRQ 6 in service at the chip, lower priority than our IRQ 4. */
	i8259_shadow_injected(&s, 4);
	CHECK(!i8259_shadow_write(&s, I8259_CMD, 0x20, 0x40));
	/* Specific EOI (0x64), as Linux sends it. */
	i8259_shadow_injected(&s, 4);
	CHECK(wr(I8259_CMD, 0x63));                      /* IRQ 3's: the chip's */
	CHECK(!wr(I8259_CMD, 0x64));
	CHECK_EQ(s.injected_isr, 0);
	CHECK(wr(I8259_CMD, 0x64));                      /* twice: the chip's business */
}

TEST(ocw3_read_select_and_icw1_reset)
{
	i8259_shadow_reset(&s, 0);
	CHECK(wr(I8259_CMD, I8259_OCW3_READ_ISR));
	CHECK(s.read_isr);
	CHECK(wr(I8259_CMD, 0x08));                      /* OCW3 without RR: unchanged */
	CHECK(s.read_isr);
	CHECK(wr(I8259_CMD, I8259_OCW3_READ_IRR));
	CHECK(!s.read_isr);
	i8259_shadow_injected(&s, 4);
	CHECK(wr(I8259_CMD, 0x11));                      /* re-initialization forgets it */
	CHECK_EQ(s.injected_isr, 0);
}
