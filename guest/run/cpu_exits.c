/* guest/run/cpu_exits.c - the exits for instructions that read or change
 * CPU state: CPUID, RDMSR/WRMSR and XSETBV (SDM Vol. 2; the policy in
 * guest/policy/). Backend-neutral: the MSRs the backend keeps (TSC offset,
 * DEBUGCTL) go through guest/backend.h. */
#include "guest/run/cpu_exits.h"
#include "guest/backend.h"
#include "guest/policy/cpuid_policy.h"
#include "guest/policy/cpuid_table.h"
#include "guest/vm.h"
#include "guest/policy/msr_policy.h"
#include "guest/policy/efer.h"
#include "guest/policy/apic_icr.h"
#include "guest/dev/guest_ipi.h"
#include "guest/tsc_offset.h"
#include "arch/cpu.h"
#include "arch/msr.h"
#include "arch/cpuinfo.h"
#include "drivers/console.h"
#include "lib/format.h"
#include "lib/log.h"
#include <stdarg.h>

#define CR4_OSXSAVE (1ULL << 18)
#define APIC_BASE_BSP   (1ULL << 8)
#define APIC_BASE_EXTD  (1ULL << 10)
#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUIDD_1_EAX_XSAVEC_XSAVES (1u << 1 | 1u << 3)

/* CPUID.(0DH,1):EBX from the component sizes: the size of the compacted
 * XSAVE area for the guest's XCR0 (the hardware's: XSETBV passes through;
 * IA32_XSS is always 0, the only value guests may write). Bochs 2.7 reports the standard-format
 * size there, which Linux's consistency check rejects with a WARN. */
static uint32_t xsave_size_for_guest(void)
{
	static uint32_t size[64];
	static bool align64[64], known;
	uint32_t lo, hi;

	if (!known) {
		for (unsigned int i = 2; i < 63; i++) {
			struct cpuid_regs c;

			cpuid(0xd, i, &c);
			size[i] = c.eax;
			align64[i] = c.ecx & 2;
		}
		known = true;
	}
	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return xsave_compacted_size((uint64_t)hi << 32 | lo, size, align64);
}

/* The guest's CPUID answer computed from the CPU's: what the table holds,
 * and the answer for what it does not. */
static void cpuid_compute(struct vcpu *v, uint32_t leaf, uint32_t sub, uint64_t cr4,
			  struct cpuid_result *r)
{
	*r = (struct cpuid_result){ 0, 0, 0, 0 };
	if (!cpuid_is_hypervisor_leaf(leaf)) {
		struct cpuid_regs h;

		cpuid(leaf, sub, &h);
		*r = (struct cpuid_result){ h.eax, h.ebx, h.ecx, h.edx };
	}
	cpuid_policy_apply(leaf, sub, vcpu_features(v), cr4, r);
	if (leaf == 0xd && sub == 1 && (r->eax & CPUIDD_1_EAX_XSAVEC_XSAVES))
		r->ebx = xsave_size_for_guest();
}

static void cpu_cpuid(uint32_t leaf, uint32_t sub, struct cpuid_result *r)
{
	struct cpuid_regs h;

	cpuid(leaf, sub, &h);
	*r = (struct cpuid_result){ h.eax, h.ebx, h.ecx, h.edx };
}

static uint64_t fixed_cr4;

static uint64_t cr4_fixed(void *ctx)
{
	(void)ctx;
	return fixed_cr4;
}

static uint64_t cr4_of(void *ctx)
{
	return vcpu_reg(ctx, VREG_CR4);
}

/* On the vCPU's own CPU (1:1): its table, checked entry by entry against
 * the computation it replaces, with CR4's OSXSAVE and PKE clear and set. A
 * mismatch is the hypervisor's bug: said once, and the vCPU asks the CPU
 * for every leaf, as before. */
static struct cpuid_table cpuid_tables[VM_MAX_VCPUS];     /* by CPU index: vCPUs are 1:1 */

