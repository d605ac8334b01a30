/* drivers/iommu/vtd.h - the machine's VT-d DMA remapping units (Intel VT-d
 * spec rev 5.0): found through the ACPI DMAR (drivers/acpi/acpi_dmar.h), their
 * registers read through the device window (mm/devmem.h), translation
 * turned on (drivers/iommu/vtd_enable.h), faults polled. */
#ifndef DRIVERS_IOMMU_VTD_H
#define DRIVERS_IOMMU_VTD_H

#include "boot/info/boot_info.h"
#include "drivers/acpi/acpi_dmar.h"
#include "guest/gmap.h"
#include "drivers/iommu/vtd_fault.h"
#include "drivers/iommu/vtd_unit.h"

/*
 * Reads the DMAR through bi's RSDP and each unit's VER/CAP/ECAP/GSTS, and
 * prints a line per unit ("iommu: unit 0 at 0xfed90000 ...") or why there
 * is none ("iommu: machine without DMAR ..."). Returns the number of units
 * whose registers read (0 without DMAR or with a DMAR that is unusable).
 */
unsigned int vtd_probe(const struct boot_info *bi);

/*
 * Turns DMA remapping on in every unit vtd_probe found: second-level tables
 * mapping what vtd_sl_layout.h allows (guest RAM, RMRRs; never the
 * hypervisor; an RMRR over the hypervisor's memory is left out with a
 * line naming its devices) identity, built from the host memory map; root and context
 * tables putting every device in that one domain; flushed from the caches
 * where the unit's walks do not snoop; then the root table set, the write
 * buffer flushed (CAP.RWBF), context cache and IOTLB invalidated globally
 * and translation enabled (VT-d 10.4.4, 11.4.4-11.4.8). Invalidation is
 * register-based where the unit has it; queued (6.5.2, drivers/iommu/vtd_qi.h)
 * where it has not (major version 6 on), where firmware left QI on, or
 * with force_qi (hvtest's testvtd=qi) where ECAP.QI is set. First, in
 * every unit, what firmware left on is put out of the way (vtd_quiesce:
 * events masked, interrupt remapping off). Prints a line per unit and which
 * invalidation it uses; a unit left off gets its reason in off. Returns the
 * number of units translating.
 */
unsigned int vtd_protect(bool force_qi);

/*
 * Chain mode's hand-back to the firmware: undoes vtd_quiesce and
 * vtd_protect in every unit it turned on (vtd_give_back): protected memory
 * regions, root table, queue (IQA; IQT 0, so IQH restarts at 0), interrupt
 * remapping (IRTA, CFI), translation and the fault and invalidation event
 * masks as the firmware had them. Prints a line per unit ("iommu: unit 0:
 * given back as the firmware had it: translation off, queued invalidation
 * on (...), interrupt remapping on (IRTA ...), ..."). Not restored: the
 * firmware's queue position (its next submission runs from slot 0: old
 * invalidations, repeated, change nothing) and error bits the hypervisor
 * cleared (FSTS.IQE); units vtd_protect left off stay as it left them.
 */
void vtd_unprotect(void);

/* True once vtd_protect turned translation on in at least one unit: the
 * guest's ACPI view then leaves out the DMAR (guest/dev/acpi_guest.h). */
bool vtd_protecting(void);

/* True if there is a unit and every unit the DMAR lists translates: a unit
 * left off leaves every device behind it free to DMA anywhere
 * (iommu=required asks for this; each unit's off says why it is off). */
bool vtd_protecting_all(void);

/*
 * Hides every unit's register pages (all it spans: vtd_reg_pages) from the
 * guest (g, before the stage-2 tables are built) when vtd_protecting():
 * GMAP_HIDDEN, so the EPT leaves them unmapped and a guest access reads all
 * ones and loses its writes, as for the hypervisor's own memory. Prints a
 * line per unit. Returns 0, or -EPERM if a unit's pages could not be hidden
 * (the guest could turn its translation off: iommu=required starts no guest).
 */
int __must_check vtd_hide_registers(struct gmap *g);

/* Unit i's FECTL_REG as it reads now (~0 if it does not read). */
uint32_t vtd_read_fectl(unsigned int i);

/*
 * Reads every unit's fault recording registers (CAP.FRO, CAP.NFR) from the
 * one FSTS.FRI names, prints each recorded fault once ("iommu: unit 0: DMA
 * fault: source 00:03.0, address 0x..., reason 0x05 (...), write"), logs
 * and counts it, and clears it (F, then FSTS.PFO with a line saying faults
 * were lost). On the console tick (at most every millisecond unless force)
 * and for the shell's `iommu`. Returns the number of faults found.
 */
unsigned int vtd_poll_faults(bool force);

/* Unit i's GSTS_REG as it reads now (~0 if it does not read). */
uint32_t vtd_read_gsts(unsigned int i);

/* The last faults of all units (the shell's `iommu`). */
const struct vtd_fault_log *vtd_faults(void);

/* The units vtd_probe found (count in *n), for the shell and the next steps. */
const struct vtd_unit *vtd_units(unsigned int *n);

/* The parsed DMAR, or NULL if there is none (or it was unusable). */
const struct dmar_info *vtd_dmar(void);

#endif
