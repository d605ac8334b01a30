/* tests/unit/vmx/test_guest_features.c - from real capability MSRs to what a
 * guest sees: the controls the hypervisor gets (vmx_compute_controls), the
 * features they grant (vmx_guest_features), the CPUID bits hidden and kept
 * (cpuid_policy_apply) and the MSRs allowed (msr_policy). */
#include "tests/unit/check.h"
#include "vmx/caps.h"
#include "vmx/vmcs.h"
#include "guest/policy/cpuid_policy.h"
#include "guest/policy/msr_policy.h"
#include "tests/data/vmx_caps_bochs.h"

/*
 * Intel Core i7-9750H (Coffee Lake-H, CPUID.1:EAX 0x000906ea), as
 * VirtualBox 6.1.16 logged it on a Windows 10 host: forum.virtualbox.org,
 * Virtualisation forum, "Vbox 6.1 Black Screen on Startup Ubuntu 20.04"
 * (2021-01-14), "HM: MSR_IA32_VMX_*" lines and the "Hst:" CPUID dump.
 * XSAVES/XRSTORS allowed (bit 20), user wait and pause and PCONFIG not.
 */
static const struct vmx_cap_msrs coffee_lake = {
	.basic = 0x00da040000000004ULL,
	.pinbased = 0x0000007f00000016ULL,
	.procbased = 0xfff9fffe0401e172ULL,
	.exit = 0x01ffffff00036dffULL,
	.entry = 0x0003ffff000011ffULL,
	.misc = 0x000000007004c1e7ULL,
	.procbased2 = 0x005fbcff00000000ULL,
	.ept_vpid_cap = 0x00000f0106734141ULL,
	.true_pinbased = 0x0000007f00000016ULL,
	.true_procbased = 0xfff9fffe04006172ULL,
	.true_exit = 0x01ffffff00036dfbULL,
	.true_entry = 0x0003ffff000011fbULL,
};

/*
 * A 2018 Intel client CPU (model not named; PROCBASED_CTLS2 without APIC
 * virtualization, with XSAVES and PML, as on Skylake/Kaby Lake clients),
 * read with WinDbg "rdmsr" in Sina Karvandi's post "VmcsAuditor - A
 * Bochs-Based Hypervisor Layout Checker" (rayanfam.com, 2018-12-07).
 * IA32_VMX_BASIC was not shown: 0 here, so the non-TRUE MSRs are used.
 */
static const struct vmx_cap_msrs client_2018 = {
	.pinbased = 0x0000007f00000016ULL,
	.procbased = 0xfff9fffe0401e172ULL,
	.exit = 0x01ffffff00036dffULL,
	.entry = 0x0003ffff000011ffULL,
	.cr0_fixed0 = 0x80000021ULL, .cr0_fixed1 = 0xffffffffULL,
	.cr4_fixed0 = 0x2000ULL, .cr4_fixed1 = 0x3767ffULL,
	.procbased2 = 0x001ffcff00000000ULL,
	.ept_vpid_cap = 0x00000f0106334141ULL,
};

/* Its CPUID as the same log shows it (host column). */
static const struct cpuid_result coffee_lake_1 = { 0x000906ea, 0x03100800, 0x7ffafbbf, 0xbfebfbff };
static const struct cpuid_result coffee_lake_6 = { 0x000027f7, 0x00000002, 0x00000009, 0x00000000 };
static const struct cpuid_result coffee_lake_7 = { 0x00000000, 0x029c67af, 0x40000000, 0x9c002400 };
static const struct cpuid_result coffee_lake_a = { 0x07300404, 0x00000000, 0x00000000, 0x00000603 };
static const struct cpuid_result coffee_lake_d1 = { 0x0000000f, 0x00000440, 0x00000100, 0x00000000 };

/*
 * Synthetic, for the controls the others lack: a CPU that allows every
 * secondary control up to "enable PCONFIG" (user wait and pause, PCONFIG
 * included, as on Sapphire Rapids), and one that allows only EPT and
 * unrestricted guest (no RDTSCP, INVPCID, XSAVES).
 */
static struct vmx_cap_msrs with_proc2(const struct vmx_cap_msrs *base, uint64_t proc2)
{
	struct vmx_cap_msrs m = *base;

	m.procbased2 = proc2;
	return m;
}