static void cpuid_table_init(struct vcpu *v, struct cpuid_table *t)
{
	static const uint64_t cr4s[] = { 0, 1ULL << 18 | 1ULL << 22 };

	cpuid_table_build(t, vcpu_features(v), cpu_cpuid);
	for (unsigned int i = 0; i < t->n; i++) {
		for (unsigned int c = 0; c < ARRAY_SIZE(cr4s); c++) {
			const struct cpuid_entry *e = &t->e[i];
			struct cpuid_result a, b;

			fixed_cr4 = cr4s[c];
			if (!cpuid_table_lookup(t, e->leaf, e->subleaf, cr4_fixed, NULL, &a))
				a = (struct cpuid_result){ ~0u, 0, 0, 0 };
			cpuid_compute(v, e->leaf, e->subleaf, cr4s[c], &b);
			if (a.eax != b.eax || a.ebx != b.ebx || a.ecx != b.ecx || a.edx != b.edx) {
				printf("guest %s: cpuid: table differs from CPUID at leaf 0x%x subleaf %u: "
				       "table not used\n", v->name, e->leaf, e->subleaf);
				cpuid_table_clear(t);
				return;
			}
		}
	}
}

static struct cpuid_table *cpuid_table_of(struct vcpu *v)
{
	return &cpuid_tables[v->cpu < VM_MAX_VCPUS ? v->cpu : 0];
}

bool fast_cpuid_search(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->regs.gpr[REG_RAX], sub = (uint32_t)v->regs.gpr[REG_RCX];
	struct cpuid_result r;

	if (!cpuid_table_lookup(v->cpuid_table, leaf, sub, cr4_of, v, &r))
		return false;
	v->regs.gpr[REG_RAX] = r.eax;
	v->regs.gpr[REG_RBX] = r.ebx;
	v->regs.gpr[REG_RCX] = r.ecx;
	v->regs.gpr[REG_RDX] = r.edx;
	return true;
}

void exit_cpuid(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->regs.gpr[REG_RAX], sub = (uint32_t)v->regs.gpr[REG_RCX];
	struct cpuid_result r;

	/* Built by each new vCPU: its features are its VM's. */
	if (unlikely(!v->cpuid_table)) {
		cpuid_table_init(v, cpuid_table_of(v));
		v->cpuid_table = cpuid_table_of(v);
	}
	if (fast_cpuid(v)) {
		vcpu_skip_instruction(v);
		return;
	}
	cpuid_compute(v, leaf, sub, vcpu_reg(v, VREG_CR4), &r);
	v->regs.gpr[REG_RAX] = r.eax;
	v->regs.gpr[REG_RBX] = r.ebx;
	v->regs.gpr[REG_RCX] = r.ecx;
	v->regs.gpr[REG_RDX] = r.edx;
	vcpu_skip_instruction(v);
}

/* Refused and ignored MSR accesses are logged at info level, once per MSR
 * (a named range counts as one) and at most VCPU_MSR_LOG_MAX MSRs per guest,
 * then one line saying so. */
static void __printf(4, 5) msr_log(struct vcpu *v, uint32_t msr, bool write, const char *what, ...)
{
	const char *name = msr_name(msr);
	uint32_t key = msr_log_key(msr);
	char tail[96];
	va_list ap;

	if (!log_enabled(LOG_INFO) || v->msr_logged_count > VCPU_MSR_LOG_MAX)
		return;
	for (unsigned int i = 0; i < v->msr_logged_count && i < VCPU_MSR_LOG_MAX; i++)
		if (v->msr_logged[i] == key)
			return;
	if (v->msr_logged_count == VCPU_MSR_LOG_MAX) {
		v->msr_logged_count++;
		printf("guest %s: more MSRs refused or ignored; not logged\n", v->name);
		return;
	}
	v->msr_logged[v->msr_logged_count++] = key;
	va_start(ap, what);
	fmt_vsnprintf(tail, sizeof(tail), what, ap);
	va_end(ap);
	printf("guest %s: %s 0x%x%s%s%s %s\n", v->name, write ? "WRMSR" : "RDMSR", msr,
	       name ? " (" : "", name ? name : "", name ? ")" : "", tail);
}

