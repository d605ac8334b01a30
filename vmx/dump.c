/* vmx/dump.c - the VMCS in a report when something fails (SDM Vol. 3C,
 * 27.8 VM-entry failures during or after loading guest state; 31.4
 * VM-instruction error numbers): the guest's state for a stopped guest,
 * the controls or host state a failed VMLAUNCH/VMRESUME points at. */
#include "vmx/dump.h"
#include "vmx/exit_decode.h"
#include "drivers/console.h"

void vmx_entry_failure_exit(struct vcpu *v, const struct exit_info *e)
{
	char detail[96];

	vmx_entry_failure_detail(e->basic, vmcs_read(VMCS_EXIT_QUALIFICATION), detail, sizeof(detail));
	printf("guest %s: VM entry failed: %s (exit reason %u), %s\n", v->name,
	       vmx_exit_reason_name(e->basic), e->basic, detail);
	vcpu_dump_state(v);
	vcpu_stop(v, "VM entry failed: %s", vmx_exit_reason_name(e->basic));
}

static void dump_controls(void)
{
	printf("  controls: pin 0x%08llx proc 0x%08llx proc2 0x%08llx exit 0x%08llx entry 0x%08llx\n",
	       (unsigned long long)vmcs_read(VMCS_PIN_BASED_VM_EXEC_CONTROL),
	       (unsigned long long)vmcs_read(VMCS_CPU_BASED_VM_EXEC_CONTROL),
	       (unsigned long long)vmcs_read(VMCS_SECONDARY_VM_EXEC_CONTROL),
	       (unsigned long long)vmcs_read(VMCS_VM_EXIT_CONTROLS),
	       (unsigned long long)vmcs_read(VMCS_VM_ENTRY_CONTROLS));
	printf("  entry interruption info 0x%08llx error code 0x%llx length %llu; EPTP 0x%016llx\n",
	       (unsigned long long)vmcs_read(VMCS_VM_ENTRY_INTR_INFO),
	       (unsigned long long)vmcs_read(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE),
	       (unsigned long long)vmcs_read(VMCS_VM_ENTRY_INSTRUCTION_LEN),
	       (unsigned long long)vmcs_read(VMCS_EPT_POINTER));
}

static void dump_host_state(void)
{
	printf("  host CR0 0x%016llx CR3 0x%016llx CR4 0x%016llx\n",
	       (unsigned long long)vmcs_read(VMCS_HOST_CR0), (unsigned long long)vmcs_read(VMCS_HOST_CR3),
	       (unsigned long long)vmcs_read(VMCS_HOST_CR4));
	printf("  host CS 0x%llx SS 0x%llx TR 0x%llx TR base 0x%016llx EFER 0x%llx PAT 0x%016llx\n",
	       (unsigned long long)vmcs_read(VMCS_HOST_CS_SELECTOR),
	       (unsigned long long)vmcs_read(VMCS_HOST_SS_SELECTOR),
	       (unsigned long long)vmcs_read(VMCS_HOST_TR_SELECTOR),
	       (unsigned long long)vmcs_read(VMCS_HOST_TR_BASE),
	       (unsigned long long)vmcs_read(VMCS_HOST_IA32_EFER),
	       (unsigned long long)vmcs_read(VMCS_HOST_IA32_PAT));
	printf("  host RIP 0x%016llx RSP 0x%016llx\n", (unsigned long long)vmcs_read(VMCS_HOST_RIP),
	       (unsigned long long)vmcs_read(VMCS_HOST_RSP));
}

