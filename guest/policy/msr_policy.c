/* guest/policy/msr_policy.c - the MSRs a guest may use (SDM Vol. 4 for the numbers;
 * Vol. 3C 25.6.9 for the bitmap). Denied by default: an MSR is passed
 * through only if its effect stays inside the guest's memory and this CPU
 * (or the VMCS switches it at every entry and exit), emulated where a
 * harmless answer exists, and refused with #GP otherwise. Every CPUID
 * feature whose MSRs are refused here is hidden by guest/policy/cpuid_policy.c. */
#include "guest/policy/msr_policy.h"
#include "lib/string.h"

#define P MSR_PASS
#define G MSR_GP
#define I MSR_IGNORE_WRITE

/* Sorted, disjoint (the unit tests check it). One line each: why. */
const struct msr_rule msr_rules[] = {
	/* Reads: the guest's TSC (offset applied); writes become the offset. */
	{ 0x00000010, 0x00000010, P, MSR_TSC_WRITE, MSR_NEED_NONE, "IA32_TIME_STAMP_COUNTER" },
	/* The microcode loader reads which platform this is. */
	{ 0x00000017, 0x00000017, P, G, MSR_NEED_NONE, "IA32_PLATFORM_ID" },
	/* Reads pass; writes may switch x2APIC on and off, never move the page. */
	{ 0x0000001b, 0x0000001b, P, MSR_APIC_BASE, MSR_NEED_NONE, "IA32_APIC_BASE" },
	/* Counters and topology of this CPU, read by Linux and turbostat. */
	{ 0x00000034, 0x00000035, P, G, MSR_NEED_NONE, "MSR_SMI_COUNT/CORE_THREAD_COUNT" },
	/* Emulated: locked with VMX off. */
	{ 0x0000003a, 0x0000003a, MSR_FEATURE_CONTROL, MSR_FEATURE_CONTROL, MSR_NEED_NONE,
	  "IA32_FEATURE_CONTROL" },
	/* Emulated over the TSC offset (guest/tsc_offset.c): the hardware's is the hypervisor's. */
	{ 0x0000003b, 0x0000003b, MSR_TSC_ADJUST, MSR_TSC_ADJUST, MSR_NEED_NONE, "IA32_TSC_ADJUST" },
	/* Speculation controls (IBRS, STIBP, SSBD, IBPB): this CPU's own mitigations. */
	{ 0x00000048, 0x00000048, P, P, MSR_NEED_NONE, "IA32_SPEC_CTRL" },
	{ 0x00000049, 0x00000049, G, P, MSR_NEED_NONE, "IA32_PRED_CMD" },
	/* A guest must not load microcode under the hypervisor's feet. */
	{ 0x00000079, 0x00000079, G, I, MSR_NEED_NONE, "IA32_BIOS_UPDT_TRIG" },
	/* The microcode revision: Linux writes 0, runs CPUID, reads it. */
	{ 0x0000008b, 0x0000008b, P, P, MSR_NEED_NONE, "IA32_BIOS_SIGN_ID" },
	/* What the CPU can do (ratios, CPUID faulting, split-lock detection). */
	{ 0x000000ce, 0x000000cf, P, G, MSR_NEED_NONE, "MSR_PLATFORM_INFO/IA32_CORE_CAPABILITIES" },
	/* UMWAIT limits for the guest's own user-level waits. */
	{ 0x000000e1, 0x000000e1, P, P, MSR_NEED_WAITPKG, "IA32_UMWAIT_CONTROL" },
	/* C-state configuration, read by intel_idle; its limits are the platform's. */
	{ 0x000000e2, 0x000000e2, P, I, MSR_NEED_NONE, "MSR_PKG_CST_CONFIG_CONTROL" },
	/* Effective-frequency counters (reads; a reset is dropped). */
	{ 0x000000e7, 0x000000e8, P, I, MSR_NEED_NONE, "IA32_MPERF/APERF" },
	{ 0x000000fe, 0x000000fe, P, G, MSR_NEED_NONE, "IA32_MTRRCAP" },
	/* Which speculation bugs this CPU has. */
	{ 0x0000010a, 0x0000010a, P, G, MSR_NEED_NONE, "IA32_ARCH_CAPABILITIES" },
	/* L1D flush: a mitigation on this CPU. */
	{ 0x0000010b, 0x0000010b, G, P, MSR_NEED_NONE, "IA32_FLUSH_CMD" },
	/* TSX and SRBDS mitigation controls: the hypervisor uses neither. */
	{ 0x00000122, 0x00000123, P, P, MSR_NEED_NONE, "IA32_TSX_CTRL/MCU_OPT_CTRL" },
	/* CPUID faulting and ring-3 MWAIT: only the guest's CPL 3 sees them. */
	{ 0x00000140, 0x00000140, P, P, MSR_NEED_NONE, "MSR_MISC_FEATURES_ENABLES" },
	/* SYSENTER: guest state in the VMCS. */
	{ 0x00000174, 0x00000176, P, P, MSR_NEED_NONE, "IA32_SYSENTER_CS/ESP/EIP" },
	/* Machine checks are reported to the hypervisor: reads pass, writes
	 * (which would clear or disable reporting) are dropped. */
	{ 0x00000179, 0x00000179, P, G, MSR_NEED_NONE, "IA32_MCG_CAP" },
	{ 0x0000017a, 0x0000017b, P, I, MSR_NEED_NONE, "IA32_MCG_STATUS/CTL" },
	/* P-state status; requests are dropped (EIST is hidden). */
	{ 0x00000198, 0x00000199, P, I, MSR_NEED_NONE, "IA32_PERF_STATUS/CTL" },
	/* Thermal status reads; interrupt enables and log clears dropped. */
	{ 0x0000019b, 0x0000019c, P, I, MSR_NEED_NONE, "IA32_THERM_INTERRUPT/STATUS" },
	/* Emulated: a per-vCPU shadow; XD disable and the rest never reach hardware. */
	{ 0x000001a0, 0x000001a0, MSR_MISC_ENABLE, MSR_MISC_ENABLE, MSR_NEED_NONE, "IA32_MISC_ENABLE" },
	{ 0x000001a2, 0x000001a2, P, G, MSR_NEED_NONE, "MSR_TEMPERATURE_TARGET" },
	{ 0x000001ad, 0x000001ad, P, G, MSR_NEED_NONE, "MSR_TURBO_RATIO_LIMIT" },
	/* A power/performance hint for this CPU. */
	{ 0x000001b0, 0x000001b0, P, P, MSR_NEED_NONE, "IA32_ENERGY_PERF_BIAS" },
	{ 0x000001b1, 0x000001b2, P, I, MSR_NEED_NONE, "IA32_PACKAGE_THERM_STATUS/INTERRUPT" },
	/* AMX first-use faulting: the hypervisor saves no extended state. */
	{ 0x000001c4, 0x000001c5, P, P, MSR_NEED_NONE, "IA32_XFD/XFD_ERR" },
	/* Reads pass; writes go to the VMCS, BTS (to memory) refused. */
	{ 0x000001d9, 0x000001d9, P, MSR_DEBUGCTL, MSR_NEED_NONE, "IA32_DEBUGCTL" },
	{ 0x000001fc, 0x000001fc, P, I, MSR_NEED_NONE, "MSR_POWER_CTL" },
	/* MTRRs set memory types for the hypervisor's memory too: writes dropped. */
	{ 0x00000200, 0x0000021f, P, I, MSR_NEED_NONE, "IA32_MTRR_PHYSBASE/MASK" },
	{ 0x00000250, 0x00000250, P, I, MSR_NEED_NONE, "IA32_MTRR_FIX64K" },
	{ 0x00000258, 0x00000259, P, I, MSR_NEED_NONE, "IA32_MTRR_FIX16K" },
	{ 0x00000268, 0x0000026f, P, I, MSR_NEED_NONE, "IA32_MTRR_FIX4K" },
	/* Guest state in the VMCS. */
	{ 0x00000277, 0x00000277, P, P, MSR_NEED_NONE, "IA32_PAT" },
	{ 0x00000280, 0x0000029f, P, I, MSR_NEED_NONE, "IA32_MCi_CTL2" },
	{ 0x000002ff, 0x000002ff, P, I, MSR_NEED_NONE, "IA32_MTRR_DEF_TYPE" },
	/* Refused, named for the log: the PMU (CPUID leaf 0xA hidden), PEBS and
	 * the DS area (write to physical memory), Intel PT (likewise). */
	{ 0x00000345, 0x00000345, G, G, MSR_NEED_NONE, "IA32_PERF_CAPABILITIES" },
	{ 0x000003f1, 0x000003f1, G, G, MSR_NEED_NONE, "IA32_PEBS_ENABLE" },
	{ 0x00000400, 0x0000047f, P, I, MSR_NEED_NONE, "IA32_MCi_CTL/STATUS/ADDR/MISC" },
	/* VMX is hidden from guests: its MSRs do not exist for them. */
	{ 0x00000480, 0x00000493, G, G, MSR_NEED_NONE, "IA32_VMX_*" },
	{ 0x00000560, 0x0000056f, G, G, MSR_NEED_NONE, "IA32_RTIT_OUTPUT_*" },
	{ 0x00000570, 0x00000570, G, G, MSR_NEED_NONE, "IA32_RTIT_CTL" },
	{ 0x00000571, 0x0000058f, G, G, MSR_NEED_NONE, "IA32_RTIT_*" },
	{ 0x00000600, 0x00000600, G, G, MSR_NEED_NONE, "IA32_DS_AREA" },
	/* Energy counters (reads). */
	{ 0x00000606, 0x00000606, P, G, MSR_NEED_NONE, "MSR_RAPL_POWER_UNIT" },
	{ 0x00000611, 0x00000611, P, G, MSR_NEED_NONE, "MSR_PKG_ENERGY_STATUS" },
	{ 0x00000619, 0x00000619, P, G, MSR_NEED_NONE, "MSR_DRAM_ENERGY_STATUS" },
	{ 0x00000639, 0x00000639, P, G, MSR_NEED_NONE, "MSR_PP0_ENERGY_STATUS" },
	{ 0x00000641, 0x00000641, P, G, MSR_NEED_NONE, "MSR_PP1_ENERGY_STATUS" },
	/* The local APIC timer's deadline: interrupts this CPU only. Passed while
	 * the guest's TSC is the host's; trapped and converted once the guest
	 * moved its TSC (msr_bitmap_set_exits, vmx/tsc_msrs.c). */
	{ 0x000006e0, 0x000006e0, P, P, MSR_NEED_NONE, "IA32_TSC_DEADLINE" },
	/* x2APIC registers (TPR, EOI, timer, LVTs: Linux's hot paths) pass;
	 * the ICR is filtered. */
	{ 0x00000800, 0x0000082f, P, P, MSR_NEED_NONE, "x2APIC" },
	{ 0x00000830, 0x00000830, P, MSR_X2APIC_ICR_TRAP, MSR_NEED_NONE, "IA32_X2APIC_ICR" },
	{ 0x00000831, 0x0000083f, P, P, MSR_NEED_NONE, "x2APIC" },
	/* Total memory encryption state, read by Linux when CPUID says TME. */
	{ 0x00000981, 0x00000982, P, G, MSR_NEED_NONE, "IA32_TME_CAPABILITY/ACTIVATE" },
	/* No supervisor state components are exposed: only 0 may be written. */
	{ 0x00000da0, 0x00000da0, P, MSR_XSS, MSR_NEED_XSAVES, "IA32_XSS" },
	/* EFER: guest state in the VMCS. Reads pass; writes are emulated
	 * (guest/policy/efer.h), so the backend knows the guest's EFER (LMA
	 * for the mode of every emulated access) without reading the VMCS. */
	{ 0xc0000080, 0xc0000080, P, MSR_EFER, MSR_NEED_NONE, "IA32_EFER" },
	/* SYSCALL targets: the hypervisor never executes SYSCALL. */
	{ 0xc0000081, 0xc0000084, P, P, MSR_NEED_NONE, "IA32_STAR/LSTAR/CSTAR/FMASK" },
	/* FS/GS bases are guest state; the hypervisor never executes SWAPGS. */
	{ 0xc0000100, 0xc0000102, P, P, MSR_NEED_NONE, "IA32_FS_BASE/GS_BASE/KERNEL_GS_BASE" },
	/* What RDTSCP and RDPID return; the hypervisor uses neither. */
	{ 0xc0000103, 0xc0000103, P, P, MSR_NEED_RDTSCP, "IA32_TSC_AUX" },
};
const unsigned int msr_rule_count = ARRAY_SIZE(msr_rules);

