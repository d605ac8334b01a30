/* vmx/ept_space.c - how far the guest-physical space reaches (SDM Vol. 2A
 * CPUID.80000008H; Vol. 3C 29.3.2: a 4-level EPT translates bits 47:0).
 * With TME-MK the KeyID bits are the top bits of every physical address
 * (Intel TME-MK specification; Linux's detect_tme() takes them off
 * x86_phys_bits too): an address with any of them set is another key's
 * alias of RAM, never MMIO. */
#include "vmx/ept_space.h"

#define MAXPHYADDR_MAX 52               /* the architectural limit (Vol. 1, 3.3.1) */

/* PDPTs (one per 512 GiB region not yet reached below ram_top) and, without
 * 1 GiB pages, PDs (one per GiB) that mapping [ram_top, limit) needs. */
static uint64_t tables_above(gpa_t ram_top, gpa_t limit, bool ept_1g)
{
	const uint64_t pml4e = 512 * GiB;

	if (limit <= ram_top)
		return 0;
	return (limit - 1) / pml4e - (ram_top - 1) / pml4e + (ept_1g ? 0 : (limit - ram_top) / GiB);
}

void ept_space_plan(struct ept_space *s, gpa_t map_end, unsigned int maxphyaddr,
		    unsigned int keyid_bits, bool ept_1g)
{
	unsigned int width;
	gpa_t limit;

	if (maxphyaddr < 32)
		maxphyaddr = 36;
	maxphyaddr = MIN(maxphyaddr, MAXPHYADDR_MAX);
	/* KeyID aliases of RAM must stay unmapped: they would reach hidden memory. */
	width = maxphyaddr > keyid_bits + 32 ? maxphyaddr - keyid_bits : 32;
	s->maxphyaddr = maxphyaddr;
	s->keyid_bits = keyid_bits;
	s->bits = MIN(width, EPT_4LEVEL_BITS);
	s->clamped = width > EPT_4LEVEL_BITS;
	s->ept_1g = ept_1g;
	limit = 1ULL << s->bits;
	s->ram_top = MIN(ALIGN_UP(MAX(4 * GiB, map_end), PAGE_SIZE_1G), limit);
	s->above_tables = tables_above(s->ram_top, limit, ept_1g);
	s->above_ram = limit > s->ram_top && s->above_tables <= EPT_SPACE_BUDGET;
	s->top = s->above_ram ? limit : s->ram_top;
}
