/* tests/unit/guest/acpi_fixture.h - fake physical memory for the ACPI table
 * readers' tests: a reader over it and a checksum fixer. Include once per test. */
#ifndef TESTS_UNIT_GUEST_ACPI_FIXTURE_H
#define TESTS_UNIT_GUEST_ACPI_FIXTURE_H

static uint8_t phys[0x4000];

static int rd(void *ctx, uint64_t pa, void *buf, uint32_t len)
{
	if (pa + len > sizeof(phys) || pa + len < pa)
		return -EFAULT;
	memcpy(buf, phys + pa, len);
	return 0;
}

/* Sets byte `at` of p[0..len) so the bytes sum to 0. */
static void fix_checksum(uint8_t *p, uint32_t len, unsigned int at)
{
	uint8_t sum = 0;

	p[at] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	p[at] = (uint8_t)-sum;
}

#endif
