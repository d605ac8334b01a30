/* tests/unit/vmx/test_vmcs_shadow.c - KVM's shadowed VMCS fields. */
#include "tests/unit/check.h"
#include "vmx/vmcs_shadow.h"
#include "vmx/vmcs.h"

TEST(exit_path_fields_are_shadowed)
{
	CHECK(vmcs_shadowed_by_kvm(VMCS_EXIT_REASON));
	CHECK(vmcs_shadowed_by_kvm(VMCS_GUEST_RIP));
	CHECK(vmcs_shadowed_by_kvm(VMCS_VM_EXIT_INSTRUCTION_LEN));
	CHECK(vmcs_shadowed_by_kvm(VMCS_GUEST_INTERRUPTIBILITY_INFO));
	CHECK(vmcs_shadowed_by_kvm(VMCS_GUEST_PHYSICAL_ADDRESS));
}

TEST(the_costly_ones_are_not)
{
	CHECK(!vmcs_shadowed_by_kvm(VMCS_HOST_RSP));
	CHECK(!vmcs_shadowed_by_kvm(VMCS_GUEST_IA32_EFER));
	CHECK(!vmcs_shadowed_by_kvm(VMCS_GUEST_ACTIVITY_STATE));
	CHECK(!vmcs_shadowed_by_kvm(VMCS_GUEST_PENDING_DBG_EXCEPTIONS));
	CHECK(!vmcs_shadowed_by_kvm(VMCS_GUEST_ES_BASE));
	CHECK(!vmcs_shadowed_by_kvm(VMCS_GUEST_PDPTE0));
	CHECK(!vmcs_shadowed_by_kvm(VMCS_VM_EXIT_INSTRUCTION_INFO));
}
