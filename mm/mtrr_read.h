/* mm/mtrr_read.h - reads the host's MTRRs (SDM Vol. 3A, 12.11.1-12.11.2.3) into mm/mtrr.h's state. */
#ifndef MM_MTRR_READ_H
#define MM_MTRR_READ_H

#include "mm/mtrr.h"

/* Fills s from this CPU's MTRR MSRs; a CPU without MTRRs (CPUID.1:EDX[12] clear)
 * gives a disabled state with no ranges, which makes everything UC. */
void mtrr_read_host(struct mtrr_state *s);

/* Prints s on the console: one summary line, then one line per valid variable range. */
void mtrr_print(const struct mtrr_state *s);

#endif