void vcpu_dump_state(struct vcpu *v)
{
	static const char *const seg_names[] = { "ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR" };
	const uint64_t *r = v->regs.gpr;

	printf("  RIP 0x%016llx RSP 0x%016llx RFLAGS 0x%016llx\n",
	       (unsigned long long)vmcs_read(VMCS_GUEST_RIP), (unsigned long long)vmcs_read(VMCS_GUEST_RSP),
	       (unsigned long long)vmcs_read(VMCS_GUEST_RFLAGS));
	printf("  RAX 0x%016llx RBX 0x%016llx RCX 0x%016llx RDX 0x%016llx\n",
	       (unsigned long long)r[REG_RAX], (unsigned long long)r[REG_RBX],
	       (unsigned long long)r[REG_RCX], (unsigned long long)r[REG_RDX]);
	printf("  RSI 0x%016llx RDI 0x%016llx RBP 0x%016llx\n", (unsigned long long)r[REG_RSI],
	       (unsigned long long)r[REG_RDI], (unsigned long long)r[REG_RBP]);
	printf("  CR0 0x%016llx (shadow 0x%llx) CR3 0x%016llx CR4 0x%016llx (shadow 0x%llx)\n",
	       (unsigned long long)vmcs_read(VMCS_GUEST_CR0), (unsigned long long)vmcs_read(VMCS_CR0_READ_SHADOW),
	       (unsigned long long)vmcs_read(VMCS_GUEST_CR3), (unsigned long long)vmcs_read(VMCS_GUEST_CR4),
	       (unsigned long long)vmcs_read(VMCS_CR4_READ_SHADOW));
	printf("  EFER 0x%llx activity %llu interruptibility 0x%llx\n",
	       (unsigned long long)vmcs_read(VMCS_GUEST_IA32_EFER),
	       (unsigned long long)exs_get(&to_vmx(v)->xs, EXS_GUEST_ACTIVITY_STATE),
	       (unsigned long long)exs_get(&to_vmx(v)->xs, EXS_GUEST_INTERRUPTIBILITY_INFO));
	for (unsigned int s = 0; s < ARRAY_SIZE(seg_names); s++)
		printf("  %-4s sel 0x%04llx base 0x%016llx limit 0x%08llx access 0x%05llx\n", seg_names[s],
		       (unsigned long long)vmcs_read(VMCS_GUEST_ES_SELECTOR + 2 * s),
		       (unsigned long long)vmcs_read(VMCS_GUEST_ES_BASE + 2 * s),
		       (unsigned long long)vmcs_read(VMCS_GUEST_ES_LIMIT + 2 * s),
		       (unsigned long long)vmcs_read(VMCS_GUEST_ES_AR_BYTES + 2 * s));
	printf("  GDTR base 0x%016llx limit 0x%llx IDTR base 0x%016llx limit 0x%llx\n",
	       (unsigned long long)vmcs_read(VMCS_GUEST_GDTR_BASE), (unsigned long long)vmcs_read(VMCS_GUEST_GDTR_LIMIT),
	       (unsigned long long)vmcs_read(VMCS_GUEST_IDTR_BASE), (unsigned long long)vmcs_read(VMCS_GUEST_IDTR_LIMIT));
}

/* VMLAUNCH/VMRESUME itself failed (31.4): say why in words and show the
 * fields that error number points at. */
void vmx_entry_failed(struct vcpu *v, int how)
{
	uint64_t err = how == VMX_FAIL_VALID ? vmcs_read(VMCS_VM_INSTRUCTION_ERROR) : 0;

	if (how == VMX_FAIL_INVALID) {
		printf("guest %s: VM entry failed: VMfailInvalid (no valid current VMCS)\n", v->name);
		vcpu_stop(v, "VM entry failed: VMfailInvalid");
		return;
	}
	printf("guest %s: VM entry failed: VMfailValid, error %llu: %s\n", v->name,
	       (unsigned long long)err, vmx_instruction_error_name((unsigned int)err));
	if (err == 7)
		dump_controls();
	else if (err == 8)
		dump_host_state();
	else
		vcpu_dump_state(v);
	vcpu_stop(v, "VM entry failed: error %llu (%s)", (unsigned long long)err,
		       vmx_instruction_error_name((unsigned int)err));
}
