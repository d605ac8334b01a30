/* vmx/ept_space.h - how far the guest-physical space reaches: up to the
 * CPU's physical-address width where the EPT can map it with 1 GiB pages
 * (SDM Vol. 2A CPUID.80000008H:EAX[7:0]; Vol. 3C 29.3.2: a 4-level EPT
 * translates 48-bit guest-physical addresses). Pure. */
#ifndef VMX_EPT_SPACE_H
#define VMX_EPT_SPACE_H

#include "lib/compiler.h"
#include "lib/addr.h"

#define EPT_4LEVEL_BITS 48              /* page-walk length 4: GPA bits 47:0 */

/* Table pages the space above RAM may cost: 2 MiB, what 1 GiB pages need
 * at worst (48 bits: a PDPT for each 512 GiB after the first). */
#define EPT_SPACE_BUDGET 512

struct ept_space {
	gpa_t ram_top;                  /* max(4 GiB, end of the host map) rounded up to 1 GiB, within 2^bits */
	gpa_t top;                      /* end of the guest-physical space: the guest map covers [0, top) */
	unsigned int maxphyaddr;        /* CPUID.80000008H:EAX[7:0] (36 if absent, at most 52) */
	unsigned int keyid_bits;        /* MKTME/TDX KeyID bits taken from the top of it (IA32_TME_ACTIVATE) */
	unsigned int bits;              /* address bits the space may cover: min(maxphyaddr - keyid_bits, 48) */
	bool clamped;                   /* maxphyaddr - keyid_bits > 48: the EPT cannot reach the rest */
	bool above_ram;                 /* [ram_top, top) is pass-through MMIO: top = 2^bits */
	bool ept_1g;                    /* ... mapped with 1 GiB pages (else 2 MiB) */
	uint64_t above_tables;          /* table pages [ram_top, 2^bits) needs at the largest pages */
};

/*
 * Plans the space for a host map ending at map_end (exclusive): everything up
 * to 2^bits when mapping [ram_top, 2^bits) with the largest pages the EPT has
 * costs at most EPT_SPACE_BUDGET table pages (always with 1 GiB pages; with
 * only 2 MiB pages, a PD page per GiB, up to MAXPHYADDR 39), so that 64-bit
 * BARs and the firmware's 64-bit MMIO window anywhere above RAM are
 * pass-through; otherwise up to ram_top, as before (2 MiB pages to 2^46
 * would cost 256 MiB). top is below map_end only if map_end is beyond 2^bits.
 */
void ept_space_plan(struct ept_space *s, gpa_t map_end, unsigned int maxphyaddr,
		    unsigned int keyid_bits, bool ept_1g);

#endif
