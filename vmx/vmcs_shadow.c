/* vmx/vmcs_shadow.c - the VMCS fields KVM's nested VMX shadows
 * (vmx/vmcs_shadow.h). The list is the one of Linux's
 * arch/x86/kvm/vmx/vmcs_shadow_fields.h (SHADOW_FIELD_RO and
 * SHADOW_FIELD_RW entries; the same set from Linux 5.x through 6.x, the
 * APIC-virtualization and PML ones only where the CPU has those, which
 * this hypervisor uses neither of), written with this tree's names. KVM
 * shadows a field only where the host CPU has VMCS shadowing; without it
 * every VMREAD/VMWRITE exits. */
#include "vmx/vmcs_shadow.h"
#include "vmx/vmcs.h"

static const uint32_t shadowed[] = {
	/* 16-bit */
	VMCS_GUEST_INTR_STATUS, VMCS_GUEST_PML_INDEX, VMCS_HOST_FS_SELECTOR, VMCS_HOST_GS_SELECTOR,
	/* 32-bit */
	VMCS_EXIT_REASON, VMCS_VM_EXIT_INTR_INFO, VMCS_VM_EXIT_INSTRUCTION_LEN,
	VMCS_VM_EXIT_INTR_ERROR_CODE, VMCS_IDT_VECTORING_INFO, VMCS_IDT_VECTORING_ERROR_CODE,
	VMCS_GUEST_CS_AR_BYTES, VMCS_GUEST_SS_AR_BYTES, VMCS_CPU_BASED_VM_EXEC_CONTROL,
	VMCS_PIN_BASED_VM_EXEC_CONTROL, VMCS_EXCEPTION_BITMAP, VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE,
	VMCS_VM_ENTRY_INTR_INFO, VMCS_VM_ENTRY_INSTRUCTION_LEN, VMCS_TPR_THRESHOLD,
	VMCS_GUEST_INTERRUPTIBILITY_INFO, VMCS_VMX_PREEMPTION_TIMER_VALUE,
	/* natural width */
	VMCS_EXIT_QUALIFICATION, VMCS_GUEST_LINEAR_ADDRESS, VMCS_GUEST_RIP, VMCS_GUEST_RSP,
	VMCS_GUEST_CR0, VMCS_GUEST_CR3, VMCS_GUEST_CR4, VMCS_GUEST_RFLAGS, VMCS_CR0_GUEST_HOST_MASK,
	VMCS_CR0_READ_SHADOW, VMCS_CR4_READ_SHADOW, VMCS_HOST_FS_BASE, VMCS_HOST_GS_BASE,
	/* 64-bit, both halves */
	VMCS_GUEST_PHYSICAL_ADDRESS, VMCS_GUEST_PHYSICAL_ADDRESS + 1,
};

bool vmcs_shadowed_by_kvm(uint32_t encoding)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(shadowed); i++)
		if (shadowed[i] == encoding)
			return true;
	return false;
}