#undef P
#undef G
#undef I

bool msr_in_bitmap_range(uint32_t msr)
{
	return msr <= 0x1fff || (msr >= 0xc0000000 && msr <= 0xc0001fff);
}

static bool need_met(enum msr_need n, const struct guest_features *f)
{
	switch (n) {
	case MSR_NEED_NONE:
		return true;
	case MSR_NEED_RDTSCP:
		return f->rdtscp;
	case MSR_NEED_XSAVES:
		return f->xsaves;
	case MSR_NEED_WAITPKG:
		return f->waitpkg;
	}
	return false;
}

static const struct msr_rule *find_rule(uint32_t msr)
{
	for (unsigned int i = 0; i < msr_rule_count; i++)
		if (msr >= msr_rules[i].first && msr <= msr_rules[i].last)
			return &msr_rules[i];
	return NULL;
}

enum msr_action msr_policy(uint32_t msr, bool write, const struct guest_features *f)
{
	const struct msr_rule *r = find_rule(msr);

	if (!r || !need_met(r->need, f))
		return MSR_GP;
	return write ? r->write : r->read;
}

const char *msr_name(uint32_t msr)
{
	const struct msr_rule *r = find_rule(msr);

	return r ? r->name : NULL;
}

uint32_t msr_log_key(uint32_t msr)
{
	const struct msr_rule *r = find_rule(msr);

	return r ? r->first : msr;
}

