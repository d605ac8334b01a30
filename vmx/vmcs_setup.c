/* vmx/vmcs_setup.c - the VMCS control fields each VM-execution, VM-exit and
 * VM-entry control uses (SDM Vol. 3C, 25.6-25.8; the VM-entry checks of
 * 27.2.1.1, 27.2.1.2, 27.2.1.3), and the list vmx/vcpu.c writes. Pure. */
#include "vmx/vmcs_setup.h"
#include "vmx/vmcs.h"

#define ALWAYS(f)         { CTL_ALWAYS, 0, f }
#define PIN(b, f)         { CTL_PIN, b, f }
#define PROC(b, f)        { CTL_PROC, b, f }
#define PROC2(b, f)       { CTL_PROC2, b, f }

/* Fields that hold pointers, counts or bitmaps read under a control; an
 * unwritten one is whatever VMCLEAR left (zero on most CPUs, not promised)
 * or, under nested KVM, what its shadow VMCS says. */
const struct vmcs_field_use vmcs_fields_used[] = {
	/* 25.6.1-25.6.3, 25.7.1-2, 25.8.1-3: read on every VM entry or exit. */
	ALWAYS(VMCS_PIN_BASED_VM_EXEC_CONTROL),
	ALWAYS(VMCS_CPU_BASED_VM_EXEC_CONTROL),
	ALWAYS(VMCS_VM_EXIT_CONTROLS),
	ALWAYS(VMCS_VM_ENTRY_CONTROLS),
	ALWAYS(VMCS_EXCEPTION_BITMAP),
	ALWAYS(VMCS_PAGE_FAULT_ERROR_CODE_MASK),
	ALWAYS(VMCS_PAGE_FAULT_ERROR_CODE_MATCH),
	ALWAYS(VMCS_CR3_TARGET_COUNT),            /* 27.2.1.1: at most 4; CR3-load exiting reads it */
	ALWAYS(VMCS_VM_EXIT_MSR_STORE_COUNT),     /* 25.7.2 */
	ALWAYS(VMCS_VM_EXIT_MSR_LOAD_COUNT),
	ALWAYS(VMCS_VM_ENTRY_MSR_LOAD_COUNT),     /* 25.8.2 */
	ALWAYS(VMCS_VM_ENTRY_INTR_INFO),          /* 25.8.3: its valid bit */
	ALWAYS(VMCS_VMCS_LINK_POINTER),           /* 27.3.1.5: all ones unless shadowing */
	/* 25.6.8 (posted interrupts: 27.2.1.1) */
	PIN(PIN_POSTED_INTERRUPTS, VMCS_POSTED_INTR_NV),
	PIN(PIN_POSTED_INTERRUPTS, VMCS_POSTED_INTR_DESC_ADDR),
	PIN(PIN_VMX_PREEMPTION_TIMER, VMCS_VMX_PREEMPTION_TIMER_VALUE),   /* 26.5.1 */
	PROC(CPU_USE_IO_BITMAPS, VMCS_IO_BITMAP_A),                        /* 25.6.4 */
	PROC(CPU_USE_IO_BITMAPS, VMCS_IO_BITMAP_B),
	PROC(CPU_USE_MSR_BITMAPS, VMCS_MSR_BITMAP),                        /* 25.6.9 */
	PROC(CPU_USE_TSC_OFFSETTING, VMCS_TSC_OFFSET),                     /* 25.6.5 */
	PROC(CPU_USE_TPR_SHADOW, VMCS_VIRTUAL_APIC_PAGE_ADDR),             /* 25.6.8 */
	PROC(CPU_USE_TPR_SHADOW, VMCS_TPR_THRESHOLD),
	PROC(CPU_ACTIVATE_SECONDARY_CONTROLS, VMCS_SECONDARY_VM_EXEC_CONTROL),
	PROC(CPU_ACTIVATE_TERTIARY_CONTROLS, VMCS_TERTIARY_VM_EXEC_CONTROL),
	PROC2(CPU2_VIRTUALIZE_APIC_ACCESSES, VMCS_APIC_ACCESS_ADDR),
	PROC2(CPU2_ENABLE_EPT, VMCS_EPT_POINTER),                          /* 25.6.11 */
	PROC2(CPU2_ENABLE_VPID, VMCS_VPID),                                /* 25.6.12: not 0 */
	PROC2(CPU2_VIRTUAL_INTERRUPT_DELIVERY, VMCS_EOI_EXIT_BITMAP0),
	PROC2(CPU2_VIRTUAL_INTERRUPT_DELIVERY, VMCS_EOI_EXIT_BITMAP1),
	PROC2(CPU2_VIRTUAL_INTERRUPT_DELIVERY, VMCS_EOI_EXIT_BITMAP2),
	PROC2(CPU2_VIRTUAL_INTERRUPT_DELIVERY, VMCS_EOI_EXIT_BITMAP3),
	PROC2(CPU2_VIRTUAL_INTERRUPT_DELIVERY, VMCS_GUEST_INTR_STATUS),
	PROC2(CPU2_PAUSE_LOOP_EXITING, VMCS_PLE_GAP),                      /* 25.6.13 */
	PROC2(CPU2_PAUSE_LOOP_EXITING, VMCS_PLE_WINDOW),
	PROC2(CPU2_ENABLE_VM_FUNCTIONS, VMCS_VM_FUNCTION_CONTROLS),        /* 25.6.14 */
	PROC2(CPU2_VMCS_SHADOWING, VMCS_VMREAD_BITMAP),                    /* 25.6.15 */
	PROC2(CPU2_VMCS_SHADOWING, VMCS_VMWRITE_BITMAP),
	PROC2(CPU2_ENCLS_EXITING, VMCS_ENCLS_EXITING_BITMAP),
	PROC2(CPU2_ENABLE_PML, VMCS_PML_ADDRESS),
	PROC2(CPU2_ENABLE_PML, VMCS_GUEST_PML_INDEX),
	PROC2(CPU2_EPT_VIOLATION_VE, VMCS_VE_INFO_ADDR),
	PROC2(CPU2_EPT_VIOLATION_VE, VMCS_EPTP_INDEX),
	PROC2(CPU2_ENABLE_XSAVES_XRSTORS, VMCS_XSS_EXIT_BITMAP),
	PROC2(CPU2_SUBPAGE_WRITE_PERMISSIONS, VMCS_SPPTP),
	PROC2(CPU2_USE_TSC_SCALING, VMCS_TSC_MULTIPLIER),                  /* 25.6.5 */
	PROC2(CPU2_ENCLV_EXITING, VMCS_ENCLV_EXITING_BITMAP),
};
const unsigned int vmcs_fields_used_count = ARRAY_SIZE(vmcs_fields_used);

