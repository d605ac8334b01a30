/* tests/guests/lib/desc.c - the guests' own GDT, TSS and IDT (SDM Vol. 3A,
 * 3.4.5, 7.7 and 6.14): 64-bit for long64 guests, 32-bit for prot32 ones. */
#include "tests/guests/lib/guest.h"

extern const char isr_stubs[];          /* lib/entry*.S: 256 stubs, 16 bytes apart */
extern trap_handler trap_handlers[256]; /* lib/trap.c */

struct __attribute__((packed)) table_reg {
	uint16_t limit;
	uintptr_t base;
};

#ifdef __x86_64__
struct __attribute__((packed)) tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
};
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS layout");

struct idt_gate {
	uint16_t offset0, selector;
	uint8_t ist, type;                  /* type: P, DPL, 0xe = interrupt gate */
	uint16_t offset1;
	uint32_t offset2, reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit gate layout");

static struct tss64 tss;
static uint8_t ring0_stack[4096] __attribute__((aligned(16)));   /* CPL 3 -> 0 (TSS.RSP0) */

static uint64_t gdt[7] = {
	0,
	0x00af9a000000ffff,                 /* 0x08 kernel code, 64-bit */
	0x00cf92000000ffff,                 /* 0x10 kernel data */
	0x00cff2000000ffff,                 /* 0x18 user data (DPL 3) */
	0x00affa000000ffff,                 /* 0x20 user code, 64-bit (DPL 3) */
	0, 0,                               /* 0x28 TSS, filled in below */
};
#else
struct idt_gate {
	uint16_t offset0, selector;
	uint8_t zero, type;
	uint16_t offset1;
};
_Static_assert(sizeof(struct idt_gate) == 8, "32-bit gate layout");

static uint64_t gdt[3] = {
	0,
	0x00cf9a000000ffff,                 /* 0x08 code, 32-bit, base 0, 4 GiB */
	0x00cf92000000ffff,                 /* 0x10 data */
};
#endif

static struct idt_gate idt[256];

void idt_set_gate(unsigned vector, unsigned dpl, unsigned ist)
{
	uintptr_t a = (uintptr_t)isr_stubs + 16 * vector;
	struct idt_gate *g = &idt[vector & 255];

	g->offset0 = (uint16_t)a;
	g->selector = KERNEL_CS;
	g->type = (uint8_t)(0x8e | (dpl & 3) << 5);
	g->offset1 = (uint16_t)(a >> 16);
#ifdef __x86_64__
	g->ist = (uint8_t)(ist & 7);
	g->offset2 = (uint32_t)(a >> 32);
#else
	(void)ist;
#endif
}

void idt_set_handler(unsigned vector, trap_handler h)
{
	trap_handlers[vector & 255] = h;
}

#ifdef __x86_64__
void tss_set_ist(unsigned ist, uintptr_t top)
{
	if (ist >= 1 && ist <= 7)
		tss.ist[ist - 1] = top;
}
#endif

void desc_init(void)
{
	struct table_reg gdtr = { sizeof(gdt) - 1, (uintptr_t)gdt };
	struct table_reg idtr = { sizeof(idt) - 1, (uintptr_t)idt };

	for (unsigned v = 0; v < 256; v++)
		idt_set_gate(v, 0, 0);
#ifdef __x86_64__
	uint64_t t = (uintptr_t)&tss;

	tss.rsp[0] = (uintptr_t)ring0_stack + sizeof(ring0_stack);
	tss.iomap_base = sizeof(tss);       /* no I/O bitmap */
	gdt[TSS_SEL / 8] = (sizeof(tss) - 1) | (t & 0xffffff) << 16 | 0x89ull << 40 |
			   (t >> 24 & 0xff) << 56;   /* present, available 64-bit TSS */
	gdt[TSS_SEL / 8 + 1] = t >> 32;
	asm volatile("lgdt %0\n\t"
		     "pushq %1\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "mov %2, %%ds\n\t"
		     "mov %2, %%es\n\t"
		     "mov %2, %%ss\n\t"
		     "ltr %w3"
		     : : "m"(gdtr), "i"(KERNEL_CS), "r"(KERNEL_DS), "r"(TSS_SEL) : "rax", "memory");
#else
	asm volatile("lgdt %0\n\t"
		     "ljmp %1, $1f\n"
		     "1:\n\t"
		     "mov %2, %%ds\n\t"
		     "mov %2, %%es\n\t"
		     "mov %2, %%ss"
		     : : "m"(gdtr), "i"(KERNEL_CS), "r"(KERNEL_DS) : "memory");
#endif
	asm volatile("lidt %0" : : "m"(idtr) : "memory");
}
