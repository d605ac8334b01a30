/* drivers/iommu/vtd.c - the machine's VT-d remapping units: the DMAR read
 * with the pure parser, then each unit's VER/CAP/ECAP/GSTS registers
 * (VT-d spec rev 5.0, 11.4) through the device window, reported at boot. */
#include "drivers/iommu/vtd.h"
#include "drivers/iommu/vtd_caps.h"
#include "drivers/acpi/acpi_host.h"
#include "mm/devmem.h"
#include "lib/print.h"

#define VTD_GSTS_TES (1u << 31)         /* translation enabled */
#define VTD_GSTS_IRES (1u << 25)        /* interrupt remapping enabled */

static struct dmar_info dmar;
static bool dmar_ok;
static struct vtd_unit units[DMAR_MAX_UNITS];
static unsigned int unit_count;

const struct vtd_unit *vtd_units(unsigned int *n)
{
	*n = unit_count;
	return units;
}

const struct dmar_info *vtd_dmar(void)
{
	return dmar_ok ? &dmar : NULL;
}

/* The registers are 32 and 64 bits wide and read as such (11.2: software
 * accesses 64-bit registers as one 64-bit or two 32-bit accesses). */
static bool read_regs(struct vtd_unit *u)
{
	hpa_t base = u->dmar->reg_base;

	return !devmem_read(base + VTD_VER_REG, &u->ver, 4) && !devmem_read(base + VTD_CAP_REG, &u->cap, 8) &&
	       !devmem_read(base + VTD_ECAP_REG, &u->ecap, 8) && !devmem_read(base + VTD_GSTS_REG, &u->gsts, 4);
}

static void print_dmar(void)
{
	printf("iommu: DMAR: %u remapping unit%s, host address width %u bits%s%s%s", dmar.unit_count,
	       dmar.unit_count == 1 ? "" : "s", dmar.haw, dmar.flags & DMAR_INTR_REMAP ? ", interrupt remapping" : "",
	       dmar.flags & DMAR_X2APIC_OPT_OUT ? ", x2APIC opt-out" : "",
	       dmar.flags & DMAR_DMA_CTRL_PLATFORM_OPT_IN ? ", DMA control opt-in" : "");
	if (dmar.rmrr_count || dmar.atsr_count)
		printf(", %u RMRR%s, %u ATSR%s", dmar.rmrr_count, dmar.rmrr_count == 1 ? "" : "s", dmar.atsr_count,
		       dmar.atsr_count == 1 ? "" : "s");
	printf("\n");
	for (unsigned int i = 0; i < dmar.rmrr_count; i++)
		printf("iommu: RMRR 0x%llx-0x%llx (segment %u, %u device%s)\n", (unsigned long long)dmar.rmrr[i].base,
		       (unsigned long long)dmar.rmrr[i].limit, dmar.rmrr[i].segment, dmar.rmrr[i].scopes.count,
		       dmar.rmrr[i].scopes.count == 1 ? "" : "s");
	if (dmar.unknown_types || dmar.scopes_skipped || dmar.rmrr_bad)
		printf("iommu: DMAR: skipped %u structure%s and %u device scope%s of unknown types, %u malformed RMRR%s\n",
		       dmar.unknown_types, dmar.unknown_types == 1 ? "" : "s", dmar.scopes_skipped,
		       dmar.scopes_skipped == 1 ? "" : "s", dmar.rmrr_bad, dmar.rmrr_bad == 1 ? "" : "s");
}

unsigned int vtd_probe(const struct boot_info *bi)
{
	unsigned int ok = 0;
	char err[160], desc[200];
	int rc;

	unit_count = 0;
	dmar_ok = false;
	if (!bi->rsdp_len) {
		printf("iommu: no ACPI tables: no DMA remapping, devices can reach all memory\n");
		return 0;
	}
	rc = acpi_read_dmar(bi->rsdp, bi->rsdp_len, acpi_host_read, NULL, &dmar, err, sizeof(err));
	if (rc == -ENOENT) {
		printf("iommu: machine without DMAR (no VT-d): no DMA remapping, devices can reach all memory\n");
		return 0;
	}
	if (rc) {
		printf("iommu: DMAR unusable (%s): no DMA remapping\n", err);
		return 0;
	}
	dmar_ok = true;
	print_dmar();
	for (unsigned int i = 0; i < dmar.unit_count; i++) {
		struct vtd_unit *u = &units[unit_count++];
		const struct dmar_unit *d = &dmar.unit[i];

		*u = (struct vtd_unit){ .dmar = d };
		u->regs_ok = read_regs(u);
		if (!u->regs_ok || u->ver == 0xffffffffu) {
			u->regs_ok = false;
			printf("iommu: unit %u at 0x%llx: registers unreadable\n", i, (unsigned long long)d->reg_base);
			continue;
		}
		ok++;
		printf("iommu: unit %u at 0x%llx (segment %u, %s, %u scope%s): %s\n", i, (unsigned long long)d->reg_base,
		       d->segment, d->include_pci_all ? "all other devices" : "listed devices", d->scopes.count,
		       d->scopes.count == 1 ? "" : "s", vtd_describe(desc, sizeof(desc), u->ver, u->cap, u->ecap));
		if (u->gsts & (VTD_GSTS_TES | VTD_GSTS_IRES))
			printf("iommu: unit %u: firmware left %s on\n", i,
			       u->gsts & VTD_GSTS_TES ? (u->gsts & VTD_GSTS_IRES ? "translation and interrupt remapping"
										 : "translation")
						       : "interrupt remapping");
	}
	return ok;
}