/* IA32_APIC_BASE writes (SDM Vol. 3A, 10.12.5): the mode transitions are
 * carried out on the real MSR, nothing else. False: #GP. */
static bool apic_base_write(uint64_t val)
{
	uint64_t cur = rdmsr(MSR_IA32_APIC_BASE);
	struct cpuid_regs r;
	struct cpuinfo ci;

	cpuid(1, 0, &r);
	cpuinfo_read(&ci);
	if (!msr_apic_base_write_ok(cur, val, r.ecx & CPUID1_ECX_X2APIC, ci.phys_addr_bits))
		return false;
	val = (val & ~APIC_BASE_BSP) | (cur & APIC_BASE_BSP);
	if (val != cur)
		wrmsr(MSR_IA32_APIC_BASE, val);
	return true;
}

static bool msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	/* Reached only while the guest's TSC is moved (the backend's TSC MSRs). */
	if (msr == MSR_IA32_TSC_DEADLINE)
		return vcpu_tsc_msr_write(v, msr, val);
	switch (msr_policy(msr, true, vcpu_features(v))) {
	case MSR_TSC_WRITE:
	case MSR_TSC_ADJUST:
		if (vcpu_tsc_msr_write(v, msr, val))
			return true;
		msr_log(v, msr, true, "refused (not on this CPU): #GP");
		return false;
	case MSR_IGNORE_WRITE:
		msr_log(v, msr, true, "= 0x%llx ignored: the hypervisor owns it", (unsigned long long)val);
		return true;
	case MSR_APIC_BASE:
		if (apic_base_write(val))
			return true;
		msr_log(v, msr, true, "= 0x%llx refused (new base, reserved bit or a mode "
			"change SDM 10.12.5 forbids): #GP", (unsigned long long)val);
		return false;
	case MSR_MISC_ENABLE:
		v->misc_enable = msr_misc_enable_write(v->misc_enable, val);
		return true;
	case MSR_X2APIC_ICR_TRAP: {
		struct apic_icr_decision d;

		/* Not in x2APIC mode the MSR does not exist (10.12.1.2). */
		if (!(rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_EXTD))
			return false;
		apic_icr_decode_x2apic(val, &d);
		if (d.action == ICR_GP) {
			msr_log(v, msr, true, "= 0x%llx refused (reserved bits): #GP", (unsigned long long)val);
			return false;
		}
		if (guest_ipi(v, &d))
			wrmsr(msr, val);
		return true;
	}
	case MSR_DEBUGCTL:
		if (!msr_debugctl_write_ok(val)) {
			msr_log(v, msr, true, "= 0x%llx refused (BTS or reserved bits): #GP",
				(unsigned long long)val);
			return false;
		}
		vcpu_set_debugctl(v, val);
		return true;
	case MSR_XSS:
		if (val) {
			msr_log(v, msr, true, "= 0x%llx refused (no supervisor state): #GP",
				(unsigned long long)val);
			return false;
		}
		wrmsr(msr, 0);
		return true;
	case MSR_EFER: {
		uint64_t efer;

		if (!efer_write(vcpu_reg(v, VREG_EFER), val, vcpu_reg(v, VREG_CR0) & CR0_PG,
				v->efer_supported, &efer)) {
			msr_log(v, msr, true, "= 0x%llx refused (reserved bit, or LME changed with "
				"paging on): #GP", (unsigned long long)val);
			return false;
		}
		vcpu_set_reg(v, VREG_EFER, efer);
		return true;
	}
	case MSR_FEATURE_CONTROL:       /* locked */
		return false;
	case MSR_GP:
		msr_log(v, msr, true, "refused: #GP");
		return false;
	case MSR_PASS:
		break;
	}
	/* Passed accesses do not exit (msr_bitmap_build); one that does is not the guest's. */
	if (log_enabled(LOG_WARN))
		printf("guest %s: unexpected WRMSR exit for MSR 0x%x; #GP\n", v->name, msr);
	return false;
}

/* The reads answered from what the hypervisor keeps: IA32_FEATURE_CONTROL
 * (locked while VMX is on, so read from the CPU once per vCPU) and the
 * guest's IA32_MISC_ENABLE. False for every other MSR. */
