/* guest/tsc_offset.h - the guest's TSC as the host's plus an offset, and the
 * MSRs that see or move it: IA32_TIME_STAMP_COUNTER, IA32_TSC_ADJUST (SDM
 * Vol. 3B, 17.17.3) and IA32_TSC_DEADLINE (Vol. 3A, 10.5.4.1). Pure. */
#ifndef GUEST_TSC_OFFSET_H
#define GUEST_TSC_OFFSET_H

#include "lib/compiler.h"

#define MSR_IA32_TSC           0x00000010
#define MSR_IA32_TSC_ADJUST    0x0000003b
#define MSR_IA32_TSC_DEADLINE  0x000006e0

struct guest_tsc {
	uint64_t offset;        /* guest TSC = host TSC + offset (mod 2^64): the VMCS TSC offset */
	uint64_t adjust_base;   /* the host's IA32_TSC_ADJUST when the guest started */
	uint64_t deadline;      /* the guest's IA32_TSC_DEADLINE as it last wrote it (kept while trapped) */
};

/* A guest that starts with its TSC equal to the host's (offset 0) and sees
 * the host's IA32_TSC_ADJUST, host_adjust, as its own. */
void guest_tsc_init(struct guest_tsc *t, uint64_t host_adjust);

/* The guest's IA32_TSC_ADJUST: the start value plus every move of its TSC
 * since (17.17.3: a write to IA32_TSC adds the same delta to TSC_ADJUST). */
uint64_t guest_tsc_adjust(const struct guest_tsc *t);

/* The offset after the guest writes val to IA32_TSC_ADJUST: its TSC moves
 * by val minus the old TSC_ADJUST (17.17.3). */
uint64_t guest_tsc_offset_after_adjust_write(const struct guest_tsc *t, uint64_t val);

/* The offset after the guest writes val to IA32_TSC while the host's TSC
 * reads host_tsc. */
uint64_t guest_tsc_offset_after_tsc_write(uint64_t val, uint64_t host_tsc);

/*
 * The value for the real IA32_TSC_DEADLINE that fires when the guest's TSC
 * reaches deadline: 0 (disarmed) stays 0; a deadline at or before host TSC 0
 * becomes 1 (fires at once, as a past deadline does); one beyond the host's
 * 64-bit range becomes the largest value (never, in practice).
 */
uint64_t guest_tsc_deadline_to_host(uint64_t deadline, uint64_t offset);

#endif
