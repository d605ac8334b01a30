/* arch/lapic.h - the local APIC's base MSR and where its interrupt command
 * register is (SDM Vol. 3A, 11.4.4 IA32_APIC_BASE, 11.6.1 ICR, 11.12.9
 * x2APIC ICR, 11.12.11 SELF IPI). */
#ifndef ARCH_LAPIC_H
#define ARCH_LAPIC_H

#include "lib/compiler.h"

#define MSR_IA32_APIC_BASE   0x0000001b
#define APIC_BASE_BSP        (1ULL << 8)
#define APIC_BASE_EXTD       (1ULL << 10)        /* x2APIC mode */
#define APIC_BASE_EN         (1ULL << 11)        /* global enable */
#define APIC_BASE_ADDR       0x000ffffffffff000ULL

/* xAPIC: registers in the 4 KiB page at the base; x2APIC: MSR 0x800 + offset / 16. */
#define APIC_ICR_LO          0x300
#define APIC_ICR_HI          0x310               /* destination in bits 31:24 */
#define MSR_X2APIC_ICR       0x830               /* one 64-bit register: destination in 63:32 */
#define MSR_X2APIC_SELF_IPI  0x83f               /* a fixed IPI to this CPU: the vector (11.12.11) */
/* The ICR's fields and formats: arch/lapic_icr.h. */

#define APIC_XAPIC_MAX_ID    0xfe                /* 8-bit destinations, 0xff is broadcast */

#endif
