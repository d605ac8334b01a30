/* drivers/acpi/acpi_view.h - a guest's view of the firmware's ACPI tables:
 * copies of the RSDP, XSDT and RSDT and MADT in which the processors that
 * do not run are disabled and tables of given signatures are left out
 * (ACPI 6.x, 5.2.5 RSDP, 5.2.7 RSDT, 5.2.8 XSDT, 5.2.12 MADT); and the
 * RSDP a guest's scan of the BIOS area finds (5.2.5.1). Pure. */
#ifndef DRIVERS_ACPI_VIEW_H
#define DRIVERS_ACPI_VIEW_H

#include "drivers/acpi/acpi_tables.h"

#define ACPI_VIEW_RSDP_SLOT  64         /* the RSDP copy at offset 0; the tables follow, 16-byte aligned */
#define ACPI_VIEW_MAX_HIDDEN 32         /* APIC IDs kept for the report; more are counted */

struct acpi_view_request {
	const uint8_t *rsdp;            /* the host's RSDP as the boot loader copied it */
	unsigned int rsdp_len;          /* its bytes: 20 (revision 0) or 36 */
	acpi_read_fn read;              /* the host's physical memory */
	void *ctx;
	const uint32_t *running;        /* APIC IDs of the CPUs that run */
	unsigned int running_count;
	const char *const *drop;        /* 4-character signatures left out of the RSDT/XSDT copies */
	unsigned int drop_count;
	uint64_t base;                  /* the physical address at which the guest sees buf */
};

struct acpi_view {
	unsigned int rsdp_len;          /* the RSDP copy at buf + 0: 20 or 36 bytes, as the host's */
	uint32_t used;                  /* bytes of buf written */
	uint64_t xsdt, rsdt, madt;      /* addresses of the copies (base + offset); 0: none */
	unsigned int cpus_enabled;      /* distinct APIC IDs enabled in the host's MADT */
	unsigned int cpus_left;         /* ... of them enabled in the copy (the running ones) */
	unsigned int hidden_count;      /* distinct APIC IDs whose enabled/online-capable flags were cleared */
	uint32_t hidden[ACPI_VIEW_MAX_HIDDEN];  /* the first of them */
	unsigned int dropped;           /* RSDT/XSDT entries left out (drop signatures) */
};

/*
 * Builds the copies into buf (size bytes, zeroed by the caller): the RSDP
 * (same revision and length as the host's, pointing at the copies), an
 * XSDT copy if the host's RSDP has one, an RSDT copy if it has one (and
 * buf lies below 4 GiB, or there is no XSDT copy: the RSDT holds 32-bit
 * addresses; above 4 GiB the RSDP copy's RsdtAddress is 0), and a
 * MADT copy (if the host lists a MADT) in which every processor local APIC
 * (type 0) and local x2APIC (type 9) entry of an APIC ID not in running has
 * its enabled and online-capable flags cleared. The SDT copies list the
 * same tables in the same order, the MADT copy instead of the MADT, without
 * the tables whose signature is in drop; every other table and entry is
 * the host's, every checksum is recomputed. Nothing of the host's is
 * trusted: signatures, lengths (at most what fits in buf), entry counts and
 * every checksum are checked. Returns 0; -EINVAL (a bad RSDP, RSDT, XSDT or
 * MADT, or a copy that would enable no CPU), -ENOSPC (the tables do not fit
 * in buf) or -ERANGE (buf above 4 GiB and the host has only an RSDT),
 * each with a reason in err. On error nothing in out is meaningful.
 */
int __must_check acpi_view_build(const struct acpi_view_request *r, uint8_t *buf, uint32_t size,
				 struct acpi_view *out, char *err, size_t errlen);

/*
 * Disables, in place, the processors whose APIC IDs are in ids (n of them)
 * in a MADT copy at t of which size bytes are the caller's (chain mode's
 * APs that did not come under the hypervisor, after the view was built):
 * every processor local APIC (type 0) and local x2APIC (type 9) entry of
 * one of those IDs gets its enabled and online-capable flags cleared, then
 * the checksum is recomputed. The table is checked first (signature, a
 * length within size, its checksum, every entry within it) and must keep
 * an enabled CPU that is not in ids; on error nothing is changed. Returns
 * how many of ids had an entry with either flag set (each ID once; 0 if
 * none is listed or all were disabled already), or -EINVAL.
 */
int __must_check acpi_madt_disable(uint8_t *t, uint32_t size, const uint32_t *ids, unsigned int n);

/*
 * Finds the RSDP the way a guest's firmware-area scan does (ACPI 6.x,
 * 5.2.5.1; Linux, GRUB): the first 1 KiB of the EBDA (its segment in the
 * BIOS data area at 0x40e), then 0xe0000-0xfffff, on 16-byte boundaries, the
 * signature and the checksum (and the extended one from revision 2) right.
 * Unreadable pages are skipped. Returns 0 with *pa, or -ENOENT.
 */
int __must_check acpi_rsdp_scan(acpi_read_fn read, void *ctx, uint64_t *pa);

/* The byte that makes p[0..len) sum to 0 when stored at p[at]. */
void acpi_checksum_fix(uint8_t *p, uint32_t len, uint32_t at);

#endif
