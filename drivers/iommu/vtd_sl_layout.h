/* drivers/iommu/vtd_sl_layout.h - what a guest's devices may reach by DMA,
 * from the one guest memory map (guest/gmap.h): the runs the second-level
 * tables (drivers/iommu/vtd_sl.h) map, identity, read/write. Pure.
 *
 * Mapped: guest RAM (GMAP_RAM: usable, ACPI reclaim and NVS), each range
 * shrunk to whole pages (a page only partly RAM is left out, as Linux leaves
 * it out of its allocator), and the firmware's RMRR ranges (extra), which
 * its devices keep DMA-ing to.
 * Never mapped: the hypervisor's memory (GMAP_HIDDEN: its image, working
 * memory with the IOMMU tables, boot modules), bad RAM, ROM pages (the
 * hypervisor's copies shown read-only to the CPU), device models' MMIO.
 * Not mapped either: pass-through MMIO (GMAP_MMIO), so device-to-device
 * (peer-to-peer) DMA between the guest's devices is refused. It could be
 * allowed (the guest reaches that MMIO with its CPU anyway), but it would
 * also open the firmware's reserved ranges and the chipset's registers
 * (the remapping units' own pages among them) to DMA, many root complexes
 * do not route peer-to-peer at all, and the guests here do not use it.
 * The interrupt address range 0xfee00000-0xfeefffff is never translated
 * (VT-d 3.14: writes there are interrupt requests), so leaving it out costs
 * nothing.
 */
#ifndef DRIVERS_IOMMU_VTD_SL_LAYOUT_H
#define DRIVERS_IOMMU_VTD_SL_LAYOUT_H

#include "guest/gmap.h"
#include "mm/pagetable.h"

/* [start, end): a range to map besides RAM (an RMRR: base, limit + 1). */
struct vtd_range { uint64_t start, end; };

/*
 * 0 if extra range r may be mapped for DMA; -EPERM (err says why) if it
 * touches the hypervisor's memory (GMAP_HIDDEN, or a ROM page shown where it
 * lies), is empty or wraps. vtd_protect leaves such an RMRR out (its devices
 * may then fault there) and maps the rest.
 */
int vtd_range_check(const struct gmap *g, struct vtd_range r, char *err, size_t errlen);

/*
 * Writes the identity runs DMA may reach (above) into runs (at most max),
 * sorted, disjoint, touching runs merged, perm PT_WRITE: RAM of g and each
 * extra range (rounded out to pages). Returns the number of runs; -EPERM if
 * an extra range touches the hypervisor's memory (GMAP_HIDDEN, or a ROM page
 * shown where it lies) or is empty or wraps; -ERANGE if a run ends above
 * 2^bits (the tables' width); -ENOSPC if more than max runs. err says which.
 */
int vtd_sl_layout(const struct gmap *g, const struct vtd_range *extra, unsigned int nextra, unsigned int bits,
		  struct pt_run *runs, unsigned int max, char *err, size_t errlen);

#endif
