/* drivers/iommu/vtd_caps.h - what a VT-d remapping unit says it can do: its
 * version, capability and extended capability registers (VT-d spec rev 5.0,
 * 11.4.1 VER_REG, 11.4.2 CAP_REG, 11.4.3 ECAP_REG), decoded. Pure. */
#ifndef DRIVERS_IOMMU_VTD_CAPS_H
#define DRIVERS_IOMMU_VTD_CAPS_H

#include "lib/compiler.h"

/* Register offsets (11.4, Table 11-x). */
#define VTD_VER_REG   0x00              /* 32 bits */
#define VTD_CAP_REG   0x08              /* 64 bits */
#define VTD_ECAP_REG  0x10              /* 64 bits */
#define VTD_GSTS_REG  0x1c              /* 32 bits: global status */

/* CAP_REG fields. */
#define VTD_CAP_ND(c)      ((unsigned int)((c) & 7))          /* 2^(4 + 2 ND) domain IDs */
#define VTD_CAP_RWBF       (1ULL << 4)                         /* write-buffer flush required */
#define VTD_CAP_PLMR       (1ULL << 5)
#define VTD_CAP_PHMR       (1ULL << 6)
#define VTD_CAP_CM         (1ULL << 7)                         /* caching mode: not-present entries cached too */
#define VTD_CAP_SAGAW(c)   ((unsigned int)(((c) >> 8) & 0x1f))
#define VTD_CAP_MGAW(c)    ((unsigned int)(((c) >> 16) & 0x3f) + 1)
#define VTD_CAP_FRO(c)     ((unsigned int)(((c) >> 24) & 0x3ff) * 16)   /* fault recording registers' offset */
#define VTD_CAP_SAGAW_SHIFT 8                                  /* bits 12:8: bit 1 = 3-level, 2 = 4-level, 3 = 5-level tables */
#define VTD_CAP_SLLPS(c)   ((unsigned int)(((c) >> 34) & 0xf))  /* bit 0: 2 MiB, bit 1: 1 GiB */
#define VTD_CAP_SLLPS_2M   (1ULL << 34)
#define VTD_CAP_SLLPS_1G   (1ULL << 35)
#define VTD_CAP_PSI        (1ULL << 39)                        /* page-selective IOTLB invalidation */
#define VTD_CAP_NFR(c)     ((unsigned int)(((c) >> 40) & 0xff) + 1)     /* fault recording registers */

/* ECAP_REG fields. */
#define VTD_ECAP_C         (1ULL << 0)                         /* page walks snoop the CPU caches */
#define VTD_ECAP_QI        (1ULL << 1)                         /* queued invalidation */
#define VTD_ECAP_DT        (1ULL << 2)                         /* device TLBs (ATS) */
#define VTD_ECAP_IR        (1ULL << 3)                         /* interrupt remapping */
#define VTD_ECAP_EIM       (1ULL << 4)                         /* 32-bit APIC IDs (x2APIC) in IRTEs */
#define VTD_ECAP_PT        (1ULL << 6)                         /* pass-through translation type */
#define VTD_ECAP_SC        (1ULL << 7)                         /* snoop control: SNP in leaves honoured */
#define VTD_ECAP_IRO(e)    ((unsigned int)(((e) >> 8) & 0x3ff) * 16)    /* IOTLB registers' offset */
#define VTD_ECAP_SMTS      (1ULL << 43)                        /* scalable mode */
#define VTD_ECAP_SLTS      (1ULL << 46)                        /* second-level translation (scalable mode) */

/* Register fields the enable sequence reads back (11.4.5 CCMD_REG, 11.4.8.1
 * IOTLB_REG): the granularity the unit actually performed; 0 means the
 * request was not performed. */
#define VTD_CCMD_CAIG(v)   ((unsigned int)(((v) >> 59) & 3))
#define VTD_IOTLB_IAIG(v)  ((unsigned int)(((v) >> 57) & 3))

/*
 * The 4 KiB pages a unit's registers span from its base: the DRHD's size
 * (drhd_pages), or more where the fault recording registers (CAP.FRO + 16
 * CAP.NFR) or the IOTLB registers (ECAP.IRO + 16) end past it, as older
 * DMARs say size 0 (one page) for units whose registers go further (Linux
 * map_iommu does the same).
 */
unsigned int vtd_reg_pages(unsigned int drhd_pages, uint64_t cap, uint64_t ecap);

/*
 * NULL if legacy-mode DMA remapping with the hypervisor's tables is possible
 * on a unit with these registers; else why not, in words: no second-level
 * tables (CAP.SAGAW 0: a unit that offers scalable mode with first-level
 * tables only, ECAP.SMTS set and SLTS clear, reports so, and legacy mode
 * walks second-level tables), or neither register-based invalidation (which
 * units of major version 6 and later do not have) nor queued (ECAP.QI).
 */
const char *vtd_unusable_reason(uint32_t ver, uint64_t cap, uint64_t ecap);

/*
 * One line of what matters for DMA protection, e.g. "version 1.0, SAGAW
 * 39/48-bit, MGAW 48, pages 4K/2M/1G, 64K domains, walks coherent,
 * invalidation queued+register, IR EIM, 8 fault records at 0x220". Returns
 * buf.
 */
char *vtd_describe(char *buf, size_t size, uint32_t ver, uint64_t cap, uint64_t ecap);

#endif
