/* guest/gmap.h - the guest memory map: one flat, sorted view of guest-physical
 * space (RAM, pass-through MMIO, trapped MMIO, hidden, unusable) built from the
 * host memory map plus device-model registrations, like QEMU's FlatView. It is
 * the single source for the EPT builder, EPT-violation dispatch, the guest's
 * e820/Multiboot map and the shell's mtree. */
#ifndef GUEST_GMAP_H
#define GUEST_GMAP_H

#include "lib/compiler.h"
#include "lib/addr.h"
#include "mm/memmap.h"

enum gmap_kind {
	GMAP_RAM,        /* guest RAM, identity-mapped (e820: usable, or ACPI reclaim/NVS: see e820_type) */
	GMAP_MMIO,       /* pass-through device memory: holes between RAM and firmware "reserved" areas, identity-mapped */
	GMAP_TRAPPED,    /* a device model's MMIO: not mapped, accesses exit to the model */
	GMAP_HIDDEN,     /* the hypervisor's own memory: not mapped; the guest sees it as reserved */
	GMAP_UNUSABLE,   /* bad RAM the firmware reported: not mapped */
	GMAP_ROM,        /* a page of the hypervisor's the guest may read (its ACPI view): mapped read/execute-only at `host` */
	GMAP_WRITE_TRAPPED, /* a device model's MMIO over pass-through memory: mapped read-only
			       and uncached, so reads reach the device and writes exit to the model */
};

/* e820 types as the guest's memory map lists them (ACPI 6.5, 15.3). */
#define GMAP_E820_NONE      0   /* not listed: a hole */
#define GMAP_E820_USABLE    1
#define GMAP_E820_RESERVED  2
#define GMAP_E820_ACPI      3
#define GMAP_E820_NVS       4
#define GMAP_E820_BAD       5

struct gmap_range {
	gpa_t start, end;             /* [start, end) */
	enum gmap_kind kind;
	uint8_t e820_type;            /* what the guest's memory map calls it: 1 usable, 2 reserved, 3 ACPI, 4 NVS, 5 bad; 0 = not listed (a hole) */
	const char *owner;            /* "ram", "hypervisor", device model name, ... */
	void *dev;                    /* the device model for GMAP_TRAPPED and GMAP_WRITE_TRAPPED, else NULL */
	hpa_t host;                   /* GMAP_ROM: the host-physical address of start (not identity); else 0 */
};

#define GMAP_MAX_RANGES 512
#define GMAP_MAX_REGS 64
/* Each registration adds at most two boundaries to the flat view, so a base of
 * at most this many ranges keeps flat within GMAP_MAX_RANGES whatever is
 * registered: flattening never fails and unregistering never runs out of room. */
#define GMAP_MAX_BASE (GMAP_MAX_RANGES - 2 * GMAP_MAX_REGS)

struct gmap {
	struct gmap_range base[GMAP_MAX_RANGES];  unsigned int base_count;   /* from the boot memory map, covering [0, top) with no holes */
	struct gmap_range regs[GMAP_MAX_REGS];    unsigned int reg_count;    /* registrations, sorted, non-overlapping */
	struct gmap_range flat[GMAP_MAX_RANGES];  unsigned int flat_count;   /* base overlaid with registrations, adjacent equal ranges merged */
	gpa_t top;                                /* end of the guest-physical space described */
	uint64_t generation;                      /* bumps on every change (consumers can cache; 64 bits: never wraps) */
};

struct gmap_e820_entry { uint64_t addr, size; uint32_t type; };

