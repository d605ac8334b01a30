/* drivers/iommu/vtd_ctx.c - legacy-mode root and context tables (VT-d spec
 * rev 5.0, 9.1, 9.3): every bus and device of a unit in one domain. Pure. */
#include "drivers/iommu/vtd_ctx.h"

#define VTD_TABLE_ENTRIES 256           /* 4 KiB of 128-bit entries */

int vtd_ctx_build(struct vtd_ctx *c, const struct pt_mem *mem, const struct vtd_sl *sl, uint16_t did)
{
	struct vtd_entry128 *root, *ctx, e;

	*c = (struct vtd_ctx){ .tables_used = 0 };
	if (!did || sl->fmt.levels < VTD_SL_MIN_LEVELS || sl->fmt.levels > VTD_SL_MAX_LEVELS ||
	    sl->root_pa & ~VTD_ADDR_MASK)
		return -EINVAL;
	ctx = mem->alloc_table(mem->ctx, &c->ctx_pa);
	if (!ctx)
		return -ENOMEM;
	root = mem->alloc_table(mem->ctx, &c->root_pa);
	if (!root)
		return -ENOMEM;                 /* the context page stays with the caller's allocator */
	c->tables_used = 2;
	e = (struct vtd_entry128){
		.lo = sl->root_pa | (uint64_t)VTD_CTX_TT_UNTRANSLATED << VTD_CTX_TT_SHIFT | VTD_CTX_P,
		.hi = (uint64_t)did << VTD_CTX_DID_SHIFT | (sl->fmt.levels - 2),
	};
	for (unsigned int i = 0; i < VTD_TABLE_ENTRIES; i++) {
		ctx[i] = e;
		root[i] = (struct vtd_entry128){ .lo = c->ctx_pa | VTD_ROOT_P, .hi = 0 };
	}
	return 0;
}

int vtd_ctx_lookup(const struct pt_mem *mem, hpa_t root_pa, uint8_t bus, uint8_t devfn, struct vtd_entry128 *out)
{
	const struct vtd_entry128 *root = mem->table_ptr(mem->ctx, root_pa), *ctx;

	if (!(root[bus].lo & VTD_ROOT_P))
		return -ENOENT;
	ctx = mem->table_ptr(mem->ctx, root[bus].lo & VTD_ADDR_MASK);
	if (!(ctx[devfn].lo & VTD_CTX_P))
		return -ENOENT;
	*out = ctx[devfn];
	return 0;
}