static void features_of(const struct vmx_cap_msrs *m, struct guest_features *f)
{
	struct vmx_control_result res;

	CHECK(vmx_compute_controls(m, &vmx_hv_controls, &res));
	vmx_guest_features(&res.value, f);
}

TEST(features_bochs_skylake_x)
{
	struct guest_features f;

	features_of(&bochs_skylake_x, &f);
	CHECK(f.rdtscp && f.invpcid && f.xsaves);
	CHECK(!f.waitpkg && !f.pconfig);
}

TEST(features_coffee_lake)
{
	struct guest_features f;

	features_of(&coffee_lake, &f);
	CHECK(f.rdtscp && f.invpcid && f.xsaves);
	CHECK(!f.waitpkg && !f.pconfig);
}

TEST(features_client_2018)
{
	struct vmx_control_result res;
	struct guest_features f;

	features_of(&client_2018, &f);
	CHECK(f.rdtscp && f.invpcid && f.xsaves);
	CHECK(!f.waitpkg && !f.pconfig);
	CHECK(vmx_compute_controls(&client_2018, &vmx_hv_controls, &res));
	CHECK_EQ(res.value.proc2 & (CPU2_ENABLE_RDTSCP | CPU2_ENABLE_INVPCID | CPU2_ENABLE_XSAVES_XRSTORS),
		 CPU2_ENABLE_RDTSCP | CPU2_ENABLE_INVPCID | CPU2_ENABLE_XSAVES_XRSTORS);
}

TEST(features_follow_requested_controls_only)
{
	struct vmx_cap_msrs all = with_proc2(&coffee_lake, 0x0fffffff00000000ULL);
	struct vmx_cap_msrs bare = with_proc2(&coffee_lake, 0x0000008200000000ULL);
	struct guest_features f;

	/* Allowed but not requested: the guest gets neither. */
	features_of(&all, &f);
	CHECK(f.rdtscp && f.invpcid && f.xsaves);
	CHECK(!f.waitpkg && !f.pconfig);
	features_of(&bare, &f);
	CHECK(!f.rdtscp && !f.invpcid && !f.xsaves && !f.waitpkg && !f.pconfig);
	/* Secondary controls count only when activated. */
	vmx_guest_features(&(struct vmx_controls){ .proc2 = CPU2_ENABLE_RDTSCP }, &f);
	CHECK(!f.rdtscp);
	vmx_guest_features(&(struct vmx_controls){ .proc = CPU_ACTIVATE_SECONDARY_CONTROLS,
			   .proc2 = CPU2_ENABLE_USER_WAIT_PAUSE | CPU2_ENABLE_PCONFIG }, &f);
	CHECK(f.waitpkg && f.pconfig && !f.rdtscp);
}

TEST(cpuid_coffee_lake)
{
	struct guest_features f;
	struct cpuid_result r;

	features_of(&coffee_lake, &f);
	r = coffee_lake_1;
	cpuid_policy_apply(1, 0, &f, 0, &r);
	/* Hidden: DTES64, DS-CPL, VMX, SMX, EIST, PDCM, OSXSAVE (CR4 clear); set: hypervisor. */
	CHECK_EQ(r.ecx, 0xf7fa7b0b);
	CHECK_EQ(r.edx, 0xbfcbfbff);                         /* DS */
	CHECK_EQ(r.eax, coffee_lake_1.eax);
	r = coffee_lake_6;
	cpuid_policy_apply(6, 0, &f, 0, &r);
	CHECK_EQ(r.eax, 0x77);                               /* HWP (7-10) and HDC (13) hidden */
	CHECK_EQ(r.ecx, 0x9);                                /* APERF/MPERF and EPB kept */
	r = coffee_lake_7;
	cpuid_policy_apply(7, 0, &f, 0, &r);
	CHECK_EQ(r.ebx, 0x009c27ab);                         /* SGX, MPX, PT hidden; INVPCID kept */
	CHECK_EQ(r.ecx, 0);                                  /* SGX_LC */
	CHECK_EQ(r.edx, 0x9c002400);                         /* MD_CLEAR, IBRS/STIBP/L1D/SSBD kept */
	r = coffee_lake_a;
	cpuid_policy_apply(0xa, 0, &f, 0, &r);
	CHECK(r.eax == 0 && r.ebx == 0 && r.ecx == 0 && r.edx == 0);
	r = coffee_lake_d1;
	cpuid_policy_apply(0xd, 1, &f, 0, &r);
	CHECK_EQ(r.eax, 0xf);                                /* XSAVEOPT, XSAVEC, XGETBV1, XSAVES */
	CHECK_EQ(r.ecx, 0);                                  /* no PT state (XSS bit 8) */
	CHECK_EQ(r.ebx, 0x440);
}

