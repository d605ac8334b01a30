/* tests/unit/guest/test_reg_cache.c - the register cache's rules
 * (guest/backend.h vcpu_reg, vcpu_set_reg): a field is fetched from the
 * backend at most once per exit, writes mark it dirty, a new exit forgets
 * what was cached. */
#include "tests/unit/check.h"
#include "guest/backend.h"

static unsigned int fetches[VREG_COUNT];
static uint64_t backend_value[VREG_COUNT];

/* The backend's side, faked: counts the reads. */
uint64_t vcpu_reg_fetch(struct vcpu *v, enum vcpu_reg r)
{
	fetches[r]++;
	return backend_value[r];
}

static void new_exit(struct vcpu *v)
{
	v->rc.valid = 0;            /* what vcpu_enter does after each exit */
	memset(fetches, 0, sizeof(fetches));
}

TEST(reg_cache_reads_once)
{
	struct vcpu v = { 0 };

	new_exit(&v);
	backend_value[VREG_RIP] = 0x1000;
	backend_value[VREG_CR4] = 0x20;
	CHECK_EQ(vcpu_reg(&v, VREG_RIP), 0x1000);
	CHECK_EQ(vcpu_reg(&v, VREG_RIP), 0x1000);
	CHECK_EQ(vcpu_reg(&v, VREG_CR4), 0x20);
	CHECK_EQ(fetches[VREG_RIP], 1);
	CHECK_EQ(fetches[VREG_CR4], 1);
	CHECK_EQ(fetches[VREG_RSP], 0);
	CHECK_EQ(v.rc.dirty, 0);
}

TEST(reg_cache_write_marks_dirty_without_fetch)
{
	struct vcpu v = { 0 };

	new_exit(&v);
	vcpu_set_reg(&v, VREG_RFLAGS, 0x202);
	CHECK_EQ(vcpu_reg(&v, VREG_RFLAGS), 0x202);
	CHECK_EQ(fetches[VREG_RFLAGS], 0);
	CHECK_EQ(v.rc.dirty, 1u << VREG_RFLAGS);
	vcpu_set_reg(&v, VREG_RSP, 0x8000);
	CHECK_EQ(v.rc.dirty, 1u << VREG_RFLAGS | 1u << VREG_RSP);
}

TEST(reg_cache_new_exit_refetches)
{
	struct vcpu v = { 0 };

	new_exit(&v);
	backend_value[VREG_RIP] = 0x1000;
	(void)vcpu_reg(&v, VREG_RIP);
	new_exit(&v);
	backend_value[VREG_RIP] = 0x2000;
	CHECK_EQ(vcpu_reg(&v, VREG_RIP), 0x2000);
	CHECK_EQ(fetches[VREG_RIP], 1);
}

TEST(reg_cache_fits_its_masks)
{
	CHECK(VREG_COUNT <= 32);
}
