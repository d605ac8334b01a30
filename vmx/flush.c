/* vmx/flush.c - invalidating what the CPU cached for a guest (SDM Vol. 3C,
 * 29.4.3): its linear and combined TLB entries by VPID, its EPT
 * translations by EPTP. */
#include "vmx/flush.h"
#include "vmx/vmx_cpu.h"
#include "vmx/ept.h"
#include "lib/print.h"

void vmx_flush_guest_tlb(struct vcpu *v)
{
	uint64_t caps = vmx_this_cpu.caps.ept_vpid_cap;
	enum vmx_status s;

	if (!(vmx_this_cpu.ctl.proc2 & CPU2_ENABLE_VPID))
		return;
	if (caps & VPID_CAP_INVVPID_SINGLE_CONTEXT)
		s = invvpid(INVVPID_SINGLE_CONTEXT, VMX_GUEST_VPID, 0);
	else
		s = invvpid(INVVPID_ALL_CONTEXT, 0, 0);
	if (s != VMX_OK)
		panic("INVVPID failed (%d)", s);
}

void vmx_flush_ept(const struct ept *ept)
{
	/* Bochs flushes on every VM entry and hides a missing INVEPT; hardware does not. */
	enum vmx_status s;

	if (vmx_this_cpu.caps.ept_vpid_cap & EPT_CAP_INVEPT_SINGLE_CONTEXT)
		s = invept(INVEPT_SINGLE_CONTEXT, ept->eptp);
	else
		s = invept(INVEPT_ALL_CONTEXT, 0);
	if (s != VMX_OK)
		panic("INVEPT failed (%d)", s);
}

void vcpu_flush_stage2(struct vcpu *v)
{
	vmx_flush_ept(to_vmx(v)->ept);
}
