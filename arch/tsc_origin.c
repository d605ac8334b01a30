/* arch/tsc_origin.c - whether the TSC is a real CPU's clock (CPUID.1:ECX[31],
 * leaf 0x40000000, measured against nominal rate). Pure. */
#include "arch/tsc_origin.h"
#include "lib/format.h"

/* A real TSC runs at the nominal (base) frequency (SDM Vol. 3B, 18.17:
 * invariant TSC); a quarter off is no measuring error of 10 ms of PIT. */
#define TSC_TOLERANCE_DIV 4

uint32_t tsc_brand_mhz(const char *brand)
{
	const char *p = brand;
	uint64_t whole = 0, frac = 0, scale = 1;

	while (p && *p && *p != '@')
		p++;
	if (!p || !*p)
		return 0;
	for (p++; *p == ' '; p++)
		;
	if (*p < '0' || *p > '9')
		return 0;
	for (; *p >= '0' && *p <= '9' && whole < 1000000; p++)
		whole = whole * 10 + (uint64_t)(*p - '0');
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9' && scale < 1000; p++, scale *= 10)
			frac = frac * 10 + (uint64_t)(*p - '0');
	while (*p >= '0' && *p <= '9')
		p++;
	if (p[0] == 'G' && p[1] == 'H' && p[2] == 'z')
		return (uint32_t)(whole * 1000 + frac * 1000 / scale);
	if (p[0] == 'M' && p[1] == 'H' && p[2] == 'z')
		return (uint32_t)whole;
	return 0;
}

enum tsc_origin tsc_origin_judge(const struct tsc_facts *f, char *why, size_t size)
{
	uint64_t nominal_khz;
	const char *source = "CPUID.16H";

	if (f->hypervisor_bit) {
		fmt_snprintf(why, size, "CPUID.1:ECX[31] is set: a hypervisor (%s) runs below this one",
			     f->hv_vendor[0] ? f->hv_vendor : "vendor not given");
		return TSC_ORIGIN_HYPERVISOR;
	}
	nominal_khz = (uint64_t)f->base_mhz * 1000;
	if (!nominal_khz) {
		nominal_khz = (uint64_t)tsc_brand_mhz(f->brand) * 1000;
		source = "brand string";
	}
	if (!f->measured_khz || !nominal_khz)
		return TSC_ORIGIN_CPU;
	if (f->measured_khz + nominal_khz / TSC_TOLERANCE_DIV >= nominal_khz &&
	    f->measured_khz <= nominal_khz + nominal_khz / TSC_TOLERANCE_DIV)
		return TSC_ORIGIN_CPU;
	fmt_snprintf(why, size, "the TSC counts at %llu.%03llu MHz, but the CPU says %llu MHz (%s)",
		     (unsigned long long)(f->measured_khz / 1000),
		     (unsigned long long)(f->measured_khz % 1000),
		     (unsigned long long)(nominal_khz / 1000), source);
	return TSC_ORIGIN_EMULATOR;
}
