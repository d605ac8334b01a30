/* arch/vectors.h - the exception vectors the hypervisor names (SDM Vol. 3A,
 * Table 6-1) and the TSS IST slots they run on; header-only, so the pure
 * GDT/IDT builders need no trap or stack code. */
#ifndef ARCH_VECTORS_H
#define ARCH_VECTORS_H

#define VEC_DE   0
#define VEC_NMI  2
#define VEC_UD   6
#define VEC_DF   8
#define VEC_GP  13
#define VEC_PF  14
#define VEC_MC  18

/* IST slots in the TSS (1-based as the IDT gate encodes them). */
#define IST_DF   1
#define IST_NMI  2
#define IST_MC   3

#endif
