/* arch/tsc_origin.h - whether the TSC is a real CPU's clock: CPUID.1:ECX[31]
 * (a hypervisor runs below us), its vendor leaf 0x40000000, and the measured
 * rate against the CPU's nominal frequency (CPUID leaf 0x16, else the brand
 * string), which is how an emulator that hides itself (Bochs) shows. Pure. */
#ifndef ARCH_TSC_ORIGIN_H
#define ARCH_TSC_ORIGIN_H

#include "lib/compiler.h"

/* What CPUID and the calibration said (arch/tsc.c gathers it). */
struct tsc_facts {
	bool hypervisor_bit;            /* CPUID.1:ECX[31] */
	char hv_vendor[13];             /* CPUID.40000000H:EBX-ECX-EDX, "" if no such leaf */
	uint32_t base_mhz;              /* CPUID.16H:EAX[15:0], 0 if absent */
	const char *brand;              /* brand string ("... @ 3.50GHz"), "" if none */
	uint64_t measured_khz;          /* against the PIT; 0 if the PIT did not count */
};

enum tsc_origin {
	TSC_ORIGIN_CPU,                 /* nothing says otherwise */
	TSC_ORIGIN_HYPERVISOR,          /* another hypervisor runs below this one */
	TSC_ORIGIN_EMULATOR,            /* the rate is far from the CPU's own */
};

/* The nominal frequency in MHz from a brand string's "@ 3.50GHz" (or
 * "MHz"), 0 if it has none. */
uint32_t tsc_brand_mhz(const char *brand);

/* Judges f; for anything but TSC_ORIGIN_CPU, why gets the evidence in words. */
enum tsc_origin tsc_origin_judge(const struct tsc_facts *f, char *why, size_t size);

#endif