static void bitmap_clear(uint8_t *bm, uint32_t msr, bool write)
{
	/* Read-low, read-high, write-low, write-high kilobytes (25.6.9). */
	unsigned int base = (msr >= 0xc0000000 ? 1024 : 0) + (write ? 2048 : 0);
	uint32_t bit = msr & 0x1fff;

	bm[base + bit / 8] &= (uint8_t)~(1u << (bit % 8));
}

void msr_bitmap_set_exits(uint8_t bitmap[4096], uint32_t msr, bool exits)
{
	if (!msr_in_bitmap_range(msr))
		return;
	for (int write = 0; write < 2; write++) {
		unsigned int base = (msr >= 0xc0000000 ? 1024 : 0) + (write ? 2048 : 0);
		uint32_t bit = msr & 0x1fff;

		if (exits)
			bitmap[base + bit / 8] |= (uint8_t)(1u << (bit % 8));
		else
			bitmap[base + bit / 8] &= (uint8_t)~(1u << (bit % 8));
	}
}

void msr_bitmap_build(uint8_t bitmap[4096], const struct guest_features *f)
{
	memset(bitmap, 0xff, 4096);
	for (unsigned int i = 0; i < msr_rule_count; i++) {
		const struct msr_rule *r = &msr_rules[i];

		if (!need_met(r->need, f) || !msr_in_bitmap_range(r->first) ||
		    !msr_in_bitmap_range(r->last))
			continue;
		for (uint32_t m = r->first; m <= r->last; m++) {
			if (r->read == MSR_PASS)
				bitmap_clear(bitmap, m, false);
			if (r->write == MSR_PASS)
				bitmap_clear(bitmap, m, true);
		}
	}
}

