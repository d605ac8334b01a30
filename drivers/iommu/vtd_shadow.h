/* drivers/iommu/vtd_shadow.h - the register page of a VT-d remapping unit as
 * chain mode's firmware sees it once the hypervisor owns the unit (VT-d spec
 * rev 5.0, 11.4): a quiescent unit whose commands complete at once and
 * change nothing in the hardware. Pure.
 *
 * Why: after hv.efi returns, firmware drivers that owned the unit before
 * (EDK II IntelVTdDxe: pre-boot DMA protection) still write its registers
 * (IOTLB and context-cache invalidations when they map DMA buffers, GCMD.TE
 * off at ExitBootServices) and poll for completion. Reads of all ones (the
 * hidden memory's answer) would keep those polls spinning forever. Here:
 * - VER, CAP, ECAP read as the hardware's (read-only);
 * - GCMD's one-shot commands complete at once (RTPS, FLS, IRTPS set; WBFS
 *   clear), its persistent bits are mirrored in GSTS (QIES, IRES, CFIS),
 *   except that translation can only be turned off: a guest that turns it
 *   on would believe its own tables translate, so TES stays clear and its
 *   wait times out (the hypervisor's tables are the ones in use);
 * - CCMD.ICC and the IOTLB register's IVT read clear (done), with the
 *   actual granularity equal to the one asked for;
 * - IQH follows IQT (the queue drains at once; its descriptors are not
 *   run: an invalidation wait's status write is not made);
 * - PMEN.PRS follows PMEN.EPM; FSTS reads 0 (no faults);
 * - every other register of the first 256 bytes keeps what was written.
 */
#ifndef DRIVERS_IOMMU_VTD_SHADOW_H
#define DRIVERS_IOMMU_VTD_SHADOW_H

#include "lib/compiler.h"

#define VTD_SHADOW_BYTES 0x100          /* registers kept: 0x00-0xff (plus the IOTLB pair at ECAP.IRO) */

struct vtd_shadow {
	uint64_t reg[VTD_SHADOW_BYTES / 8];     /* by 64-bit granule */
	uint64_t iva, iotlb;                    /* the IOTLB registers at iro and iro + 8 */
	unsigned int iro;                       /* ECAP.IRO in bytes */
};

/* A shadow of a unit with these VER/CAP/ECAP, its GSTS as firmware left it. */
void vtd_shadow_init(struct vtd_shadow *s, uint32_t ver, uint64_t cap, uint64_t ecap, uint32_t gsts);

/* One access of size 1, 2, 4 or 8 bytes at offset off of the register
 * page, not crossing an 8-byte granule (others read 0, writes dropped). */
uint64_t vtd_shadow_read(const struct vtd_shadow *s, unsigned int off, unsigned int size);
void vtd_shadow_write(struct vtd_shadow *s, unsigned int off, unsigned int size, uint64_t val);

#endif
