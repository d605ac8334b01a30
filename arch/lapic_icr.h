/* arch/lapic_icr.h - the local APIC's interrupt command register: its fields
 * and its two formats (SDM Vol. 3A, 11.6.1 Figure 11-12 xAPIC: low dword at
 * 0x300, destination in bits 31:24 of the high dword at 0x310; 11.12.9
 * x2APIC: one 64-bit MSR 0x830, destination in bits 63:32). Pure: the
 * hypervisor's IPIs are packed here (drivers/ipi.c), a guest's ICR writes
 * unpacked (guest/policy/apic_icr.c), and the host tests reach both. */
#ifndef ARCH_LAPIC_ICR_H
#define ARCH_LAPIC_ICR_H

#include "lib/compiler.h"

/* The bits of the low dword (both formats). */
#define APIC_ICR_VECTOR          0xffu
#define APIC_ICR_MODE_SHIFT      8               /* delivery mode, bits 10:8 */
#define APIC_ICR_LOGICAL         (1u << 11)      /* destination mode */
#define APIC_ICR_BUSY            (1u << 12)      /* delivery status, xAPIC only */
#define APIC_ICR_ASSERT          (1u << 14)      /* level */
#define APIC_ICR_LEVEL_TRIGGER   (1u << 15)      /* trigger mode */
#define APIC_ICR_SHORTHAND_SHIFT 18              /* bits 19:18 */
/* x2APIC: bits 12 (delivery status: gone), 13, 16-17 and 20-31 are reserved (Figure 11-28). */
#define APIC_ICR_X2APIC_RESERVED (0x3ULL << 12 | 0x3ULL << 16 | 0xfffULL << 20)
#define APIC_ICR_XAPIC_DEST_SHIFT 24             /* in the high dword: bits 63:56 */

/* Delivery mode, ICR bits 10:8. */
enum icr_mode {
	ICR_MODE_FIXED = 0, ICR_MODE_LOWEST = 1, ICR_MODE_SMI = 2, ICR_MODE_RESERVED3 = 3,
	ICR_MODE_NMI = 4, ICR_MODE_INIT = 5, ICR_MODE_STARTUP = 6, ICR_MODE_RESERVED7 = 7,
};

/* Destination shorthand, ICR bits 19:18. */
enum icr_shorthand {
	ICR_DEST_FIELD = 0,             /* no shorthand: the destination field */
	ICR_DEST_SELF = 1,
	ICR_DEST_ALL = 2,               /* all including self */
	ICR_DEST_OTHERS = 3,            /* all excluding self */
};

/* The broadcast destination IDs of physical mode (11.6.2.1, 11.12.9). */
#define APIC_ICR_XAPIC_BROADCAST  0xffu
#define APIC_ICR_X2APIC_BROADCAST 0xffffffffu

/* The fields of one ICR value. */
struct apic_icr {
	uint32_t dest;                  /* xAPIC: bits 63:56 (8 bits); x2APIC: bits 63:32 */
	uint8_t vector;                 /* bits 7:0; start-up: the start page's number */
	enum icr_mode mode;             /* bits 10:8 */
	bool logical;                   /* destination mode, bit 11 */
	bool assert;                    /* level, bit 14 */
	bool level_trigger;             /* trigger mode, bit 15 */
	enum icr_shorthand shorthand;   /* bits 19:18 */
	bool x2apic;                    /* unpacked: the format it was written in; packing
					   takes the format as an argument instead */
};

/*
 * The ICR value of i in the x2APIC format (the MSR's 64 bits) or the xAPIC
 * one (high dword << 32 | low dword) into *val. With a shorthand the
 * destination field is 0 (the APIC ignores it). 0, -ERANGE if the
 * destination does not fit the format (xAPIC: 8 bits), -EINVAL if the mode
 * or shorthand is not a 3-bit or 2-bit value.
 */
int __must_check apic_icr_pack(const struct apic_icr *i, bool x2apic, uint64_t *val);

/* The fields of val, an ICR value in the x2APIC or xAPIC format as
 * apic_icr_pack makes it. Reserved bits are not looked at. */
void apic_icr_unpack(uint64_t val, bool x2apic, struct apic_icr *i);

/* True if the x2APIC's SELF IPI register (MSR 0x83f, 11.12.11) sends i: a
 * fixed, edge-triggered IPI to this CPU alone, the one kind it takes. */
bool apic_icr_is_self_ipi(const struct apic_icr *i);

#endif