static bool msr_read_kept(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	switch (msr_policy(msr, false, vcpu_features(v))) {
	case MSR_FEATURE_CONTROL:
		if (unlikely(!v->feature_control))
			v->feature_control = msr_feature_control_view(rdmsr(MSR_IA32_FEATURE_CONTROL));
		*val = v->feature_control;
		return true;
	case MSR_MISC_ENABLE:
		*val = v->misc_enable;
		return true;
	default:
		return false;
	}
}

/* The policy's answers for the MSRs the fast path serves, taken once: the
 * policy depends on nothing but the MSR and the vCPU's features. */
void msr_fast_init(struct vcpu *v)
{
	const struct guest_features *f = vcpu_features(v);
	uint8_t m = MSR_FAST_KNOWN;

	if (msr_policy(MSR_IA32_FEATURE_CONTROL, false, f) == MSR_FEATURE_CONTROL)
		m |= MSR_FAST_FC_READ;
	if (msr_policy(MSR_IA32_MISC_ENABLE, false, f) == MSR_MISC_ENABLE)
		m |= MSR_FAST_MISC_READ;
	if (msr_policy(MSR_IA32_MISC_ENABLE, true, f) == MSR_MISC_ENABLE)
		m |= MSR_FAST_MISC_WRITE;
	v->feature_control = msr_feature_control_view(rdmsr(MSR_IA32_FEATURE_CONTROL));
	v->msr_fast = m;
}

static bool msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	if (msr == MSR_IA32_TSC_DEADLINE)
		return vcpu_tsc_msr_read(v, msr, val);
	switch (msr_policy(msr, false, vcpu_features(v))) {
	case MSR_TSC_ADJUST:
		if (vcpu_tsc_msr_read(v, msr, val))
			return true;
		msr_log(v, msr, false, "refused (not on this CPU): #GP");
		return false;
	case MSR_FEATURE_CONTROL:
	case MSR_MISC_ENABLE:
		return msr_read_kept(v, msr, val);
	case MSR_GP:
		msr_log(v, msr, false, "refused: #GP");
		return false;
	default:
		break;
	}
	if (log_enabled(LOG_WARN))
		printf("guest %s: unexpected RDMSR exit for MSR 0x%x; #GP\n", v->name, msr);
	return false;
}

void exit_msr(struct vcpu *v, bool write)
{
	uint32_t msr = (uint32_t)v->regs.gpr[REG_RCX];
	uint64_t val = (v->regs.gpr[REG_RDX] << 32) | (uint32_t)v->regs.gpr[REG_RAX];

	if (unlikely(!v->msr_fast))
		msr_fast_init(v);               /* for the fast path's next ones */
	if (write ? !msr_write(v, msr, val) : !msr_read(v, msr, &val)) {
		vcpu_inject_exception(v, 13, 0);
		return;
	}
	if (!write) {
		v->regs.gpr[REG_RAX] = (uint32_t)val;
		v->regs.gpr[REG_RDX] = val >> 32;
	}
	vcpu_skip_instruction(v);
}

void exit_xsetbv(struct vcpu *v)
{
	uint64_t val = (v->regs.gpr[REG_RDX] << 32) | (uint32_t)v->regs.gpr[REG_RAX];
	struct cpuid_regs r;

	if (!(vcpu_reg(v, VREG_CR4) & CR4_OSXSAVE)) {
		vcpu_inject_exception(v, 6, 0);
		return;
	}
	cpuid(0xd, 0, &r);
	if (vcpu_cpl(v) != 0 || (uint32_t)v->regs.gpr[REG_RCX] != 0 ||
	    !xcr0_is_valid(val, ((uint64_t)r.edx << 32) | r.eax)) {
		vcpu_inject_exception(v, 13, 0);
		return;
	}
	/* The hypervisor uses no extended state: XCR0 can simply be the guest's. */
	asm volatile("xsetbv" : : "a"((uint32_t)val), "d"((uint32_t)(val >> 32)), "c"(0));
	vcpu_skip_instruction(v);
}
