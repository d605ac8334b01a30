/* vmx/tsc_msrs.c - the guest's IA32_TSC, IA32_TSC_ADJUST and
 * IA32_TSC_DEADLINE over the VMCS TSC offset (SDM Vol. 3B 17.17.3; Vol. 3A
 * 10.5.4.1; Vol. 3C 26.3 for RDTSC and RDMSR under "use TSC offsetting").
 * The arithmetic is guest/tsc_offset.c. */
#include "vmx/tsc_msrs.h"
#include "vmx/vmx_cpu.h"
#include "guest/policy/msr_policy.h"
#include "arch/cpu.h"
#include "arch/msr.h"
#include "mm/paging.h"

#define CPUID1_ECX_TSC_DEADLINE   (1u << 24)
#define CPUID7_EBX_TSC_ADJUST     (1u << 1)

/* CPUID.(leaf,0) register EBX (ebx) or ECX has bit set. */
static bool cpuid_bit(uint32_t leaf, bool ebx, uint32_t bit)
{
	struct cpuid_regs r;

	cpuid(0, 0, &r);
	if (r.eax < leaf)
		return false;
	cpuid(leaf, 0, &r);
	return (ebx ? r.ebx : r.ecx) & bit;
}

void vmx_tsc_init(struct vmx_vcpu *x)
{
	x->has_tsc_deadline = cpuid_bit(1, false, CPUID1_ECX_TSC_DEADLINE);
	x->has_tsc_adjust = cpuid_bit(7, true, CPUID7_EBX_TSC_ADJUST);
	guest_tsc_init(&x->tsc, x->has_tsc_adjust ? rdmsr(MSR_IA32_TSC_ADJUST) : 0);
}

/* Moves the guest's TSC (and with it TSC_ADJUST). An armed deadline keeps
 * firing at the same guest TSC value, as on hardware where it compares
 * against the TSC itself. IA32_TSC_DEADLINE passes through while the offset
 * is 0 and exits while it is not, so Linux's timer costs no exit until the
 * guest moves its TSC. */
static void set_offset(struct vcpu *v, uint64_t offset)
{
	struct vmx_vcpu *x = to_vmx(v);
	uint64_t old = x->tsc.offset;

	if (offset == old)
		return;
	if (x->has_tsc_deadline) {
		uint64_t hw = rdmsr(MSR_IA32_TSC_DEADLINE);

		if (hw) {
			if (!old)
				x->tsc.deadline = hw;
			wrmsr(MSR_IA32_TSC_DEADLINE, guest_tsc_deadline_to_host(x->tsc.deadline, offset));
		}
		if (!old != !offset)
			msr_bitmap_set_exits(hpa_to_ptr(x->msr_bitmap), MSR_IA32_TSC_DEADLINE, offset != 0);
	}
	x->tsc.offset = offset;
	vmcs_write(VMCS_TSC_OFFSET, offset);
}

bool vcpu_tsc_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct vmx_vcpu *x = to_vmx(v);
	bool offsetting = vmx_this_cpu.ctl.proc & CPU_USE_TSC_OFFSETTING;

	switch (msr) {
	case MSR_IA32_TSC:
		/* Without TSC offsetting the guest's TSC is the host's: dropped. */
		if (offsetting)
			set_offset(v, guest_tsc_offset_after_tsc_write(val, rdtsc()));
		return true;
	case MSR_IA32_TSC_ADJUST:
		if (!x->has_tsc_adjust)
			return false;
		if (offsetting)
			set_offset(v, guest_tsc_offset_after_adjust_write(&x->tsc, val));
		return true;
	case MSR_IA32_TSC_DEADLINE:
		/* Exits only while the offset is not 0 (set_offset). */
		if (!x->has_tsc_deadline)
			return false;
		x->tsc.deadline = val;
		wrmsr(MSR_IA32_TSC_DEADLINE, guest_tsc_deadline_to_host(val, x->tsc.offset));
		return true;
	}
	return false;
}

bool vcpu_tsc_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	struct vmx_vcpu *x = to_vmx(v);
	uint64_t hw;

	switch (msr) {
	case MSR_IA32_TSC_ADJUST:
		if (!x->has_tsc_adjust)
			return false;
		*val = guest_tsc_adjust(&x->tsc);
		return true;
	case MSR_IA32_TSC_DEADLINE:
		if (!x->has_tsc_deadline)
			return false;
		/* 0 once it fired or was disarmed (10.5.4.1), else what was
		 * written. Bochs 2.7 keeps the value after firing: a deadline
		 * the host's TSC has passed has fired. */
		hw = rdmsr(MSR_IA32_TSC_DEADLINE);
		*val = hw && rdtsc() < hw ? x->tsc.deadline : 0;
		return true;
	}
	return false;
}
