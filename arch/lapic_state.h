/* arch/lapic_state.h - an xAPIC's software-visible state, saved before it
 * goes to x2APIC mode and put back once it is an xAPIC again (SDM Vol. 3A,
 * 11.12.5.1: x2APIC mode is left only through the disabled state, which
 * resets the APIC's registers; 11.4.7.2: a software-disabled APIC keeps
 * every LVT masked, so SVR goes before the LVTs; 11.6.2.2: DFR before the
 * APIC is software-enabled; 11.5.4: writing the initial count starts the
 * timer). Pure: the caller reads and writes the registers. */
#ifndef ARCH_LAPIC_STATE_H
#define ARCH_LAPIC_STATE_H

#include "lib/compiler.h"

/* xAPIC register offsets in the APIC page (11.4.1, Table 11-1). */
#define XAPIC_TPR        0x080
#define XAPIC_LDR        0x0d0
#define XAPIC_DFR        0x0e0
#define XAPIC_SVR        0x0f0
#define XAPIC_VERSION    0x030          /* bits 23:16: MaxLVT (entries - 1) */
#define XAPIC_LVT_CMCI   0x2f0          /* MaxLVT >= 6 */
#define XAPIC_LVT_TIMER  0x320
#define XAPIC_LVT_THERM  0x330          /* MaxLVT >= 5 */
#define XAPIC_LVT_PERF   0x340          /* MaxLVT >= 4 */
#define XAPIC_LVT_LINT0  0x350
#define XAPIC_LVT_LINT1  0x360
#define XAPIC_LVT_ERROR  0x370
#define XAPIC_TIMER_INIT 0x380
#define XAPIC_TIMER_DIV  0x3e0

#define XAPIC_STATE_MAX  14

/* The registers in the order they are put back, and their saved values. */
struct xapic_state {
	uint16_t off[XAPIC_STATE_MAX];
	uint32_t val[XAPIC_STATE_MAX];
	unsigned int n;
};

/*
 * The registers of an APIC whose version register reads version, in the
 * order they must be written back: DFR, LDR, TPR, SVR, the LVTs it has
 * (LINT0, LINT1, error, performance and thermal and CMCI per MaxLVT),
 * timer divide, timer LVT, and last the timer's initial count. Fills s->off
 * and s->n; the caller reads each into s->val.
 */
void xapic_state_layout(struct xapic_state *s, uint32_t version);

/* Whether entry k of s is written back: every one but the initial count
 * when the timer had stopped (current count 0: writing it would start a
 * one-shot timer that has already fired). */
bool xapic_state_restore(const struct xapic_state *s, unsigned int k, bool timer_counting);

#endif