/*
 * Builds the base layer from the normalized host memory map over [0, top)
 * (top >= end of the map; the caller passes the top vmx/ept_space.c plans:
 * up to MAXPHYADDR, or max(4 GiB, end of map) rounded up to 1 GiB): usable RAM and every carve-out that is guest RAM (MEM_LOWMEM,
 * MEM_BOOT_INFO) -> GMAP_RAM e820 1 owner "ram"; MEM_MODULE -> GMAP_HIDDEN
 * e820 2 owner "boot module" (kept intact for a reset); ACPI reclaim/NVS
 * -> GMAP_RAM e820 3/4 owner "acpi" (identity, guest must see them);
 * MEM_RESERVED -> GMAP_MMIO e820 2 owner "reserved" (firmware areas and MMIO
 * the firmware listed: passed through); MEM_BAD -> GMAP_UNUSABLE e820 5 owner
 * "bad"; MEM_HV_IMAGE/MEM_HV_WORKING -> GMAP_HIDDEN e820 2 owner "hypervisor";
 * holes -> GMAP_MMIO e820 0 owner "hole"; a type it does not know -> hidden.
 * Boundaries are kept to the byte, as the firmware gave them. Clears all registrations; generation becomes 1.
 * Returns 0, -ENOSPC if the base needs more than GMAP_MAX_BASE ranges, or
 * -EINVAL if top is 0 or below the end of the map, or the map is not sorted
 * and disjoint. On error *g describes nothing (top 0).
 */
int __must_check gmap_init(struct gmap *g, const struct memmap *host, gpa_t top);

/*
 * Registers [start, end) (4 KiB aligned) as kind (GMAP_TRAPPED; GMAP_MMIO
 * to give a pass-through range a named owner; GMAP_WRITE_TRAPPED, a model
 * that sees only the writes to pass-through memory; GMAP_HIDDEN, device
 * memory the hypervisor keeps for itself, e.g. the VT-d units' registers:
 * unmapped, read as all ones, writes dropped) for owner/dev. Refused with
 * -EEXIST if it overlaps another registration, -EINVAL if misaligned/empty/
 * outside [0, top), if it covers RAM or hidden memory (a device model cannot
 * take over RAM or the hypervisor), if kind is neither of the two, if owner is
 * NULL, if a GMAP_TRAPPED or GMAP_WRITE_TRAPPED range has no dev, if a
 * GMAP_MMIO or GMAP_HIDDEN range has a dev, or if a GMAP_MMIO, GMAP_HIDDEN or GMAP_WRITE_TRAPPED range
 * covers anything but pass-through memory (naming must not expose bad RAM;
 * reads of a write-trapped range reach what is below);
 * -ENOSPC if storage is full. A GMAP_TRAPPED range reports e820 2 (reserved);
 * the other two keep the e820 type of what they cover. Rebuilds flat.
 */
int __must_check gmap_register(struct gmap *g, gpa_t start, gpa_t end, enum gmap_kind kind,
			       const char *owner, void *dev);

/*
 * Registers [start, end) (4 KiB aligned) as GMAP_ROM for owner: the guest
 * reads and executes the hypervisor's bytes at [host, host + end - start)
 * there, its writes are dropped. It may cover pass-through memory (a page of
 * the firmware's area) or the hypervisor's own memory (the copy itself,
 * seen where it lies) or ACPI NVS (chain mode's view area), never other
 * RAM, boot modules or bad RAM; it keeps the e820 type of what it covers
 * (reserved, NVS). Errors as gmap_register.
 */
int __must_check gmap_register_rom(struct gmap *g, gpa_t start, gpa_t end, hpa_t host, const char *owner);

/* Removes the registration that starts at start; what was below shows again. -ENOENT if none. */
int __must_check gmap_unregister(struct gmap *g, gpa_t start);

/* The flat range containing gpa, or NULL (gpa >= top). O(log n): binary search. */
const struct gmap_range *gmap_lookup(const struct gmap *g, gpa_t gpa);

/* True if the kind is mapped in the EPT (RAM, MMIO: identity; write-trapped
 * MMIO: identity, read-only; ROM: read-only, at its host address). */
bool gmap_kind_mapped(enum gmap_kind k);

/* Short name of a kind: "ram", "mmio", "trapped", "hidden", "unusable", "rom",
 * "write-trapped" ("?" if unknown). */
const char *gmap_kind_name(enum gmap_kind k);

/* True if every byte of [gpa, gpa+len) is GMAP_RAM (no wrap; len 0 is trivially true). */
bool gmap_is_ram(const struct gmap *g, gpa_t gpa, uint64_t len);

/*
 * The guest's e820 view: ranges of flat merged by e820_type where they touch
 * (a trapped range reports e820 2 reserved, hidden memory 2), skipping type 0
 * holes; returns count written, at most max.
 */
unsigned int gmap_e820(const struct gmap *g, struct gmap_e820_entry *out, unsigned int max);

#endif
