/* arch/gdt.c - GDT and 64-bit TSS of a CPU (SDM Vol. 3A, 3.4.5 and 8.7). */
#include "arch/gdt.h"
#include "arch/cpu.h"
#include "arch/stack.h"

struct __packed tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];                /* ist[0] is IST1 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};
_Static_assert(sizeof(struct tss64) == 104, "SDM Figure 8-11");

#define GDT_CODE64 0x00af9a000000ffffULL   /* P, DPL0, code exec/read, L */
#define GDT_DATA   0x00cf92000000ffffULL   /* P, DPL0, data read/write */
#define TSS_TYPE_AVAILABLE 0x9

static struct tss64 boot_tss __aligned(16);
static uint64_t boot_gdt[5] __aligned(16);

void gdt_init(void)
{
	uint64_t base = (uint64_t)(uintptr_t)&boot_tss;
	uint64_t limit = sizeof(boot_tss) - 1;
	struct descriptor_ptr p = { sizeof(boot_gdt) - 1, (uint64_t)(uintptr_t)boot_gdt };

	boot_tss.ist[IST_DF - 1] = stack_ist_top(IST_DF);
	boot_tss.ist[IST_NMI - 1] = stack_ist_top(IST_NMI);
	boot_tss.ist[IST_MC - 1] = stack_ist_top(IST_MC);
	boot_tss.iomap_base = sizeof(boot_tss);   /* no I/O permission bitmap */

	boot_gdt[0] = 0;
	boot_gdt[GDT_SEL_CODE / 8] = GDT_CODE64;
	boot_gdt[GDT_SEL_DATA / 8] = GDT_DATA;
	/* 16-byte system descriptor: type 9, present, base and limit split up. */
	boot_gdt[GDT_SEL_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
				    ((uint64_t)TSS_TYPE_AVAILABLE << 40) | (1ULL << 47) |
				    (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	boot_gdt[GDT_SEL_TSS / 8 + 1] = base >> 32;

	lgdt(&p);
	asm volatile("pushq %[cs]\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "movl %[ds], %%eax\n\t"
		     "movl %%eax, %%ds\n\t"
		     "movl %%eax, %%es\n\t"
		     "movl %%eax, %%ss\n\t"
		     "xorl %%eax, %%eax\n\t"
		     "movl %%eax, %%fs\n\t"
		     "movl %%eax, %%gs\n\t"
		     : : [cs] "i"(GDT_SEL_CODE), [ds] "i"(GDT_SEL_DATA) : "rax", "memory");
	ltr(GDT_SEL_TSS);
}
