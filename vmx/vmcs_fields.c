/* vmx/vmcs_fields.c - the VMCS fields by name, group and width (SDM Vol. 3D, Appendix B). */
#include "vmx/vmcs_fields.h"
#include "vmx/vmcs.h"
#include "lib/cmdline.h"

/*
 * Built from the macros, so an encoding cannot drift from vmx/vmcs.h; a field
 * added there must be added here too (the unit test reads vmcs.h to check).
 * Only whole fields: the high halves of 64-bit ones (encoding + 1) are not
 * listed.
 */
const struct vmcs_field_desc vmcs_fields[] = {
	/* B.1.1 16-bit control fields */
	{ "VPID",                            VMCS_VPID },
	{ "POSTED_INTR_NV",                  VMCS_POSTED_INTR_NV },
	{ "EPTP_INDEX",                      VMCS_EPTP_INDEX },
	/* B.1.2 16-bit guest-state fields */
	{ "GUEST_ES_SELECTOR",               VMCS_GUEST_ES_SELECTOR },
	{ "GUEST_CS_SELECTOR",               VMCS_GUEST_CS_SELECTOR },
	{ "GUEST_SS_SELECTOR",               VMCS_GUEST_SS_SELECTOR },
	{ "GUEST_DS_SELECTOR",               VMCS_GUEST_DS_SELECTOR },
	{ "GUEST_FS_SELECTOR",               VMCS_GUEST_FS_SELECTOR },
	{ "GUEST_GS_SELECTOR",               VMCS_GUEST_GS_SELECTOR },
	{ "GUEST_LDTR_SELECTOR",             VMCS_GUEST_LDTR_SELECTOR },
	{ "GUEST_TR_SELECTOR",               VMCS_GUEST_TR_SELECTOR },
	{ "GUEST_INTR_STATUS",               VMCS_GUEST_INTR_STATUS },
	{ "GUEST_PML_INDEX",                 VMCS_GUEST_PML_INDEX },
	/* B.1.3 16-bit host-state fields */
	{ "HOST_ES_SELECTOR",                VMCS_HOST_ES_SELECTOR },
	{ "HOST_CS_SELECTOR",                VMCS_HOST_CS_SELECTOR },
	{ "HOST_SS_SELECTOR",                VMCS_HOST_SS_SELECTOR },
	{ "HOST_DS_SELECTOR",                VMCS_HOST_DS_SELECTOR },
	{ "HOST_FS_SELECTOR",                VMCS_HOST_FS_SELECTOR },
	{ "HOST_GS_SELECTOR",                VMCS_HOST_GS_SELECTOR },
	{ "HOST_TR_SELECTOR",                VMCS_HOST_TR_SELECTOR },
	/* B.2.1 64-bit control fields */
	{ "IO_BITMAP_A",                     VMCS_IO_BITMAP_A },
	{ "IO_BITMAP_B",                     VMCS_IO_BITMAP_B },
	{ "MSR_BITMAP",                      VMCS_MSR_BITMAP },
	{ "VM_EXIT_MSR_STORE_ADDR",          VMCS_VM_EXIT_MSR_STORE_ADDR },
	{ "VM_EXIT_MSR_LOAD_ADDR",           VMCS_VM_EXIT_MSR_LOAD_ADDR },
	{ "VM_ENTRY_MSR_LOAD_ADDR",          VMCS_VM_ENTRY_MSR_LOAD_ADDR },
	{ "EXECUTIVE_VMCS_PTR",              VMCS_EXECUTIVE_VMCS_PTR },
	{ "PML_ADDRESS",                     VMCS_PML_ADDRESS },
	{ "TSC_OFFSET",                      VMCS_TSC_OFFSET },
	{ "VIRTUAL_APIC_PAGE_ADDR",          VMCS_VIRTUAL_APIC_PAGE_ADDR },
	{ "APIC_ACCESS_ADDR",                VMCS_APIC_ACCESS_ADDR },
	{ "POSTED_INTR_DESC_ADDR",           VMCS_POSTED_INTR_DESC_ADDR },
	{ "VM_FUNCTION_CONTROLS",            VMCS_VM_FUNCTION_CONTROLS },
	{ "EPT_POINTER",                     VMCS_EPT_POINTER },
	{ "EOI_EXIT_BITMAP0",                VMCS_EOI_EXIT_BITMAP0 },
	{ "EOI_EXIT_BITMAP1",                VMCS_EOI_EXIT_BITMAP1 },
	{ "EOI_EXIT_BITMAP2",                VMCS_EOI_EXIT_BITMAP2 },
	{ "EOI_EXIT_BITMAP3",                VMCS_EOI_EXIT_BITMAP3 },
	{ "EPTP_LIST_ADDR",                  VMCS_EPTP_LIST_ADDR },
	{ "VMREAD_BITMAP",                   VMCS_VMREAD_BITMAP },
	{ "VMWRITE_BITMAP",                  VMCS_VMWRITE_BITMAP },
	{ "VE_INFO_ADDR",                    VMCS_VE_INFO_ADDR },
	{ "XSS_EXIT_BITMAP",                 VMCS_XSS_EXIT_BITMAP },
	{ "ENCLS_EXITING_BITMAP",            VMCS_ENCLS_EXITING_BITMAP },
	{ "SPPTP",                           VMCS_SPPTP },
	{ "TSC_MULTIPLIER",                  VMCS_TSC_MULTIPLIER },
	{ "TERTIARY_VM_EXEC_CONTROL",        VMCS_TERTIARY_VM_EXEC_CONTROL },
	{ "ENCLV_EXITING_BITMAP",            VMCS_ENCLV_EXITING_BITMAP },
	/* B.2.2 64-bit read-only data fields */
	{ "GUEST_PHYSICAL_ADDRESS",          VMCS_GUEST_PHYSICAL_ADDRESS },
	/* B.2.3 64-bit guest-state fields */
	{ "VMCS_LINK_POINTER",               VMCS_VMCS_LINK_POINTER },
	{ "GUEST_IA32_DEBUGCTL",             VMCS_GUEST_IA32_DEBUGCTL },
	{ "GUEST_IA32_PAT",                  VMCS_GUEST_IA32_PAT },
	{ "GUEST_IA32_EFER",                 VMCS_GUEST_IA32_EFER },
	{ "GUEST_IA32_PERF_GLOBAL_CTRL",     VMCS_GUEST_IA32_PERF_GLOBAL_CTRL },
	{ "GUEST_PDPTE0",                    VMCS_GUEST_PDPTE0 },
	{ "GUEST_PDPTE1",                    VMCS_GUEST_PDPTE1 },
	{ "GUEST_PDPTE2",                    VMCS_GUEST_PDPTE2 },
	{ "GUEST_PDPTE3",                    VMCS_GUEST_PDPTE3 },
	{ "GUEST_IA32_BNDCFGS",              VMCS_GUEST_IA32_BNDCFGS },
	{ "GUEST_IA32_RTIT_CTL",             VMCS_GUEST_IA32_RTIT_CTL },
	/* B.2.4 64-bit host-state fields */
	{ "HOST_IA32_PAT",                   VMCS_HOST_IA32_PAT },
	{ "HOST_IA32_EFER",                  VMCS_HOST_IA32_EFER },
	{ "HOST_IA32_PERF_GLOBAL_CTRL",      VMCS_HOST_IA32_PERF_GLOBAL_CTRL },
	/* B.3.1 32-bit control fields */
	{ "PIN_BASED_VM_EXEC_CONTROL",       VMCS_PIN_BASED_VM_EXEC_CONTROL },
	{ "CPU_BASED_VM_EXEC_CONTROL",       VMCS_CPU_BASED_VM_EXEC_CONTROL },
	{ "EXCEPTION_BITMAP",                VMCS_EXCEPTION_BITMAP },
	{ "PAGE_FAULT_ERROR_CODE_MASK",      VMCS_PAGE_FAULT_ERROR_CODE_MASK },
	{ "PAGE_FAULT_ERROR_CODE_MATCH",     VMCS_PAGE_FAULT_ERROR_CODE_MATCH },
	{ "CR3_TARGET_COUNT",                VMCS_CR3_TARGET_COUNT },
	{ "VM_EXIT_CONTROLS",                VMCS_VM_EXIT_CONTROLS },
	{ "VM_EXIT_MSR_STORE_COUNT",         VMCS_VM_EXIT_MSR_STORE_COUNT },
	{ "VM_EXIT_MSR_LOAD_COUNT",          VMCS_VM_EXIT_MSR_LOAD_COUNT },
	{ "VM_ENTRY_CONTROLS",               VMCS_VM_ENTRY_CONTROLS },
	{ "VM_ENTRY_MSR_LOAD_COUNT",         VMCS_VM_ENTRY_MSR_LOAD_COUNT },
	{ "VM_ENTRY_INTR_INFO",              VMCS_VM_ENTRY_INTR_INFO },
	{ "VM_ENTRY_EXCEPTION_ERROR_CODE",   VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE },
	{ "VM_ENTRY_INSTRUCTION_LEN",        VMCS_VM_ENTRY_INSTRUCTION_LEN },
	{ "TPR_THRESHOLD",                   VMCS_TPR_THRESHOLD },
	{ "SECONDARY_VM_EXEC_CONTROL",       VMCS_SECONDARY_VM_EXEC_CONTROL },
	{ "PLE_GAP",                         VMCS_PLE_GAP },
	{ "PLE_WINDOW",                      VMCS_PLE_WINDOW },
	/* B.3.2 32-bit read-only data fields */
	{ "VM_INSTRUCTION_ERROR",            VMCS_VM_INSTRUCTION_ERROR },
	{ "EXIT_REASON",                     VMCS_EXIT_REASON },
	{ "VM_EXIT_INTR_INFO",               VMCS_VM_EXIT_INTR_INFO },
	{ "VM_EXIT_INTR_ERROR_CODE",         VMCS_VM_EXIT_INTR_ERROR_CODE },
	{ "IDT_VECTORING_INFO",              VMCS_IDT_VECTORING_INFO },
	{ "IDT_VECTORING_ERROR_CODE",        VMCS_IDT_VECTORING_ERROR_CODE },
	{ "VM_EXIT_INSTRUCTION_LEN",         VMCS_VM_EXIT_INSTRUCTION_LEN },
	{ "VM_EXIT_INSTRUCTION_INFO",        VMCS_VM_EXIT_INSTRUCTION_INFO },
	/* B.3.3 32-bit guest-state fields */
	{ "GUEST_ES_LIMIT",                  VMCS_GUEST_ES_LIMIT },
	{ "GUEST_CS_LIMIT",                  VMCS_GUEST_CS_LIMIT },
	{ "GUEST_SS_LIMIT",                  VMCS_GUEST_SS_LIMIT },
	{ "GUEST_DS_LIMIT",                  VMCS_GUEST_DS_LIMIT },
	{ "GUEST_FS_LIMIT",                  VMCS_GUEST_FS_LIMIT },
	{ "GUEST_GS_LIMIT",                  VMCS_GUEST_GS_LIMIT },
	{ "GUEST_LDTR_LIMIT",                VMCS_GUEST_LDTR_LIMIT },
	{ "GUEST_TR_LIMIT",                  VMCS_GUEST_TR_LIMIT },
	{ "GUEST_GDTR_LIMIT",                VMCS_GUEST_GDTR_LIMIT },
	{ "GUEST_IDTR_LIMIT",                VMCS_GUEST_IDTR_LIMIT },
	{ "GUEST_ES_AR_BYTES",               VMCS_GUEST_ES_AR_BYTES },
	{ "GUEST_CS_AR_BYTES",               VMCS_GUEST_CS_AR_BYTES },
	{ "GUEST_SS_AR_BYTES",               VMCS_GUEST_SS_AR_BYTES },
	{ "GUEST_DS_AR_BYTES",               VMCS_GUEST_DS_AR_BYTES },
	{ "GUEST_FS_AR_BYTES",               VMCS_GUEST_FS_AR_BYTES },
	{ "GUEST_GS_AR_BYTES",               VMCS_GUEST_GS_AR_BYTES },
	{ "GUEST_LDTR_AR_BYTES",             VMCS_GUEST_LDTR_AR_BYTES },
	{ "GUEST_TR_AR_BYTES",               VMCS_GUEST_TR_AR_BYTES },
	{ "GUEST_INTERRUPTIBILITY_INFO",     VMCS_GUEST_INTERRUPTIBILITY_INFO },
	{ "GUEST_ACTIVITY_STATE",            VMCS_GUEST_ACTIVITY_STATE },
	{ "GUEST_SMBASE",                    VMCS_GUEST_SMBASE },
	{ "GUEST_SYSENTER_CS",               VMCS_GUEST_SYSENTER_CS },
	{ "VMX_PREEMPTION_TIMER_VALUE",      VMCS_VMX_PREEMPTION_TIMER_VALUE },
	/* B.3.4 32-bit host-state field */
	{ "HOST_IA32_SYSENTER_CS",           VMCS_HOST_IA32_SYSENTER_CS },
	/* B.4.1 natural-width control fields */
	{ "CR0_GUEST_HOST_MASK",             VMCS_CR0_GUEST_HOST_MASK },
	{ "CR4_GUEST_HOST_MASK",             VMCS_CR4_GUEST_HOST_MASK },
	{ "CR0_READ_SHADOW",                 VMCS_CR0_READ_SHADOW },
	{ "CR4_READ_SHADOW",                 VMCS_CR4_READ_SHADOW },
	{ "CR3_TARGET_VALUE0",               VMCS_CR3_TARGET_VALUE0 },
	{ "CR3_TARGET_VALUE1",               VMCS_CR3_TARGET_VALUE1 },
	{ "CR3_TARGET_VALUE2",               VMCS_CR3_TARGET_VALUE2 },
	{ "CR3_TARGET_VALUE3",               VMCS_CR3_TARGET_VALUE3 },
	/* B.4.2 natural-width read-only data fields */
	{ "EXIT_QUALIFICATION",              VMCS_EXIT_QUALIFICATION },
	{ "IO_RCX",                          VMCS_IO_RCX },
	{ "IO_RSI",                          VMCS_IO_RSI },
	{ "IO_RDI",                          VMCS_IO_RDI },
	{ "IO_RIP",                          VMCS_IO_RIP },
	{ "GUEST_LINEAR_ADDRESS",            VMCS_GUEST_LINEAR_ADDRESS },
	/* B.4.3 natural-width guest-state fields */
	{ "GUEST_CR0",                       VMCS_GUEST_CR0 },
	{ "GUEST_CR3",                       VMCS_GUEST_CR3 },
	{ "GUEST_CR4",                       VMCS_GUEST_CR4 },
	{ "GUEST_ES_BASE",                   VMCS_GUEST_ES_BASE },
	{ "GUEST_CS_BASE",                   VMCS_GUEST_CS_BASE },
	{ "GUEST_SS_BASE",                   VMCS_GUEST_SS_BASE },
	{ "GUEST_DS_BASE",                   VMCS_GUEST_DS_BASE },
	{ "GUEST_FS_BASE",                   VMCS_GUEST_FS_BASE },
	{ "GUEST_GS_BASE",                   VMCS_GUEST_GS_BASE },
	{ "GUEST_LDTR_BASE",                 VMCS_GUEST_LDTR_BASE },
	{ "GUEST_TR_BASE",                   VMCS_GUEST_TR_BASE },
	{ "GUEST_GDTR_BASE",                 VMCS_GUEST_GDTR_BASE },
	{ "GUEST_IDTR_BASE",                 VMCS_GUEST_IDTR_BASE },
	{ "GUEST_DR7",                       VMCS_GUEST_DR7 },
	{ "GUEST_RSP",                       VMCS_GUEST_RSP },
	{ "GUEST_RIP",                       VMCS_GUEST_RIP },
	{ "GUEST_RFLAGS",                    VMCS_GUEST_RFLAGS },
	{ "GUEST_PENDING_DBG_EXCEPTIONS",    VMCS_GUEST_PENDING_DBG_EXCEPTIONS },
	{ "GUEST_SYSENTER_ESP",              VMCS_GUEST_SYSENTER_ESP },
	{ "GUEST_SYSENTER_EIP",              VMCS_GUEST_SYSENTER_EIP },
	/* B.4.4 natural-width host-state fields */
	{ "HOST_CR0",                        VMCS_HOST_CR0 },
	{ "HOST_CR3",                        VMCS_HOST_CR3 },
	{ "HOST_CR4",                        VMCS_HOST_CR4 },
	{ "HOST_FS_BASE",                    VMCS_HOST_FS_BASE },
	{ "HOST_GS_BASE",                    VMCS_HOST_GS_BASE },
	{ "HOST_TR_BASE",                    VMCS_HOST_TR_BASE },
	{ "HOST_GDTR_BASE",                  VMCS_HOST_GDTR_BASE },
	{ "HOST_IDTR_BASE",                  VMCS_HOST_IDTR_BASE },
	{ "HOST_IA32_SYSENTER_ESP",          VMCS_HOST_IA32_SYSENTER_ESP },
	{ "HOST_IA32_SYSENTER_EIP",          VMCS_HOST_IA32_SYSENTER_EIP },
	{ "HOST_RSP",                        VMCS_HOST_RSP },
	{ "HOST_RIP",                        VMCS_HOST_RIP },
};

