/* tests/fuzz/fuzz_dmar.c - libFuzzer target: random bytes as an ACPI DMAR table through
 * dmar_parse, with ASan and UBSan watching. The input gets a DMAR signature, its own
 * length and a right checksum first (else almost nothing passes the header), unless its
 * byte 11 (the OEM ID's second) is '!' (then it is parsed as given). Beyond "no crash, no UB" it checks the
 * contract: a failure says why ("DMAR..."); a success keeps every count within its array,
 * every scope range inside the scopes kept, paths of 1..8 hops with device < 32 and
 * function < 8, register bases page-aligned and non-zero, RMRRs page-aligned, in order.
 */
#include <stdlib.h>
#include <string.h>
#include "drivers/acpi/acpi_dmar.h"

static void check_scopes(const struct dmar_info *d, struct dmar_scopes s)
{
	if (s.first + s.count > d->scope_count)
		abort();
	for (unsigned int i = s.first; i < s.first + s.count; i++) {
		const struct dmar_scope *p = &d->scope[i];

		if (p->type < DMAR_SCOPE_PCI_ENDPOINT || p->type > DMAR_SCOPE_ACPI_DEVICE || !p->path_len ||
		    p->path_len > DMAR_MAX_PATH)
			abort();
		for (unsigned int h = 0; h < p->path_len; h++)
			if (p->path[h].dev > 31 || p->path[h].fn > 7)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t t[65536];
	static struct dmar_info d;
	char err[200];
	unsigned int scopes = 0;
	int rc;

	if (size > sizeof(t))
		return 0;
	memcpy(t, data, size);
	if (size >= 48 && data[11] != '!') {
		uint8_t sum = 0;

		memcpy(t, "DMAR", 4);
		t[4] = (uint8_t)size; t[5] = (uint8_t)(size >> 8); t[6] = t[7] = 0;
		t[9] = 0;
		for (size_t i = 0; i < size; i++)
			sum = (uint8_t)(sum + t[i]);
		t[9] = (uint8_t)-sum;
	}
	rc = dmar_parse(t, (uint32_t)size, &d, err, sizeof(err));
	if (rc) {
		if ((rc != -EINVAL && rc != -ENOSPC) || strncmp(err, "DMAR", 4))
			abort();
		return 0;
	}
	if (err[0] || !d.unit_count || d.unit_count > DMAR_MAX_UNITS || d.rmrr_count > DMAR_MAX_RMRRS ||
	    d.atsr_count > DMAR_MAX_ATSRS || d.scope_count > DMAR_MAX_SCOPES || d.haw < 12 || d.haw > 64)
		abort();
	for (unsigned int i = 0; i < d.unit_count; i++) {
		if (!d.unit[i].reg_base || d.unit[i].reg_base & 0xfff || !d.unit[i].reg_pages)
			abort();
		check_scopes(&d, d.unit[i].scopes);
		scopes += d.unit[i].scopes.count;
	}
	for (unsigned int i = 0; i < d.rmrr_count; i++) {
		if (d.rmrr[i].base > d.rmrr[i].limit || d.rmrr[i].base & 0xfff || (d.rmrr[i].limit + 1) & 0xfff)
			abort();
		check_scopes(&d, d.rmrr[i].scopes);
		scopes += d.rmrr[i].scopes.count;
	}
	for (unsigned int i = 0; i < d.atsr_count; i++) {
		check_scopes(&d, d.atsr[i].scopes);
		scopes += d.atsr[i].scopes.count;
	}
	if (scopes != d.scope_count)                    /* every scope kept belongs to one structure */
		abort();
	return 0;
}
