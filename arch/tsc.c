/* arch/tsc.c - the time-stamp counter's rate, measured against the 8254 PIT
 * channel 2 (its gate and output are in port 0x61, as on every PC since the AT). */
#include "arch/tsc.h"
#include "arch/cpu.h"
#include "drivers/console.h"

#define PIT_HZ          1193182u
#define PIT_CH2_DATA    0x42
#define PIT_MODE        0x43
#define PORT_B          0x61          /* bit 0 gate 2, bit 1 speaker, bit 5 OUT2 */
#define CALIBRATE_MS    10u

static uint64_t rate_khz;

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

uint64_t tsc_calibrate(void)
{
	uint64_t ticks = pit_measure();
	struct cpuid_regs r;

	if (ticks) {
		rate_khz = ticks / CALIBRATE_MS;
		printf("TSC: %llu.%03llu MHz (measured against the PIT)\n",
		       (unsigned long long)(rate_khz / 1000), (unsigned long long)(rate_khz % 1000));
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
	return rate_khz;
}

uint64_t tsc_khz(void)
{
	return rate_khz;
}
