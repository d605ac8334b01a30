/* guest/msr_policy.h - which MSRs the hypervisor keeps for itself and what a
 * guest access to them does. Pure: the host tests reach it. */
#ifndef GUEST_MSR_POLICY_H
#define GUEST_MSR_POLICY_H

#include "lib/compiler.h"

enum msr_action {
	MSR_PASS,               /* not trapped: the guest reads and writes the real MSR */
	MSR_GP,                 /* #GP(0), as on a CPU without the feature */
	MSR_FEATURE_CONTROL,    /* reads: locked, VMX off; writes: #GP (it is locked) */
	MSR_TSC_WRITE,          /* writes become a TSC offset; reads pass */
	MSR_IGNORE_WRITE,       /* the hypervisor owns it: writes dropped with a log line; reads pass */
};

struct msr_trap {
	uint32_t first, last;   /* inclusive */
	bool read, write;       /* which accesses exit */
	enum msr_action action;
	const char *name;
};

extern const struct msr_trap msr_traps[];
extern const unsigned int msr_trap_count;

/* What an exiting RDMSR (write = false) or WRMSR of msr does. MSRs outside
 * the bitmap's two ranges always exit; unknown ones give #GP. */
enum msr_action msr_policy(uint32_t msr, bool write);

/* The guest's view of IA32_FEATURE_CONTROL given the real value: locked,
 * VMX (inside and outside SMX) off, other bits (SGX, LMCE, ...) kept. */
uint64_t msr_feature_control_view(uint64_t real);

/* The bitmap covers MSRs 0..0x1fff and 0xc0000000..0xc0001fff (25.6.9). */
bool msr_in_bitmap_range(uint32_t msr);

#endif
