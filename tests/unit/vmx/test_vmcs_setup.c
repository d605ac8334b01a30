/* tests/unit/vmx/test_vmcs_setup.c - the VMCS setup list (vmx/vmcs_setup.c,
 * what vmx/vcpu.c writes) covers every control field the controls the
 * hypervisor computes use, on Bochs' CPU and on nested KVM. */
#include "tests/unit/check.h"
#include "vmx/vmcs_setup.h"
#include "vmx/vmcs.h"
#include "tests/data/vmx_caps_bochs.h"
#include "tests/data/vmx_caps_kvm_nested.h"

static bool setup_writes(const struct vmx_controls *c, uint32_t field)
{
	for (unsigned int i = 0; i < vmcs_setup_fields_count; i++)
		if (vmcs_setup_fields[i].field == field && vmcs_field_use_applies(&vmcs_setup_fields[i], c))
			return true;
	return false;
}

/* Every field some enabled control uses is in what the setup writes. */
static void check_covered(const struct vmx_cap_msrs *m, const char *cpu)
{
	struct vmx_control_result r;

	CHECK(vmx_compute_controls(m, &vmx_hv_controls, &r));
	for (unsigned int i = 0; i < vmcs_fields_used_count; i++) {
		const struct vmcs_field_use *u = &vmcs_fields_used[i];

		if (!vmcs_field_use_applies(u, &r.value))
			continue;
		if (!setup_writes(&r.value, u->field))
			printf("  %s: field 0x%04x (needed by control group %d bit 0x%x) is not written\n",
			       cpu, u->field, u->group, u->bit);
		CHECK(setup_writes(&r.value, u->field));
	}
}

TEST(bochs_controls_fields_all_written)
{
	struct vmx_control_result r;

	check_covered(&bochs_skylake_x, "Bochs skylake_x");
	/* The example the issue found: XSAVES enabled, so XSS_EXIT_BITMAP is needed. */
	CHECK(vmx_compute_controls(&bochs_skylake_x, &vmx_hv_controls, &r));
	CHECK(r.value.proc2 & CPU2_ENABLE_XSAVES_XRSTORS);
	CHECK(setup_writes(&r.value, VMCS_XSS_EXIT_BITMAP));
}

TEST(kvm_nested_controls_fields_all_written)
{
	check_covered(&kvm_nested, "nested KVM");
}

/* Without TRUE MSRs the default-1 CR3-load exiting is forced: its count is written. */
TEST(forced_controls_fields_all_written)
{
	struct vmx_cap_msrs m = kvm_nested;
	struct vmx_control_result r;

	m.basic &= ~VMX_BASIC_TRUE_CONTROLS;
	check_covered(&m, "nested KVM without TRUE controls");
	CHECK(vmx_compute_controls(&m, &vmx_hv_controls, &r));
	CHECK(r.value.proc & CPU_CR3_LOAD_EXITING);
	CHECK(setup_writes(&r.value, VMCS_CR3_TARGET_COUNT));
}

/* Each field once (vcpu.c would write a duplicate twice), and a secondary
 * control's fields only while secondary controls are activated. */
TEST(setup_list_shape)
{
	struct vmx_controls c = { .proc2 = CPU2_ENABLE_XSAVES_XRSTORS };

	for (unsigned int i = 0; i < vmcs_setup_fields_count; i++)
		for (unsigned int j = i + 1; j < vmcs_setup_fields_count; j++)
			CHECK(vmcs_setup_fields[i].field != vmcs_setup_fields[j].field);
	CHECK(!setup_writes(&c, VMCS_XSS_EXIT_BITMAP));
	c.proc = CPU_ACTIVATE_SECONDARY_CONTROLS;
	CHECK(setup_writes(&c, VMCS_XSS_EXIT_BITMAP));
	CHECK(setup_writes(&c, VMCS_SECONDARY_VM_EXEC_CONTROL));
	CHECK(!setup_writes(&c, VMCS_EPT_POINTER));
}

/* The specification side: the fields 25.6 ties to a control are listed
 * under it (spot checks against the SDM's text). */
TEST(spec_spot_checks)
{
	static const struct { enum vmcs_ctl_group g; uint32_t bit, field; } want[] = {
		{ CTL_PROC2, CPU2_ENABLE_XSAVES_XRSTORS, VMCS_XSS_EXIT_BITMAP },
		{ CTL_PROC, CPU_USE_TPR_SHADOW, VMCS_TPR_THRESHOLD },
		{ CTL_PROC2, CPU2_VIRTUAL_INTERRUPT_DELIVERY, VMCS_EOI_EXIT_BITMAP3 },
		{ CTL_PROC2, CPU2_ENABLE_PML, VMCS_PML_ADDRESS },
		{ CTL_PROC2, CPU2_ENABLE_VM_FUNCTIONS, VMCS_VM_FUNCTION_CONTROLS },
		{ CTL_PROC2, CPU2_ENCLS_EXITING, VMCS_ENCLS_EXITING_BITMAP },
		{ CTL_PIN, PIN_POSTED_INTERRUPTS, VMCS_POSTED_INTR_DESC_ADDR },
		{ CTL_ALWAYS, 0, VMCS_CR3_TARGET_COUNT },
	};

	for (unsigned int k = 0; k < ARRAY_SIZE(want); k++) {
		bool found = false;

		for (unsigned int i = 0; i < vmcs_fields_used_count; i++)
			found |= vmcs_fields_used[i].group == want[k].g && vmcs_fields_used[i].bit == want[k].bit &&
				 vmcs_fields_used[i].field == want[k].field;
		CHECK(found);
	}
}