const unsigned int vmcs_field_count = ARRAY_SIZE(vmcs_fields);

/* Appendix B: bits 11:10 of an encoding are its type. */
#define VMCS_ENC_TYPE_SHIFT     10
#define VMCS_ENC_TYPE_MASK      3u
#define VMCS_ENC_WIDTH_SHIFT    13
#define VMCS_ENC_WIDTH_MASK     3u
#define VMCS_ENC_ACCESS_HIGH    1u       /* bit 0: the high 32 bits of a 64-bit field */

enum vmcs_field_group vmcs_field_group(uint32_t encoding)
{
	static const enum vmcs_field_group by_type[] = {
		[0] = VMCS_GROUP_CONTROL,
		[1] = VMCS_GROUP_EXIT_INFO,
		[2] = VMCS_GROUP_GUEST,
		[3] = VMCS_GROUP_HOST,
	};

	return by_type[(encoding >> VMCS_ENC_TYPE_SHIFT) & VMCS_ENC_TYPE_MASK];
}

const char *vmcs_group_name(enum vmcs_field_group g)
{
	static const char *const names[] = {
		[VMCS_GROUP_CONTROL]   = "control",
		[VMCS_GROUP_GUEST]     = "guest state",
		[VMCS_GROUP_HOST]      = "host state",
		[VMCS_GROUP_EXIT_INFO] = "exit information",
	};

	if ((unsigned int)g >= ARRAY_SIZE(names))
		return "unknown";
	return names[g];
}

