/* tests/guests/acpiscan.c - the ACPI tables as a guest that scans for the
 * RSDP finds them (ACPI 6.x, 5.2.5.1: the EBDA's first KiB, then
 * 0xe0000-0xfffff), as Multiboot kernels and Linux without acpi_rsdp_addr
 * do: every checksum along RSDP -> RSDT/XSDT -> each table right, the MADT's
 * processors counted (printed for the test to compare with the hypervisor's
 * view), and a write to the RSDP dropped (the hypervisor shows its copy
 * read-only). */
#include "tests/guests/lib/guest.h"

#define EBDA_SEGMENT_PTR 0x40e
#define MAX_TABLES       64

static uint8_t sum(const volatile uint8_t *p, uint32_t len)
{
	uint8_t s = 0;

	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

static uint32_t le32(const volatile uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool is_rsdp(const volatile uint8_t *p)
{
	static const char sig[8] = "RSD PTR ";

	for (int i = 0; i < 8; i++)
		if (p[i] != (uint8_t)sig[i])
			return false;
	return !sum(p, 20) && (p[15] < 2 || !sum(p, 36));
}

static const volatile uint8_t *scan(uintptr_t start, uintptr_t end)
{
	for (uintptr_t a = start; a < end; a += 16)
		if (is_rsdp((const volatile uint8_t *)a))
			return (const volatile uint8_t *)a;
	return NULL;
}

static bool sig_is(const volatile uint8_t *t, const char *s)
{
	return t[0] == s[0] && t[1] == s[1] && t[2] == s[2] && t[3] == s[3];
}

void main(void)
{
	uintptr_t ebda = (uintptr_t)*(volatile uint16_t *)EBDA_SEGMENT_PTR << 4;
	const volatile uint8_t *rsdp = NULL, *sdt, *madt = NULL;
	volatile uint8_t *w;
	uint32_t len, n, esize, enabled = 0, cpus = 0, bad = 0;
	uint8_t before;

	if (ebda > 0x400 && ebda < 0xa0000)
		rsdp = scan(ebda, ebda + 1024);
	if (!rsdp)
		rsdp = scan(0xe0000, 0x100000);
	if (!checkf("an RSDP in the firmware area, its checksums right", rsdp != NULL, "none found"))
		finish();
	esize = rsdp[15] >= 2 && le32(rsdp + 24) ? 8 : 4;
	sdt = (const volatile uint8_t *)(uintptr_t)(esize == 8 ? le32(rsdp + 24) : le32(rsdp + 16));
	len = le32(sdt + 4);
	checkf("its RSDT/XSDT: signature, length, checksum", sig_is(sdt, esize == 8 ? "XSDT" : "RSDT") &&
	       len >= 36 && len < 4096 && !sum(sdt, len), "at 0x%lx, %u bytes", (long)(uintptr_t)sdt, len);
	n = (len - 36) / esize;
	for (uint32_t i = 0; i < n && i < MAX_TABLES; i++) {
		const volatile uint8_t *t = (const volatile uint8_t *)(uintptr_t)le32(sdt + 36 + i * esize);
		uint32_t tl = le32(t + 4);

		if (tl < 36 || tl > (1u << 20) || sum(t, tl)) {
			printf_("[%s] table %u at 0x%lx: bad length or checksum\n", guest_name, i, (long)(uintptr_t)t);
			bad++;
		}
		if (sig_is(t, "APIC") && !madt)
			madt = t;
	}
	check_eq("every table it lists has its checksum right", bad, 0);
	if (!check("a MADT among them", madt != NULL))
		finish();
	len = le32(madt + 4);
	for (uint32_t off = 44; off + 2 <= len && madt[off + 1] >= 2; off += madt[off + 1]) {
		if (madt[off] == 0 && madt[off + 1] >= 8) {
			cpus++;
			enabled += le32(madt + off + 4) & 1;
		}
		if (madt[off] == 9 && madt[off + 1] >= 16) {
			cpus++;
			enabled += le32(madt + off + 8) & 1;
		}
	}
	printf_("[%s] RSDP 0x%lx: %s 0x%lx, MADT 0x%lx; processor entries enabled: %u of %u\n", guest_name,
		(long)(uintptr_t)rsdp, esize == 8 ? "XSDT" : "RSDT", (long)(uintptr_t)sdt,
		(long)(uintptr_t)madt, enabled, cpus);
	/* The copy is the hypervisor's, shown read-only: a write is dropped. */
	w = (volatile uint8_t *)(uintptr_t)rsdp + 9;
	before = *w;
	*w = (uint8_t)~before;
	checkf("a write to the RSDP is dropped", *w == before, "it reads 0x%x after writing 0x%x", *w,
	       (uint8_t)~before);
	*w = before;
	finish();
}
