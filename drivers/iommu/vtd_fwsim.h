/* drivers/iommu/vtd_fwsim.h - hvtest's testvtd=fw: each remapping unit put
 * in a state firmware may leave it in, so that QEMU shows vtd_protect
 * undoing it. */
#ifndef DRIVERS_IOMMU_VTD_FWSIM_H
#define DRIVERS_IOMMU_VTD_FWSIM_H

/*
 * For every unit vtd_probe read (before vtd_protect): interrupt remapping on
 * over a zeroed table (IRTA, SIRTP, IRE); where ECAP.QI, queued
 * invalidation on with a queue whose first descriptor has a reserved type,
 * so the unit stops there with FSTS.IQE and IQH never reaches IQT; fault
 * events unmasked (FECTL 0) with a message to an APIC ID no CPU has (0xfe,
 * physical destination). Prints one line per unit with what it reads back.
 */
void vtd_fwsim_run(void);

#endif
