/* guest/dev/vtd_fw.c - the VT-d units' register pages as chain mode's
 * firmware sees them: a device model per unit over a vtd_shadow (VT-d spec
 * rev 5.0, 11.4); see vtd_fw.h and docs/architecture.md, "Chain mode". */
#include "guest/dev/vtd_fw.h"
#include "guest/dev/device.h"
#include "drivers/iommu/vtd.h"
#include "drivers/iommu/vtd_shadow.h"
#include "drivers/console.h"

static struct vtd_shadow shadow[DMAR_MAX_UNITS];
static struct device_model model[DMAR_MAX_UNITS];
static hpa_t unit_base[DMAR_MAX_UNITS];

static unsigned int unit_of(const struct device_model *d)
{
	return (unsigned int)(d - model);
}

static uint64_t fw_read(struct device_model *d, struct vcpu *v, gpa_t addr, unsigned int size)
{
	unsigned int i = unit_of(d);

	return vtd_shadow_read(&shadow[i], (unsigned int)(addr - unit_base[i]), size);
}

static void fw_write(struct device_model *d, struct vcpu *v, gpa_t addr, unsigned int size, uint64_t value)
{
	unsigned int i = unit_of(d);

	vtd_shadow_write(&shadow[i], (unsigned int)(addr - unit_base[i]), size, value);
}

static void fw_describe(struct device_model *d)
{
	unsigned int i = unit_of(d);

	printf("  shadow of VT-d unit %u: GSTS reads 0x%x (the hardware translates with the hypervisor's tables)\n",
	       i, (unsigned int)vtd_shadow_read(&shadow[i], 0x1c, 4));
}

int vtd_fw_register(void)
{
	unsigned int n;
	const struct vtd_unit *u = vtd_units(&n);
	int rc;

	if (!vtd_protecting())
		return 0;
	for (unsigned int i = 0; i < n && i < DMAR_MAX_UNITS; i++) {
		unsigned int pages = u[i].reg_pages ? u[i].reg_pages : u[i].dmar->reg_pages;
		uint64_t size = (uint64_t)pages * PAGE_SIZE;

		unit_base[i] = u[i].dmar->reg_base;
		vtd_shadow_init(&shadow[i], u[i].ver, u[i].cap, u[i].ecap, u[i].gsts);
		model[i] = (struct device_model){ .name = "iommu-shadow", .mmio_read = fw_read,
						  .mmio_write = fw_write, .describe = fw_describe };
		rc = device_add_mmio(&model[i], unit_base[i], size);
		if (rc) {
			printf("iommu: unit %u: cannot show the firmware a quiescent unit at 0x%llx (%d)\n", i, (unsigned long long)unit_base[i], rc);
			return rc;
		}
		printf("iommu: unit %u: registers 0x%llx-0x%llx shown to the firmware as a quiescent unit "
		       "(commands complete, nothing changes; GSTS 0x%x as it left it)\n", i,
		       (unsigned long long)unit_base[i], (unsigned long long)(unit_base[i] + size - 1),
		       u[i].gsts);
	}
	return 0;
}
