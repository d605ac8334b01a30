/* vmx/inspect.c - the guest's state for the debug shell: registers decoded
 * from the VMCS guest-state area (SDM Vol. 3C, 25.4) and the VMCS itself,
 * field by field (Vol. 3D, Appendix B). */
#include "vmx/vmx_vcpu.h"
#include "vmx/vmcs_fields.h"
#include "vmx/guest_state.h"
#include "vmx/vmx_cpu.h"
#include "arch/cpu.h"
#include "drivers/console.h"
#include "lib/string.h"
#include "lib/bit_names.h"

static const struct bit_name rflags_bits[] = {
	{ 1u << 0, "CF" }, { 1u << 2, "PF" }, { 1u << 4, "AF" }, { 1u << 6, "ZF" }, { 1u << 7, "SF" },
	{ 1u << 8, "TF" }, { 1u << 9, "IF" }, { 1u << 10, "DF" }, { 1u << 11, "OF" },
	{ 1u << 14, "NT" }, { 1u << 16, "RF" }, { 1u << 17, "VM" }, { 1u << 18, "AC" },
	{ 1u << 19, "VIF" }, { 1u << 20, "VIP" }, { 1u << 21, "ID" },
};

static const struct bit_name cr0_bits[] = {
	{ 1u << 0, "PE" }, { 1u << 1, "MP" }, { 1u << 2, "EM" }, { 1u << 3, "TS" }, { 1u << 4, "ET" },
	{ 1u << 5, "NE" }, { 1u << 16, "WP" }, { 1u << 18, "AM" }, { 1u << 29, "NW" },
	{ 1u << 30, "CD" }, { 1u << 31, "PG" },
};

static const struct bit_name cr4_bits[] = {
	{ 1u << 0, "VME" }, { 1u << 1, "PVI" }, { 1u << 2, "TSD" }, { 1u << 3, "DE" }, { 1u << 4, "PSE" },
	{ 1u << 5, "PAE" }, { 1u << 6, "MCE" }, { 1u << 7, "PGE" }, { 1u << 8, "PCE" },
	{ 1u << 9, "OSFXSR" }, { 1u << 10, "OSXMMEXCPT" }, { 1u << 11, "UMIP" }, { 1u << 12, "LA57" },
	{ 1u << 13, "VMXE" }, { 1u << 14, "SMXE" }, { 1u << 16, "FSGSBASE" }, { 1u << 17, "PCIDE" },
	{ 1u << 18, "OSXSAVE" }, { 1u << 20, "SMEP" }, { 1u << 21, "SMAP" }, { 1u << 22, "PKE" },
};

static const struct bit_name efer_bits[] = {
	{ 1u << 0, "SCE" }, { 1u << 8, "LME" }, { 1u << 10, "LMA" }, { 1u << 11, "NXE" },
};

/* " [PE ET WP PG]" */
static void print_bits(uint64_t v, const struct bit_name *b, unsigned int n)
{
	char names[128];

	bit_names_format(names, sizeof(names), v, b, n, " ");
	printf(" [%s]", names);
}

/* "64-bit code DPL 0" from access rights in the VMCS format (25.4.1, Table 25-2). */
static void print_segment(const char *name, unsigned int seg)
{
	uint32_t ar = (uint32_t)vmcs_read(VMCS_GUEST_ES_AR_BYTES + 2 * seg);
	const char *kind;

	printf("  %-4s 0x%04llx base 0x%016llx limit 0x%08llx access 0x%05x", name,
	       (unsigned long long)vmcs_read(VMCS_GUEST_ES_SELECTOR + 2 * seg),
	       (unsigned long long)vmcs_read(VMCS_GUEST_ES_BASE + 2 * seg),
	       (unsigned long long)vmcs_read(VMCS_GUEST_ES_LIMIT + 2 * seg), ar);
	if (ar & (1u << 16)) {
		printf(" unusable\n");
		return;
	}
	if (!(ar & (1u << 4)))
		kind = "system";
	else if (ar & (1u << 3))
		kind = ar & (1u << 13) ? "64-bit code" : ar & (1u << 14) ? "32-bit code" : "16-bit code";
	else
		kind = ar & (1u << 14) ? "32-bit data" : "16-bit data";
	printf(" %s DPL %u%s\n", kind, (ar >> 5) & 3, ar & (1u << 7) ? "" : " not present");
}

