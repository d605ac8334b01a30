/* guest/msr_policy.c - the MSRs the hypervisor keeps for itself (SDM Vol. 4
 * for the numbers; Vol. 3C 25.6.9 for the bitmap ranges). Everything not
 * listed passes through: the guest owns the machine. */
#include "guest/msr_policy.h"

const struct msr_trap msr_traps[] = {
	{ 0x00000010, 0x00000010, false, true, MSR_TSC_WRITE, "IA32_TIME_STAMP_COUNTER" },
	{ 0x0000003a, 0x0000003a, true, true, MSR_FEATURE_CONTROL, "IA32_FEATURE_CONTROL" },
	{ 0x0000003b, 0x0000003b, false, true, MSR_IGNORE_WRITE, "IA32_TSC_ADJUST" },
	/* A guest must not load microcode under the hypervisor's feet. */
	{ 0x00000079, 0x00000079, false, true, MSR_IGNORE_WRITE, "IA32_BIOS_UPDT_TRIG" },
	/* MTRRs set memory types for the hypervisor's memory too. */
	{ 0x00000200, 0x0000021f, false, true, MSR_IGNORE_WRITE, "IA32_MTRR_PHYSBASE/MASK" },
	{ 0x00000250, 0x00000250, false, true, MSR_IGNORE_WRITE, "IA32_MTRR_FIX64K" },
	{ 0x00000258, 0x00000259, false, true, MSR_IGNORE_WRITE, "IA32_MTRR_FIX16K" },
	{ 0x00000268, 0x0000026f, false, true, MSR_IGNORE_WRITE, "IA32_MTRR_FIX4K" },
	{ 0x000002ff, 0x000002ff, false, true, MSR_IGNORE_WRITE, "IA32_MTRR_DEF_TYPE" },
	/* VMX is hidden from guests: its MSRs do not exist for them. */
	{ 0x00000480, 0x00000492, true, true, MSR_GP, "IA32_VMX_*" },
};
const unsigned int msr_trap_count = ARRAY_SIZE(msr_traps);

bool msr_in_bitmap_range(uint32_t msr)
{
	return msr <= 0x1fff || (msr >= 0xc0000000 && msr <= 0xc0001fff);
}

enum msr_action msr_policy(uint32_t msr, bool write)
{
	for (unsigned int i = 0; i < msr_trap_count; i++) {
		const struct msr_trap *t = &msr_traps[i];

		if (msr >= t->first && msr <= t->last)
			return (write ? t->write : t->read) ? t->action : MSR_PASS;
	}
	/* Only MSRs outside the bitmap get here untrapped: none exist for guests. */
	return msr_in_bitmap_range(msr) ? MSR_PASS : MSR_GP;
}

uint64_t msr_feature_control_view(uint64_t real)
{
	return (real | 1) & ~0x6ULL;
}
