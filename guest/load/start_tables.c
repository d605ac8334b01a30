/* guest/load/start_tables.c - the flat GDT and identity page tables a
 * protected- or long-mode start needs (SDM Vol. 3A, 4.5 and 9.8.5 for what a
 * 64-bit start needs), for the ELF, Multiboot and Linux paths. */
#include "guest/load/start_tables.h"
#include "guest/gmem.h"
#include "lib/string.h"

#define GDT_CODE64 0x00af9b000000ffffULL
#define GDT_CODE32 0x00cf9b000000ffffULL
#define GDT_DATA32 0x00cf93000000ffffULL
#define PTE_P_W_U  0x7ULL
#define PDE_2M     0x87ULL                  /* P, W, U, PS */

/* A flat GDT: 0x10 code (64- or 32-bit), 0x18 data, as the Linux boot
 * protocol's __BOOT_CS/__BOOT_DS and Multiboot's flat segments expect. */
void loader_build_gdt(struct vcpu_start *s, gpa_t at, bool long64)
{
	uint64_t *gdt = gmem_ptr(at);

	gdt[0] = gdt[1] = 0;
	gdt[2] = long64 ? GDT_CODE64 : GDT_CODE32;
	gdt[3] = GDT_DATA32;
	s->gdt_base = at;
	s->gdt_limit = 4 * 8 - 1;
}

/* Identity map of [0, 4 GiB) with 2 MiB pages, user-accessible and writable. */
void loader_build_identity_tables(struct vcpu_start *s, gpa_t at)
{
	uint64_t *pml4 = gmem_ptr(at);
	uint64_t *pdpt = gmem_ptr(at + PAGE_SIZE);

	memset(pml4, 0, 6 * PAGE_SIZE);
	pml4[0] = (at + PAGE_SIZE) | PTE_P_W_U;
	for (unsigned int i = 0; i < 4; i++) {
		uint64_t *pd = gmem_ptr(at + (2 + i) * PAGE_SIZE);

		pdpt[i] = (at + (2 + i) * PAGE_SIZE) | PTE_P_W_U;
		for (unsigned int j = 0; j < 512; j++)
			pd[j] = ((uint64_t)i << 30 | (uint64_t)j << 21) | PDE_2M;
	}
	s->cr3 = at;
}