void vcpu_print_regs(struct vcpu *v)
{
	static const char *const seg_names[] = { "ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR" };
	static const char *const activity[] = { "active", "HLT", "shutdown", "wait-for-SIPI" };
	static const char *const gpr_names[REG_COUNT] = {
		"RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
		"R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15",
	};
	uint64_t rflags = vmcs_read(VMCS_GUEST_RFLAGS), cr0 = guest_cr0_view(v), cr4 = guest_cr4_view(v);
	uint64_t efer = vmcs_read(VMCS_GUEST_IA32_EFER), act = vmcs_read(VMCS_GUEST_ACTIVITY_STATE);

	printf("guest %s: RIP 0x%016llx CPL %u, %s\n", v->name,
	       (unsigned long long)vmcs_read(VMCS_GUEST_RIP), guest_cpl(),
	       guest_64bit_code(v) ? "64-bit mode" : efer & EFER_LMA ? "compatibility mode" :
	       cr0 & 1 ? "protected mode" : "real mode");
	for (unsigned int r = 0; r < REG_COUNT; r++) {
		printf("  %-3s 0x%016llx", gpr_names[r], (unsigned long long)gpr_get(v, r));
		if (r % 4 == 3)
			printf("\n");
	}
	printf("  RFLAGS 0x%016llx", (unsigned long long)rflags);
	print_bits(rflags, rflags_bits, ARRAY_SIZE(rflags_bits));
	printf("\n  CR0 0x%016llx", (unsigned long long)cr0);
	print_bits(cr0, cr0_bits, ARRAY_SIZE(cr0_bits));
	printf(" CR2 0x%016llx CR3 0x%016llx\n", (unsigned long long)read_cr2(),
	       (unsigned long long)vmcs_read(VMCS_GUEST_CR3));
	printf("  CR4 0x%016llx", (unsigned long long)cr4);
	print_bits(cr4, cr4_bits, ARRAY_SIZE(cr4_bits));
	printf(" EFER 0x%llx", (unsigned long long)efer);
	print_bits(efer, efer_bits, ARRAY_SIZE(efer_bits));
	/* The VMCS's, read here; the exits use the copy (vmx_set_guest_efer). */
	if (efer != to_vmx(v)->efer)
		printf(" (kept copy 0x%llx: differs!)", (unsigned long long)to_vmx(v)->efer);
	/* Without the wait-for-SIPI state the VMCS says active while the run
	 * loop holds the vCPU (guest/run/ap_run.c). */
	printf("\n  activity %s, interruptibility 0x%llx, DR7 0x%llx\n",
	       v->wait_sipi && act == 0 ? "wait-for-SIPI (held in the hypervisor)" :
	       act < ARRAY_SIZE(activity) ? activity[act] : "?",
	       (unsigned long long)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO),
	       (unsigned long long)vmcs_read(VMCS_GUEST_DR7));
	for (unsigned int s = 0; s < ARRAY_SIZE(seg_names); s++)
		print_segment(seg_names[s], s);
	printf("  GDTR base 0x%016llx limit 0x%llx  IDTR base 0x%016llx limit 0x%llx\n",
	       (unsigned long long)vmcs_read(VMCS_GUEST_GDTR_BASE),
	       (unsigned long long)vmcs_read(VMCS_GUEST_GDTR_LIMIT),
	       (unsigned long long)vmcs_read(VMCS_GUEST_IDTR_BASE),
	       (unsigned long long)vmcs_read(VMCS_GUEST_IDTR_LIMIT));
}

/* One field; fields this CPU does not have (VMREAD fails) say so. A failed
 * VMREAD sets VM_INSTRUCTION_ERROR, so that one is shown as it was before. */
static void print_field(const struct vmcs_field_desc *f, uint64_t insn_error)
{
	unsigned int width = vmcs_field_width(f->encoding);
	uint64_t val = insn_error;

	if (f->encoding != VMCS_VM_INSTRUCTION_ERROR && vmread_status(f->encoding, &val) != VMX_OK) {
		printf("  %-36s 0x%04x  (not on this CPU)\n", f->name, f->encoding);
		return;
	}
	printf("  %-36s 0x%04x  0x%0*llx\n", f->name, f->encoding, (int)(width / 4),
	       (unsigned long long)val);
}

