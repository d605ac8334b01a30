/* drivers/iommu/vtd_unit.h - one VT-d remapping unit as the hypervisor
 * keeps it: its DRHD, the registers read at boot, what vtd_protect made of
 * it (drivers/iommu/vtd.h) and why it is off. */
#ifndef DRIVERS_IOMMU_VTD_UNIT_H
#define DRIVERS_IOMMU_VTD_UNIT_H

#include "drivers/acpi/acpi_dmar.h"
#include "drivers/iommu/vtd_giveback.h"
#include "lib/addr.h"

struct vtd_unit {
	const struct dmar_unit *dmar;   /* its DRHD: register base, segment, scopes */
	uint32_t ver;                   /* VER_REG */
	uint64_t cap, ecap;             /* CAP_REG, ECAP_REG */
	uint32_t gsts;                  /* GSTS_REG as found (firmware may have left translation on) */
	struct vtd_fw_regs fw;          /* the firmware's registers as vtd_quiesce found them (vtd_unprotect puts them back) */
	unsigned int reg_pages;         /* pages its registers span (vtd_reg_pages): hidden from the guest */
	bool regs_ok;                   /* the registers could be read */
	bool translating;               /* vtd_protect turned translation on */
	bool queued;                    /* it invalidates through its queue (else its registers) */
	bool hidden;                    /* its register pages are hidden from the guest */
	hpa_t root_pa;                  /* its root table, once built */
	hpa_t qi_pa;                    /* its invalidation queue, once queued invalidation ran */
	unsigned int qi_entries;        /* ... of that many descriptors */
	char off[160];                  /* why translation is off ("" while on, or before vtd_protect) */
	uint64_t faults;                /* primary faults it recorded (each reported once) */
	uint64_t overflows;             /* times FSTS.PFO said faults were lost */
};

#endif
