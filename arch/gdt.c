/* arch/gdt.c - GDT and 64-bit TSS of a CPU (SDM Vol. 3A, 3.4.5 and 8.7). */
#include "arch/gdt.h"

#define GDT_CODE64 0x00af9a000000ffffULL   /* P, DPL0, code exec/read, L */
#define GDT_DATA   0x00cf92000000ffffULL   /* P, DPL0, data read/write */
#define TSS_TYPE_AVAILABLE 0x9

void tss_build(struct tss64 *t, const uint64_t ist_top[IST_USED])
{
	*t = (struct tss64){ .iomap_base = sizeof(*t) };   /* no I/O permission bitmap */
	for (unsigned int i = 0; i < IST_USED; i++)
		t->ist[i] = ist_top[i];
}

void gdt_build(uint64_t gdt[GDT_ENTRIES], uint64_t tss_base)
{
	uint64_t limit = sizeof(struct tss64) - 1;

	gdt[0] = 0;
	gdt[GDT_SEL_CODE / 8] = GDT_CODE64;
	gdt[GDT_SEL_DATA / 8] = GDT_DATA;
	/* 16-byte system descriptor (Figure 8-4): type 9, present, base and limit split up. */
	gdt[GDT_SEL_TSS / 8] = (limit & 0xffff) | ((tss_base & 0xffffff) << 16) |
			       ((uint64_t)TSS_TYPE_AVAILABLE << 40) | (1ULL << 47) |
			       (((limit >> 16) & 0xf) << 48) | (((tss_base >> 24) & 0xff) << 56);
	gdt[GDT_SEL_TSS / 8 + 1] = tss_base >> 32;
}

uint64_t gdt_system_base(const uint64_t *gdt, uint16_t sel)
{
	const uint64_t *d = &gdt[sel / 8];

	return ((d[0] >> 16) & 0xffffff) | ((d[0] >> 56) << 24) | (d[1] << 32);
}