int vcpu_print_hw_state(struct vcpu *v, const char *field)
{
	uint64_t insn_error = vmcs_read(VMCS_VM_INSTRUCTION_ERROR);

	if (field) {
		const struct vmcs_field_desc *f = vmcs_field_find(field);

		if (!f)
			return -ENOENT;
		print_field(f, insn_error);
		return 0;
	}
	for (unsigned int g = 0; g < VMCS_GROUP_COUNT; g++) {
		printf("%s:\n", vmcs_group_name(g));
		for (unsigned int i = 0; i < vmcs_field_count; i++)
			if (vmcs_field_group(vmcs_fields[i].encoding) == g)
				print_field(&vmcs_fields[i], insn_error);
	}
	return 0;
}

static const struct bit_name ept_caps[] = {
	{ EPT_CAP_EXEC_ONLY, "execute-only pages" }, { EPT_CAP_PAGE_WALK_4, "4-level walk" },
	{ EPT_CAP_PAGE_WALK_5, "5-level walk" }, { EPT_CAP_2MB_PAGE, "2M pages" },
	{ EPT_CAP_1GB_PAGE, "1G pages" }, { EPT_CAP_AD_BITS, "accessed/dirty bits" },
	{ EPT_CAP_INVEPT_SINGLE_CONTEXT, "INVEPT single-context" },
	{ EPT_CAP_INVEPT_ALL_CONTEXT, "INVEPT all-context" },
	{ VPID_CAP_INVVPID_SINGLE_CONTEXT, "INVVPID single-context" },
	{ VPID_CAP_INVVPID_ALL_CONTEXT, "INVVPID all-context" },
};

void backend_print_features(void)
{
	const struct vmx_cpu *c = &vmx_this_cpu;
	uint64_t proc_cap = c->caps.basic & VMX_BASIC_TRUE_CONTROLS ? c->caps.true_procbased :
				c->caps.procbased;
	char names[1024];

	if (!c->on) {
		printf("VMX: not in use (the boot messages say why)\n");
		return;
	}
	/* Bits the CPU forces to 1 (allowed-0 settings, A.3-A.5) are not choices. */
	bool t = c->caps.basic & VMX_BASIC_TRUE_CONTROLS;
	struct vmx_controls chosen = {
		.pin = c->ctl.pin & ~(uint32_t)(t ? c->caps.true_pinbased : c->caps.pinbased),
		.proc = c->ctl.proc & ~(uint32_t)proc_cap,
		.proc2 = c->ctl.proc2 & ~(uint32_t)c->caps.procbased2,
		.exit = c->ctl.exit & ~(uint32_t)(t ? c->caps.true_exit : c->caps.exit),
		.entry = c->ctl.entry & ~(uint32_t)(t ? c->caps.true_entry : c->caps.entry),
	};

	vmx_control_names(&chosen, names, sizeof(names));
	printf("VMX: VMCS revision 0x%x; features in use: %s\n", c->basic.revision, names);
	bit_names_format(names, sizeof(names), c->caps.ept_vpid_cap, ept_caps, ARRAY_SIZE(ept_caps), ", ");
	printf("EPT/VPID: %s", names);
	printf("%s\n", c->ctl.proc2 & CPU2_ENABLE_VPID ? "; VPID in use" : "; no VPID");
	if (c->ctl.pin & PIN_VMX_PREEMPTION_TIMER)
		printf("preemption timer: TSC / %u, the console tick (Ctrl-] reaches the shell from any guest)\n",
		       1u << (c->caps.misc & 0x1f));
	else
		printf("preemption timer: absent (Ctrl-] is noticed only when the guest exits)\n");
	printf("monitor trap flag: %s\n", (proc_cap >> 32) & CPU_MONITOR_TRAP_FLAG ?
	       "present (the shell's step uses it)" : "absent (the shell's step uses RFLAGS.TF and #DB)");
}
