/* drivers/acpi/acpi_madt.h - the ACPI MADT (ACPI 6.x, 5.2.12): the processors
 * (local APIC and local x2APIC entries, 5.2.12.2 and 5.2.12.12), where the
 * I/O APICs are and which global system interrupt each ISA IRQ arrives on
 * (interrupt source overrides, 5.2.12.5), for starting the CPUs and raising
 * a guest's ISA IRQ the way the guest routed it. Pure. */
#ifndef GUEST_ACPI_MADT_H
#define GUEST_ACPI_MADT_H

#include "drivers/acpi/acpi_fadt.h"

#define MADT_MAX_IOAPICS 8
#define MADT_MAX_CPUS    256            /* PERCPU_MAX: more are counted, not kept */
#define ISA_IRQS         16

/* One processor, by APIC ID (each ID once: later entries for it are merged). */
struct madt_cpu {
	uint32_t apic_id;               /* local APIC ID (type 0: 8 bits) or x2APIC ID (type 9) */
	uint32_t uid;                   /* ACPI processor UID of its first entry */
	bool enabled;                   /* flags bit 0 in any of its entries: usable now */
	bool online_capable;            /* not enabled, flags bit 1 (ACPI 6.3): may be enabled at run time */
	bool x2apic;                    /* its first entry was a local x2APIC one (type 9) */
};

struct madt_ioapic {
	uint8_t id;
	uint32_t address;               /* its registers (IOREGSEL; IOWIN at +0x10) */
	uint32_t gsi_base;              /* the GSI of its pin 0 */
};

struct acpi_madt_info {
	bool pcat_compat;               /* MADT flags bit 0: the PC's two 8259s are there too */
	unsigned int ioapic_count;
	struct madt_ioapic ioapic[MADT_MAX_IOAPICS];
	uint32_t isa_gsi[ISA_IRQS];     /* the GSI of each ISA IRQ: itself unless overridden */
	uint16_t isa_flags[ISA_IRQS];   /* its override's MPS INTI flags (polarity, trigger); 0 = ISA's */
	unsigned int cpu_count;         /* processors kept in cpu[], in MADT order */
	struct madt_cpu cpu[MADT_MAX_CPUS];
	unsigned int cpus_dropped;      /* distinct processors past MADT_MAX_CPUS */
	unsigned int cpu_duplicates;    /* entries naming an APIC ID an earlier entry had */
};

/*
 * Finds the MADT (signature "APIC") through the RSDP copy (rsdp, len bytes)
 * and fills out: processors (the first MADT_MAX_CPUS distinct APIC IDs),
 * I/O APICs (the first MADT_MAX_IOAPICS) and the ISA IRQ to GSI map.
 * Lengths and checksums are checked; an entry shorter than its type's
 * layout is skipped; one that runs past the table ends the walk with
 * -EINVAL. Returns 0, or -ENOENT / -EINVAL with a reason in err.
 */
int __must_check acpi_read_madt(const uint8_t *rsdp, unsigned int len, acpi_read_fn read, void *ctx,
				struct acpi_madt_info *out, char *err, size_t errlen);

/* The index in m->cpu of the processor with that APIC ID, or -1. */
int madt_cpu_find(const struct acpi_madt_info *m, uint32_t apic_id);

/* The I/O APIC whose pins cover gsi (pins: its number of redirection
 * entries, per I/O APIC, from its version register), or -1; *pin gets the pin. */
int madt_ioapic_for_gsi(const struct acpi_madt_info *m, const unsigned int *pins, uint32_t gsi,
			unsigned int *pin);

#endif