unsigned int vmcs_field_width(uint32_t encoding)
{
	/* Natural width is 64 bits: this hypervisor runs only in 64-bit mode. */
	static const unsigned int bits[] = { 16, 64, 32, 64 };
	unsigned int w = (encoding >> VMCS_ENC_WIDTH_SHIFT) & VMCS_ENC_WIDTH_MASK;

	if (w == 1 && (encoding & VMCS_ENC_ACCESS_HIGH))
		return 32;
	return bits[w];
}

static char ascii_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* Whether `s` equals `upper` (all upper case) ignoring the case of `s`. */
static bool name_eq(const char *s, const char *upper)
{
	while (*s && ascii_upper(*s) == *upper) {
		s++;
		upper++;
	}
	return !*s && !*upper;
}

/* Whether `s` starts with `upper` ignoring the case of `s`. */
static bool name_prefix(const char *s, const char *upper)
{
	while (*upper && ascii_upper(*s) == *upper) {
		s++;
		upper++;
	}
	return !*upper;
}

static const struct vmcs_field_desc *find_by_name(const char *name)
{
	for (unsigned int i = 0; i < vmcs_field_count; i++)
		if (name_eq(name, vmcs_fields[i].name))
			return &vmcs_fields[i];
	return NULL;
}

/*
 * A name is tried as given first: "VMCS_LINK_POINTER" is itself a field
 * name, so "vmcs_link_pointer" must not lose its prefix before the search.
 * Names never start with a digit, so a leading digit means an encoding.
 * A linear search: the table is small and only the shell asks.
 */
const struct vmcs_field_desc *vmcs_field_find(const char *name_or_encoding)
{
	const char *s = name_or_encoding;
	const struct vmcs_field_desc *f;
	uint64_t enc;

	if (!s || !*s)
		return NULL;
	if (*s >= '0' && *s <= '9') {
		if (parse_u64(s, &enc))
			return NULL;
		for (unsigned int i = 0; i < vmcs_field_count; i++)
			if (vmcs_fields[i].encoding == enc)
				return &vmcs_fields[i];
		return NULL;
	}
	f = find_by_name(s);
	if (!f && name_prefix(s, "VMCS_") && s[5])
		f = find_by_name(s + 5);
	return f;
}
