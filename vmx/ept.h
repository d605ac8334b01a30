/* vmx/ept.h - the guest's EPT: identity mapping of everything but the
 * hypervisor's own memory (SDM Vol. 3C, 29.3). */
#ifndef VMX_EPT_H
#define VMX_EPT_H

#include "mm/memmap.h"
#include "mm/pagetable.h"

struct ept {
	struct pagetable pt;
	uint64_t eptp;                  /* EPT pointer for the VMCS (25.6.11) */
	uint64_t mapped;                /* bytes mapped */
	uint64_t hidden;                /* bytes of hypervisor memory left out */
	unsigned int pages[4];          /* leaves by level: [1] 4 KiB, [2] 2 MiB, [3] 1 GiB */
};

/*
 * Builds an identity EPT (GPA = HPA) over [0, max(4 GiB, end of the map)):
 * RAM-like ranges write-back, the rest uncached, the hypervisor's image and
 * working memory unmapped. allow_1g/ad from IA32_VMX_EPT_VPID_CAP.
 * Returns 0 or -ENOMEM.
 */
int __must_check ept_build_identity(struct ept *e, const struct memmap *m, bool allow_1g, bool ad);

/* True if [gpa, gpa+len) is the guest's RAM (mapped, not hidden, not MMIO). */
bool ept_range_is_ram(const struct memmap *m, gpa_t gpa, uint64_t len);

#endif
