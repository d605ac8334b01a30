/* tests/unit/guest/test_policy.c - what guests see of CPUID, XCR0 and MSRs. */
#include "guest/policy/cpuid_policy.h"
#include "guest/policy/msr_policy.h"
#include "guest/hypercall_abi.h"
#include "tests/unit/check.h"

static const struct guest_features all = { true, true, true, true, true };
static const struct guest_features none;

TEST(leaf1_hides_vmx_smx_sets_hypervisor_bit)
{
	struct cpuid_result r = { 0x50654, 0x800, 0xfffaebbf, 0xbfebfbff };

	cpuid_policy_apply(1, 0, &all, 0, &r);
	CHECK_EQ(r.ecx & (1u << 5), 0);               /* VMX */
	CHECK_EQ(r.ecx & (1u << 6), 0);               /* SMX */
	CHECK(r.ecx & (1u << 31));                    /* hypervisor present */
	CHECK_EQ(r.ecx & (1u << 27), 0);              /* OSXSAVE follows the guest's CR4 (clear) */
	CHECK_EQ(r.eax, 0x50654);
	CHECK_EQ(r.edx, 0xbfebfbff & ~(1u << 21));    /* DS hidden */

	r.ecx = 0;
	cpuid_policy_apply(1, 0, &all, 1ULL << 18, &r);
	CHECK(r.ecx & (1u << 27));
}

TEST(leaf7_ospke_follows_guest_cr4)
{
	struct cpuid_result r = { 0, 0, 1u << 4, 0 };

	cpuid_policy_apply(7, 0, &all, 0, &r);
	CHECK_EQ(r.ecx & (1u << 4), 0);
	cpuid_policy_apply(7, 0, &all, 1ULL << 22, &r);
	CHECK(r.ecx & (1u << 4));
	r.ecx = 1u << 4;
	cpuid_policy_apply(7, 1, &all, 0, &r);              /* other subleaves untouched */
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
	cpuid_policy_apply(0x40000000, 0, &all, 0, &r);
	CHECK_EQ(r.eax, HV_CPUID_MAX_LEAF);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = 0;
	CHECK_STR(sig, HV_CPUID_SIGNATURE);
	cpuid_policy_apply(0x40000001, 0, &all, 0, &r);
	CHECK_EQ(r.eax, (HC_VERSION_MAJOR << 16) | HC_VERSION_MINOR);
	CHECK_EQ(r.ebx, 1);
	r = (struct cpuid_result){ 9, 9, 9, 9 };
	cpuid_policy_apply(0x40000002, 0, &all, 0, &r);
	CHECK(r.eax == 0 && r.ebx == 0 && r.ecx == 0 && r.edx == 0);
}

