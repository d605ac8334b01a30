/* drivers/acpi/acpi_dmar.h - the ACPI DMAR table (Intel VT-d spec rev 5.0,
 * chapter 8 "BIOS Considerations"): the DMA remapping units (DRHD, 8.3)
 * with the devices in their scope (8.3.1), the memory the firmware keeps
 * DMA-ing to (RMRR, 8.4), the root ports with ATS (ATSR, 8.5), read into a
 * fixed-size struct. Pure: no allocation, no length trusted. */
#ifndef DRIVERS_ACPI_ACPI_DMAR_H
#define DRIVERS_ACPI_ACPI_DMAR_H

#include "drivers/acpi/acpi_tables.h"

/* DMAR header flags (8.1). */
#define DMAR_INTR_REMAP                 (1u << 0)
#define DMAR_X2APIC_OPT_OUT             (1u << 1)
#define DMAR_DMA_CTRL_PLATFORM_OPT_IN   (1u << 2)

/* Remapping structure types (8.2, Table 8-2). */
#define DMAR_TYPE_DRHD  0               /* DMA remapping hardware unit definition */
#define DMAR_TYPE_RMRR  1               /* reserved memory region */
#define DMAR_TYPE_ATSR  2               /* root port ATS capability */
#define DMAR_TYPE_RHSA  3               /* remapping hardware static affinity */
#define DMAR_TYPE_ANDD  4               /* ACPI namespace device declaration */
#define DMAR_TYPE_SATC  5               /* SoC integrated address translation cache */

#define DMAR_DRHD_INCLUDE_PCI_ALL       (1u << 0)
#define DMAR_ATSR_ALL_PORTS             (1u << 0)

/* Device scope entry types (8.3.1, Table 8-5). */
#define DMAR_SCOPE_PCI_ENDPOINT  1
#define DMAR_SCOPE_PCI_BRIDGE    2      /* the bridge and every bus below it */
#define DMAR_SCOPE_IOAPIC        3
#define DMAR_SCOPE_HPET          4      /* MSI-capable HPET */
#define DMAR_SCOPE_ACPI_DEVICE   5      /* an ACPI namespace device (ANDD) */

/* Large servers have one DRHD per IIO stack (6-8 a socket: 48-64 with 8
 * sockets) and several scopes per unit (root ports, I/O APICs, HPETs, RMRR
 * devices): a table past these limits leaves DMA remapping off. */
#define DMAR_MAX_UNITS   128
#define DMAR_MAX_RMRRS   32
#define DMAR_MAX_ATSRS   64
#define DMAR_MAX_SCOPES  1024           /* device scopes of all structures together */
#define DMAR_MAX_LEN     65536          /* bytes of DMAR acpi_read_dmar reads at most */
#define DMAR_MAX_PATH    8              /* (device, function) hops: bridges below the start bus */

/* One device scope entry: a device reached from start_bus through path. */
struct dmar_scope {
	uint8_t type;                   /* DMAR_SCOPE_* */
	uint8_t enum_id;                /* I/O APIC ID, HPET number or ANDD device number; else 0 */
	uint8_t start_bus;              /* the bus the path starts on */
	uint8_t path_len;               /* hops in path, 1..DMAR_MAX_PATH */
	struct { uint8_t dev, fn; } path[DMAR_MAX_PATH];  /* dev < 32, fn < 8 */
};

/* A range of dmar_info.scope: [first, first + count). */
struct dmar_scopes { uint16_t first, count; };

/* One DMA remapping hardware unit (DRHD). */
struct dmar_unit {
	uint64_t reg_base;              /* its register set, 4 KiB aligned */
	unsigned int reg_pages;         /* size of the register set in 4 KiB pages (DRHD Size field: 2^N; 1 if 0) */
	uint16_t segment;               /* PCI segment */
	bool include_pci_all;           /* every device of the segment not in another unit's scope */
	bool has_proximity;             /* an RHSA named its register base */
	uint32_t proximity;             /* ... with this proximity domain */
	struct dmar_scopes scopes;      /* its devices (I/O APICs and HPETs too, with include_pci_all) */
	unsigned int offset;            /* of its DRHD in the table (for messages) */
};

/* Memory a device's firmware DMAs to (USB legacy emulation, GPU stolen
 * memory): must stay identity-mapped for those devices (8.4). */
struct dmar_rmrr {
	uint64_t base, limit;           /* [base, limit], limit inclusive; base and limit + 1 4 KiB aligned */
	uint16_t segment;
	struct dmar_scopes scopes;      /* the devices (endpoints or bridges) */
};

struct dmar_atsr {
	uint16_t segment;
	bool all_ports;                 /* every root port of the segment supports ATS */
	struct dmar_scopes scopes;      /* else: these root ports (bridges) */
};

struct dmar_info {
	unsigned int haw;               /* host address width in bits (the field + 1) */
	uint8_t flags;                  /* DMAR_INTR_REMAP | DMAR_X2APIC_OPT_OUT | DMAR_DMA_CTRL_PLATFORM_OPT_IN */
	uint8_t revision;               /* of the table header */
	unsigned int unit_count;
	struct dmar_unit unit[DMAR_MAX_UNITS];
	unsigned int rmrr_count;
	struct dmar_rmrr rmrr[DMAR_MAX_RMRRS];
	unsigned int atsr_count;
	struct dmar_atsr atsr[DMAR_MAX_ATSRS];
	unsigned int scope_count;
	struct dmar_scope scope[DMAR_MAX_SCOPES];
	unsigned int rhsa_count, andd_count, satc_count;   /* read and checked, not kept (RHSA: into unit) */
	unsigned int unknown_types;     /* remapping structures of a type past SATC: skipped */
	unsigned int scopes_skipped;    /* scope entries of an unknown type: skipped */
	unsigned int rmrr_bad;          /* RMRRs ending before they start or not page-aligned: skipped */
};

/*
 * Reads the DMAR table t (len bytes, as read from memory: the header's
 * length must fit in len) into *out: signature, length and checksum checked;
 * every remapping structure bounded by the table and every device scope by
 * its structure, each at least its minimum length (no zero-length loops);
 * structures of unknown type and scopes of unknown type skipped and counted.
 * Returns 0; -EINVAL for a malformed table (err names the offset) or one
 * without a DRHD; -ENOSPC if it holds more units, RMRRs, ATSRs or scopes
 * than the struct keeps (a unit that is not kept cannot be protected).
 */
int __must_check dmar_parse(const uint8_t *t, uint32_t len, struct dmar_info *out, char *err, size_t errlen);

/* Finds the DMAR through the RSDP copy and parses it as dmar_parse. -ENOENT
 * (err "no DMAR table") only where the firmware has none (Bochs). */
int __must_check acpi_read_dmar(const uint8_t *rsdp, unsigned int len, acpi_read_fn read, void *ctx,
				struct dmar_info *out, char *err, size_t errlen);

/* Short name of a scope type ("endpoint", "bridge", "ioapic", "hpet", "acpi"; "?"). */
const char *dmar_scope_type_name(uint8_t type);

/* A scope's device as "00:14.0" (start bus, then the first hop's device and
 * function), with the further hops behind bridges as "/dd.f" each
 * ("00:1c.0/00.0"); ioapic/hpet/acpi scopes add " (ioapic 2)". Returns buf. */
char *dmar_scope_format(char *buf, size_t size, const struct dmar_scope *s);

/* The devices of scopes s of d, as dmar_scope_format writes them, ", "
 * between them ("none" if there are none), truncated to size. Returns buf. */
char *dmar_scopes_format(char *buf, size_t size, const struct dmar_info *d, struct dmar_scopes s);

#endif
