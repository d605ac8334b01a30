/* arch/gdt.h - GDT and TSS of a CPU (SDM Vol. 3A, 3.4.5 and 8.7). */
#ifndef ARCH_GDT_H
#define ARCH_GDT_H

#include "lib/compiler.h"

#define GDT_SEL_CODE 0x08
#define GDT_SEL_DATA 0x10
#define GDT_SEL_TSS  0x18

/* Loads this CPU's GDT (flat 64-bit code and data, a TSS with IST stacks for
 * #DF, NMI and #MC), reloads the segment registers and TR. */
void gdt_init(void);

#endif
