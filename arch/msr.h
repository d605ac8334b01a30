/* arch/msr.h - model-specific register numbers (SDM Vol. 4, Table 2-2). */
#ifndef ARCH_MSR_H
#define ARCH_MSR_H

#define MSR_IA32_FEATURE_CONTROL 0x0000003a
#define MSR_IA32_PAT             0x00000277
#define MSR_IA32_EFER            0xc0000080
#define MSR_FS_BASE              0xc0000100
#define MSR_GS_BASE              0xc0000101
#define MSR_KERNEL_GS_BASE       0xc0000102

#define EFER_SCE  (1ULL << 0)
#define EFER_LME  (1ULL << 8)
#define EFER_LMA  (1ULL << 10)
#define EFER_NXE  (1ULL << 11)

#endif
