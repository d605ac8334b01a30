/* vmx/ept.h - the guest's EPT: the mapped parts of the guest memory map,
 * identity, with MTRR memory types and the largest pages that fit (SDM
 * Vol. 3C, 29.3). */
#ifndef VMX_EPT_H
#define VMX_EPT_H

#include "guest/gmap.h"
#include "mm/mtrr.h"
#include "mm/pagetable.h"
#include "vmx/ept_space.h"

struct ept {
	struct pagetable pt;
	uint64_t eptp;                  /* EPT pointer for the VMCS (25.6.11) */
	const struct gmap *gmap;        /* what it maps ... */
	const struct mtrr_state *mtrr;  /* ... with which memory types */
	const struct ept_space *space;  /* how far the space reaches (for the printouts); NULL: not told */
	struct pt_mem mem;              /* the frame allocator, ctx = this EPT (its freed tables are held) */
	hpa_t *held;                    /* table pages unlinked but not freed: other CPUs may cache them */
	unsigned int held_count, held_cap;
	unsigned int tables_leaked;     /* unlinked pages kept for good (no memory to note them) */
};

/* Builds the EPT for everything g maps. allow_1g/ad from IA32_VMX_EPT_VPID_CAP.
 * Returns 0 or -ENOMEM. */
int __must_check ept_build(struct ept *e, const struct gmap *g, const struct mtrr_state *m,
			   bool allow_1g, bool ad);

/*
 * Makes [start, end) of the EPT match g again after g changed there (a device
 * model registered or left): unmaps, maps the runs, and merges pages back
 * into large ones where the attributes allow. The caller invalidates (INVEPT).
 * Returns 0 or -ENOMEM.
 */
int __must_check ept_update(struct ept *e, gpa_t start, gpa_t end);

/*
 * Frees the table pages the edits above unlinked (held until now: a CPU's
 * paging-structure caches may still point into them, SDM Vol. 3C 29.4.3).
 * Only after every CPU that may have used this EPT has invalidated it.
 */
void ept_release_held(struct ept *e);

/* Prints "EPT: 3.9 GiB mapped (2 x 1G, 988 x 2M, 7 x 4K), 64.3 MiB hidden, 9 table pages". */
void ept_print_summary(const struct ept *e);

/* Prints how far the guest-physical space reaches and what is mapped above
 * RAM: "EPT: guest-physical space to 0x000000ffffffffff (MAXPHYADDR 40): ...",
 * and a line each for a clamp to 48 bits and for MKTME KeyID bits. */
void ept_print_space(const struct ept_space *s);

/* Prints every mapping as runs of contiguous leaves with equal attributes:
 * "0x0000000000000000-0x000000000009ffff RWX WB   160 x 4K", then totals. */
void ept_print_map(const struct ept *e);

/* Prints the walk for gpa: one line per level with the raw entry and its meaning. */
void ept_print_walk(const struct ept *e, gpa_t gpa);

#endif
