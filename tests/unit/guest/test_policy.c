/* tests/unit/guest/test_policy.c - what guests see of CPUID, XCR0 and MSRs. */
#include "guest/cpuid_policy.h"
#include "guest/msr_policy.h"
#include "guest/hypercall_abi.h"
#include "tests/unit/check.h"

TEST(leaf1_hides_vmx_smx_sets_hypervisor_bit)
{
	struct cpuid_result r = { 0x50654, 0x800, 0xfffaebbf, 0xbfebfbff };

	cpuid_policy_apply(1, 0, 0, &r);
	CHECK_EQ(r.ecx & (1u << 5), 0);               /* VMX */
	CHECK_EQ(r.ecx & (1u << 6), 0);               /* SMX */
	CHECK(r.ecx & (1u << 31));                    /* hypervisor present */
	CHECK_EQ(r.ecx & (1u << 27), 0);              /* OSXSAVE follows the guest's CR4 (clear) */
	CHECK_EQ(r.eax, 0x50654);
	CHECK_EQ(r.edx, 0xbfebfbff);

	r.ecx = 0;
	cpuid_policy_apply(1, 0, 1ULL << 18, &r);
	CHECK(r.ecx & (1u << 27));
}

TEST(leaf7_ospke_follows_guest_cr4)
{
	struct cpuid_result r = { 0, 0, 1u << 4, 0 };

	cpuid_policy_apply(7, 0, 0, &r);
	CHECK_EQ(r.ecx & (1u << 4), 0);
	cpuid_policy_apply(7, 0, 1ULL << 22, &r);
	CHECK(r.ecx & (1u << 4));
	r.ecx = 1u << 4;
	cpuid_policy_apply(7, 1, 0, &r);              /* other subleaves untouched */
	CHECK(r.ecx & (1u << 4));
}

TEST(hypervisor_leaves)
{
	struct cpuid_result r = { 1, 2, 3, 4 };
	char sig[13];

	CHECK(cpuid_is_hypervisor_leaf(0x40000000));
	CHECK(cpuid_is_hypervisor_leaf(0x400000ff));
	CHECK(!cpuid_is_hypervisor_leaf(0x40000100));
	CHECK(!cpuid_is_hypervisor_leaf(0x3fffffff));
	cpuid_policy_apply(0x40000000, 0, 0, &r);
	CHECK_EQ(r.eax, HV_CPUID_MAX_LEAF);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = 0;
	CHECK_STR(sig, HV_CPUID_SIGNATURE);
	cpuid_policy_apply(0x40000001, 0, 0, &r);
	CHECK_EQ(r.eax, (HC_VERSION_MAJOR << 16) | HC_VERSION_MINOR);
	CHECK_EQ(r.ebx, 1);
	r = (struct cpuid_result){ 9, 9, 9, 9 };
	cpuid_policy_apply(0x40000002, 0, 0, &r);
	CHECK(r.eax == 0 && r.ebx == 0 && r.ecx == 0 && r.edx == 0);
}

TEST(pass_through_leaves_untouched)
{
	struct cpuid_result r = { 0x80000008, 0x68747541, 0x444d4163, 0x69746e65 };

	cpuid_policy_apply(0x80000000, 0, ~0ULL, &r);
	CHECK_EQ(r.eax, 0x80000008);
	CHECK_EQ(r.ebx, 0x68747541);
}

TEST(xcr0_rules)
{
	const uint64_t all = 0x2ff;                   /* x87 SSE AVX MPX(2) AVX-512(3) PKRU */

	CHECK(xcr0_is_valid(0x1, all));
	CHECK(xcr0_is_valid(0x3, all));
	CHECK(xcr0_is_valid(0x7, all));
	CHECK(xcr0_is_valid(0xe7, all));              /* AVX-512 with AVX */
	CHECK(xcr0_is_valid(0x1f, all));              /* both MPX components */
	CHECK(!xcr0_is_valid(0x0, all));              /* x87 off */
	CHECK(!xcr0_is_valid(0x2, all));
	CHECK(!xcr0_is_valid(0x5, all));              /* AVX without SSE */
	CHECK(!xcr0_is_valid(0xb, all));              /* one MPX component */
	CHECK(!xcr0_is_valid(0x67, all));             /* AVX-512 incomplete */
	CHECK(!xcr0_is_valid(0xe3, all));             /* AVX-512 without AVX */
	CHECK(!xcr0_is_valid(0x7, 0x3));              /* AVX not supported */
	CHECK(!xcr0_is_valid(1ULL << 62 | 1, all));
}

TEST(msr_policy_traps)
{
	CHECK_EQ(msr_policy(0x3a, false), MSR_FEATURE_CONTROL);
	CHECK_EQ(msr_policy(0x3a, true), MSR_FEATURE_CONTROL);
	for (uint32_t m = 0x480; m <= 0x492; m++) {
		CHECK_EQ(msr_policy(m, false), MSR_GP);
		CHECK_EQ(msr_policy(m, true), MSR_GP);
	}
	CHECK_EQ(msr_policy(0x10, true), MSR_TSC_WRITE);
	CHECK_EQ(msr_policy(0x10, false), MSR_PASS);
	CHECK_EQ(msr_policy(0x2ff, true), MSR_IGNORE_WRITE);
	CHECK_EQ(msr_policy(0x20f, true), MSR_IGNORE_WRITE);
	CHECK_EQ(msr_policy(0x2ff, false), MSR_PASS);
	CHECK_EQ(msr_policy(0x79, true), MSR_IGNORE_WRITE);
	CHECK_EQ(msr_policy(0xc0000080, true), MSR_PASS);  /* EFER: the guest's, saved/loaded by VMX */
	CHECK_EQ(msr_policy(0x175, false), MSR_PASS);
	CHECK_EQ(msr_policy(0x12345678, false), MSR_GP);    /* outside the bitmap: always exits */
	CHECK_EQ(msr_policy(0x40000000, true), MSR_GP);
}

TEST(msr_bitmap_ranges)
{
	CHECK(msr_in_bitmap_range(0));
	CHECK(msr_in_bitmap_range(0x1fff));
	CHECK(!msr_in_bitmap_range(0x2000));
	CHECK(msr_in_bitmap_range(0xc0000000));
	CHECK(msr_in_bitmap_range(0xc0001fff));
	CHECK(!msr_in_bitmap_range(0xc0002000));
	/* Every trapped MSR must be reachable through the bitmap. */
	for (unsigned int i = 0; i < msr_trap_count; i++) {
		CHECK(msr_in_bitmap_range(msr_traps[i].first));
		CHECK(msr_in_bitmap_range(msr_traps[i].last));
		CHECK(msr_traps[i].first <= msr_traps[i].last);
	}
}

TEST(feature_control_view)
{
	CHECK_EQ(msr_feature_control_view(0x5), 0x1);
	CHECK_EQ(msr_feature_control_view(0x0), 0x1);
	CHECK_EQ(msr_feature_control_view(0x100007), 0x100001);  /* other bits (LMCE, SGX) kept */
}