TEST(cpuid_without_granted_features)
{
	struct vmx_cap_msrs bare = with_proc2(&coffee_lake, 0x0000008200000000ULL);
	struct guest_features f;
	struct cpuid_result r;

	features_of(&bare, &f);
	r = coffee_lake_7;
	cpuid_policy_apply(7, 0, &f, 0, &r);
	CHECK_EQ(r.ebx, 0x009c23ab);                         /* INVPCID hidden too */
	r = (struct cpuid_result){ 0, 0, 1u << 22 | 1u << 5, 1u << 18 };
	cpuid_policy_apply(7, 0, &f, 0, &r);
	CHECK_EQ(r.ecx, 0);                                  /* RDPID, WAITPKG */
	CHECK_EQ(r.edx, 0);                                  /* PCONFIG */
	r = coffee_lake_d1;
	cpuid_policy_apply(0xd, 1, &f, 0, &r);
	CHECK_EQ(r.eax, 0x7);                                /* XSAVES hidden */
	r = (struct cpuid_result){ 0, 0, 0x121, 0x2c100800 };
	cpuid_policy_apply(0x80000001, 0, &f, 0, &r);
	CHECK_EQ(r.edx, 0x24100800);                         /* RDTSCP hidden; NX, 1G, LM kept */
	CHECK_EQ(r.ecx, 0x121);
	r = (struct cpuid_result){ 1, 2, 3, 4 };
	cpuid_policy_apply(0x1b, 0, &f, 0, &r);
	CHECK(r.eax == 0 && r.ebx == 0 && r.ecx == 0 && r.edx == 0);
	/* The MSRs of the hidden features go with them. */
	CHECK_EQ(msr_policy(0xc0000103, false, &f), MSR_GP);   /* TSC_AUX */
	CHECK_EQ(msr_policy(0xda0, true, &f), MSR_GP);         /* XSS */
	CHECK_EQ(msr_policy(0xe1, true, &f), MSR_GP);          /* UMWAIT_CONTROL */
}

TEST(cpuid_bochs_skylake_x_all_ones)
{
	struct guest_features f;
	struct cpuid_result r;

	features_of(&bochs_skylake_x, &f);
	r = (struct cpuid_result){ ~0u, ~0u, ~0u, ~0u };
	cpuid_policy_apply(7, 0, &f, 0, &r);
	CHECK_EQ(r.ebx, ~(1u << 2 | 1u << 12 | 1u << 14 | 1u << 15 | 1u << 25));
	CHECK_EQ(r.ecx, ~(1u << 4 | 1u << 5 | 1u << 7 | 1u << 29 | 1u << 30 | 1u << 31));
	CHECK_EQ(r.edx, ~(1u << 1 | 1u << 5 | 1u << 18 | 1u << 19 | 1u << 20));
	r = (struct cpuid_result){ ~0u, ~0u, ~0u, ~0u };
	cpuid_policy_apply(7, 1, &f, 0, &r);
	CHECK_EQ(r.eax, ~(1u << 17 | 1u << 22));
	static const uint32_t zeroed[] = { 0xa, 0xf, 0x10, 0x12, 0x14, 0x1c };
	for (unsigned int i = 0; i < ARRAY_SIZE(zeroed); i++) {
		r = (struct cpuid_result){ ~0u, ~0u, ~0u, ~0u };
		cpuid_policy_apply(zeroed[i], 0, &f, 0, &r);
		CHECK(r.eax == 0 && r.ebx == 0 && r.ecx == 0 && r.edx == 0);
	}
	r = (struct cpuid_result){ ~0u, ~0u, ~0u, ~0u };
	cpuid_policy_apply(0x80000001, 0, &f, 0, &r);
	CHECK_EQ(r.edx, ~0u);                                /* RDTSCP granted */
	CHECK_EQ(msr_policy(0xc0000103, true, &f), MSR_PASS);
	CHECK_EQ(msr_policy(0xda0, true, &f), MSR_XSS);
	CHECK_EQ(msr_policy(0xe1, true, &f), MSR_GP);
}
