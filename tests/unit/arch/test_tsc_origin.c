/* tests/unit/arch/test_tsc_origin.c - telling a real CPU's TSC from an
 * emulator's or one under another hypervisor. */
#include "arch/tsc_origin.h"
#include "tests/unit/check.h"

static char why[160];

TEST(brand_string_frequency)
{
	CHECK_EQ(tsc_brand_mhz("Intel(R) Core(TM) i7-7800X CPU @ 3.50GHz"), 3500);
	CHECK_EQ(tsc_brand_mhz("Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz"), 2400);
	CHECK_EQ(tsc_brand_mhz("Intel(R) Pentium(R) 4 CPU @ 3GHz"), 3000);
	CHECK_EQ(tsc_brand_mhz("Genuine CPU @ 800MHz"), 800);
	CHECK_EQ(tsc_brand_mhz("Intel(R) Core(TM) i7-1185G7 @ 3.000GHz"), 3000);
	CHECK_EQ(tsc_brand_mhz("QEMU Virtual CPU version 2.5+"), 0);
	CHECK_EQ(tsc_brand_mhz("AMD EPYC 7B13 64-Core Processor"), 0);
	CHECK_EQ(tsc_brand_mhz("odd @ GHz"), 0);
	CHECK_EQ(tsc_brand_mhz("odd @ 3.5"), 0);
	CHECK_EQ(tsc_brand_mhz(""), 0);
	CHECK_EQ(tsc_brand_mhz(NULL), 0);
}

TEST(bochs_shows_by_its_rate)
{
	/* Bochs' Skylake-X: no hypervisor bit, leaf 0x16 says 3500 MHz (0xdac),
	 * the TSC counts one per instruction: 4 MHz at its default 4 M IPS. */
	struct tsc_facts f = { .base_mhz = 3500, .brand = "Intel(R) Core(TM) i7-7800X CPU @ 3.50GHz",
			       .measured_khz = 3999 };

	CHECK_EQ(tsc_origin_judge(&f, why, sizeof(why)), TSC_ORIGIN_EMULATOR);
	CHECK_STR(why, "the TSC counts at 3.999 MHz, but the CPU says 3500 MHz (CPUID.16H)");
	/* Without leaf 0x16 the brand string gives the nominal rate. */
	f.base_mhz = 0;
	CHECK_EQ(tsc_origin_judge(&f, why, sizeof(why)), TSC_ORIGIN_EMULATOR);
	CHECK_STR(why, "the TSC counts at 3.999 MHz, but the CPU says 3500 MHz (brand string)");
}

TEST(real_cpu_within_a_quarter)
{
	struct tsc_facts f = { .base_mhz = 2400, .brand = "", .measured_khz = 2394112 };

	CHECK_EQ(tsc_origin_judge(&f, why, sizeof(why)), TSC_ORIGIN_CPU);
	f.measured_khz = 3000000;                       /* +25%: still counted as the CPU's */
	CHECK_EQ(tsc_origin_judge(&f, why, sizeof(why)), TSC_ORIGIN_CPU);
	f.measured_khz = 1800000;                       /* -25% */
	CHECK_EQ(tsc_origin_judge(&f, why, sizeof(why)), TSC_ORIGIN_CPU);
	f.measured_khz = 3000001;
	CHECK_EQ(tsc_origin_judge(&f, why, sizeof(why)), TSC_ORIGIN_EMULATOR);
}

TEST(nothing_to_compare_is_the_cpu)
{
	struct tsc_facts f = { .brand = "AMD EPYC 7B13 64-Core Processor", .measured_khz = 2450000 };

	CHECK_EQ(tsc_origin_judge(&f, why, sizeof(why)), TSC_ORIGIN_CPU);
	f = (struct tsc_facts){ .base_mhz = 3500, .brand = "" };   /* the PIT did not count */
	CHECK_EQ(tsc_origin_judge(&f, why, sizeof(why)), TSC_ORIGIN_CPU);
}

TEST(hypervisor_bit_wins)
{
	struct tsc_facts f = { .hypervisor_bit = true, .hv_vendor = "KVMKVMKVM", .base_mhz = 2400,
			       .brand = "", .measured_khz = 2400000 };

	CHECK_EQ(tsc_origin_judge(&f, why, sizeof(why)), TSC_ORIGIN_HYPERVISOR);
	CHECK_STR(why, "CPUID.1:ECX[31] is set: a hypervisor (KVMKVMKVM) runs below this one");
	f.hv_vendor[0] = 0;
	CHECK_EQ(tsc_origin_judge(&f, why, sizeof(why)), TSC_ORIGIN_HYPERVISOR);
	CHECK_STR(why, "CPUID.1:ECX[31] is set: a hypervisor (vendor not given) runs below this one");
}
