/* arch/tsc.h - the time-stamp counter's rate, measured against the 8254 PIT. */
#ifndef ARCH_TSC_H
#define ARCH_TSC_H

#include "lib/compiler.h"

/* Measures the TSC over 10 ms of PIT channel 2 (once, at boot). Falls back
 * to CPUID leaf 0x16's base frequency, then to 2 GHz, if the PIT does not
 * count (some recent machines gate it off). Returns the rate in kHz. */
uint64_t tsc_calibrate(void);

/* The rate tsc_calibrate() found (kHz), and whether it came from the PIT. */
uint64_t tsc_khz(void);

/* NULL where the TSC is this CPU's own clock; else where its figures come
 * from, in words ("an emulator's, not a CPU's: the TSC counts at ..."), for
 * the shell's exit costs (arch/tsc_origin.c decides). */
const char *tsc_origin_note(void);

#endif