#define FEATURE_CONTROL_LMCE_ON (1ULL << 20)

uint64_t msr_feature_control_view(uint64_t real)
{
	/* Locked, VMX off; no local machine checks: IA32_MCG_EXT_CTL is refused
	 * and #MC delivery is the hypervisor's. */
	return (real | 1) & ~(0x6ULL | FEATURE_CONTROL_LMCE_ON);
}

#define APIC_BASE_BSP   (1ULL << 8)
#define APIC_BASE_EXTD  (1ULL << 10)
#define APIC_BASE_EN    (1ULL << 11)

bool msr_apic_base_write_ok(uint64_t cur, uint64_t val, bool x2apic, unsigned int maxphyaddr)
{
	unsigned int m = maxphyaddr < 32 ? 36 : maxphyaddr > 52 ? 52 : maxphyaddr;
	uint64_t base_mask = ((1ULL << m) - 1) & ~0xfffULL;
	bool cur_en = cur & APIC_BASE_EN, cur_x2 = cur & APIC_BASE_EXTD;
	bool en = val & APIC_BASE_EN, x2 = val & APIC_BASE_EXTD;

	if (val & ~(base_mask | APIC_BASE_BSP | APIC_BASE_EXTD | APIC_BASE_EN))
		return false;
	if ((val ^ cur) & base_mask)
		return false;
	if (x2 && (!x2apic || !en))          /* no x2APIC, or the invalid state */
		return false;
	if (cur_en && cur_x2 && en && !x2)   /* x2APIC -> xAPIC */
		return false;
	if (!cur_en && x2)                   /* disabled -> x2APIC */
		return false;
	return true;
}

#define MISC_ENABLE_PERF_AVAIL      (1ULL << 7)
#define MISC_ENABLE_BTS_UNAVAIL     (1ULL << 11)
#define MISC_ENABLE_PEBS_UNAVAIL    (1ULL << 12)
#define MISC_ENABLE_XD_DISABLE      (1ULL << 34)
#define MISC_ENABLE_FIXED           (MISC_ENABLE_PERF_AVAIL | MISC_ENABLE_BTS_UNAVAIL | \
				     MISC_ENABLE_PEBS_UNAVAIL | MISC_ENABLE_XD_DISABLE)

uint64_t msr_misc_enable_init(uint64_t real)
{
	/* No PMU (CPUID leaf 0xA is hidden), no BTS, no PEBS. */
	return (real | MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL) & ~MISC_ENABLE_PERF_AVAIL;
}

uint64_t msr_misc_enable_write(uint64_t shadow, uint64_t val)
{
	return (shadow & MISC_ENABLE_FIXED) | (val & ~MISC_ENABLE_FIXED);
}

/* LBR (0), BTF (1), BUS_LOCK_DETECT (2), FREEZE_LBRS_ON_PMI (11),
 * FREEZE_PERFMON_ON_PMI (12), FREEZE_WHILE_SMM (14), RTM_DEBUG (15). */
#define DEBUGCTL_GUEST_OK 0xd807ULL

bool msr_debugctl_write_ok(uint64_t val)
{
	return !(val & ~DEBUGCTL_GUEST_OK);
}