/* What vmx/vcpu.c writes, by control; every control the hypervisor may
 * enable (vmx_hv_controls, and what a CPU forces to 1) has its fields here.
 * The values are vcpu.c's (its setup_field()). */
const struct vmcs_field_use vmcs_setup_fields[] = {
	ALWAYS(VMCS_PIN_BASED_VM_EXEC_CONTROL),
	ALWAYS(VMCS_CPU_BASED_VM_EXEC_CONTROL),
	ALWAYS(VMCS_VM_EXIT_CONTROLS),
	ALWAYS(VMCS_VM_ENTRY_CONTROLS),
	ALWAYS(VMCS_EXCEPTION_BITMAP),
	ALWAYS(VMCS_PAGE_FAULT_ERROR_CODE_MASK),
	ALWAYS(VMCS_PAGE_FAULT_ERROR_CODE_MATCH),
	ALWAYS(VMCS_CR3_TARGET_COUNT),
	ALWAYS(VMCS_VM_EXIT_MSR_STORE_COUNT),
	ALWAYS(VMCS_VM_EXIT_MSR_LOAD_COUNT),
	ALWAYS(VMCS_VM_ENTRY_MSR_LOAD_COUNT),
	ALWAYS(VMCS_VM_ENTRY_INTR_INFO),
	ALWAYS(VMCS_VMCS_LINK_POINTER),
	PIN(PIN_VMX_PREEMPTION_TIMER, VMCS_VMX_PREEMPTION_TIMER_VALUE),
	PROC(CPU_USE_IO_BITMAPS, VMCS_IO_BITMAP_A),
	PROC(CPU_USE_IO_BITMAPS, VMCS_IO_BITMAP_B),
	PROC(CPU_USE_MSR_BITMAPS, VMCS_MSR_BITMAP),
	PROC(CPU_USE_TSC_OFFSETTING, VMCS_TSC_OFFSET),
	PROC(CPU_ACTIVATE_SECONDARY_CONTROLS, VMCS_SECONDARY_VM_EXEC_CONTROL),
	PROC2(CPU2_ENABLE_EPT, VMCS_EPT_POINTER),
	PROC2(CPU2_ENABLE_VPID, VMCS_VPID),
	PROC2(CPU2_ENABLE_XSAVES_XRSTORS, VMCS_XSS_EXIT_BITMAP),
};
const unsigned int vmcs_setup_fields_count = ARRAY_SIZE(vmcs_setup_fields);

bool vmcs_field_use_applies(const struct vmcs_field_use *u, const struct vmx_controls *c)
{
	/* Secondary controls count only when activated (25.6.2). */
	uint32_t p2 = c->proc & CPU_ACTIVATE_SECONDARY_CONTROLS ? c->proc2 : 0;

	switch (u->group) {
	case CTL_ALWAYS:
		return true;
	case CTL_PIN:
		return c->pin & u->bit;
	case CTL_PROC:
		return c->proc & u->bit;
	case CTL_PROC2:
		return p2 & u->bit;
	case CTL_EXIT:
		return c->exit & u->bit;
	case CTL_ENTRY:
		return c->entry & u->bit;
	}
	return false;
}

void vmcs_setup_for_each(const struct vmx_controls *c, void (*fn)(void *ctx, uint32_t field), void *ctx)
{
	for (unsigned int i = 0; i < vmcs_setup_fields_count; i++)
		if (vmcs_field_use_applies(&vmcs_setup_fields[i], c))
			fn(ctx, vmcs_setup_fields[i].field);
}
