/* mm/mtrr.h - MTRR memory-type calculator (SDM Vol. 3A, 12.11): the effective
 * MTRR type of a physical address, from raw MSR values; no hardware access. */
#ifndef MM_MTRR_H
#define MM_MTRR_H

#include "lib/compiler.h"
#include "mm/pagetable.h"

#define MTRR_MAX_VAR 32
#define MTRR_FIXED_COUNT 88

/* Memory types as the MTRRs encode them: 0 UC, 1 WC, 4 WT, 5 WP, 6 WB (MT_* from mm/pagetable.h). */
struct mtrr_state {
	bool enabled;                  /* IA32_MTRR_DEF_TYPE.E (bit 11): clear = everything UC */
	bool fixed_enabled;            /* DEF_TYPE.FE (bit 10) and MTRRCAP.FIX (bit 8) */
	uint8_t default_type;          /* DEF_TYPE[7:0] */
	uint8_t fixed[MTRR_FIXED_COUNT];   /* types of the 88 fixed ranges below 1 MiB, in address order */
	unsigned int var_count;        /* MTRRCAP.VCNT (bits 7:0), at most MTRR_MAX_VAR */
	struct { uint64_t base, mask; } var[MTRR_MAX_VAR];   /* raw IA32_MTRR_PHYSBASEn / PHYSMASKn */
	unsigned int phys_bits;        /* MAXPHYADDR: address bits the masks cover */
};

/* Fills s from raw MSR values, in the order the glue reads them: fixed_msrs = 0x250
 * (FIX64K_00000), 0x258 (FIX16K_80000), 0x259 (FIX16K_A0000), 0x268..0x26f
 * (FIX4K_C0000..F8000), NULL if MTRRCAP.FIX is clear; var = pairs 0x200+2n (base),
 * 0x201+2n (mask) for n < min(VCNT, MTRR_MAX_VAR); phys_bits 0 means 36. */
void mtrr_state_from_msrs(struct mtrr_state *s, uint64_t cap, uint64_t def_type,
			  const uint64_t fixed_msrs[11], const uint64_t *var_base_mask_pairs, unsigned int phys_bits);

/* Effective MTRR type of the byte at pa (12.11.4.1): MTRRs disabled -> UC; below 1 MiB with fixed
 * enabled -> the fixed range; else the variable ranges that match (valid bit 11 of the mask,
 * (pa & mask) == (base & mask) over phys_bits): none -> default type; one -> its type; several
 * -> identical type, else UC if any UC, else WT if they are WT and WB only, else (undefined by
 * the SDM) UC. */
uint8_t mtrr_type(const struct mtrr_state *s, uint64_t pa);

/* Type at start, and *run_end = the end (exclusive, <= end) of the longest range [start, run_end)
 * over which mtrr_type is the same, so builders walk type boundaries instead of bytes; start < end. */
uint8_t mtrr_type_run(const struct mtrr_state *s, uint64_t start, uint64_t end, uint64_t *run_end);

/* Short name: "UC", "WC", "WT", "WP", "WB", "?" */
const char *mtrr_type_name(uint8_t t);

#endif
