/* drivers/iommu/vtd_fault.h - a remapping unit's primary faults: the fault
 * recording registers (VT-d spec rev 5.0, 11.4.14 FRCD_REG), the fault
 * status register (11.4.9 FSTS_REG), the reasons of Appendix A (legacy
 * mode) and a log of the last ones. Pure. */
#ifndef DRIVERS_IOMMU_VTD_FAULT_H
#define DRIVERS_IOMMU_VTD_FAULT_H

#include "lib/compiler.h"

#define VTD_FSTS_REG   0x34             /* 32 bits */
#define VTD_FSTS_PFO   (1u << 0)        /* primary fault overflow (RW1C) */
#define VTD_FSTS_PPF   (1u << 1)        /* primary pending fault: some F bit set (RO) */
#define VTD_FSTS_FRI(s) (((s) >> 8) & 0xff)      /* fault record index: the first one to look at */
#define VTD_FRCD_SIZE  16               /* each record: 128 bits at CAP.FRO + 16 i */
/* In the record's high 64 bits (bits 127:64 of the record). */
#define VTD_FRCD_HI_F    (1ULL << 63)    /* fault (RW1C) */
#define VTD_FRCD_HI_T    (1ULL << 62)    /* type: 0 write, 1 read (or AtomicOp) */
#define VTD_FRCD_HI_FR(h) ((unsigned int)(((h) >> 32) & 0xff))  /* fault reason */
#define VTD_FRCD_HI_PP   (1ULL << 31)    /* PASID present */
#define VTD_FRCD_HI_SID(h) ((uint16_t)((h) & 0xffff))           /* source ID: bus 15:8, device 7:3, function 2:0 */

struct vtd_fault {
	uint16_t sid;                   /* requester: bus:dev.fn */
	uint64_t addr;                  /* the faulting page (FI, bits 63:12) */
	uint8_t reason;                 /* FR (Appendix A) */
	bool write;                     /* T = 0 */
	unsigned int unit;              /* which remapping unit recorded it */
};

/* Decodes a fault record (lo = bits 63:0, hi = bits 127:64). False if its
 * F bit is clear (nothing recorded there). */
bool vtd_fault_decode(uint64_t lo, uint64_t hi, unsigned int unit, struct vtd_fault *f);

/* Appendix A's condition for a legacy-mode fault reason, in a few words
 * ("write to a page without write permission"); "reserved" for others. */
const char *vtd_fault_reason_name(unsigned int reason);

/* "iommu: unit 0: DMA fault: source 00:03.0, address 0x1c000000, reason
 * 0x05 (write to a page without write permission), write" (no newline).
 * Returns buf. */
char *vtd_fault_format(char *buf, size_t size, const struct vtd_fault *f);

#define VTD_FAULT_LOG 16                /* faults kept for the shell's `iommu` */

/* The last VTD_FAULT_LOG faults of all units, oldest first, and how many were seen. */
struct vtd_fault_log {
	struct vtd_fault e[VTD_FAULT_LOG];
	unsigned int next;              /* where the next one goes */
	uint64_t total;                 /* faults ever added */
};

void vtd_fault_log_add(struct vtd_fault_log *l, const struct vtd_fault *f);

/* The i-th fault kept, 0 = the oldest; NULL past the ones kept. */
const struct vtd_fault *vtd_fault_log_get(const struct vtd_fault_log *l, unsigned int i);

#endif
