/* drivers/iommu/vtd_qi.h - queued invalidation (VT-d spec rev 5.0, 6.5.2):
 * the 128-bit descriptors the hypervisor issues (context-cache, IOTLB and
 * interrupt entry cache invalidation, global; invalidation wait with a status write), the
 * invalidation queue's registers (11.4.10 IQH, IQT, IQA) and the ring
 * arithmetic. Whether a unit has register-based invalidation at all (rev
 * 3.3, 6.5: not from major version 6 on). Pure: the queue is memory the
 * caller gives. */
#ifndef DRIVERS_IOMMU_VTD_QI_H
#define DRIVERS_IOMMU_VTD_QI_H

#include "lib/compiler.h"

/* Registers (11.4.10). */
#define VTD_IQH_REG    0x80             /* 64 bits: queue head, bits 18:4 (128-bit descriptors) */
#define VTD_IQT_REG    0x88             /* 64 bits: queue tail, the same layout */
#define VTD_IQA_REG    0x90             /* 64 bits: base 63:12, DW 11, QS 2:0 */
#define VTD_IQA_DW     (1ULL << 11)     /* 256-bit descriptors (scalable mode only; not used) */
#define VTD_IQERCD_REG 0xb0             /* 64 bits: what went wrong (version 3 on) */
#define VTD_GCMD_QIE   (1u << 26)       /* GCMD: queued invalidation enable */
#define VTD_FSTS_IQE   (1u << 4)        /* FSTS: invalidation queue error (RW1C) */
#define VTD_FSTS_ICE   (1u << 5)        /* FSTS: invalidation completion error (device TLBs) */
#define VTD_FSTS_ITE   (1u << 6)        /* FSTS: invalidation time-out error (device TLBs) */

/* CAP_REG bits the IOTLB descriptor follows. */
#define VTD_CAP_DWD    (1ULL << 54)     /* write draining */
#define VTD_CAP_DRD    (1ULL << 55)     /* read draining */

/* Descriptor types (6.5.2, bits 3:0; 11:9 are the high type bits, 0 here). */
#define VTD_QI_CC      0x1              /* context-cache invalidate */
#define VTD_QI_IOTLB   0x2              /* IOTLB invalidate */
#define VTD_QI_IEC     0x4              /* interrupt entry cache invalidate */
#define VTD_QI_WAIT    0x5              /* invalidation wait */
#define VTD_QI_G_GLOBAL   (1ULL << 4)   /* CC, IOTLB: granularity 01b, global (bits 5:4) */
#define VTD_QI_IOTLB_DW   (1ULL << 6)   /* IOTLB: drain writes */
#define VTD_QI_IOTLB_DR   (1ULL << 7)   /* IOTLB: drain reads */
#define VTD_QI_WAIT_IF    (1ULL << 4)   /* wait: interrupt (not used) */
#define VTD_QI_WAIT_SW    (1ULL << 5)   /* wait: status write of bits 63:32 to the address in the high half */
#define VTD_QI_WAIT_FN    (1ULL << 6)   /* wait: fence: later descriptors wait for this one */

struct vtd_qi_desc {
	uint64_t lo, hi;                /* bits 63:0 and 127:64 */
};

/* Context-cache invalidation, global (6.5.2.1). */
struct vtd_qi_desc vtd_qi_cc_global(void);

/* IOTLB invalidation, global (6.5.2.3), draining reads and writes where
 * CAP.DRD and CAP.DWD say the unit can. */
struct vtd_qi_desc vtd_qi_iotlb_global(uint64_t cap);

/* Interrupt entry cache invalidation, global (6.5.2.6: G, bit 4, clear). */
struct vtd_qi_desc vtd_qi_iec_global(void);

/* Invalidation wait (6.5.2.8) with fence: when every earlier descriptor is
 * done the unit writes the 32 bits data to status_pa (4-byte aligned). */
struct vtd_qi_desc vtd_qi_wait(uint64_t status_pa, uint32_t data);

/* Entries of a queue of 2^qs 4 KiB pages of 128-bit descriptors (qs 0..7). */
static inline unsigned int vtd_qi_entries(unsigned int qs)
{
	return 256u << qs;
}

/* IQA_REG for a queue at base_pa (4 KiB aligned, 2^qs pages), 128-bit descriptors. */
static inline uint64_t vtd_qi_iqa(uint64_t base_pa, unsigned int qs)
{
	return (base_pa & ~0xfffULL) | (qs & 7);
}

/* IQH/IQT: the descriptor index in bits 18:4 (16-byte units) and back. */
static inline uint64_t vtd_qi_reg(unsigned int index)
{
	return (uint64_t)index << 4;
}

static inline unsigned int vtd_qi_index(uint64_t reg)
{
	return (unsigned int)((reg >> 4) & 0x7fff);
}

/* A queue as software fills it: tail is where the next descriptor goes.
 * IQH == IQT means empty, so one slot always stays free. */
struct vtd_qi {
	struct vtd_qi_desc *ring;       /* vtd_qi_entries(qs) descriptors */
	unsigned int entries;
	unsigned int tail;
};

/* Descriptors the queue can take with the unit's head at head. */
unsigned int vtd_qi_room(const struct vtd_qi *q, unsigned int head);

/* Writes n descriptors at the tail, wrapping round the end; -ENOSPC (and
 * nothing written) if they do not fit before head. 0: q->tail moved on,
 * ready for IQT (vtd_qi_reg(q->tail)). */
int vtd_qi_put(struct vtd_qi *q, unsigned int head, const struct vtd_qi_desc *d, unsigned int n);

/* True if the unit has the register-based interface (CCMD, IOTLB
 * registers). VT-d spec rev 3.3, 6.5: register-based invalidation is not
 * supported from major version 6 on (VER_REG.MAX >= 6), only queued. (The
 * rule as Xen's "VT-d: Don't assume register-based invalidation is always
 * supported" quotes it; EDK2's IntelVTdDxe and VirtualBox's DevIommuIntel
 * test the same major version.) */
static inline bool vtd_has_register_invalidation(uint32_t ver)
{
	return ((ver >> 4) & 0xf) < 6;
}

#endif
