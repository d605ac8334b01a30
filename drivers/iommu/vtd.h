/* drivers/iommu/vtd.h - the machine's VT-d DMA remapping units (Intel VT-d
 * spec rev 5.0): found through the ACPI DMAR (drivers/acpi/acpi_dmar.h), their
 * registers read through the device window (mm/devmem.h). This step only
 * reads and reports them; translation stays off. */
#ifndef DRIVERS_IOMMU_VTD_H
#define DRIVERS_IOMMU_VTD_H

#include "boot/info/boot_info.h"
#include "drivers/acpi/acpi_dmar.h"

struct vtd_unit {
	const struct dmar_unit *dmar;   /* its DRHD: register base, segment, scopes */
	uint32_t ver;                   /* VER_REG */
	uint64_t cap, ecap;             /* CAP_REG, ECAP_REG */
	uint32_t gsts;                  /* GSTS_REG as found (firmware may have left translation on) */
	bool regs_ok;                   /* the registers could be read */
};

/*
 * Reads the DMAR through bi's RSDP and each unit's VER/CAP/ECAP/GSTS, and
 * prints a line per unit ("iommu: unit 0 at 0xfed90000 ...") or why there
 * is none ("iommu: machine without DMAR ..."). Returns the number of units
 * whose registers read (0 without DMAR or with a DMAR that is unusable).
 */
unsigned int vtd_probe(const struct boot_info *bi);

/* The units vtd_probe found (count in *n), for the shell and the next steps. */
const struct vtd_unit *vtd_units(unsigned int *n);

/* The parsed DMAR, or NULL if there is none (or it was unusable). */
const struct dmar_info *vtd_dmar(void);

#endif
