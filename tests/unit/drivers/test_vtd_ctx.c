/* tests/unit/drivers/test_vtd_ctx.c - legacy-mode root and context tables:
 * every bus:devfn reaches one context entry naming the second-level root,
 * the address width of its levels, the domain, TT 00, faults not disabled;
 * the encodings as VT-d rev 5.0, 9.1 and 9.3 lay them out. */
#include "drivers/iommu/vtd_ctx.h"
#include "tests/unit/check.h"
#include "tests/unit/fake_tables.h"

TEST(every_device_in_one_domain)
{
	static const struct vtd_sl_format f4 = { 4, true, true, false }, f3 = { 3, true, false, false },
		f5 = { 5, false, false, false };
	const struct vtd_sl_format *fmts[] = { &f3, &f4, &f5 };

	for (unsigned int k = 0; k < 3; k++) {
		struct vtd_sl sl;
		struct vtd_ctx c;
		struct vtd_entry128 e;

		CHECK_EQ(vtd_sl_init(&sl, &fake_mem, fmts[k]), 0);
		CHECK_EQ(vtd_ctx_build(&c, &fake_mem, &sl, 1), 0);
		CHECK_EQ(c.tables_used, 2);
		CHECK(c.root_pa != c.ctx_pa && !(c.root_pa & 0xfff) && !(c.ctx_pa & 0xfff));
		for (unsigned int bus = 0; bus < 256; bus += 17)
			for (unsigned int devfn = 0; devfn < 256; devfn += 5) {
				CHECK_EQ(vtd_ctx_lookup(&fake_mem, c.root_pa, (uint8_t)bus, (uint8_t)devfn, &e), 0);
				CHECK_EQ(e.lo, sl.root_pa | VTD_CTX_P);         /* TT 00, FPD clear */
				CHECK_EQ(e.hi, (1ULL << 8) | (fmts[k]->levels - 2));
			}
		CHECK_EQ(vtd_ctx_lookup(&fake_mem, c.root_pa, 255, 255, &e), 0);
		free_fake();
	}
}

TEST(encodings)
{
	static const struct vtd_sl_format f4 = { 4, true, true, false };
	struct vtd_sl sl;
	struct vtd_ctx c;
	const struct vtd_entry128 *root, *ctx;

	CHECK_EQ(vtd_sl_init(&sl, &fake_mem, &f4), 0);
	CHECK_EQ(vtd_ctx_build(&c, &fake_mem, &sl, 0x1234), 0);
	root = fake_ptr(&fk, c.root_pa);
	ctx = fake_ptr(&fk, c.ctx_pa);
	CHECK_EQ(root[7].lo, c.ctx_pa | 1);
	CHECK_EQ(root[7].hi, 0);
	CHECK_EQ(ctx[0x1f * 8 + 3].lo & 0xfff, 1);                    /* P; FPD, TT, reserved 0 */
	CHECK_EQ(ctx[0x1f * 8 + 3].hi, 0x123402);                     /* DID 0x1234, AW 2 (48-bit) */
	free_fake();
}

TEST(refusals_and_absent_entries)
{
	static const struct vtd_sl_format f4 = { 4, true, true, false };
	struct vtd_sl sl;
	struct vtd_ctx c;
	struct vtd_entry128 e, *root;

	CHECK_EQ(vtd_sl_init(&sl, &fake_mem, &f4), 0);
	CHECK_EQ(vtd_ctx_build(&c, &fake_mem, &sl, 0), -EINVAL);
	CHECK_EQ(vtd_ctx_build(&c, &fake_mem, &sl, 1), 0);
	root = fake_ptr(&fk, c.root_pa);
	root[3].lo = 0;
	CHECK_EQ(vtd_ctx_lookup(&fake_mem, c.root_pa, 3, 0, &e), -ENOENT);
	((struct vtd_entry128 *)fake_ptr(&fk, c.ctx_pa))[9].lo = 0;
	CHECK_EQ(vtd_ctx_lookup(&fake_mem, c.root_pa, 4, 9, &e), -ENOENT);
	CHECK_EQ(vtd_ctx_lookup(&fake_mem, c.root_pa, 4, 10, &e), 0);
	free_fake();
	/* Out of table pages: the context table or the root. */
	fk.used = MAX_TABLES;
	CHECK_EQ(vtd_ctx_build(&c, &fake_mem, &sl, 1), -ENOMEM);
	fk.used = 0;
}
