/* guest/dev/vtd_fw.h - chain mode's view of the VT-d units the hypervisor
 * owns: each unit's register pages as a quiescent unit
 * (drivers/iommu/vtd_shadow.h) instead of hidden memory, so that the
 * firmware's drivers that owned a unit before (pre-boot DMA protection)
 * see their commands complete and change nothing. */
#ifndef GUEST_DEV_VTD_FW_H
#define GUEST_DEV_VTD_FW_H

#include "lib/compiler.h"

/* When vtd_protecting(): registers each unit's register pages as a device
 * model over the shadow (before the stage-2 tables are built). One line per
 * unit. Returns 0 or the first registration error (said; the guest must not
 * start then: the unit's registers would be its). */
int __must_check vtd_fw_register(void);

#endif
