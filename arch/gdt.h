/* arch/gdt.h - GDT and 64-bit TSS of a CPU (SDM Vol. 3A, 3.4.5 and 8.7):
 * the entries as the CPU reads them, built from plain values (pure: host
 * tests check the encodings; arch/percpu.c loads them). */
#ifndef ARCH_GDT_H
#define ARCH_GDT_H

#include "lib/compiler.h"

#define GDT_SEL_CODE 0x08
#define GDT_SEL_DATA 0x10
#define GDT_SEL_TSS  0x18               /* 16-byte system descriptor: two slots */
#define GDT_ENTRIES  5

/* IST slots in the TSS (1-based as the IDT gate encodes them). */
#define IST_DF   1
#define IST_NMI  2
#define IST_MC   3
#define IST_USED 3

struct __packed tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];                /* ist[0] is IST1 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};
_Static_assert(sizeof(struct tss64) == 104, "SDM Figure 8-11");

/* A TSS with the IST stack tops ist_top[IST_x - 1] and no I/O permission
 * bitmap (the hypervisor runs at CPL 0 only: RSP0-2 stay 0). */
void tss_build(struct tss64 *t, const uint64_t ist_top[IST_USED]);

/* Null, flat 64-bit code and data (DPL 0), and an available 64-bit TSS
 * descriptor for the TSS at tss_base. */
void gdt_build(uint64_t gdt[GDT_ENTRIES], uint64_t tss_base);

/* The base address in the 16-byte system descriptor at selector sel. */
uint64_t gdt_system_base(const uint64_t *gdt, uint16_t sel);

#endif
