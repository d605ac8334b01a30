/* arch/tsc.c - the time-stamp counter's rate, measured against the 8254 PIT
 * channel 2 (its gate and output are in port 0x61, as on every PC since the AT). */
#include "arch/tsc.h"
#include "arch/cpu.h"
#include "arch/cpuinfo.h"
#include "arch/tsc_origin.h"
#include "lib/format.h"
#include "lib/print.h"

#define PIT_HZ          1193182u
#define PIT_CH2_DATA    0x42
#define PIT_MODE        0x43
#define PORT_B          0x61          /* bit 0 gate 2, bit 1 speaker, bit 5 OUT2 */
#define CALIBRATE_MS    10u

static uint64_t rate_khz;
static char origin_note[200];

/* TSC ticks for CALIBRATE_MS of the PIT, or 0 if OUT2 never rose. */
static uint64_t pit_measure(void)
{
	uint16_t count = (uint16_t)(PIT_HZ * CALIBRATE_MS / 1000);
	uint64_t t0, t;
	uint8_t b = inb(PORT_B);

	outb(PORT_B, (uint8_t)((b & ~0x02) | 0x01));   /* gate on, speaker off */
	outb(PIT_MODE, 0xb0);                          /* channel 2, lo/hi byte, mode 0 */
	outb(PIT_CH2_DATA, (uint8_t)count);
	outb(PIT_CH2_DATA, (uint8_t)(count >> 8));
	t0 = rdtsc();
	/* Mode 0: OUT2 goes high at terminal count. A 100 GHz TSC would not
	 * reach this bound in 10 ms, so hitting it means no PIT. */
	do {
		t = rdtsc();
		if (t - t0 > 1000000000ULL)
			return 0;
	} while (!(inb(PORT_B) & 0x20));
	outb(PORT_B, b);
	return t - t0;
}

/* Judges where the TSC's figures come from (arch/tsc_origin.c) and keeps
 * the words for tsc_origin_note(). */
static void judge_origin(uint64_t measured_khz)
{
	struct tsc_facts f = { .measured_khz = measured_khz };
	struct cpuinfo ci;
	struct cpuid_regs r;
	char why[160];
	enum tsc_origin o;

	cpuinfo_read(&ci);
	f.hypervisor_bit = ci.hypervisor;
	f.brand = ci.brand;
	cpuid(0, 0, &r);
	if (r.eax >= 0x16 && r.eax < 0x40000000) {
		cpuid(0x16, 0, &r);
		f.base_mhz = r.eax & 0xffff;
	}
	if (f.hypervisor_bit) {
		cpuid(0x40000000, 0, &r);
		if (r.eax >= 0x40000000)
			for (unsigned int i = 0; i < 12; i++)
				f.hv_vendor[i] = (char)((i < 4 ? r.ebx : i < 8 ? r.ecx : r.edx) >> (8 * (i % 4)));
	}
	o = tsc_origin_judge(&f, why, sizeof(why));
	if (o == TSC_ORIGIN_EMULATOR)
		fmt_snprintf(origin_note, sizeof(origin_note), "an emulator's, not a CPU's: %s", why);
	else if (o == TSC_ORIGIN_HYPERVISOR)
		fmt_snprintf(origin_note, sizeof(origin_note),
			     "from under another hypervisor, its own exits included: %s", why);
	if (origin_note[0])
		printf("TSC: figures are %s\n", origin_note);
}

const char *tsc_origin_note(void)
{
	return origin_note[0] ? origin_note : NULL;
}

uint64_t tsc_calibrate(void)
{
	uint64_t ticks = pit_measure();
	struct cpuid_regs r;

	if (ticks) {
		rate_khz = ticks / CALIBRATE_MS;
		printf("TSC: %llu.%03llu MHz (measured against the PIT)\n",
		       (unsigned long long)(rate_khz / 1000), (unsigned long long)(rate_khz % 1000));
		judge_origin(rate_khz);
		return rate_khz;
	}
	cpuid(0, 0, &r);
	if (r.eax >= 0x16) {
		cpuid(0x16, 0, &r);
		rate_khz = (uint64_t)(r.eax & 0xffff) * 1000;
	}
	if (!rate_khz)
		rate_khz = 2000000;
	printf("TSC: the PIT does not count; assuming %llu MHz\n", (unsigned long long)(rate_khz / 1000));
	judge_origin(0);
	return rate_khz;
}

uint64_t tsc_khz(void)
{
	return rate_khz;
}
