/* guest/policy/msr_policy.h - which MSRs a guest may use and what an access to the
 * others does: denied by default, an allow-list passed through, a few
 * emulated. Pure: the host tests reach it. */
#ifndef GUEST_MSR_POLICY_H
#define GUEST_MSR_POLICY_H

#include "lib/compiler.h"
#include "guest/policy/features.h"

#define MSR_IA32_APIC_BASE       0x0000001b
#define MSR_IA32_MISC_ENABLE     0x000001a0
#define MSR_IA32_DEBUGCTL        0x000001d9
#define MSR_IA32_XSS             0x00000da0
#define MSR_IA32_X2APIC_ICR      0x00000830

enum msr_action {
	MSR_PASS,               /* not trapped: the guest reads and writes the real MSR */
	MSR_GP,                 /* refused: #GP(0), as on a CPU without the MSR */
	MSR_FEATURE_CONTROL,    /* reads: locked, VMX off; writes: #GP (it is locked) */
	MSR_TSC_WRITE,          /* writes become a TSC offset (and move TSC_ADJUST with it) */
	MSR_TSC_ADJUST,         /* the guest's own, over the TSC offset (guest/tsc_offset.h) */
	MSR_IGNORE_WRITE,       /* the hypervisor owns it: writes dropped */
	MSR_APIC_BASE,          /* writes: the xAPIC/x2APIC transitions, never a new base */
	MSR_MISC_ENABLE,        /* the vCPU's shadow; hardware never written */
	MSR_X2APIC_ICR_TRAP,    /* writes: IPIs decided by guest/policy/apic_icr.h */
	MSR_DEBUGCTL,           /* writes: BTS bits refused (msr_debugctl_write_ok) */
	MSR_XSS,                /* writes: only 0 (no supervisor state components) */
	MSR_EFER,               /* writes: guest/policy/efer.h's rule, into the backend's copy */
};

/* A rule's requirement: it applies only if the guest has that feature. */
enum msr_need { MSR_NEED_NONE, MSR_NEED_RDTSCP, MSR_NEED_XSAVES, MSR_NEED_WAITPKG };

struct msr_rule {
	uint32_t first, last;            /* inclusive */
	enum msr_action read, write;     /* MSR_PASS: that access does not exit */
	enum msr_need need;              /* without it the rule is absent: #GP */
	const char *name;                /* as the SDM (Vol. 4) names it; for the log */
};

extern const struct msr_rule msr_rules[];
extern const unsigned int msr_rule_count;

/* The bitmap covers MSRs 0..0x1fff and 0xc0000000..0xc0001fff (25.6.9). */
bool msr_in_bitmap_range(uint32_t msr);

/* What an RDMSR (write = false) or WRMSR of msr does for a guest with
 * features f. MSRs no rule allows give MSR_GP. */
enum msr_action msr_policy(uint32_t msr, bool write, const struct guest_features *f);

/* The rule's name for msr ("IA32_RTIT_CTL"), or NULL for an unknown MSR. */
const char *msr_name(uint32_t msr);

/* What the refusal log counts as one MSR: the first MSR of msr's rule (a
 * named range such as IA32_VMX_* is logged once), or msr itself. */
uint32_t msr_log_key(uint32_t msr);

/*
 * Fills a 4 KiB VMX MSR bitmap (SDM Vol. 3C, 25.6.9: read-low, read-high,
 * write-low, write-high) so that exactly the accesses msr_policy() passes do
 * not exit.
 */
void msr_bitmap_build(uint8_t bitmap[4096], const struct guest_features *f);

/* Makes both RDMSR and WRMSR of msr exit (exits) or not, in a bitmap built
 * by msr_bitmap_build; MSRs outside the bitmap ranges always exit. */
void msr_bitmap_set_exits(uint8_t bitmap[4096], uint32_t msr, bool exits);

/* The guest's view of IA32_FEATURE_CONTROL given the real value: locked,
 * VMX (inside and outside SMX) off, LMCE off, other bits (SGX, ...) kept. */
uint64_t msr_feature_control_view(uint64_t real);

/*
 * True if a WRMSR of val to IA32_APIC_BASE whose value is cur is allowed
 * (SDM Vol. 3A, 10.12.5): no reserved bit (0-7, 9, MAXPHYADDR and up), the
 * same base, x2APIC mode only if the CPU has it (x2apic), and one of the
 * transitions of Figure 10-27 (never x2APIC -> xAPIC, nor disabled ->
 * x2APIC, nor x2APIC without the global enable). The BSP flag is read-only
 * and not compared.
 */
bool msr_apic_base_write_ok(uint64_t cur, uint64_t val, bool x2apic, unsigned int maxphyaddr);

/* The guest's IA32_MISC_ENABLE at its start given the real value: BTS and
 * PEBS unavailable (bits 11, 12). */
uint64_t msr_misc_enable_init(uint64_t real);
/* The shadow after the guest writes val: the bits the hypervisor depends on
 * or that describe hidden features (7, 11, 12, 34 XD disable) keep their
 * shadow value; the others take val's. */
uint64_t msr_misc_enable_write(uint64_t shadow, uint64_t val);

/* True if val is a DEBUGCTL the guest may have: LBR, BTF, bus-lock
 * detection, the freeze bits and RTM debug; never TR, BTS, BTINT, BTS_OFF_OS/USR (the BTS buffer is in
 * memory the DS area points at) nor reserved bits. */
bool msr_debugctl_write_ok(uint64_t val);

#endif
