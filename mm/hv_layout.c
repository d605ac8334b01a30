/* mm/hv_layout.c - the hypervisor's block at the top of usable RAM: boot
 * module copies, then the working memory (docs/architecture.md, "Host
 * memory map"). */
#include "mm/hv_layout.h"

int hv_layout_plan(const struct memmap *m, uint64_t work_size, const struct hv_layout_module *mods,
		   unsigned int count, struct hv_layout *out)
{
	uint64_t sum = 0, total;
	hpa_t start;

	if (!m || !out || (count && !mods) || count > HV_LAYOUT_MODULES_MAX || !work_size ||
	    !IS_ALIGNED(work_size, HV_LAYOUT_ALIGN))
		return -EINVAL;
	for (unsigned int i = 0; i < count; i++) {
		uint64_t len;

		if (mods[i].end < mods[i].start)
			return -EINVAL;
		len = mods[i].end - mods[i].start;
		if (len > UINT64_MAX - sum - 2 * HV_LAYOUT_ALIGN)
			return -EINVAL;
		out->module_at[i] = sum;                 /* offsets for now */
		sum += ALIGN_UP(len, PAGE_SIZE);
	}
	sum = ALIGN_UP(sum, HV_LAYOUT_ALIGN);
	if (work_size > UINT64_MAX - sum)
		return -EINVAL;
	total = sum + work_size;
	start = memmap_find_top(m, total, HV_LAYOUT_ALIGN);
	if (start == INVALID_HPA)
		return -ENOMEM;
	out->start = out->modules = start;
	out->modules_size = sum;
	out->module_count = count;
	for (unsigned int i = 0; i < count; i++)
		out->module_at[i] += start;
	out->work = start + sum;
	out->work_size = work_size;
	return 0;
}

int hv_layout_apply(struct memmap *m, const struct hv_layout *l, const struct hv_layout_module *mods,
		    unsigned int count)
{
	int rc = 0;

	for (unsigned int i = 0; i < count && !rc; i++)
		rc = memmap_retype(m, ALIGN_DOWN(mods[i].start, PAGE_SIZE), ALIGN_UP(mods[i].end, PAGE_SIZE),
				   MEM_MODULE, MEM_USABLE);
	if (!rc && l->modules_size)
		rc = memmap_set(m, l->modules, l->modules + l->modules_size, MEM_MODULE);
	if (!rc)
		rc = memmap_set(m, l->work, l->work + l->work_size, MEM_HV_WORKING);
	return rc;
}
