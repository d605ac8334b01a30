/* drivers/iommu/vtd_qi.c - queued invalidation descriptors and the queue's
 * ring (VT-d spec rev 5.0, 6.5.2). Pure. */
#include "drivers/iommu/vtd_qi.h"

struct vtd_qi_desc vtd_qi_cc_global(void)
{
	return (struct vtd_qi_desc){ VTD_QI_CC | VTD_QI_G_GLOBAL, 0 };
}

struct vtd_qi_desc vtd_qi_iotlb_global(uint64_t cap)
{
	uint64_t lo = VTD_QI_IOTLB | VTD_QI_G_GLOBAL;

	if (cap & VTD_CAP_DRD)
		lo |= VTD_QI_IOTLB_DR;
	if (cap & VTD_CAP_DWD)
		lo |= VTD_QI_IOTLB_DW;
	return (struct vtd_qi_desc){ lo, 0 };
}

struct vtd_qi_desc vtd_qi_iec_global(void)
{
	return (struct vtd_qi_desc){ VTD_QI_IEC, 0 };
}

struct vtd_qi_desc vtd_qi_wait(uint64_t status_pa, uint32_t data)
{
	return (struct vtd_qi_desc){ VTD_QI_WAIT | VTD_QI_WAIT_SW | VTD_QI_WAIT_FN | ((uint64_t)data << 32),
				     status_pa & ~3ULL };
}

unsigned int vtd_qi_room(const struct vtd_qi *q, unsigned int head)
{
	unsigned int used = (q->tail + q->entries - head % q->entries) % q->entries;

	return q->entries - 1 - used;
}

int vtd_qi_put(struct vtd_qi *q, unsigned int head, const struct vtd_qi_desc *d, unsigned int n)
{
	if (!q->entries || n > vtd_qi_room(q, head))
		return -ENOSPC;
	for (unsigned int i = 0; i < n; i++) {
		q->ring[q->tail] = d[i];
		q->tail = (q->tail + 1) % q->entries;
	}
	return 0;
}