TEST(pass_through_leaves_untouched)
{
	struct cpuid_result r = { 0x80000008, 0x68747541, 0x444d4163, 0x69746e65 };

	cpuid_policy_apply(0x80000000, 0, &all, ~0ULL, &r);
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

TEST(xsave_compacted_sizes)
{
	/* Skylake-X components (CPUID.(0DH,i):EAX): AVX 256, MPX 64 + 64,
	 * opmask 64, ZMM_Hi256 512, Hi16_ZMM 1024, PKRU 8; none 64-byte aligned. */
	uint32_t size[64] = { [2] = 256, [3] = 64, [4] = 64, [5] = 64, [6] = 512, [7] = 1024, [9] = 8 };
	bool align[64] = { false };

	CHECK_EQ(xsave_compacted_size(0x3, size, align), 576);
	CHECK_EQ(xsave_compacted_size(0x7, size, align), 832);
	CHECK_EQ(xsave_compacted_size(0xe7, size, align), 2432);   /* Linux's figure under Bochs */
	CHECK_EQ(xsave_compacted_size(0x2e7, size, align), 2440);
	align[9] = true;                                        /* PKRU at a 64-byte boundary */
	CHECK_EQ(xsave_compacted_size(0x2e7, size, align), 2440);
	size[7] = 1000;
	CHECK_EQ(xsave_compacted_size(0x2e7, size, align), 2432 + 8);   /* 2408 padded to 2432 */
}

TEST(msr_policy_rules)
{
	CHECK_EQ(msr_policy(0x3a, false, &all), MSR_FEATURE_CONTROL);
	CHECK_EQ(msr_policy(0x3a, true, &all), MSR_FEATURE_CONTROL);
	for (uint32_t m = 0x480; m <= 0x493; m++) {      /* 0x493: IA32_VMX_VMFUNC too */
		CHECK_EQ(msr_policy(m, false, &all), MSR_GP);
		CHECK_EQ(msr_policy(m, true, &all), MSR_GP);
	}
	CHECK_EQ(msr_policy(0x10, true, &all), MSR_TSC_WRITE);
	CHECK_EQ(msr_policy(0x10, false, &all), MSR_PASS);
	CHECK_EQ(msr_policy(0x2ff, true, &all), MSR_IGNORE_WRITE);
	CHECK_EQ(msr_policy(0x20f, true, &all), MSR_IGNORE_WRITE);
	CHECK_EQ(msr_policy(0x2ff, false, &all), MSR_PASS);
	CHECK_EQ(msr_policy(0x79, true, &all), MSR_IGNORE_WRITE);
	/* EFER: reads pass, writes emulated (the backend keeps a copy: issue 17). */
	CHECK_EQ(msr_policy(0xc0000080, false, &all), MSR_PASS);
	CHECK_EQ(msr_policy(0xc0000080, true, &all), MSR_EFER);
	CHECK_EQ(msr_policy(0xc0000080, true, &none), MSR_EFER);
	CHECK_EQ(msr_policy(0x175, false, &all), MSR_PASS);
	CHECK_EQ(msr_policy(0x12345678, false, &all), MSR_GP);    /* outside the bitmap: always exits */
	CHECK_EQ(msr_policy(0x40000000, true, &all), MSR_GP);
	/* Denied by default: MSRs no rule names. */
	CHECK_EQ(msr_policy(0x1ff, false, &all), MSR_GP);
	CHECK_EQ(msr_policy(0xc0010000, false, &all), MSR_GP);    /* AMD's, in no bitmap range */
	CHECK_EQ(msr_policy(0xc0000104, true, &all), MSR_GP);
	/* The attacks of issue 11. */
	CHECK_EQ(msr_policy(0x1b, false, &all), MSR_PASS);
	CHECK_EQ(msr_policy(0x1b, true, &all), MSR_APIC_BASE);
	CHECK_EQ(msr_policy(0x570, false, &all), MSR_GP);         /* IA32_RTIT_CTL */
	CHECK_EQ(msr_policy(0x570, true, &all), MSR_GP);
	CHECK_EQ(msr_policy(0x560, true, &all), MSR_GP);          /* IA32_RTIT_OUTPUT_BASE */
	CHECK_EQ(msr_policy(0x600, true, &all), MSR_GP);          /* IA32_DS_AREA */
	CHECK_EQ(msr_policy(0x3f1, true, &all), MSR_GP);          /* IA32_PEBS_ENABLE */
	CHECK_EQ(msr_policy(0x1a0, false, &all), MSR_MISC_ENABLE);
	CHECK_EQ(msr_policy(0x1a0, true, &all), MSR_MISC_ENABLE);
	CHECK_EQ(msr_policy(0x1d9, true, &all), MSR_DEBUGCTL);
	CHECK_EQ(msr_policy(0x1d9, false, &all), MSR_PASS);
	/* x2APIC: all pass but ICR writes; nothing beyond 0x83f. */
	CHECK_EQ(msr_policy(0x80b, true, &all), MSR_PASS);        /* EOI */
	CHECK_EQ(msr_policy(0x808, true, &all), MSR_PASS);        /* TPR */
	CHECK_EQ(msr_policy(0x830, false, &all), MSR_PASS);
	CHECK_EQ(msr_policy(0x830, true, &all), MSR_X2APIC_ICR_TRAP);
	CHECK_EQ(msr_policy(0x840, false, &all), MSR_GP);
	/* The allow-list follows the granted features. */
	CHECK_EQ(msr_policy(0xc0000103, true, &all), MSR_PASS);   /* TSC_AUX with RDTSCP */
	CHECK_EQ(msr_policy(0xc0000103, false, &none), MSR_GP);
	CHECK_EQ(msr_policy(0xda0, true, &all), MSR_XSS);
	CHECK_EQ(msr_policy(0xda0, false, &none), MSR_GP);
	CHECK_EQ(msr_policy(0xe1, false, &all), MSR_PASS);        /* UMWAIT_CONTROL with WAITPKG */
	CHECK_EQ(msr_policy(0xe1, false, &none), MSR_GP);
	CHECK_STR(msr_name(0x570), "IA32_RTIT_CTL");
	CHECK_STR(msr_name(0x493), "IA32_VMX_*");
	CHECK(msr_name(0x1ff) == NULL);
	CHECK_EQ(msr_log_key(0x48b), 0x480);            /* IA32_VMX_* logged once */
	CHECK_EQ(msr_log_key(0x570), 0x570);
	CHECK_EQ(msr_log_key(0xd90), 0xd90);            /* unknown: itself */
}

/* Reads bit msr of the bitmap's read (write = false) or write half. */
static bool bitmap_traps(const uint8_t *bm, uint32_t msr, bool write)
{
	unsigned int base = (msr >= 0xc0000000 ? 1024 : 0) + (write ? 2048 : 0);
	uint32_t bit = msr & 0x1fff;

	return bm[base + bit / 8] & (1u << (bit % 8));
}

TEST(msr_bitmap_matches_policy)
{
	static uint8_t bm[4096];
	const struct guest_features *sets[] = { &all, &none };

	for (unsigned int s = 0; s < 2; s++) {
		msr_bitmap_build(bm, sets[s]);
		for (uint32_t lo = 0; lo <= 0x1fff; lo++) {
			for (int w = 0; w < 2; w++) {
				uint32_t hi = 0xc0000000 + lo;

				CHECK_EQ(!bitmap_traps(bm, lo, w), msr_policy(lo, w, sets[s]) == MSR_PASS);
				CHECK_EQ(!bitmap_traps(bm, hi, w), msr_policy(hi, w, sets[s]) == MSR_PASS);
			}
		}
	}
}

TEST(msr_rules_sorted_disjoint)
{
	for (unsigned int i = 0; i < msr_rule_count; i++) {
		CHECK(msr_rules[i].first <= msr_rules[i].last);
		CHECK(msr_in_bitmap_range(msr_rules[i].first));
		CHECK(msr_in_bitmap_range(msr_rules[i].last));
		CHECK(msr_rules[i].name != NULL);
		if (i)
			CHECK(msr_rules[i - 1].last < msr_rules[i].first);
	}
}

TEST(apic_base_transitions)
{
	const uint64_t base = 0xfee00000, bsp = 1u << 8, ext = 1u << 10, en = 1u << 11;
	const uint64_t xapic = base | bsp | en, x2 = xapic | ext, off = base | bsp;

	CHECK(msr_apic_base_write_ok(xapic, xapic, true, 39));            /* no change */
	CHECK(msr_apic_base_write_ok(xapic, x2, true, 39));               /* xAPIC -> x2APIC */
	CHECK(!msr_apic_base_write_ok(xapic, x2, false, 39));             /* no x2APIC on this CPU */
	CHECK(msr_apic_base_write_ok(x2, off, true, 39));                 /* x2APIC -> disabled */
	CHECK(!msr_apic_base_write_ok(x2, xapic, true, 39));              /* x2APIC -> xAPIC */
	CHECK(msr_apic_base_write_ok(off, xapic, true, 39));              /* disabled -> xAPIC */
	CHECK(!msr_apic_base_write_ok(off, x2, true, 39));                /* disabled -> x2APIC */
	CHECK(!msr_apic_base_write_ok(xapic, off | ext, true, 39));       /* invalid state */
	CHECK(msr_apic_base_write_ok(xapic, xapic & ~bsp, true, 39));     /* BSP is read-only */
	/* The base never moves: onto the hypervisor's memory or anywhere else. */
	CHECK(!msr_apic_base_write_ok(xapic, 0x7e000000 | bsp | en, true, 39));
	CHECK(!msr_apic_base_write_ok(xapic, xapic + 0x1000, true, 39));
	CHECK(!msr_apic_base_write_ok(xapic, xapic | 1ULL << 38, true, 39));
	/* Reserved: bits 0-7, 9, MAXPHYADDR and up. */
	CHECK(!msr_apic_base_write_ok(xapic, xapic | 1, true, 39));
	CHECK(!msr_apic_base_write_ok(xapic, xapic | 1u << 9, true, 39));
	CHECK(!msr_apic_base_write_ok(xapic, xapic | 1ULL << 39, true, 39));
	CHECK(!msr_apic_base_write_ok(xapic, xapic | 1ULL << 63, true, 52));
}

TEST(misc_enable_shadow)
{
	const uint64_t real = 0x850089;              /* fast strings, thermal, perfmon, EIST, ... */
	uint64_t s = msr_misc_enable_init(real);

	CHECK(s & (1u << 11));                       /* BTS unavailable */
	CHECK(s & (1u << 12));                       /* PEBS unavailable */
	CHECK(!(s & (1u << 7)));                     /* no PMU */
	CHECK_EQ(s & ~0x1880ULL, real & ~0x1880ULL);
	s = msr_misc_enable_write(s, s | 1ULL << 34);   /* XD disable: kept clear */
	CHECK(!(s & 1ULL << 34));
	s = msr_misc_enable_write(s, s & ~0x1800ULL);   /* cannot claim BTS/PEBS */
	CHECK_EQ(s & 0x1800, 0x1800);
	s = msr_misc_enable_write(s, s | 1u << 22);     /* limit CPUID maxval: the guest's */
	CHECK(s & 1u << 22);
	s = msr_misc_enable_write(s, s & ~(1ULL << 22));
	CHECK(!(s & 1u << 22));
	CHECK_EQ(msr_misc_enable_init(1ULL << 34) & 1ULL << 34, 1ULL << 34);   /* real state shown */
}

TEST(debugctl_filter)
{
	CHECK(msr_debugctl_write_ok(0));
	CHECK(msr_debugctl_write_ok(0x3));           /* LBR, BTF */
	CHECK(msr_debugctl_write_ok(0x1801));        /* freeze on PMI */
	CHECK(msr_debugctl_write_ok(0x4));           /* bus-lock detection (Linux sets it) */
	CHECK(!msr_debugctl_write_ok(1u << 6));      /* TR */
	CHECK(!msr_debugctl_write_ok(1u << 7));      /* BTS */
	CHECK(!msr_debugctl_write_ok(0xc0));
	CHECK(!msr_debugctl_write_ok(1u << 8));      /* BTINT */
	CHECK(!msr_debugctl_write_ok(1ULL << 32));
}

TEST(msr_bitmap_ranges)
{
	CHECK(msr_in_bitmap_range(0));
	CHECK(msr_in_bitmap_range(0x1fff));
	CHECK(!msr_in_bitmap_range(0x2000));
	CHECK(msr_in_bitmap_range(0xc0000000));
	CHECK(msr_in_bitmap_range(0xc0001fff));
	CHECK(!msr_in_bitmap_range(0xc0002000));
}

TEST(feature_control_view)
{
	CHECK_EQ(msr_feature_control_view(0x5), 0x1);
	CHECK_EQ(msr_feature_control_view(0x0), 0x1);
	CHECK_EQ(msr_feature_control_view(0x60007), 0x60001);    /* other bits (SGX) kept */
	CHECK_EQ(msr_feature_control_view(0x100007), 0x1);        /* no LMCE */
}
