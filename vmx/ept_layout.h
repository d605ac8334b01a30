/* vmx/ept_layout.h - what the EPT must map: the guest memory map cut into
 * runs of uniform permissions and memory type (SDM Vol. 3C, 29.3.7). Pure. */
#ifndef VMX_EPT_LAYOUT_H
#define VMX_EPT_LAYOUT_H

#include "guest/gmap.h"
#include "mm/mtrr.h"
#include "mm/pagetable.h"

/*
 * Writes the runs for [start, end) of g into runs (at most max): RAM and
 * pass-through MMIO identity with read/write/execute and the MTRR memory
 * type of their bytes, write-trapped MMIO identity read-only and UC
 * (EPT_LAYOUT_WRITE_TRAPPED), ROM at its host address read/execute-only
 * with the type of the host bytes; unmapped kinds (trapped, hidden, unusable)
 * leave gaps. Adjacent runs with the same attributes are merged, so mapping
 * each run with the largest pages that fit gives the fewest table pages.
 * Returns the number of runs, or -ENOSPC.
 */
int ept_layout(const struct gmap *g, const struct mtrr_state *m, gpa_t start, gpa_t end,
	       struct pt_run *runs, unsigned int max);

/* Permissions of a write-trapped range's leaves: read only, UC. */
#define EPT_LAYOUT_WRITE_TRAPPED (PT_READ | PT_UNCACHED)

/* Permissions of the EPT leaves for memory type t. */
static inline unsigned int ept_layout_perm(uint8_t t)
{
	return PT_WRITE | PT_EXEC | PT_MT(t);
}

#endif
