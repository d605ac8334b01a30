/* vmx/ept_space.h - how far the guest-physical space reaches: up to the
 * CPU's physical-address width where the EPT can map it with 1 GiB pages
 * (SDM Vol. 2A CPUID.80000008H:EAX[7:0]; Vol. 3C 29.3.2: a 4-level EPT
 * translates 48-bit guest-physical addresses). Pure. */
#ifndef VMX_EPT_SPACE_H
#define VMX_EPT_SPACE_H

#include "lib/compiler.h"
#include "mm/addr.h"

#define EPT_4LEVEL_BITS 48              /* page-walk length 4: GPA bits 47:0 */

struct ept_space {
	gpa_t ram_top;                  /* max(4 GiB, end of the host map) rounded up to 1 GiB, within top */
	gpa_t top;                      /* end of the guest-physical space: the guest map covers [0, top) */
	unsigned int maxphyaddr;        /* CPUID.80000008H:EAX[7:0] */
	unsigned int keyid_bits;        /* MKTME/TDX KeyID bits taken from the top of it (IA32_TME_ACTIVATE) */
	unsigned int bits;              /* address bits the space covers: min(maxphyaddr - keyid_bits, 48) */
	bool clamped;                   /* maxphyaddr - keyid_bits > 48: the EPT cannot reach the rest */
	bool above_ram;                 /* [ram_top, top) mapped pass-through: only with 1 GiB EPT pages */
};

/*
 * Plans the space for a host map ending at map_end (exclusive): with 1 GiB
 * EPT pages (ept_1g) everything up to 2^bits, so that 64-bit BARs and the
 * firmware's 64-bit MMIO window anywhere above RAM are pass-through MMIO in
 * 1 GiB pages (a PDPT page per 512 GiB); without them only up to ram_top, as
 * mapping 2^bits with 2 MiB pages would cost a PD page per GiB (256 MiB for
 * 46 bits). A maxphyaddr below 32 is taken as 36 (CPUID's value when the
 * leaf is absent). top is never below map_end unless map_end is beyond 2^bits.
 */
void ept_space_plan(struct ept_space *s, gpa_t map_end, unsigned int maxphyaddr,
		    unsigned int keyid_bits, bool ept_1g);

#endif
