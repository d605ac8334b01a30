/* tests/unit/guest/test_efer.c - the guest's IA32_EFER: the bits its CPUID
 * gives it, and WRMSR's rules (SDM Vol. 4 Table 2-2, Vol. 3A 9.8.5). */
#include "tests/unit/check.h"
#include "guest/policy/efer.h"
#include "arch/msr.h"

/* CPUID.80000001H:EDX of an Intel CPU in 64-bit mode: SYSCALL, NX, 1 GiB
 * pages, RDTSCP, LM. */
#define EDX_INTEL 0x2c100800u
#define ALL (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

TEST(supported_follows_cpuid)
{
	CHECK_EQ(efer_supported(EDX_INTEL), ALL);
	CHECK_EQ(efer_supported(EDX_INTEL & ~CPUID81_EDX_NX), EFER_SCE | EFER_LME | EFER_LMA);
	CHECK_EQ(efer_supported(EDX_INTEL & ~CPUID81_EDX_LM), EFER_SCE | EFER_NXE);
	/* SCE whatever CPUID says (Intel shows SYSCALL only in 64-bit mode). */
	CHECK_EQ(efer_supported(0), EFER_SCE);
}

/* Linux's startup_32 and the trampoline: LME (and NXE, SCE) with paging off. */
TEST(lme_with_paging_off)
{
	uint64_t e = 0x1234;

	CHECK(efer_write(0, EFER_LME, false, ALL, &e));
	CHECK_EQ(e, EFER_LME);
	CHECK(efer_write(EFER_LME, EFER_SCE | EFER_LME | EFER_NXE, false, ALL, &e));
	CHECK_EQ(e, EFER_SCE | EFER_LME | EFER_NXE);
	CHECK(efer_write(EFER_LME, 0, false, ALL, &e));
	CHECK_EQ(e, 0);
}

/* In IA-32e mode: SCE and NXE change, LME stays, LMA is kept. */
TEST(long_mode_bits_other_than_lme)
{
	uint64_t old = EFER_LME | EFER_LMA, e = 0;

	CHECK(efer_write(old, EFER_LME | EFER_LMA | EFER_SCE | EFER_NXE, true, ALL, &e));
	CHECK_EQ(e, ALL);
	/* The written LMA does not count: clear in the value, still set. */
	CHECK(efer_write(old, EFER_LME | EFER_NXE, true, ALL, &e));
	CHECK_EQ(e, EFER_LME | EFER_LMA | EFER_NXE);
}

TEST(lme_change_with_paging_on_is_gp)
{
	uint64_t e = 0x55;

	CHECK(!efer_write(EFER_LME | EFER_LMA, EFER_LMA, true, ALL, &e));
	CHECK(!efer_write(EFER_LME | EFER_LMA, 0, true, ALL, &e));
	/* 32-bit paging on, LME off: setting it is refused too. */
	CHECK(!efer_write(0, EFER_LME, true, ALL, &e));
	CHECK_EQ(e, 0x55);                          /* untouched on #GP */
	/* The same LME with paging on is fine. */
	CHECK(efer_write(0, EFER_NXE, true, ALL, &e));
	CHECK_EQ(e, EFER_NXE);
}

/* LMA written where paging is off: ignored, not a change of anything. */
TEST(lma_is_read_only)
{
	uint64_t e = 0;

	CHECK(efer_write(0, EFER_LMA | EFER_LME, false, ALL, &e));
	CHECK_EQ(e, EFER_LME);
	CHECK(efer_write(EFER_LME | EFER_LMA, EFER_LME, false, ALL, &e));
	CHECK_EQ(e, EFER_LME | EFER_LMA);
}

TEST(reserved_bits_are_gp)
{
	uint64_t e = 7;

	for (unsigned int b = 0; b < 64; b++) {
		uint64_t bit = 1ULL << b;

		if (bit & ALL)
			continue;
		CHECK(!efer_write(0, bit, false, ALL, &e));
		CHECK(!efer_write(EFER_LME | EFER_LMA, EFER_LME | bit, true, ALL, &e));
	}
	/* AMD's SVME, LMSLE, FFXSR, TCE: reserved on Intel. */
	CHECK(!efer_write(0, 1ULL << 12, false, ALL, &e));
	CHECK(!efer_write(0, 1ULL << 14, false, ALL, &e));
	/* NXE without NX, LME without LM. */
	CHECK(!efer_write(0, EFER_NXE, false, efer_supported(EDX_INTEL & ~CPUID81_EDX_NX), &e));
	CHECK(!efer_write(0, EFER_LME, false, efer_supported(EDX_INTEL & ~CPUID81_EDX_LM), &e));
	CHECK(!efer_write(0, EFER_LMA, false, efer_supported(EDX_INTEL & ~CPUID81_EDX_LM), &e));
	CHECK_EQ(e, 7);
}
